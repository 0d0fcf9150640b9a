"""`kpibot token create|list|revoke`: the push API's bearer tokens, made and shown once."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from kpi import Store, create_token, revoke_token

from .config import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    token = sub.add_parser("token", help="make, list or revoke the push API's bearer tokens")
    actions = token.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="make a token for a team (shown once)")
    create.add_argument("--name", help="a name to tell it apart (default: token-N)")
    actions.add_parser("list", help="the team's tokens, by name (never the tokens themselves)")
    revoke = actions.add_parser("revoke", help="revoke a token by name")
    revoke.add_argument("name")
    for parser in (create, actions.choices["list"], revoke):
        parser.add_argument("--team", help="team id (default: $KPIBOT_TEAM or T0LOCAL)")
        parser.add_argument("--db", help="database path (default: $KPIBOT_DB or ./kpibot.db)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    team = args.team or settings.team
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with Store(args.db or settings.db, default_tz=settings.tz) as store:
        if args.action == "create":
            token, record = create_token(store, team, args.name, now=now)
            print(f"Token `{record.name}` for team {team} (shown only now; kpibot keeps only its hash):")
            print(token)
            print(f"Use it as: Authorization: Bearer {token[:16]}...")
        elif args.action == "list":
            tokens = store.tokens(team)
            if not tokens:
                print(f"Team {team} has no push API tokens. `kpibot token create` makes one.")
            for record in tokens:
                used = record.last_used_at or "never"
                print(f"{record.name:<24} created {record.created_at}  last used {used}")
        else:
            revoke_token(store, team, args.name)
            print(f"Token `{args.name}` of team {team} is revoked: requests with it now get 401.")
    return 0
