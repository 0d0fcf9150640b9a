"""Digests: templates, delivery through the Web API stand-in, exactly once, retries and catch-up."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from bot.delivery import web_client
from bot.digests import digest_message
from bot.scheduler import DigestService, sync_jobs
from bot.templating import PARTS, environment, render_parts, render_text
from kpi.digest import build_digest
from kpi.engine import Engine
from kpi.store import Store
from kpi.writer import record

from .conftest import NOW, ask
from .support.cli import cli_env, kpibot_twice
from .support.server import settings_for
from .support.slack_api import BOT_TOKEN

ROOT = Path(__file__).resolve().parent.parent
# Monday 16 November 2026, 09:00 in Paris: the weekly digest of W46 is due.
MONDAY = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)


@pytest.fixture
def db(loaded_db):
    path = loaded_db
    with Store(path) as store:
        store.update_settings("T1", tz="Europe/Paris")
        ask(store, "/kpi subscribe weekly engagement,impressions,ctr", channel="C1", user="U1")
        ask(store, "/kpi goal engagement 4% per week")
    return path


def service(db, api, clock=MONDAY):
    settings = settings_for(db, api.url)
    return DigestService(settings, web_client(settings), lambda: clock)


# -- content and templates -------------------------------------------------------------------------------------------


def test_every_template_renders_with_strict_undefined(db):
    env = environment()
    with Store(db) as store:
        record(store, "T1", "likes", datetime(2026, 11, 10).date(), 5, {"network": "<!channel> & co"})
        for cadence in ("weekly", "quarterly"):
            digest = build_digest(Engine(store, "T1"), cadence, NOW.date(), [])
            parts = render_parts(digest, env)
            assert set(parts) <= set(PARTS) and "summary" in parts and "kpis" in parts
            text = render_text(digest, env)
            assert "<!channel>" not in text


def test_weekly_digest_numbers(db):
    with Store(db) as store:
        digest = build_digest(Engine(store, "T1"), "weekly", NOW.date(), ["engagement_rate", "impressions"])
    text = render_text(digest, environment())
    assert "*Engagement rate*  4.8%  (+2.3 pp vs previous week)" in text
    assert "*Impressions*  6,000  (+500.0% vs previous week)" in text
    assert "_by network_" in text


def test_quarterly_digest_has_year_before_goals_and_roi(db):
    with Store(db) as store:
        store.update_settings("T1", hourly_rate=25)
        ask(store, "/kpi goal leads 30 per month")
        digest = build_digest(Engine(store, "T1"), "quarterly", datetime(2027, 1, 4).date(), ["leads", "roi"])
    text = render_text(digest, environment())
    assert "Quarterly review: Q4 2026" in text
    assert "vs a year before" in text
    # 40 leads in November met the monthly goal; October and December have no data, which is not a miss.
    assert "*Goals this quarter*: 1 met, 0 missed" in text
    assert "✅ Leads: met: 40 of 30 per month (November 2026)" in text
    assert "Leads: no data" in text
    assert "*Return on investment*: 500.0%" in text
    assert "spend USD 500.00 plus 20 hours at USD 25.00/h" in text


def test_a_teams_templates_folder_overrides_the_wording(db, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "weekly.md.j2").write_text(
        '{% extends "digest_base.md.j2" %}{% block summary %}Hello team!{% endblock %}'
    )
    with Store(db) as store:
        digest = build_digest(Engine(store, "T1"), "weekly", NOW.date(), [])
    assert render_parts(digest, environment(str(folder)))["summary"] == "Hello team!"
    (folder / "weekly.md.j2").write_text("{{ no_such_thing }}")
    with pytest.raises(UndefinedError):
        render_parts(digest, environment(str(folder)))


def test_block_kit_within_limits(db):
    with Store(db) as store:
        digest = build_digest(Engine(store, "T1"), "weekly", NOW.date(), [])
    message = digest_message(digest, environment())
    assert message["text"].startswith("Weekly digest")
    assert 3 <= len(message["blocks"]) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in message["blocks"] if b["type"] == "section")


# -- delivery -------------------------------------------------------------------------------------------------------


def test_digest_is_posted_with_its_chart(db, api):
    outcome = service(db, api).run("T1", "C1", "weekly")
    assert (outcome.status, outcome.period) == ("sent", "2026-W46")
    post = api.calls_to("chat.postMessage")[0].body
    assert post["channel"] == "C1" and post["text"].startswith("Weekly digest · Week 46, 2026")
    assert "4.8%" in str(post["blocks"])
    assert [c.method for c in api.calls if c.method.startswith("files.")] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]
    complete = api.calls_to("files.completeUploadExternal")[0].body
    assert complete["channel_id"] == "C1" and complete["thread_ts"]
    assert api.uploads[0].startswith(b"\x89PNG")
    with Store(db) as store:
        assert [(d.period, d.status) for d in store.deliveries("T1")] == [("2026-W46", "sent")]


def test_triggered_twice_and_after_a_restart_posts_once(db, api):
    assert service(db, api).run("T1", "C1", "weekly").status == "sent"
    assert service(db, api).run("T1", "C1", "weekly").status == "skipped"
    restarted = service(db, api, MONDAY + timedelta(hours=2))
    assert restarted.catch_up() == []
    assert len(api.calls_to("chat.postMessage")) == 1


def test_concurrent_triggers_post_once(db, api):
    results = []
    services = [service(db, api) for _ in range(4)]
    threads = [
        threading.Thread(target=lambda s=s: results.append(s.run("T1", "C1", "weekly"))) for s in services
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status for r in results) == ["sent", "skipped", "skipped", "skipped"]
    assert len(api.calls_to("chat.postMessage")) == 1


def test_two_processes_post_once(db, api, tmp_path):
    outputs = kpibot_twice(
        "digest", "weekly", "--at", "2026-11-16T10:00+01:00", cwd=tmp_path, env=cli_env(db, api.url)
    )
    assert outputs == [
        "T1 C1 weekly 2026-W46: sent",
        "T1 C1 weekly 2026-W46: skipped (already posted or being posted; each digest is posted once)",
    ]
    assert len(api.calls_to("chat.postMessage")) == 1


def test_a_429_then_success_posts_once(db, api):
    api.fail("chat.postMessage", status=429, times=1, retry_after=1)
    assert service(db, api).run("T1", "C1", "weekly").status == "sent"
    posts = api.calls_to("chat.postMessage")
    assert len(posts) == 2 and posts[1].at - posts[0].at >= 1.0
    with Store(db) as store:
        assert store.deliveries("T1")[0].status == "sent"


def test_a_permanent_failure_is_recorded_told_and_retried_at_the_next_start(db, api):
    api.not_in.add("C1")
    outcome = service(db, api).run("T1", "C1", "weekly")
    assert (outcome.status, outcome.error) == ("failed", "not_in_channel")
    told = api.calls_to("chat.postMessage")[-1].body
    assert told["channel"] == "U1" and "Invite me there with `/invite @kpibot`" in told["text"]
    with Store(db) as store:
        rows = ask(store, "/kpi subscriptions").table.rows
    assert rows[0][4] == "2026-W46 failed (1 attempts): not_in_channel"
    api.not_in.clear()
    outcomes = service(db, api, MONDAY + timedelta(days=2)).catch_up()
    assert [(o.period, o.status) for o in outcomes] == [("2026-W46", "sent")]
    with Store(db) as store:
        assert store.deliveries("T1")[0].status == "sent" and store.deliveries("T1")[0].attempts == 2


def test_catch_up_after_a_missed_run_within_the_grace_window(db, api):
    assert [o.status for o in service(db, api, MONDAY + timedelta(hours=5)).catch_up()] == ["sent"]
    assert api.calls_to("chat.postMessage")[0].body["text"].startswith("Weekly digest · Week 46")


def test_no_catch_up_beyond_the_grace_window(db, api):
    assert service(db, api, MONDAY + timedelta(hours=30)).catch_up() == []
    assert api.calls_to("chat.postMessage") == []


def interrupted_claim(db, at: datetime) -> str:
    """A digest claimed at ``at`` by a process that stopped before Slack answered."""
    from kpi.schedule import last_run, period_of_run

    due = period_of_run("weekly", last_run("weekly", "mon", "09:00", "Europe/Paris", at), "Europe/Paris").code
    with Store(db) as store:
        assert store.claim_delivery("T1", "C1", "weekly", due, at.isoformat(timespec="seconds")) == "new"
    return due


def test_a_post_interrupted_before_slack_got_it_is_posted_at_the_next_start(db, api):
    due = interrupted_claim(db, MONDAY)
    outcomes = service(db, api, MONDAY + timedelta(minutes=20)).catch_up()
    assert [(o.period, o.status) for o in outcomes] == [(due, "sent")]
    assert len(api.calls_to("conversations.history")) == 1  # looked first: not there
    posted = api.calls_to("chat.postMessage")
    assert len(posted) == 1
    with Store(db) as store:
        row = store.deliveries("T1")[0]
    assert (row.status, row.attempts, row.ts) == ("sent", 2, api.messages[0]["ts"])


def test_a_post_interrupted_after_slack_got_it_is_found_not_posted_again(db, api):
    due = interrupted_claim(db, MONDAY)
    key = {"team": "T1", "channel": "C1", "cadence": "weekly", "period": due}
    api.messages.append(
        {
            "channel": "C1",
            "ts": f"{MONDAY.timestamp() + 60:.6f}",
            "text": "Weekly digest",
            "metadata": {"event_type": "kpibot_digest", "event_payload": key},
        }
    )
    outcomes = service(db, api, MONDAY + timedelta(minutes=20)).catch_up()
    assert [(o.period, o.status) for o in outcomes] == [(due, "sent")]
    assert api.calls_to("chat.postMessage") == []
    with Store(db) as store:
        assert store.deliveries("T1")[0].ts == f"{MONDAY.timestamp() + 60:.6f}"


@pytest.mark.parametrize("lost", ["answer after the timeout", "connection dropped"])
def test_a_post_whose_answer_is_lost_is_not_posted_twice(db, api, lost):
    settings = settings_for(db, api.url)
    client = web_client(settings)
    client.timeout = 1
    if lost == "connection dropped":
        api.drops.add("chat.postMessage")  # posted, then the connection closes with no answer
    else:
        api.delays["chat.postMessage"] = 2.5  # posted, but the answer comes after the client gave up
    first = DigestService(settings, client, lambda: MONDAY).run("T1", "C1", "weekly")
    assert first.status == "unconfirmed" and "no answer from Slack" in first.error
    assert len(api.messages) == 1  # the lost answer was not retried into a second post
    api.delays.clear()
    api.drops.clear()
    again = DigestService(settings, client, lambda: MONDAY + timedelta(minutes=20)).catch_up()
    assert [o.status for o in again] == ["sent"]
    assert len(api.messages) == 1 and len(api.calls_to("chat.postMessage")) == 1
    message = api.calls_to("chat.postMessage")[0].body
    metadata = (
        message["metadata"] if isinstance(message["metadata"], dict) else json.loads(message["metadata"])
    )
    assert metadata == {
        "event_type": "kpibot_digest",
        "event_payload": {"team": "T1", "channel": "C1", "cadence": "weekly", "period": "2026-W46"},
    }


def test_an_unconfirmed_digest_is_found_behind_pages_of_newer_messages(db, api):
    due = interrupted_claim(db, MONDAY)
    key = {"team": "T1", "channel": "C1", "cadence": "weekly", "period": due}
    posted = MONDAY.timestamp() + 60
    api.messages.append(
        {
            "channel": "C1",
            "ts": f"{posted:.6f}",
            "text": "Weekly digest",
            "metadata": {"event_type": "kpibot_digest", "event_payload": key},
        }
    )
    api.messages += [
        {"channel": "C1", "ts": f"{posted + i:.6f}", "text": f"chat {i}", "metadata": None}
        for i in range(1, 451)
    ]
    outcomes = service(db, api, MONDAY + timedelta(minutes=20)).catch_up()
    assert [(o.period, o.status) for o in outcomes] == [(due, "sent")]
    assert len(api.calls_to("conversations.history")) == 3  # 200 + 200 + 51, newest first
    assert api.calls_to("chat.postMessage") == []


def test_an_unconfirmed_digest_is_never_reposted_without_reading_the_history(db, api):
    due = interrupted_claim(db, MONDAY)
    api.not_in.add("C1")  # history unreadable: better late than twice
    outcomes = service(db, api, MONDAY + timedelta(minutes=20)).catch_up()
    assert [(o.period, o.status) for o in outcomes] == [(due, "unconfirmed")]
    assert "could not read the channel's history (not_in_channel)" in outcomes[0].error
    assert api.calls_to("chat.postMessage") == []


def test_jobs_follow_the_subscriptions_table(db, api):
    from apscheduler.schedulers.background import BackgroundScheduler

    digests = service(db, api)
    scheduler = BackgroundScheduler(timezone=UTC)
    sync_jobs(scheduler, digests)
    assert [j.id for j in scheduler.get_jobs()] == ["digest:T1:C1:weekly"]
    trigger = scheduler.get_job("digest:T1:C1:weekly").trigger
    assert trigger.get_next_fire_time(None, MONDAY) == datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
    with Store(db) as store:
        ask(store, '/kpi subscribe weekly at "fri 17:00"', channel="C1")
        ask(store, "/kpi subscribe quarterly", channel="C2")
    sync_jobs(scheduler, digests)
    assert sorted(j.id for j in scheduler.get_jobs()) == ["digest:T1:C1:weekly", "digest:T1:C2:quarterly"]
    friday = scheduler.get_job("digest:T1:C1:weekly").trigger.get_next_fire_time(None, MONDAY)
    assert friday == datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
    with Store(db) as store:
        ask(store, "/kpi unsubscribe weekly", channel="C1")
    sync_jobs(scheduler, digests)
    assert [j.id for j in scheduler.get_jobs()] == ["digest:T1:C2:quarterly"]


# -- the command --------------------------------------------------------------------------------------------------------


def run_cli(*args, db, api=None, cwd):
    env = {"PYTHONPATH": str(ROOT), "KPIBOT_DB": db, "PATH": "/usr/bin:/bin"}
    if api:
        env.update({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": api.url})
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "digest", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_dry_run_prints_and_writes_the_chart(db, tmp_path):
    result = run_cli("weekly", "--dry-run", "--at", "2026-11-16", db=db, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Weekly digest · Week 46, 2026" in result.stdout
    chart = tmp_path / "digest-T1-C1-2026-W46.png"
    assert f"chart: {chart.name}" in result.stdout or f"chart: ./{chart.name}" in result.stdout
    assert chart.read_bytes().startswith(b"\x89PNG")


def test_at_a_past_monday_gives_that_weeks_digest_once(db, api, tmp_path):
    first = run_cli("weekly", "--at", "2026-11-09T12:00+01:00", db=db, api=api, cwd=tmp_path)
    assert first.stdout.strip() == "T1 C1 weekly 2026-W45: sent"
    again = run_cli("weekly", "--at", "2026-11-09T12:00+01:00", db=db, api=api, cwd=tmp_path)
    assert "2026-W45: skipped" in again.stdout
    assert len(api.calls_to("chat.postMessage")) == 1


def test_posting_needs_the_bot_token(db, tmp_path):
    result = run_cli("weekly", db=db, cwd=tmp_path)
    assert result.returncode == 1 and result.stderr.startswith("Missing settings: SLACK_BOT_TOKEN.")


def test_channels_with_the_same_kpis_share_one_build_until_the_data_changes(db, api):
    digests = service(db, api)
    with Store(db) as store:
        ask(store, "/kpi subscribe weekly engagement,impressions,ctr", channel="C2")
    assert digests.run("T1", "C1", "weekly").status == "sent"
    assert digests.run("T1", "C2", "weekly").status == "sent"
    assert len(digests.cache.entries) == 1
    with Store(db) as store:
        ask(store, "/kpi record likes 1000 2026-11-10")
        ask(store, "/kpi subscribe weekly engagement,impressions,ctr", channel="C3")
    assert digests.run("T1", "C3", "weekly").status == "sent"
    assert len(digests.cache.entries) == 2
    with Store(db) as store:  # an earlier hour the same Monday reports on the same week: shared
        ask(store, '/kpi subscribe weekly engagement,impressions,ctr at "mon 08:30"', channel="C4")
    assert digests.run("T1", "C4", "weekly").status == "sent"
    assert len(digests.cache.entries) == 2
    posts = [c.body for c in api.calls_to("chat.postMessage")]
    assert "4.8%" in str(posts[1]["blocks"]) and "4.8%" not in str(posts[2]["blocks"])


def test_a_bad_at_is_one_clear_error(db, tmp_path):
    result = run_cli("weekly", "--dry-run", "--at", "next monday", db=db, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("--at: `next monday` is not an ISO date-time")


def test_a_templates_setting_that_is_not_a_folder_is_named(db, tmp_path):
    env = {"PYTHONPATH": str(ROOT), "KPIBOT_DB": db, "PATH": "/usr/bin:/bin", "KPIBOT_TEMPLATES": "nowhere"}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "digest", "weekly", "--dry-run"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and result.stderr.strip() == "KPIBOT_TEMPLATES: `nowhere` is not a folder."


def test_a_long_rate_limit_fails_at_once_and_is_retried_later(db, api):
    api.fail("chat.postMessage", status=429, retry_after=3600)
    outcome = service(db, api).run("T1", "C1", "weekly")
    assert (outcome.status, outcome.error) == ("failed", "ratelimited")
    assert len(api.calls_to("chat.postMessage")) == 1  # no hour-long sleep, no retry now
    outcomes = service(db, api, MONDAY + timedelta(minutes=15)).catch_up()
    assert [(o.period, o.status) for o in outcomes] == [("2026-W46", "sent")]


def test_a_short_rate_limit_is_waited_out_and_a_bad_retry_after_counts_as_a_second():
    from bot.delivery import _retry_after

    assert _retry_after({"Retry-After": ["2"]}) == 2.0
    assert _retry_after({"retry-after": "30"}) == 30.0
    for odd in ("²", "", "1e9", "9" * 50, "-5"):
        assert _retry_after({"Retry-After": [odd]}) == 1.0
