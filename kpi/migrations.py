"""Versioned schema migrations, applied at start-up so an older database upgrades in place.

Each migration is a function recorded by sqlite-utils in ``_sqlite_migrations`` once applied; add
new ones at the end, never edit an applied one.

Observations hang off ``series``: one row per (team, metric, dimension combination). The team id
lives on the series, so a query reaches observations only through a team-scoped series lookup, and
the observation rows stay narrow (series id, ISO date, value) for fast imports. ``monthly`` is a
rollup of observations per series and calendar month that keeps long-period answers (quarters,
years, 8-quarter trends) to a few thousand rows; the importer and ``record`` keep it current.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from .store.changes import ITEM_DIMENSIONS

migrations = Migrations("kpibot")


@migrations()
def m001_initial(db: Database) -> None:
    _run(
        db,
        """
        CREATE TABLE series (
            id INTEGER PRIMARY KEY,
            team TEXT NOT NULL,
            metric TEXT NOT NULL,
            dims TEXT NOT NULL,
            UNIQUE (team, metric, dims)
        );
        CREATE TABLE series_dims (
            series_id INTEGER NOT NULL REFERENCES series(id),
            team TEXT NOT NULL,
            dim TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (series_id, dim)
        ) WITHOUT ROWID;
        CREATE INDEX series_dims_by_team_dim ON series_dims (team, dim, value);
        CREATE TABLE observations (
            series_id INTEGER NOT NULL,
            date TEXT NOT NULL,
            value REAL NOT NULL,
            PRIMARY KEY (series_id, date)
        ) WITHOUT ROWID;
        CREATE TABLE monthly (
            series_id INTEGER NOT NULL,
            month TEXT NOT NULL,
            total REAL NOT NULL,
            n INTEGER NOT NULL,
            last_date TEXT NOT NULL,
            last_value REAL NOT NULL,
            PRIMARY KEY (series_id, month)
        ) WITHOUT ROWID;
        CREATE TABLE definitions (
            team TEXT NOT NULL,
            name TEXT NOT NULL,
            formula TEXT NOT NULL,
            unit TEXT NOT NULL,
            better TEXT NOT NULL,
            created_by TEXT,
            created_at TEXT NOT NULL,
            PRIMARY KEY (team, name)
        );
        CREATE TABLE goals (
            id INTEGER PRIMARY KEY,
            team TEXT NOT NULL,
            kpi TEXT NOT NULL,
            target REAL NOT NULL,
            cadence TEXT NOT NULL,
            deadline TEXT,
            start TEXT NOT NULL,
            filters TEXT NOT NULL DEFAULT '{}',
            created_by TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX goals_by_team ON goals (team);
        CREATE TABLE subscriptions (
            id INTEGER PRIMARY KEY,
            team TEXT NOT NULL,
            channel TEXT NOT NULL,
            cadence TEXT NOT NULL,
            kpis TEXT NOT NULL DEFAULT '[]',
            day TEXT NOT NULL,
            time TEXT NOT NULL,
            tz TEXT NOT NULL,
            created_by TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (team, channel, cadence)
        );
        CREATE TABLE team_settings (
            team TEXT PRIMARY KEY,
            tz TEXT,
            currency TEXT,
            hourly_rate REAL
        );
        """,
    )


@migrations()
def m002_freshness(db: Database) -> None:
    """The newest date with data per team, shown under every answer; kept by every write."""
    _run(
        db,
        """
        CREATE TABLE freshness (team TEXT PRIMARY KEY, latest TEXT NOT NULL);
        INSERT INTO freshness (team, latest)
            SELECT s.team, max(m.last_date) FROM monthly m JOIN series s ON s.id = m.series_id GROUP BY s.team
        """,
    )


@migrations()
def m003_cube(db: Database) -> None:
    """Rollups per team, metric and single dimension value (dim '' is the whole team), by day and
    by month: the common questions (a KPI overall, by one dimension, or for one dimension value)
    read a few hundred of these rows instead of every series' daily rows."""
    _run(
        db,
        """
        CREATE TABLE cube_daily (
            team TEXT NOT NULL, metric TEXT NOT NULL, date TEXT NOT NULL, dim TEXT NOT NULL, value TEXT NOT NULL,
            total REAL NOT NULL, n INTEGER NOT NULL,
            PRIMARY KEY (team, metric, date, dim, value)
        ) WITHOUT ROWID;
        CREATE TABLE cube_monthly (
            team TEXT NOT NULL, metric TEXT NOT NULL, month TEXT NOT NULL, dim TEXT NOT NULL, value TEXT NOT NULL,
            total REAL NOT NULL, n INTEGER NOT NULL,
            PRIMARY KEY (team, metric, month, dim, value)
        ) WITHOUT ROWID;
        INSERT INTO cube_daily
            SELECT s.team, s.metric, o.date, '', '', sum(o.value), count(*)
            FROM series s JOIN observations o ON o.series_id = s.id GROUP BY s.team, s.metric, o.date;
        INSERT INTO cube_daily
            SELECT s.team, s.metric, o.date, d.dim, d.value, sum(o.value), count(*)
            FROM series s JOIN series_dims d ON d.series_id = s.id JOIN observations o ON o.series_id = s.id
            GROUP BY s.team, s.metric, o.date, d.dim, d.value;
        INSERT INTO cube_monthly
            SELECT team, metric, substr(date, 1, 7), dim, value, sum(total), sum(n)
            FROM cube_daily GROUP BY team, metric, substr(date, 1, 7), dim, value
        """,
    )


@migrations()
def m004_events_seen(db: Database) -> None:
    """Slack redelivers an event it thinks was missed: its id, kept here, makes it act once."""
    _run(
        db,
        """
        CREATE TABLE events_seen (
            team TEXT NOT NULL, event_id TEXT NOT NULL, seen_at TEXT NOT NULL,
            PRIMARY KEY (team, event_id)
        )
        """,
    )


@migrations()
def m005_dimension_index(db: Database) -> None:
    """Which dimensions and values a team's data has, and which dimensions each metric has: asked by
    every answer (to check filters and offer "By ..." buttons), so kept small instead of scanned."""
    _run(
        db,
        """
        CREATE TABLE dimension_values (
            team TEXT NOT NULL, dim TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (team, dim, value)
        ) WITHOUT ROWID;
        CREATE TABLE metric_dimensions (
            team TEXT NOT NULL, metric TEXT NOT NULL, dim TEXT NOT NULL, PRIMARY KEY (team, metric, dim)
        ) WITHOUT ROWID;
        INSERT INTO dimension_values SELECT DISTINCT team, dim, value FROM series_dims;
        INSERT INTO metric_dimensions
            SELECT DISTINCT s.team, s.metric, d.dim FROM series s JOIN series_dims d ON d.series_id = s.id
        """,
    )


@migrations()
def m006_deliveries(db: Database) -> None:
    """The digest ledger: one row per (team, channel, cadence, period), written before posting, so a
    digest is posted at most once whatever retries, restarts or double triggers happen."""
    _run(
        db,
        """
        CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY,
            team TEXT NOT NULL,
            channel TEXT NOT NULL,
            cadence TEXT NOT NULL,
            period TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            ts TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (team, channel, cadence, period)
        )
        """,
    )


@migrations()
def m007_data_version(db: Database) -> None:
    """A counter every write of observations increments: what was computed from a team's data at
    version N is still right while the version is N (digests for many channels share their work)."""
    _run(db, "ALTER TABLE freshness ADD COLUMN version INTEGER NOT NULL DEFAULT 0")


@migrations()
def m008_drop_series_dims(db: Database) -> None:
    """Nothing reads series_dims since the cube and dimension_values replaced it: the dimensions of a
    series are in its ``dims`` key."""
    _run(db, "DROP INDEX series_dims_by_team_dim; DROP TABLE series_dims")


@migrations()
def m009_api_tokens(db: Database) -> None:
    """Bearer tokens for the push API: one team each, kept as a SHA-256 hash (the token is shown once)."""
    _run(
        db,
        """
        CREATE TABLE api_tokens (
            id TEXT PRIMARY KEY,
            team TEXT NOT NULL,
            name TEXT NOT NULL,
            hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_used_at TEXT,
            UNIQUE (team, name)
        )
        """,
    )


@migrations()
def m010_sources(db: Database) -> None:
    """Connected sources: what to pull (config), the sealed secret, where the last sync stopped
    (state), how it went, and a claim so that one sync of a source runs at a time."""
    _run(
        db,
        """
        CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            team TEXT NOT NULL,
            kind TEXT NOT NULL,
            label TEXT NOT NULL,
            config TEXT NOT NULL,
            secret BLOB NOT NULL,
            state TEXT NOT NULL DEFAULT '{}',
            status TEXT NOT NULL DEFAULT 'connected',
            last_sync_at TEXT,
            last_error TEXT,
            latest_day TEXT,
            skipped TEXT NOT NULL DEFAULT '[]',
            connected_by TEXT,
            created_at TEXT NOT NULL,
            claimed_until TEXT
        );
        CREATE INDEX sources_by_team ON sources (team)
        """,
    )


@migrations()
def m011_alerts(db: Database) -> None:
    """Alerts and their ledger. A firing row is written (claimed) before its message is posted, keyed
    by (team, alert, period), so each alert speaks once per period whatever re-imports, restarts or
    double triggers happen; it keeps what the message said, so a retry posts the same words.
    ``alert_state`` remembers each goal's last status (goal alerts fire on a change), and
    ``alert_checks`` the data version and day each team was last checked at."""
    _run(
        db,
        """
        CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            team TEXT NOT NULL,
            channel TEXT NOT NULL,
            kind TEXT NOT NULL,
            kpi TEXT,
            amount REAL,
            unit TEXT NOT NULL DEFAULT '',
            cadence TEXT NOT NULL DEFAULT 'daily',
            filters TEXT NOT NULL DEFAULT '{}',
            created_by TEXT,
            created_at TEXT NOT NULL,
            snoozed_until TEXT
        );
        CREATE INDEX alerts_by_team ON alerts (team);
        CREATE TABLE alert_firings (
            id INTEGER PRIMARY KEY,
            team TEXT NOT NULL,
            alert_id INTEGER NOT NULL,
            period TEXT NOT NULL,
            channel TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 1,
            error TEXT,
            ts TEXT,
            detail TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (team, alert_id, period)
        );
        CREATE INDEX alert_firings_by_status ON alert_firings (team, status);
        CREATE TABLE alert_state (
            team TEXT NOT NULL,
            alert_id INTEGER NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (team, alert_id, key)
        );
        CREATE TABLE alert_checks (
            team TEXT PRIMARY KEY,
            version INTEGER NOT NULL DEFAULT 0,
            daily TEXT
        )
        """,
    )


@migrations()
def m012_team_language(db: Database) -> None:
    """The language a team set (`/kpi set language fr`); empty means the deployment's default."""
    _run(db, "ALTER TABLE team_settings ADD COLUMN language TEXT")


@migrations()
def m013_item_dimensions_off_the_cube(db: Database) -> None:
    """The cube no longer holds item dimensions (kpi/store/changes.py: ITEM_DIMENSIONS), whose
    breakdowns are read from the series: their cells would only go stale."""
    marks = ", ".join("?" * len(ITEM_DIMENSIONS))
    for table in ("cube_daily", "cube_monthly"):
        db.execute(f"DELETE FROM {table} WHERE dim IN ({marks})", sorted(ITEM_DIMENSIONS))


@migrations()
def m014_cube_by_key(db: Database) -> None:
    """The cube's cells hang off a key per (team, metric, dimension, value), as observations hang off
    series: a cell is (key id, date, total, n). An import's new keys are numbered after every other
    team's, so its cells are appended at the end of the table instead of searched into the middle of
    one keyed by five text columns; that halved the cube's time under the write lock."""
    _run(
        db,
        """
        CREATE TABLE cube_keys (
            id INTEGER PRIMARY KEY,
            team TEXT NOT NULL,
            metric TEXT NOT NULL,
            dim TEXT NOT NULL,
            value TEXT NOT NULL,
            UNIQUE (team, metric, dim, value)
        );
        INSERT INTO cube_keys (team, metric, dim, value)
            SELECT team, metric, dim, value FROM cube_monthly
            UNION SELECT team, metric, dim, value FROM cube_daily ORDER BY 1, 2, 3, 4
        """,
    )
    for table, column in (("cube_daily", "date"), ("cube_monthly", "month")):
        _run(
            db,
            f"""
            CREATE TABLE {table}_by_key (
                key_id INTEGER NOT NULL, {column} TEXT NOT NULL, total REAL NOT NULL, n INTEGER NOT NULL,
                PRIMARY KEY (key_id, {column})
            ) WITHOUT ROWID;
            INSERT INTO {table}_by_key
                SELECT k.id, c.{column}, c.total, c.n FROM {table} c
                JOIN cube_keys k USING (team, metric, dim, value) ORDER BY 1, 2;
            DROP TABLE {table};
            ALTER TABLE {table}_by_key RENAME TO {table}
            """,
        )


def _run(db: Database, script: str) -> None:
    """Run statements one by one: ``executescript`` would commit the migration's transaction."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def apply(db: Database) -> None:
    migrations.apply(db)
