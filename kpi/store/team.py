"""What a team sets up: its settings (time zone, currency, hourly rate), KPI definitions and goals."""

from __future__ import annotations

import json
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TeamSettings:
    team: str
    tz: str
    currency: str = "USD"
    hourly_rate: float = 0.0
    language: str | None = None  # None: the deployment's default (KPIBOT_LANGUAGE)


@dataclass(frozen=True)
class Definition:
    name: str
    formula: str
    unit: str
    better: str
    created_by: str | None = None


@dataclass(frozen=True)
class Goal:
    id: int
    kpi: str
    target: float
    cadence: str
    deadline: str | None
    start: str
    filters: dict[str, str] = field(default_factory=dict)
    created_by: str | None = None


class TeamRecords:
    """The store's part for team settings, KPI definitions and goals; every query names the team."""

    def settings(self, team: str) -> TeamSettings:
        row = self.conn.execute(
            "SELECT tz, currency, hourly_rate, language FROM team_settings WHERE team = ?", (team,)
        ).fetchone()
        if not row:
            return TeamSettings(team=team, tz=self.default_tz)
        tz, currency, rate, language = row
        return TeamSettings(
            team=team,
            tz=tz or self.default_tz,
            currency=currency or "USD",
            hourly_rate=rate or 0.0,
            language=language or None,
        )

    def update_settings(self, team: str, **values: object) -> TeamSettings:
        current = self.settings(team)
        merged = {
            "tz": current.tz,
            "currency": current.currency,
            "hourly_rate": current.hourly_rate,
            "language": current.language,
        }
        merged.update({k: v for k, v in values.items() if v is not None})
        with self.atomic():
            self.conn.execute(
                "INSERT INTO team_settings (team, tz, currency, hourly_rate, language) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (team) DO UPDATE SET tz = excluded.tz, currency = excluded.currency, "
                "hourly_rate = excluded.hourly_rate, language = excluded.language",
                (team, merged["tz"], merged["currency"], merged["hourly_rate"], merged["language"]),
            )
        return self.settings(team)

    # -- team KPI definitions ----------------------------------------------------------------

    def definitions(self, team: str) -> dict[str, Definition]:
        rows = self.conn.execute(
            "SELECT name, formula, unit, better, created_by FROM definitions WHERE team = ? ORDER BY name",
            (team,),
        )
        return {r[0]: Definition(*r) for r in rows}

    def define(self, team: str, definition: Definition, *, now: str) -> None:
        """Add or replace a team KPI; ``now`` (the caller's clock, ISO) is kept as when."""
        with self.atomic():
            self.conn.execute(
                "INSERT INTO definitions (team, name, formula, unit, better, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (team, name) DO UPDATE SET formula = excluded.formula, "
                "unit = excluded.unit, better = excluded.better, created_by = excluded.created_by, "
                "created_at = excluded.created_at",
                (
                    team,
                    definition.name,
                    definition.formula,
                    definition.unit,
                    definition.better,
                    definition.created_by,
                    now,
                ),
            )

    def undefine(self, team: str, name: str) -> bool:
        with self.atomic():
            cur = self.conn.execute("DELETE FROM definitions WHERE team = ? AND name = ?", (team, name))
        return cur.rowcount > 0

    # -- goals -------------------------------------------------------------------------------

    def goals(self, team: str) -> list[Goal]:
        rows = self.conn.execute(
            "SELECT id, kpi, target, cadence, deadline, start, filters, created_by FROM goals "
            "WHERE team = ? ORDER BY id",
            (team,),
        )
        return [Goal(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7]) for r in rows]

    def goal(self, team: str, goal_id: int) -> Goal | None:
        return next((g for g in self.goals(team) if g.id == goal_id), None)

    def set_goal(
        self,
        team: str,
        kpi: str,
        target: float,
        cadence: str,
        deadline: str | None,
        start: str,
        filters: dict[str, str],
        created_by: str | None,
        *,
        now: str,
    ) -> tuple[Goal, bool]:
        """Create the goal, or replace the team's goal on the same KPI and filters; True when replaced."""
        key = json.dumps(dict(sorted(filters.items())))
        with self.atomic():
            row = self.conn.execute(
                "SELECT id FROM goals WHERE team = ? AND kpi = ? AND filters = ?", (team, kpi, key)
            ).fetchone()
            if row:
                self.conn.execute(
                    "UPDATE goals SET target = ?, cadence = ?, deadline = ?, start = ?, created_by = ?, "
                    "created_at = ? WHERE id = ? AND team = ?",
                    (target, cadence, deadline, start, created_by, now, row[0], team),
                )
                goal_id = row[0]
            else:
                goal_id = self.conn.execute(
                    "INSERT INTO goals (team, kpi, target, cadence, deadline, start, filters, created_by, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (team, kpi, target, cadence, deadline, start, key, created_by, now),
                ).lastrowid
        goal = self.goal(team, goal_id)
        assert goal is not None
        return goal, row is not None

    def remove_goal(self, team: str, goal_id: int) -> bool:
        with self.atomic():
            cur = self.conn.execute("DELETE FROM goals WHERE team = ? AND id = ?", (team, goal_id))
        return cur.rowcount > 0
