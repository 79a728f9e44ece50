"""Hypothesis fuzzing of the whole HTTP surface of a live em-mock process.

Random methods, paths built from the real path segments, query strings, headers and
bodies, with and without a valid session token. Whatever is sent: never a 5xx, never a
hang, every 4xx under ``/api`` carries an EM ``Error`` document in the negotiated format,
and every XML or JSON body parses. The server has its own process (``--frozen-clock``,
small data set); only ``GET`` reaches ``/mock/``, so the data never changes under the fuzz.
"""

from __future__ import annotations

import base64
import json
import re
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.conftest import LiveServer
from tests.helpers import JSON, NS, basic

TIMEOUT = httpx.Timeout(15.0)
ERROR_KEYS = ["FirstChanceExceptionMessage", "Message", "StackTrace", "Status", "StatusCode"]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
SEGMENTS = ["api", "sessionMngr", "logonSessions", "query", "querySvc", "cloud",
            "failoverSessions", "cloudFailoverPlans", "vmReplicaPoints", "backupServers",
            "tasks", "includes", "mock", "ready", "health", "state", "clock", "faults",
            "requests", "docs", "openapi.json"]
ROUTES = ["/api/", "/api/sessionMngr/", "/api/logonSessions", "/api/logonSessions/{id}",
          "/api/query", "/api/querySvc", "/api/cloud", "/api/cloud/failoverSessions",
          "/api/cloud/failoverSessions/{id}", "/api/cloud/cloudFailoverPlans",
          "/api/cloud/cloudFailoverPlans/{id}", "/api/cloud/cloudFailoverPlans/{id}/includes/{id}",
          "/api/cloud/vmReplicaPoints/{id}", "/api/backupServers", "/api/backupServers/{id}",
          "/api/tasks/{id}", "/mock/ready", "/mock/health", "/mock/state", "/mock/clock",
          "/mock/faults", "/mock/requests", "/mock/docs", "/mock/openapi.json"]
PARAMS = ["type", "format", "filter", "sortAsc", "sortDesc", "pageSize", "page", "action", "v"]
FIELDS = ["UID", "Name", "Type", "CreationTime", "EndTime", "State", "Result", "FailureMessage",
          "BackupServerUid", "BackupServerName", "Description", "Port", "Version", "IpOrDnsName",
          "CloudTenantName", "Nope", ""]
VALUES = ["CloudFailoverSession", "cloudfailoversession", "BackupServer", "CloudFailoverPlan",
          "Job", "Entities", "References", "entity", "Entity", "start", "test", "undo", "latest",
          "v1_5", "v1_99", "CreationTime", "name", "0", "-1", "1", "2", "50", "10000", "10001",
          "99999999999999999999", "1e3", " 7 ", "+3", "\u0663", "\uff17", "NaN", "", " ", "%",
          "%%", "%00", "\x00", "null", "[]", "{}", "true", "../../etc/passwd", "*", "\ufffd",
          "\U0001f600", "a" * 3000]
LITERALS = ['"Tenant01 Failover Plan"', "failed", "Success", "None", "2026-06-15",
            '"2025-08-14T12:31:30.389954Z"', "2024-05-01T12:00:00", "99999-01-01",
            "0000-00-00", "-1", "true", '""', '"', '"a""b"', "urn:veeam:BackupServer:x",
            "urn:veeam:CloudFailoverSession:" + str(uuid.UUID(int=1)), "\u00e9", "(", ")",
            "==", ";", ",", "9" * 40, "1e308", "2026-02-30T25:61:61Z"]
ACCEPTS = ["application/json", "application/xml", "*/*", "text/html", "application/json;q=0",
           "APPLICATION/JSON", "text/plain, application/json", "", "application/*"]
CONTENT_TYPES = ["application/json", "application/xml", "text/xml", "text/plain",
                 "multipart/form-data; boundary=x", "application/x-www-form-urlencoded",
                 "application/json; charset=utf-16", ""]
XML_BODIES = [
    b'<CloudFailoverPlanManagementSpec xmlns="http://www.veeam.com/ent/v1.0">'
    b"<StartNow>true</StartNow></CloudFailoverPlanManagementSpec>",
    b'<CloudFailoverPlanManagementSpec xmlns="http://www.veeam.com/ent/v1.0">'
    b"<StartNow>false</StartNow><StartDate>99999-01-01T00:00:00Z</StartDate>"
    b"</CloudFailoverPlanManagementSpec>",
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    b"<a><b></a>", b"<", b"<?xml version='1.0' encoding='utf-99'?><a/>",
    '<?xml version="1.0" encoding="UTF-16"?><a/>'.encode("utf-16"),
    b"<LogonSpec><UserName>x</UserName></LogonSpec>",
]
HEADER_CHARS = st.characters(min_codepoint=0x21, max_codepoint=0x7E)
SPACE_OR_VCHAR = st.characters(min_codepoint=0x20, max_codepoint=0x7E)


@dataclass
class Target:
    """The fuzzed server, real ids on it, and a keep-alive client."""

    server: LiveServer
    client: httpx.Client
    ids: list[str]
    sent: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Target({self.server.url}, {len(self.ids)} ids, {self.sent} sent)"

    def token(self) -> str:
        response = self.client.post("/api/sessionMngr/?v=latest",
                                    headers={"Authorization": basic()})
        assert response.status_code == 201, response.text
        self.client.cookies.clear()
        return str(response.headers["X-RestSvcSessionId"])


def _collect_ids(client: httpx.Client, token: str) -> list[str]:
    auth = {"X-RestSvcSessionId": token, **JSON}
    ids: list[str] = []
    for path in ("/api/backupServers", "/api/cloud/cloudFailoverPlans",
                 "/api/cloud/failoverSessions"):
        refs = client.get(path, headers=auth).json()["Refs"]
        ids += [ref["UID"].rsplit(":", 1)[-1] for ref in refs[:5]]
    query = client.get("/api/query?type=CloudFailoverSession&format=Entities&pageSize=5",
                       headers=auth).json()
    for session in query["Entities"]["CloudFailoverSessions"]["CloudFailoverSessions"]:
        for task in session["CloudFailoverTasks"]["CloudFailoverTasks"]:
            link = task.get("VmReplicaPointLink") or {}
            if link.get("Href"):
                ids.append(link["Href"].rsplit("/", 1)[-1])
    plan = client.get(f"/api/cloud/cloudFailoverPlans/{ids[3]}?format=Entity", headers=auth)
    ids += re.findall(r"/includes/([0-9a-f-]{36})", plan.text)[:3]
    mine = client.get("/api/logonSessions", headers=auth).json()["LogonSessions"]
    ids.append(mine[0]["SessionId"])
    return ids


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    server = LiveServer("--frozen-clock", "--sessions", "60")
    try:
        with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
            found = Target(server, client, [])
            found.ids = _collect_ids(client, found.token())
            yield found
    finally:
        server.stop()


def _case(draw: st.DrawFn, text: str) -> str:
    style = draw(st.sampled_from(["same", "same", "lower", "upper", "swap"]))
    return {"same": text, "lower": text.lower(), "upper": text.upper(),
            "swap": text.swapcase()}[style]


@st.composite
def path_segment(draw: st.DrawFn, ids: list[str]) -> str:
    kind = draw(st.sampled_from(["segment", "segment", "segment", "id", "id", "id", "id",
                                 "uuid", "text", "raw", "odd"]))
    if kind == "segment":
        return _case(draw, draw(st.sampled_from(SEGMENTS)))
    if kind == "id":
        return _case(draw, draw(st.sampled_from(ids)))
    if kind == "uuid":
        return str(draw(st.uuids()))
    if kind == "text":
        return quote(draw(st.text(max_size=40)), safe="")
    if kind == "raw":
        return draw(st.text(HEADER_CHARS.filter(lambda c: c not in "/?#"), max_size=30))
    return draw(st.sampled_from(["", ".", "..", "%2F", "%2e%2e", "%00", "%zz", "%", "~",
                                 "%252F", "%C0%AF", "%FF%FE", "a" * 3000, "%20", "+", ";",
                                 "api;v=1", "*"]))


@st.composite
def path(draw: st.DrawFn, ids: list[str]) -> str:
    if draw(st.integers(0, 3)):
        route = draw(st.sampled_from(ROUTES))
        while "{id}" in route:
            exact = draw(st.booleans())
            route = route.replace("{id}", draw(st.sampled_from(ids)) if exact
                                  else draw(path_segment(ids)), 1)
        parts = [_case(draw, p) if p in SEGMENTS and draw(st.integers(0, 3)) == 0 else p
                 for p in route.split("/")]
    else:
        start = draw(st.sampled_from([["", "api"], ["", "api"], ["", "API"], ["", "mock"],
                                      [""], ["", "apix"], ["", "%61pi"]]))
        parts = start + draw(st.lists(path_segment(ids), max_size=5))
    joiner = draw(st.sampled_from(["/"] * 6 + ["//"]))
    text = joiner.join(parts)
    if draw(st.integers(0, 4)) == 0:
        text += "/"
    return text if text.startswith("/") else "/" + text


@st.composite
def filter_text(draw: st.DrawFn) -> str:
    def comparison() -> str:
        name = _case(draw, draw(st.sampled_from(FIELDS)))
        op = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "=", "=<", "!", ""]))
        value = draw(st.one_of(st.sampled_from(LITERALS), st.text(max_size=15)))
        return name + op + value

    def expr(depth: int) -> str:
        if depth > 3 or draw(st.integers(0, 2)) == 0:
            return comparison()
        items = [expr(depth + 1) for _ in range(draw(st.integers(1, 3)))]
        joined = draw(st.sampled_from([";", ",", ";;", " ; "])).join(items)
        return "(" + joined + ")" if draw(st.booleans()) else joined

    shape = draw(st.sampled_from(["expr", "expr", "expr", "deep", "unbalanced", "text"]))
    if shape == "deep":
        depth = draw(st.integers(95, 300))
        return "(" * depth + comparison() + ")" * depth
    if shape == "unbalanced":
        return "(" * draw(st.integers(0, 5)) + comparison() + ")" * draw(st.integers(0, 5))
    if shape == "text":
        return draw(st.text(max_size=60))
    return expr(0)


@st.composite
def query_string(draw: st.DrawFn) -> str:
    pairs = []
    if draw(st.integers(0, 2)):
        pairs.append("type=" + draw(st.sampled_from(["CloudFailoverSession", "BackupServer",
                                                      "CloudFailoverPlan"])))
    for _ in range(draw(st.integers(0, 6))):
        key = draw(st.one_of(st.sampled_from(PARAMS).map(lambda k: _case(draw, k)),
                             st.text(max_size=10)))
        if key.lower() == "filter":
            value = draw(filter_text())
        elif key.lower() in ("sortasc", "sortdesc"):
            value = _case(draw, draw(st.sampled_from(FIELDS)))
        else:
            value = draw(st.one_of(st.sampled_from(VALUES), st.text(max_size=20)))
        encode = draw(st.sampled_from(["quote", "quote", "plus", "raw"]))
        if encode == "raw":
            safe = "".join(c for c in "=;,()\"'<>!*:@$[]{}|^`~" if c not in "&#")
            pairs.append(f"{quote(key, safe='')}={quote(value, safe=safe)}")
        elif encode == "plus":
            pairs.append(f"{quote(key, safe='')}={quote(value, safe='').replace('%20', '+')}")
        else:
            pairs.append(f"{quote(key, safe='')}={quote(value, safe='')}")
    joined = "&".join(pairs)
    extra = draw(st.sampled_from(["", "", "", "&", "&&", "=", "&=x", "&type", "#frag"]))
    return joined + extra


@st.composite
def headers(draw: st.DrawFn, token: str | None) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    garbage = st.text(SPACE_OR_VCHAR, max_size=60)
    if draw(st.integers(0, 3)):
        out.append(("Accept", draw(st.one_of(st.sampled_from(ACCEPTS), garbage))))
    if draw(st.booleans()):
        out.append(("Content-Type", draw(st.one_of(st.sampled_from(CONTENT_TYPES), garbage))))
    bogus_token = draw(st.one_of(
        garbage, st.uuids().map(lambda u: base64.b64encode(str(u).encode()).decode()),
        st.sampled_from(["", "null", "=" * 48, "A" * 5000])))
    where = draw(st.sampled_from(["header", "cookie", "both", "none"]))
    real = token if token is not None else bogus_token
    if where in ("header", "both"):
        out.append(("X-RestSvcSessionId", real if draw(st.integers(0, 3)) else bogus_token))
    if where in ("cookie", "both"):
        cookie = draw(st.sampled_from(["X-RestSvcSessionId={}", "a=b; X-RestSvcSessionId={}",
                                       "X-RestSvcSessionId=\"{}\"", "x-restsvcsessionid={}",
                                       "{}", "X-RestSvcSessionId={}; X-RestSvcSessionId=zz"]))
        out.append(("Cookie", cookie.format(real if draw(st.integers(0, 3)) else bogus_token)))
    if draw(st.integers(0, 3)) == 0:
        out.append(("Authorization", draw(st.one_of(
            st.just(basic()), st.builds(basic, st.text(max_size=10), st.text(max_size=10)),
            st.sampled_from(["Basic", "Basic ", "Bearer x", "Basic !!!", "basic " + basic()[6:],
                             "Basic " + "A" * 3000]), garbage))))
    if draw(st.integers(0, 9)) == 0:
        out.append(("Host", draw(st.one_of(
            st.sampled_from(["example.org:1", "[::1]:9399", "bad host", "a:b", "x" * 300]),
            garbage))))
    if draw(st.integers(0, 19)) == 0:
        out.append(("X-Pad", "p" * draw(st.sampled_from([10, 70_000]))))
    # h11 (client side) refuses surrounding whitespace; em-mock never sees such headers
    return [(k, v.strip()) for k, v in out if v.strip() or k != "Host"]


def json_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                        st.text(max_size=20))
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
        max_leaves=12)


@st.composite
def body(draw: st.DrawFn) -> bytes | None:
    kind = draw(st.sampled_from(["none", "none", "bytes", "xml", "json", "spec-json", "big"]))
    if kind == "bytes":
        return draw(st.binary(max_size=2000))
    if kind == "xml":
        return draw(st.sampled_from(XML_BODIES))
    if kind == "json":
        return json.dumps(draw(json_values())).encode()
    if kind == "spec-json":
        return json.dumps({"StartNow": draw(st.sampled_from([True, False, "true", None, 1])),
                           "StartDate": draw(st.one_of(st.none(), st.sampled_from(LITERALS),
                                                       st.text(max_size=30)))}).encode()
    if kind == "big" and draw(st.integers(0, 3)) == 0:
        return b"x" * draw(st.sampled_from([1_048_576, 1_048_577, 1_200_000]))
    return None


@dataclass(frozen=True)
class Call:
    method: str
    raw_path: str
    headers: list[tuple[str, str]]
    body: bytes | None
    with_token: bool


def _server_path(raw_path: bytes) -> str:
    """The path as em-mock routes it: percent-decoded, runs of ``/`` collapsed."""
    text = unquote(raw_path.split(b"?", 1)[0].decode("ascii"), errors="replace")
    return re.sub(r"/{2,}", "/", text)


def _check_error(response: httpx.Response, wants_json: bool, call: Call) -> None:
    kind = response.headers.get("content-type", "")
    status = response.status_code
    if wants_json:
        assert kind.startswith("application/json"), (call, kind, response.text[:300])
        if call.method == "HEAD":
            return
        document = response.json()
        assert list(document) == ERROR_KEYS, (call, document)
        assert document["StatusCode"] == status, (call, document)
        assert isinstance(document["Message"], str) and document["Message"]
    else:
        assert kind.startswith("application/xml"), (call, kind, response.text[:300])
        if call.method == "HEAD":
            return
        root = etree.fromstring(response.content, etree.XMLParser(resolve_entities=False))
        assert root.tag == "{" + NS + "}Error", (call, response.text[:300])
        assert root.get("StatusCode") == str(status), (call, response.text[:300])
        assert root.get("Message"), (call, response.text[:300])


def _check_well_formed(response: httpx.Response, call: Call) -> None:
    if call.method == "HEAD" or not response.content:
        return
    kind = response.headers.get("content-type", "")
    if kind.startswith("application/json"):
        json.loads(response.content.removeprefix(b"\xef\xbb\xbf"))
    elif kind.startswith("application/xml"):
        etree.fromstring(response.content, etree.XMLParser(resolve_entities=False))


def send(target: Target, call: Call) -> httpx.Response:
    # Absolute: httpx refuses a relative URL whose path starts with "//", which the
    # fuzz sends on purpose (em-mock collapses runs of slashes).
    request = target.client.build_request(call.method, target.server.url + call.raw_path,
                                          headers=call.headers, content=call.body)
    try:
        response = target.client.send(request)
    except httpx.TimeoutException as exc:
        raise AssertionError(f"em-mock hung on {call!r}") from exc
    except httpx.TransportError as exc:
        raise AssertionError(f"em-mock dropped the connection on {call!r}: {exc!r}") from exc
    target.client.cookies.clear()
    target.sent += 1
    target.statuses[response.status_code] = target.statuses.get(response.status_code, 0) + 1
    assert response.status_code < 500, (call, response.text[:500])
    _check_well_formed(response, call)
    routed = _server_path(request.url.raw_path)
    if 400 <= response.status_code < 500 and routed.lower().startswith("/api"):
        accept = request.headers.get("accept")
        _check_error(response, accept is not None and "application/json" in accept.lower(),
                     call)
    return response


@st.composite
def calls(draw: st.DrawFn, target: Target) -> Call:
    method = draw(st.sampled_from(["GET"] * len(METHODS) + METHODS))
    raw = draw(path(target.ids))
    if draw(st.integers(0, 3)):
        raw += "?" + draw(query_string())
    payload = draw(body())
    if _server_path(httpx.URL(target.server.url + raw.split("#", 1)[0]).raw_path).startswith(
            "/mock"):
        method, payload = "GET", None  # the control API is only ever read here
    with_token = draw(st.booleans())
    token = target.token() if with_token else None
    return Call(method, raw, draw(headers(token)), payload, with_token)


# No shrink phase: each step costs real requests (and a timeout when the server hangs),
# so a failure is reported as first found; the Call in the message is the reproduction.
@settings(max_examples=300, deadline=None, database=None,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.filter_too_much])
@given(data=st.data())
def test_random_requests_never_5xx_hang_or_lose_the_error_document(target, data):
    send(target, data.draw(calls(target)))


NASTY = [
    ("GET", "/api/a%11u", "application/xml", False),
    ("GET", "/api/a%11u", "application/json", False),
    ("DELETE", "/api/%01%02%03", "application/xml", True),
    ("GET", "/api/%00", "application/xml", True),
    ("GET", "/api/x%1B%5B31m", "application/xml", True),
    ("GET", "/api/query?type=%11", "application/xml", True),
    ("GET", "/api/query?type=CloudFailoverSession&filter=Name==%11", "application/xml", True),
    ("GET", "/api/query?type=CloudFailoverSession&sortAsc=%00", "application/xml", True),
    ("GET", "/api/query?type=CloudFailoverSession&pageSize=%0B", "application/xml", True),
    ("GET", "/api/cloud/failoverSessions/%0C", "application/xml", True),
    ("GET", "/api/query?type=CloudFailoverSession&filter=Name==%EF%BF%BE", "application/xml",
     True),
]


@pytest.mark.parametrize(("method", "raw", "accept", "with_token"), NASTY,
                         ids=[f"{m} {r} {a.split('/')[1]}" for m, r, a, _ in NASTY])
def test_known_nasty_requests(target, method, raw, accept, with_token):
    """Hand-picked inputs the fuzz found or is likely to find, kept as fixed cases."""
    headers = [("Accept", accept)]
    if with_token:
        headers.append(("X-RestSvcSessionId", target.token()))
    send(target, Call(method, raw, headers, None, with_token))
    send(target, Call(method, raw, headers, b"{}", with_token))
    assert target.client.get("/api/").status_code == 200


def test_server_still_answers_after_the_fuzz(target):
    """Runs after the fuzz (file order); it also holds on its own."""
    with httpx.Client(base_url=target.server.url, timeout=TIMEOUT) as fresh:
        response = fresh.get("/api/")
        assert response.status_code == 200
        assert etree.fromstring(response.content).tag == "{" + NS + "}EnterpriseManager"
        token = target.token()
        query = fresh.get("/api/query?type=CloudFailoverSession&pageSize=5",
                          headers={"X-RestSvcSessionId": token, **JSON})
        assert query.status_code == 200
        assert query.json()["PagingInfo"]["PagesCount"] == 12
    assert target.server.proc.poll() is None
    assert target.sent > 0, "the fuzz did not run first"


# --- protocol-level garbage over raw sockets ---------------------------------------------

RAW_TIMEOUT_S = 0.5


@pytest.fixture(scope="module")
def raw_target() -> Iterator[LiveServer]:
    """A server of its own with a short read deadline: an unfinished request costs 0.5 s."""
    server = LiveServer("--no-https", "--frozen-clock", "--sessions", "20",
                        "--request-timeout", str(RAW_TIMEOUT_S))
    yield server
    server.stop()


TOKENS = [b"GET", b"POST", b"HEAD", b"G\x00T", b"", b"/api/", b"/mock/clock", b"/api/\x00",
          b"/api/\x7f", b"/\xff", b"*", b"HTTP/1.1", b"HTTP/1.0", b"HTTP/2", b"HTTP/1.1\x0b"]
HEADER_LINES = [b"Host: x", b"Host: y", b"Host:", b"Content-Length: -1", b"Content-Length: 1",
                b"Content-Length: 3", b"Content-Length: x", b"Content-Length: 99999999999999999",
                b"Transfer-Encoding: chunked", b"Transfer-Encoding: gzip, chunked",
                b"Transfer-Encoding: identity", b"Accept: application/json", b"X: \x00",
                b"X: a\x01b", b"X\x00: y", b": empty", b"NoColon", b" folded: x",
                b"Expect: 100-continue", b"Connection: close", b"Connection: keep-alive",
                b"Upgrade: websocket", b"Connection: Upgrade", b"X-Big: " + b"a" * 70_000]
BODIES = [b"", b"abc", b"0\r\n\r\n", b"zz\r\nab\r\n0\r\n\r\n", b"3\r\nabc\r\n0\r\n\r\n",
          b"-1\r\n", b"ffffffffffffffffff\r\n", b"\x00\x01\x02", b"{}"]


@st.composite
def raw_requests(draw: st.DrawFn) -> bytes:
    line = b" ".join(draw(st.lists(st.sampled_from(TOKENS), min_size=0, max_size=4)))
    if draw(st.booleans()):
        line = b"GET /api/ HTTP/1.1"
    headers = draw(st.lists(st.sampled_from(HEADER_LINES), max_size=6))
    if draw(st.integers(0, 3)):
        headers.append(b"Host: x")
    noise = draw(st.binary(max_size=40)) if not draw(st.integers(0, 4)) else b""
    ending = draw(st.sampled_from([b"\r\n", b"\n", b"\r\r\n"]))
    return (line + ending + ending.join(headers) + ending + ending + noise
            + draw(st.sampled_from(BODIES)))


def _raw_exchange(url: str, payload: bytes) -> bytes:
    """Send ``payload``; read one answer (or up to the close). A hang fails the test."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=RAW_TIMEOUT_S + 10) as sock:
        sock.sendall(payload)
        answer = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            except TimeoutError as exc:
                raise AssertionError(f"em-mock hung on {payload[:200]!r}") from exc
            if not chunk:
                break
            answer += chunk
            head, sep, body = answer.partition(b"\r\n\r\n")
            length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
            if sep and length and len(body) >= int(length.group(1)):
                break
    return answer


def _check_raw(payload: bytes, answer: bytes) -> None:
    if not answer:
        return  # closed without a word: only for what never became a request
    head, _, body = answer.partition(b"\r\n\r\n")
    # A payload that holds two requests may get two answers in one read: judge the first.
    length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    if length:
        body = body[:int(length.group(1))]
    status = int(head.split(b" ", 2)[1])
    assert status < 500, (payload[:300], answer[:300])
    assert b"Invalid HTTP request received" not in answer, payload[:300]
    kind = re.search(rb"(?im)^content-type:\s*(\S+)", head)
    if status >= 400 and body and kind:
        if kind.group(1).startswith(b"application/json"):
            json.loads(body)
        else:
            assert etree.fromstring(body).tag == "{" + NS + "}Error", answer[:300]


@settings(max_examples=100, deadline=None, database=None,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(payload=raw_requests())
def test_protocol_garbage_gets_an_answer_or_a_close_never_a_hang_or_a_5xx(raw_target, payload):
    _check_raw(payload, _raw_exchange(raw_target.url, payload))


def test_server_still_answers_after_the_protocol_fuzz(raw_target):
    assert httpx.get(raw_target.url + "/api/", timeout=TIMEOUT).status_code == 200
    assert raw_target.proc.poll() is None
    assert "Traceback" not in "".join(raw_target.lines)


# --- control API bodies ---------------------------------------------------------------

@pytest.fixture(scope="module")
def control_target() -> Iterator[LiveServer]:
    """A server of its own: these calls change its data, clock and fault rules."""
    server = LiveServer("--no-https", "--frozen-clock", "--sessions", "20",
                        "--control-token", "t")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def control_client() -> Iterator[httpx.Client]:
    """One client for the control fuzz: a new httpx client builds a TLS context each time,
    which cost more than the calls. No keep-alive, so each call has a connection of its own."""
    with httpx.Client(timeout=TIMEOUT,
                      limits=httpx.Limits(max_keepalive_connections=0)) as client:
        yield client


CONTROL_ROUTES = [("POST", "/mock/faults"), ("POST", "/mock/clock"), ("PUT", "/mock/state"),
                  ("POST", "/mock/data/backupServers"), ("POST", "/mock/data/tenants"),
                  ("PUT", "/mock/data/failoverPlans/x"), ("POST", "/mock/data/nothing"),
                  ("DELETE", "/mock/faults"), ("POST", "/mock/reset")]
CONTROL_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False)
    | st.sampled_from(["error", "latency", "drop", "truncate", "advance", "set", "freeze",
                       "resume", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "/api/*",
                       "2026-06-15T12:00:00Z", "", "\x00", "x" * 500])
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["action", "seconds", "instant", "status", "count", "path", "method",
                         "latencyMs", "Name", "UID", "BackupServers", "Anchor", "x"]),
        inner, max_size=5),
    max_leaves=20)


@st.composite
def control_bodies(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 5))
    if kind == 0:
        return draw(st.binary(max_size=200))
    if kind == 1:
        depth = draw(st.integers(1, 5000))
        return draw(st.sampled_from([b"[", b'{"a":'])) * depth
    return json.dumps(draw(CONTROL_VALUES)).encode()


@settings(max_examples=150, deadline=None, database=None,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(route=st.sampled_from(CONTROL_ROUTES), payload=control_bodies(),
       token=st.sampled_from([None, "t", "wrong"]),
       kind=st.sampled_from(["application/json", None, "text/plain"]))
def test_control_api_bodies_never_5xx_and_always_answer_its_json_errors(
        control_target, control_client, route, payload, token, kind):
    method, path = route
    headers = {"X-Mock-Token": token} if token else {}
    if kind:
        headers["Content-Type"] = kind
    try:
        response = control_client.request(method, control_target.url + path,
                                          content=payload, headers=headers)
    except httpx.TimeoutException as exc:
        raise AssertionError(f"em-mock hung on {method} {path} {payload[:200]!r}") from exc
    assert response.status_code < 500, (method, path, payload[:200], response.text[:300])
    if token != "t":
        assert response.status_code == 401, (method, path, response.text[:300])
    if response.status_code >= 400:
        assert set(response.json()) == {"error", "errors"}, response.text[:300]
    assert control_client.get(control_target.url + "/mock/clock",
                              headers={"X-Mock-Token": "t"}).status_code == 200
