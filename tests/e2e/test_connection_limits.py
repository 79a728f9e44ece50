"""What a client sees on the wire when it sends what HTTP/1.1 does not allow, sends too
slowly, or opens too many connections (issue 16, items 2 and 8): an EM ``Error`` (the
control API's JSON shape under ``/mock``), then the connection is closed."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from lxml import etree

from tests.conftest import LiveServer
from tests.helpers import Q

TIMEOUT_S = 0.75


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    """A live server with a short request-read deadline and room for 8 connections."""
    live = LiveServer("--no-https", "--request-timeout", str(TIMEOUT_S),
                      "--max-connections", "8", "--max-header-size", "8192")
    yield live
    live.stop()


def _connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def _exchange(url: str, payload: bytes) -> tuple[bytes, float]:
    """Send ``payload``, read until the server closes; the answer and the seconds it took.

    A server that never closes fails the test through the socket timeout."""
    with _connect(url) as sock:
        sock.sendall(payload)
        started = time.monotonic()
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks), time.monotonic() - started


def _split(answer: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def _em_error(answer: bytes, status: int) -> str:
    code, headers, body = _split(answer)
    assert code == status, answer[:300]
    assert headers["connection"] == "close"
    assert headers["content-type"].startswith("application/xml")
    assert int(headers["content-length"]) == len(body)
    root = etree.fromstring(body)
    assert root.tag == Q + "Error"
    assert root.get("StatusCode") == str(status)
    return str(root.get("Message"))


GARBAGE = {
    "nul in target": b"GET /api/\x00x HTTP/1.1\r\nHost: x\r\n\r\n",
    "control byte in target": b"GET /api/\x01 HTTP/1.1\r\nHost: x\r\n\r\n",
    "non-ascii target": b"GET /api/\xff HTTP/1.1\r\nHost: x\r\n\r\n",
    "nul in header value": b"GET /api/ HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n",
    "control byte in header name": b"GET /api/ HTTP/1.1\r\nHost: x\r\nX\x07A: b\r\n\r\n",
    "two hosts": b"GET /api/ HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
    "no host": b"GET /api/ HTTP/1.1\r\nAccept: */*\r\n\r\n",
    "negative length": b"POST /api/ HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    "two lengths": (b"POST /api/ HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
                    b"Content-Length: 2\r\n\r\nab"),
    "bad chunk size": (b"POST /api/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                       b"zz\r\nab\r\n0\r\n\r\n"),
    "garbage line": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
    "space in header name": b"GET /api/ HTTP/1.1\r\nHost: x\r\nX A: b\r\n\r\n",
    "bad method": b"G(T /api/ HTTP/1.1\r\nHost: x\r\n\r\n",
}


@pytest.mark.parametrize("payload", GARBAGE.values(), ids=GARBAGE.keys())
def test_protocol_errors_get_an_em_error_400_then_close(server, payload):
    answer, _ = _exchange(server.url, payload)
    assert "not valid HTTP/1.1" in _em_error(answer, 400)
    assert b"Invalid HTTP request received" not in answer


def test_protocol_error_answers_json_when_the_request_asked_for_it(server):
    answer, _ = _exchange(server.url, b"GET /api/ HTTP/1.1\r\nHost: x\r\nHost: y\r\n"
                                      b"Accept: application/json\r\n\r\n")
    code, headers, body = _split(answer)
    assert code == 400 and headers["content-type"].startswith("application/json")
    assert json.loads(body)["StatusCode"] == 400


def test_protocol_error_on_the_control_api_answers_its_json_shape(server):
    answer, _ = _exchange(server.url, b"GET /mock/clock HTTP/1.1\r\nHost: x\r\n"
                                      b"Content-Length: -1\r\n\r\n")
    code, headers, body = _split(answer)
    assert code == 400 and headers["connection"] == "close"
    assert set(json.loads(body)) == {"error", "errors"}


def test_a_websocket_upgrade_is_served_as_plain_http_as_em_has_no_websocket(server):
    answer, _ = _exchange(server.url, b"GET /api/ HTTP/1.1\r\nHost: x\r\n"
                          b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
                          b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                          b"Sec-WebSocket-Version: 13\r\n\r\n")
    code, headers, body = _split(answer)
    assert code == 200, answer[:300]
    assert headers["content-type"].startswith("application/xml")
    assert b"<EnterpriseManager " in body


def test_head_far_over_the_limit_gets_431_and_the_client_reads_it(server):
    # 200 KB sent at once: the server must answer and close without resetting the
    # connection under the client's feet.
    answer, _ = _exchange(server.url, b"GET /api/ HTTP/1.1\r\nHost: x\r\nX-A: " + b"a" * 200_000)
    assert "longer than" in _em_error(answer, 431)


def test_request_line_far_over_the_limit_gets_414(server):
    answer, _ = _exchange(server.url, b"GET /api/?q=" + b"a" * 200_000)
    assert "request line" in _em_error(answer, 414)


PARTIAL = {
    "partial headers": b"GET /api/ HTTP/1.1\r\nHost: x\r\nX-A: b",
    "partial request line": b"GET /api/ HT",
    "partial body": (b"POST /api/sessionMngr/?v=latest HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Length: 100\r\n\r\nab"),
    "partial chunked body": (b"POST /mock/faults HTTP/1.1\r\nHost: x\r\n"
                             b"Transfer-Encoding: chunked\r\n\r\n5\r\nab"),
}


@pytest.mark.parametrize("payload", PARTIAL.values(), ids=PARTIAL.keys())
def test_an_unfinished_request_gets_408_and_is_closed(server, payload):
    answer, took = _exchange(server.url, payload)
    code, headers, _ = _split(answer)
    assert code == 408 and headers["connection"] == "close"
    assert TIMEOUT_S * 0.8 <= took < TIMEOUT_S + 5


def test_a_trickling_request_is_cut_at_the_deadline_not_kept_alive_by_each_byte(server):
    with _connect(server.url) as sock:
        sock.sendall(b"GET /api/ HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        answer = b""
        with pytest.raises(OSError):  # the server closes while we still write
            while time.monotonic() - started < TIMEOUT_S + 5:
                sock.sendall(b"X: y\r\n")
                sock.settimeout(0.05)
                try:
                    chunk = sock.recv(65536)
                except TimeoutError:
                    continue
                answer += chunk
                if not chunk:
                    raise ConnectionAbortedError
    assert time.monotonic() - started < TIMEOUT_S + 5
    assert answer.startswith(b"HTTP/1.1 408")


def test_an_idle_connection_is_closed_without_an_answer(server):
    answer, took = _exchange(server.url, b"")
    assert answer == b""
    assert TIMEOUT_S * 0.8 <= took < TIMEOUT_S + 5


def test_a_slow_request_finished_in_time_is_served(server):
    with _connect(server.url) as sock:
        sock.sendall(b"GET /api/ HTTP/1.1\r\nHost: x\r\n")
        sock.sendall(b"Connection: close\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")


def test_connections_past_the_cap_get_503_and_the_server_recovers(server):
    held = [_connect(server.url) for _ in range(8)]
    try:
        answer, _ = _exchange(server.url, b"GET /api/ HTTP/1.1\r\nHost: x\r\n\r\n")
        assert "8 connections" in _em_error(answer, 503)
    finally:
        for sock in held:
            sock.close()
    for _ in range(50):  # the server notices the closed sockets on its next loop turns
        if httpx.get(server.url + "/api/").status_code == 200:
            break
    assert httpx.get(server.url + "/api/").status_code == 200


def test_a_body_refused_early_gets_one_answer_then_the_close_at_the_deadline(server):
    # 413 is sent while the client still owes most of the body; at the deadline the
    # connection is closed, without a second (408) answer.
    answer, took = _exchange(server.url, b"POST /api/sessionMngr/?v=latest HTTP/1.1\r\n"
                                         b"Host: x\r\nContent-Length: 2000000\r\n\r\n"
                                         + b"a" * 1_100_000)
    assert answer.startswith(b"HTTP/1.1 413")
    assert answer.count(b"HTTP/1.1 ") == 1
    assert took < TIMEOUT_S + 5
