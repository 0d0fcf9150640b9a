"""Alert messages through the Slack Web API stand-in: once per (alert, period) whatever happens, one
message per channel, retried when Slack fails, and `kpibot alerts check` from the command line."""

from __future__ import annotations

import json
import subprocess
import threading
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.alerting import AlertService
from bot.delivery import web_client
from kpi.store import Store

from .conftest import ask, load
from .support.alert_data import csv, csv_rows, rhythm
from .support.cli import cli_env, kpibot, kpibot_twice
from .support.server import settings_for

CHECK = datetime(2026, 11, 11, 8, 0, tzinfo=UTC)  # judges Tuesday 10 November, the spike day
SPIKE = {(date(2026, 11, 10), "instagram", "fr"): 4.0}
SEASON_CSV = csv(csv_rows("impressions", date(2026, 9, 1), date(2026, 11, 10), rhythm(1000, SPIKE)))


@pytest.fixture
def db(tmp_path):
    path = str(tmp_path / "kpibot.db")
    with Store(path) as store:
        load(store, "T1", SEASON_CSV)
        ask(store, "/kpi alert impressions anomaly", channel="C1")
    return path


def service(db, api, clock=CHECK, **settings) -> AlertService:
    values = settings_for(db, api.url, **settings)
    return AlertService(values, web_client(values), lambda: clock)


def posted(api) -> list[dict]:
    return [c.body for c in api.calls_to("chat.postMessage")]


def blocks_text(message: dict) -> str:
    return json.dumps(message["blocks"], ensure_ascii=False)


def test_an_alert_is_posted_with_its_reason_and_its_contributors(db, api):
    (outcome,) = service(db, api).check("T1")
    assert (outcome.channel, outcome.alerts, outcome.status) == ("C1", 1, "sent")
    (message,) = posted(api)
    assert message["channel"] == "C1"
    assert message["text"].startswith("kpibot alert: Impressions is unusually high: ")
    text = blocks_text(message)
    assert "on Tuesdays of the 8 weeks before" in text
    network = text.split("_by network_: ")[1]
    region = text.split("_by region_: ")[1]
    assert network.startswith("instagram ") and region.startswith("fr ")
    buttons = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == ["Breakdown", "Snooze 7 days", "Remove"]
    breakdown = json.loads(buttons[0]["value"])
    assert breakdown == {"kpi": "impressions", "period": "2026-11-10", "by": "network", "filters": {}}
    metadata = (
        message["metadata"] if isinstance(message["metadata"], dict) else json.loads(message["metadata"])
    )
    assert metadata["event_type"] == "kpibot_alert" and metadata["event_payload"]["team"] == "T1"


def test_checked_again_after_a_restart_and_a_reimport_it_posts_once(db, api):
    assert [o.status for o in service(db, api).check("T1")] == ["sent"]
    assert service(db, api).check("T1") == []  # a second trigger
    with Store(db) as store:
        load(store, "T1", SEASON_CSV)  # the same file again
    restarted = service(db, api, CHECK + timedelta(hours=3))
    assert restarted.check("T1") == [] and restarted.run_due() == []
    assert len(posted(api)) == 1


def test_concurrent_checks_post_once(db, api):
    results = []
    services = [service(db, api) for _ in range(4)]
    threads = [threading.Thread(target=lambda s=s: results.extend(s.check("T1"))) for s in services]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status for r in results] == ["sent"]
    assert len(posted(api)) == 1


def run_cli(*args: str, db: str, api=None, cwd: Path) -> subprocess.CompletedProcess:
    return kpibot(*args, cwd=cwd, env=cli_env(db, api.url if api else None))


def test_two_processes_post_once(db, api, tmp_path):
    outputs = kpibot_twice(
        "alerts", "check", "--at", "2026-11-11T08:00+00:00", cwd=tmp_path, env=cli_env(db, api.url)
    )
    assert outputs == [
        "T1 #C1: 1 alert(s) sent",
        "T1: nothing new fires (each alert posts once per period)",
    ]
    assert len(posted(api)) == 1


def test_a_failed_post_is_recorded_shown_and_retried_once(db, api):
    api.fail("chat.postMessage", status=200, error="not_in_channel")
    (first,) = service(db, api).check("T1")
    assert (first.status, first.error) == ("failed", "not_in_channel")
    with Store(db) as store:
        listing = ask(store, "/kpi alerts", now=CHECK)
    assert listing.table.rows[0][3] == "2026-11-10 failed, retrying (1 tries): not_in_channel"
    # The next day judges another day; the failed firing of the 10th is retried with its own words.
    (told,) = [m for m in posted(api) if m["channel"] == "U1"]  # who set the alert hears why, once
    assert "invite me with `/invite @kpibot`" in told["text"]
    (again,) = service(db, api, CHECK + timedelta(days=1)).check("T1")
    assert again.status == "sent"
    assert service(db, api, CHECK + timedelta(days=2)).check("T1") == []
    messages = [m for m in posted(api) if m["channel"] == "C1"]
    assert len(messages) == 2 and "Tue Nov 10, 2026" in messages[1]["text"]
    with Store(db) as store:
        assert ask(store, "/kpi alerts", now=CHECK).table.rows[0][3].startswith("2026-11-10 · ")


def test_a_post_whose_answer_is_lost_is_found_in_the_channel_not_posted_twice(db, api):
    api.drops.add("chat.postMessage")  # posted, then the connection closes with no answer
    (first,) = service(db, api).check("T1")
    assert first.status == "unconfirmed" and len(api.messages) == 1
    api.drops.clear()
    assert [o.status for o in service(db, api, CHECK + timedelta(minutes=30)).check("T1")] == ["sent"]
    assert len(api.messages) == 1
    with Store(db) as store:
        firing = store.firings("T1")[0]
    assert firing.status == "sent" and firing.ts == api.messages[0]["ts"]


def test_a_channel_gets_one_message_per_check_with_every_alert_within_block_kits_limits(db, api):
    with Store(db) as store:
        for k in range(30):  # thirty thresholds that all fire, and one alert in another channel
            ask(store, f"/kpi alert impressions above {k}", channel="C1")
        ask(store, "/kpi alert impressions above 1", channel="C2")
    outcomes = service(db, api).check("T1")
    assert sorted((o.channel, o.alerts) for o in outcomes) == [("C1", 31), ("C2", 1)]
    by_channel = {m["channel"]: m for m in posted(api)}
    assert len(posted(api)) == 2 and len(by_channel["C1"]["blocks"]) <= 50  # the stand-in checks the rest
    assert "… and " in blocks_text(by_channel["C1"]) and "more: `/kpi alerts`" in blocks_text(
        by_channel["C1"]
    )
    assert "(and 30 more)" in by_channel["C1"]["text"]


def test_the_minute_job_checks_teams_whose_data_changed_and_the_daily_check(db, api):
    early = datetime(2026, 11, 11, 6, 0, tzinfo=UTC)  # before 08:00: no daily check yet
    assert service(db, api, early).run_due() != []  # never checked: its data is new to the alerts
    assert service(db, api, early + timedelta(minutes=1)).run_due() == []  # nothing changed since
    with Store(db) as store:
        ask(store, "/kpi alert stale 1 days", channel="C3")
    assert service(db, api, early + timedelta(minutes=2)).run_due() == []  # no new data, not 08:00 yet
    at_eight = service(db, api, datetime(2026, 11, 12, 8, 0, tzinfo=UTC)).run_due()
    assert [(o.channel, o.status) for o in at_eight] == [("C3", "sent")]  # the daily check sees data stop
    assert service(db, api, datetime(2026, 11, 12, 9, 0, tzinfo=UTC)).run_due() == []  # once a day


def test_the_daily_check_follows_the_teams_time_zone_and_kpibot_alerts_at(db, api):
    with Store(db) as store:
        store.update_settings("T1", tz="America/New_York")
        store.mark_alerts_checked("T1", store.data_version_of("T1"))
    nine = time(9, 0)
    assert service(db, api, datetime(2026, 11, 11, 13, 59, tzinfo=UTC), alerts_at=nine).run_due() == []
    svc = service(db, api, datetime(2026, 11, 11, 14, 0, tzinfo=UTC), alerts_at=nine)  # 09:00 in New York
    assert [o.status for o in svc.run_due()] == ["sent"]


def test_dry_run_prints_what_would_be_posted_and_posts_nothing(db, api, tmp_path):
    result = run_cli("alerts", "check", "--dry-run", "--at", "2026-11-11", db=db, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "# T1 #C1"
    assert lines[1].startswith("🟢 *Impressions is unusually high: ")
    assert "_by network_: instagram " in result.stdout and "_by region_: fr " in result.stdout
    assert posted(api) == []
    with Store(db) as store:
        assert store.firings("T1") == []  # a dry run claims nothing
    quiet = run_cli("alerts", "check", "--dry-run", "--at", "2026-11-12", db=db, cwd=tmp_path)
    assert quiet.stdout.strip() == "# T1: nothing fires as of 2026-11-12"


def test_posting_needs_the_bot_token_and_a_bad_at_is_one_clear_error(db, tmp_path):
    result = run_cli("alerts", "check", db=db, cwd=tmp_path)
    assert result.returncode == 1 and "SLACK_BOT_TOKEN" in result.stderr
    bad = run_cli("alerts", "check", "--dry-run", "--at", "next tuesday", db=db, cwd=tmp_path)
    assert bad.returncode == 1 and "is not an ISO date" in bad.stderr and "Traceback" not in bad.stderr


def test_an_import_from_the_command_line_checks_the_alerts_when_it_can_post(db, api, tmp_path):
    day = tmp_path / "day.csv"
    day.write_text(csv(csv_rows("impressions", date(2026, 11, 11), date(2026, 11, 11), rhythm(5000))))
    without_token = run_cli("import", str(day), "--team", "T1", db=db, cwd=tmp_path)
    assert without_token.returncode == 0, without_token.stderr
    with Store(db) as store:
        assert store.last_alert_check("T1")[0] == -1  # left to `kpibot serve`'s minute job
    day.write_text(csv(csv_rows("impressions", date(2026, 11, 11), date(2026, 11, 11), rhythm(9000))))
    result = run_cli("import", str(day), "--team", "T1", db=db, api=api, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with Store(db) as store:  # checked at once, at the data version the import left
        assert store.last_alert_check("T1")[0] == store.data_version_of("T1")


def test_in_the_demo_a_new_user_finds_the_anomaly_and_the_network_that_caused_it(tmp_path):
    db = str(tmp_path / "kpibot-demo.db")
    lines = "/kpi alert engagement anomaly\n/kpi alert leads drops 20% weekly\n"
    console = kpibot(
        "demo", "--db", db, "--now", "2026-11-20T10:00+01:00", cwd=tmp_path, env=cli_env(), stdin=lines
    )
    assert console.returncode == 0 and console.stdout.count("set for this channel") == 2, console.stdout
    # The demo's Instagram campaign runs on the 12th of every month: the morning after, it fires.
    result = run_cli("alerts", "check", "--dry-run", "--at", "2026-11-13", db=db, cwd=tmp_path)
    assert result.stdout.startswith("# T0LOCAL #demo\n🟢 *Engagement rate is unusually high: ")
    assert "on Thursdays of the 8 weeks before" in result.stdout
    assert "_by network_: instagram " in result.stdout


def test_a_check_stopped_between_claiming_and_posting_is_posted_after_a_restart(db, api):
    from kpi.alerts.check import claim, find

    with Store(db) as store:  # a process claims the firing, then stops before it posts
        assert claim(store, "T1", find(store, "T1", CHECK), CHECK)
    assert service(db, api, CHECK + timedelta(minutes=5)).run_due() == []  # still 'sending': maybe posting
    later = service(db, api, CHECK + timedelta(minutes=20)).run_due()  # stale claim: look, then post
    assert [(o.channel, o.status) for o in later] == [("C1", "sent")]
    assert len(posted(api)) == 1 and api.calls_to("conversations.history")
