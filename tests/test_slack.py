"""The Slack app end to end: signed HTTP requests to a real server, Web API calls to a loopback stand-in."""

from __future__ import annotations

import json
import logging
import time

import pytest

from kpi.store import Store

from .conftest import NOW, load, snapshot
from .support.server import AppServer, fixed_clock, settings_for
from .support.signing import SIGNING_SECRET, command_body, sign
from .support.slack_api import BOT_TOKEN


@pytest.fixture
def db(loaded_db):
    return loaded_db


@pytest.fixture
def server(api, db):
    with AppServer(settings_for(db, api.url), fixed_clock(NOW)) as running:
        yield running


def blocks_text(blocks: list[dict]) -> str:
    """Every piece of text in a list of blocks, to assert on what a person would read."""
    out = []
    for block in blocks:
        for key in ("text",):
            if isinstance(block.get(key), dict):
                out.append(block[key]["text"])
        out += [f["text"] for f in block.get("fields", [])]
        out += [
            e.get("text", "") if isinstance(e.get("text"), str) else e.get("text", {}).get("text", "")
            for e in block.get("elements", [])
        ]
    return "\n".join(out)


# -- requests and their signatures ------------------------------------------------------------------------


def test_the_stand_in_refuses_what_slack_sdks_models_refuse(api):
    """Answers are plain dicts; the stand-in runs them through slack_sdk's models, as Slack would refuse."""
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    client = WebClient(token=BOT_TOKEN, base_url=api.url)
    button = {
        "type": "button",
        "text": {"type": "plain_text", "text": "Go"},
        "action_id": "a",
        "style": "fancy",
    }
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="C1", text="x", blocks=[{"type": "actions", "elements": [button]}])
    assert refused.value.response["error"] == "invalid_blocks" and "style" in refused.value.response["detail"]


def test_signing_helper_matches_slacks_published_example():
    body = (
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    headers = sign(body, 1531420618, secret="8f742231b10e8888abcd99yyyzzz85a5")
    assert (
        headers["X-Slack-Signature"] == "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    )


def test_healthz(server):
    assert server.request("GET", "/healthz").status == 200


def test_kpi_answer_is_posted_in_the_channel(server, api):
    response = server.command("engagement by network")
    assert response.status == 200
    message = response.json()
    assert message["response_type"] == "in_channel"
    assert message["text"].startswith("Engagement rate · Week 46, 2026")
    text = blocks_text(message["blocks"])
    assert "*4.8%*" in text and "+2.3 pp vs Week 45, 2026" in text and "🟢" in text
    assert "instagram" in text and "facebook" in text
    assert "data through Nov 14, 2026" in text
    assert [e["text"]["text"] for e in message["blocks"][-1]["elements"]] == ["Previous period", "Set goal"]
    assert api.calls_to("chat.postMessage") == []


def test_console_and_slack_show_the_same_numbers(server, db):
    from bot.console import render
    from kpi.answers import Context, answer

    with Store(db) as store:
        console = render(answer("engagement 2026-W46 by network", Context(store, "T1", NOW)))
    text = blocks_text(server.command("engagement 2026-W46 by network").json()["blocks"])
    rows = {
        cells[0]: cells
        for cells in map(str.split, console.splitlines())
        if cells[:1] in (["instagram"], ["facebook"])
    }
    assert sorted(rows) == ["facebook", "instagram"]  # both networks' rows are compared, not none
    for cells in rows.values():
        assert len(cells) >= 3 and all(cell in text for cell in cells), cells


def bad_headers(why: str, body: str) -> dict[str, str]:
    now = int(time.time())
    if why == "forged":
        return {**sign(body), "X-Slack-Signature": "v0=" + "0" * 64}
    if why == "wrong secret":
        return sign(body, secret="not-the-secret")
    if why == "stale":
        return sign(body, now - 301)
    if why == "from the future":
        return sign(body, now + 301)
    if why == "non-numeric timestamp":
        return {**sign(body), "X-Slack-Request-Timestamp": "abc"}
    return {}


@pytest.mark.parametrize(
    "why", ["forged", "wrong secret", "unsigned", "stale", "from the future", "non-numeric timestamp"]
)
def test_forged_unsigned_and_stale_requests_are_rejected_without_side_effects(server, api, db, why):
    body = command_body("goal engagement 5%")
    with Store(db) as store:
        before = snapshot(store)
    response = server.post(body, "application/x-www-form-urlencoded", bad_headers(why, body), signed=False)
    assert response.status == 401, why
    assert response.json() == {"error": "invalid request"}
    with Store(db) as store:
        assert snapshot(store) == before
    assert api.calls == []


def test_a_timestamp_just_inside_five_minutes_is_accepted(server):
    body = command_body("help")
    response = server.post(
        body, "application/x-www-form-urlencoded", sign(body, int(time.time()) - 290), signed=False
    )
    assert response.status == 200


def test_tampered_body_is_rejected(server):
    body = command_body("help")
    headers = sign(body)
    response = server.post(
        body.replace("help", "list"), "application/x-www-form-urlencoded", headers, signed=False
    )
    assert response.status == 401


def test_command_text_containing_payload_is_a_command(server, db):
    response = server.command("define payload_rate = sum(shares) / sum(posts) as ratio")
    assert response.status == 200
    assert response.json()["text"].startswith("KPI `payload_rate` defined")
    assert server.command("payload_rate 2026-W46").json()["text"].startswith("Payload rate · Week 46")


def test_url_verification_must_be_signed(server):
    body = json.dumps({"token": "x", "challenge": "abc123", "type": "url_verification"})
    assert server.post(body, "application/json", signed=False).status == 401
    response = server.post(body, "application/json")
    assert response.status == 200 and response.json() == {"challenge": "abc123"}


# -- errors, rights, teams -------------------------------------------------------------------------------------


def test_errors_are_ephemeral_and_escaped(server):
    response = server.command("engagement <!channel> <@U999> & co")
    assert response.status == 200
    message = response.json()
    assert message["response_type"] == "ephemeral"
    assert "&lt;!channel&gt;" in message["text"] and "<!channel>" not in json.dumps(message)
    assert "<@U999>" not in json.dumps(message) and "&amp; co" in message["text"]


def test_help_is_ephemeral(server):
    message = server.command("").json()
    assert message["response_type"] == "ephemeral"
    assert "/kpi engagement last quarter by network" in blocks_text(message["blocks"])


def test_unknown_kpi_suggests(server):
    message = server.command("engagment").json()
    assert message["response_type"] == "ephemeral"
    assert "Did you mean `engagement_rate`" in message["text"]


@pytest.fixture
def admin_server(api, db):
    with AppServer(settings_for(db, api.url, admins=frozenset({"UADMIN"})), fixed_clock(NOW)) as running:
        yield running


def test_a_non_admin_cannot_mutate(admin_server, db):
    with Store(db) as store:
        before = snapshot(store)
    for text in [
        "goal engagement 5%",
        "record likes 3",
        "subscribe weekly",
        "define x = sum(a)",
        "set currency EUR",
    ]:
        message = admin_server.command(text, user="U2").json()
        assert message["response_type"] == "ephemeral"
        assert "Only this workspace's kpibot admins" in message["text"]
    with Store(db) as store:
        assert snapshot(store) == before
    assert admin_server.command("goal engagement 5%", user="UADMIN").json()["response_type"] == "in_channel"


def test_another_workspace_sees_none_of_the_first(server):
    assert server.command("goal engagement 5%").json()["response_type"] == "in_channel"
    other = server.command("engagement 2026-W46", team="T2").json()
    assert "no data" in blocks_text(other["blocks"])
    assert server.command("goals", team="T2").json()["text"].startswith("No goals yet")
    removal = server.command("goal remove 1", team="T2").json()
    assert removal["response_type"] == "ephemeral" and "no goal #1" in removal["text"]
    assert server.command("goals").json()["text"].startswith("Goals")


# -- goals: command, buttons and the form -------------------------------------------------------------------------


def test_goal_set_is_confirmed_in_the_channel_naming_who(server):
    message = server.command("goal engagement 4.5% per week network:instagram", user="U777").json()
    assert message["response_type"] == "in_channel"
    assert message["text"].startswith("Goal #1 set: Engagement rate 4.5% per week")
    assert "by <@U777>" in blocks_text(message["blocks"])


def test_goals_list_has_status_and_buttons(server):
    server.command("goal engagement 4.5% per week")
    message = server.command("goals").json()
    text = blocks_text(message["blocks"])
    assert "#1" in text and "per week" in text
    assert any(s in text for s in ("on track", "at risk", "off track"))
    ids = [e["action_id"] for e in message["blocks"][-1]["elements"]]
    assert ids == ["goal_modal:0", "remove_goal:1"]


def block_action(
    action_id: str,
    value: str,
    *,
    user: str = "U1",
    container: dict | None = None,
    team: str = "T1",
    response_url: str = "",
    trigger_id: str = "111.222.abc",
) -> dict:
    return {
        "type": "block_actions",
        "user": {"id": user, "team_id": team},
        "api_app_id": "A1",
        "token": "x",
        "container": container or {"type": "message", "channel_id": "C1", "message_ts": "1.2"},
        "trigger_id": trigger_id,
        "team": {"id": team, "domain": "acme"},
        "channel": {"id": "C1", "name": "marketing"},
        "response_url": response_url,
        "actions": [
            {"action_id": action_id, "block_id": "b", "value": value, "type": "button", "action_ts": "1"}
        ],
    }


def test_buttons_run_commands_and_answer_through_response_url(server, api):
    message = server.command("engagement").json()
    previous = next(e for e in message["blocks"][-1]["elements"] if e["text"]["text"] == "Previous period")
    response = server.interact(
        block_action(previous["action_id"], previous["value"], response_url=api.response_url())
    )
    assert response.status == 200
    posted = api.wait_for("", 1, webhook=True)[0].body
    assert posted["text"].startswith("Engagement rate · Week 45, 2026")
    assert posted["response_type"] == "in_channel" and posted["replace_original"] is False


def test_remove_goal_button(server, api):
    server.command("goal engagement 4.5%")
    server.interact(block_action("remove_goal:1", "1", response_url=api.response_url()))
    assert api.wait_for("", 1, webhook=True)[0].body["text"].startswith("Goal #1 removed")
    assert server.command("goals").json()["text"].startswith("No goals yet")


def test_set_goal_button_opens_the_form(server, api):
    server.interact(block_action("goal_modal:2", "engagement_rate", trigger_id="9.9.a"))
    view = api.calls_to("views.open")[0].body["view"]
    assert view["callback_id"] == "goal_form" and view["title"]["text"] == "Set a goal"
    kpi_block = next(b for b in view["blocks"] if b["block_id"] == "kpi")
    assert kpi_block["element"]["initial_option"]["value"] == "engagement_rate"
    assert [
        o["value"]
        for o in next(b for b in view["blocks"] if b["block_id"] == "network")["element"]["options"]
    ] == ["facebook", "instagram"]
    assert json.loads(view["private_metadata"]) == {"channel": "C1", "team": "T1"}


def view_submission(values: dict, *, user: str = "U1", channel: str | None = "C1") -> dict:
    def select(v):
        return {"type": "static_select", "selected_option": {"value": v} if v else None}

    state = {
        "kpi": {"value": select(values.get("kpi"))},
        "target": {"value": {"type": "plain_text_input", "value": values.get("target")}},
        "cadence": {"value": select(values.get("cadence", "month"))},
        "deadline": {"value": {"type": "datepicker", "selected_date": values.get("deadline")}},
        "network": {"value": select(values.get("network"))},
    }
    return {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": user, "team_id": "T1"},
        "api_app_id": "A1",
        "token": "x",
        "trigger_id": "1.2.3",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": "goal_form",
            "state": {"values": state},
            "private_metadata": json.dumps({"channel": channel, "team": "T1"}),
            "hash": "h",
        },
    }


def test_goal_form_valid_submission_saves_once_and_confirms_in_channel(server, api):
    response = server.interact(
        view_submission(
            {"kpi": "engagement_rate", "target": "5%", "cadence": "week", "network": "instagram"}, user="U42"
        )
    )
    assert response.status == 200 and response.body == ""
    posted = api.wait_for("chat.postMessage")[0].body
    assert posted["channel"] == "C1"
    assert posted["text"].startswith("Goal #1 set: Engagement rate 5.0% per week · network: instagram")
    assert "by <@U42>" in json.dumps(posted["blocks"])
    goals = server.command("goals").json()
    assert "5.0% per week" in blocks_text(goals["blocks"])


@pytest.mark.parametrize(
    "values, block, message",
    [
        ({"kpi": "engagement_rate", "target": "lots"}, "target", "is not a number"),
        ({"kpi": "engagement_rate", "target": ""}, "target", "Enter a target"),
        ({"kpi": "engagement_rate", "target": "5%", "cadence": "date"}, "deadline", "Pick the date"),
        ({"kpi": "impressions", "target": "5%"}, "target", "not a percentage"),
    ],
)
def test_goal_form_invalid_input_is_shown_inline(server, api, values, block, message):
    response = server.interact(view_submission(values))
    assert response.status == 200
    answer = response.json()
    assert answer["response_action"] == "errors"
    assert message in answer["errors"][block]
    assert server.command("goals").json()["text"].startswith("No goals yet")
    assert api.calls_to("chat.postMessage") == []


# -- App Home, CSV in DM, events ------------------------------------------------------------------------------------------


def test_app_home_shows_goals_and_headline_kpis(server, api):
    server.command("goal engagement 4.5%")
    response = server.event(
        {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home", "event_ts": "1"}
    )
    assert response.status == 200
    call = api.wait_for("views.publish")[0]
    assert call.body["user_id"] == "U1"
    view = call.body["view"]
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    text = blocks_text(view["blocks"])
    assert "Headline KPIs · Week 46, 2026" in text and "Engagement rate" in text and "4.8%" in text
    assert "#1" in text and "engagement_rate" in text


def test_same_event_delivered_twice_acts_once(server, api):
    event = {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home", "event_ts": "1"}
    server.event(event, event_id="EvSame")
    retry = server.event(
        event,
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
        event_id="EvSame",
        timestamp=int(time.time()) + 1,
    )
    assert retry.status == 200
    time.sleep(0.3)
    assert len(api.calls_to("views.publish")) == 1


def dm_file_event(url: str, name: str = "data.csv", user: str = "U1") -> dict:
    return {
        "type": "message",
        "subtype": "file_share",
        "channel": "D1",
        "channel_type": "im",
        "user": user,
        "ts": "1.1",
        "files": [{"id": "F1", "name": name, "filetype": "csv", "size": 100, "url_private_download": url}],
    }


def test_csv_shared_in_a_dm_is_imported_and_summarised(server, api, db):
    url = api.serve_file("more.csv", b"date,metric,value,network\n2026-11-10,impressions,500,x\n")
    assert server.event(dm_file_event(url, "more.csv"), event_id="EvFile1").status == 200
    reply = api.wait_for("chat.postMessage")[0].body
    assert reply["channel"] == "D1"
    assert reply["text"] == "`more.csv`: 1 rows read, 1 inserted, 0 replaced, 0 rejected (long layout)."
    assert "x" in blocks_text(server.command("impressions 2026-W46 by network").json()["blocks"])


def test_invalid_csv_in_a_dm_writes_nothing_and_lists_lines(server, api, db):
    with Store(db) as store:
        before = snapshot(store)
    url = api.serve_file("bad.csv", b"date,metric,value\n2026-11-10,likes,lots\n")
    server.event(dm_file_event(url, "bad.csv"), event_id="EvFile2")
    reply = api.wait_for("chat.postMessage")[0].body["text"]
    assert "nothing was imported" in reply and "line 2: `lots` is not a number" in reply
    with Store(db) as store:
        assert snapshot(store) == before


# -- Web API robustness -------------------------------------------------------------------------------------------------


def test_report_posts_through_a_429_once(server, api):
    api.fail("chat.postMessage", status=429, times=1, retry_after=1)
    response = server.command("report weekly 2026-W46")
    assert response.status == 200
    assert len(api.calls_to("chat.postMessage")) < 2  # answered before the retry: the 429 never holds the ack
    assert response.json() == {"text": "Posting the weekly digest…", "response_type": "ephemeral"}
    posts = api.wait_for("chat.postMessage", 2)
    assert len(posts) == 2  # the 429, then the retry after Retry-After
    assert posts[1].at - posts[0].at >= 1.0
    assert posts[1].body["channel"] == "C1"
    assert posts[1].body["text"].startswith("Weekly digest · Week 46, 2026")
    upload = api.wait_for("files.completeUploadExternal")[0].body
    assert upload["channel_id"] == "C1" and upload["thread_ts"] == posts[1].body.get(
        "ts", upload["thread_ts"]
    )
    assert api.uploads and api.uploads[0].startswith(b"\x89PNG")
    assert len(api.calls_to("chat.postMessage")) == 2


def test_an_error_after_ack_still_reaches_the_user(server, api):
    api.not_in.add("C9")
    response = server.command("report weekly", channel="C9", response_url=api.response_url("late"))
    assert response.status == 200
    told = api.wait_for("", 1, webhook=True)[0]
    assert told.method == "/webhook/late"
    assert told.body["response_type"] == "ephemeral"
    assert "Invite me with `/invite @kpibot`" in told.body["text"]


@pytest.fixture
def real_log_handler():
    """kpibot serve's own log handler, at DEBUG, writing to a buffer; the root logger restored after."""
    import io

    from bot import logs

    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    buffer = io.StringIO()
    logs.setup([BOT_TOKEN, SIGNING_SECRET], level=logging.DEBUG, stream=buffer)
    logging.getLogger("slack_sdk").setLevel(logging.DEBUG)
    yield buffer
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])
    logging.getLogger("slack_sdk").setLevel(logging.NOTSET)


def test_secrets_never_reach_the_log(server, api, real_log_handler):
    server.post(command_body("help"), "application/x-www-form-urlencoded", {"X-Slack-Signature": "v0=bad"})
    server.command("report weekly", channel="C1")
    api.wait_for("files.completeUploadExternal")
    time.sleep(0.2)
    # A library that prints what it sends, as some do at DEBUG: the handler must remove the secrets.
    logging.getLogger("slack_sdk.web").debug("headers: Authorization: Bearer %s", BOT_TOKEN)
    logging.getLogger("urllib3").info("signed with %s", SIGNING_SECRET)
    written = real_log_handler.getvalue()
    assert "headers: Authorization: Bearer [redacted]" in written
    assert "chat.postMessage" in written
    assert BOT_TOKEN not in written and BOT_TOKEN[-8:] not in written
    assert SIGNING_SECRET not in written


def test_an_unexpected_failure_shows_a_reference_not_a_trace(api, tmp_path, caplog):
    broken = tmp_path / "not-a-database"
    broken.mkdir()
    with AppServer(settings_for(str(broken), api.url), fixed_clock(NOW)) as running:
        caplog.set_level(logging.ERROR, logger="kpibot.slack")
        message = running.command("engagement").json()
    assert message["response_type"] == "ephemeral"
    assert message["text"].startswith("Something went wrong on my side (ref ")
    assert "Traceback" not in json.dumps(message)
    ref = message["text"].split("(ref ")[1][:8]
    assert any(ref in r.getMessage() and r.exc_info for r in caplog.records)


def test_ssl_check_answers_without_acting(server, api, db):
    from urllib.parse import urlencode

    with Store(db) as store:
        before = snapshot(store)
    body = urlencode({"ssl_check": "1", "token": "legacy"})
    assert server.post(body, "application/x-www-form-urlencoded").status == 200
    with Store(db) as store:
        assert snapshot(store) == before
    assert api.calls == []


def test_a_long_breakdown_is_cut_within_slacks_limits(server, db):
    rows = "".join(f"2026-11-10,impressions,{100 + i},region_{i:02d}\n" for i in range(40))
    with Store(db) as store:
        load(store, "T1", "date,metric,value,region\n" + rows)
    message = server.command("impressions 2026-W46 by region").json()
    table = next(
        b["text"]["text"] for b in message["blocks"] if b.get("text", {}).get("text", "").startswith("```")
    )
    # 41 rows (40 regions and "all" for the rows without a region): the first 15 and a count of the rest.
    assert (
        table.count("region_") == 14 and "\nall " in table and "… and 26 more" in table and len(table) <= 3000
    )
    assert table.index("region_39") < table.index("region_38")  # best first


def test_server_errors_are_retried_then_recorded(server, api):
    api.fail("chat.postMessage", status=500, times=2, error="internal_error")
    server.command("report weekly 2026-W46")
    posts = api.wait_for("chat.postMessage", 3)
    assert len(posts) == 3  # two 500s, then the post
    api.wait_for("files.completeUploadExternal")
    api.fail("chat.postMessage", status=500, times=5, error="internal_error")
    server.command("report weekly 2026-W46", response_url=api.response_url("failed"))
    told = api.wait_for("", 1, webhook=True)[0].body
    assert told["response_type"] == "ephemeral" and "Something went wrong on my side (ref " in told["text"]
    assert len(api.calls_to("chat.postMessage")) == 6  # three attempts, no endless loop


def test_a_report_with_a_bad_period_is_refused_before_anything_is_posted(server, api):
    message = server.command("report weekly lst week").json()
    assert message["response_type"] == "ephemeral" and "I don't know the period `lst week`" in message["text"]
    time.sleep(0.3)
    assert api.calls_to("chat.postMessage") == []


# -- buttons on real dimension values -------------------------------------------------------------------------


@pytest.mark.parametrize("network", ["new york", "o'brien", 'say "hi"', "a:b"])
def test_buttons_work_on_dimension_values_with_spaces_and_quotes(server, api, db, network):
    from kpi.commands import KpiQuery, parse, query_text

    cell = '"' + network.replace('"', '""') + '"'
    rows = f"2026-11-03,impressions,7,{cell},fr\n2026-11-10,impressions,9,{cell},fr\n"
    with Store(db) as store:
        load(store, "T1", "date,metric,value,network,region\n" + rows)
    question = KpiQuery("impressions", "2026-W46", None, {"network": network})
    assert parse(query_text(question)) == question  # what the console shows types back as the same question
    message = server.command(query_text(question)).json()
    assert message["text"].startswith(f"Impressions · Week 46, 2026 (Nov 9–15, 2026) · network: {network}")
    buttons = {e["text"]["text"]: e for e in message["blocks"][-1]["elements"]}
    for label, hook in (("Previous period", "prev"), ("By region", "by")):
        pressed = block_action(
            buttons[label]["action_id"], buttons[label]["value"], response_url=api.response_url(hook)
        )
        assert server.interact(pressed).status == 200
    answers = {c.method: c.body for c in api.wait_for("", 2, webhook=True)}
    previous, by_region = answers["/webhook/prev"]["text"], answers["/webhook/by"]["text"]
    assert previous.startswith(f"Impressions · Week 45, 2026 (Nov 2–8, 2026) · network: {network}: 7")
    assert by_region.startswith(f"Impressions · Week 46, 2026 (Nov 9–15, 2026) · network: {network}: 9")
    assert "fr" in blocks_text(answers["/webhook/by"]["blocks"])


def test_a_button_value_that_is_not_a_question_is_explained(server, api):
    assert (
        server.interact(block_action("run:0", "engagement last week", response_url=api.response_url())).status
        == 200
    )
    told = api.wait_for("", 1, webhook=True)[0].body
    assert told["response_type"] == "ephemeral"
    assert told["text"] == "That button no longer works; ask again with `/kpi`."


def test_a_refused_report_is_told_once_and_posts_nothing(server, api):
    response = server.command("report weekly lst week", response_url=api.response_url("late"))
    assert response.status == 200
    assert response.json()["text"].startswith("I don&#39;t know the period") or response.json()[
        "text"
    ].startswith("I don't know the period `lst week`")
    time.sleep(0.5)
    assert api.webhooks == [] and api.calls_to("chat.postMessage") == []


def test_a_failed_button_in_app_home_is_told_in_a_direct_message(server, api):
    home = {"type": "view", "view_id": "V1"}
    payload = block_action("remove_goal:0", "99", container=home)
    payload.pop("channel")
    assert server.interact(payload).status == 200
    told = api.wait_for("chat.postMessage")[0].body
    assert told["channel"] == "U1"
    assert told["text"].startswith("There is no goal #99.")
