"""Bodies and requests no client should send (issue 16, items 1, 4, 9, 10 and 11): what
the client sees is a 4xx in the right error shape, never a 500, and nothing is read or
expanded that did not have to be."""

from __future__ import annotations

import inspect
import json
import socket
import typing
from typing import Any

import pytest

from em_mock.core.http.actions import NO_DTD
from em_mock.factory import JSON_DEPTH, too_deep
from tests.conftest import LiveServer
from tests.core.http.test_limits_and_security import (
    ERROR_KEYS,
    _plan_id,
    app_client,
    assert_em_error,
)
from tests.helpers import JSON, logon

TOKEN = "X-RestSvcSessionId"


def _control_error(response: Any, status: int) -> str:
    """``response`` is ``status`` with the control API's own JSON error shape; its message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "errors"}
    return str(body["error"])


# --- item 1: the control API's token comes before its body, and its body has a limit ---------

def test_a_control_body_without_the_token_is_refused_before_it_is_read():
    server = LiveServer("--no-https", "--control-token", "t")
    try:
        host, port = server.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            # 1.5 GB announced, not a byte of it sent: the answer must come at once.
            sock.sendall(b"PUT /mock/state HTTP/1.1\r\nHost: x\r\nContent-Type: "
                         b"application/json\r\nContent-Length: 1500000000\r\n\r\n")
            answer = b""
            while b"\r\n\r\n" not in answer or not answer.endswith(b"}"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 401")
        assert "X-Mock-Token" in json.loads(body)["error"]
    finally:
        server.stop()


@pytest.mark.parametrize("body", [b"{not json", b"[" * 10_000, b"\xff\xfe", b"{}"])
def test_a_malformed_control_body_without_the_token_gets_401(body):
    with app_client(control_token="t") as client:
        for path in ("/mock/state", "/mock/faults", "/mock/clock", "/mock/data/tenants"):
            method = "PUT" if path == "/mock/state" else "POST"
            response = client.request(method, path, content=body,
                                      headers={"Content-Type": "application/json"})
            assert "X-Mock-Token" in _control_error(response, 401)


def test_a_control_body_over_its_own_limit_gets_413_and_one_at_it_is_read():
    with app_client(control_max_body_size=2000, max_body_size=10) as client:
        rule = {"action": "error", "status": 503, "path": "/api/x" + "y" * 1000}
        assert client.post("/mock/faults", json=rule).status_code == 201
        big = {**rule, "path": "/api/" + "y" * 3000}
        assert "2000 bytes" in _control_error(client.post("/mock/faults", json=big), 413)


def test_the_control_body_limit_is_its_own_and_takes_a_whole_data_set():
    with app_client(max_body_size=1000) as client:
        state = client.get("/mock/state")
        assert len(state.content) > 1000
        assert client.put("/mock/state", content=state.content,
                          headers={"Content-Type": "application/json"}).status_code == 200


# --- item 4: deeply nested bodies are a 400, on every body-taking route ---------------------

DEEP = {
    "arrays": b"[" * 100_000 + b"]" * 100_000,
    "objects": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "unclosed": b"[" * 100_000,
    "just over": b"[" * (JSON_DEPTH + 1) + b"]" * (JSON_DEPTH + 1),
}


@pytest.mark.parametrize("body", DEEP.values(), ids=DEEP.keys())
@pytest.mark.parametrize("as_json", [False, True])
def test_deep_json_on_a_plan_action_is_400_with_the_error_envelope(body, as_json):
    with app_client() as client:
        auth = {TOKEN: logon(client)}
        headers = {**auth, "Content-Type": "application/json", **(JSON if as_json else {})}
        url = f"/api/cloud/cloudFailoverPlans/{_plan_id(client, auth)}?action=start"
        response = client.post(url, content=body, headers=headers)
        message = assert_em_error(response, 400, as_json)
        assert "deeper" in message or "not valid JSON" in message


@pytest.mark.parametrize("as_json", [False, True])
def test_deep_json_on_the_logon_route_is_400_with_the_error_envelope(as_json):
    with app_client() as client:
        response = client.post("/api/sessionMngr/?v=latest", content=DEEP["arrays"],
                               headers={"Content-Type": "application/json",
                                        **(JSON if as_json else {})})
        assert_em_error(response, 400, as_json)


CONTROL_BODIES = [("PUT", "/mock/state"), ("POST", "/mock/seed"), ("POST", "/mock/clock"),
                  ("POST", "/mock/faults"), ("POST", "/mock/data/backupServers"),
                  ("PUT", "/mock/data/backupServers/x")]


@pytest.mark.parametrize(("method", "path"), CONTROL_BODIES)
@pytest.mark.parametrize("body", DEEP.values(), ids=DEEP.keys())
def test_deep_json_on_a_control_route_is_400_in_the_control_shape(method, path, body):
    with app_client() as client:
        for kind in ({"Content-Type": "application/json"}, {}):
            response = client.request(method, path, content=body, headers=kind)
            assert "deeper" in _control_error(response, 400)


def test_deep_xml_on_a_plan_action_is_400_with_the_error_envelope():
    body = (b'<CloudFailoverPlanManagementSpec xmlns="http://www.veeam.com/ent/v1.0">'
            + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</CloudFailoverPlanManagementSpec>")
    with app_client(max_body_size=2_000_000) as client:
        auth = {TOKEN: logon(client)}
        url = f"/api/cloud/cloudFailoverPlans/{_plan_id(client, auth)}?action=start"
        response = client.post(url, content=body,
                               headers={**auth, "Content-Type": "application/xml"})
        assert_em_error(response, 400, False)


def test_json_at_the_depth_limit_and_brackets_in_strings_pass():
    ok = b"[" * JSON_DEPTH + b"]" * JSON_DEPTH
    assert not too_deep(ok)
    assert not too_deep(b'{"a": "' + b"[" * 10_000 + b'", "b": [1, {"c": "\\"]"}]}')
    assert too_deep(b"[" * (JSON_DEPTH + 1) + b"]" * (JSON_DEPTH + 1))


# --- item 9: a bad Host on the control API answers the control API's shape ------------------

@pytest.mark.parametrize("path", ["/mock/ready", "/mock/clock", "/mock/nothing-here"])
def test_bad_host_on_the_control_api_answers_its_json_shape(path):
    with app_client() as client:
        response = client.get(path, headers={"Host": "bad host!"})
        assert "Host" in _control_error(response, 400)
        api = client.get("/api/", headers={"Host": "bad host!"})
        assert_em_error(api, 400, False)


# --- item 10: HEAD wherever GET ------------------------------------------------------------

HEAD_PATHS = ["/api/", "/api/querySvc", "/api/cloud/cloudFailoverPlans", "/api/logonSessions",
              "/api/query?type=CloudFailoverSession&pageSize=5", "/mock/ready", "/mock/clock",
              "/mock/health", "/mock/faults", "/mock/requests", "/mock/docs",
              "/api/no-such-thing"]


@pytest.mark.parametrize("path", HEAD_PATHS)
def test_head_answers_what_get_does_without_a_body(path):
    with app_client() as client:
        auth = {TOKEN: logon(client)}
        got = client.get(path, headers=auth)
        head = client.head(path, headers=auth)
        assert head.status_code == got.status_code
        assert head.content == b""
        for name in ("content-type", "content-length"):
            assert head.headers.get(name) == got.headers.get(name), name


def test_head_on_a_post_only_route_is_405_without_a_body():
    with app_client() as client:
        response = client.head("/api/sessionMngr/?v=latest", headers=JSON)
        assert response.status_code == 405
        assert response.content == b""
        response = client.request("PATCH", "/api/sessionMngr/?v=latest", headers=JSON)
        assert list(response.json()) == ERROR_KEYS


def test_head_over_the_wire_keeps_the_connection_usable(live):
    import httpx

    with httpx.Client(base_url=live.url, timeout=10) as client:
        head = client.head("/api/")
        assert head.status_code == 200 and head.content == b""
        assert int(head.headers["Content-Length"]) > 0
        assert client.get("/api/").status_code == 200
        assert client.head("/mock/clock").status_code == 200


# --- item 11: a DTD in any encoding is refused before any entity is expanded ----------------

def _laughs() -> str:
    entities = ['<!ENTITY lol0 "lol">']
    entities += [f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' for i in range(1, 10)]
    return ("<!DOCTYPE lolz [" + "".join(entities) + "]>"
            '<CloudFailoverPlanManagementSpec xmlns="http://www.veeam.com/ent/v1.0">'
            "<StartNow>&lol9;</StartNow></CloudFailoverPlanManagementSpec>")


ENCODINGS = {
    "utf-16 bom": lambda t: t.encode("utf-16"),
    "utf-16-le no bom": lambda t: t.encode("utf-16-le"),
    "utf-16-be no bom": lambda t: t.encode("utf-16-be"),
    "utf-16-le bom": lambda t: b"\xff\xfe" + t.encode("utf-16-le"),
    "utf-16-be bom": lambda t: b"\xfe\xff" + t.encode("utf-16-be"),
    "utf-16-le declared": lambda t: ('<?xml version="1.0" encoding="UTF-16LE"?>' + t
                                     ).encode("utf-16-le"),
    "utf-16-be declared": lambda t: ('<?xml version="1.0" encoding="UTF-16BE"?>' + t
                                     ).encode("utf-16-be"),
    "utf-32 bom": lambda t: t.encode("utf-32"),
    "utf-32-le no bom": lambda t: t.encode("utf-32-le"),
    "utf-32-be no bom": lambda t: t.encode("utf-32-be"),
    "utf-8 bom": lambda t: t.encode("utf-8-sig"),
    "latin-1 declared": lambda t: ('<?xml version="1.0" encoding="ISO-8859-1"?>' + t
                                   ).encode("latin-1"),
}


@pytest.mark.parametrize("encode", ENCODINGS.values(), ids=ENCODINGS.keys())
def test_a_dtd_is_refused_in_any_encoding_with_the_utf8_message(encode):
    with app_client() as client:
        auth = {TOKEN: logon(client), "Content-Type": "application/xml"}
        url = f"/api/cloud/cloudFailoverPlans/{_plan_id(client, auth)}?action=start"
        utf8 = assert_em_error(client.post(url, content=_laughs().encode(), headers=auth),
                               400, False)
        message = assert_em_error(client.post(url, content=encode(_laughs()), headers=auth),
                                  400, False)
        assert message == utf8 == NO_DTD


# --- found by the soak: nothing of a request runs in FastAPI's worker threads ---------------

def test_every_dependency_runs_on_the_event_loop():
    """FastAPI runs plain functions in worker threads; one that logs on there mutates the
    logon sessions while the loop iterates over them (a 500 under load)."""
    from em_mock.control import router
    from em_mock.core.http import deps

    aliases = [deps.RuntimeDep, deps.WireDep, deps.CurrentSession, deps.EntityFormat,
               router.RT]
    calls = [typing.get_args(alias)[1].dependency for alias in aliases]
    calls += [d.dependency for d in router.router.dependencies]
    for call in calls:
        assert inspect.iscoroutinefunction(call), call


def test_a_control_read_without_the_token_gets_only_the_small_body_limit():
    with app_client(control_token="t", max_body_size=1000,
                    control_max_body_size=100_000) as client:
        body = b"x" * 5000
        response = client.request("GET", "/mock/health", content=body)
        assert "1000 bytes" in _control_error(response, 413)
        assert client.request("GET", "/mock/health", content=body,
                              headers={"X-Mock-Token": "t"}).status_code == 200
        assert client.get("/mock/health").status_code == 200
