"""Normalising names people type or export: metric and dimension names become lowercase snake_case."""

from __future__ import annotations

import re
from functools import lru_cache

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_WORD = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=4096)
def snake(name: str) -> str:
    """'Post Impressions' -> 'post_impressions', 'newFollowers' -> 'new_followers'."""
    spaced = _CAMEL.sub("_", name.strip())
    return _NON_WORD.sub("_", spaced.lower()).strip("_")


@lru_cache(maxsize=65536)
def dimension_value(value: str) -> str:
    """Dimension values compare case-insensitively: 'Instagram' and 'instagram' are one network."""
    return " ".join(value.strip().lower().split())


def humanise(name: str) -> str:
    """'engagement_rate' -> 'Engagement rate', keeping acronyms people know."""
    acronyms = {
        "ctr": "CTR",
        "roi": "ROI",
        "csat": "CSAT",
        "cpl": "CPL",
        "cpc": "CPC",
        "cpm": "CPM",
        "roas": "ROAS",
    }
    words = [acronyms.get(w, w) for w in name.split("_")]
    first = words[0] if words[0].isupper() else words[0].capitalize()
    return " ".join([first, *words[1:]])


def kpi_title(name: str) -> str:
    """A KPI's name as a title in the language spoken: a built-in one translated (`Taux
    d'engagement`), any other as ``humanise`` writes it (a team's own KPI keeps its name)."""
    from .i18n import language

    if language() == "en" or name not in TITLES:
        return humanise(name)
    return TITLES[name]()


def _titles() -> dict:
    from .i18n import _

    return {
        "impressions": lambda: _("Impressions"),
        "reach": lambda: _("Reach"),
        "organic_reach": lambda: _("Organic reach"),
        "paid_reach": lambda: _("Paid reach"),
        "views": lambda: _("Views"),
        "posts": lambda: _("Posts"),
        "leads": lambda: _("Leads"),
        "reviews": lambda: _("Reviews"),
        "mentions": lambda: _("Mentions"),
        "new_followers": lambda: _("New followers"),
        "followers": lambda: _("Followers"),
        "follower_growth_rate": lambda: _("Follower growth rate"),
        "engagements": lambda: _("Engagements"),
        "engagement_rate": lambda: _("Engagement rate"),
        "applause_rate": lambda: _("Applause rate"),
        "conversation_rate": lambda: _("Conversation rate"),
        "amplification_rate": lambda: _("Amplification rate"),
        "avg_organic_reach": lambda: _("Avg organic reach"),
        "ctr": lambda: _("CTR"),
        "social_traffic_share": lambda: _("Social traffic share"),
        "bounce_rate": lambda: _("Bounce rate"),
        "conversion_rate": lambda: _("Conversion rate"),
        "lead_conversion_rate": lambda: _("Lead conversion rate"),
        "cost_per_lead": lambda: _("Cost per lead"),
        "roi": lambda: _("ROI"),
        "csat": lambda: _("CSAT"),
    }


TITLES = _titles()
