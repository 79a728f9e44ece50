"""Who may use /mock/: the control token, --no-control, and the self-description."""

from __future__ import annotations

import pytest

from tests.conftest import EPOCH
from tests.control.support import app_client
from tests.helpers import JSON, error_of, logon

TOKEN = "s3cret"

# Every control call, as (method, path, JSON body). None of them may run without the token.
CALLS = [
    ("GET", "/mock/ready", None),
    ("POST", "/mock/reset", None),
    ("POST", "/mock/seed", {"seed": 2, "backupServers": 1, "failoverPlans": 1, "sessions": 1}),
    ("GET", "/mock/state", None),
    ("PUT", "/mock/state", {"BackupServers": []}),
    ("POST", "/mock/data/tenants", {"Name": "Intruder"}),
    ("PUT", "/mock/data/tenants/b8b6d8fe-442e-4d43-b204-e52db2221a58", {"Name": "Intruder"}),
    ("DELETE", "/mock/data/tenants/b8b6d8fe-442e-4d43-b204-e52db2221a58", None),
    ("GET", "/mock/clock", None),
    ("POST", "/mock/clock", {"action": "advance", "seconds": 3600}),
    ("GET", "/mock/faults", None),
    ("POST", "/mock/faults", {"action": "error", "status": 503}),
    ("DELETE", "/mock/faults", None),
    ("DELETE", "/mock/faults/1", None),
    ("GET", "/mock/requests", None),
    ("DELETE", "/mock/requests", None),
    ("GET", "/mock/docs", None),
    ("GET", "/mock/openapi.json", None),
    ("POST", "/mock/console/logon", None),
    ("GET", "/mock/scenes", None),
    ("POST", "/mock/scenes/time-flies", {"hours": 1}),
]
IDS = [f"{m} {p}" for m, p, _ in CALLS]


@pytest.fixture(scope="module")
def guarded():
    with app_client(control_token=TOKEN) as client:
        yield client


def _unchanged(client) -> None:
    """The data, the clock and the rules are as the app started."""
    ok = {"X-Mock-Token": TOKEN}
    ready = client.get("/mock/ready", headers=ok).json()
    assert (ready["backupServers"], ready["failoverPlans"], ready["failoverSessions"]) == \
        (3, 12, 500)
    assert ready["clock"] == EPOCH
    assert client.get("/mock/faults", headers=ok).json() == []


@pytest.mark.parametrize(("method", "path", "body"), CALLS, ids=IDS)
@pytest.mark.parametrize("header", [None, "wrong"])
def test_control_calls_need_the_token(guarded, method, path, body, header):
    headers = {} if header is None else {"X-Mock-Token": header}
    response = guarded.request(method, path, json=body, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]
    _unchanged(guarded)


@pytest.mark.parametrize("header", ["S3CRET", "s3cret ", "s3cre", "s3crets", ""])
def test_a_near_miss_token_is_refused(guarded, header):
    response = guarded.post("/mock/clock", json={"action": "advance", "seconds": 60},
                            headers={"X-Mock-Token": header})
    assert response.status_code == 401
    _unchanged(guarded)


def test_health_needs_no_token(guarded):
    response = guarded.get("/mock/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_control_calls_work_with_the_token():
    ok = {"X-Mock-Token": TOKEN}
    with app_client(control_token=TOKEN) as client:
        for method, path, body in CALLS:
            if path in ("/mock/reset", "/mock/state", "/mock/seed") and method != "GET":
                continue
            response = client.request(method, path, json=body, headers=ok)
            # Reached its handler: DELETE of a tenant that plans use and of a rule that
            # is not there are refused on their merits, never for want of the token.
            expected = {("DELETE", "/mock/faults/1"): 404,
                        ("DELETE", CALLS[7][1]): 400}.get((method, path), response.status_code)
            assert response.status_code == expected, (method, path, response.text)
            assert response.status_code < 300 or response.status_code in (400, 404)
        clock = client.get("/mock/clock", headers=ok).json()
        assert clock["now"] == "2026-06-15T14:00:00.000Z"  # advanced 1 h, then time flew 1 h
        assert client.post("/mock/reset", headers=ok).status_code == 200
        seeded = client.post("/mock/seed", headers=ok,
                             json={"seed": 2, "backupServers": 1, "failoverPlans": 1,
                                   "sessions": 1})
        assert seeded.status_code == 200
        assert seeded.json()["failoverSessions"] == 1
        assert client.get("/mock/health", headers=ok).status_code == 200


def test_the_token_does_not_open_the_em_api():
    with app_client(control_token=TOKEN) as client:
        response = client.get("/api/logonSessions", headers={"X-Mock-Token": TOKEN, **JSON})
        assert response.status_code == 401
        token = logon(client)
        assert client.get("/api/logonSessions",
                          headers={"X-RestSvcSessionId": token}).status_code == 200


@pytest.fixture(scope="module")
def no_control():
    with app_client(no_control=True) as client:
        yield client


@pytest.mark.parametrize(("method", "path"), [
    *[(m, p) for m, p, _ in CALLS], ("GET", "/mock/"), ("GET", "/mock"),
])
def test_no_control_removes_every_mock_path_but_health(method, path, no_control):
    response = no_control.request(method, path, headers=JSON)
    assert response.status_code == 404
    assert error_of(response)["StatusCode"] == 404


def test_no_control_keeps_the_em_api(no_control):
    assert no_control.get("/api/", headers=JSON).status_code == 200
    token = logon(no_control)
    response = no_control.get("/api/query?type=BackupServer",
                              headers={"X-RestSvcSessionId": token, **JSON})
    assert response.status_code == 200
    assert len(response.json()["Refs"]["Refs"]) == 3


def test_docs_page_lists_the_control_endpoints(client):
    response = client.get("/mock/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert page.lstrip().lower().startswith("<!doctype html")
    for method, path in [("GET", "/mock/health"), ("POST", "/mock/reset"),
                         ("POST", "/mock/seed"), ("PUT", "/mock/state"),
                         ("POST", "/mock/data/{collection}"), ("POST", "/mock/clock"),
                         ("POST", "/mock/faults"), ("DELETE", "/mock/faults/{rule_id}"),
                         ("GET", "/mock/requests"), ("DELETE", "/mock/requests")]:
        row = f"<code>{method}</code></td><td><code>{path}</code>"
        assert row in page, row
    assert "/mock/openapi.json" in page


def test_openapi_document_describes_the_control_api(client):
    response = client.get("/mock/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] and spec["info"]["version"]
    assert {"/reset", "/clock", "/faults", "/requests"} <= set(spec["paths"])
    assert {"get", "delete"} <= set(spec["paths"]["/requests"])
    assert {"get", "post"} <= set(spec["paths"]["/clock"])
    assert {"get", "post", "delete"} <= set(spec["paths"]["/faults"])
    assert "post" in spec["paths"]["/reset"]
    # Relative paths resolve against the mount point.
    assert [s["url"] for s in spec.get("servers", [])] == ["/mock"]
    for path, methods in spec["paths"].items():
        assert path.startswith("/"), path
        for method, operation in methods.items():
            assert method in {"get", "put", "post", "delete", "patch", "head", "options"}
            assert "responses" in operation, (path, method)


def test_the_console_logon_opens_an_em_session_and_never_shows_the_password(guarded):
    response = guarded.post("/mock/console/logon", headers={"X-Mock-Token": TOKEN})
    assert response.status_code == 201, response.text
    session = response.json()
    assert set(session) == {"user", "token", "sessionUrl"}
    assert session["user"] == "veeam" and "veeam" not in (session["token"],
                                                        session["sessionUrl"])
    em = {"X-RestSvcSessionId": session["token"], **JSON}
    mine = guarded.get("/api/logonSessions", headers=em)
    assert mine.status_code == 200, mine.text
    assert mine.json()["LogonSessions"][0]["UserName"] == "veeam"
    assert guarded.get(session["sessionUrl"], headers=em).status_code == 200
