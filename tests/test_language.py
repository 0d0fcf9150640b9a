"""French output: CLDR formats through Babel, period labels, the language setting, the gettext catalog
complete, and English byte for byte what it was."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from kpi import format as fmt
from kpi.errors import InvalidCommand
from kpi.i18n import LOCALE_DIR, speaking
from kpi.periods import Period, parse_period
from kpi.store import Store

from .conftest import ask
from .support.cli import cli_env, kpibot

ROOT = Path(__file__).resolve().parent.parent
# What CLDR puts in French: a narrow no-break space between thousands, a no-break space before % and €.
NNBSP, NBSP = "\u202f", "\u00a0"

VALUES = [
    # number, unit, English, French
    (0.043, "percent", "4.3%", f"4,3{NBSP}%"),
    (-0.012, "percent", "-1.2%", f"-1,2{NBSP}%"),
    (0.0, "percent", "0.0%", f"0,0{NBSP}%"),
    (12345, "count", "12,345", f"12{NNBSP}345"),
    (1234567890, "count", "1,234,567,890", f"1{NNBSP}234{NNBSP}567{NNBSP}890"),
    (-42, "count", "-42", "-42"),
    (0, "count", "0", "0"),
    (3.4712, "ratio", "3.47", "3,47"),
    (4.46, "score", "4.5", "4,5"),
    (12.34, "currency", "USD 12.34", f"12,34{NBSP}$US"),
    (None, "count", "no data", "pas de données"),
]


@pytest.mark.parametrize("number, unit, english, french", VALUES)
def test_values_in_both_locales(number, unit, english, french):
    assert fmt.value(number, unit) == english
    with speaking("fr"):
        assert fmt.value(number, unit) == french


def test_the_currency_symbol_goes_where_the_locale_puts_it():
    with speaking("fr"):
        assert fmt.value(12.34, "currency", "EUR") == f"12,34{NBSP}€"
        assert fmt.value(1234.5, "currency", "GBP") == f"1{NNBSP}234,50{NBSP}£GB"
    assert fmt.value(12.34, "currency", "EUR") == "EUR 12.34"


CHANGES = [
    # current, previous, unit, English, French
    (0.047, 0.043, "percent", "+0.4 pp", "+0,4 pt"),
    (0.043, 0.047, "percent", "-0.4 pp", "-0,4 pt"),
    (0.043, 0.0431, "percent", "0.0 pp", "0,0 pt"),
    (1125, 1000, "count", "+12.5%", f"+12,5{NBSP}%"),
    (875, 1000, "count", "-12.5%", f"-12,5{NBSP}%"),
    (5, 0, "count", "n/a", "n.d."),
    (4.6, 4.2, "score", "+0.4", "+0,4"),
]


@pytest.mark.parametrize("current, previous, unit, english, french", CHANGES)
def test_changes_in_both_locales(current, previous, unit, english, french):
    assert fmt.change(current, previous, unit) == english
    with speaking("fr"):
        assert fmt.change(current, previous, unit) == french


LABELS = [
    ("2026-W48", "Week 48, 2026 (Nov 23–29, 2026)", "semaine 48 (23–29 nov. 2026)"),
    ("2026-W53", "Week 53, 2026 (Dec 28, 2026 – Jan 3, 2027)", "semaine 53 (28 déc. 2026 – 3 janv. 2027)"),
    ("2026-Q3", "Q3 2026", "T3 2026"),
    ("2026-11", "November 2026", "novembre 2026"),
    ("2026-11-17", "Tue Nov 17, 2026", "mar. 17 nov. 2026"),
    ("2026-11-30..2026-12-06", "Nov 30 – Dec 6, 2026", "30 nov. – 6 déc. 2026"),
]


@pytest.mark.parametrize("code, english, french", LABELS)
def test_period_labels_in_both_locales(code, english, french):
    period = parse_period(code, date(2027, 6, 1))
    assert period.label == english
    with speaking("fr"):
        assert period.label == french


def test_a_running_period_says_so_in_french():
    period = parse_period("ce mois-ci", date(2026, 11, 17))
    with speaking("fr"):
        assert period.label == "novembre 2026 (en cours)"
        assert Period("week", 1, date(2026, 11, 9), date(2026, 11, 15)).short_label == "S46"


def test_a_team_sets_its_language_and_the_answer_follows(loaded_db):
    with Store(loaded_db) as store:
        english = ask(store, "/kpi engagement last week by network")
        assert ask(store, "/kpi set language fr").title == "Langue : fr"  # answered in the new language
        french = ask(store, "/kpi engagement last week by network")
        assert french.title == "Taux d'engagement · semaine 46 (9–15 nov. 2026)"
        assert french.fields[0][0] == "Semaine précédente" and "par rapport à semaine 45" in french.lines[0]
        assert french.table.columns == ["network", "Taux d'engagement", "vs précédent"]
        assert french.notes[0].startswith("du 2026-11-09 au 2026-11-15 · UTC · données jusqu'au ")
        assert [row[0] for row in french.table.rows] == [
            row[0] for row in english.table.rows
        ]  # data as typed
        settings = dict(ask(store, "/kpi settings").fields)
        assert settings["Langue"] == "fr (français)" and settings["Fuseau horaire"] == "UTC"
        assert ask(store, "/kpi set language en").title == "Language set to en"
        assert ask(store, "/kpi engagement last week by network").lines == english.lines
        with pytest.raises(InvalidCommand, match="en or fr"):
            ask(store, "/kpi set language de")


def test_a_goal_line_in_french(loaded_db):
    with Store(loaded_db) as store:
        ask(store, "/kpi goal engagement 4% per week")
        ask(store, "/kpi set language fr")
        goal = dict(ask(store, "/kpi engagement").fields)["Objectif"]
    assert (
        goal
        == "🟢 en bonne voie : pas encore de données cette semaine, objectif 4,0\u00a0% par semaine, prévision 4,5\u00a0%"
    )


def test_ask_takes_lang_and_kpibot_language_is_the_default(loaded_db, tmp_path):
    def run(*args: str, **env: str) -> str:
        options = ("--team", "T1", "--db", loaded_db, "--now", "2026-11-18T10:00+00:00")
        result = kpibot("ask", *args, *options, cwd=tmp_path, env=cli_env(**env))
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert run("/kpi impressions", "--lang", "fr").startswith("Impressions · semaine 46 (9–15 nov. 2026)")
    assert run("/kpi impressions", KPIBOT_LANGUAGE="fr").startswith("Impressions · semaine 46")
    assert run("/kpi impressions", "--lang", "en", KPIBOT_LANGUAGE="fr").startswith("Impressions · Week 46")


def _messages() -> dict[str, tuple[str, int]]:
    """Every message the code marks with _(): what `pybabel extract -F babel.cfg` finds."""
    found = {}
    for folder in ("kpi", "bot"):
        for filename, line, message, _comments, _context in extract_from_dir(
            str(ROOT / folder), method_map=[("**.py", "python")], keywords={"_": None}
        ):
            found[message] = (f"{folder}/{filename}", line)
    return found


def test_every_message_has_a_french_translation_with_its_placeholders():
    with (LOCALE_DIR / "fr" / "LC_MESSAGES" / "kpibot.po").open("rb") as po:
        catalog = read_po(po)
    translated = {m.id: m.string for m in catalog if m.id}
    messages = _messages()
    assert len(messages) > 60
    untranslated = {m: where for m, where in messages.items() if not translated.get(m)}
    assert untranslated == {}, "add these to kpi/locale/fr/LC_MESSAGES/kpibot.po"
    placeholders = re.compile(r"\{(\w*)\}")
    lost = {
        m: translated[m]
        for m in messages
        if set(placeholders.findall(m)) != set(placeholders.findall(translated[m]))
        and not (m.startswith("Week {week}, {year}") and "{year}" not in translated[m])
    }
    assert lost == {}
    unused = set(translated) - set(messages)
    assert unused == set(), "the catalog has messages the code no longer uses"


@pytest.mark.parametrize("unit", ["count", "ratio", "score", "percent", "currency"])
def test_the_fast_french_formats_are_babels_own(unit):
    """kpi/locale_format.py reads CLDR's symbols and affixes from Babel once and assembles numbers
    itself (Babel's decimal arithmetic cost a French answer 1 ms): the result is Babel's, digit for digit."""
    from babel.numbers import format_currency, format_decimal, format_percent

    from kpi.locale_format import _percent_pattern

    patterns = {"count": "#,##0", "ratio": "#,##0.00", "score": "#,##0.0"}
    numbers = [0.0, 0.37, -0.37, 7.25, -12.3456, 999.49, 1000.0, 12345.678, -98765.4321, 3.1e9]
    with speaking("fr"):
        for number in numbers:
            if unit == "percent":
                expected = format_percent(number / 100, _percent_pattern("fr_FR", False), locale="fr_FR")
                assert fmt.value(number / 100, unit) == expected
            elif unit == "currency":
                assert fmt.value(number, unit, "EUR") == format_currency(number, "EUR", locale="fr_FR")
            else:
                assert fmt.value(number, unit) == format_decimal(number, patterns[unit], locale="fr_FR")


def test_goals_in_french(loaded_db):
    with Store(loaded_db) as store:
        ask(store, "/kpi set language fr")
        set_reply = ask(store, "/kpi objectif taux_d_engagement 4% par semaine")
        assert set_reply.title == "Objectif n° 1 fixé : Taux d'engagement 4,0\u00a0% par semaine"
        assert [a.label for a in set_reply.actions] == ["Modifier", "Supprimer n° 1"]
        listing = ask(store, "/kpi objectifs")
        assert listing.title == "Objectifs · 18 nov. 2026" and listing.lines == ["1 en bonne voie"]
        assert listing.table.columns == [
            "#",
            "KPI",
            "objectif",
            "à ce jour",
            "progression",
            "prévision",
            "statut",
        ]
        assert listing.table.rows[0][6] == "🟢 en bonne voie"
        assert ask(store, "/kpi objectif supprimer 1").title == "Objectif n° 1 supprimé"


def test_the_console_adds_its_words_in_the_answers_language(loaded_db):
    from bot.console import render

    with Store(loaded_db) as store:
        text = render(ask(store, "/kpi engagement", user="U1"))
        ask(store, "/kpi set language fr")
        french = render(ask(store, "/kpi engagement", user="U1"))
    assert "\n  Next: /kpi engagement_rate" in text
    assert "\n  Ensuite : /kpi engagement_rate" in french and "Next:" not in french


def test_a_french_weekly_digest_with_its_template_its_chart_and_an_override(loaded_db, tmp_path):
    from bot.chart import render_png
    from bot.digests import digest_message
    from bot.templating import environment, render_text
    from kpi.digest import build_digest
    from kpi.engine import Engine

    with Store(loaded_db) as store:
        english = render_text(
            build_digest(Engine(store, "T1"), "weekly", date(2026, 11, 18), []), environment()
        )
        store.update_settings("T1", language="fr")
        digest = build_digest(Engine(store, "T1"), "weekly", date(2026, 11, 18), [])
    assert digest.language == "fr"
    text = render_text(digest, environment())
    assert text.startswith(
        "Synthèse hebdomadaire · semaine 46 (9–15 nov. 2026)\n\n*Votre semaine en chiffres : semaine 46"
    )
    assert "par rapport à la semaine précédente" in text and "*Plus fortes variations*" in text
    assert "vs previous" not in text and "Biggest movers" not in text
    assert english.startswith("Weekly digest · Week 46, 2026 (Nov 9–15, 2026)")
    assert digest_message(digest, environment())["text"].startswith("Synthèse hebdomadaire · semaine 46")
    assert render_png(digest).startswith(b"\x89PNG")
    (tmp_path / "weekly.fr.md.j2").write_text(
        '{% extends "digest_base.fr.md.j2" %}{% block summary %}*Notre semaine*{% endblock %}'
    )
    assert "*Notre semaine*" in render_text(digest, environment(str(tmp_path)))


def test_alerts_in_french_from_the_command_to_the_message(tmp_path):
    from datetime import UTC, datetime

    from bot.alert_message import alert_message
    from bot.templating import environment
    from kpi.alerts.check import find

    from .conftest import load
    from .support.alert_data import csv, csv_rows, rhythm

    db = tmp_path / "kpibot.db"
    spike = {(date(2026, 11, 10), "instagram", "fr"): 4.0}
    with Store(db) as store:
        load(
            store,
            "T1",
            csv(csv_rows("impressions", date(2026, 9, 1), date(2026, 11, 10), rhythm(1000, spike))),
        )
        ask(store, "/kpi set language fr")
        confirmation = ask(store, "/kpi alerte impressions anomalie")
        assert confirmation.title == "Alerte n° 1 créée pour ce canal"
        found = find(store, "T1", datetime(2026, 11, 11, 8, 0, tzinfo=UTC))
        listing = ask(store, "/kpi alertes")
    assert found.language == "fr"
    (finding,) = found.findings
    assert finding.headline.startswith("Impressions inhabituellement haut : ")
    assert finding.headline.endswith(" le mar. 10 nov. 2026")
    assert "pour les mardis des 8 semaines précédentes" in finding.reference
    message = alert_message(found.findings, environment(), found.language)
    text = str(message["blocks"])
    assert message["text"].startswith("Alerte kpibot : Impressions inhabituellement haut")
    assert "_par network_ : instagram " in text and "🔔 kpibot : 1 alerte" in text
    labels = [e["text"]["text"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert labels == ["Détail", "Sourdine 7 jours", "Supprimer"]
    assert listing.table.columns == ["#", "canal", "se déclenche quand", "dernier déclenchement", "état"]
    assert listing.table.rows[0][4] == "active"


def test_french_over_the_slack_path_answers_and_errors(api, loaded_db):
    from .conftest import NOW
    from .support.server import AppServer, fixed_clock, settings_for

    with AppServer(settings_for(loaded_db, api.url), fixed_clock(NOW)) as server:
        assert server.command("set language fr").json()["text"].startswith("Langue : fr")
        answer = server.command("taux_d_engagement la semaine dernière par réseau").json()
        assert answer["response_type"] == "in_channel"
        assert answer["text"].startswith("Taux d'engagement · semaine 46 (9–15 nov. 2026)")
        buttons = [
            e["text"]["text"] for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"]
        ]
        assert buttons == ["Période précédente", "Fixer un objectif"]
        error = server.command("taux_d_engagemnt").json()
        assert error["response_type"] == "ephemeral"
        assert error["text"].startswith(
            "KPI inconnu `taux_d_engagemnt`. Vouliez-vous dire `taux_d_engagement`"
        )
        assert server.command("engagement hier", team="T2").json()["text"].startswith("Engagement rate · ")


def test_the_import_summary_in_the_teams_language(loaded_db, tmp_path):
    day = tmp_path / "day.csv"
    day.write_text(
        "date,metric,value,network\n2026-11-16,impressions,1500,x\n2026-11-17,impressions,1700,x\n"
    )
    french = cli_env(KPIBOT_LANGUAGE="fr")
    result = kpibot("import", str(day), "--team", "T1", "--db", loaded_db, cwd=tmp_path, env=french)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"{day}: 2 lignes lues, 2 ajoutées, 0 remplacées, 0 rejetées (format long)"


def test_in_the_demo_a_french_team_gets_its_answers_and_its_digest(tmp_path):
    db = str(tmp_path / "kpibot-demo.db")
    lines = "/kpi engagement le trimestre dernier par réseau\n/kpi objectifs\n/kpi rapport hebdomadaire\n"
    options = ("--db", db, "--now", "2026-11-20T10:00+01:00", "--lang", "fr")
    result = kpibot("demo", *options, cwd=tmp_path, env=cli_env(), stdin=lines)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Taux d'engagement · T3 2026" in out and "par rapport à T2 2026" in out
    assert "Objectifs · 20 nov. 2026" in out and "hors trajectoire" in out
    assert "Synthèse hebdomadaire · semaine 46 (9–15 nov. 2026)" in out
    assert "*Votre semaine en chiffres : semaine 46" in out and "*Plus fortes variations*" in out
    assert "Next:" not in out and "Weekly digest" not in out


FRENCH_SESSION = [
    "/kpi aide",
    "/kpi aide alertes",
    "/kpi liste",
    "/kpi taux_d_engagement",
    "/kpi portée le mois dernier par réseau",
    "/kpi objectif prospects 500 par mois",
    "/kpi objectifs",
    "/kpi enregistrer likes 5 2026-11-17 network:x",
    "/kpi abonner hebdomadaire",
    "/kpi abonnements",
    "/kpi rapport hebdomadaire",
    "/kpi désabonner hebdomadaire",
    "/kpi define taux_de_sauvegarde = sum(saves) / sum(impressions) as percent",
    "/kpi undefine taux_de_sauvegarde",
    "/kpi réglages",
    "/kpi set currency EUR",
    "/kpi sources",
    "/kpi alerte portée anomalie",
    "/kpi alerte prospects baisse 20% hebdomadaire",
    "/kpi alerte objectifs",
    "/kpi alerte inactif 3 jours",
    "/kpi alertes",
    "/kpi alerte sourdine 1",
    "/kpi alerte supprimer 1",
    "/kpi objectif supprimer 1",
    # errors
    "/kpi taux_d_engagemnt",
    "/kpi portée la semaine prochaine",
    "/kpi objectif prospects",
    "/kpi alerte portée monte",
    "/kpi portée pays:fr",
]
ENGLISH = re.compile(
    r"\b(the|Previous|Goal|Goals|Trend|digest|Alert|Alerts|set for|removed|Recorded|Usage|KPIs|per month"
    r"|vs previous|Unknown|is not|no data|Workspace|Connected|snoozed|Weekly|subscriptions?)\b"
)


def test_every_command_answers_in_french(loaded_db):
    """SPEC §4 and §6 in French, through the console: answers and errors, nothing left in English
    but the command words and data people typed (in backticks)."""
    from bot.console import render
    from kpi.errors import KpiError

    english = {}
    with Store(loaded_db) as store:
        ask(store, "/kpi set language fr")
        ask(store, "/kpi alerte taux_d_engagement anomalie")  # alert 1, for snooze and remove
        ask(store, "/kpi objectif taux_d_engagement 4% par semaine")  # goal 1, for removal
        for text in FRENCH_SESSION:
            try:
                shown = render(ask(store, text))
            except KpiError as exc:
                shown = str(exc)
            left = ENGLISH.findall(re.sub(r"`[^`]*`", "", shown))
            if left:
                english[text] = (left, shown)
    assert english == {}


def test_an_import_refused_in_french_names_its_lines(loaded_db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("date,metric,value\n2026-11-16,impressions,douze\n17/11/2026,impressions,5\n")
    french = cli_env(KPIBOT_LANGUAGE="fr")
    result = kpibot("import", str(bad), "--team", "T1", "--db", loaded_db, cwd=tmp_path, env=french)
    assert result.returncode == 1
    assert "  ligne 2 : `douze` n'est pas un nombre" in result.stderr
    assert "  ligne 3 : `17/11/2026` n'est pas une date ; écrivez les dates AAAA-MM-JJ" in result.stderr


def test_every_command_answers_in_french_over_the_slack_path(api, loaded_db):
    import json as jsonlib

    from .conftest import NOW
    from .support.server import AppServer, fixed_clock, settings_for

    english = {}
    with AppServer(settings_for(loaded_db, api.url), fixed_clock(NOW)) as server:
        server.command("set language fr")
        server.command("alerte taux_d_engagement anomalie")
        server.command("objectif taux_d_engagement 4% par semaine")
        for text in FRENCH_SESSION:
            shown = jsonlib.dumps(server.command(text.removeprefix("/kpi ")).json(), ensure_ascii=False)
            left = ENGLISH.findall(re.sub(r"`[^`]*`", "", shown))
            if left:
                english[text] = (left, shown[:400])
    assert english == {}


@pytest.mark.parametrize(
    "number, kind, decimals, signed, english, french",
    [
        (20.0, "percent", None, False, "20%", f"20{NBSP}%"),
        (1.5, "points", None, False, "1.5 pp", "1,5 pt"),
        (25.04, "percent", 1, False, "25.0%", f"25,0{NBSP}%"),
        (7.94, "", 1, True, "+7.9", "+7,9"),
        (-4.26, "", 1, True, "-4.3", "-4,3"),
        (1234.5, "", None, False, "1,234.5", f"1{NNBSP}234,5"),
    ],
)
def test_alert_sizes_in_both_locales(number, kind, decimals, signed, english, french):
    assert fmt.size(number, kind, decimals, signed=signed) == english
    with speaking("fr"):
        assert fmt.size(number, kind, decimals, signed=signed) == french
