"""Every limit and security rule of em-mock, each with a test that fails without the rule.

Size limits (414/431/413), pageSize and filter bounds, logon-session caps and isolation,
failed-logon indistinguishability, session id randomness, the Host check, hostile XML
bodies, and the control API's token and non-loopback rules.
"""

from __future__ import annotations

import base64
import hmac
import json
import pickle
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from em_mock import Settings, create_app
from em_mock.core import logon as logon_module
from em_mock.core.runtime import Runtime, build_data
from tests.conftest import EPOCH_MS, LiveServer
from tests.helpers import JSON, PASSWORD, USER, Q, basic, logon, xml

TOKEN = "X-RestSvcSessionId"
ERROR_KEYS = ["FirstChanceExceptionMessage", "Message", "StackTrace", "Status", "StatusCode"]
LOGON = "/api/sessionMngr/?v=latest"
SPEC = (b'<CloudFailoverPlanManagementSpec xmlns="http://www.veeam.com/ent/v1.0">'
        b"<StartNow>true</StartNow></CloudFailoverPlanManagementSpec>")
ALICE, BOB = ("alice", "a-secret"), ("bob", "b-secret")


_DATA: list[bytes] = []


@contextmanager
def app_client(**overrides: Any) -> Iterator[TestClient]:
    """An in-process client of a fresh app built from ``Settings(**overrides)``
    (the default data set, built once and copied)."""
    settings = Settings(epoch=EPOCH_MS, frozen_clock=True, **overrides)
    if not _DATA:
        _DATA.append(pickle.dumps(build_data(settings, EPOCH_MS)))
    runtime = Runtime.create(settings, data=pickle.loads(_DATA[0]))
    app = create_app(runtime=runtime)
    with TestClient(app, base_url="http://testserver") as client:
        yield client


@pytest.fixture(scope="module")
def em() -> Iterator[TestClient]:
    """One in-process app with default settings, for checks that leave nothing behind
    (refused requests, fresh logons)."""
    with app_client() as client:
        yield client


def assert_em_error(response: httpx.Response, status: int, as_json: bool) -> str:
    """``response`` is ``status`` with an EM ``Error`` in the negotiated format; its Message."""
    assert response.status_code == status, response.text
    kind = response.headers["content-type"]
    if as_json:
        assert kind.startswith("application/json")
        body = response.json()
        assert list(body) == ERROR_KEYS
        assert body["StatusCode"] == status
        return str(body["Message"])
    assert kind.startswith("application/xml")
    root = xml(response.content)
    assert root.tag == Q + "Error"
    assert root.get("StatusCode") == str(status)
    return str(root.get("Message"))


def accept(as_json: bool) -> dict[str, str]:
    return dict(JSON) if as_json else {"Accept": "application/xml"}


def advance(client: TestClient, seconds: float) -> None:
    moved = client.post("/mock/clock", json={"action": "advance", "seconds": seconds})
    assert moved.status_code == 200, moved.text


def alive(client: TestClient, token: str) -> bool:
    status = client.get("/api/logonSessions", headers={TOKEN: token}).status_code
    assert status in (200, 401)
    return status == 200


# --- 414 / 431 / 413 ------------------------------------------------------------------------

@pytest.mark.parametrize("as_json", [False, True])
def test_request_line_over_the_limit_is_414_with_an_error(as_json):
    with app_client(max_header_size=1024) as client:
        assert client.get("/api/?pad=" + "a" * 900, headers=accept(as_json)).status_code == 200
        response = client.get("/api/?pad=" + "a" * 1100, headers=accept(as_json))
        message = assert_em_error(response, 414, as_json)
        assert "1024" in message
        assert client.get("/api/").status_code == 200


@pytest.mark.parametrize("as_json", [False, True])
def test_header_section_over_the_limit_is_431_with_an_error(as_json):
    with app_client(max_header_size=1024) as client:
        small = client.get("/api/", headers={"X-Pad": "b" * 600, **accept(as_json)})
        assert small.status_code == 200
        response = client.get("/api/", headers={"X-Pad": "b" * 1100, **accept(as_json)})
        message = assert_em_error(response, 431, as_json)
        assert "1024" in message
        many = client.get("/api/", headers=[("X-Pad", "c" * 50)] * 30 + list(JSON.items()))
        assert_em_error(many, 431, True)


def _plan_id(client: TestClient, headers: dict[str, str], index: int = 0) -> str:
    refs = client.get("/api/cloud/cloudFailoverPlans", headers={**headers, **JSON}).json()
    return str(refs["Refs"][index]["UID"].rsplit(":", 1)[-1])


@pytest.mark.parametrize("as_json", [False, True])
def test_body_over_the_limit_is_413_and_a_body_at_the_limit_is_read(as_json):
    limit = 1000
    with app_client(max_body_size=limit) as client:
        auth = {TOKEN: logon(client), "Content-Type": "application/xml", **accept(as_json)}
        url = f"/api/cloud/cloudFailoverPlans/{_plan_id(client, auth)}?action=start"
        at_limit = SPEC + b" " * (limit - len(SPEC))
        assert client.post(url, content=at_limit, headers=auth).status_code == 202
        over = client.post(url, content=at_limit + b" ", headers=auth)
        message = assert_em_error(over, 413, as_json)
        assert str(limit) in message

        def chunks() -> Iterator[bytes]:
            for _ in range(30):
                yield b" " * 100

        streamed = client.post(url, content=chunks(), headers=auth)
        assert_em_error(streamed, 413, as_json)
        on_logon = client.post(LOGON, content=b"x" * (limit + 1),
                               headers={"Authorization": basic(), **accept(as_json)})
        assert_em_error(on_logon, 413, as_json)


# --- pageSize and filter bounds -------------------------------------------------------------

def test_page_size_up_to_the_configured_maximum_and_no_further():
    with app_client(max_page_size=50) as client:
        auth = {TOKEN: logon(client), **JSON}
        ok = client.get("/api/query?type=CloudFailoverSession&pageSize=50", headers=auth)
        assert ok.status_code == 200
        assert ok.json()["PagingInfo"]["PageSize"] == 50
        assert len(ok.json()["Refs"]["Refs"]) == 50
        too_big = client.get("/api/query?type=CloudFailoverSession&pageSize=51", headers=auth)
        message = assert_em_error(too_big, 400, True)
        assert "50" in message and "pageSize" in message


def _nested(depth: int) -> str:
    return "(" * depth + "Result==Failed" + ")" * depth


def test_filter_nested_beyond_the_bound_is_400_and_at_the_bound_works(em):
    auth = {TOKEN: logon(em), **JSON}
    url = "/api/query?type=CloudFailoverSession&pageSize=1&filter="
    assert em.get(url + _nested(100), headers=auth).status_code == 200
    for as_json in (True, False):
        deep = em.get(url + _nested(101), headers={**auth, **accept(as_json)})
        message = assert_em_error(deep, 400, as_json)
        assert "nested deeper than 100" in message
    very_deep = em.get(url + _nested(5000), headers=auth)
    assert_em_error(very_deep, 400, True)
    assert em.get("/api/", headers=auth).status_code == 200


# --- logon session caps ---------------------------------------------------------------------

def test_per_user_cap_ends_the_longest_idle_session():
    with app_client(max_sessions_per_user=3) as client:
        first, second, third = [logon(client) for _ in range(3)]
        advance(client, 60)
        assert alive(client, first)          # first is now the most recently used
        advance(client, 60)
        assert alive(client, third)
        advance(client, 60)
        fourth = logon(client)               # second has been idle longest
        response = client.get("/api/logonSessions", headers={TOKEN: second, **JSON})
        assert_em_error(response, 401, True)
        assert alive(client, first) and alive(client, third) and alive(client, fourth)
        listed = client.get("/api/logonSessions", headers={TOKEN: fourth, **JSON}).json()
        assert len(listed["LogonSessions"]) == 3


def test_total_cap_across_users_ends_the_longest_idle_session_whoever_owns_it():
    with app_client(users=(ALICE, BOB), max_sessions=5) as client:
        alice = [logon(client, *ALICE) for _ in range(3)]
        advance(client, 10)
        bob = [logon(client, *BOB) for _ in range(2)]
        advance(client, 10)
        assert alive(client, alice[0])       # alice[1] is now the longest idle of all five
        advance(client, 10)
        newest = logon(client, *BOB)
        assert not alive(client, alice[1])
        # each check renews: alice[2] is used last, so alice[0] becomes the longest idle
        assert all(alive(client, t) for t in (alice[0], *bob, newest, alice[2]))
        advance(client, 10)
        another = logon(client, *BOB)
        assert not alive(client, alice[0])
        assert all(alive(client, t) for t in (alice[2], *bob, newest, another))


# --- failed logons and session ids ----------------------------------------------------------

@pytest.mark.parametrize("as_json", [False, True])
def test_failed_logon_looks_the_same_for_unknown_user_and_wrong_password(as_json, em):
    answers = []
    for user, password in [("nobody", PASSWORD), (USER, "wrong"), ("nobody", "wrong"),
                           (USER, ""), (USER, PASSWORD + "x"), (USER.upper(), PASSWORD)]:
        response = em.post(LOGON, headers={"Authorization": basic(user, password),
                                               **accept(as_json)})
        assert_em_error(response, 401, as_json)
        answers.append((response.status_code, sorted(response.headers.items()),
                        response.content))
    assert all(answer == answers[0] for answer in answers)
    assert ("www-authenticate", "Basic Realm=RestSvc") in answers[0][1]
    assert TOKEN.lower() not in dict(answers[0][1])


def test_password_check_is_constant_time_for_unknown_users_and_wrong_passwords(monkeypatch, em):
    calls: list[tuple[bytes, bytes]] = []
    original = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr(logon_module.hmac, "compare_digest", spy)
    for user, password in [("nobody", "guess"), (USER, "guess"), (USER, PASSWORD)]:
        before = len(calls)
        em.post(LOGON, headers={"Authorization": basic(user, password)})
        assert len(calls) == before + 1, f"no constant-time comparison for {user!r}"


def test_session_ids_are_distinct_random_guids(em):
    ids, tokens = [], []
    for _ in range(200):
        response = em.post(LOGON, headers={"Authorization": basic(), **JSON})
        assert response.status_code == 201
        session_id = response.json()["SessionId"]
        parsed = uuid.UUID(session_id)
        assert str(parsed) == session_id
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        token = response.headers[TOKEN]
        assert base64.b64decode(token).decode("ascii") == session_id
        ids.append(session_id)
        tokens.append(token)
        em.cookies.clear()
    assert len(set(ids)) == len(ids) and len(set(tokens)) == len(tokens)
    # 122 random bits: no shared prefix beyond chance, and every hex digit in use
    assert len({i[:8] for i in ids}) > 190
    assert set("".join(i.replace("-", "") for i in ids)) == set("0123456789abcdef")


def test_one_users_sessions_are_invisible_and_untouchable_for_another():
    with app_client(users=(ALICE, BOB)) as client:
        alice = [logon(client, *ALICE) for _ in range(2)]
        bob = logon(client, *BOB)
        bob_list = client.get("/api/logonSessions", headers={TOKEN: bob, **JSON}).json()
        assert [s["UserName"] for s in bob_list["LogonSessions"]] == ["bob"]
        alice_list = client.get("/api/logonSessions", headers={TOKEN: alice[0], **JSON}).json()
        assert {s["UserName"] for s in alice_list["LogonSessions"]} == {"alice"}
        assert len(alice_list["LogonSessions"]) == 2
        bob_id = bob_list["LogonSessions"][0]["SessionId"]
        assert bob_id not in json.dumps(alice_list)
        for as_json in (False, True):
            headers = {TOKEN: alice[0], **accept(as_json)}
            read = client.get(f"/api/logonSessions/{bob_id}", headers=headers)
            assert_em_error(read, 403, as_json)
            assert bob_id not in read.text
            delete = client.delete(f"/api/logonSessions/{bob_id.upper()}", headers=headers)
            assert_em_error(delete, 403, as_json)
        assert alive(client, bob)
        own = client.get(f"/api/logonSessions/{bob_id}", headers={TOKEN: bob})
        assert own.status_code == 200


# --- the Host header ------------------------------------------------------------------------

@pytest.mark.parametrize("host", ["bad host", "a/b", "x:notaport", "x:", "a..b", "-a.example",
                                  "a_b.example", "evil.example/path", 'a"b', "<x>", "[::1",
                                  "x:123456", "user@host", ""])
@pytest.mark.parametrize("as_json", [False, True])
def test_invalid_host_is_400_with_an_error(host, as_json, em):
    response = em.get("/api/", headers={"Host": host, **accept(as_json)})
    message = assert_em_error(response, 400, as_json)
    assert "Host" in message
    assert em.get("/api/").status_code == 200


def test_host_with_a_port_beyond_65535_is_400(em):
    response = em.get("/api/", headers={"Host": "example.org:99999", **JSON})
    assert_em_error(response, 400, True)


@pytest.mark.parametrize("host", ["example.org:1234", "[::1]:9399", "example.org",
                                  "10.1.2.3:9399", "EM-Host.Example.:80"])
def test_valid_host_is_reflected_in_hrefs(host, em):
    token = logon(em)
    headers = {"Host": host, TOKEN: token, **JSON}
    for path in ("/api/", "/api/logonSessions", "/api/query?type=CloudFailoverSession"):
        response = em.get(path, headers=headers)
        assert response.status_code == 200, response.text
        found = re.findall(r'"Href":"([^"]+)"', response.text)
        assert found and all(h.startswith(f"http://{host}/api/") for h in found), found


@pytest.mark.parametrize("host", ["evil.example:666", "bad host", "a/b", "x:notaport"])
def test_public_url_wins_and_hrefs_never_reflect_the_host(host):
    public = "https://em.example.com:9398"
    with app_client(public_url=public) as client:
        token = logon(client)
        headers = {"Host": host, TOKEN: token, **JSON}
        for path in ("/api/", "/api/logonSessions", "/api/query?type=CloudFailoverSession"):
            response = client.get(path, headers=headers)
            assert response.status_code == 200, response.text
            found = re.findall(r'"Href":"([^"]+)"', response.text)
            assert found and all(h.startswith(public + "/api/") for h in found)
            assert host not in response.text
        login = client.post(LOGON, headers={"Host": host, "Authorization": basic()})
        assert login.headers["Location"].startswith(public + "/api/logonSessions/")


# --- hostile XML bodies ---------------------------------------------------------------------

def _billion_laughs() -> bytes:
    entities = ['<!ENTITY lol0 "lol">']
    entities += [f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' for i in range(1, 10)]
    return ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n' + "\n".join(entities) + "\n]>\n"
            '<CloudFailoverPlanManagementSpec xmlns="http://www.veeam.com/ent/v1.0">'
            "<StartNow>&lol9;</StartNow></CloudFailoverPlanManagementSpec>").encode()


def _xxe(target: str) -> bytes:
    return ('<?xml version="1.0"?>\n'
            f'<!DOCTYPE spec [<!ENTITY xxe SYSTEM "{target}">]>\n'
            '<CloudFailoverPlanManagementSpec xmlns="http://www.veeam.com/ent/v1.0">'
            "<StartNow>&xxe;</StartNow><StartDate>&xxe;</StartDate>"
            "</CloudFailoverPlanManagementSpec>").encode()


def _parameter_entity(target: str) -> bytes:
    return ('<?xml version="1.0"?>\n'
            f'<!DOCTYPE spec [<!ENTITY % ext SYSTEM "{target}"> %ext;]>\n'
            '<CloudFailoverPlanManagementSpec xmlns="http://www.veeam.com/ent/v1.0">'
            "<StartNow>true</StartNow></CloudFailoverPlanManagementSpec>").encode()


def _xinclude(target: str) -> bytes:
    return ('<CloudFailoverPlanManagementSpec xmlns="http://www.veeam.com/ent/v1.0" '
            'xmlns:xi="http://www.w3.org/2001/XInclude">'
            f'<StartNow><xi:include href="{target}" parse="text"/></StartNow>'
            "</CloudFailoverPlanManagementSpec>").encode()


MARKER = "em-mock-secret-7f3a9c"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    """``true``: a file that would make a valid StartNow if read; ``marker``: one that must
    never show up in a response."""
    (tmp_path / "true.txt").write_text("true")
    (tmp_path / "marker.txt").write_text(MARKER)
    return {"true": (tmp_path / "true.txt").as_uri(),
            "marker": (tmp_path / "marker.txt").as_uri()}


HOSTILE = {
    "xxe-passwd": lambda f: _xxe("file:///etc/passwd"),
    "xxe-marker": lambda f: _xxe(f["marker"]),
    "xxe-true": lambda f: _xxe(f["true"]),
    "parameter-entity": lambda f: _parameter_entity(f["marker"]),
    "billion-laughs": lambda f: _billion_laughs(),
    "lower-case-doctype": lambda f: _xxe(f["true"]).replace(b"DOCTYPE", b"doctype"),
    "xinclude-true": lambda f: _xinclude(f["true"]),
    "xinclude-marker": lambda f: _xinclude(f["marker"]),
}


@pytest.mark.parametrize("name", list(HOSTILE))
@pytest.mark.parametrize("content_type", ["application/xml", "text/xml", None])
def test_hostile_xml_is_refused_quickly_and_nothing_is_read(name, content_type, files, em):
    body = HOSTILE[name](files)
    auth = {TOKEN: logon(em)}
    url = f"/api/cloud/cloudFailoverPlans/{_plan_id(em, auth)}?action=start"
    headers = dict(auth) if content_type is None else {**auth, "Content-Type": content_type}
    started = time.monotonic()
    response = em.post(url, content=body, headers=headers)
    elapsed = time.monotonic() - started
    message = assert_em_error(response, 400, False)
    assert elapsed < 5, f"{name} took {elapsed:.1f}s to refuse"
    for leaked in ("root:", "/bin/", "lollol", MARKER):
        assert leaked not in response.text
        assert leaked not in message


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_doctype_is_refused_whatever_the_encoding(encoding):
    """A DOCTYPE must be refused in any encoding the XML parser accepts, not only in bytes
    that spell ``<!DOCTYPE`` in ASCII."""
    text = (f'<?xml version="1.0" encoding="{encoding.upper()}"?>\n'
            '<!DOCTYPE spec [<!ENTITY ok "true">]>\n'
            '<CloudFailoverPlanManagementSpec xmlns="http://www.veeam.com/ent/v1.0">'
            "<StartNow>true</StartNow></CloudFailoverPlanManagementSpec>")
    with app_client() as client:
        auth = {TOKEN: logon(client), "Content-Type": "application/xml"}
        url = "/api/cloud/cloudFailoverPlans/{}?action=start"
        plain = client.post(url.format(_plan_id(client, auth, 0)),
                            content=SPEC.decode().encode(encoding), headers=auth)
        assert plain.status_code == 202, plain.text
        response = client.post(url.format(_plan_id(client, auth, 1)),
                               content=text.encode(encoding), headers=auth)
        message = assert_em_error(response, 400, False)
        assert "DOCTYPE" in message


# --- the control API ------------------------------------------------------------------------

CONTROL_CALLS: list[tuple[str, str, Any]] = [
    ("GET", "/mock/ready", None),
    ("POST", "/mock/reset", None),
    ("POST", "/mock/seed", {"seed": 7, "sessions": 5}),
    ("GET", "/mock/state", None),
    ("PUT", "/mock/state", {}),
    ("GET", "/mock/clock", None),
    ("POST", "/mock/clock", {"action": "advance", "seconds": 3600}),
    ("GET", "/mock/faults", None),
    ("POST", "/mock/faults", {"action": "error", "status": 503}),
    ("DELETE", "/mock/faults", None),
    ("GET", "/mock/requests", None),
    ("DELETE", "/mock/requests", None),
    ("POST", "/mock/data/backupServers", {"Name": "x"}),
    ("GET", "/mock/docs", None),
]


@pytest.fixture(scope="module")
def guarded() -> Iterator[TestClient]:
    """An app whose control API wants ``X-Mock-Token: t``."""
    with app_client(control_token="t") as client:
        yield client


@pytest.mark.parametrize(("method", "path", "body"), CONTROL_CALLS,
                         ids=[f"{m} {p}" for m, p, _ in CONTROL_CALLS])
def test_control_calls_without_the_token_are_401_and_change_nothing(guarded, method, path,
                                                                    body):
    good = {"X-Mock-Token": "t"}
    advance = {"action": "advance", "seconds": 1}
    before = guarded.post("/mock/clock", json=advance, headers=good).json()["now"]
    state = guarded.get("/mock/ready", headers=good).json()
    for headers in ({}, {"X-Mock-Token": "wrong"}, {"X-Mock-Token": ""},
                    {"X-Mock-Token": "T"}, {"X-Mock-Token": "tt"}):
        response = guarded.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert "X-Mock-Token" in response.json()["error"]
    assert guarded.get("/mock/ready", headers=good).json() == state
    assert guarded.get("/mock/clock", headers=good).json()["now"] == before
    assert guarded.get("/mock/faults", headers=good).json() == []
    allowed = guarded.request(method, path, json=body, headers=good)
    assert allowed.status_code < 300 or (path, allowed.status_code) == ("/mock/state", 400)
    assert guarded.post("/mock/reset", headers=good).status_code == 200


class Cli(LiveServer):
    """``python -m em_mock`` (any ``--host``), reached through loopback whatever it binds."""

    @property
    def url(self) -> str:
        port = re.search(r"http://\S*?:(\d+)/api/", self.ready)
        assert port, self.ready
        return f"http://127.0.0.1:{port.group(1)}"


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Any]:
    started: list[Cli] = []

    def start(*args: str) -> Cli:
        started.append(Cli(*args, tls_dir=tmp_path / "tls"))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def test_beyond_loopback_without_a_token_the_control_api_is_off_and_says_so(cli):
    server = cli("--host", "0.0.0.0")
    output = "".join(server.lines)
    assert "WARNING" in output and "control API (/mock/) is OFF" in output
    assert "--control-token" in output
    assert "control API off" in server.ready
    assert "http://0.0.0.0:" in server.ready
    with httpx.Client(base_url=server.url, timeout=10) as client:
        assert client.get("/mock/ready").status_code == 404
        # Liveness stays (it steers nothing): a container's health check needs it.
        assert client.get("/mock/health").status_code == 200
        assert client.post("/mock/reset").status_code == 404
        assert client.get("/api/").status_code == 200


def test_beyond_loopback_with_a_token_the_control_api_is_on_and_needs_it(cli):
    server = cli("--host", "0.0.0.0", "--control-token", "x")
    assert "control API on /mock/" in server.ready
    assert "is OFF" not in "".join(server.lines)
    with httpx.Client(base_url=server.url, timeout=10) as client:
        assert client.get("/mock/ready").status_code == 401
        assert client.get("/mock/ready", headers={"X-Mock-Token": "y"}).status_code == 401
        ready = client.get("/mock/ready", headers={"X-Mock-Token": "x"})
        assert ready.status_code == 200 and ready.json()["ready"] is True


def test_on_loopback_without_a_token_the_control_api_is_on_without_a_warning(live):
    output = "".join(live.lines)
    assert "control API on /mock/" in output
    assert "is OFF" not in output
    assert httpx.get(live.url + "/mock/ready", timeout=10).status_code == 200
