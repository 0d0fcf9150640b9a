"""`kpibot alerts check [--at ISO] [--dry-run]`: the scheduler's check, run by hand."""

from __future__ import annotations

import argparse
import dataclasses
from datetime import date, datetime

from kpi import KpiError, Store, zone

from .config import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    alerts = sub.add_parser("alerts", help="check the alerts now (or as of --at) and post what fired")
    actions = alerts.add_subparsers(dest="action", required=True)
    check = actions.add_parser("check", help="judge every alert and post what fired, once per period")
    check.add_argument(
        "--at", help="the moment to check as of (ISO date-time; a date means that day's daily check time)"
    )
    check.add_argument("--dry-run", action="store_true", help="print what would be posted; post nothing")
    check.add_argument("--team", help="only this team (default: every team with alerts)")
    check.add_argument("--db", help="database path (default: $KPIBOT_DB or ./kpibot.db)")


def _moment(text: str | None, settings: Settings, tz: str) -> datetime | None:
    """--at: a date-time (UTC unless it names its offset), or a date at KPIBOT_ALERTS_AT in ``tz``."""
    if not text:
        return None
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), settings.alerts_at, tzinfo=zone(tz))
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise KpiError(
            f"--at: `{text}` is not an ISO date or date-time such as 2026-11-13T08:00+01:00."
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone("UTC"))


def run(args: argparse.Namespace, settings: Settings) -> int:
    from .alerting import AlertService
    from .delivery import web_client

    if args.db:
        settings = dataclasses.replace(settings, db=args.db)
    if not args.dry_run:
        settings.require("bot_token")
    service = AlertService(settings, None if args.dry_run else web_client(settings))
    teams = [args.team] if args.team else service.teams()
    if not teams:
        print("No alerts yet. In a channel, `/kpi alert engagement anomaly` sets one.")
        return 0
    failed = False
    for team in teams:
        with Store(settings.db, default_tz=settings.tz) as store:
            tz = store.settings(team).tz
        at = _moment(args.at, settings, tz)
        if args.dry_run:
            due = service.preview(team, at)
            for channel, text in due.items():
                print(f"# {team} #{channel}\n{text}\n")
            if not due:
                print(f"# {team}: nothing fires" + (f" as of {args.at}" if args.at else ""))
            continue
        posted = service.check(team, at)
        for outcome in posted:
            failed |= outcome.status != "sent"
            detail = f": {outcome.error}" if outcome.error else ""
            print(f"{team} #{outcome.channel}: {outcome.alerts} alert(s) {outcome.status}{detail}")
        if not posted:
            print(f"{team}: nothing new fires (each alert posts once per period)")
    return 1 if failed else 0
