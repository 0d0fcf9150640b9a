"""The words people type, in each language kpibot understands, as data beside the one grammar.

French is understood whatever the team's language (SPEC §7): command words, KPI names, period
words, `par réseau`. Each table maps a French word, folded (lowercase, accents and typographic
apostrophes removed, so `portee` is `portée`), to the English word the grammar already knows.
Nothing here parses: commands.py, periods.py and catalog.py look words up before parsing them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .names import snake


@lru_cache(maxsize=4096)
def unaccent(text: str) -> str:
    """Without accents and with plain apostrophes: `Coût’s` -> `Cout's`."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'").replace("‘", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lowercase, without accents, with plain apostrophes and single spaces: `L’Année  Dernière` ->
    `l'annee derniere`."""
    return " ".join(unaccent(text).lower().split())


def name(text: str) -> str:
    """A KPI name as typed, in snake_case without its accents: `coût_par_prospect` ->
    `cout_par_prospect`, `taux_d'engagement` -> `taux_d_engagement`."""
    return snake(unaccent(text))


# The first word after /kpi.
COMMANDS = {
    "aide": "help",
    "liste": "list",
    "objectif": "goal",
    "objectifs": "goals",
    "alerte": "alert",
    "alertes": "alerts",
    "abonner": "subscribe",
    "desabonner": "unsubscribe",
    "abonnements": "subscriptions",
    "rapport": "report",
    "enregistrer": "record",
    "definir": "define",
    "reglages": "settings",
    "parametres": "settings",
}

# Words inside a command: removing, cadences, the alert kinds, `par` for `by`.
WORDS = {
    "supprimer": "remove",
    "retirer": "remove",
    "par": "by",
    "hebdomadaire": "weekly",
    "trimestriel": "quarterly",
    "trimestrielle": "quarterly",
    "quotidien": "daily",
    "quotidienne": "daily",
    "mensuel": "monthly",
    "mensuelle": "monthly",
    "dessus": "above",
    "au-dessus": "above",
    "sous": "below",
    "dessous": "below",
    "en-dessous": "below",
    "baisse": "drops",
    "chute": "drops",
    "hausse": "rises",
    "monte": "rises",
    "anomalie": "anomaly",
    "inactif": "stale",
    "sourdine": "snooze",
    "jours": "days",
    "semaine": "week",
    "mois": "month",
    "trimestre": "quarter",
}

# Dimension names, in `par réseau` and in filters such as `réseau:instagram`. Values are never
# translated: they are the team's data.
DIMENSIONS = {"reseau": "network", "reseaux": "network", "region": "region", "pays": "country"}

# KPI names and aliases, snake_case after folding. A team's own KPI keeps the name it was given.
KPIS = {
    "taux_d_engagement": "engagement_rate",
    "taux_engagement": "engagement_rate",
    "portee": "reach",
    "portee_organique": "organic_reach",
    "portee_payante": "paid_reach",
    "portee_organique_moyenne": "avg_organic_reach",
    "abonnes": "followers",
    "nouveaux_abonnes": "new_followers",
    "croissance": "follower_growth_rate",
    "taux_de_croissance": "follower_growth_rate",
    "vues": "views",
    "publications": "posts",
    "avis": "reviews",
    "prospects": "leads",
    "taux_de_clic": "ctr",
    "taux_de_rebond": "bounce_rate",
    "taux_de_conversion": "conversion_rate",
    "taux_de_conversion_des_prospects": "lead_conversion_rate",
    "cout_par_prospect": "cost_per_lead",
    "cout_par_clic": "cpc",
    "retour_sur_investissement": "roi",
    "satisfaction_client": "csat",
    "part_du_trafic_social": "social_traffic_share",
    "trafic_social": "social_traffic_share",
    "taux_d_amplification": "amplification_rate",
    "taux_de_conversation": "conversation_rate",
    "taux_d_applaudissement": "applause_rate",
}

# Whole period phrases, after folding.
PERIODS = {
    "aujourd'hui": "today",
    "aujourdhui": "today",
    "hier": "yesterday",
    "cette semaine": "this week",
    "la semaine derniere": "last week",
    "semaine derniere": "last week",
    "ce mois-ci": "this month",
    "ce mois ci": "this month",
    "ce mois": "this month",
    "le mois dernier": "last month",
    "mois dernier": "last month",
    "ce trimestre": "this quarter",
    "ce trimestre-ci": "this quarter",
    "le trimestre dernier": "last quarter",
    "trimestre dernier": "last quarter",
    "cette annee": "this year",
    "l'annee derniere": "last year",
    "annee derniere": "last year",
    "l'an dernier": "last year",
    "depuis le debut de l'annee": "ytd",
}

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("janvier", "janv"),
            ("fevrier", "fevr", "fev"),
            ("mars",),
            ("avril", "avr"),
            ("mai",),
            ("juin",),
            ("juillet", "juil"),
            ("aout",),
            ("septembre", "sept"),
            ("octobre", "oct"),
            ("novembre", "nov"),
            ("decembre", "dec"),
        ],
        start=1,
    )
    for name in names
}
_UNITS = {"jours": "days", "jour": "days", "semaines": "weeks", "semaine": "weeks", "mois": "months"}

# Period patterns, after folding: each turns a French form into the English or literal one.
_PATTERNS: list[tuple[re.Pattern[str], object]] = [
    (
        re.compile(r"^(?:les |ces )?(\d+) (?:derniers|dernieres) (jours|semaines|mois)$"),
        lambda m: f"last {m[1]} {_UNITS[m[2]]}",
    ),
    (re.compile(r"^t([1-4]) (\d{4})$"), lambda m: f"{m[2]}-q{m[1]}"),
    (re.compile(r"^(\d{4})-t([1-4])$"), lambda m: f"{m[1]}-q{m[2]}"),
    (re.compile(r"^(?:s|semaine )(\d{1,2}) (\d{4})$"), lambda m: f"{m[2]}-w{m[1]}"),
    (re.compile(r"^(\d{4})-s(\d{1,2})$"), lambda m: f"{m[1]}-w{m[2]}"),
    (
        re.compile(r"^([a-z]+)\.? (\d{4})$"),
        lambda m: f"{m[2]}-{MONTHS[m[1]]:02d}" if m[1] in MONTHS else m[0],
    ),
    (
        re.compile(r"^du (\d{4}-\d{2}-\d{2}) au (\d{4}-\d{2}-\d{2})$"),
        lambda m: f"{m[1]}..{m[2]}",
    ),
]


def command_word(word: str) -> str:
    """The English command word for a typed one (itself when it is not French)."""
    folded = fold(word)
    return COMMANDS.get(folded, word.lower())


def word(token: str) -> str:
    """The English word for a word inside a command (itself, lowercased, when it is not French)."""
    folded = fold(token)
    return WORDS.get(folded, token.lower())


def dimension(typed: str) -> str:
    """The dimension a French name stands for (`réseau` -> `network`), else the name as typed."""
    return DIMENSIONS.get(fold(typed).replace("-", "_"), typed)


def period(text: str) -> str:
    """The English (or literal) period for a French one; other text comes back folded, unchanged."""
    raw = fold(text)
    if raw in PERIODS:
        return PERIODS[raw]
    for pattern, build in _PATTERNS:
        match = pattern.match(raw)
        if match:
            return build(match)  # type: ignore[operator]
    return raw
