"""Every file format kpibot reads, as profiles (SOURCES.md §3): adding a format is adding one here.

Headers are matched without case, accents or extra spaces (profile.header_key), so each name is
written once as the platform writes it, in English and in French. Order matters: the first profile
whose signature a header row matches wins, so the specific formats come before kpibot's own.
"""

from __future__ import annotations

from .profile import Column, Derived, Profile, Routed

RATE = "a rate: kpibot computes it from the period's sums"
RATIO = "a ratio of other columns: kpibot computes it from the period's sums"
PART = "a part of a total kpibot imports"
ATTRIBUTE = "a description, not a measure"
RANGE = "the report's date range, not a day"


def _skip(reason: str, *names: str) -> Column:
    return Column(names, skip=reason)


META_BUSINESS_SUITE_DAILY = Profile(
    name="meta_business_suite",
    title="Meta Business Suite daily metric",
    example='sep=,\n"Facebook follows"\n"Date","Primary"',
    signatures=(("Date", "Primary"), ("Date", "Principal")),
    columns=(
        Column(("Date",), role="date"),
        Column(("Primary", "Principal"), metric="_title"),
        Column(("*",), skip="a comparison series, not the metric itself"),
    ),
    dates=("iso",),
    title_metrics=(
        ("views", "impressions"),
        ("vues", "impressions"),
        ("viewers", "reach"),
        ("spectateurs", "reach"),
        ("follows", "new_followers"),
        ("abonnements", "new_followers"),
        ("content interactions", "interactions"),
        ("interactions avec le contenu", "interactions"),
        ("interactions", "interactions"),
        ("link clicks", "clicks"),
        ("clics sur un lien", "clicks"),
        ("visits", "page_visits"),
        ("visites", "page_visits"),
        ("profile visits", "profile_visits"),
        ("visites du profil", "profile_visits"),
        ("reach", "reach"),
        ("couverture", "reach"),
    ),
    network_from=(("facebook", "facebook"), ("instagram", "instagram")),
    notes=(
        "Meta's views are stored as impressions and its viewers as reach (Meta: views replace impressions).",
    ),
)

META_BUSINESS_SUITE_CONTENT = Profile(
    name="meta_business_suite_content",
    title="Meta Business Suite content export (one row per post)",
    example="Post ID,Page ID,Page name,Title,Publish time,Post type,Date,Views,Reach,Reactions,Comments,Shares,Total clicks",
    signatures=(("Post ID", "Publish time"), ("ID de la publication", "Heure de publication")),
    grain="post",
    columns=(
        Column(("Publish time", "Heure de publication"), role="publish_time"),
        Column(("Views", "Impressions", "Vues"), metric="post_impressions"),
        Column(("Reach", "Couverture"), metric="post_reach"),
        Column(("Reactions", "Likes", "Réactions", "J'aime"), metric="post_likes"),
        Column(("Comments", "Commentaires"), metric="post_comments"),
        Column(("Shares", "Partages"), metric="post_shares"),
        Column(("Saves", "Enregistrements"), metric="post_saves"),
        Column(("Total clicks", "Clics (total)"), metric="post_clicks"),
        _skip(PART, "Link Clicks", "Other Clicks", "Clics sur un lien", "Autres clics"),
        _skip(
            "the sum of reactions, comments and shares, imported one by one", "Reactions, Comments and Shares"
        ),
        _skip("lifetime totals: posts are counted on their publish day", "Date"),
        _skip(
            ATTRIBUTE,
            "Post ID",
            "Page ID",
            "Page name",
            "Account ID",
            "Account username",
            "Account name",
            "Title",
            "Description",
            "Duration (sec)",
            "Caption type",
            "Permalink",
            "Post type",
            "Data comment",
            "Is crosspost",
            "Is share",
            "Comment",
            "ID de la publication",
            "Type de publication",
        ),
    ),
    network_from=(
        ("page id", "facebook"),
        ("page name", "facebook"),
        ("account username", "instagram"),
        ("account id", "instagram"),
    ),
    dates=("iso", "month_first", "words"),
    notes=("Each post counts 1 in posts on its publish day; its lifetime totals go to post_* metrics.",),
)

GA4 = Profile(
    name="ga4",
    title="Google Analytics 4 report",
    example="# Start date: 20261001\n# End date: 20261031\nDate,Session primary channel group (Default Channel Group),Sessions,Engaged sessions,Key events,Total revenue",
    signatures=(("Sessions",), ("Engaged sessions",), ("Sessions avec engagement",)),
    marker=r"(?m)^#",
    dates=("compact", "iso"),
    columns=(
        Column(("Date",), role="date"),
        Column(("Nth day", "Nième jour", "Nieme jour", "Jour N"), role="day_offset"),
        Column(
            (
                "Session primary channel group (Default Channel Group)",
                "Session default channel group",
                "Session primary channel group (Default channel group)",
                "Groupe de canaux principal de la session (Groupe de canaux par défaut)",
                "Groupe de canaux par défaut de la session",
            ),
            dim="channel",
        ),
        Column(("Sessions",), metric="sessions"),
        Column(("Engaged sessions", "Sessions avec engagement"), metric="_engaged_sessions"),
        Column(("Key events", "Conversions", "Événements clés"), metric="conversions"),
        Column(("Total revenue", "Revenu total", "Revenus totaux"), metric="revenue"),
        _skip(
            RATE,
            "Engagement rate",
            "Taux d'engagement",
            "Session key event rate",
            "Bounce rate",
            "Taux de rebond",
            "Session conversion rate",
            "Taux d'événements clés de la session",
        ),
        _skip(
            RATIO,
            "Average engagement time per session",
            "Events per session",
            "Durée d'engagement moyenne par session",
            "Événements par session",
            "Average session duration",
        ),
        _skip(RANGE, "Date range", "Plage de dates"),
    ),
    derived=(
        Derived("bounces", plus=("sessions",), minus=("_engaged_sessions",)),
        Derived("social_sessions", plus=("sessions",), when=("channel", ("organic_social", "paid_social"))),
        Derived("referral_sessions", plus=("sessions",), when=("channel", ("referral",))),
        Derived("direct_sessions", plus=("sessions",), when=("channel", ("direct",))),
    ),
    skip_rows=("summary",),
    summary_dim="channel",
    not_by_day="In GA4, add the Date dimension to the report (or open it in Explore with Date as a row), then Share → Download file → CSV.",
    default_skip="not a metric kpibot stores",
    family="ga4",
    notes=("Bounces are sessions minus engaged sessions; rates are never imported.",),
)

_SNAPSHOT = "demographics: a snapshot of the whole audience, not by day"
_DEMOGRAPHICS = tuple(
    (sheet, _SNAPSHOT) for sheet in ("location", "job function", "seniority", "industry", "company size")
)

LINKEDIN_CONTENT = Profile(
    name="linkedin_content",
    title="LinkedIn Page content (Metrics sheet)",
    example="(description row)\nDate,Impressions (organic),Impressions (sponsored),Impressions (total),Unique impressions (organic),Clicks (total),Reactions (total),Comments (total),Reposts (total),Engagement rate (total)",
    signatures=(("Date", "Impressions (total)"), ("Date", "Impressions (organic)")),
    container="any",
    network="linkedin",
    dates=("month_first", "iso"),
    family="linkedin",
    columns=(
        Column(("Date",), role="date"),
        Column(("Impressions (total)",), metric="impressions"),
        Column(("Unique impressions (organic)", "Impressions uniques (naturelles)"), metric="organic_reach"),
        Column(("Clicks (total)", "Clics (total)"), metric="clicks"),
        Column(("Reactions (total)", "Réactions (total)"), metric="likes"),
        Column(("Comments (total)", "Commentaires (total)"), metric="comments"),
        Column(
            ("Reposts (total)", "Shares (total)", "Republications (total)", "Partages (total)"),
            metric="shares",
        ),
        _skip(RATE, "Engagement rate (*)", "Taux d'engagement (*)"),
        _skip(
            PART + " (the total is imported)",
            "* (organic)",
            "* (sponsored)",
            "* (naturelles)",
            "* (naturels)",
            "* (sponsorisées)",
            "* (sponsorisés)",
            "* (sponsorisee)",
            "* (sponsorise)",
        ),
    ),
    sheets=(("all posts", "linkedin_posts"),),
    notes=("Negative days (un-likes, removed comments) are kept as LinkedIn reports them.",),
)

LINKEDIN_POSTS = Profile(
    name="linkedin_posts",
    title="LinkedIn Page content (All posts sheet, one row per post)",
    example="(description row)\nPost title,Post link,Post type,Campaign name,Posted by,Created date,Impressions,Clicks,Likes,Comments,Reposts",
    signatures=(("Post title", "Created date"), ("Post link", "Created date")),
    container="any",
    network="linkedin",
    grain="post",
    dates=("month_first", "iso"),
    family="linkedin",
    columns=(
        Column(("Created date", "Date de création"), role="publish_time"),
        Column(("Impressions",), metric="post_impressions"),
        Column(("Clicks", "Clics"), metric="post_clicks"),
        Column(("Likes", "Reactions", "J'aime", "Réactions"), metric="post_likes"),
        Column(("Comments", "Commentaires"), metric="post_comments"),
        Column(("Reposts", "Shares", "Republications", "Partages"), metric="post_shares"),
        _skip(
            RATE, "Click through rate (CTR)", "Engagement rate", "Taux de clics (CTR)", "Taux d'engagement"
        ),
        _skip(
            "video views are not a post metric kpibot keeps",
            "Views (excluding off-site video views)",
            "Off-site views",
        ),
        _skip("followers gained are imported from the followers workbook", "Follows"),
        _skip(
            ATTRIBUTE,
            "Post title",
            "Post link",
            "Post type",
            "Campaign name",
            "Posted by",
            "Published by",
            "Campaign start date",
            "Campaign end date",
            "Audience",
            "Content Type",
        ),
    ),
)

LINKEDIN_FOLLOWERS = Profile(
    name="linkedin_followers",
    title="LinkedIn Page followers (New followers sheet)",
    example="Date,Sponsored followers,Organic followers,Auto-invited followers,Total followers",
    signatures=(("Date", "Total followers", "Organic followers"), ("Date", "Total des abonnés")),
    container="any",
    network="linkedin",
    dates=("month_first", "iso"),
    family="linkedin",
    columns=(
        Column(("Date",), role="date"),
        Column(("Total followers", "Total des abonnés"), metric="new_followers"),
        _skip(
            PART + " (Total followers is imported)",
            "Sponsored followers",
            "Organic followers",
            "Auto-invited followers",
            "Abonnés sponsorisés",
            "Abonnés naturels",
            "Abonnés invités automatiquement",
        ),
    ),
    sheets=_DEMOGRAPHICS,
    notes=(
        "LinkedIn's `Total followers` on the New followers sheet is the day's gain: it is imported as new_followers.",
    ),
)

LINKEDIN_VISITORS = Profile(
    name="linkedin_visitors",
    title="LinkedIn Page visitors (Visitor metrics sheet)",
    example="Date,Overview page views (total),Total page views (desktop),Total page views (mobile),Total page views (total),Total unique visitors (total)",
    signatures=(("Date", "Total page views (total)"), ("Date", "Total unique visitors (total)")),
    container="any",
    network="linkedin",
    dates=("month_first", "iso"),
    family="linkedin",
    columns=(
        Column(("Date",), role="date"),
        Column(("Total page views (total)", "Total des vues de page (total)"), metric="page_views"),
        Column(
            ("Total unique visitors (total)", "Total des visiteurs uniques (total)"), metric="page_visitors"
        ),
    ),
    default_skip=PART + " (the page's totals are imported)",
    sheets=_DEMOGRAPHICS,
)

X_OVERVIEW = Profile(
    name="x_overview",
    title="X account overview",
    example="Date,Impressions,Likes,Engagements,Bookmarks,Shares,New follows,Unfollows,Replies,Reposts,Profile visits,Create Post,Video views,Media views",
    signatures=(("Date", "Impressions", "New follows"), ("Date", "Impressions", "Create Post")),
    network="x",
    dates=("words", "iso"),
    columns=(
        Column(("Date",), role="date"),
        Column(("Impressions",), metric="impressions"),
        Column(("Likes", "J'aime"), metric="likes"),
        Column(("Replies", "Réponses"), metric="comments"),
        Column(("Reposts",), metric="shares"),
        Column(("Shares", "Partages"), metric="shares"),
        Column(("Bookmarks", "Signets"), metric="saves"),
        Column(("New follows", "Nouveaux abonnements"), metric="new_followers"),
        Column(("Unfollows", "Désabonnements"), metric="lost_followers"),
        Column(("Create Post", "Créer un post"), metric="posts"),
        Column(("Video views", "Vues de vidéos"), metric="views"),
        Column(("Profile visits", "Visites du profil"), metric="profile_visits"),
        _skip("X's own total of interactions; kpibot adds up the parts", "Engagements"),
        _skip("media views are not a metric kpibot keeps", "Media views"),
    ),
    notes=("Reposts and shares both count as shares.",),
)

X_CONTENT = Profile(
    name="x_content",
    title="X content export (one row per post)",
    example="Post id,Date,Post text,Post Link,Impressions,Likes,Engagements,Bookmarks,Shares,New follows,Replies,Reposts,Profile visits,Detail Expands,URL Clicks",
    signatures=(("Post id", "Post text"), ("Post id", "Post Link")),
    network="x",
    grain="post",
    dates=("words", "iso"),
    columns=(
        Column(("Date",), role="publish_time"),
        Column(("Impressions",), metric="post_impressions"),
        Column(("Likes",), metric="post_likes"),
        Column(("Replies",), metric="post_comments"),
        Column(("Reposts", "Shares"), metric="post_shares"),
        Column(("Bookmarks",), metric="post_saves"),
        Column(("URL Clicks",), metric="post_clicks"),
        _skip("X's own total of interactions; kpibot adds up the parts", "Engagements"),
        _skip(ATTRIBUTE, "Post id", "Post text", "Post Link"),
    ),
)

X_LEGACY_DAILY = Profile(
    name="x_legacy_daily",
    title="X (Twitter) legacy daily activity",
    example="Date,Tweets published,impressions,engagements,engagement rate,retweets,replies,likes,user profile clicks,url clicks,follows",
    signatures=(("Date", "impressions", "retweets", "replies"),),
    network="x",
    dates=("iso", "month_first", "words"),
    columns=(
        Column(("Date",), role="date"),
        Column(("Tweets published",), metric="posts"),
        Column(("impressions",), metric="impressions"),
        Column(("retweets",), metric="shares"),
        Column(("replies",), metric="comments"),
        Column(("likes", "favorites"), metric="likes"),
        Column(("url clicks",), metric="clicks"),
        Column(("follows",), metric="new_followers"),
        Column(("user profile clicks",), metric="profile_visits"),
        _skip("paid activity, not the account's own", "promoted *"),
        _skip(RATE, "engagement rate"),
        _skip("X's own total of interactions; kpibot adds up the parts", "engagements"),
    ),
)

X_LEGACY_TWEETS = Profile(
    name="x_legacy_tweets",
    title="X (Twitter) legacy tweet activity (one row per tweet)",
    example="Tweet id,Tweet permalink,Tweet text,time,impressions,engagements,engagement rate,retweets,replies,likes,url clicks",
    signatures=(("Tweet id", "time"), ("Tweet permalink", "time")),
    network="x",
    grain="post",
    dates=("iso",),
    columns=(
        Column(("time",), role="publish_time"),
        Column(("impressions",), metric="post_impressions"),
        Column(("retweets",), metric="post_shares"),
        Column(("replies",), metric="post_comments"),
        Column(("likes", "favorites"), metric="post_likes"),
        Column(("url clicks",), metric="post_clicks"),
        _skip("paid activity, not the account's own", "promoted *"),
        _skip(RATE, "engagement rate"),
        _skip("X's own total of interactions; kpibot adds up the parts", "engagements"),
        _skip(ATTRIBUTE, "Tweet id", "Tweet permalink", "Tweet text"),
    ),
)

GOOGLE_ADS = Profile(
    name="google_ads",
    title="Google Ads report",
    example="Campaign report\nJanuary 1, 2026 - January 31, 2026\nDay,Campaign,Clicks,Impr.,Cost,Conversions,Conv. value",
    signatures=(("Impr.", "Cost"), ("Impr.", "Coût"), ("Impr.", "Clicks"), ("Impr.", "Clics")),
    network="google_ads",
    dates=("iso", "words", "month_first"),
    columns=(
        Column(("Day", "Jour", "Date"), role="date"),
        Column(("Campaign", "Campagne"), dim="campaign"),
        Column(("Cost", "Coût"), metric="spend"),
        Column(("Impr.", "Impressions"), metric="ad_impressions"),
        Column(("Clicks", "Clics"), metric="ad_clicks"),
        Column(("Conversions",), metric="ad_conversions"),
        Column(("Conv. value", "Valeur de conv.", "Valeur conv."), metric="ad_revenue"),
        _skip(RATE, "CTR", "Conv. rate", "Taux de conv.", "Interaction rate", "Taux d'interaction"),
        _skip(
            RATIO,
            "Avg. CPC",
            "CPC moy.",
            "Cost / conv.",
            "Coût/conv.",
            "Coût / conv.",
            "Avg. CPM",
            "CPM moy.",
            "Avg. cost",
            "Coût moy.",
        ),
        _skip(
            ATTRIBUTE,
            "Campaign status",
            "État de la campagne",
            "Campaign type",
            "Type de campagne",
            "Currency code",
            "Code de la devise",
            "Budget",
            "Budget name",
            "Status",
            "État",
        ),
    ),
    skip_rows=("total",),
    not_by_day="In Google Ads, open the report, add the Day segment (Segment → Time → Day), then Download → CSV.",
)

META_ADS = Profile(
    name="meta_ads",
    title="Meta Ads Manager export",
    example="Reporting starts,Reporting ends,Day,Campaign name,Results,Result indicator,Reach,Impressions,Amount spent (EUR),Link clicks",
    signatures=(("Reporting starts",), ("Début des rapports",)),
    container="any",
    network="meta_ads",
    dates=("iso", "day_first"),
    columns=(
        Column(("Day", "Jour"), role="date"),
        Column(("Campaign name", "Nom de la campagne"), dim="campaign"),
        Column(
            ("Platform", "Plateforme"),
            dim="network",
            values=(
                ("facebook", "facebook"),
                ("instagram", "instagram"),
                ("messenger", "messenger"),
                ("audience network", "audience_network"),
                ("audience_network", "audience_network"),
            ),
        ),
        Column(("Amount spent (*)", "Montant dépensé (*)"), metric="spend", currency=True),
        Column(("Impressions",), metric="ad_impressions"),
        Column(("Reach", "Portée"), metric="paid_reach"),
        Column(("Link clicks", "Clics sur le lien"), metric="ad_clicks"),
        Column(("Results", "Résultats"), metric="_results"),
        Column(("Result indicator", "Indicateur de résultat"), role="text"),
        _skip(RANGE, "Reporting starts", "Reporting ends", "Début des rapports", "Fin des rapports"),
        _skip(RATE, "CTR (*)", "CTR (tous)", "CTR"),
        _skip(
            RATIO,
            "Cost per results",
            "Cost per result",
            "Coût par résultat",
            "CPC (*)",
            "CPM (*)",
            "Frequency",
            "Fréquence",
        ),
        _skip("all clicks, where kpibot keeps link clicks", "Clicks (all)", "Clics (tous)"),
        _skip(
            ATTRIBUTE,
            "Campaign delivery",
            "Ends",
            "Fin",
            "Diffusion de la campagne",
            "Ad set name",
            "Nom de l'ensemble de publicités",
            "Ad name",
            "Nom de la publicité",
            "Attribution setting",
            "Paramètre d'attribution",
        ),
    ),
    routed=(
        Routed("_results", by="result indicator", pattern=r"lead", then="leads", otherwise="ad_conversions"),
    ),
    skip_rows=("summary",),
    summary_dim="campaign",
    not_by_day="In Ads Manager, choose Breakdown → By time → Day, then Export table data (CSV or .xlsx).",
)

KPIBOT_LONG = Profile(
    name="kpibot_long",
    title="kpibot long CSV",
    example="date,metric,value[,network,region,...]",
    signatures=(("date", "metric", "value"),),
    layout="long",
)

KPIBOT_WIDE = Profile(
    name="kpibot_wide",
    title="kpibot wide CSV",
    example="date,<metric>,<metric>,...[,network,region,...]",
    signatures=(("date",),),
    layout="wide",
)

PROFILES: tuple[Profile, ...] = (
    META_BUSINESS_SUITE_DAILY,
    META_BUSINESS_SUITE_CONTENT,
    GA4,
    LINKEDIN_CONTENT,
    LINKEDIN_POSTS,
    LINKEDIN_FOLLOWERS,
    LINKEDIN_VISITORS,
    X_LEGACY_TWEETS,
    X_LEGACY_DAILY,
    X_CONTENT,
    X_OVERVIEW,
    GOOGLE_ADS,
    META_ADS,
    KPIBOT_LONG,
    KPIBOT_WIDE,
)
BY_NAME = {p.name: p for p in PROFILES}
