"""`kpibot connect`, `sources`, `sync` and `disconnect`: connected sources from the command line."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime

from kpi import SOURCE_ARGUMENTS, KpiError, Store, Urls, Vault, connect, describe, disconnect, sync

from .config import Settings


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    con = sub.add_parser("connect", help="connect a source once (ga4, facebook); kpibot serve syncs it daily")
    con.add_argument("kind", choices=sorted(SOURCE_ARGUMENTS))
    con.add_argument("--property", help="ga4: the GA4 property id (digits)")
    con.add_argument("--credentials", help="ga4: the service account's JSON key file")
    con.add_argument("--page", help="facebook: the Page id")
    con.add_argument("--account", help="instagram: the Instagram user id; meta_ads: the ad account (act_...)")
    con.add_argument("--organization", help="linkedin: the organization id of the Page")
    con.add_argument("--token", help="facebook, instagram, meta_ads, linkedin, pinterest: the access token")
    listing = sub.add_parser(
        "sources", help="the team's sources: last sync, latest day, skipped metrics, last error"
    )
    syn = sub.add_parser("sync", help="pull now (all the team's sources, or one)")
    syn.add_argument("id", nargs="?", type=int, help="a source id from `kpibot sources`")
    syn.add_argument("--since", help="re-read from this date (YYYY-MM-DD): a backfill")
    dis = sub.add_parser("disconnect", help="forget a source and its token (its data stays)")
    dis.add_argument("id", type=int)
    for parser in (con, syn):
        parser.add_argument("--now", help=argparse.SUPPRESS)  # act as of this ISO moment (tests, replays)
    for parser in (con, listing, syn, dis):
        parser.add_argument("--team", help="team id (default: $KPIBOT_TEAM or T0LOCAL)")
        parser.add_argument("--db", help="database path (default: $KPIBOT_DB or ./kpibot.db)")


def urls(settings: Settings) -> Urls:
    return Urls(
        ga4=settings.ga4_api_url,
        graph=settings.graph_api_url,
        linkedin=settings.linkedin_api_url,
        pinterest=settings.pinterest_api_url,
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    team = args.team or settings.team
    now = datetime.fromisoformat(args.now) if getattr(args, "now", None) else datetime.now(UTC)
    with Store(args.db or settings.db, default_tz=settings.tz) as store:
        if args.command == "connect":
            options = {
                k: getattr(args, k) for k in ("property", "credentials", "page", "token") if getattr(args, k)
            }
            source_id, found = connect(
                store, team, args.kind, options, Vault(settings.secret_key), urls(settings), now=now
            )
            print(f"Connected source {source_id} ({args.kind}). {found}")
            print("`kpibot sync` pulls it now; `kpibot serve` pulls it every morning.")
        elif args.command == "sources":
            found = store.sources(team)
            if not found:
                print(
                    f"Team {team} has no connected sources. `kpibot connect ga4 ...` or `kpibot connect facebook ...`."
                )
            for source in found:
                print("\n".join(describe(source)))
        elif args.command == "sync":
            return _sync(store, team, args, settings, now)
        else:
            disconnect(store, team, args.id)
            print(f"Source {args.id} is disconnected; its token is deleted and its data stays.")
    return 0


def _sync(store: Store, team: str, args: argparse.Namespace, settings: Settings, now: datetime) -> int:
    since = None
    if args.since:
        try:
            since = date.fromisoformat(args.since)
        except ValueError:
            raise KpiError(f"--since: `{args.since}` is not a date such as 2026-01-01.") from None
    sources = store.sources(team) if args.id is None else [s for s in [store.source(team, args.id)] if s]
    if not sources:
        raise KpiError("No such source. `kpibot sources` lists the team's sources.")
    vault = Vault(settings.secret_key)
    failed = False
    for source in sources:
        outcome = sync(store, source, vault, urls(settings), now=now, since=since)
        print(f"{source.id}. {source.label}: {outcome.status}: {outcome.message}")
        failed = failed or outcome.status != "ok"
    return 1 if failed else 0
