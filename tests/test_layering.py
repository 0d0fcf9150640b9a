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


ROOT = Path(__file__).resolve().parent.parent


def module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_imports() -> dict[str, set[str]]:
    """Each module of kpi/ and bot/ with the project modules it imports, anywhere in it: an import
    inside a function hides a circle, it does not remove one."""
    paths = {module_of(p): p for top in ("kpi", "bot") for p in (ROOT / top).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [base] + [f"{base}.{a.name}" for a in node.names]
            else:
                continue
            for target in targets:
                while target and target not in paths:
                    target = target.rpartition(".")[0]
                if target and target != name and not name.startswith(target + "."):
                    found.add(target)
        graph[name] = found
    return graph


def test_no_import_circles():
    graph = project_imports()
    circles = []
    for start in graph:
        stack, seen = [(start, [start])], set()
        while stack:
            node, trail = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    circles.append(" -> ".join([*trail, start]))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*trail, nxt]))
    assert circles == []


def test_the_import_graph_counts_imports_inside_functions():
    graph = project_imports()
    assert "kpi.digest" in graph["kpi.answers.digests"]  # the answers run digests
    assert not {m for m in graph["kpi.digest"] if m.startswith("kpi.answers")}  # digests use kpi.query
    assert "bot.templating" in graph["bot.console"]  # a lazy import counts as an import


def test_the_surfaces_use_the_domain_through_its_package_api():
    """bot/ imports `from kpi import ...` only: kpi/__init__.py is the API, the rest may move."""
    offenders = []
    for path in (ROOT / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.ImportFrom)
                and node.level == 0
                and (node.module or "").startswith("kpi.")
            ):
                offenders.append(f"{path.relative_to(ROOT)}: from {node.module}")
            if isinstance(node, ast.Import):
                offenders += [
                    f"{path.relative_to(ROOT)}: {a.name}" for a in node.names if a.name.startswith("kpi.")
                ]
    assert offenders == []


def test_the_domain_reads_no_clock_of_its_own():
    """kpi/ is given "now" by its caller, so every test can set the day: no clock calls in it."""
    import re

    clock = re.compile(r"(datetime|date)\.(now|today|utcnow)\(|time\.time\(\)")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "kpi").rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if clock.search(line)
    ]
    assert offenders == []
