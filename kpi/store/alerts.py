"""Alerts, the ledger of their firings, the goal statuses they last saw, and each team's last check."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from . import ledger


@dataclass(frozen=True)
class Alert:
    """One alert as set in chat. ``kind`` is above, below, drops, rises, anomaly, goals or stale;
    ``amount`` is the threshold (in the KPI's own units: 0.02 for 2%), the change (20 for 20% or
    20 pp, as ``unit`` says) or the days of a stale alert."""

    id: int
    channel: str
    kind: str
    kpi: str | None
    amount: float | None
    unit: str = ""
    cadence: str = "daily"
    filters: dict[str, str] = field(default_factory=dict)
    created_by: str | None = None
    created_at: str = ""
    snoozed_until: str | None = None


@dataclass(frozen=True)
class Firing:
    id: int
    alert_id: int
    period: str
    channel: str
    status: str
    attempts: int
    error: str | None
    ts: str | None
    detail: dict
    updated_at: str


_ALERT = "id, channel, kind, kpi, amount, unit, cadence, filters, created_by, created_at, snoozed_until"
_NEWEST = "SELECT m.last_date FROM monthly m WHERE m.series_id = s.id ORDER BY m.month DESC LIMIT 1"
_FIRING = "id, alert_id, period, channel, status, attempts, error, ts, detail, updated_at"


def _alert(row: tuple) -> Alert:
    return Alert(*row[:7], json.loads(row[7]), *row[8:])


def _firing(row: tuple) -> Firing:
    return Firing(*row[:8], json.loads(row[8]), row[9])


class AlertRecords:
    """The store's part for alerts; every query names the team."""

    def add_alert(
        self,
        team: str,
        channel: str,
        kind: str,
        kpi: str | None,
        amount: float | None,
        unit: str,
        cadence: str,
        filters: dict[str, str],
        created_by: str | None,
        *,
        now: str,
    ) -> Alert:
        with self.atomic():
            alert_id = self.conn.execute(
                "INSERT INTO alerts (team, channel, kind, kpi, amount, unit, cadence, filters, created_by, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (team, channel, kind, kpi, amount, unit, cadence, json.dumps(filters), created_by, now),
            ).lastrowid
        alert = self.alert(team, int(alert_id or 0))
        assert alert is not None
        return alert

    def alerts(self, team: str) -> list[Alert]:
        rows = self.conn.execute(f"SELECT {_ALERT} FROM alerts WHERE team = ? ORDER BY id", (team,))
        return [_alert(r) for r in rows]

    def alert_teams(self) -> list[str]:
        """Teams with at least one alert: what the scheduler's checks visit."""
        return [r[0] for r in self.conn.execute("SELECT DISTINCT team FROM alerts ORDER BY team")]

    def alert(self, team: str, alert_id: int) -> Alert | None:
        row = self.conn.execute(
            f"SELECT {_ALERT} FROM alerts WHERE team = ? AND id = ?", (team, alert_id)
        ).fetchone()
        return _alert(row) if row else None

    def remove_alert(self, team: str, alert_id: int) -> bool:
        """The alert goes with its pending firings and remembered state: nothing of it posts again."""
        with self.atomic():
            cur = self.conn.execute("DELETE FROM alerts WHERE team = ? AND id = ?", (team, alert_id))
            if cur.rowcount:
                for table in ("alert_firings", "alert_state"):
                    self.conn.execute(
                        f"DELETE FROM {table} WHERE team = ? AND alert_id = ?", (team, alert_id)
                    )
        return cur.rowcount > 0

    def snooze_alert(self, team: str, alert_id: int, until: str | None) -> bool:
        with self.atomic():
            cur = self.conn.execute(
                "UPDATE alerts SET snoozed_until = ? WHERE team = ? AND id = ?", (until, team, alert_id)
            )
        return cur.rowcount > 0

    # -- the firing ledger --------------------------------------------------------------------------

    def claim_firing(
        self,
        team: str,
        alert_id: int,
        period: str,
        channel: str,
        detail: dict,
        now: str,
        max_attempts: int = 5,
    ) -> str | None:
        """Claim (alert, period) before posting it: see ledger.claim. ``detail`` is what the message
        says, kept so that a retry on a later day posts the same words."""
        key = {"team": team, "alert_id": alert_id, "period": period}
        extra = {"channel": channel, "detail": json.dumps(detail)}
        return ledger.claim(self, "alert_firings", key, extra, now, max_attempts)

    def finish_firing(
        self,
        team: str,
        firing: Firing,
        *,
        status: str,
        now: str,
        error: str | None = None,
        ts: str | None = None,
    ) -> None:
        key = {"team": team, "alert_id": firing.alert_id, "period": firing.period}
        ledger.finish(self, "alert_firings", key, status=status, now=now, error=error, ts=ts)

    def firing(self, team: str, alert_id: int, period: str) -> Firing | None:
        row = self.conn.execute(
            f"SELECT {_FIRING} FROM alert_firings WHERE team = ? AND alert_id = ? AND period = ?",
            (team, alert_id, period),
        ).fetchone()
        return _firing(row) if row else None

    def firings(self, team: str, status: tuple[str, ...] = (), since: str = "") -> list[Firing]:
        """The team's firings, newest first; only those in ``status`` and updated since ``since``."""
        sql = f"SELECT {_FIRING} FROM alert_firings WHERE team = ? AND updated_at >= ?"
        params: list[object] = [team, since]
        if status:
            sql += f" AND status IN ({', '.join('?' for _ in status)})"
            params += status
        return [_firing(r) for r in self.conn.execute(sql + " ORDER BY updated_at DESC, id DESC", params)]

    def last_firings(self, team: str) -> dict[int, Firing]:
        """Each alert's newest firing: what `/kpi alerts` shows as its last time."""
        rows = self.conn.execute(
            f"SELECT {_FIRING} FROM alert_firings WHERE id IN "
            "(SELECT max(id) FROM alert_firings WHERE team = ? GROUP BY alert_id)",
            (team,),
        )
        return {f.alert_id: f for f in map(_firing, rows)}

    def interrupt_stale_firings(self, older_than: str) -> int:
        return ledger.interrupt_stale(self, "alert_firings", older_than)

    # -- what checks remember -----------------------------------------------------------------------

    def alert_state(self, team: str, alert_id: int) -> dict[str, str]:
        rows = self.conn.execute(
            "SELECT key, value FROM alert_state WHERE team = ? AND alert_id = ?", (team, alert_id)
        )
        return dict(rows.fetchall())

    def set_alert_state(self, team: str, alert_id: int, values: dict[str, str]) -> None:
        with self.atomic():
            self.conn.executemany(
                "INSERT INTO alert_state (team, alert_id, key, value) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (team, alert_id, key) DO UPDATE SET value = excluded.value",
                [(team, alert_id, k, v) for k, v in values.items()],
            )

    def data_version_of(self, team: str) -> int:
        row = self.conn.execute("SELECT version FROM freshness WHERE team = ?", (team,)).fetchone()
        return int(row[0]) if row else 0

    def last_alert_check(self, team: str) -> tuple[int, str | None]:
        """The data version the team's alerts were last checked at, and the day of its last daily check."""
        row = self.conn.execute("SELECT version, daily FROM alert_checks WHERE team = ?", (team,)).fetchone()
        return (int(row[0]), row[1]) if row else (-1, None)

    def mark_alerts_checked(self, team: str, version: int, daily: str | None = None) -> None:
        with self.atomic():
            self.conn.execute(
                "INSERT INTO alert_checks (team, version, daily) VALUES (?, ?, ?) ON CONFLICT (team) DO UPDATE "
                "SET version = excluded.version, daily = coalesce(excluded.daily, alert_checks.daily)",
                (team, version, daily),
            )

    def metric_latest(self, team: str) -> dict[str, str]:
        """Each metric's newest date with data (what a stale alert watches): one seek per series to
        its latest month in the rollup's key, not a scan of every month."""
        rows = self.conn.execute(
            f"SELECT s.metric, max(({_NEWEST})) FROM series s WHERE s.team = ? GROUP BY s.metric", (team,)
        )
        return {metric: latest for metric, latest in rows if latest}

    def dimension_latest(self, team: str, dim: str) -> dict[str, str]:
        """Each value of a dimension's newest date: file sources, tagged `source:...` on import."""
        needle = json.dumps(dim) + ":"
        rows = self.conn.execute(
            f"SELECT s.dims, ({_NEWEST}) FROM series s WHERE s.team = ? AND instr(s.dims, ?) > 0",
            (team, needle),
        )
        out: dict[str, str] = {}
        for dims, latest in rows:
            value = json.loads(dims).get(dim)
            if value is not None and latest and latest > out.get(value, ""):
                out[value] = latest
        return out
