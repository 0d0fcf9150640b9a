"""kpibot benchmarks: run `python benchmarks/bench.py` (add `--rows 500000` for a quick look).

Prints, for a generated data set (default: five years of daily data, 40 metrics, 6 networks and
8 segments, about 3.5 million rows):
- CSV import rate of `kpibot import`'s code beside a plain sqlite3 executemany upsert of the same
  rows into an indexed table (the practical limit on this machine), and the peak memory of both;
- import peak memory for a quarter of the file and the whole file (flat means it does not grow);
- latency (median, p99 over 200 runs) of the full answer to `/kpi engagement_rate last quarter by
  network`, in process, and as signed HTTP requests to a real `kpibot serve --http` (sequential, and
  from 8 concurrent clients);
- the weekly digest: one channel's build, text and chart (median and slowest of 20 full renders), and
  500 subscribed channels through the scheduler's digest cache;
- the daily alert check of 1,000 alerts over 50 teams (3.5 million rows in all), per alert, and the
  time 20 alerts add after the big import and after a one-day import;
- Slack's writes during an import of the whole file (a `/kpi record` every 100 ms: refusals, p99),
  and the time the write lock is held: the import's own write transactions, timed, and the share of
  a probe's requests for the lock refused, sampled every 20 ms.
Each measurement that reports memory runs in its own process, so peak RSS belongs to it alone.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import itertools
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NETWORKS = ["facebook", "instagram", "linkedin", "x", "pinterest", "tiktok"]
SEGMENTS = [f"segment_{i}" for i in range(1, 9)]
BASE = [
    "impressions",
    "reach",
    "organic_reach",
    "paid_reach",
    "views",
    "posts",
    "likes",
    "comments",
    "shares",
    "saves",
    "clicks",
    "followers",
    "new_followers",
    "lost_followers",
    "reviews",
    "mentions",
    "sessions",
    "social_sessions",
    "referral_sessions",
    "direct_sessions",
    "bounces",
    "conversions",
    "leads",
    "customers",
    "revenue",
    "spend",
    "hours",
    "csat",
]
METRICS = BASE + [f"custom_{i:02d}" for i in range(1, 13)]
LAST_DAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
TEAM = "TBENCH"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def days_for(rows: int) -> int:
    return max(1, rows // (len(METRICS) * len(NETWORKS) * len(SEGMENTS)))


def generate(path: Path, days: int, segments: list[str] = SEGMENTS) -> int:
    rnd = random.Random(7)
    start = LAST_DAY - timedelta(days=days - 1)
    count = 0
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["date", "metric", "value", "network", "segment"])
        for d in range(days):
            day = (start + timedelta(days=d)).isoformat()
            for network in NETWORKS:
                for segment in segments:
                    out.writerows([day, m, rnd.randint(0, 5000), network, segment] for m in METRICS)
                    count += len(METRICS)
    return count


def parsed_rows(csv_path: Path) -> list[tuple[int, str, float]]:
    """(series id, day, value) rows of a generated file, as plain Python parses them."""
    rows, ids = [], {}
    with csv_path.open(newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for day, metric, value, network, segment in reader:
            sid = ids.setdefault((metric, network, segment), len(ids) + 1)
            rows.append((sid, day, float(value)))
    return rows


def plain_table(path: Path) -> sqlite3.Connection:
    """kpibot's observations schema, alone, with kpibot's journal settings."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(
        "CREATE TABLE obs (series_id INTEGER NOT NULL, date TEXT NOT NULL, value REAL NOT NULL, "
        "PRIMARY KEY (series_id, date)) WITHOUT ROWID"
    )
    return conn


def generate_google_ads(path: Path, long_path: Path, rows: int) -> None:
    """A Google Ads "Excel CSV" download (UTF-16, tab-separated, report-name and date-range lines,
    `1,234.56` numbers, `Total:` rows) of ``rows`` day x campaign rows, and the same observations
    as kpibot's long CSV."""
    rnd = random.Random(11)
    campaigns = [f"Campaign {i:04d}" for i in range(1000)]
    days = max(1, rows // len(campaigns))
    start = LAST_DAY - timedelta(days=days - 1)
    with (
        open(path, "w", encoding="utf-16", newline="") as out,
        open(long_path, "w", encoding="utf-8", newline="") as long_out,
    ):
        out.write(
            f"Campaign report\r\n{start:%B} {start.day}, {start.year} - {LAST_DAY:%B} {LAST_DAY.day}, {LAST_DAY.year}\r\n"
        )
        out.write("Day\tCampaign\tCampaign status\tClicks\tImpr.\tCTR\tCost\r\n")
        long_out.write("date,metric,value,network,campaign\n")
        for offset in range(days):
            day = (start + timedelta(days=offset)).isoformat()
            for campaign in campaigns:
                clicks, impressions = rnd.randint(0, 3000), rnd.randint(1000, 90000)
                cost = round(clicks * rnd.uniform(0.2, 1.5), 2)
                out.write(
                    f"{day}\t{campaign}\tEnabled\t{clicks:,}\t{impressions:,}\t{clicks / impressions:.2%}\t{cost:,.2f}\r\n"
                )
                key = f"google_ads,{campaign.lower().replace(' ', '_')}"
                long_out.write(
                    f"{day},ad_clicks,{clicks},{key}\n{day},ad_impressions,{impressions},{key}\n{day},spend,{cost},{key}\n"
                )
        out.write("Total: Account\t--\t--\t0\t0\t--\t0.00\r\n")


GA4_CHANNELS = [
    "Organic Social",
    "Paid Social",
    "Direct",
    "Referral",
    "Organic Search",
    "Email",
    "Paid Search",
    "Display",
]


def generate_ga4(path: Path, long_path: Path, rows: int) -> None:
    """A GA4 traffic-acquisition CSV (`#` preamble, a totals row) of ``rows`` day x channel rows,
    and the same observations (sessions, bounces, key events, revenue, sessions by channel) as long CSV."""
    rnd = random.Random(13)
    days = max(1, rows // len(GA4_CHANNELS))
    start = LAST_DAY - timedelta(days=days - 1)
    derived = {"Organic Social": "social_sessions", "Paid Social": "social_sessions", "Direct": "direct_sessions",
               "Referral": "referral_sessions"}  # fmt: skip
    with open(path, "w", encoding="utf-8-sig") as out, open(long_path, "w", encoding="utf-8") as long_out:
        out.write(f"# Traffic acquisition\n# Start date: {start:%Y%m%d}\n# End date: {LAST_DAY:%Y%m%d}\n\n")
        out.write(
            "Date,Session primary channel group (Default Channel Group),Sessions,Engaged sessions,Engagement rate,Key events,Total revenue\n"
        )
        out.write(",,0,0,0,0,0\n")
        long_out.write("date,metric,value,channel\n")
        for offset in range(days):
            day = start + timedelta(days=offset)
            for channel in GA4_CHANNELS:
                sessions = rnd.randint(10, 5000)
                engaged, events, revenue = (
                    rnd.randint(0, sessions),
                    rnd.randint(0, 50),
                    round(rnd.uniform(0, 900), 2),
                )
                out.write(
                    f"{day:%Y%m%d},{channel},{sessions},{engaged},{engaged / sessions:.4f},{events},{revenue}\n"
                )
                iso, key = day.isoformat(), channel.lower().replace(" ", "_")
                long_out.write(f"{iso},sessions,{sessions},{key}\n{iso},bounces,{sessions - engaged},{key}\n"
                               f"{iso},conversions,{events},{key}\n{iso},revenue,{revenue},{key}\n")  # fmt: skip
                if channel in derived:
                    long_out.write(f"{iso},{derived[channel]},{sessions},{key}\n")


def phase_backfill(work: Path) -> dict:
    """Two years of daily GA4 by channel (pages of 1,000 rows, as GA4 caps them) and of a Facebook
    Page's six Graph metrics, pulled from loopback stand-ins; then the same observations imported
    from a long CSV, each into a fresh database."""
    from cryptography.fernet import Fernet

    from kpi import Store, Urls, Vault, connect, sync
    from kpi.connectors.base import Http
    from kpi.connectors.facebook import METRICS
    from tests.support.platforms import Platforms, service_account_file

    now = datetime(2026, 11, 16, 7, 0, tzinfo=UTC)
    first = date(2024, 11, 16)
    days = [first + timedelta(days=i) for i in range(730)]
    vault = Vault(Fernet.generate_key().decode())
    results = {}
    with Platforms() as stand_in:
        stand_in.ga4_page_cap = 1000
        stand_in.graph_page_size = 93  # the Graph answers a call of up to 90 days in one page
        rnd = random.Random(5)
        for day in days:
            for channel in GA4_CHANNELS:
                sessions = rnd.randint(10, 5000)
                stand_in.ga4_rows[(day.strftime("%Y%m%d"), channel)] = (
                    sessions,
                    rnd.randint(0, sessions),
                    rnd.randint(0, 40),
                    round(rnd.uniform(0, 900), 2),
                )
        for graph_name, _ in METRICS:
            stand_in.graph[graph_name] = {d.isoformat(): float(rnd.randint(0, 9000)) for d in days}
        urls = Urls(ga4=stand_in.url, graph=stand_in.url + "v25.0/")
        key_path = work / "bench-sa.json"
        service_account_file(key_path, stand_in.url + "token")
        for kind, options in (
            ("ga4", {"property": "1", "credentials": str(key_path)}),
            ("facebook", {"page": "99", "token": "PAGE_TOKEN_1"}),
        ):
            db = work / f"bench-{kind}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            with Store(db) as store:
                source_id = connect(store, TEAM, kind, options, vault, urls, now=now)[0]
                started = time.perf_counter()
                outcome = sync(
                    store, store.source(TEAM, source_id), vault, urls, now=now, since=first, http_factory=Http
                )
                seconds = time.perf_counter() - started
                assert outcome.status == "ok", outcome.message
                long_csv = work / f"bench-{kind}-long.csv"
                with open(long_csv, "w") as out:
                    out.write("date,metric,value,network,channel\n")
                    for metric, dims, day, value in store.conn.execute(
                        "SELECT s.metric, s.dims, o.date, o.value FROM observations o JOIN series s ON s.id = o.series_id"
                    ):
                        d = json.loads(dims) if dims else {}
                        out.write(f"{day},{metric},{value},{d.get('network', '')},{d.get('channel', '')}\n")
            results[kind] = {"rows": outcome.rows, "seconds": seconds, "long": str(long_csv)}
    return results


def phase_plain(csv_path: Path) -> dict:
    """The practical limit: rows already parsed, one executemany upsert into an indexed table."""
    rows = parsed_rows(csv_path)
    with tempfile.TemporaryDirectory() as tmp:
        conn = plain_table(Path(tmp) / "plain.db")
        started = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO obs VALUES (?, ?, ?) ON CONFLICT (series_id, date) DO UPDATE SET "
            "value = excluded.value",
            rows,
        )
        conn.execute("COMMIT")
        elapsed = time.perf_counter() - started
        conn.close()
    return {"rows": len(rows), "seconds": elapsed, "peak_rss_mb": peak_rss_mb()}


def phase_plain_best(csv_path: Path) -> dict:
    """The best plain load of the same rows into the same schema, parsing included: rows parsed,
    sorted by key, inserted into an empty table with a large page cache."""
    started = time.perf_counter()
    rows = sorted(parsed_rows(csv_path))
    with tempfile.TemporaryDirectory() as tmp:
        conn = plain_table(Path(tmp) / "best.db")
        conn.execute("PRAGMA cache_size = -262144")
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO obs VALUES (?, ?, ?)", rows)
        conn.execute("COMMIT")
        conn.close()
    return {"rows": len(rows), "seconds": time.perf_counter() - started, "peak_rss_mb": peak_rss_mb()}


def phase_contention(csv_path: Path, db_path: Path) -> dict:
    """An import of the file in another process (the import phase: the engine `kpibot import` runs)
    while this one does what Slack does: a `/kpi record` every 100 ms (latency, failures), and a
    probe every 20 ms that asks for the write lock without waiting (the share of probes refused is
    the share of time anyone holds the lock, and the longest run of refusals the longest single
    hold). The import also reports the time it spent in its own write transactions, exactly."""
    from kpi.answers import Context, answer
    from kpi.errors import KpiError
    from kpi.store import Store

    with Store(db_path) as store:
        store.update_settings(TEAM, tz="UTC")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    importer = subprocess.Popen(
        [sys.executable, __file__, "--phase", "import", str(csv_path), str(db_path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    counts = {"probes": 0, "held": 0, "longest": 0.0}

    def probe_lock() -> None:
        probe = sqlite3.connect(db_path, timeout=0, isolation_level=None)
        refused_since = None
        while importer.poll() is None:
            counts["probes"] += 1
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
                refused_since = None
            except sqlite3.OperationalError:
                counts["held"] += 1
                now = time.perf_counter()
                refused_since = refused_since or now
                counts["longest"] = max(counts["longest"], now - refused_since)
            time.sleep(0.02)
        probe.close()

    prober = threading.Thread(target=probe_lock)
    prober.start()
    latencies, failures = [], 0
    with Store(db_path) as store:
        while importer.poll() is None:
            t0 = time.perf_counter()
            try:
                answer(f"record bench_probe {len(latencies) + failures}", Context(store, "TOTHER", NOW))
                latencies.append((time.perf_counter() - t0) * 1000)
            except KpiError:
                failures += 1
            time.sleep(0.1)
    prober.join()
    probes, held = counts["probes"], counts["held"]
    elapsed = time.perf_counter() - started
    own = json.loads(importer.stdout.read().strip().splitlines()[-1])
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else float("nan")
    return {
        "seconds": elapsed,
        "records": len(latencies),
        "failures": failures,
        "p99_ms": p99,
        "lock_share": held / max(1, probes),
        "longest_hold_ms": counts["longest"] * 1000,
        "import_seconds": own["seconds"],
        "own_lock_share": own["locked_seconds"] / own["seconds"],
    }


def phase_import(csv_path: Path, db_path: Path) -> dict:
    from kpi.importer import import_file
    from kpi.store import Store

    with Store(db_path) as store:
        started = time.perf_counter()
        summary = import_file(store, TEAM, csv_path)
        elapsed = time.perf_counter() - started
    return {
        "rows": summary.inserted + summary.replaced,
        "seconds": elapsed,
        "locked_seconds": summary.locked_seconds,
        "peak_rss_mb": peak_rss_mb(),
    }


def phase_query(db_path: Path, runs: int) -> dict:
    from kpi.answers import Context, answer
    from kpi.store import Store

    text = "/kpi engagement_rate last quarter by network"
    timings: dict[str, list[float]] = {"en": [], "fr": []}
    with Store(db_path) as store:
        contexts = {lang: Context(store, TEAM, NOW, language=lang) for lang in timings}
        reply = answer(text, contexts["en"])
        answer(text, contexts["fr"])  # the French catalog compiles and loads once
        for _ in range(runs):  # the two languages in turn, so both see the same machine
            for lang, ctx in contexts.items():
                started = time.perf_counter()
                answer(text, ctx)
                timings[lang].append((time.perf_counter() - started) * 1000)
    for values in timings.values():
        values.sort()
    return {
        "median_ms": statistics.median(timings["en"]),
        "p99_ms": timings["en"][int(len(timings["en"]) * 0.99) - 1],
        "fr_median_ms": statistics.median(timings["fr"]),
        "answer": [reply.title, *reply.lines, *(" ".join(r) for r in reply.table.rows)],
    }


@contextlib.contextmanager
def serving(db_path: Path) -> Iterator[int]:
    """A real `kpibot serve --http` on a free loopback port, with a Slack Web API stand-in."""
    import socket

    from tests.support.signing import SIGNING_SECRET
    from tests.support.slack_api import BOT_TOKEN, SlackApi

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with SlackApi() as api:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "KPIBOT_DB": str(db_path),
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": api.url,
            "PORT": str(port),
        }
        env.pop("SLACK_APP_TOKEN", None)
        server = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--http", "--host", "127.0.0.1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            yield port
        finally:
            server.terminate()
            server.wait(timeout=20)


def phase_push(db_path: Path, batches: int) -> dict:
    """1,000-observation JSON batches pushed one after another to a real `kpibot serve --http`."""
    import http.client

    from kpi import Store, create_token

    with Store(db_path) as store:
        token = create_token(store, TEAM, "bench", now=NOW.isoformat())[0]
    start = date(2020, 1, 1)
    bodies = []
    for b in range(batches):
        day = (start + timedelta(days=b)).isoformat()
        items = [
            {
                "date": day,
                "metric": "leads",
                "value": i % 97,
                "dimensions": {"campaign": f"c{i}", "network": "linkedin"},
            }
            for i in range(1000)
        ]
        bodies.append(json.dumps({"observations": items}).encode())
    with serving(db_path) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        timings = []
        started = time.perf_counter()
        for body in bodies:
            t0 = time.perf_counter()
            conn.request("POST", "/api/v1/observations", body=body, headers=headers)
            reply = conn.getresponse()
            payload = reply.read()
            assert reply.status == 200, payload[:200]
            timings.append((time.perf_counter() - t0) * 1000)
        elapsed = time.perf_counter() - started
    timings.sort()
    return {"observations": batches * 1000, "seconds": elapsed, "median_ms": statistics.median(timings),
            "p99_ms": timings[min(len(timings) - 1, int(len(timings) * 0.99))]}  # fmt: skip


def phase_http(db_path: Path, runs: int) -> dict:
    """Signed `/kpi` requests to a real `kpibot serve --http`, sequential and from 8 concurrent clients."""
    import http.client

    from tests.support.signing import command_body, sign

    with serving(db_path) as port:
        requests = itertools.count()

        def one(conn: http.client.HTTPConnection) -> float:
            # Each request is a new one, as Slack's are (its trigger id): a replay would be refused.
            body = command_body(
                "engagement_rate last quarter by network",
                team=TEAM,
                trigger_id=f"{next(requests)}.1.bench",
            )
            headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
            started = time.perf_counter()
            conn.request("POST", "/slack/events", body=body.encode(), headers=headers)
            reply = conn.getresponse()
            payload = reply.read()
            elapsed = (time.perf_counter() - started) * 1000
            assert reply.status == 200 and b"Engagement rate" in payload, payload[:200]
            return elapsed

        conn = http.client.HTTPConnection("127.0.0.1", port)
        for _ in range(5):
            one(conn)
        sequential = sorted(one(conn) for _ in range(runs))
        concurrent: list[float] = []

        def client() -> None:
            c = http.client.HTTPConnection("127.0.0.1", port)
            times = [one(c) for _ in range(runs // 8)]
            concurrent.extend(times)

        threads = [threading.Thread(target=client) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        concurrent.sort()

    def pct(values: list[float], q: float) -> float:
        return values[min(len(values) - 1, int(len(values) * q))]

    return {
        "seq_median": statistics.median(sequential),
        "seq_p99": pct(sequential, 0.99),
        "conc_median": statistics.median(concurrent),
        "conc_p99": pct(concurrent, 0.99),
    }


DIGEST_POOL = [
    "engagement_rate",
    "reach",
    "followers",
    "ctr",
    "leads",
    "cost_per_lead",
    "impressions",
    "engagements",
    "follower_growth_rate",
    "conversion_rate",
    "social_traffic_share",
    "applause_rate",
]


def phase_digests(db_path: Path, channels: int) -> dict:
    """The weekly digest: one channel built and rendered 20 times (build, text, chart; the median
    and the slowest are reported), then `channels` subscribed
        channels through the same code as the scheduler (no posting): 20 different KPI lists of 4 to 7
        KPIs, at 08:00, 09:00 or 10:00 on Monday in UTC, Europe/Paris or America/New_York."""
    from bot.chart import render_png
    from bot.delivery import DigestCache, build_for
    from bot.templating import environment, render_text
    from kpi.answers import Context, answer
    from kpi.schedule import last_run
    from kpi.store import Store

    rnd = random.Random(11)
    lists = [rnd.sample(DIGEST_POOL, rnd.randint(4, 7)) for _ in range(20)]
    zones = ["UTC", "Europe/Paris", "America/New_York"]
    env = environment()
    with Store(db_path) as store:
        first_kpis = "engagement_rate,reach,followers,ctr,leads,cost_per_lead,impressions"
        answer(f"/kpi subscribe weekly {first_kpis}", Context(store, TEAM, NOW, "U1", "C0000"))
        for i in range(1, channels):
            kpis = ",".join(lists[i % len(lists)])
            command = f'/kpi subscribe weekly {kpis} at "mon {8 + i % 3:02d}:00" tz {zones[i % 3]}'
            answer(command, Context(store, TEAM, NOW, "U1", f"C{i:04d}"))
        subs = [s for _, s in store.subscriptions(TEAM) if s.cadence == "weekly"]
        first = next(s for s in subs if s.channel == "C0000")
        fired = last_run("weekly", first.day, first.time, first.tz, NOW)
        warm = build_for(store, TEAM, first, fired)
        render_png(warm)  # matplotlib import, font cache, template compilation: once per process
        render_text(warm, env)
        parts: list[tuple[float, float, float]] = []
        for _ in range(20):  # each a full build and render: nothing is cached between them
            started = time.perf_counter()
            digest = build_for(store, TEAM, first, fired)
            built = time.perf_counter()
            render_text(digest, env)
            texted = time.perf_counter()
            render_png(digest)
            drawn = time.perf_counter()
            parts.append(((built - started) * 1000, (texted - built) * 1000, (drawn - texted) * 1000))
        parts.sort(key=sum)
        cache = DigestCache()
        began = time.perf_counter()
        for sub in subs:
            cached, _ = cache.get(store, TEAM, sub, last_run(sub.cadence, sub.day, sub.time, sub.tz, NOW))
            render_text(cached, env)
        total = time.perf_counter() - began
    return {
        "build_ms": parts[len(parts) // 2][0],
        "text_ms": parts[len(parts) // 2][1],
        "chart_ms": parts[len(parts) // 2][2],
        "worst_ms": sum(parts[-1]),
        "channels": len(subs),
        "all_s": total,
        "distinct": len(cache.entries),
        "peak_rss_mb": peak_rss_mb(),
    }


ALERTS_PER_TEAM = [
    "alert engagement_rate below 2%",
    "alert reach above 1M",
    "alert impressions below 1000 network:instagram",
    "alert ctr above 50% network:facebook",
    "alert followers below 100",
    "alert leads above 100 segment:segment_1",
    "alert leads drops 20% weekly",
    "alert sessions rises 30%",
    "alert engagement_rate drops 1pp weekly",
    "alert revenue drops 25% monthly",
    "alert engagement_rate anomaly",
    "alert reach anomaly",
    "alert impressions anomaly network:linkedin",
    "alert clicks anomaly weekly",
    "alert likes anomaly segment:segment_2",
    "alert conversions anomaly weekly network:x",
    "alert cost_per_lead above 10",
    "alert bounce_rate above 60%",
    "alert goals",
    "alert stale 2 days",
]
ALERT_TEAMS = 50
ALERT_DAYS = 73  # with 4 segments: about 70,000 rows a team, 3.5 million for 50 teams


def _check_teams(store, teams: list[str]) -> tuple[float, int]:
    """The daily check's work for these teams, all but the HTTP post: judge, claim, render."""
    from bot.alert_message import alert_message
    from bot.templating import environment
    from kpi.alerts.check import claim, find

    env = environment()
    fired = 0
    started = time.perf_counter()
    for team in teams:
        pending = claim(store, team, find(store, team, NOW), NOW)
        for items in pending.values():
            alert_message([p.finding for p in items], env)
            fired += len(items)
    return time.perf_counter() - started, fired


def _set_alerts(store, team: str) -> None:
    from kpi.answers import Context, answer

    goal = "/kpi goal leads 5000 per month"
    answer(goal, Context(store, team, NOW, "U1", "C1"))
    for k, text in enumerate(ALERTS_PER_TEAM):
        answer(f"/kpi {text}", Context(store, team, NOW, "U1", f"C{k % 3}"))


def phase_alerts(work: Path, big_db: Path) -> dict:
    """1,000 alerts: 20 for each of 50 teams holding about 70,000 rows each (3.5 million in all),
    checked as the daily check does; then the same 20 alerts on the big import's team, timed
    after that import and after a one-day import."""
    from kpi.alerts.check import claim, find
    from kpi.importer import import_file
    from kpi.store import Store

    team_csv = work / f"alerts-team-{ALERT_DAYS}d.csv"
    if not team_csv.exists():
        generate(team_csv, ALERT_DAYS, SEGMENTS[:4])
    db = work / "bench-alerts.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    teams = [f"TALERT{i:02d}" for i in range(ALERT_TEAMS)]
    rows = 0
    with Store(db) as store:
        for team in teams:
            summary = import_file(store, team, team_csv)
            rows += summary.inserted
            _set_alerts(store, team)
        alerts = sum(len(store.alerts(t)) for t in teams)
        all_seconds, fired = _check_teams(store, teams)
    day_csv = work / "alerts-next-day.csv"
    with day_csv.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["date", "metric", "value", "network", "segment"])
        day = (LAST_DAY + timedelta(days=1)).isoformat()
        out.writerows([day, m, 1000, n, s] for m in METRICS for n in NETWORKS for s in SEGMENTS)
    with Store(big_db) as store:
        _set_alerts(store, TEAM)
        big_seconds, big_fired = _check_teams(store, [TEAM])
        started = time.perf_counter()
        day_rows = import_file(store, TEAM, day_csv).inserted
        day_import = time.perf_counter() - started
        after_day = NOW + timedelta(days=1)
        started = time.perf_counter()
        claim(store, TEAM, find(store, TEAM, after_day), after_day)
        day_check = time.perf_counter() - started
    return {
        "rows": rows,
        "alerts": alerts,
        "seconds": all_seconds,
        "fired": fired,
        "big_seconds": big_seconds,
        "big_fired": big_fired,
        "day_rows": day_rows,
        "day_import": day_import,
        "day_check": day_check,
    }


def run_phase(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", *args], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=3_500_000, help="about how many rows to generate")
    parser.add_argument("--runs", type=int, default=200, help="query repetitions")
    parser.add_argument("--dir", default=str(ROOT / "benchmarks" / "out"), help="where data files go")
    parser.add_argument(
        "--export-rows",
        type=int,
        default=1_000_000,
        help="rows of the generated Google Ads export (GA4: a tenth)",
    )
    parser.add_argument("--exports-only", action="store_true", help="only the platform-export import rows")
    parser.add_argument("--alerts-only", action="store_true", help="only the big import and the alert checks")
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        name, *rest = args.phase
        result = {
            "plain": lambda: phase_plain(Path(rest[0])),
            "plain_best": lambda: phase_plain_best(Path(rest[0])),
            "contention": lambda: phase_contention(Path(rest[0]), Path(rest[1])),
            "import": lambda: phase_import(Path(rest[0]), Path(rest[1])),
            "query": lambda: phase_query(Path(rest[0]), int(rest[1])),
            "http": lambda: phase_http(Path(rest[0]), int(rest[1])),
            "digests": lambda: phase_digests(Path(rest[0]), int(rest[1])),
            "push": lambda: phase_push(Path(rest[0]), int(rest[1])),
            "backfill": lambda: phase_backfill(Path(rest[0])),
            "alerts": lambda: phase_alerts(Path(rest[0]), Path(rest[1])),
        }[name]()
        print(json.dumps(result))
        return

    work = Path(args.dir)
    work.mkdir(parents=True, exist_ok=True)
    if args.exports_only:
        exports(work, args.export_rows)
        return
    days = days_for(args.rows)
    full, quarter = work / f"data-{days}d.csv", work / f"data-{max(1, days // 4)}d.csv"
    for path, n in ((full, days), (quarter, max(1, days // 4))):
        if not path.exists():
            print(f"generating {path.name} ...", flush=True)
            generate(path, n)
    print(f"data: {days} days x {len(METRICS)} metrics x {len(NETWORKS)} networks x {len(SEGMENTS)} segments")

    if args.alerts_only:
        db = work / "bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        imported = run_phase("import", str(full), str(db))
        print_alerts(run_phase("alerts", str(work), str(db)), imported)
        return
    plain = run_phase("plain", str(full))
    best = run_phase("plain_best", str(full))
    db = work / "bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    small_db = work / "bench-small.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{small_db}{suffix}").unlink(missing_ok=True)
    small = run_phase("import", str(quarter), str(small_db))
    imported = run_phase("import", str(full), str(db))
    reimported = run_phase("import", str(full), str(db))
    query = run_phase("query", str(db), str(args.runs))
    over_http = run_phase("http", str(db), str(args.runs))
    digests = run_phase("digests", str(db), "500")
    busy_db = work / "bench-busy.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{busy_db}{suffix}").unlink(missing_ok=True)
    contention = run_phase("contention", str(full), str(busy_db))
    alerting = run_phase("alerts", str(work), str(db))

    plain_rate = plain["rows"] / plain["seconds"]
    rate = imported["rows"] / imported["seconds"]
    print()
    print(
        f"plain sqlite3 executemany upsert   {plain['rows']:>10,} rows  {plain_rate:>10,.0f} rows/s  "
        f"peak {plain['peak_rss_mb']:,.0f} MB"
    )
    print(
        f"kpibot import (CSV -> SQLite)      {imported['rows']:>10,} rows  {rate:>10,.0f} rows/s  "
        f"peak {imported['peak_rss_mb']:,.0f} MB   = {rate / plain_rate:.0%} of plain (target >= 60%)"
    )
    print(
        f"kpibot import of the same file again: {reimported['seconds']:.1f} s, "
        f"{reimported['seconds'] / imported['seconds']:.2f}x the first import (nothing changes; it was 9.4x)"
    )
    best_rate = best["rows"] / best["seconds"]
    print(
        f"best plain load (parse, sort, insert into an empty table, 1 GB cache) {best['rows']:,} rows "
        f"{best_rate:,.0f} rows/s: kpibot import is {rate / best_rate:.0%} of it"
    )
    print(
        f"kpibot import, quarter of the file {small['rows']:>10,} rows  "
        f"{small['rows'] / small['seconds']:>10,.0f} rows/s  peak {small['peak_rss_mb']:,.0f} MB   "
        f"(flat memory: {imported['peak_rss_mb'] / small['peak_rss_mb']:.2f}x for 4x the rows)"
    )
    print(
        f"/kpi engagement_rate last quarter by network, in process: median {query['median_ms']:.2f} ms, "
        f"p99 {query['p99_ms']:.2f} ms over {args.runs} runs (target p99 < 20 ms)"
    )
    print(
        f"the same in French: median {query['fr_median_ms']:.2f} ms, "
        f"{query['fr_median_ms'] / query['median_ms']:.0%} of English (target within 10%)"
    )
    print(
        f"same, signed requests over HTTP to kpibot serve: sequential median {over_http['seq_median']:.2f} ms, "
        f"p99 {over_http['seq_p99']:.2f} ms (target < 40 ms); 8 concurrent clients median "
        f"{over_http['conc_median']:.2f} ms, p99 {over_http['conc_p99']:.2f} ms (target < 100 ms); "
        f"HTTP overhead at the median {over_http['seq_median'] - query['median_ms']:.2f} ms (target < 3 ms)"
    )
    one = digests["build_ms"] + digests["text_ms"] + digests["chart_ms"]
    print(
        f"weekly digest, one channel, median of 20: build {digests['build_ms']:.0f} ms + text "
        f"{digests['text_ms']:.1f} ms + chart {digests['chart_ms']:.0f} ms = {one:.0f} ms, slowest "
        f"{digests['worst_ms']:.0f} ms (target < 100 ms)"
    )
    print(
        f"weekly digest, {digests['channels']} channels with {digests['distinct']} distinct KPI lists: "
        f"{digests['all_s']:.1f} s (target < 30 s), peak {digests['peak_rss_mb']:.0f} MB"
    )
    print(
        f"/kpi record every 100 ms during a {imported['rows']:,}-row import ({contention['seconds']:.1f} s): "
        f"{contention['records']} answered, {contention['failures']} refused as busy (target 0), p99 "
        f"{contention['p99_ms']:.0f} ms (target < 1 s); the import's own write transactions "
        f"{contention['own_lock_share']:.1%} of its {contention['import_seconds']:.1f} s (target < 10%); "
        f"lock refused to a probe {contention['lock_share']:.1%} of the time, at most "
        f"{contention['longest_hold_ms']:.0f} ms at a time"
    )
    print(
        f"kpibot import without a writer beside it: write transactions {imported['locked_seconds']:.2f} s = "
        f"{imported['locked_seconds'] / imported['seconds']:.1%} of the import"
    )
    print_alerts(alerting, imported)
    exports(work, args.export_rows)
    print("  " + "\n  ".join(query["answer"]))
    print(f"database: {os.path.getsize(db) / 1e6:,.0f} MB")


def print_alerts(alerting: dict, imported: dict) -> None:
    print(
        f"daily alert check, {alerting['alerts']:,} alerts over {ALERT_TEAMS} teams holding "
        f"{alerting['rows']:,} rows: {alerting['seconds']:.2f} s on one core (target < 10 s), "
        f"{alerting['seconds'] / alerting['alerts'] * 1000:.1f} ms an alert, {alerting['fired']} fired"
    )
    print(
        f"alerts checked after an import: 20 alerts on the {imported['rows']:,}-row team take "
        f"{alerting['big_seconds']:.2f} s = {alerting['big_seconds'] / imported['seconds']:.1%} of its import "
        f"(target < 10%); after a one-day import of {alerting['day_rows']:,} rows "
        f"({alerting['day_import'] * 1000:.0f} ms) the check takes {alerting['day_check'] * 1000:.0f} ms"
    )


def exports(work: Path, rows: int) -> None:
    """Platform exports against kpibot's long CSV of the same observations, each into a fresh
    database in its own process; and the Google Ads export at a quarter of its size, for memory."""
    sets = [
        ("Google Ads UTF-16 export", "gads", generate_google_ads, rows),
        ("Google Ads UTF-16 export, a quarter", "gads-quarter", generate_google_ads, rows // 4),
        ("GA4 CSV", "ga4", generate_ga4, rows // 10),
    ]
    results = {}
    for title, stem, generator, count in sets:
        export, long_csv = work / f"{stem}-{count}.csv", work / f"{stem}-{count}-long.csv"
        if not export.exists() or not long_csv.exists():
            print(f"generating {export.name} ...", flush=True)
            generator(export, long_csv, count)
        measured = []
        for path in (export, long_csv):
            db = work / "bench-export.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            measured.append(run_phase("import", str(path), str(db)))
        results[stem] = measured
        mine, plain = measured
        print(
            f"{title} ({count:,} rows, {mine['rows']:,} observations): {mine['rows'] / mine['seconds']:,.0f} "
            f"observations/s, peak {mine['peak_rss_mb']:,.0f} MB; the same observations as long CSV "
            f"{plain['rows'] / plain['seconds']:,.0f}/s: {mine['seconds'] and plain['seconds'] / mine['seconds']:.0%} "
            "of it (target >= 70%)"
        )
    db = work / "bench-push.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    pushed = run_phase("push", str(db), "200")
    print(
        f"push API, 200 JSON batches of 1,000 observations to kpibot serve --http: "
        f"{pushed['observations'] / pushed['seconds']:,.0f} observations/s, a batch in {pushed['median_ms']:.0f} ms "
        f"median, {pushed['p99_ms']:.0f} ms p99"
    )
    backfill = run_phase("backfill", str(work))
    for kind, title in (
        ("ga4", "GA4, two years by channel"),
        ("facebook", "a Facebook Page's six Graph metrics, two years"),
    ):
        pulled = backfill[kind]
        db = work / "bench-export.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        plain = run_phase("import", pulled["long"], str(db))
        rate, long_rate = pulled["rows"] / pulled["seconds"], plain["rows"] / plain["seconds"]
        print(
            f"backfill of {title} from a loopback stand-in: {pulled['rows']:,} values in {pulled['seconds']:.1f} s, "
            f"{rate:,.0f}/s; the same rows from a long CSV {long_rate:,.0f}/s: {rate / long_rate:.0%} of it (target >= 50%)"
        )
    full, quarter = results["gads"][0], results["gads-quarter"][0]
    print(
        f"Google Ads export peak memory: {full['peak_rss_mb'] / quarter['peak_rss_mb']:.2f}x for 4x the rows (flat)"
    )


if __name__ == "__main__":
    main()
