"""Bad input against a real uvicorn process: right status, EM Error body, server keeps serving."""

from __future__ import annotations

import socket

import httpx
import pytest

from tests.helpers import JSON, error_of


def _raw(url: str, payload: bytes) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(payload)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def test_huge_header_gets_431_error_and_server_keeps_serving(live_client):
    response = live_client.get("/api/", headers={"X-Big": "a" * 100_000, **JSON})
    assert response.status_code == 431
    assert error_of(response)["StatusCode"] == 431
    assert live_client.get("/api/").status_code == 200


def test_huge_request_line_gets_414_error(live):
    target = b"/api/query?type=CloudFailoverSession&filter=Name==" + b"a" * 70_000
    raw = _raw(live.url, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n"
                         b"Accept: application/json\r\nConnection: close\r\n\r\n")
    assert raw.startswith(b"HTTP/1.1 414")
    assert b'"StatusCode":414' in raw
    assert httpx.get(live.url + "/api/").status_code == 200


@pytest.mark.parametrize("authorization", [
    "Basic !!!notbase64", "Basic " + "dXNlcg==", "Bearer abc", "Basic", "Basic //79/w==",
])
def test_malformed_authorization_gets_401_error(live_client, authorization):
    response = live_client.post("/api/sessionMngr/?v=latest",
                                headers={"Authorization": authorization, **JSON})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Basic Realm=RestSvc"
    assert error_of(response)["StatusCode"] == 401


def test_garbage_tokens_get_401_and_response_headers_keep_vendor_spelling(live):
    raw = _raw(live.url, b"GET /api/logonSessions HTTP/1.1\r\nHost: x\r\n"
                         b"X-RestSvcSessionId: \xff\xfe garbage\r\nConnection: close\r\n\r\n")
    assert raw.startswith(b"HTTP/1.1 401")
    assert b"\r\nWWW-Authenticate: Basic Realm=RestSvc\r\n" in raw
    assert b"\r\nContent-Type: application/xml" in raw
    assert httpx.get(live.url + "/api/").status_code == 200


def test_the_served_answer_has_one_date_and_no_server_header(live_client):
    """uvicorn adds neither: the one ``Date`` is the app's, from the mock's clock (which
    this server runs from EPOCH, 2026-06-15)."""
    response = live_client.get("/api/")
    assert len(response.headers.get_list("date")) == 1
    assert response.headers["date"].startswith("Mon, 15 Jun 2026 ")
    assert "server" not in response.headers


def test_the_pytest_plugins_server_dates_answers_once_by_the_mock_clock(em_mock):
    """The plugin's own live server (``em_mock`` fixture) serves the same way."""
    em_mock.set_clock("2026-06-15T12:00:00Z")
    response = httpx.get(f"{em_mock.url}/api/")
    assert response.headers.get_list("date") == ["Mon, 15 Jun 2026 12:00:00 GMT"]
    assert "server" not in response.headers
