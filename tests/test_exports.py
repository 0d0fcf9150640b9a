"""Platform exports imported as they are downloaded (SOURCES.md §3), then answered.

Each fixture is written by tests/support/exports.py in the platform's byte layout with known values;
each test imports it through the real importer and asks what a marketer would ask.
"""

from __future__ import annotations

import io
from datetime import date

import pytest

from bot import cli
from kpi.errors import ImportFailed
from kpi.importer import import_file

from .conftest import ask, snapshot
from .support import exports as ex

OCT = ex.days("2026-10-01", 5)


def load(store, name: str, data: bytes, **kwargs):
    return import_file(store, "T1", name, stream=io.BytesIO(data), **kwargs)


def headline(store, text: str) -> str:
    reply = ask(store, text)
    return f"{reply.title} | {reply.lines[0]}"


def value(store, text: str) -> str:
    return ask(store, text).lines[0].split("   ")[0]


# -- Meta Business Suite ------------------------------------------------------------------------------------


def test_business_suite_daily_file_in_utf16_with_sparse_follows(store):
    data = ex.meta_business_suite_daily("Facebook follows", {"2026-10-01": 3, "2026-10-03": 5})
    assert data.startswith(b"\xff\xfes\x00e\x00p\x00=\x00")
    summary = load(store, "Follows.csv", data)
    assert summary.format == "Meta Business Suite daily metric"
    assert (summary.first_day, summary.last_day) == ("2026-10-01", "2026-10-03")
    assert dict(summary.per_metric) == {"new_followers": 2}
    assert value(store, "/kpi new_followers 2026-10 network:facebook") == "8"


def test_meta_views_are_impressions_and_viewers_are_reach(store):
    load(
        store,
        "Instagram_views.csv",
        ex.meta_business_suite_daily("Views", {"2026-10-01": 1200, "2026-10-02": 800}),
    )
    load(store, "instagram-viewers.csv", ex.meta_business_suite_daily("Viewers", {"2026-10-01": 700}))
    assert value(store, "/kpi impressions 2026-10 network:instagram") == "2,000"
    assert value(store, "/kpi reach 2026-10 network:instagram") == "700"


def test_business_suite_utf8_file_with_the_network_in_its_title(store):
    data = ex.meta_business_suite_daily("Instagram profile visits", {"2026-10-02": 42}, encoding="utf-8")
    load(store, "export.csv", data)
    assert value(store, "/kpi profile_visits 2026-10 network:instagram") == "42"


def test_business_suite_file_whose_network_cannot_be_told_is_refused_with_the_fix(store):
    before = snapshot(store)
    data = ex.meta_business_suite_daily("Views", {"2026-10-01": 10})
    with pytest.raises(ImportFailed, match="--tag network=facebook` or `--tag network=instagram"):
        load(store, "export.csv", data)
    assert snapshot(store) == before
    load(store, "export.csv", data, tags={"network": "facebook"})
    assert value(store, "/kpi impressions 2026-10 network:facebook") == "10"


def test_business_suite_content_export_counts_posts_on_their_publish_day(store):
    posts = [
        {"Post ID": "1_2", "Page ID": "99", "Page name": "Demo", "Title": "Hello, all", "Publish time": "10/02/2026 09:15",
         "Post type": "Photos", "Views": 500, "Reach": 400, "Reactions, Comments and Shares": 30, "Reactions": 20,
         "Comments": 6, "Shares": 4, "Total clicks": 12, "Link Clicks": 8, "Other Clicks": 4},
        {"Post ID": "1_3", "Page ID": "99", "Page name": "Demo", "Title": "Second", "Publish time": "10/02/2026 18:00",
         "Post type": "Reels", "Views": 100, "Reach": 90, "Reactions": 5, "Comments": 1, "Shares": 0, "Total clicks": 2},
    ]  # fmt: skip
    summary = load(store, "content.csv", ex.meta_business_suite_content("facebook", posts))
    assert (
        "Reactions, Comments and Shares: the sum of reactions, comments and shares, imported one by one"
        in summary.skipped
    )
    assert value(store, "/kpi posts 2026-10-02 network:facebook") == "2"
    assert value(store, "/kpi post_impressions 2026-10 network:facebook") == "600"
    assert value(store, "/kpi post_likes 2026-10 network:facebook") == "25"
    # Lifetime totals never reach the daily metrics: that would count the posts twice.
    assert "no data" in ask(store, "/kpi impressions 2026-10").lines[0].lower()


def test_instagram_content_export_is_instagrams(store):
    posts = [{"Post ID": "9", "Account ID": "17", "Account username": "demo", "Publish time": "2026-10-03T10:00:00",
              "Post type": "IG reel", "Views": 300, "Reach": 250, "Likes": 30, "Comments": 3, "Saves": 7, "Shares": 2}]  # fmt: skip
    load(store, "ig.csv", ex.meta_business_suite_content("instagram", posts))
    assert value(store, "/kpi post_saves 2026-10 network:instagram") == "7"


# -- GA4 ----------------------------------------------------------------------------------------------------

GA4_ROWS = [
    ("20261001", "Organic Social", 100, 60, 3, 50.0),
    ("20261001", "Direct", 50, 20, 1, 10.0),
    ("20261002", "Referral", 40, 30, 2, 0.0),
    ("20261002", "Paid Social", 10, 10, 0, 0.0),
]


@pytest.mark.parametrize("french", [False, True], ids=["english", "french"])
def test_ga4_traffic_report_sessions_bounces_and_channels(store, french):
    summary = load(store, "traffic.csv", ex.ga4_traffic(GA4_ROWS, "20261001", "20261031", french=french))
    assert summary.format == "Google Analytics 4 report"
    assert any("a summary row of the whole report, skipped" in note for note in summary.notes)
    assert value(store, "/kpi sessions 2026-10") == "200"  # the totals row is not counted again
    assert value(store, "/kpi bounces 2026-10") == "80"  # sessions − engaged sessions: 40 + 30 + 10 + 0
    assert headline(store, "/kpi bounce_rate 2026-10").startswith("Bounce rate · October 2026 | 40.0%")
    assert value(store, "/kpi social_sessions 2026-10") == "110"
    assert value(store, "/kpi referral_sessions 2026-10") == "40"
    assert value(store, "/kpi sessions 2026-10 channel:organic_social") == "100"
    assert value(store, "/kpi conversions 2026-10") == "6"


def test_ga4_overview_tables_by_nth_day_and_a_repeated_metric_is_read_once(store):
    summary = load(store, "overview.csv", ex.ga4_overview("20261001", [10, 20, 30], [5, 10, 15]))
    assert (summary.first_day, summary.last_day) == ("2026-10-01", "2026-10-03")
    assert "Sessions: already read from an earlier table of this file" in summary.skipped
    assert value(store, "/kpi sessions 2026-10-03") == "30"
    assert value(store, "/kpi sessions 2026-10") == "60"


def test_ga4_report_without_a_date_is_refused_with_the_steps(store):
    data = ex.bom_utf8(
        "# Start date: 20261001\n# End date: 20261031\n\nSession default channel group,Sessions\nDirect,5\n"
    )
    before = snapshot(store)
    with pytest.raises(ImportFailed, match="add the Date dimension"):
        load(store, "no-date.csv", data)
    assert snapshot(store) == before


# -- LinkedIn -----------------------------------------------------------------------------------------------

LI_DAYS = [(d, 1000 + i, 700, 30, 20, -1 if i == 2 else 4, 2) for i, d in enumerate(OCT)]


@pytest.mark.parametrize("kind", ["xls", "xlsx"])
def test_linkedin_content_workbook_daily_metrics_and_posts(store, kind):
    data = ex.linkedin_content(kind, LI_DAYS, [(date(2026, 10, 2), "Launch", 900, 40, 30, 5, 3)])
    assert data[:4] == (b"\xd0\xcf\x11\xe0" if kind == "xls" else b"PK\x03\x04")
    summary = load(store, f"demo_content_1696.{kind}", data)
    assert "sheet `Metrics`: LinkedIn Page content (Metrics sheet)" in summary.notes
    assert value(store, "/kpi impressions 2026-10 network:linkedin") == "5,010"
    assert value(store, "/kpi comments 2026-10 network:linkedin") == "15"  # a negative day (-1) is kept
    assert value(store, "/kpi post_impressions 2026-10 network:linkedin") == "900"
    assert value(store, "/kpi posts 2026-10 network:linkedin") == "1"


def test_linkedin_total_followers_is_the_days_gain_not_the_audience(store):
    summary = load(store, "demo_followers.xlsx", ex.linkedin_followers("xlsx", [(d, 10, 2) for d in OCT]))
    assert value(store, "/kpi new_followers 2026-10 network:linkedin") == "60"
    assert ask(store, "/kpi followers 2026-10").lines == ["no data"]
    assert (
        "sheet `Location` skipped: demographics: a snapshot of the whole audience, not by day"
        in summary.notes
    )


def test_linkedin_visitors_workbook(store):
    load(store, "demo_visitors.xls", ex.linkedin_visitors("xls", [(d, 80, 50) for d in OCT]))
    assert value(store, "/kpi page_views 2026-10 network:linkedin") == "400"
    assert value(store, "/kpi page_visitors 2026-10 network:linkedin") == "250"


def test_a_workbook_formula_is_never_evaluated(store):
    """A cell holding `=B3*1000` (no value saved) is read as empty, not computed."""
    data = ex.workbook(
        "xlsx",
        {
            "Metrics": [
                ["description"],
                ["Date", "Impressions (total)"],
                ["10/01/2026", 5],
                ["10/02/2026", "=B3*1000"],
            ]
        },
    )
    load(store, "formula.xlsx", data)
    assert value(store, "/kpi impressions 2026-10 network:linkedin") == "5"


def test_a_zip_bomb_workbook_is_refused_before_it_is_unpacked(store, monkeypatch):
    from kpi.sources import decode

    monkeypatch.setattr(decode, "MAX_UNZIPPED_BYTES", 10_000)
    data = ex.workbook(
        "xlsx", {"Metrics": [["d"], ["Date", "Impressions (total)"]] + [["10/01/2026", 1]] * 2000}
    )
    with pytest.raises(ImportFailed, match="unpacks to"):
        load(store, "big.xlsx", data)


# -- X ------------------------------------------------------------------------------------------------------


def test_x_overview_newest_first_with_reposts_and_shares_as_shares(store):
    rows = {d: {"Impressions": 2000, "Likes": 40, "Replies": 5, "Reposts": 3, "Shares": 2, "Bookmarks": 1,
                "New follows": 7, "Unfollows": 2, "Create Post": 2} for d in OCT}  # fmt: skip
    data = ex.x_overview(rows)
    assert data.splitlines()[1].startswith(b'"Mon, Oct 05, 2026"')
    load(store, "account_overview_analytics.csv", data)
    assert value(store, "/kpi shares 2026-10 network:x") == "25"
    assert value(store, "/kpi engagements 2026-10 network:x") == "255"  # likes + replies + shares + bookmarks
    assert value(store, "/kpi lost_followers 2026-10 network:x") == "10"


def test_x_content_and_legacy_tweet_files_count_posts(store):
    load(
        store,
        "account_analytics_content.csv",
        ex.x_content([(date(2026, 10, 2), 'A post, "quoted",\nnew line', 1500, 30, 4, 2)]),
    )
    assert value(store, "/kpi post_impressions 2026-10-02 network:x") == "1,500"
    store.update_settings("T1", tz="Europe/Paris")
    load(store, "tweet_activity_metrics_demo_20261001_20261031_en.csv",
         ex.x_legacy_tweets([("2026-10-02 23:30 +0000", 800, 3, 2, 10)]))  # fmt: skip
    # 23:30 UTC is 01:30 the next day in Paris: the tweet is the 3rd's.
    assert value(store, "/kpi posts 2026-10-03 network:x") == "1"
    assert value(store, "/kpi post_likes 2026-10-03 network:x") == "10"


def test_x_legacy_daily_activity(store):
    load(store, "daily_tweet_activity_metrics_demo_20261001_20261031_en.csv",
         ex.x_legacy_daily([(d, 900, 2, 1, 8, 1) for d in OCT]))  # fmt: skip
    assert value(store, "/kpi impressions 2026-10 network:x") == "4,500"
    assert value(store, "/kpi new_followers 2026-10 network:x") == "5"


# -- Google Ads ---------------------------------------------------------------------------------------------

GADS = [(d, "Brand", 1234, 12345, 1617.5, 12, 1200.0) for d in OCT]


@pytest.mark.parametrize("variant", ["csv", "excel"], ids=["utf8-csv", "utf16-tab"])
def test_google_ads_report_with_grouped_numbers_and_total_rows(store, variant):
    data = ex.google_ads(GADS, variant=variant)
    summary = load(store, "Campaign report.csv", data)
    assert summary.format == "Google Ads report"
    assert [n for n in summary.notes if "total row" in n] == [
        "line 9: a total row, skipped",
        "line 10: a total row, skipped",
    ]
    assert value(store, "/kpi spend 2026-10 network:google_ads") == "USD 8,087.50"
    assert value(store, "/kpi ad_clicks 2026-10") == "6,170"
    assert value(store, "/kpi cpc 2026-10") == "USD 1.31"
    assert value(store, "/kpi cpm 2026-10") == "USD 131.02"
    assert value(store, "/kpi roas 2026-10") == "0.74"
    assert value(store, "/kpi spend 2026-10 campaign:brand") == "USD 8,087.50"


def test_a_breakdown_by_campaign_is_read_from_the_series_and_the_cube_holds_no_campaign(store):
    rows = GADS + [(d, "Launch", 100, 1000, 50.0, 1, 10.0) for d in OCT]
    load(store, "Campaign report.csv", ex.google_ads(rows, variant="csv"))
    answer = ask(store, "/kpi spend 2026-10 by campaign")
    assert answer.lines[0].split("   ")[0] == "USD 8,337.50"
    assert [row[:2] for row in answer.table.rows] == [["brand", "USD 8,087.50"], ["launch", "USD 250.00"]]
    assert value(store, "/kpi spend 2026-10 campaign:launch") == "USD 250.00"
    cells = store.conn.execute("SELECT count(*) FROM cube_keys WHERE dim = 'campaign'").fetchone()[0]
    assert cells == 0


def test_google_ads_french_headers(store):
    load(store, "rapport.csv", ex.google_ads([(d, "Marque", 10, 100, 5.0, 1, 0.0) for d in OCT], french=True))
    assert value(store, "/kpi ad_impressions 2026-10 campaign:marque") == "500"


def test_google_ads_report_without_a_day_is_refused_with_the_steps(store):
    text = 'Campaign report\n"October 1, 2026 - October 31, 2026"\nCampaign,Clicks,Impr.,Cost\nBrand,10,100,5.00\n'
    with pytest.raises(ImportFailed, match=r"add the Day segment"):
        load(store, "totals.csv", text.encode())


def test_overlapping_exports_double_nothing(store):
    load(store, "first.csv", ex.google_ads(GADS[:3]))
    summary = load(store, "second.csv", ex.google_ads(GADS[1:]))
    assert summary.unchanged == 10 and summary.inserted == 10
    assert value(store, "/kpi ad_impressions 2026-10") == "61,725"


# -- Meta Ads Manager ---------------------------------------------------------------------------------------

LEADS = [(d, "Leads Q4", 5, "actions:offsite_conversion.fb_pixel_lead", 900, 1500, 45.5, 30) for d in OCT]
SALES = [(d, "Sales", 2, "actions:offsite_conversion.fb_pixel_purchase", 900, 1500, 1045.5, 30) for d in OCT]


def test_ads_manager_summary_row_is_skipped_and_results_are_leads_or_conversions(store):
    store.update_settings("T1", currency="EUR")
    summary = load(store, "ads.csv", ex.meta_ads(LEADS + SALES, OCT[0], OCT[-1]))
    assert "line 2: a summary row of the whole report, skipped" in summary.notes
    assert (
        value(store, "/kpi spend 2026-10 network:meta_ads") == "EUR 5,455.00"
    )  # not doubled by the summary row
    assert value(store, "/kpi leads 2026-10") == "25"
    assert value(store, "/kpi ad_conversions 2026-10") == "10"
    assert value(store, "/kpi cost_per_lead 2026-10 campaign:leads_q4") == "EUR 9.10"
    assert not [n for n in summary.notes if "currency" in n]


def test_ads_manager_currency_unlike_the_teams_is_said(store):
    summary = load(store, "ads.csv", ex.meta_ads(LEADS, OCT[0], OCT[-1], currency="GBP"))
    assert any("in GBP but the team's currency is USD" in n for n in summary.notes)


def test_ads_manager_xlsx(store):
    load(store, "ads.xlsx", ex.meta_ads(SALES, OCT[0], OCT[-1], kind="xlsx"))
    assert value(store, "/kpi paid_reach 2026-10") == "4,500"


def test_ads_manager_french_semicolons_decimal_commas_and_narrow_spaces(store):
    data = ex.meta_ads(
        [(d, "Prospects", 5, "actions:lead", 1900, 2500, 1045.5, 30) for d in OCT],
        OCT[0],
        OCT[-1],
        french=True,
    )
    assert "1\u00a0045,50".encode() in data
    load(store, "export_fr.csv", data)
    assert value(store, "/kpi spend 2026-10") == "USD 5,227.50"
    assert value(store, "/kpi leads 2026-10 campaign:prospects") == "25"


def test_ads_manager_in_windows_1252_reads_its_accents(store):
    text = ex.meta_ads(LEADS, OCT[0], OCT[-1], french=True)[3:].decode("utf-8")
    load(store, "export_cp1252.csv", text.encode("cp1252"))
    assert value(store, "/kpi spend 2026-10") == "USD 227.50"


def test_ads_manager_export_without_a_day_is_refused_with_the_steps(store):
    text = "Reporting starts,Reporting ends,Campaign name,Amount spent (EUR)\n2026-10-01,2026-10-31,,10\n2026-10-01,2026-10-31,A,10\n"
    before = snapshot(store)
    with pytest.raises(ImportFailed, match=r"Breakdown → By time → Day"):
        load(store, "ads.csv", text.encode())
    assert snapshot(store) == before


# -- The CLI, as a new user would ---------------------------------------------------------------------------


def downloads(folder) -> list[str]:
    files = {
        "Facebook_Views.csv": ex.meta_business_suite_daily(
            "Facebook views", {d.isoformat(): 1000 for d in OCT}
        ),
        "Facebook_interactions.csv": ex.meta_business_suite_daily(
            "Content interactions", {d.isoformat(): 40 for d in OCT}
        ),
        "traffic_acquisition.csv": ex.ga4_traffic(GA4_ROWS, "20261001", "20261031"),
        "demo_content.xls": ex.linkedin_content("xls", LI_DAYS),
        "account_overview.csv": ex.x_overview(
            {d: {"Impressions": 2000, "Likes": 40, "Replies": 5} for d in OCT}
        ),
        "Campaign report.csv": ex.google_ads(GADS, variant="excel"),
        "ads_manager.xlsx": ex.meta_ads(LEADS, OCT[0], OCT[-1], kind="xlsx"),
    }
    paths = []
    for name, data in files.items():
        (folder / name).write_bytes(data)
        paths.append(str(folder / name))
    return paths


def test_a_folder_of_downloads_imports_in_one_go_and_answers_across_networks(tmp_path, capsys, db_path):
    from .conftest import NOW

    paths = downloads(tmp_path)
    assert cli.main(["import", *paths, "--db", str(db_path), "--team", "T1"]) == 0
    out = capsys.readouterr().out
    assert "format: Google Ads report" in out and "Impr. → ad_impressions" in out
    assert "CTR: a rate: kpibot computes it from the period's sums" in out
    assert (
        cli.main(
            [
                "ask",
                "/kpi engagement last month by network",
                "--db",
                str(db_path),
                "--team",
                "T1",
                "--now",
                NOW.isoformat(),
            ]
        )
        == 0
    )
    answer = capsys.readouterr().out
    for network in ("facebook", "linkedin", "x"):
        assert network in answer


def test_dry_run_writes_nothing_and_says_what_it_would_do(tmp_path, capsys, db_path):
    path = tmp_path / "Campaign report.csv"
    path.write_bytes(ex.google_ads(GADS))
    assert cli.main(["import", str(path), "--db", str(db_path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "5 rows read, 0 rejected (Google Ads report): a dry run, nothing was written" in out
    assert "rows per metric: ad_clicks 5, ad_conversions 5, ad_impressions 5, ad_revenue 5, spend 5" in out
    from kpi.store import Store

    with Store(db_path) as store:
        assert store.conn.execute("SELECT count(*) FROM observations").fetchone() == (0,)


def test_tags_add_a_dimension_and_override_the_formats(tmp_path, capsys, db_path):
    path = tmp_path / "ads.csv"
    path.write_bytes(ex.google_ads(GADS))
    code = cli.main(
        [
            "import",
            str(path),
            "--db",
            str(db_path),
            "--team",
            "T1",
            "--tag",
            "region=FR",
            "--tag",
            "network=search",
        ]
    )
    assert code == 0
    from kpi.store import Store

    with Store(db_path) as store:
        assert value(store, "/kpi spend 2026-10 region:fr network:search") == "USD 8,087.50"


def test_an_unknown_layout_lists_the_formats_and_writes_nothing(store):
    before = snapshot(store)
    with pytest.raises(
        ImportFailed, match="is not a layout kpibot knows. It reads: Meta Business Suite daily metric"
    ):
        load(store, "mystery.csv", b"foo,bar\n1,2\n")
    assert snapshot(store) == before


def test_formats_lists_every_profile(capsys):
    from kpi.sources.registry import PROFILES

    assert cli.main(["import", "--formats"]) == 0
    out = capsys.readouterr().out
    for profile in PROFILES:
        assert profile.name in out


def test_a_forced_format_reads_a_file_detection_would_not(store):
    data = (
        b"Day,Campaign,Cost,Clicks\n2026-10-01,A,5.00,3\n"  # no `Impr.` column: not recognised as Google Ads
    )
    with pytest.raises(ImportFailed):
        load(store, "ads.csv", data)
    load(store, "ads.csv", data, format="google_ads")
    assert value(store, "/kpi spend 2026-10") == "USD 5.00"


# -- Bounds -------------------------------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(store, monkeypatch):
    from kpi.sources import decode

    monkeypatch.setattr(decode, "MAX_FILE_BYTES", 1000)
    monkeypatch.setattr(decode, "MAX_WORKBOOK_BYTES", 1000)
    before = snapshot(store)
    with pytest.raises(ImportFailed, match="kpibot imports files of up to"):
        load(store, "big.csv", ex.google_ads(GADS * 10))
    with pytest.raises(ImportFailed, match="kpibot imports workbooks of up to"):
        load(store, "big.xlsx", ex.linkedin_visitors("xlsx", [(d, 80, 50) for d in OCT]))
    assert snapshot(store) == before


def test_an_export_with_too_many_columns_is_refused(store):
    header = "Day,Campaign,Impr.,Cost," + ",".join(f"extra {i}" for i in range(1200))
    with pytest.raises(ImportFailed, match="1,204 columns; kpibot reads files of up to 1,000"):
        load(store, "wide.csv", f"{header}\n2026-10-01,A,1,2\n".encode())


def test_a_workbook_sheet_past_the_cell_limit_is_refused(store, monkeypatch):
    from kpi.sources import decode

    monkeypatch.setattr(decode, "MAX_SHEET_CELLS", 50)
    with pytest.raises(ImportFailed, match="kpibot reads sheets of up to 50 cells"):
        load(store, "visitors.xls", ex.linkedin_visitors("xls", [(d, 80, 50) for d in OCT]))


def test_the_new_kpis_are_listed(store):
    listed = {row[0] for row in ask(store, "/kpi list").table.rows}
    for name in (
        "cpc",
        "cpm",
        "ad_ctr",
        "roas",
        "ad_impressions",
        "page_views",
        "post_impressions",
        "interactions",
    ):
        assert name in listed
