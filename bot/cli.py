"""The `kpibot` command: the composition root that reads settings, opens the store and picks a surface."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kpi import KpiError, _, speaking

from . import alert_command, source_commands, token_command
from .config import Settings

log = logging.getLogger("kpibot")

EXIT_OK, EXIT_USER_ERROR, EXIT_FAILURE = 0, 1, 2
EXIT_BROKEN_PIPE = 128 + 13  # what a shell reports for a command stopped by SIGPIPE
DEMO_DB = "kpibot-demo.db"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kpibot", description="Marketing and social-media KPIs, in Slack and here."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", help="build a demo database and open a console that answers /kpi commands")
    demo.add_argument("--db", default=DEMO_DB, help=f"demo database path (default: {DEMO_DB})")
    demo.add_argument("--team", help="team id (default: $KPIBOT_TEAM or T0LOCAL)")
    demo.add_argument(
        "--now",
        help="build and answer as if it were this ISO date-time (for scripts and reproducible output)",
    )
    demo.add_argument("--lang", choices=["en", "fr"], help="answer in this language (default: the team's)")

    ask = sub.add_parser("ask", help='answer one command, e.g. kpibot ask "/kpi engagement last quarter"')
    ask.add_argument("text", help="the command, with or without the leading /kpi")
    ask.add_argument("--team", help="team id (default: $KPIBOT_TEAM or T0LOCAL)")
    ask.add_argument("--channel", default="console", help="channel id for subscriptions (default: console)")
    ask.add_argument("--user", default="console", help="user id, checked against KPIBOT_ADMINS")
    ask.add_argument("--db", help="database path (default: $KPIBOT_DB or ./kpibot.db)")
    ask.add_argument(
        "--now", help="answer as if it were this ISO date-time (for scripts and reproducible output)"
    )
    ask.add_argument("--lang", choices=["en", "fr"], help="answer in this language (default: the team's)")

    serve = sub.add_parser(
        "serve", help="run the Slack app (Socket Mode if SLACK_APP_TOKEN is set, else HTTP)"
    )
    serve.add_argument("--http", action="store_true", help="serve HTTP even when SLACK_APP_TOKEN is set")
    serve.add_argument("--port", type=int, help="HTTP port (default: $PORT or 3000)")
    serve.add_argument("--host", default="0.0.0.0", help="HTTP address to listen on (default: 0.0.0.0)")
    serve.add_argument(
        "--workers",
        type=int,
        default=2,
        help="HTTP worker processes (default: 2, one per core of a small machine)",
    )

    digest = sub.add_parser("digest", help="post (or preview) the digests due now, or at --at")
    digest.add_argument("cadence", choices=["weekly", "quarterly"])
    digest.add_argument("--channel", help="only this channel's subscription (a channel id)")
    digest.add_argument("--at", help="the moment to act as of (ISO date or date-time; a date means its end)")
    digest.add_argument(
        "--dry-run", action="store_true", help="print the digests and write their charts; post nothing"
    )
    digest.add_argument("--out", default=".", help="folder for --dry-run charts (default: current folder)")
    digest.add_argument("--db", help="database path (default: $KPIBOT_DB or ./kpibot.db)")

    imp = sub.add_parser(
        "import",
        help="import platform exports (Meta, LinkedIn, X, GA4, Google Ads, Ads Manager) or kpibot CSVs",
    )
    imp.add_argument("files", nargs="*", metavar="FILE")
    imp.add_argument(
        "--formats", action="store_true", help="list every format kpibot reads, with an example header"
    )
    imp.add_argument(
        "--tag",
        action="append",
        default=[],
        metavar="DIM=VALUE",
        help="add a dimension to every row (repeatable; overrides what the format sets, e.g. network=instagram)",
    )
    imp.add_argument(
        "--dry-run",
        action="store_true",
        help="read and check the files, say what would be imported, write nothing",
    )
    imp.add_argument(
        "--format", help="read the files as this format instead of recognising it (see --formats)"
    )
    imp.add_argument("--team", help="team id (default: $KPIBOT_TEAM or T0LOCAL)")
    imp.add_argument(
        "--skip-invalid", action="store_true", help="write the valid rows and list the invalid ones"
    )
    imp.add_argument("--db", help="database path (default: $KPIBOT_DB or ./kpibot.db)")
    token_command.add_parser(sub)
    alert_command.add_parser(sub)
    source_commands.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_OK
    commands: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
        "demo": _demo,
        "ask": _ask,
        "import": _import,
        "serve": _serve,
        "digest": _digest,
        "token": token_command.run,
        "alerts": alert_command.run,
        "connect": source_commands.run,
        "sources": source_commands.run,
        "sync": source_commands.run,
        "disconnect": source_commands.run,
    }
    try:
        settings = Settings.from_env()
        return commands[args.command](args, settings)
    except KpiError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_left()
    except Exception:
        ref = uuid.uuid4().hex[:8]
        log.exception("unexpected error (ref %s)", ref)
        print(f"Something went wrong (ref {ref}); the log has the details.", file=sys.stderr)
        return EXIT_FAILURE


def _reader_left() -> int:
    """`kpibot demo | head` closes the pipe early: stop quietly, as Unix tools do, not with a traceback.

    Output still buffered would fail again when Python flushes it at exit, so stdout goes to devnull.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_BROKEN_PIPE


def _now(text: str | None, option: str = "--now") -> datetime:
    """An option's ISO date-time (UTC unless it names its offset), or the current moment."""
    if not text:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise KpiError(
            f"{option}: `{text}` is not an ISO date-time such as 2026-11-23T09:00+01:00."
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _answer_line(
    text: str,
    team: str,
    settings: Settings,
    db: str,
    *,
    channel: str,
    user: str,
    now: datetime | None = None,
    lang: str | None = None,
) -> tuple[str, bool]:
    from kpi import Context, Store, answer

    from .console import render

    with Store(db, default_tz=settings.tz) as store:
        moment = now or datetime.now(UTC)
        ctx = Context(store, team, moment, user, channel, settings.admins, lang, settings.language)
        try:
            return render(answer(text, ctx), settings.templates), True
        except KpiError as exc:
            return str(exc), False


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    text, ok = _answer_line(
        args.text,
        args.team or settings.team,
        settings,
        args.db or settings.db,
        channel=args.channel,
        user=args.user,
        now=_now(args.now),
        lang=args.lang,
    )
    print(text, file=sys.stdout if ok else sys.stderr)
    return EXIT_OK if ok else EXIT_USER_ERROR


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import timedelta

    from kpi import Store, demo, today_in

    team = args.team or settings.team
    now = _now(args.now)
    tty = sys.stdin.isatty() and sys.stdout.isatty()
    with Store(args.db, default_tz=settings.tz) as store:
        fresh = store.latest_date(team) is None
        yesterday = today_in(store.settings(team).tz if not fresh else "Europe/Paris", now)
        yesterday -= timedelta(days=1)
        if tty:
            from rich.progress import Progress

            with Progress(transient=True) as bar, speaking(args.lang or settings.language):
                task = bar.add_task(
                    _("Building the demo data") if fresh else _("Topping up the demo data"), total=1
                )
                days = demo.fill(
                    store, team, yesterday, lambda done, total: bar.update(task, completed=done, total=total)
                )
        else:
            days = demo.fill(store, team, yesterday)
    if tty:
        with speaking(args.lang or settings.language):
            if fresh:
                head = _("Demo database {db} created: team {team}, data through {day}.")
            elif days:
                head = _("Demo database {db} topped up: team {team}, data through {day}.")
            else:
                head = _("Demo database {db} reused: team {team}, data through {day}.")
            print(head.format(db=args.db, team=team, day=yesterday.isoformat()))
            print(
                _(
                    'Type /kpi commands (try "/kpi engagement last quarter by network", "/kpi goals", '
                    '"/kpi alert engagement anomaly", "/kpi help"); Ctrl-D to quit.'
                )
                + "\n"
            )
    return _console(args.db, team, settings, tty, now if args.now else None, args.lang)


def _console(
    db: str, team: str, settings: Settings, tty: bool, now: datetime | None, lang: str | None = None
) -> int:
    """One answer per line until the end of input; ``now`` fixes the clock (else each line reads it)."""
    while True:
        try:
            line = input("kpi> " if tty else "")
        except EOFError:
            if tty:
                print()
            return EXIT_OK
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line in ("exit", "quit"):
            return EXIT_OK
        text, _ = _answer_line(line, team, settings, db, channel="demo", user="console", now=now, lang=lang)
        if not tty:
            print(f"> {line}")
        print(text)
        print()


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from kpi import ImportFailed, Store, _, formats_help, parse_tag, speaking

    if args.formats:
        print("\n".join(formats_help()))
        return EXIT_OK
    if not args.files:
        print("kpibot import: name at least one FILE (or --formats to list the formats).", file=sys.stderr)
        return EXIT_USER_ERROR
    tags = dict(parse_tag(t) for t in args.tag)
    team = args.team or settings.team
    failed = wrote = False
    tty = sys.stderr.isatty()
    with Store(args.db or settings.db, default_tz=settings.tz) as store:
        tz = store.settings(team).tz
        language = store.settings(team).language or settings.language
        options = {
            "skip_invalid": args.skip_invalid,
            "tz": tz,
            "tags": tags,
            "dry_run": args.dry_run,
            "format": args.format,
        }
        for name in args.files:
            path = Path(name)
            if not path.is_file():
                with speaking(language):
                    print(_("{name}: no such file.").format(name=name), file=sys.stderr)
                failed = True
                continue
            try:
                with speaking(language):  # the rows' problems are worded in the team's language
                    summary = _import_one(store, team, path, options, tty)
            except KpiError as exc:  # a refused file, or the database busy with another import
                failed = True
                print(f"{name}: {exc}", file=sys.stderr)
                if isinstance(exc, ImportFailed):
                    for problem in exc.problems:
                        print(f"  {problem}", file=sys.stderr)
                continue
            wrote |= bool(summary.inserted or summary.replaced) and not args.dry_run
            with speaking(language):
                print(f"{name}: {summary.counts()}")
                for line in summary.details():
                    print(f"  {line}")
                for line in summary.listing():
                    print(f"  {line}")
    if wrote:
        _check_alerts(team, settings, args.db)
    return EXIT_USER_ERROR if failed else EXIT_OK


def _check_alerts(team: str, settings: Settings, db: str | None) -> None:
    """New data's alerts, checked now when this machine can post (SLACK_BOT_TOKEN); otherwise
    `kpibot serve` checks them within a minute, as it notices the data changed."""
    import dataclasses

    from .alerting import AlertService
    from .delivery import web_client

    if not settings.bot_token:
        return
    settings = dataclasses.replace(settings, db=db or settings.db)
    for outcome in AlertService(settings, web_client(settings)).check(team):
        detail = f": {outcome.error}" if outcome.error else ""
        print(f"alerts: {outcome.alerts} {outcome.status} in #{outcome.channel}{detail}")


def _import_one(store: Any, team: str, path: Path, options: dict[str, Any], tty: bool) -> Any:
    """One file, with progress bars (checking, then writing) on a terminal."""
    from kpi import import_file

    if not tty:
        return import_file(store, team, path, **options)
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        tasks = {
            "reading": bar.add_task(f"Checking {path.name}", total=path.stat().st_size),
            "writing": bar.add_task(f"Writing {path.name}", total=None),
        }
        return import_file(
            store,
            team,
            path,
            progress=lambda stage, done, total: bar.update(tasks[stage], completed=done, total=total),
            **options,
        )


def _moment(text: str | None, tz: str) -> datetime:
    """--at: a date-time, or a date meaning its end in the subscription's zone ``tz``."""
    from datetime import date, time

    from kpi import zone

    if text and len(text) == 10:
        try:
            return datetime.combine(date.fromisoformat(text), time(23, 59), tzinfo=zone(tz))
        except ValueError:
            raise KpiError(f"--at: `{text}` is not a date such as 2026-11-16.") from None
    return _now(text, "--at")


def _digest(args: argparse.Namespace, settings: Settings) -> int:
    from kpi import Store, last_run

    from .delivery import DigestCache, deliver, preview, web_client
    from .templating import environment

    if not args.dry_run:
        settings.require("bot_token")
    env = environment(settings.templates)
    client = web_client(settings)
    out = Path(args.out)
    cache = DigestCache(default_language=settings.language)
    found = False
    failed = False
    with Store(args.db or settings.db, default_tz=settings.tz) as store:
        for team, sub in store.subscriptions(channel=args.channel):
            if sub.cadence != args.cadence:
                continue
            found = True
            fired = last_run(sub.cadence, sub.day, sub.time, sub.tz, _moment(args.at, sub.tz))
            language = store.settings(team).language or settings.language
            if args.dry_run:
                text, chart = preview(store, team, sub, fired, env, out, cache)
                with speaking(language):
                    print(
                        f"# {team} {sub.channel}\n{text}\n\n" + _("chart: {path}").format(path=chart) + "\n"
                    )
                continue
            outcome = deliver(client, store, team, sub, fired, env, cache, now=datetime.now(UTC))
            failed |= outcome.status == "failed"
            with speaking(language):
                detail = f": {outcome.error}" if outcome.error else ""
                if outcome.status == "skipped":
                    detail = " " + _("(already posted or being posted; each digest is posted once)")
                status = (
                    DELIVERY_WORDS[outcome.status]() if outcome.status in DELIVERY_WORDS else outcome.status
                )
                print(f"{team} {sub.channel} {sub.cadence} {outcome.period}: {status}{detail}")
    if not found:
        with speaking(settings.language):
            if args.channel:
                text = _(
                    "No {cadence} subscriptions for channel {channel}. In a channel, `/kpi subscribe {cadence}` adds one."
                )
            else:
                text = _("No {cadence} subscriptions. In a channel, `/kpi subscribe {cadence}` adds one.")
            print(text.format(cadence=args.cadence, channel=args.channel))
    return EXIT_USER_ERROR if failed else EXIT_OK


DELIVERY_WORDS = {
    "sent": lambda: _("sent"),
    "skipped": lambda: _("skipped"),
    "failed": lambda: _("failed"),
    "unconfirmed": lambda: _("unconfirmed"),
}


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from kpi import Store

    from . import logs
    from .app import build_app

    socket_mode = bool(settings.app_token) and not args.http
    settings.require("bot_token", "app_token" if socket_mode else "signing_secret")
    logs.setup([settings.bot_token or "", settings.app_token or "", settings.signing_secret or ""])
    Store(settings.db, default_tz=settings.tz).close()  # migrations run now, not on the first request
    app = build_app(settings)
    from . import scheduler

    digests = scheduler.start(settings, app.client)
    log.info("kpibot: digest scheduler started with %d job(s)", len(digests.get_jobs()))
    if socket_mode:
        from slack_bolt.adapter.socket_mode import SocketModeHandler
        from slack_sdk.errors import SlackApiError

        log.info("kpibot: Socket Mode (database %s)", settings.db)
        if settings.ingest_port:
            from .server import serve_push_in_background

            serve_push_in_background(app, settings, args.host, settings.ingest_port)
            log.info("kpibot: push API on http://%s:%s/api/v1/observations", args.host, settings.ingest_port)
        try:
            SocketModeHandler(app, settings.app_token).start()
        except SlackApiError as exc:
            raise KpiError(
                f"Socket Mode could not connect: {exc.response.get('error')}. Check SLACK_APP_TOKEN "
                "(an xapp- token with connections:write) and that Socket Mode is on for the app."
            ) from None
        return EXIT_OK
    from .server import serve_http

    port = args.port or settings.port
    log.info(
        "kpibot: listening on http://%s:%s/slack/events with %d worker(s) (database %s)",
        args.host,
        port,
        args.workers,
        settings.db,
    )
    serve_http(app, settings, args.host, port, args.workers)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
