"""manifest.yml creates the app in one paste: the command, interactivity, App Home, the events, the
scopes the code really uses, and nothing more."""

from pathlib import Path

import yaml

MANIFEST = yaml.safe_load((Path(__file__).resolve().parent.parent / "manifest.yml").read_text())

# What each scope is for, in the code: the methods and events kpibot uses.
USED_SCOPES = {
    "commands": "/kpi",
    "chat:write": "chat.postMessage (digests, goal confirmations, import summaries)",
    "chat:write.public": "chat.postMessage to public channels the bot has not joined",
    "files:read": "files.info and downloading a CSV shared in a DM",
    "im:history": "message.im events that carry shared files",
    "files:write": "files.getUploadURLExternal / completeUploadExternal for digest charts",
    "channels:history": "conversations.history: is an unconfirmed digest already in a public channel?",
    "groups:history": "conversations.history: the same in a private channel",
}


def test_command_and_surfaces():
    features = MANIFEST["features"]
    assert [c["command"] for c in features["slash_commands"]] == ["/kpi"]
    assert features["app_home"]["home_tab_enabled"] is True
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
    assert set(MANIFEST["settings"]["event_subscriptions"]["bot_events"]) == {"app_home_opened", "message.im"}
    assert MANIFEST["settings"]["socket_mode_enabled"] is True
    assert MANIFEST["settings"]["token_rotation_enabled"] is False


def test_scopes_are_the_ones_used():
    assert set(MANIFEST["oauth_config"]["scopes"]["bot"]) == set(USED_SCOPES)


def test_limits():
    assert len(MANIFEST["display_information"]["name"]) <= 35
    assert len(MANIFEST["display_information"]["description"]) <= 140
    assert len(MANIFEST["features"]["slash_commands"][0]["description"]) <= 2000
