"""Alerts over the Slack path: set by a signed command, fired by the write that brings the data,
posted through the Web API stand-in, snoozed and removed by signed button payloads."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime

import pytest

from kpi import create_token
from kpi.store import Store

from .conftest import load
from .support.alert_data import csv, csv_rows, rhythm
from .support.server import AppServer, fixed_clock, settings_for
from .test_slack import block_action

NOW = datetime(2026, 11, 11, 10, 0, tzinfo=UTC)  # judges Tuesday 10 November
SPIKE_DAY = date(2026, 11, 10)


@pytest.fixture
def db(tmp_path):
    """Ten weeks of impressions, all but one value of the last day: instagram in fr comes by hand."""
    path = str(tmp_path / "kpibot.db")
    value = rhythm(1000)
    with Store(path) as store:
        load(store, "T1", csv(csv_rows("impressions", date(2026, 9, 1), SPIKE_DAY, lambda d, n, r: (
            None if (d, n, r) == (SPIKE_DAY, "instagram", "fr") else value(d, n, r)))))  # fmt: skip
    return path


@pytest.fixture
def server(api, db):
    settings = settings_for(db, api.url, admins=frozenset({"UADMIN"}))
    with AppServer(settings, fixed_clock(NOW)) as running:
        yield running


def alert_buttons(message: dict) -> dict[str, dict]:
    return {e["text"]["text"]: e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]}


def fire(server, api) -> dict:
    """Set the alert, then record the missing value: its write triggers the check that posts."""
    assert server.command("alert impressions anomaly", user="UADMIN").json()["response_type"] == "in_channel"
    record = server.command("record impressions 4400 2026-11-10 network:instagram region:fr", user="UADMIN")
    assert record.json()["text"].startswith("Recorded impressions = 4,400")
    (call,) = api.wait_for("chat.postMessage", 1)
    return call.body


def test_the_write_that_brings_the_data_posts_the_alert_with_its_contributors(server, api):
    message = fire(server, api)
    assert message["channel"] == "C1"
    text = str(message["blocks"])
    assert "Impressions is unusually high" in text and "on Tuesdays of the 8 weeks before" in text
    assert "_by network_: instagram 5,4" in text  # instagram alone rose: 4,400 plus its us value
    assert "_by region_: fr " in text
    assert list(alert_buttons(message)) == ["Breakdown", "Snooze 7 days", "Remove"]


def test_breakdown_runs_the_question_behind_the_alert(server, api):
    breakdown = alert_buttons(fire(server, api))["Breakdown"]
    server.interact(
        block_action(breakdown["action_id"], breakdown["value"], user="U2", response_url=api.response_url())
    )
    answer = api.wait_for("", 1, webhook=True)[0].body
    assert answer["text"].startswith("Impressions · Tue Nov 10, 2026")
    assert "instagram" in str(answer["blocks"])


def test_snooze_and_remove_are_for_admins_and_refusals_are_ephemeral(server, api, db):
    buttons = alert_buttons(fire(server, api))
    for label in ("Snooze 7 days", "Remove"):
        button = buttons[label]
        server.interact(
            block_action(button["action_id"], button["value"], user="U2", response_url=api.response_url())
        )
        refusal = api.wait_for("", 1, webhook=True)[-1].body
        api.webhooks.clear()
        assert (
            refusal["response_type"] == "ephemeral"
            and "Only this workspace's kpibot admins" in refusal["text"]
        )
    with Store(db) as store:
        assert store.alert("T1", 1).snoozed_until is None
    snooze = buttons["Snooze 7 days"]
    server.interact(
        block_action(snooze["action_id"], snooze["value"], user="UADMIN", response_url=api.response_url())
    )
    done = api.wait_for("", 1, webhook=True)[-1].body
    assert done["text"].startswith("Alert #1 snoozed for 7 days") and done["response_type"] == "in_channel"
    with Store(db) as store:
        assert store.alert("T1", 1).snoozed_until == "2026-11-18T10:00:00+00:00"
    remove = buttons["Remove"]
    server.interact(
        block_action(remove["action_id"], remove["value"], user="UADMIN", response_url=api.response_url())
    )
    assert api.wait_for("", 2, webhook=True)[-1].body["text"].startswith("Alert #1 removed")
    with Store(db) as store:
        assert store.alerts("T1") == [] and store.firings("T1") == []


def test_another_workspaces_buttons_cannot_touch_the_alert(server, api, db):
    buttons = alert_buttons(fire(server, api))
    for label in ("Snooze 7 days", "Remove"):
        button = buttons[label]
        payload = block_action(
            button["action_id"], button["value"], user="UADMIN", team="T2", response_url=api.response_url()
        )
        server.interact(payload)
    replies = [w.body for w in api.wait_for("", 2, webhook=True)]
    assert all("There is no alert #1" in r["text"] and r["response_type"] == "ephemeral" for r in replies)
    with Store(db) as store:
        alert = store.alert("T1", 1)
        assert alert is not None and alert.snoozed_until is None


def test_a_button_value_that_is_not_an_alert_id_is_explained(server, api):
    server.interact(
        block_action("alert_snooze:1", "../../etc", user="UADMIN", response_url=api.response_url())
    )
    reply = api.wait_for("", 1, webhook=True)[0].body
    assert reply["response_type"] == "ephemeral" and "no longer works" in reply["text"]


def test_alerts_lists_with_the_last_time_each_fired(server, api, db):
    fire(server, api)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # the check records "sent" just after Slack's answer
        with Store(db) as store:
            if store.firings("T1")[0].status == "sent":
                break
        time.sleep(0.02)
    listing = server.command("alerts", user="U2").json()
    assert listing["response_type"] == "ephemeral"
    table = str(listing["blocks"])
    assert "Impressions is unusually high" not in table and "is unusual each day" in table
    assert "2026-11-10 · 2026-11-11 10:00 UTC" in table


def test_a_push_that_brings_the_data_posts_the_alert(server, api, db):
    with Store(db) as store:
        token = create_token(store, "T1", "pipeline", now="2026-11-11T09:00:00")[0]
    assert server.command("alert impressions anomaly", user="UADMIN").json()["response_type"] == "in_channel"
    body = json.dumps({"observations": [{"date": "2026-11-10", "metric": "impressions", "value": 4400,
                                         "dimensions": {"network": "instagram", "region": "fr"}}]})  # fmt: skip
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    assert server.request("POST", "/api/v1/observations", body, headers).status == 200
    (call,) = api.wait_for("chat.postMessage", 1)
    assert call.body["channel"] == "C1" and "_by network_: instagram" in str(call.body["blocks"])


def test_a_file_shared_in_a_dm_that_brings_the_data_posts_the_alert(server, api):
    assert server.command("alert impressions anomaly", user="UADMIN").json()["response_type"] == "in_channel"
    url = api.serve_file(
        "day.csv", b"date,metric,value,network,region\n2026-11-10,impressions,4400,instagram,fr\n"
    )
    event = {"type": "message", "subtype": "file_share", "channel": "D1", "channel_type": "im", "user": "UADMIN",
             "ts": "1.1", "files": [{"id": "F1", "name": "day.csv", "filetype": "csv", "size": 60,
                                     "url_private_download": url}]}  # fmt: skip
    assert server.event(event, event_id="EvAlertFile").status == 200
    calls = api.wait_for("chat.postMessage", 2)
    alert = next(c.body for c in calls if c.body["channel"] == "C1")
    assert "Impressions is unusually high" in str(alert["blocks"])
