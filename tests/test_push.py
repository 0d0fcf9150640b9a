"""The push API over HTTP: a real server on loopback, per-team bearer tokens, JSON and CSV bodies,
and every refusal leaving the data as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kpi import create_token
from kpi.store import Store

from .conftest import NOW, ask, snapshot
from .support.server import AppServer, fixed_clock, settings_for
from .support.signing import command_body, sign

PATH = "/api/v1/observations"


@pytest.fixture
def server(api, loaded_db):
    with AppServer(settings_for(loaded_db, api.url), fixed_clock(NOW)) as running:
        yield running


@pytest.fixture
def token(loaded_db) -> str:
    with Store(loaded_db) as store:
        return create_token(store, "T1", "pipeline", now="2026-11-18T10:00:00")[0]


def push(server, body: str | bytes, token: str | None, content_type: str = "application/json"):
    headers = {"Content-Type": content_type}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    text = body.decode() if isinstance(body, bytes) else body
    return server.request("POST", PATH, text, headers)


def batch(*items: dict) -> str:
    return json.dumps({"observations": list(items)})


def test_a_json_batch_is_written_and_answered(server, token, loaded_db):
    body = batch(
        {"date": "2026-11-10", "metric": "signups", "value": 12, "dimensions": {"network": "LinkedIn"}},
        {"date": "2026-11-11", "metric": "Signups", "value": 3},
    )
    response = push(server, body, token)
    assert response.status == 200
    assert response.json() == {
        "ok": True,
        "format": "JSON observations",
        "read": 2,
        "inserted": 2,
        "replaced": 0,
        "unchanged": 0,
        "first_day": "2026-11-10",
        "last_day": "2026-11-11",
        "rows_per_metric": {"signups": 2},
    }
    with Store(loaded_db) as store:
        assert ask(store, "/kpi signups 2026-W46 network:linkedin").lines[0].startswith("12 ")
    again = push(server, body, token)  # a pipeline sending the same day again doubles nothing
    assert again.json()["unchanged"] == 2
    with Store(loaded_db) as store:
        assert ask(store, "/kpi signups 2026-W46").lines[0].startswith("15 ")


def test_a_csv_body_in_kpibots_layout_or_a_platforms(server, token, loaded_db):
    response = push(server, "date,metric,value,network\n2026-11-12,spend,40,linkedin\n", token, "text/csv")
    assert response.status == 200 and response.json()["inserted"] == 1
    with Store(loaded_db) as store:
        assert ask(store, "/kpi spend 2026-W46 network:linkedin").lines[0].startswith("USD 40.00")


@pytest.mark.parametrize(
    "authorization",
    [None, "", "kpi_000000000000_" + "x" * 43, "Basic dXNlcjpwYXNz", "not-a-token"],
    ids=["none", "empty", "unknown", "basic", "malformed"],
)
def test_requests_without_a_valid_token_are_401_and_write_nothing(server, loaded_db, authorization):
    with Store(loaded_db) as store:
        before = snapshot(store)
    response = push(server, batch({"date": "2026-11-10", "metric": "leads", "value": 1}), authorization)
    assert response.status == 401 and response.json()["ok"] is False
    with Store(loaded_db) as store:
        assert snapshot(store) == before


def test_a_revoked_token_or_a_forged_secret_is_refused(server, token, loaded_db):
    body = batch({"date": "2026-11-10", "metric": "leads", "value": 1})
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert push(server, body, forged).status == 401
    with Store(loaded_db) as store:
        store.revoke_token("T1", "pipeline")
    assert push(server, body, token).status == 401


def test_a_token_writes_only_to_its_own_team(server, loaded_db):
    with Store(loaded_db) as store:
        other = create_token(store, "T2", None, now="2026-11-18T10:00:00")[0]
        before = ask(store, "/kpi likes 2026-W46").lines[0]
    body = batch(
        {"date": "2026-11-10", "metric": "likes", "value": 1000, "team": "T1", "dimensions": {"team": "T1"}}
    )
    assert push(server, body, other).status == 200
    with Store(loaded_db) as store:
        assert ask(store, "/kpi likes 2026-W46").lines[0] == before
        assert ask(store, "/kpi likes 2026-W46", team="T2").lines[0].startswith("1,000 ")


@pytest.mark.parametrize(
    "item, problem",
    [
        ({"metric": "leads", "value": 1}, "observations[1]: `date` is missing"),
        (
            {"date": "2026-13-01", "metric": "leads", "value": 1},
            "observations[1]: `2026-13-01` is not a date",
        ),
        ({"date": "2026-11-10", "metric": "", "value": 1}, "observations[1]: `metric` is missing or empty"),
        (
            {"date": "2026-11-10", "metric": "leads", "value": "12"},
            "observations[1]: `value` must be a number",
        ),
        (
            {"date": "2026-11-10", "metric": "leads", "value": True},
            "observations[1]: `value` must be a number",
        ),
        ({"date": "2026-11-10", "metric": "leads", "value": 1e300}, "observations[1]: "),
        ({"date": "0001-01-01", "metric": "leads", "value": 1}, "observations[1]: "),
        (
            {"date": "2026-11-10", "metric": "leads", "value": 1, "dimensions": ["x"]},
            "observations[1]: `dimensions`",
        ),
        (
            {"date": "2026-11-10", "metric": "leads", "value": 1, "dimensions": {"network": {"a": 1}}},
            "observations[1]: the dimension `network` needs a text value",
        ),
        ("not an object", "observations[1]: each observation is an object"),
    ],
)
def test_an_invalid_observation_is_422_named_and_nothing_is_written(server, token, loaded_db, item, problem):
    with Store(loaded_db) as store:
        before = snapshot(store)
    good = {"date": "2026-11-10", "metric": "leads", "value": 1}
    response = push(server, json.dumps({"observations": [good, item]}), token)
    assert response.status == 422
    document = response.json()
    assert document["error"] == "1 of 2 observations are invalid; nothing was written."
    assert document["problems"][0].startswith(problem)
    with Store(loaded_db) as store:
        assert snapshot(store) == before


@pytest.mark.parametrize(
    "body",
    ["{not json", "[]", '{"observations": {}}', "null", "[" * 5000 + "]" * 5000],
    ids=["broken", "array", "not-a-list", "null", "deep"],
)
def test_a_body_that_is_not_a_batch_is_422(server, token, loaded_db, body):
    with Store(loaded_db) as store:
        before = snapshot(store)
    response = push(server, body, token)
    assert response.status == 422 and "observations" in response.json()["error"]
    with Store(loaded_db) as store:
        assert snapshot(store) == before


def test_another_content_type_is_415(server, token):
    response = push(server, "<xml/>", token, "application/xml")
    assert response.status == 415 and "application/json" in response.json()["error"]


def test_a_body_over_10_mb_is_413_before_it_is_read(server, token, loaded_db):
    filler = json.dumps({"date": "2026-11-10", "metric": "leads", "value": 1})
    body = '{"observations": [' + ",".join([filler] * 200_000) + "]}"
    assert len(body) > 10 * 1024 * 1024
    with Store(loaded_db) as store:
        before = snapshot(store)
    assert push(server, body, token).status == 413
    with Store(loaded_db) as store:
        assert snapshot(store) == before


def test_slacks_endpoint_keeps_its_own_smaller_limit(server):
    body = command_body("help") + "&pad=" + "x" * (2 * 1024 * 1024)
    response = server.request(
        "POST", "/slack/events", body, {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
    )
    assert response.status == 413


def test_the_token_is_never_stored_and_its_use_is_noted(server, token, loaded_db, db_path=None):
    push(server, batch({"date": "2026-11-10", "metric": "leads", "value": 1}), token)
    files = [Path(loaded_db + suffix) for suffix in ("", "-wal")]
    raw = b"".join(path.read_bytes() for path in files if path.exists())
    assert token.encode() not in raw and token.split("_")[2].encode() not in raw
    with Store(loaded_db) as store:
        (record,) = store.tokens("T1")
        assert record.last_used_at == NOW.isoformat()


def test_token_cli_makes_lists_and_revokes(tmp_path, capsys):
    from bot import cli

    db = str(tmp_path / "k.db")
    assert cli.main(["token", "create", "--db", db, "--team", "T1", "--name", "dbt"]) == 0
    out = capsys.readouterr().out
    made = out.splitlines()[1]
    assert made.startswith("kpi_") and len(made) == 60
    assert cli.main(["token", "list", "--db", db, "--team", "T1"]) == 0
    listing = capsys.readouterr().out
    assert listing.startswith("dbt ") and made not in listing and "last used never" in listing
    assert cli.main(["token", "create", "--db", db, "--team", "T1", "--name", "dbt"]) == 1
    assert "already has a token named `dbt`" in capsys.readouterr().err
    assert cli.main(["token", "revoke", "dbt", "--db", db, "--team", "T1"]) == 0
    with Store(db) as store:
        assert store.tokens("T1") == []


def test_in_socket_mode_the_push_api_has_its_own_port_and_slack_requests_are_refused(api, loaded_db, token):
    import http.client
    import time

    from bot.app import build_app
    from bot.server import serve_push_in_background

    settings = settings_for(loaded_db, api.url)
    server, port = serve_push_in_background(build_app(settings), settings, "127.0.0.1", 0)
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    try:

        def post(path: str, body: str, headers: dict[str, str]) -> int:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("POST", path, body=body.encode(), headers=headers)
            status = conn.getresponse().status
            conn.close()
            return status

        body = batch({"date": "2026-11-10", "metric": "signups", "value": 2})
        assert (
            post(PATH, body, {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}) == 200
        )
        slack = command_body("help")
        assert (
            post("/slack/events", slack, {"Content-Type": "application/x-www-form-urlencoded", **sign(slack)})
            == 401
        )
    finally:
        server.should_exit = True
