"""Downloading a file shared with the bot, without trusting anything the event says about it.

The event names a file; ``files.info`` says where it is and how big. The bot token is sent only to
Slack's file origin (``https://files.slack.com``, or the origin of ``SLACK_API_URL`` when that points
at a stand-in), over HTTP(S), never along a redirect to another origin. A download is bounded in
bytes (the smaller of the limit and the size Slack reports), in time, and in how many run at once, so
slow or huge files cannot hold the worker threads that answer everyone else.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
import urllib.error
import urllib.request
from typing import IO, Any
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from kpi import KpiError

log = logging.getLogger("kpibot.slack")

MAX_FILE_BYTES = 50 * 1024 * 1024
DOWNLOAD_SECONDS = 60.0
MAX_CONCURRENT = 2
# Each Slack API host and the origin its files are served from (GovSlack has its own).
FILE_ORIGINS = {"slack.com": "https://files.slack.com", "slack-gov.com": "https://files.slack-gov.com"}
_slots = threading.BoundedSemaphore(MAX_CONCURRENT)


class DownloadRefused(KpiError):
    """A shared file kpibot will not or could not fetch; the message says why and what to do."""


def origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL, None for any other kind."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port or (443 if parts.scheme == "https" else 80)


def allowed_origins(api_url: str) -> set[tuple[str, str, int]]:
    """Slack's file origin (GovSlack's for its API), or the API's own origin when SLACK_API_URL is
    neither (a stand-in serving both)."""
    api = origin(api_url)
    if api is None:
        return {o for o in [origin(FILE_ORIGINS["slack.com"])] if o is not None}
    files = FILE_ORIGINS.get(api[1])
    allowed = {origin(files)} if files else {origin(FILE_ORIGINS["slack.com"]), api}
    return {o for o in allowed if o is not None}


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only within the origin the token was meant for."""

    def __init__(self, allowed: set[tuple[str, str, int]]) -> None:
        self.allowed = allowed

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        if origin(newurl) not in self.allowed or origin(newurl) != origin(req.full_url):
            raise DownloadRefused("Slack sent the file from somewhere else; I did not follow it.")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def file_info(client: WebClient, file_id: str) -> dict[str, Any]:
    """The file as Slack describes it (name, size, download URL), looked up by id."""
    try:
        return client.files_info(file=file_id)["file"]
    except SlackApiError as exc:
        log.warning("files.info for %s failed: %s", file_id, exc.response.get("error"))
        raise DownloadRefused("I couldn't look that file up in Slack. Share it again in a moment.") from None


def download(
    info: dict[str, Any],
    token: str,
    api_url: str,
    *,
    limit: int | None = None,
    seconds: float | None = None,
) -> IO[bytes]:
    """The file's bytes in a temporary file (rewound), or ``DownloadRefused`` saying why."""
    limit = MAX_FILE_BYTES if limit is None else limit
    seconds = DOWNLOAD_SECONDS if seconds is None else seconds
    name = info.get("name") or "the file"
    size = info.get("size")
    if not isinstance(size, int) or size < 0:
        raise DownloadRefused(f"Slack did not say how big `{name}` is, so I did not download it.")
    if size > limit:
        raise DownloadRefused(
            f"`{name}` is {size / 2**20:.1f} MB; files shared with me can be up to {limit // 2**20} MB. "
            "Import it with `kpibot import` instead."
        )
    url = info.get("url_private_download") or ""
    allowed = allowed_origins(api_url)
    if origin(url) not in allowed:
        log.warning("refused to download %s from %r: not Slack's file origin", name, url[:200])
        raise DownloadRefused(f"`{name}` is not stored on Slack's file servers, so I did not download it.")
    if not _slots.acquire(blocking=False):
        raise DownloadRefused(
            f"I'm already downloading {MAX_CONCURRENT} files. Share `{name}` again in a minute."
        )
    try:
        return _fetch(url, token, allowed, name, size, seconds)
    finally:
        _slots.release()


def _fetch(
    url: str, token: str, allowed: set[tuple[str, str, int]], name: str, size: int, seconds: float
) -> IO[bytes]:
    opener = urllib.request.build_opener(_SameOriginRedirects(allowed))
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    deadline = time.monotonic() + seconds
    buffer = tempfile.TemporaryFile()  # noqa: SIM115 - returned open to the caller, who closes it
    try:
        with opener.open(request, timeout=min(seconds, 15)) as response:
            received = 0
            while chunk := response.read(1 << 16):
                received += len(chunk)
                if received > size:
                    raise DownloadRefused(f"`{name}` is bigger than Slack said; I stopped downloading it.")
                if time.monotonic() > deadline:
                    raise DownloadRefused(
                        f"`{name}` took over {seconds:g} seconds to download. Share it again later, or "
                        "import it with `kpibot import`."
                    )
                buffer.write(chunk)
    except DownloadRefused:
        buffer.close()
        raise
    except (OSError, urllib.error.URLError) as exc:
        buffer.close()
        log.warning("download of %s failed: %s", name, exc)
        raise DownloadRefused(
            f"I couldn't download `{name}` from Slack. Share it again in a moment."
        ) from None
    buffer.seek(0)
    return buffer
