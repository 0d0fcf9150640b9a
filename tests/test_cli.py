"""The `kpibot` command run as a user runs it: a real process, real files, exit codes."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import SOCIAL

ROOT = Path(__file__).resolve().parent.parent


def kpibot(*args: str, cwd: Path, stdin: str | None = None, env: dict[str, str] | None = None):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("KPIBOT_", "SLACK_"))}
    full_env.update(env or {})
    full_env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )


def test_import_then_ask(tmp_path):
    (tmp_path / "social.csv").write_text(SOCIAL)
    done = kpibot("import", "social.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout.strip() == "social.csv: 31 rows read, 31 inserted, 0 replaced, 0 rejected (long layout)"
    )
    again = kpibot("import", "social.csv", cwd=tmp_path)
    assert "0 inserted, 0 replaced, 31 unchanged" in again.stdout
    answer = kpibot("ask", "/kpi engagement 2026-W46 by network", cwd=tmp_path)
    assert answer.returncode == 0
    assert answer.stdout.startswith("Engagement rate · Week 46, 2026 (Nov 9–15, 2026)\n  4.8%")
    assert "instagram" in answer.stdout


def test_ask_user_error_exits_1_with_the_message(tmp_path):
    result = kpibot("ask", "/kpi engagment", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("Unknown KPI `engagment`. Did you mean `engagement_rate`")
    assert "Traceback" not in result.stderr


def test_invalid_file_writes_nothing_and_lists_lines(tmp_path):
    (tmp_path / "bad.csv").write_text(
        "date,metric,value\n2026-11-09,likes,3\n2026-11-10,likes,x\nbad,likes,1\n"
    )
    result = kpibot("import", "bad.csv", cwd=tmp_path)
    assert result.returncode == 1
    assert "nothing was imported" in result.stderr
    assert "  line 3: `x` is not a number" in result.stderr
    assert "  line 4: `bad` is not a date" in result.stderr
    ask = kpibot("ask", "engagements 2026-W46", "--now", "2026-11-18T10:00", cwd=tmp_path)
    assert ask.returncode == 0
    assert ask.stdout.split("\n")[1].strip() == "no data"
    skipped = kpibot("import", "bad.csv", "--skip-invalid", cwd=tmp_path)
    assert skipped.returncode == 0
    assert "3 rows read, 1 inserted, 0 replaced, 2 rejected" in skipped.stdout


def test_missing_file(tmp_path):
    result = kpibot("import", "nope.csv", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == "nope.csv: no such file."


def test_env_and_dotenv_choose_the_database_and_team(tmp_path):
    (tmp_path / "social.csv").write_text(SOCIAL)
    (tmp_path / ".env").write_text("KPIBOT_DB=other.db\nKPIBOT_TEAM=TDOTENV\n")
    assert kpibot("import", "social.csv", cwd=tmp_path).returncode == 0
    assert (tmp_path / "other.db").exists()
    assert (
        kpibot("ask", "impressions 2026-W46", cwd=tmp_path).stdout.split("\n")[1].strip().startswith("6,000")
    )
    assert "no data" in kpibot("ask", "impressions 2026-W46", "--team", "TOTHER", cwd=tmp_path).stdout


def test_bad_setting_is_one_clear_error(tmp_path):
    result = kpibot("ask", "help", cwd=tmp_path, env={"KPIBOT_TZ": "Nowhere/Land"})
    assert result.returncode == 1
    assert result.stderr.startswith("KPIBOT_TZ: `Nowhere/Land` is not a time zone")


@pytest.mark.parametrize(
    "variable, value, message",
    [
        ("KPIBOT_LANGUAGE", "de", "KPIBOT_LANGUAGE must be en or fr, not `de`."),
        ("KPIBOT_ALERTS_AT", "8am", "KPIBOT_ALERTS_AT must be a time such as 08:00, not `8am`."),
        ("KPIBOT_SYNC_AT", "25:00", "KPIBOT_SYNC_AT must be a time such as 06:00, not `25:00`."),
    ],
)
def test_a_bad_language_or_check_time_is_one_clear_error(variable, value, message):
    from bot.config import ConfigError, Settings

    with pytest.raises(ConfigError) as caught:
        Settings.from_env({variable: value}, dotenv=False)
    assert str(caught.value) == message
    assert Settings.from_env({variable: {"KPIBOT_LANGUAGE": "FR"}.get(variable, "07:30")}, dotenv=False)


# The demo answers as of a fixed moment: the 1st of a month, when "this month" has no data yet.
DEMO_NOW = "2026-12-01T08:00+01:00"


def test_demo_answers_each_line_and_exits_at_eof(tmp_path):
    script = (
        "/kpi engagement\n/kpi engagement last quarter by network\n/kpi goals\n/kpi list\n/kpi engagment\n"
    )
    result = kpibot("demo", "--now", DEMO_NOW, cwd=tmp_path, stdin=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.count("> /kpi") == 5
    assert "Engagement rate · Week 48, 2026 (Nov 23–29, 2026)" in out
    assert "data through Nov 30, 2026" in out
    for network in ("facebook", "instagram", "linkedin", "x", "pinterest"):
        assert f"  {network} " in out
    assert "Goals · Dec 1, 2026" in out and "on track" in out
    assert "no data yet this month, target 3.0% per month" in out
    assert "KPI catalog" in out
    assert "Did you mean `engagement_rate`" in out
    assert "\n  no data" not in out.split("> /kpi goals")[0]  # every answer has a value


def test_a_reader_that_stops_early_stops_the_demo_quietly(tmp_path):
    """`kpibot demo < script | head`: the pipe closes under the console; no traceback, the shell's 141."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KPIBOT_", "SLACK_"))}
    env["PYTHONPATH"] = str(ROOT)
    demo = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "demo", "--now", DEMO_NOW],
        cwd=tmp_path, env=env, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    demo.stdin.write("/kpi list\n" * 300)  # far more than a pipe holds
    demo.stdin.close()
    assert demo.stdout.readline() == "> /kpi list\n"
    demo.stdout.close()
    assert demo.wait(timeout=120) == 141
    assert demo.stderr.read() == ""


def test_demo_reuses_its_database_and_tops_it_up(tmp_path):
    first = kpibot("demo", "--now", DEMO_NOW, cwd=tmp_path, stdin="")
    assert first.returncode == 0, first.stderr
    before = (tmp_path / "kpibot-demo.db").stat().st_size
    again = kpibot("demo", "--now", DEMO_NOW, cwd=tmp_path, stdin="/kpi followers\n")
    assert again.returncode == 0
    assert (tmp_path / "kpibot-demo.db").stat().st_size == before
    later = kpibot(
        "demo", "--now", "2026-12-03T08:00+01:00", cwd=tmp_path, stdin="/kpi impressions yesterday\n"
    )
    assert "Impressions · Wed Dec 2, 2026" in later.stdout
    assert "data through Dec 2, 2026" in later.stdout


def test_a_bad_port_is_named(tmp_path):
    result = kpibot("ask", "help", cwd=tmp_path, env={"PORT": "eighty"})
    assert result.returncode == 1
    assert result.stderr.strip() == "PORT must be a port number, not `eighty`."


def test_the_console_renders_digests_with_the_deployments_templates(tmp_path):
    (tmp_path / "social.csv").write_text(SOCIAL)
    assert kpibot("import", "social.csv", cwd=tmp_path).returncode == 0
    ours = tmp_path / "ours"
    ours.mkdir()
    (ours / "weekly.md.j2").write_text(
        '{% extends "digest_base.md.j2" %}\n{% block summary %}\nOur own week: {{ digest.period.label }}\n{% endblock %}\n'
    )
    answer = kpibot(
        "ask", "report weekly", "--now", "2026-11-18T10:00", cwd=tmp_path, env={"KPIBOT_TEMPLATES": str(ours)}
    )
    assert answer.returncode == 0, answer.stderr
    assert "Our own week: Week 46, 2026 (Nov 9–15, 2026)" in answer.stdout
    plain = kpibot("ask", "report weekly", "--now", "2026-11-18T10:00", cwd=tmp_path)
    assert "Our own week" not in plain.stdout and "Your week in numbers" in plain.stdout


def imported_by(*args: str, cwd: Path) -> set[str]:
    """The top-level packages a `kpibot` command imports (python -X importtime)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KPIBOT_", "SLACK_"))}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = [line.split("|")[-1] for line in done.stderr.splitlines() if line.startswith("import time:")]
    return {name.strip().split(".")[0] for name in lines}


def test_start_up_imports_only_what_the_command_needs(tmp_path):
    kpibot("ask", "help", cwd=tmp_path)  # creates and migrates the database: sqlite-utils loads once
    heavy = {
        "slack_bolt",
        "slack_sdk",
        "jinja2",
        "matplotlib",
        "numpy",
        "sqlite_utils",
        "uvicorn",
        "apscheduler",
    }
    assert imported_by("ask", "help", cwd=tmp_path) & heavy == set()
    assert "slack_bolt" not in imported_by("digest", "weekly", "--dry-run", cwd=tmp_path)
