"""Platform exports written byte for byte as the platforms write them (reference/data-sources.md):
encodings and BOMs, preambles, separators, quoting, newest-first rows, totals and summary rows.

Values are synthetic and small, so each test can say what the answer must be.
"""

from __future__ import annotations

import codecs
import io
from datetime import date, timedelta

NBSP = "\u00a0"


def days(first: str, count: int) -> list[date]:
    start = date.fromisoformat(first)
    return [start + timedelta(days=i) for i in range(count)]


def utf16(text: str) -> bytes:
    """UTF-16LE with its BOM (FF FE), as Business Suite and Google Ads' "Excel CSV" write it."""
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le")


def bom_utf8(text: str) -> bytes:
    return codecs.BOM_UTF8 + text.encode("utf-8")


def crlf(lines: list[str]) -> str:
    return "\r\n".join(lines) + "\r\n"


def meta_business_suite_daily(title: str, values: dict[str, int], encoding: str = "utf-16") -> bytes:
    """`sep=,`, the metric's title, `"Date","Primary"`, then quoted midnight date-times."""
    lines = ["sep=,", f'"{title}"', '"Date","Primary"']
    lines += [f'"{day}T00:00:00","{value}"' for day, value in values.items()]
    text = crlf(lines)
    return utf16(text) if encoding == "utf-16" else text.encode(encoding)


def meta_business_suite_content(network: str, posts: list[dict[str, object]]) -> bytes:
    """One row per post, lifetime totals, `Date` literally `Lifetime`; UTF-8 with BOM."""
    if network == "facebook":
        header = ["Post ID", "Page ID", "Page name", "Title", "Description", "Publish time", "Permalink", "Post type",
                  "Date", "Views", "Reach", "Reactions, Comments and Shares", "Reactions", "Comments", "Shares",
                  "Total clicks", "Link Clicks", "Other Clicks"]  # fmt: skip
    else:
        header = ["Post ID", "Account ID", "Account username", "Description", "Publish time", "Permalink",
                  "Post type", "Date", "Views", "Reach", "Likes", "Comments", "Saves", "Shares", "Follows"]  # fmt: skip
    out = io.StringIO()
    out.write(",".join(f'"{h}"' if "," in h else h for h in header) + "\r\n")
    for post in posts:
        row = []
        for column in header:
            value = post.get(column, "")
            if column == "Date":
                value = "Lifetime"
            text = str(value)
            row.append(f'"{text}"' if "," in text or '"' in text else text)
        out.write(",".join(row) + "\r\n")
    return bom_utf8(out.getvalue())


GA4_PREAMBLE = [
    "# ----------------------------------------",
    "# Traffic acquisition: Session primary channel group (Default Channel Group)",
    "# Account: Demo account",
    "# Property: Demo site",
    "# ----------------------------------------",
    "# ",
    "# All Users",
    "# Start date: {start}",
    "# End date: {end}",
    "# ----------------------------------------",
]


def ga4_traffic(
    rows: list[tuple[str, str, int, int, int, float]], start: str, end: str, french: bool = False
) -> bytes:
    """GA4's traffic acquisition by Date and channel: `#` preamble, a blank line, the header, a
    first totals row with empty dimensions, then (date, channel, sessions, engaged, key events,
    revenue) rows."""
    header = (
        "Date,Groupe de canaux principal de la session (Groupe de canaux par défaut),Sessions,"
        "Sessions avec engagement,Taux d'engagement,Événements clés,Revenu total"
        if french
        else "Date,Session primary channel group (Default Channel Group),Sessions,Engaged sessions,"
        "Engagement rate,Key events,Total revenue"
    )
    lines = [line.format(start=start, end=end) for line in GA4_PREAMBLE] + ["", header]
    totals = [sum(r[i] for r in rows) for i in (2, 3, 4)]
    lines.append(
        f",,{totals[0]},{totals[1]},{totals[1] / max(1, totals[0]):.4f},{totals[2]},{sum(r[5] for r in rows)}"
    )
    for day, channel, sessions, engaged, events, revenue in rows:
        lines.append(f"{day},{channel},{sessions},{engaged},{engaged / sessions:.4f},{events},{revenue}")
    return bom_utf8("\n".join(lines) + "\n")


def ga4_overview(start: str, sessions: list[int], engaged: list[int]) -> bytes:
    """An overview download: two tables keyed by `Nth day`, the second repeating sessions."""
    lines = [line.format(start=start, end=start) for line in GA4_PREAMBLE] + [
        "",
        "Nth day,Sessions,Engaged sessions",
    ]
    lines += [f"{n:04d},{s},{e}" for n, (s, e) in enumerate(zip(sessions, engaged, strict=True))]
    lines += ["", "# ----------------------------------------", "", "Nth day,Active users,Sessions"]
    lines += [f"{n:04d},{s // 2},{s}" for n, s in enumerate(sessions)]
    return bom_utf8("\n".join(lines) + "\n")


def linkedin_content(kind: str, metrics: list[tuple[date, int, int, int, int, int, int]],
                     posts: list[tuple[date, str, int, int, int, int, int]] = ()) -> bytes:  # fmt: skip
    """The content workbook: `Metrics` and `All posts`, each with a description row above its
    header; dates as `MM/DD/YYYY` text. ``kind`` is `xls` (BIFF, as LinkedIn ships it) or `xlsx`.

    metrics: (day, impressions, unique organic, clicks, reactions, comments, reposts)
    posts: (created, title, impressions, clicks, likes, comments, reposts)
    """
    header = ["Date", "Impressions (organic)", "Impressions (sponsored)", "Impressions (total)",
              "Unique impressions (organic)", "Clicks (organic)", "Clicks (sponsored)", "Clicks (total)",
              "Reactions (organic)", "Reactions (sponsored)", "Reactions (total)", "Comments (organic)",
              "Comments (sponsored)", "Comments (total)", "Reposts (organic)", "Reposts (sponsored)",
              "Reposts (total)", "Engagement rate (organic)", "Engagement rate (sponsored)",
              "Engagement rate (total)"]  # fmt: skip
    rows: list[list[object]] = []
    for day, impressions, unique, clicks, reactions, comments, reposts in metrics:
        rate = (clicks + reactions + comments + reposts) / impressions if impressions else 0
        rows.append([day.strftime("%m/%d/%Y"), impressions, 0, impressions, unique, clicks, 0, clicks, reactions, 0,
                     reactions, comments, 0, comments, reposts, 0, reposts, rate, 0, rate])  # fmt: skip
    post_header = ["Post title", "Post link", "Post type", "Campaign name", "Posted by", "Created date",
                   "Campaign start date", "Campaign end date", "Audience", "Impressions",
                   "Views (excluding off-site video views)", "Off-site views", "Clicks", "Click through rate (CTR)",
                   "Likes", "Comments", "Reposts", "Follows", "Engagement rate", "Content Type"]  # fmt: skip
    post_rows: list[list[object]] = []
    for created, title, impressions, clicks, likes, comments, reposts in posts:
        post_rows.append([title, f"https://www.linkedin.com/feed/update/urn:li:activity:{abs(hash(title)) % 10**12}",
                          "Organic", "", "Demo", created.strftime("%m/%d/%Y"), "", "", "All followers", impressions,
                          "", "", clicks, clicks / impressions, likes, comments, reposts, 0, 0.05, "Image"])  # fmt: skip
    sheets = {
        "Metrics": [["Aggregated metrics for the Page's posts, by day"], header, *rows],
        "All posts": [
            ["All posts published in the period, with their lifetime metrics"],
            post_header,
            *post_rows,
        ],
    }
    return workbook(kind, sheets)


def linkedin_followers(kind: str, gains: list[tuple[date, int, int]]) -> bytes:
    """The followers workbook: `New followers` (no description row) and demographic sheets.
    gains: (day, organic, sponsored); `Total followers` is their sum, the day's gain."""
    header = ["Date", "Sponsored followers", "Organic followers", "Auto-invited followers", "Total followers"]
    rows = [[d.strftime("%m/%d/%Y"), s, o, 0, o + s] for d, o, s in gains]
    sheets = {
        "New followers": [header, *rows],
        "Location": [["Location", "Total followers"], ["Île-de-France", 5300], ["Lyon", 1200]],
        "Job function": [["Job function", "Total followers"], ["Marketing", 2400]],
    }
    return workbook(kind, sheets)


def linkedin_visitors(kind: str, visits: list[tuple[date, int, int]]) -> bytes:
    """The visitors workbook: `Visitor metrics` by day. visits: (day, page views, unique visitors)."""
    header = ["Date", "Overview page views (desktop)", "Overview page views (mobile)", "Overview page views (total)",
              "Overview unique visitors (total)", "Total page views (desktop)", "Total page views (mobile)",
              "Total page views (total)", "Total unique visitors (desktop)", "Total unique visitors (mobile)",
              "Total unique visitors (total)"]  # fmt: skip
    rows = [[d.strftime("%m/%d/%Y"), v // 2, v - v // 2, v, u, v // 2, v - v // 2, v, u // 2, u - u // 2, u]
            for d, v, u in visits]  # fmt: skip
    return workbook(
        kind, {"Visitor metrics": [["Visitor metrics by day"], header, *rows], "Location": [["Location"]]}
    )


def workbook(kind: str, sheets: dict[str, list[list[object]]]) -> bytes:
    out = io.BytesIO()
    if kind == "xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        book.remove(book.active)
        for name, rows in sheets.items():
            sheet = book.create_sheet(name)
            for row in rows:
                sheet.append(row)
        book.save(out)
    else:
        import xlwt

        book = xlwt.Workbook(encoding="utf-8")
        for name, rows in sheets.items():
            sheet = book.add_sheet(name)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    sheet.write(r, c, value)
        book.save(out)
    return out.getvalue()


X_OVERVIEW_HEADER = ["Date", "Impressions", "Likes", "Engagements", "Bookmarks", "Shares", "New follows", "Unfollows",
                     "Replies", "Reposts", "Profile visits", "Create Post", "Video views", "Media views"]  # fmt: skip


def x_overview(rows: dict[date, dict[str, int]]) -> bytes:
    """Dates like `"Tue, Aug 25, 2026"`, quoted; rows newest first; plain UTF-8."""
    lines = [",".join(X_OVERVIEW_HEADER)]
    for day in sorted(rows, reverse=True):
        values = rows[day]
        cells = [f'"{day.strftime("%a, %b %d, %Y")}"'] + [
            str(values.get(h, 0)) for h in X_OVERVIEW_HEADER[1:]
        ]
        lines.append(",".join(cells))
    return ("\n".join(lines) + "\n").encode()


def x_content(posts: list[tuple[date, str, int, int, int, int]]) -> bytes:
    """One row per post: (day, text, impressions, likes, replies, reposts); text with commas and a
    newline, quoted."""
    header = "Post id,Date,Post text,Post Link,Impressions,Likes,Engagements,Bookmarks,Shares,New follows,Replies,Reposts,Profile visits,Detail Expands,URL Clicks,Hashtag Clicks,Permalink Clicks"
    lines = [header]
    for n, (day, text, impressions, likes, replies, reposts) in enumerate(posts):
        quoted = '"' + text.replace('"', '""') + '"'
        lines.append(
            f'{1800000000000000000 + n},"{day.strftime("%a, %b %d, %Y")}",{quoted},https://x.com/demo/status/{n},'
            f"{impressions},{likes},{likes + replies + reposts},0,0,0,{replies},{reposts},0,0,1,0,0"
        )
    return ("\n".join(lines) + "\n").encode()


def x_legacy_tweets(tweets: list[tuple[str, int, int, int, int]]) -> bytes:
    """The legacy per-tweet file: all quoted, UTF-8 with BOM, `time` in UTC; 18 promoted columns.
    tweets: (time `YYYY-MM-DD HH:MM +0000`, impressions, retweets, replies, likes)."""
    base = ["impressions", "engagements", "engagement rate", "retweets", "replies", "likes", "user profile clicks",
            "url clicks", "hashtag clicks", "detail expands", "permalink clicks", "app opens", "app installs",
            "follows", "email tweet", "dial phone", "media views", "media engagements"]  # fmt: skip
    header = ["Tweet id", "Tweet permalink", "Tweet text", "time", *base, *(f"promoted {b}" for b in base)]
    lines = [",".join(f'"{h}"' for h in header)]
    for n, (moment, impressions, retweets, replies, likes) in enumerate(tweets):
        engagements = retweets + replies + likes
        cells = [str(1300000000000000000 + n), f"https://twitter.com/demo/status/{n}", "Hello, world\nsecond line",
                 moment, impressions, engagements, round(engagements / impressions, 4), retweets, replies, likes,
                 *([0] * 12), *(["-"] * 18)]  # fmt: skip
        lines.append(",".join(f'"{c}"' for c in cells))
    return bom_utf8("\n".join(lines) + "\n")


def x_legacy_daily(rows: list[tuple[date, int, int, int, int, int]]) -> bytes:
    """The legacy daily file: `Date` then lowercase metrics. rows: (day, impressions, retweets,
    replies, likes, follows)."""
    header = "Date,Tweets published,impressions,engagements,engagement rate,retweets,replies,likes,user profile clicks,url clicks,follows,promoted impressions"
    lines = [header]
    for day, impressions, retweets, replies, likes, follows in rows:
        engagements = retweets + replies + likes
        lines.append(f"{day.isoformat()},1,{impressions},{engagements},{engagements / impressions:.4f},{retweets},"
                     f"{replies},{likes},0,3,{follows},-")  # fmt: skip
    return bom_utf8("\n".join(lines) + "\n")


GOOGLE_ADS_HEADER = ["Day", "Campaign", "Campaign status", "Clicks", "Impr.", "CTR", "Currency code", "Avg. CPC", "Cost",
                     "Conversions", "Cost / conv.", "Conv. rate", "Conv. value"]  # fmt: skip
GOOGLE_ADS_HEADER_FR = ["Jour", "Campagne", "État de la campagne", "Clics", "Impr.", "CTR", "Code de la devise",
                        "CPC moy.", "Coût", "Conversions", "Coût/conv.", "Taux de conv.", "Valeur de conv."]  # fmt: skip


def google_ads(
    rows: list[tuple[date, str, int, int, float, float, float]], variant: str = "csv", french: bool = False
) -> bytes:
    """Report name, date range, header, rows, then `Total:` rows. rows: (day, campaign, clicks,
    impressions, cost, conversions, conv. value). ``variant`` `csv` (UTF-8, `1,234.56` quoted) or
    `excel` (UTF-16 tab-separated, unquoted)."""
    header = GOOGLE_ADS_HEADER_FR if french else GOOGLE_ADS_HEADER
    first, last = min(r[0] for r in rows), max(r[0] for r in rows)
    span = f"{first.strftime('%B')} {first.day}, {first.year} - {last.strftime('%B')} {last.day}, {last.year}"
    sep = "\t" if variant == "excel" else ","

    def money(value: float) -> str:
        text = f"{value:,.2f}"
        return f'"{text}"' if sep == "," and "," in text else text

    def count(value: float) -> str:
        text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
        return f'"{text}"' if sep == "," and "," in text else text

    lines = ["Campaign report" if not french else "Rapport sur les campagnes", span if sep == "\t" else f'"{span}"',
             sep.join(header)]  # fmt: skip
    for day, campaign, clicks, impressions, cost, conversions, value in rows:
        ctr = f"{clicks / impressions:.2%}" if impressions else "--"
        cpc = money(cost / clicks) if clicks else "--"
        per_conv = money(cost / conversions) if conversions else "--"
        rate = f"{conversions / clicks:.2%}" if clicks else "--"
        lines.append(sep.join([day.isoformat(), campaign, "Enabled", count(clicks), count(impressions), ctr, "EUR",
                               cpc, money(cost), count(conversions), per_conv, rate, money(value)]))  # fmt: skip
    totals = [sum(r[i] for r in rows) for i in range(2, 7)]
    for label in ("Total: Account", "Total: Campaigns"):
        lines.append(sep.join([label, "--", "--", count(totals[0]), count(totals[1]), "--", "--", "--",
                               money(totals[2]), count(totals[3]), "--", "--", money(totals[4])]))  # fmt: skip
    text = "\r\n".join(lines) + "\r\n"
    return utf16(text) if variant == "excel" else text.encode("utf-8")


META_ADS_HEADER = ["Reporting starts", "Reporting ends", "Day", "Campaign name", "Campaign delivery", "Results",
                   "Result indicator", "Reach", "Impressions", "Cost per results", "Amount spent ({cur})",
                   "Link clicks", "CPC (cost per link click) ({cur})", "CTR (link click-through rate)", "Clicks (all)",
                   "Frequency", "Ends"]  # fmt: skip
META_ADS_HEADER_FR = ["Début des rapports", "Fin des rapports", "Jour", "Nom de la campagne", "Diffusion de la campagne",
                      "Résultats", "Indicateur de résultat", "Portée", "Impressions", "Coût par résultat",
                      "Montant dépensé ({cur})", "Clics sur le lien", "CPC (coût par clic sur un lien) ({cur})",
                      "CTR (taux de clics sur le lien)", "Clics (tous)", "Fréquence", "Fin"]  # fmt: skip


def meta_ads_rows(
    rows: list[tuple[date, str, int, str, int, int, float, int]], start: date, end: date
) -> list[list[object]]:
    """The summary row (empty campaign name, whole-period totals) then one row per campaign and day.
    rows: (day, campaign, results, result indicator, reach, impressions, spent, link clicks)."""
    out: list[list[object]] = []
    spent = sum(r[6] for r in rows)
    out.append([start.isoformat(), end.isoformat(), "", "", "", sum(r[2] for r in rows), "", sum(r[4] for r in rows),
                sum(r[5] for r in rows), "", round(spent, 2), sum(r[7] for r in rows), "", "", "", "", ""])  # fmt: skip
    for day, campaign, results, indicator, reach, impressions, amount, clicks in rows:
        out.append([start.isoformat(), end.isoformat(), day.isoformat(), campaign, "active", results, indicator, reach,
                    impressions, round(amount / results, 2) if results else "", amount, clicks,
                    round(amount / clicks, 2) if clicks else "", round(clicks / impressions * 100, 4), clicks + 3,
                    1.2, "Ongoing"])  # fmt: skip
    return out


def meta_ads(rows: list[tuple[date, str, int, str, int, int, float, int]], start: date, end: date, *,
             kind: str = "csv", currency: str = "EUR", french: bool = False) -> bytes:  # fmt: skip
    """An Ads Manager export by day: CSV (English, `,`), French CSV (`;`, decimal commas, narrow
    no-break spaces as thousands separators), or `.xlsx`."""
    header = [h.format(cur=currency) for h in (META_ADS_HEADER_FR if french else META_ADS_HEADER)]
    body = meta_ads_rows(rows, start, end)
    if kind == "xlsx":
        return workbook("xlsx", {"Raw Data Report": [header, *body]})
    if french:

        def fr(value: object) -> str:
            if isinstance(value, float):
                whole, _, cents = f"{value:,.2f}".partition(".")
                return whole.replace(",", NBSP) + "," + cents
            if isinstance(value, int) and value >= 1000:
                return f"{value:,}".replace(",", NBSP)
            return str(value)

        return bom_utf8("\n".join(";".join(fr(c) for c in row) for row in [header, *body]) + "\n")
    return bom_utf8("\n".join(",".join(str(c) for c in row) for row in [header, *body]) + "\n")
