"""`/kpi`: parse, answer, render. Answers travel in the acknowledgement; a digest (`/kpi report`) is
posted by the bot after it, so rate limits and retries never hold Slack's 3-second window."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from kpi import (
    USAGE,
    InvalidCommand,
    KpiError,
    Report,
    _,
    answer,
    command_word,
    parse,
    parse_period,
    speaking,
    today_in,
)

from ..blocks import error_message, message
from ..delivery import post
from ..deps import Deps, user_message


def register(app: App, deps: Deps) -> None:
    def _answer(command: dict[str, Any], context: Any):
        team = context.team_id or command.get("team_id")
        with deps.store() as store:
            return answer(
                command.get("text", ""),
                deps.context(store, team, command.get("user_id"), command.get("channel_id")),
            )

    def kpi_command(ack: Ack, command: dict[str, Any], context: Any) -> None:
        """Errors raised here become the ephemeral answer in the app's one error handler."""
        reply = _answer(command, context)
        ack(**message(reply))
        if reply.kind == "recorded":
            deps.wrote(context.team_id or command.get("team_id"))

    def is_report(command: dict[str, Any]) -> bool:
        return command_word(command.get("text", "").strip().split(" ", 1)[0]) == "report"

    def checked_report(command: dict[str, Any], context: Any) -> Report:
        """The words of `/kpi report`, checked: a Report, or the error that the acknowledgement shows."""
        report = parse(command.get("text", ""))
        if not isinstance(report, Report):
            raise InvalidCommand(_("Usage: `{form}`").format(form=USAGE["report"]))
        if report.period:
            with deps.store() as store:
                tz = store.settings(context.team_id or command.get("team_id")).tz
            parse_period(report.period, today_in(tz, deps.clock()))
        return report

    def check_report(ack: Ack, command: dict[str, Any], context: Any) -> None:
        """Check the words only; the digest is built once, after the acknowledgement."""
        report = checked_report(command, context)
        team = context.team_id or command.get("team_id")
        with deps.store() as store, speaking(deps.language(store, team)):
            words = (
                _("Posting the weekly digest…")
                if report.cadence == "weekly"
                else _("Posting the quarterly digest…")
            )
        ack(text=words, response_type="ephemeral")

    def post_report(command: dict[str, Any], context: Any, client: WebClient, respond: Respond) -> None:
        """Runs after the acknowledgement: a rate limit or a retry never holds Slack's 3 seconds. Bolt
        runs it even when the acknowledgement refused the command, which then has nothing to post,
        and does not pass its errors to the app's error handler: the response_url tells the user."""
        try:
            checked_report(command, context)
        except KpiError:
            return
        try:
            reply = _answer(command, context)
            from ..chart import render_png

            png = render_png(reply.data) if reply.data.answers else None
            post(client, reply.data, command["channel_id"], deps.templates, png)
        except Exception as exc:
            respond(**error_message(user_message(exc)[0]), replace_original=False)

    # Only `/kpi report` has work after the acknowledgement; other commands skip Bolt's lazy machinery.
    app.command("/kpi", matchers=[is_report])(ack=check_report, lazy=[post_report])
    app.command("/kpi")(kpi_command)
