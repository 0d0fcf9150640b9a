"""Settings: the only place that reads the environment (and a ``.env`` file in the working directory)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

from kpi import KpiError, Urls, zone

_APIS = Urls()  # the platforms' own addresses, pinned in kpi/connectors/versions.py


class ConfigError(KpiError):
    pass


@dataclass(frozen=True)
class Settings:
    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None
    api_url: str = "https://slack.com/api/"
    db: str = "./kpibot.db"
    team: str = "T0LOCAL"
    admins: frozenset[str] = field(default_factory=frozenset)
    tz: str = "UTC"
    port: int = 3000
    templates: str | None = None
    ingest_port: int | None = None  # the push API's port in Socket Mode
    secret_key: str | None = field(default=None, repr=False)  # Fernet key sealing sources' tokens
    ga4_api_url: str = _APIS.ga4
    graph_api_url: str = _APIS.graph
    linkedin_api_url: str = _APIS.linkedin
    pinterest_api_url: str = _APIS.pinterest
    sync_at: time = time(6, 0)  # when connected sources are pulled, in each team's time zone
    alerts_at: time = time(8, 0)  # the daily check of alerts, in each team's time zone
    language: str = "en"  # for teams that have not set theirs (`/kpi set language fr`)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, *, dotenv: bool = True) -> Settings:
        if env is None:
            if dotenv:
                _load_dotenv()
            env = dict(os.environ)
        tz = env.get("KPIBOT_TZ") or "UTC"
        try:
            zone(tz)
        except KpiError as exc:
            raise ConfigError(f"KPIBOT_TZ: {exc}") from None
        port_text = env.get("PORT") or "3000"
        if not port_text.isdigit() or not 0 <= int(port_text) < 65536:
            raise ConfigError(f"PORT must be a port number, not `{port_text}`.")
        ingest_text = env.get("KPIBOT_INGEST_PORT") or ""
        if ingest_text and (not ingest_text.isdigit() or not 0 < int(ingest_text) < 65536):
            raise ConfigError(f"KPIBOT_INGEST_PORT must be a port number, not `{ingest_text}`.")
        api_url = env.get("SLACK_API_URL") or "https://slack.com/api/"
        if not api_url.endswith("/"):
            api_url += "/"
        templates = env.get("KPIBOT_TEMPLATES") or None
        if templates and not Path(templates).is_dir():
            raise ConfigError(f"KPIBOT_TEMPLATES: `{templates}` is not a folder.")
        sync_at = _time_of_day(env, "KPIBOT_SYNC_AT", "06:00")
        alerts_at = _time_of_day(env, "KPIBOT_ALERTS_AT", "08:00")
        language = (env.get("KPIBOT_LANGUAGE") or "en").strip().lower()
        if language not in ("en", "fr"):
            raise ConfigError(f"KPIBOT_LANGUAGE must be en or fr, not `{language}`.")
        admins = frozenset(a.strip() for a in (env.get("KPIBOT_ADMINS") or "").split(",") if a.strip())
        return cls(
            bot_token=env.get("SLACK_BOT_TOKEN") or None,
            signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
            app_token=env.get("SLACK_APP_TOKEN") or None,
            api_url=api_url,
            db=env.get("KPIBOT_DB") or "./kpibot.db",
            team=env.get("KPIBOT_TEAM") or "T0LOCAL",
            admins=admins,
            tz=tz,
            port=int(port_text),
            templates=templates,
            ingest_port=int(ingest_text) if ingest_text else None,
            secret_key=env.get("KPIBOT_SECRET_KEY") or None,
            ga4_api_url=_slashed(env.get("KPIBOT_GA4_API_URL") or "https://analyticsdata.googleapis.com/"),
            graph_api_url=_slashed(env.get("KPIBOT_GRAPH_API_URL") or "https://graph.facebook.com/v25.0/"),
            linkedin_api_url=_slashed(env.get("KPIBOT_LINKEDIN_API_URL") or "https://api.linkedin.com/rest/"),
            pinterest_api_url=_slashed(
                env.get("KPIBOT_PINTEREST_API_URL") or "https://api.pinterest.com/v5/"
            ),
            sync_at=sync_at,
            alerts_at=alerts_at,
            language=language,
        )

    def require(self, *names: str) -> None:
        """One error naming every missing variable, so a first start fails once, not once per variable."""
        variables = {
            "bot_token": "SLACK_BOT_TOKEN",
            "signing_secret": "SLACK_SIGNING_SECRET",
            "app_token": "SLACK_APP_TOKEN",
        }
        missing = [variables[n] for n in names if not getattr(self, n)]
        if missing:
            raise ConfigError(
                "Missing settings: " + ", ".join(missing) + ". Set them in the environment or in a .env file "
                "(see .env.example and the README's Slack section)."
            )


def _load_dotenv() -> None:
    path = Path.cwd() / ".env"
    if path.is_file():
        from dotenv import load_dotenv

        load_dotenv(path, override=False)


def _time_of_day(env: dict[str, str], name: str, default: str) -> time:
    text = env.get(name) or default
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{name} must be a time such as {default}, not `{text}`.") from None


def _slashed(url: str) -> str:
    return url if url.endswith("/") else url + "/"
