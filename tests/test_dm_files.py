"""Files shared in a DM: only Slack's file origin gets the token, and every download is bounded."""

from __future__ import annotations

import threading
import time

import pytest

from bot import downloads
from kpi.store import Store

from .conftest import NOW, snapshot
from .support.server import AppServer, fixed_clock, settings_for
from .support.slack_api import BOT_TOKEN, SlackApi

CSV = b"date,metric,value,network\n2026-11-10,impressions,500,x\n"


@pytest.fixture
def server(api, loaded_db):
    with AppServer(settings_for(loaded_db, api.url), fixed_clock(NOW)) as running:
        yield running


@pytest.fixture
def thief():
    """Another origin on the same host: it must never see the bot token."""
    with SlackApi(token="nobody") as other:
        yield other


def share(
    server,
    event_url: str = "http://example.invalid/x",
    event_id: str = "EvF",
    size: int = 100,
    text: str = "",
):
    event = {
        "type": "message",
        "subtype": "file_share",
        "channel": "D1",
        "channel_type": "im",
        "user": "U1",
        "ts": "1.1",
        "text": text,
        "files": [
            {"id": "F1", "name": "x.csv", "filetype": "csv", "size": size, "url_private_download": event_url}
        ],
    }
    assert server.event(event, event_id=event_id).status == 200


def reply(api) -> str:
    return api.wait_for("chat.postMessage")[0].body["text"]


def tokens_seen(stand_in) -> list[str]:
    return [d["authorization"] for d in stand_in.downloads if d["authorization"]]


def test_the_events_url_and_size_are_not_trusted_files_info_is(server, api, thief):
    api.serve_file("more.csv", CSV)
    share(server, event_url=f"http://127.0.0.1:{thief.port}/files/steal", size=10)
    assert reply(api).startswith("`more.csv`: 1 rows read, 1 inserted")
    assert api.calls_to("files.info")[0].body["file"] == "F1"
    assert thief.downloads == []


@pytest.mark.parametrize(
    "where",
    ["another port", "file", "ftp", "another host"],
)
def test_a_file_not_on_slacks_file_origin_is_not_fetched(server, api, thief, loaded_db, where):
    urls = {
        "another port": f"http://127.0.0.1:{thief.port}/files/more.csv",
        "file": "file:///proc/self/environ",
        "ftp": f"ftp://127.0.0.1:{api.port}/files/more.csv",
        "another host": f"http://localhost:{api.port}/files/more.csv",
    }
    with Store(loaded_db) as store:
        before = snapshot(store)
    api.serve_file("more.csv", CSV, url=urls[where])
    share(server)
    text = reply(api)
    assert text == "`more.csv` is not stored on Slack's file servers, so I did not download it."
    assert thief.downloads == [] and api.downloads == []
    with Store(loaded_db) as store:
        assert snapshot(store) == before


def test_a_redirect_to_another_origin_is_not_followed_with_the_token(server, api, thief):
    thief.serve_file("more.csv", CSV)
    target = f"http://127.0.0.1:{thief.port}/files/more.csv"
    api.serve_file("more.csv", CSV, url=f"http://127.0.0.1:{api.port}/redirect?to={target}")
    share(server)
    assert reply(api) == "Slack sent the file from somewhere else; I did not follow it."
    assert tokens_seen(api) == [f"Bearer {BOT_TOKEN}"]
    assert thief.downloads == []


def test_a_file_over_the_limit_is_refused_before_download(server, api):
    api.serve_file("big.csv", CSV, size=downloads.MAX_FILE_BYTES + 1)
    share(server)
    assert reply(api).startswith("`big.csv` is 50.0 MB; files shared with me can be up to 50 MB.")
    assert api.downloads == []


def test_a_file_bigger_than_slack_said_is_cut_off_and_nothing_imported(server, api, loaded_db):
    with Store(loaded_db) as store:
        before = snapshot(store)
    api.serve_file("liar.csv", CSV * 50, size=len(CSV))
    share(server)
    assert reply(api) == "`liar.csv` is bigger than Slack said; I stopped downloading it."
    with Store(loaded_db) as store:
        assert snapshot(store) == before


def test_a_slow_download_is_stopped_at_its_deadline(server, api, monkeypatch):
    monkeypatch.setattr(downloads, "DOWNLOAD_SECONDS", 0.5)
    api.drip_seconds = 0.1
    api.serve_file("slow.csv", CSV * 20, url=f"http://127.0.0.1:{api.port}/drip/slow.csv")
    started = time.monotonic()
    share(server)
    assert reply(api).startswith("`slow.csv` took over 0.5 seconds to download.")
    assert time.monotonic() - started < 5


def test_downloads_at_once_are_bounded_and_the_next_one_is_told_to_wait(api):
    api.drip_seconds = 0.05
    api.serve_file("slow.csv", CSV * 20, url=f"http://127.0.0.1:{api.port}/drip/slow.csv")
    info = api.file_meta["F1"]
    results: list[object] = []
    running = [
        threading.Thread(target=lambda: results.append(downloads.download(info, BOT_TOKEN, api.url).read()))
        for _ in range(downloads.MAX_CONCURRENT)
    ]
    for thread in running:
        thread.start()
    while len(api.downloads) < downloads.MAX_CONCURRENT:
        time.sleep(0.01)
    with pytest.raises(downloads.DownloadRefused, match="I'm already downloading 2 files"):
        downloads.download(info, BOT_TOKEN, api.url)
    for thread in running:
        thread.join()
    assert results == [CSV * 20] * downloads.MAX_CONCURRENT
    assert downloads.download(info, BOT_TOKEN, api.url).read() == CSV * 20  # the slots are free again


def test_only_slacks_file_origin_and_a_stand_in_api_are_allowed():
    assert downloads.allowed_origins("https://slack.com/api/") == {("https", "files.slack.com", 443)}
    assert downloads.allowed_origins("http://127.0.0.1:8123/api/") == {
        ("https", "files.slack.com", 443),
        ("http", "127.0.0.1", 8123),
    }
    assert downloads.allowed_origins("https://slack-gov.com/api/") == {("https", "files.slack-gov.com", 443)}
    assert downloads.origin("https://files.slack.com:444/x") == ("https", "files.slack.com", 444)
    assert downloads.origin("file:///etc/passwd") is None


def test_an_xlsx_export_shared_in_a_dm_is_imported_with_the_messages_tags(server, api, loaded_db):
    from datetime import date

    from .conftest import ask
    from .support import exports

    workbook = exports.linkedin_visitors("xlsx", [(date(2026, 11, 10), 80, 50), (date(2026, 11, 11), 20, 10)])
    api.serve_file("demo_visitors.xlsx", workbook, filetype="xlsx")
    share(
        server, event_id="EvXlsx", text="our French page region:fr"
    )  # the event's name and type are not trusted
    text = reply(api)
    assert text.startswith(
        "`demo_visitors.xlsx`: 2 rows read, 4 inserted, 0 replaced, 0 rejected (LinkedIn Page visitors"
    )
    assert "Total page views (total) → page_views" in text and "dates: 2026-11-10 to 2026-11-11" in text
    with Store(loaded_db) as store:
        assert ask(store, "/kpi page_views 2026-W46 region:fr").lines[0].startswith("100 ")


def test_a_file_that_is_not_an_export_is_refused_in_words(server, api, loaded_db):
    with Store(loaded_db) as store:
        before = snapshot(store)
    api.serve_file("logo.png", b"\x89PNG\r\n", filetype="png")
    share(server, event_id="EvPng")
    assert "is not a file I can import" in reply(api)
    with Store(loaded_db) as store:
        assert snapshot(store) == before
