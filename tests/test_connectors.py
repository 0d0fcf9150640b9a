"""Connected sources end to end against stand-ins of the platforms' APIs on 127.0.0.1."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, timedelta

import pytest

from bot import cli
from kpi import Urls, Vault, connect, sync
from kpi.store import Store

from .conftest import ask
from .support.platforms import Platforms, service_account_file

# A Monday: yesterday is Sunday 2026-11-15, the end of 2026-W46.
NOW = datetime(2026, 11, 16, 7, 0, tzinfo=UTC)
KEY = "x7JX4tPp6c7ZQn8Q0o8dQ2cY0m9n1x0P2Jk4b6d8f0A="
CHANNELS = ["Organic Social", "Direct", "Referral"]


@pytest.fixture
def platforms():
    with Platforms() as stand_in:
        yield stand_in


@pytest.fixture
def vault() -> Vault:
    from cryptography.fernet import Fernet

    return Vault(Fernet.generate_key().decode())


@pytest.fixture
def env(monkeypatch, platforms, tmp_path):
    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode()
    monkeypatch.setenv("KPIBOT_SECRET_KEY", key)
    monkeypatch.setenv("KPIBOT_GA4_API_URL", platforms.url)
    monkeypatch.setenv("KPIBOT_GRAPH_API_URL", platforms.url + "v25.0/")
    monkeypatch.chdir(tmp_path)  # no .env of the developer's is read
    return key


def ga4_data(platforms: Platforms, first: date, days: int) -> None:
    for offset in range(days):
        day = (first + timedelta(days=offset)).strftime("%Y%m%d")
        for i, channel in enumerate(CHANNELS):
            platforms.ga4_rows[(day, channel)] = (100 + i * 10, 60, 2, 10.5)


def ga4_source(store: Store, platforms: Platforms, vault: Vault, tmp_path) -> tuple[int, Urls]:  # noqa: ANN001
    """A GA4 source connected to the stand-in, with a service account key file of its own."""
    urls = Urls(ga4=platforms.url)
    key_path = tmp_path / "sa.json"
    service_account_file(key_path, platforms.url + "token")
    return connect(store, "T1", "ga4", {"property": "1", "credentials": str(key_path)}, vault, urls, now=NOW)[
        0
    ], urls


def run(*argv: str) -> int:
    return cli.main(list(argv))


def test_ga4_connect_sync_and_answer_with_paging_and_a_lookback(env, platforms, tmp_path, capsys, caplog):
    db = str(tmp_path / "k.db")
    ga4_data(platforms, date(2026, 10, 1), 46)  # 2026-10-01 .. 2026-11-15
    key_path = tmp_path / "sa.json"
    private_key = service_account_file(key_path, platforms.url + "token")
    caplog.set_level(logging.DEBUG)
    assert (
        run(
            "connect",
            "ga4",
            "--property",
            "123456",
            "--credentials",
            str(key_path),
            "--db",
            db,
            "--team",
            "T1",
            "--now",
            NOW.isoformat(),
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Connected source 1 (ga4). GA4 property 123456 answers: 330 sessions on 2026-11-15." in out
    assert run("sync", "--db", db, "--team", "T1", "--now", NOW.isoformat()) == 0
    assert "1. ga4 123456: ok: 690 values from 2026-08-18 to 2026-11-15" in capsys.readouterr().out
    reports = platforms.calls(":runReport")
    assert (
        len(reports) == 1 + 46
    )  # the check, then 138 rows in pages of 3: the offset advances by rows received
    with Store(db) as store:
        assert ask(store, "/kpi sessions 2026-10", now=NOW).lines[0].startswith("10,230 ")
        assert ask(store, "/kpi bounce_rate 2026-10", now=NOW).lines[0].startswith("45.5%")
        assert ask(store, "/kpi social_traffic_share 2026-10", now=NOW).lines[0].startswith("30.3%")
        assert ask(store, "/kpi traffic last month", now=NOW).title.startswith(
            "Social traffic share · October 2026"
        )
    # The next morning reads only the days GA4 may still revise: three days back from the last one.
    platforms.requests.clear()
    tomorrow = NOW + timedelta(days=1)
    assert run("sync", "1", "--db", db, "--team", "T1", "--now", tomorrow.isoformat()) == 0
    ranges = {
        tuple(r["body"].split('"startDate": "')[1][:10] for _ in [0]) for r in platforms.calls(":runReport")
    }
    assert ranges == {("2026-11-13",)}
    with Store(db) as store:  # the three days read again replaced their values: nothing doubled
        assert ask(store, "/kpi sessions 2026-W46", now=NOW).lines[0].startswith("2,310 ")
    # No secret anywhere: not the key, not Google's token, in the database, its WAL, the output or the log.
    capsys.readouterr()
    assert run("sources", "--db", db, "--team", "T1") == 0
    listing = capsys.readouterr().out
    assert "1. ga4 123456: up to date" in listing and "data up to 2026-11-16" not in listing
    files = b"".join(p.read_bytes() for p in tmp_path.glob("k.db*"))
    secret_bits = [private_key.splitlines()[1], "ya29.stand-in-token", env]
    for secret in secret_bits:
        assert secret.encode() not in files
        assert secret not in listing + out and secret not in caplog.text


def test_connect_without_a_secret_key_refuses_and_says_how_to_make_one(
    platforms, tmp_path, capsys, monkeypatch
):
    monkeypatch.delenv("KPIBOT_SECRET_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    code = run(
        "connect", "facebook", "--page", "99", "--token", "PAGE_TOKEN_1", "--db", str(tmp_path / "k.db")
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "Set KPIBOT_SECRET_KEY" in err and "Fernet.generate_key()" in err and "PAGE_TOKEN_1" not in err
    with Store(tmp_path / "k.db") as store:
        assert store.sources() == []


def facebook_source(store: Store, platforms: Platforms, vault: Vault, token: str = "PAGE_TOKEN_1") -> int:
    return connect(
        store,
        "T1",
        "facebook",
        {"page": "99", "token": token},
        vault,
        Urls(graph=platforms.url + "v25.0/"),
        now=NOW,
    )[0]


def test_facebook_days_are_end_time_minus_one_refused_metrics_are_named_and_pages_followed(
    platforms, tmp_path, vault
):
    first = date(2026, 8, 18)
    days = [first + timedelta(days=i) for i in range(90)]
    platforms.graph["page_media_view"] = {d.isoformat(): float(d.day) for d in days}
    platforms.graph["page_follows"] = {(first + timedelta(days=i)).isoformat(): 5000.0 + i for i in range(90)}
    platforms.graph_refused.add("page_daily_unfollows_unique")
    with Store(tmp_path / "k.db") as store:
        source_id = facebook_source(store, platforms, vault)
        outcome = sync(
            store, store.source("T1", source_id), vault, Urls(graph=platforms.url + "v25.0/"), now=NOW
        )
        assert outcome.status == "ok"
        source = store.source("T1", source_id)
        assert source.skipped == [
            "page_daily_unfollows_unique (lost_followers): refused by Facebook — (#100) The value must be a valid insights metric"
        ]
        # 90 days of points arrive in pages of 30: the cursors were followed to the end.
        assert len(platforms.calls("/insights")) >= 3 + 5
        # Graph's end_time 2026-11-10T07:00 is the 9th's: Nov 9-15 are 9 + 10 + ... + 15.
        assert ask(store, "/kpi impressions 2026-W46 network:facebook", now=NOW).lines[0].startswith("84 ")
        assert ask(store, "/kpi followers 2026-11-15", now=NOW).lines[0].startswith("5,089")
    files = b"".join(p.read_bytes() for p in tmp_path.glob("k.db*"))
    assert b"PAGE_TOKEN_1" not in files  # sealed: the token is not in the database or its WAL


def test_an_expired_token_marks_the_source_and_another_source_still_syncs(platforms, tmp_path, vault):
    platforms.graph["page_media_view"] = {"2026-11-14": 10.0}
    urls = Urls(graph=platforms.url + "v25.0/")
    with Store(tmp_path / "k.db") as store:
        good = facebook_source(store, platforms, vault)
        platforms.page_tokens.add("PAGE_TOKEN_2")
        bad = facebook_source(store, platforms, vault, "PAGE_TOKEN_2")
        platforms.page_tokens.discard("PAGE_TOKEN_2")  # revoked after connecting
        outcomes = [sync(store, s, vault, urls, now=NOW) for s in store.sources("T1")]
        assert [o.status for o in outcomes] == ["ok", "needs_reconnecting"]
        assert store.source("T1", bad).last_error.startswith("Facebook says the token has expired")
        assert store.source("T1", good).status == "ok"
        assert ask(store, "/kpi impressions 2026-11-14", now=NOW).lines[0].startswith("10 ")


def test_a_ga4_quota_stops_the_run_and_the_next_one_resumes_the_same_window(platforms, tmp_path, vault):
    ga4_data(platforms, date(2026, 11, 10), 6)
    with Store(tmp_path / "k.db") as store:
        source_id, urls = ga4_source(store, platforms, vault, tmp_path)
        platforms.ga4_error = (
            429,
            {"error": {"code": 429, "message": "Exhausted property tokens", "status": "RESOURCE_EXHAUSTED"}},
        )
        outcome = sync(store, store.source("T1", source_id), vault, urls, now=NOW)
        assert outcome.status == "rate_limited" and store.source("T1", source_id).state == {}
        platforms.ga4_error = None
        later = sync(store, store.source("T1", source_id), vault, urls, now=NOW + timedelta(hours=1))
        assert later.status == "ok" and later.window.start == date(2026, 8, 18)
        assert store.source("T1", source_id).state == {"through": "2026-11-15"}


def test_server_errors_are_retried_a_bounded_number_of_times(platforms, tmp_path, vault):
    from kpi.connectors.base import Http

    waits: list[float] = []
    with Store(tmp_path / "k.db") as store:
        source_id, urls = ga4_source(store, platforms, vault, tmp_path)
        platforms.ga4_error = (
            503,
            {
                "error": {
                    "code": 503,
                    "message": "The service is currently unavailable.",
                    "status": "UNAVAILABLE",
                }
            },
        )
        outcome = sync(
            store,
            store.source("T1", source_id),
            vault,
            urls,
            now=NOW,
            http_factory=lambda: Http(sleep=waits.append),
        )
        assert outcome.status == "failed" and "503" in outcome.message
        assert waits == [1, 2, 4]


def test_a_revoked_service_account_key_needs_reconnecting(platforms, tmp_path, vault):
    with Store(tmp_path / "k.db") as store:
        source_id, urls = ga4_source(store, platforms, vault, tmp_path)
        platforms.token_refused = True
        outcome = sync(store, store.source("T1", source_id), vault, urls, now=NOW)
        assert outcome.status == "needs_reconnecting" and "Google refused" in outcome.message


def test_a_next_page_pointing_elsewhere_is_not_followed(platforms, tmp_path):
    from kpi.connectors.base import same_origin

    assert same_origin(platforms.url + "v25.0/x?after=1", platforms.url + "v25.0/")
    assert not same_origin("http://127.0.0.1:1/v25.0/x", platforms.url + "v25.0/")
    assert not same_origin("https://evil.example/v25.0/x", "https://graph.facebook.com/v25.0/")


def test_one_sync_of_a_source_at_a_time(platforms, tmp_path, vault):
    with Store(tmp_path / "k.db") as store:
        source_id = facebook_source(store, platforms, vault)
        assert store.claim_source(
            "T1", source_id, now=NOW.isoformat(), until=(NOW + timedelta(minutes=30)).isoformat()
        )
        outcome = sync(
            store, store.source("T1", source_id), vault, Urls(graph=platforms.url + "v25.0/"), now=NOW
        )
        assert outcome.status == "busy"
        assert platforms.calls("/insights") == []


def test_kpi_sources_reads_well(platforms, tmp_path, vault):
    platforms.graph["page_media_view"] = {"2026-11-14": 10.0}
    platforms.graph_refused.add("page_follows")
    with Store(tmp_path / "k.db") as store:
        assert ask(store, "/kpi sources", now=NOW).lines == ["No source is connected yet."]
        source_id = facebook_source(store, platforms, vault)
        sync(store, store.source("T1", source_id), vault, Urls(graph=platforms.url + "v25.0/"), now=NOW)
        reply = ask(store, "/kpi sources", now=NOW)
        assert reply.lines == [
            "🟢 facebook 99: up to date · last sync 2026-11-16 07:00, data up to 2026-11-14",
            "    skipped: page_follows (followers): refused by Facebook — (#100) The value must be a valid insights metric",
        ]
        assert "PAGE_TOKEN_1" not in repr(reply)


def test_sources_are_due_daily_at_the_sync_time_and_failed_ones_hourly():
    from datetime import time

    from kpi import source_due
    from kpi.store import Source

    at = time(6, 0)
    fresh = Source(1, "T1", "ga4", "ga4 1", {}, b"")
    paris = "Europe/Paris"
    assert not source_due(fresh, datetime(2026, 11, 16, 4, 59, tzinfo=UTC), paris, at)  # 05:59 in Paris
    assert source_due(fresh, datetime(2026, 11, 16, 5, 0, tzinfo=UTC), paris, at)
    synced = Source(1, "T1", "ga4", "ga4 1", {}, b"", status="ok", last_sync_at="2026-11-16T05:01:00+00:00")
    assert not source_due(synced, datetime(2026, 11, 16, 22, 0, tzinfo=UTC), paris, at)
    assert source_due(synced, datetime(2026, 11, 17, 5, 0, tzinfo=UTC), paris, at)
    failed = Source(
        1, "T1", "ga4", "ga4 1", {}, b"", status="failed", last_sync_at="2026-11-16T05:01:00+00:00"
    )
    assert not source_due(failed, datetime(2026, 11, 16, 5, 59, tzinfo=UTC), paris, at)
    assert source_due(failed, datetime(2026, 11, 16, 6, 1, tzinfo=UTC), paris, at)
    expired = Source(
        1,
        "T1",
        "ga4",
        "ga4 1",
        {},
        b"",
        status="needs_reconnecting",
        last_sync_at="2026-11-10T05:01:00+00:00",
    )
    assert not source_due(expired, datetime(2026, 11, 16, 6, 1, tzinfo=UTC), paris, at)


def test_the_daily_sync_pulls_due_sources_and_tells_the_connector_once_when_a_token_expires(
    platforms, tmp_path, api
):
    from cryptography.fernet import Fernet
    from slack_sdk import WebClient

    from bot.config import Settings
    from bot.source_sync import run_due

    from .support.slack_api import BOT_TOKEN

    key = Fernet.generate_key().decode()
    settings = Settings(db=str(tmp_path / "k.db"), secret_key=key, graph_api_url=platforms.url + "v25.0/")
    platforms.graph["page_media_view"] = {"2026-11-15": 3.0}
    with Store(settings.db) as store:
        connect(store, "T1", "facebook", {"page": "99", "token": "PAGE_TOKEN_1"}, Vault(key), Urls(graph=settings.graph_api_url),
                now=NOW, by="U_ADMIN")  # fmt: skip
    client = WebClient(token=BOT_TOKEN, base_url=api.url)
    assert run_due(settings, client, lambda: NOW) == ["T1 1 ok: 1 value from 2026-08-18 to 2026-11-15"]
    assert run_due(settings, client, lambda: NOW + timedelta(hours=2)) == []  # done for today
    platforms.graph_expired = True
    tomorrow = NOW + timedelta(days=1)
    assert run_due(settings, client, lambda: tomorrow)[0].startswith("T1 1 needs_reconnecting")
    assert run_due(settings, client, lambda: tomorrow + timedelta(hours=3)) == []  # waits for its admin
    (dm,) = api.calls_to("chat.postMessage")
    assert dm.body["channel"] == "U_ADMIN" and "stopped syncing" in dm.body["text"]
    assert "PAGE_TOKEN_1" not in dm.body["text"]


def everything(platforms: Platforms) -> Urls:
    return Urls(ga4=platforms.url, graph=platforms.url + "v25.0/", linkedin=platforms.url + "rest/",
                pinterest=platforms.url + "v5/")  # fmt: skip


def test_instagram_day_series_totals_by_day_and_the_follower_count(platforms, tmp_path, vault):
    urls = everything(platforms)
    platforms.graph["reach"] = {"2026-11-14": 300.0, "2026-11-15": 200.0}
    platforms.instagram_totals["views"] = {"2026-11-14": 900.0, "2026-11-15": 100.0}
    platforms.instagram_totals["saves"] = {"2026-11-15": 7.0}
    with Store(tmp_path / "k.db") as store:
        source_id, found = connect(
            store, "T1", "instagram", {"account": "1784", "token": "IG_TOKEN"}, vault, urls, now=NOW
        )
        assert found == "Instagram account @demo answers (1,234 followers)."
        backfill = sync(store, store.source("T1", source_id), vault, urls, now=NOW, since=date(2026, 11, 9))
        assert backfill.status == "ok"
        assert (
            ask(store, "/kpi impressions 2026-W46 network:instagram", now=NOW).lines[0].startswith("1,000 ")
        )
        assert ask(store, "/kpi reach 2026-11-15", now=NOW).lines[0].startswith("200 ")
        assert ask(store, "/kpi followers 2026-11-15 network:instagram", now=NOW).lines[0].startswith("1,234")
        # total_value answers one total per range: each day was asked on its own.
        views = [c for c in platforms.calls("/insights") if c["query"].get("metric") == ["views"]]
        assert len(views) == 7 and all(c["query"]["metric_type"] == ["total_value"] for c in views)


def test_meta_ads_string_numbers_lead_actions_and_cursors_with_a_28_day_lookback(platforms, tmp_path, vault):
    urls = everything(platforms)
    for day in ("2026-11-13", "2026-11-14", "2026-11-15"):
        platforms.ads_rows.append({"date_start": day, "date_stop": day, "campaign_name": "Leads Q4", "spend": "14.35",
                                   "impressions": "185", "reach": "160", "inline_link_clicks": "9", "account_currency": "EUR",
                                   "actions": [{"action_type": "link_click", "value": "9"},
                                               {"action_type": "offsite_conversion.fb_pixel_lead", "value": "2", "7d_click": "2"}]})  # fmt: skip
    with Store(tmp_path / "k.db") as store:
        source_id, _ = connect(
            store, "T1", "meta_ads", {"account": "act_42", "token": "ADS_TOKEN"}, vault, urls, now=NOW
        )
        assert sync(store, store.source("T1", source_id), vault, urls, now=NOW).status == "ok"
        assert len([c for c in platforms.calls("act_42/insights")]) == 2  # two pages
        assert ask(store, "/kpi spend 2026-W46 network:meta_ads", now=NOW).lines[0].startswith("USD 43.05")
        assert (
            ask(store, "/kpi cost_per_lead 2026-W46 campaign:leads_q4", now=NOW)
            .lines[0]
            .startswith("USD 7.17")
        )
        platforms.requests.clear()
        later = sync(store, store.source("T1", source_id), vault, urls, now=NOW + timedelta(days=1))
        assert later.window.start == date(2026, 10, 19)  # 28 days back from the day after the last one


def test_linkedin_epoch_days_followers_and_a_spent_quota(platforms, tmp_path, vault):
    urls = everything(platforms)
    stats = {"impressionCount": 1000, "uniqueImpressionsCount": 700, "clickCount": 30, "likeCount": 20,
             "commentCount": 4, "shareCount": 2}  # fmt: skip
    platforms.linkedin_shares = {"2026-11-13": stats, "2026-11-14": stats, "2026-11-15": stats}
    platforms.linkedin_gains = {"2026-11-13": (5, 1), "2026-11-14": (3, 0)}
    with Store(tmp_path / "k.db") as store:
        source_id, found = connect(
            store, "T1", "linkedin", {"organization": "2414183", "token": "LI_TOKEN"}, vault, urls, now=NOW
        )
        assert found == "LinkedIn Page 2414183 answers (4,321 followers)."
        outcome = sync(store, store.source("T1", source_id), vault, urls, now=NOW)
        assert outcome.status == "ok" and outcome.window.end == date(
            2026, 11, 14
        )  # today - 2 days: still settling
        assert ask(store, "/kpi impressions 2026-W46 network:linkedin", now=NOW).lines[0].startswith("2,000 ")
        assert ask(store, "/kpi new_followers 2026-W46 network:linkedin", now=NOW).lines[0].startswith("9 ")
        assert ask(store, "/kpi followers 2026-11-14 network:linkedin", now=NOW).lines[0].startswith("4,321")
        platforms.linkedin_quota_spent = True
        spent = sync(store, store.source("T1", source_id), vault, urls, now=NOW + timedelta(days=1))
        assert spent.status == "rate_limited" and "tomorrow" in spent.message
        assert store.source("T1", source_id).state == {"through": "2026-11-14"}


def test_pinterest_days_still_processing_are_read_again_and_change(platforms, tmp_path, vault):
    urls = everything(platforms)
    platforms.pinterest_days = {
        "2026-11-13": ("READY", {"IMPRESSION": 240, "SAVE": 20, "PIN_CLICK": 5, "OUTBOUND_CLICK": 3}),
        "2026-11-14": ("PROCESSING", {"IMPRESSION": 100, "SAVE": 1}),
        "2026-11-15": ("PROCESSING", {"IMPRESSION": 50}),
    }
    with Store(tmp_path / "k.db") as store:
        source_id, _ = connect(store, "T1", "pinterest", {"token": "PIN_TOKEN"}, vault, urls, now=NOW)
        assert sync(store, store.source("T1", source_id), vault, urls, now=NOW).status == "ok"
        assert store.source("T1", source_id).state == {"through": "2026-11-13"}
        assert ask(store, "/kpi clicks 2026-11-13 network:pinterest", now=NOW).lines[0].startswith("8 ")
        platforms.pinterest_days["2026-11-14"] = ("READY", {"IMPRESSION": 130, "SAVE": 2})
        platforms.pinterest_days["2026-11-15"] = ("READY", {"IMPRESSION": 60})
        platforms.requests.clear()
        assert (
            sync(store, store.source("T1", source_id), vault, urls, now=NOW + timedelta(hours=25)).status
            == "ok"
        )
        (call,) = platforms.calls("user_account/analytics")
        assert call["query"]["start_date"] == ["2026-11-14"]  # the first day that was not ready
        assert ask(store, "/kpi impressions 2026-W46 network:pinterest", now=NOW).lines[0].startswith("430 ")


def test_meta_usage_headers_above_90_percent_stop_the_run_cleanly(platforms, tmp_path, vault):
    urls = everything(platforms)
    platforms.graph["page_media_view"] = {"2026-11-14": 10.0}
    with Store(tmp_path / "k.db") as store:
        source_id = facebook_source(store, platforms, vault)
        platforms.graph_usage = 95
        outcome = sync(store, store.source("T1", source_id), vault, urls, now=NOW)
        assert outcome.status == "rate_limited" and "above 90%" in outcome.message
        assert len({c["query"]["metric"][0] for c in platforms.calls("/insights")}) == 1  # it stopped at once
        assert store.source("T1", source_id).state == {}  # the next run starts where this one did


def test_kpi_sources_over_slack(platforms, tmp_path, vault, api):
    from .support.server import AppServer, fixed_clock, settings_for

    db = str(tmp_path / "k.db")
    with Store(db) as store:
        source_id = facebook_source(store, platforms, vault)
        sync(store, store.source("T1", source_id), vault, everything(platforms), now=NOW)
    with AppServer(settings_for(db, api.url), fixed_clock(NOW)) as server:
        message = server.command("sources").json()
    text = json.dumps(message["blocks"], ensure_ascii=False)
    assert message["response_type"] == "ephemeral"
    assert "Connected sources" in text and "facebook 99: up to date" in text and "PAGE_TOKEN_1" not in text
