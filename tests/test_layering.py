"""kpi/ is a plain library: the console, Slack and the scheduler all call it, so it imports none of them."""

import ast
from pathlib import Path

FORBIDDEN = ("bot", "slack_bolt", "slack_sdk", "jinja2", "apscheduler", "matplotlib")


def test_kpi_imports_no_surface():
    offenders = []
    for path in Path("kpi").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
