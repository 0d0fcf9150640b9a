from __future__ import annotations

import io
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kpi.answers import Context, answer
from kpi.importer import import_file
from kpi.store import Store

# libfaketime (how .ci/run runs the suite at a month's first day, a year end, 29 February and a DST
# change) makes the WebSocket loops of Socket Mode time out at once: those tests need the real clock.
UNDER_FAKETIME = "faketime" in os.environ.get("LD_PRELOAD", "")
needs_real_clock = pytest.mark.skipif(
    UNDER_FAKETIME, reason="libfaketime breaks the timers of a live WebSocket connection"
)

# A Wednesday: "last week" is 2026-W46 (Nov 9-15), "this month" is November 2026.
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "kpibot.db"


@pytest.fixture
def store(db_path: Path):
    with Store(db_path) as s:
        yield s


@pytest.fixture
def loaded_db(tmp_path: Path) -> str:
    """A database file holding the SOCIAL and SITE data for team T1."""
    path = str(tmp_path / "kpibot.db")
    with Store(path) as store:
        load(store, "T1", SOCIAL)
        load(store, "T1", SITE)
    return path


@pytest.fixture
def api():
    """The Slack Web API stand-in on loopback."""
    from .support.slack_api import SlackApi

    with SlackApi() as stand_in:
        yield stand_in


def load(store: Store, team: str, csv_text: str, **kwargs):
    """Import CSV text through the real importer."""
    return import_file(store, team, "test.csv", stream=io.BytesIO(csv_text.encode("utf-8")), **kwargs)


def ask(
    store: Store,
    text: str,
    team: str = "T1",
    *,
    user: str = "U1",
    channel: str = "C1",
    admins: frozenset[str] = frozenset(),
    now: datetime = NOW,
):
    return answer(text, Context(store, team, now, user, channel, admins))


def snapshot(store: Store) -> list[tuple]:
    """Every row of every data table: to prove that a failed operation changed nothing.

    The ledger of Slack event ids seen and the tokens' last use are bookkeeping, not data, and are
    left out."""
    tables = [
        r[0]
        for r in store.conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT IN ('_sqlite_migrations', 'events_seen', 'api_tokens')"
        )
    ]
    return [(t, sorted(store.conn.execute(f"SELECT * FROM [{t}]").fetchall())) for t in sorted(tables)]


# Two networks over W46 (Nov 9-15) and W45 (Nov 2-8), values chosen to be easy to sum by hand.
SOCIAL = """date,metric,value,network
2026-11-02,impressions,1000,facebook
2026-11-02,likes,20,facebook
2026-11-02,comments,5,facebook
2026-11-02,posts,2,facebook
2026-11-02,followers,500,facebook
2026-11-09,impressions,2000,facebook
2026-11-09,likes,40,facebook
2026-11-09,comments,10,facebook
2026-11-09,shares,6,facebook
2026-11-09,saves,4,facebook
2026-11-09,posts,4,facebook
2026-11-09,clicks,30,facebook
2026-11-09,followers,520,facebook
2026-11-09,new_followers,30,facebook
2026-11-09,lost_followers,10,facebook
2026-11-12,impressions,1000,facebook
2026-11-12,likes,30,facebook
2026-11-12,followers,530,facebook
2026-11-12,new_followers,15,facebook
2026-11-12,lost_followers,5,facebook
2026-11-10,impressions,3000,instagram
2026-11-10,likes,150,instagram
2026-11-10,comments,30,instagram
2026-11-10,shares,15,instagram
2026-11-10,saves,5,instagram
2026-11-10,posts,2,instagram
2026-11-10,clicks,15,instagram
2026-11-10,followers,1000,instagram
2026-11-10,new_followers,50,instagram
2026-11-10,lost_followers,0,instagram
2026-11-14,followers,1100,instagram
"""

SITE = """date,sessions,social_sessions,bounces,conversions,leads,customers,revenue,spend,hours,csat,region
2026-11-09,1000,250,400,20,10,2,1000,200,10,4,fr
2026-11-10,1000,150,500,30,10,3,2000,300,10,5,fr
2026-11-11,2000,600,800,50,20,5,3000,0,0,,us
"""
