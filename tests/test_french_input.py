"""French input is understood whatever the team's language: the same grammar, French words as data."""

from __future__ import annotations

from datetime import date

import pytest

from kpi.commands import parse
from kpi.errors import UnknownKpi
from kpi.periods import parse_period
from kpi.store import Store

from .conftest import ask

# A Tuesday, the last day of a year with 53 ISO weeks, the first of a month, and 29 February.
TODAYS = [date(2026, 11, 17), date(2026, 12, 31), date(2027, 1, 1), date(2028, 2, 29)]

PERIODS = [
    ("aujourd'hui", "today"),
    ("aujourd’hui", "today"),
    ("hier", "yesterday"),
    ("cette semaine", "this week"),
    ("la semaine dernière", "last week"),
    ("la semaine derniere", "last week"),
    ("ce mois-ci", "this month"),
    ("le mois dernier", "last month"),
    ("ce trimestre", "this quarter"),
    ("le trimestre dernier", "last quarter"),
    ("cette année", "this year"),
    ("l'année dernière", "last year"),
    ("L’Année  Dernière", "last year"),
    ("depuis le début de l'année", "ytd"),
    ("les 7 derniers jours", "last 7 days"),
    ("les 4 dernières semaines", "last 4 weeks"),
    ("les 3 derniers mois", "last 3 months"),
    ("T3 2026", "2026-Q3"),
    ("t4 2026", "2026-Q4"),
    ("2026-T1", "2026-Q1"),
    ("S53 2026", "2026-W53"),
    ("semaine 1 2027", "2027-W01"),
    ("novembre 2026", "2026-11"),
    ("févr. 2028", "2028-02"),
    ("décembre 2026", "2026-12"),
    ("du 2026-12-28 au 2027-01-03", "2026-12-28..2027-01-03"),
]


@pytest.mark.parametrize("today", TODAYS, ids=str)
@pytest.mark.parametrize("french, english", PERIODS)
def test_every_french_period_is_the_same_period_as_its_english_form(french, english, today):
    assert parse_period(french, today) == parse_period(english, today)


COMMANDS = [
    ("aide", "help"),
    ("liste", "list"),
    ("objectifs", "goals"),
    ("objectif prospects 500 par mois", "goal leads 500 per month"),
    ("objectif abonnés 5000 d'ici le 2026-12-31", "goal followers 5000 by 2026-12-31"),
    (
        "objectif taux_d_engagement 4,5% par semaine réseau:instagram",
        "goal engagement_rate 4.5% per week network:instagram",
    ),
    ("objectif supprimer 3", "goal remove 3"),
    ("alertes", "alerts"),
    ("alerte prospects baisse 20% hebdomadaire", "alert leads drops 20% weekly"),
    ("alerte portée anomalie", "alert reach anomaly"),
    ("alerte engagement sous 2 %", "alert engagement below 2 %"),
    ("alerte engagement au-dessus de 5%", "alert engagement above 5%"),
    ("alerte objectifs", "alert goals"),
    ("alerte inactif 3 jours", "alert stale 3 days"),
    ("alerte supprimer 2", "alert remove 2"),
    ("abonner hebdomadaire portée,prospects", "subscribe weekly reach,leads"),
    ("désabonner trimestriel", "unsubscribe quarterly"),
    ("rapport hebdomadaire", "report weekly"),
    ("abonnements", "subscriptions"),
]


def _canonical(command):
    """Commands name KPIs as typed (the catalog resolves them): compare them resolved."""
    from kpi.catalog import Catalog

    catalog = Catalog({})
    fields = dict(vars(command))
    for key in ("kpi",):
        if fields.get(key):
            fields[key] = catalog.resolve(fields[key]).name
    if fields.get("kpis"):
        fields["kpis"] = tuple(catalog.resolve(k).name for k in fields["kpis"])
    target = fields.get("target")
    if target is not None:
        fields["target"] = (target.number, target.percent)
    return type(command), fields


@pytest.mark.parametrize("french, english", COMMANDS)
def test_french_command_words_are_the_same_commands(french, english):
    assert _canonical(parse(french)) == _canonical(parse(english))


@pytest.mark.parametrize(
    "typed, name",
    [
        ("taux_d_engagement", "engagement_rate"),
        ("taux_d'engagement", "engagement_rate"),
        ("portée", "reach"),
        ("portee", "reach"),
        ("Abonnés", "followers"),
        ("taux_de_rebond", "bounce_rate"),
        ("taux_de_conversion", "conversion_rate"),
        ("prospects", "leads"),
        ("coût_par_prospect", "cost_per_lead"),
        ("cout_par_prospect", "cost_per_lead"),
        ("retour_sur_investissement", "roi"),
    ],
)
def test_french_kpi_names_resolve_accents_optional(typed, name):
    from kpi.catalog import Catalog

    assert Catalog({}).resolve(typed).name == name


def test_a_french_typo_suggests_the_french_name():
    from kpi.catalog import Catalog

    with pytest.raises(UnknownKpi, match="Did you mean `taux_d_engagement`"):
        Catalog({}).resolve("taux_d_engagemnt")
    with pytest.raises(UnknownKpi, match="Did you mean `engagement_rate`"):
        Catalog({}).resolve("engagment_rate")


def test_a_french_question_answers_what_the_english_one_does(loaded_db):
    with Store(loaded_db) as store:
        french = ask(store, "/kpi taux_d'engagement la semaine dernière par réseau")
        english = ask(store, "/kpi engagement last week by network")
        assert (french.title, french.lines, french.table.rows) == (
            english.title,
            english.lines,
            english.table.rows,
        )
        filtered = ask(store, "/kpi portée le mois dernier réseau:instagram")
        assert filtered.lines == ask(store, "/kpi reach last month network:instagram").lines


def test_an_apostrophe_inside_a_word_is_not_a_quote():
    assert parse("reach network:o'brien").filters == {"network": "o'brien"}
    assert parse('reach "network:o\'brien"').filters == {"network": "o'brien"}
    assert parse("portée l’année dernière").period == "l'année dernière"


def test_a_team_kpi_keeps_its_own_name(store):
    ask(store, "/kpi define portee_locale = sum(reach) as count")
    assert ask(store, "/kpi list").table.rows[-1][0] == "portee_locale"
