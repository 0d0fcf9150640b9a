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
