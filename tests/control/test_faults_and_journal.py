"""Fault rules and the request journal: in process, and against a live server for the
faults that only a real connection can show (drop, truncate, latency)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.conftest import EPOCH, LiveServer
from tests.control.support import app_client, move_clock
from tests.helpers import JSON, Q, basic, error_of, logon, xml

ENTRY_KEYS = {"time", "method", "path", "query", "status", "duration_ms", "fault"}


def _add(client, **rule) -> dict:
    response = client.post("/mock/faults", json=rule)
    assert response.status_code == 201, response.text
    body: dict = response.json()
    return body


# --- error rules ---------------------------------------------------------------------------


@pytest.mark.parametrize("accept", [{}, JSON], ids=["xml", "json"])
def test_error_rule_with_count_two_fails_exactly_two_matching_requests(client, auth, accept):
    rule = _add(client, action="error", method="GET", path="/api/query*",
                type="CloudFailoverSession", status=503, count=2, message="Planned outage")
    assert (rule["action"], rule["status"], rule["count"]) == ("error", 503, 2)
    headers = {**auth, **accept}
    matching = "/api/query?type=cloudfailoversession&pageSize=1"
    not_matching = [
        ("GET", "/api/query?type=BackupServer"),              # other type
        ("GET", "/api/query?format=Entities&pageSize=1&type=CloudFailoverPlan"),
        ("GET", "/api/backupServers"),                        # other path
        ("GET", "/api/querySvc"),                             # path matches, no type
    ]
    statuses = []
    for _ in range(2):
        for method, url in not_matching:
            assert client.request(method, url, headers=headers).status_code == 200, url
        response = client.get(matching, headers=headers)
        statuses.append(response.status_code)
        assert response.headers["content-type"].startswith(
            "application/json" if accept else "application/xml")
        if accept:
            assert response.json() == {"FirstChanceExceptionMessage": None,
                                       "Message": "Planned outage", "StackTrace": None,
                                       "Status": None, "StatusCode": 503}
            assert list(response.json()) == ["FirstChanceExceptionMessage", "Message",
                                             "StackTrace", "Status", "StatusCode"]
        else:
            root = xml(response.content)
            assert root.tag == Q + "Error"
            assert (root.get("Message"), root.get("StatusCode")) == ("Planned outage", "503")
    assert statuses == [503, 503]
    third = client.get(matching, headers=headers)
    assert third.status_code == 200
    assert client.get("/mock/faults").json() == []


def test_error_rule_matches_method_and_path_glob_in_any_case(client):
    _add(client, action="error", method="post", path="/API/SESSIONMNGR*", status=429,
         message="Slow down")
    other_method = client.get("/api/sessionMngr/?v=latest", headers={"Authorization": basic()})
    assert other_method.status_code != 429
    for url in ("/api/sessionMngr/?v=latest", "/api/SessionMngr?v=v1_5", "/api//sessionMngr/"):
        response = client.post(url, headers={"Authorization": basic(), **JSON})
        assert response.status_code == 429, url
        assert error_of(response)["Message"] == "Slow down"
    [rule] = client.get("/mock/faults").json()
    assert (rule["method"], rule["matched"], rule["fired"]) == ("POST", 3, 3)
    assert client.get("/api/").status_code == 200


def test_rule_with_a_question_mark_glob(client, auth):
    _add(client, action="error", path="/api/backupServers/?*", status=500)
    assert client.get("/api/backupServers", headers=auth).status_code == 200
    response = client.get("/api/backupServers/cd613e30-d8f1-4adf-91b7-584a2265b1f5",
                          headers=auth)
    assert response.status_code == 500
    assert error_of(response)["Message"]


def test_probability_zero_never_fires(client, auth):
    _add(client, action="error", path="/api/*", probability=0, status=500)
    statuses = {client.get("/api/querySvc", headers=auth).status_code for _ in range(30)}
    assert statuses == {200}
    [rule] = client.get("/mock/faults").json()
    assert (rule["matched"], rule["fired"]) == (30, 0)


def _coin_flips(client) -> list[int]:
    token = logon(client)
    _add(client, action="error", path="/api/query", probability=0.5, status=500)
    return [client.get("/api/query?type=BackupServer",
                       headers={"X-RestSvcSessionId": token}).status_code for _ in range(24)]


def test_probability_half_repeats_for_a_seed_across_a_reset(client):
    first = _coin_flips(client)
    assert set(first) == {200, 500}
    [rule] = client.get("/mock/faults").json()
    assert (rule["matched"], rule["fired"]) == (24, first.count(500))
    assert client.post("/mock/reset").status_code == 200
    assert _coin_flips(client) == first


@pytest.mark.parametrize("rule", [
    {}, {"action": "explode"}, {"action": "error", "status": 200},
    {"action": "error", "status": "500"}, {"action": "error", "probability": 1.5},
    {"action": "error", "probability": -0.1}, {"action": "error", "probability": True},
    {"action": "error", "count": 0}, {"action": "error", "count": 1.5},
    {"action": "latency"}, {"action": "latency", "latencyMs": -1},
    {"action": "error", "colour": "red"}, {"action": "error", "path": 5},
    {"action": "error", "method": ["GET"]},
])
def test_invalid_rules_are_400_and_not_added(steady, rule):
    client, _ = steady
    response = client.post("/mock/faults", json=rule)
    assert response.status_code == 400
    assert response.json()["error"]
    assert client.get("/mock/faults").json() == []


@pytest.mark.parametrize("body", [b"[]", b"not json", b'"error"'])
def test_rule_that_is_not_an_object_is_400(steady, body):
    client, _ = steady
    response = client.post("/mock/faults", content=body,
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert client.get("/mock/faults").json() == []


def test_list_and_remove_rules(client, auth):
    first = _add(client, action="error", path="/api/querySvc", status=502)
    second = _add(client, action="latency", path="/api/nothing", latencyMs=10, jitterMs=5)
    listed = client.get("/mock/faults").json()
    assert [r["id"] for r in listed] == [first["id"], second["id"]]
    assert listed[1]["latencyMs"] == 10 and listed[1]["jitterMs"] == 5
    assert set(listed[0]) >= {"id", "action", "method", "path", "type", "probability", "count",
                              "status", "message", "latencyMs", "jitterMs", "matched", "fired"}
    assert client.get("/api/querySvc", headers=auth).status_code == 502

    assert client.delete(f"/mock/faults/{first['id']}").status_code == 204
    assert [r["id"] for r in client.get("/mock/faults").json()] == [second["id"]]
    assert client.get("/api/querySvc", headers=auth).status_code == 200
    missing = client.delete(f"/mock/faults/{first['id']}")
    assert missing.status_code == 404
    assert missing.json()["error"]

    _add(client, action="error", path="/api/querySvc", status=502)
    assert client.delete("/mock/faults").status_code == 204
    assert client.get("/mock/faults").json() == []
    assert client.get("/api/querySvc", headers=auth).status_code == 200


# --- the journal ---------------------------------------------------------------------------


def test_journal_lists_newest_first_with_every_field(client, auth):
    assert client.delete("/mock/requests").status_code == 204
    assert client.get("/api/", headers=JSON).status_code == 200
    move_clock(client, action="advance", seconds=60)
    assert client.get("/api/backupServers?format=Entity", headers=auth).status_code == 200
    assert client.get("/api/nothing/here", headers=auth).status_code == 404
    _add(client, action="error", path="/api/querySvc", status=503, count=1)
    assert client.get("/api/querySvc", headers=auth).status_code == 503

    entries = client.get("/mock/requests").json()
    assert all(set(e) == ENTRY_KEYS for e in entries)
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("GET", "/api/querySvc", 503), ("GET", "/api/nothing/here", 404),
        ("GET", "/api/backupServers", 200), ("GET", "/api/", 200)]
    assert [e["fault"] for e in entries] == ["error", None, None, None]
    assert entries[2]["query"] == "format=Entity"
    assert entries[3]["query"] == ""
    assert entries[3]["time"] == EPOCH
    assert [e["time"] for e in entries[:3]] == ["2026-06-15T12:01:00.000Z"] * 3
    assert all(isinstance(e["duration_ms"], int | float) and e["duration_ms"] >= 0
               for e in entries)


def test_control_calls_are_not_journaled(client):
    client.delete("/mock/requests")
    for path in ("/mock/health", "/mock/ready", "/mock/clock", "/mock/faults"):
        assert client.get(path).status_code == 200
    assert client.get("/mock/requests").json() == []


def test_journal_filters(client, auth):
    client.delete("/mock/requests")
    logon(client)
    client.get("/api/backupServers", headers=auth)
    client.get("/api/BackupServers/00000000-0000-4000-8000-000000000000", headers=auth)
    client.get("/api/querySvc", headers=auth)
    posts = client.get("/mock/requests?method=post").json()
    assert [(e["method"], e["status"]) for e in posts] == [("POST", 201)]
    backup = client.get("/mock/requests?path=BACKUPSERVERS").json()
    assert [e["status"] for e in backup] == [404, 200]
    assert [e["path"] for e in client.get("/mock/requests?status=404").json()] == \
        ["/api/BackupServers/00000000-0000-4000-8000-000000000000"]
    both = client.get("/mock/requests?method=GET&path=backup&status=200").json()
    assert [e["path"] for e in both] == ["/api/backupServers"]
    assert client.get("/mock/requests?status=999").status_code == 400
    assert client.get("/mock/requests?status=abc").status_code == 400


def test_journal_keeps_only_the_newest_entries():
    with app_client(journal_size=5) as client:
        for n in range(20):
            assert client.get(f"/api/?n={n}").status_code == 200
        entries = client.get("/mock/requests").json()
        assert [e["query"] for e in entries] == [f"n={n}" for n in range(19, 14, -1)]


def test_journal_size_zero_keeps_nothing():
    with app_client(journal_size=0) as client:
        for n in range(5):
            assert client.get(f"/api/?n={n}").status_code == 200
        assert client.get("/mock/requests").json() == []


def test_delete_requests_clears_the_journal(client, auth):
    client.get("/api/querySvc", headers=auth)
    assert client.get("/mock/requests").json()
    response = client.delete("/mock/requests")
    assert response.status_code == 204
    assert client.get("/mock/requests").json() == []


# --- against a live server -----------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    """A live em-mock of its own, so fault rules never leak into other tests."""
    live = LiveServer("--frozen-clock")
    yield live
    live.stop()


@pytest.fixture
def control(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        client.delete("/mock/faults")
        client.delete("/mock/requests")
        yield client
        client.delete("/mock/faults")


def _raw_get(url: str, path: str) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                     "Connection: close\r\n\r\n".encode())
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def test_drop_closes_the_connection_without_a_response(server, control):
    _add(control, action="drop", path="/api/querySvc", count=1)
    token = logon(control)
    with httpx.Client(base_url=server.url, timeout=10) as client, \
            pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        client.get("/api/querySvc", headers={"X-RestSvcSessionId": token})
    assert _raw_get(server.url, "/api/").startswith(b"HTTP/1.1 200")
    after = control.get("/api/querySvc", headers={"X-RestSvcSessionId": token})
    assert after.status_code == 200
    journal = control.get("/mock/requests?path=/api/querySvc").json()
    assert [e["fault"] for e in journal] == [None, "drop"]


def test_drop_sends_no_bytes_at_all(server, control):
    _add(control, action="drop", path="/api/", count=1)
    assert _raw_get(server.url, "/api/") == b""
    assert control.get("/api/").status_code == 200


def test_truncate_sends_less_body_than_its_content_length(server, control):
    _add(control, action="truncate", path="/api/", count=1)
    raw = _raw_get(server.url, "/api/")
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    lengths = [line.split(b":", 1)[1].strip() for line in head.split(b"\r\n")
               if line.lower().startswith(b"content-length:")]
    assert len(lengths) == 1
    assert 0 < len(body) < int(lengths[0])
    _add(control, action="truncate", path="/api/", count=1)
    with httpx.Client(base_url=server.url, timeout=10) as client, \
            pytest.raises(httpx.RemoteProtocolError):
        client.get("/api/")
    whole = control.get("/api/")
    assert whole.status_code == 200
    assert len(whole.content) == int(whole.headers["content-length"])


def test_latency_on_one_path_does_not_hold_up_others(server, control):
    rule = _add(control, action="latency", path="/api/querySvc", latencyMs=1500)
    token = logon(control)
    headers = {"X-RestSvcSessionId": token}

    def slow() -> int:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            return client.get("/api/querySvc", headers=headers).status_code

    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(slow)
        # Wait until the server holds the slow request (the rule has matched it).
        deadline = time.monotonic() + 10
        while not any(r["id"] == rule["id"] and r["matched"]
                      for r in control.get("/mock/faults").json()):
            assert not pending.done(), "the slow request finished before it was seen"
            assert time.monotonic() < deadline
        fast = control.get("/api/backupServers", headers=headers)
        assert fast.status_code == 200
        assert not pending.done()
        assert pending.result(timeout=30) == 200
    [held] = control.get("/mock/requests?path=/api/querySvc").json()[:1]
    assert held["fault"] == "latency"
    assert held["duration_ms"] >= 1500
