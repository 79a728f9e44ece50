"""``GET /api/``, logon, logon sessions and the token rules, as a client sees them on the wire.

Spec: em-api.md sections 1-5; captures veeam_api_v12.json and veeam_login_v12.json.
"""

from __future__ import annotations

import base64
import json
import random
import string
import uuid
from typing import Any

import pytest

from em_mock import Settings
from tests.conftest import EPOCH_MS
from tests.helpers import JSON, PASSWORD, SAMPLES, USER, Q, basic, error_of, logon, xml

CAPTURE_BASE = "https://myhost.mydomain.org:9398"
BASE = "http://testserver"
TOKEN = "X-RestSvcSessionId"
REALM = "Basic Realm=RestSvc"
ERROR_KEYS = ["FirstChanceExceptionMessage", "Message", "StackTrace", "Status", "StatusCode"]
LINK_KEYS = ["Rel", "Href", "Name", "Type"]
TWO_USERS = Settings(users=(("veeam", "veeam"), ("other", "pw")), epoch=EPOCH_MS,
                     frozen_clock=True)


def _sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def _ordered(value: Any) -> Any:
    """Objects as lists of (key, value) pairs, so that equality also checks key order."""
    if isinstance(value, dict):
        return [(k, _ordered(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value


def _rehost(value: Any, old: str, new: str) -> Any:
    """``value`` with the ``old`` scheme://host:port of every ``Href`` replaced by ``new``."""
    if isinstance(value, dict):
        return {k: (v.replace(old, new, 1) if k == "Href" and isinstance(v, str)
                    else _rehost(v, old, new)) for k, v in value.items()}
    if isinstance(value, list):
        return [_rehost(v, old, new) for v in value]
    return value


def _hrefs(value: Any) -> list[str]:
    """Every non-null ``Href`` value at any depth of a JSON document."""
    out: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "Href" and isinstance(v, str):
                out.append(v)
            else:
                out.extend(_hrefs(v))
    elif isinstance(value, list):
        for v in value:
            out.extend(_hrefs(v))
    return out


def _xml_hrefs(root) -> list[str]:
    return [e.get("Href") for e in root.iter() if e.get("Href") is not None]


def _post_logon(client, *, user: str = USER, password: str = PASSWORD,
                path: str = "/api/sessionMngr/?v=latest", headers: dict | None = None):
    """POST a logon and forget the cookie it sets, so later requests say what they send."""
    response = client.post(path, headers={"Authorization": basic(user, password),
                                          **(headers or {})})
    client.cookies.clear()
    return response


def _media(response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def _raw_header_names(response) -> list[str]:
    return [k.decode("latin-1") if isinstance(k, bytes) else k for k, _ in response.headers.raw]


def _assert_json_error(response, status: int) -> dict:
    assert response.status_code == status
    assert _media(response) == "application/json"
    data = response.json()
    assert list(data) == ERROR_KEYS
    assert data["StatusCode"] == status
    assert isinstance(data["Message"], str)
    assert data["Message"]
    return data


def _assert_xml_error(response, status: int):
    assert response.status_code == status
    assert _media(response) == "application/xml"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = xml(response.content)
    assert root.tag == Q + "Error"
    assert root.get("StatusCode") == str(status)
    assert root.get("Message")
    return root


def _assert_error(response, status: int, as_json: bool) -> None:
    if as_json:
        _assert_json_error(response, status)
    else:
        _assert_xml_error(response, status)


# --- GET /api/ ---------------------------------------------------------------------------

def test_entry_point_xml(client):
    response = client.get("/api/")
    assert response.status_code == 200
    assert _media(response) == "application/xml"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n')
    root = xml(response.content)
    assert root.tag == Q + "EnterpriseManager"
    assert root.nsmap[None] == "http://www.veeam.com/ent/v1.0"
    assert root.nsmap["xsd"] == "http://www.w3.org/2001/XMLSchema"
    assert root.nsmap["xsi"] == "http://www.w3.org/2001/XMLSchema-instance"
    assert root.get("Href") is None
    assert root.get("Type") is None
    assert [c.tag for c in root] == [Q + "Links", Q + "SupportedVersions"]
    top = [dict(e.attrib) for e in root.find(Q + "Links")]
    assert top == [
        {"Rel": "Down", "Type": "LogonSessionList", "Href": f"{BASE}/api/logonSessions"},
        {"Rel": "Create", "Type": "LogonSession", "Href": f"{BASE}/api/sessionMngr/?v=latest"},
    ]
    versions = list(root.find(Q + "SupportedVersions"))
    assert [v.tag for v in versions] == [Q + "SupportedVersion"] * 3
    assert [v.get("Name") for v in versions] == ["v1_5", "v1_6", "v1_7"]
    for v in versions:
        assert [dict(e.attrib) for e in v.find(Q + "Links")] == [{
            "Rel": "Create", "Type": "LogonSession",
            "Href": f"{BASE}/api/sessionMngr/?v={v.get('Name')}"}]


@pytest.mark.parametrize("accept", ["application/json", "APPLICATION/JSON",
                                    "text/html, application/json;q=0.5"])
def test_entry_point_json_is_the_v12_capture(client, accept):
    response = client.get("/api/", headers={"Accept": accept})
    assert response.status_code == 200
    assert _media(response) == "application/json"
    expected = _rehost(_sample("veeam_api_v12.json"), CAPTURE_BASE, BASE)
    assert _ordered(response.json()) == _ordered(expected)


def test_entry_point_needs_no_session(client):
    response = client.get("/api/", headers={TOKEN: "not-a-session", **JSON})
    assert response.status_code == 200
    assert list(response.json()) == ["SupportedVersions", "Links", "Href", "Type"]


# --- logon -------------------------------------------------------------------------------

def test_logon_json(client):
    response = _post_logon(client, headers=JSON)
    assert response.status_code == 201
    assert _media(response) == "application/json"
    body = response.json()
    assert list(body) == list(_sample("veeam_login_v12.json"))
    assert list(body) == ["UserName", "SessionId", "Links", "Href", "Type"]
    session_id = body["SessionId"]
    assert str(uuid.UUID(session_id)) == session_id
    assert body["UserName"] == USER
    assert body["Type"] == "LogonSession"
    href = f"{BASE}/api/logonSessions/{session_id}"
    assert body["Href"] == href

    token = response.headers[TOKEN]
    assert len(token) == 48
    assert token == base64.b64encode(session_id.encode("ascii")).decode("ascii")
    assert base64.b64decode(token).decode("ascii") == session_id
    assert response.headers["set-cookie"] == f"{TOKEN}={token}; Path=/api"
    assert response.headers["location"] == href
    names = _raw_header_names(response)
    for name in (TOKEN, "Set-Cookie", "Location", "Content-Type"):
        assert name in names, names

    link_list = body["Links"]
    assert all(list(item) == LINK_KEYS for item in link_list)
    assert link_list[0] == {"Rel": "Up", "Href": f"{BASE}/api/", "Name": None,
                            "Type": "EnterpriseManager"}
    assert link_list[-1]["Rel"] == "Delete"
    assert link_list[-1]["Href"] == href
    middle = link_list[1:-1]
    assert middle
    # Between Up and Delete: Down links, and (as in the capture) one Create link.
    creates = [item["Href"] for item in middle if item["Rel"] != "Down"]
    assert all(item["Rel"] in ("Down", "Create") for item in middle)
    assert creates == [f"{BASE}/api/backupServers?action=create"]


def test_logon_xml(client):
    response = _post_logon(client)
    assert response.status_code == 201
    assert _media(response) == "application/xml"
    root = xml(response.content)
    assert root.tag == Q + "LogonSession"
    session_id = root.findtext(Q + "SessionId")
    href = f"{BASE}/api/logonSessions/{session_id}"
    assert root.get("Href") == href
    assert root.get("Type") == "LogonSession"
    assert [c.tag for c in root] == [Q + "Links", Q + "UserName", Q + "SessionId"]
    assert root.findtext(Q + "UserName") == USER
    assert response.headers[TOKEN] == base64.b64encode(session_id.encode()).decode()
    assert response.headers["location"] == href
    link_list = list(root.find(Q + "Links"))
    assert link_list[0].get("Rel") == "Up"
    assert link_list[0].get("Type") == "EnterpriseManager"
    assert link_list[0].get("Href") == f"{BASE}/api/"
    assert link_list[-1].get("Rel") == "Delete"
    assert link_list[-1].get("Href") == href


@pytest.mark.parametrize("accept", [None, "application/json"])
def test_every_down_link_of_the_logon_body_answers(client, accept):
    response = _post_logon(client, headers=JSON)
    token = response.headers[TOKEN]
    downs = [item["Href"] for item in response.json()["Links"] if item["Rel"] == "Down"]
    assert downs
    headers = {TOKEN: token}
    if accept:
        headers["Accept"] = accept
    for href in downs:
        assert href.startswith(f"{BASE}/api/")
        followed = client.get(href, headers=headers)
        assert followed.status_code == 200, (href, followed.text)


def test_logon_ignores_a_stale_token(client):
    response = _post_logon(client, headers={TOKEN: "stale", "Cookie": f"{TOKEN}=stale"})
    assert response.status_code == 201


def test_logon_scheme_is_case_insensitive(client):
    value = basic().replace("Basic ", "basic ")
    response = client.post("/api/sessionMngr/?v=latest", headers={"Authorization": value})
    client.cookies.clear()
    assert response.status_code == 201


@pytest.mark.parametrize("query", ["?v=latest", "?v=LATEST", "?v=Latest", "?v=v1_4", "?v=v1_7",
                                   "?v=v1_2", "?v=v1_5", "?v=V1_5", "?V=v1_6", ""])
def test_accepted_versions(client, query):
    response = _post_logon(client, path="/api/sessionMngr/" + query, headers=JSON)
    assert response.status_code == 201, response.text
    token = response.headers[TOKEN]
    assert client.get("/api/logonSessions", headers={TOKEN: token}).status_code == 200


@pytest.mark.parametrize("version", ["2", "foo", "v2_0", "1_5"])
def test_rejected_versions(client, version):
    for as_json in (False, True):
        response = _post_logon(client, path=f"/api/sessionMngr/?v={version}",
                               headers=JSON if as_json else {})
        _assert_error(response, 400, as_json)
        assert TOKEN not in response.headers
        assert "set-cookie" not in response.headers


@pytest.mark.parametrize("as_json", [False, True])
@pytest.mark.parametrize("case", ["wrong password", "unknown user", "no authorization"])
def test_bad_credentials_are_401_with_the_realm(client, case, as_json):
    headers = dict(JSON) if as_json else {}
    if case == "wrong password":
        headers["Authorization"] = basic(USER, "wrong")
    elif case == "unknown user":
        headers["Authorization"] = basic("nobody", PASSWORD)
    response = client.post("/api/sessionMngr/?v=latest", headers=headers)
    _assert_error(response, 401, as_json)
    assert response.headers["www-authenticate"] == REALM
    assert "WWW-Authenticate" in _raw_header_names(response)
    assert TOKEN not in response.headers


def test_wrong_user_and_wrong_password_say_the_same(client):
    wrong_user = client.post("/api/sessionMngr/?v=latest",
                             headers={"Authorization": basic("nobody", PASSWORD)})
    wrong_password = client.post("/api/sessionMngr/?v=latest",
                                 headers={"Authorization": basic(USER, "nope")})
    assert error_of(wrong_user) == error_of(wrong_password)
    wrong_user = client.post("/api/sessionMngr/?v=latest",
                             headers={"Authorization": basic("nobody", PASSWORD), **JSON})
    wrong_password = client.post("/api/sessionMngr/?v=latest",
                                 headers={"Authorization": basic(USER, "nope"), **JSON})
    assert wrong_user.json() == wrong_password.json()


MALFORMED: list[str | bytes] = [
    "Basic !!!not base64!!!",
    "Basic " + base64.b64encode(b"veeamveeam").decode(),
    "Basic " + base64.b64encode(b"\xff\xfe:\xff\xfd").decode(),
    "Bearer " + base64.b64encode(b"veeam:veeam").decode(),
    "Digest username=\"veeam\"",
    "Basic",
    "Basic ",
    "veeam:veeam",
    base64.b64encode(b"veeam:veeam").decode(),
    b"Basic \xe9\xe8\xff",
    "Basic " + "A" * 10_000,
]


@pytest.mark.parametrize("authorization", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_authorization_is_401_never_500(client, authorization):
    for as_json in (False, True):
        headers: dict[str, Any] = {"Authorization": authorization}
        if as_json:
            headers.update(JSON)
        response = client.post("/api/sessionMngr/?v=latest", headers=headers)
        _assert_error(response, 401, as_json)
        assert response.headers["www-authenticate"] == REALM
        assert TOKEN not in response.headers
    assert _post_logon(client).status_code == 201


# --- logon sessions ----------------------------------------------------------------------

@pytest.mark.parametrize("settings", [TWO_USERS])
def test_logon_sessions_lists_only_the_callers_sessions(client):
    mine = [_post_logon(client, headers=JSON).json()["SessionId"] for _ in range(2)]
    other = _post_logon(client, user="other", password="pw", headers=JSON)
    assert other.status_code == 201
    my_token = base64.b64encode(mine[0].encode()).decode()

    response = client.get("/api/logonSessions", headers={TOKEN: my_token, **JSON})
    assert response.status_code == 200
    data = response.json()
    assert list(data) == ["LogonSessions"]
    items = data["LogonSessions"]
    assert sorted(item["SessionId"] for item in items) == sorted(mine)
    assert {item["UserName"] for item in items} == {USER}
    for item in items:
        assert list(item) == ["UserName", "SessionId", "Links", "Href", "Type"]
        assert item["Href"] == f"{BASE}/api/logonSessions/{item['SessionId']}"

    theirs = client.get("/api/logonSessions",
                        headers={TOKEN: other.headers[TOKEN], **JSON}).json()["LogonSessions"]
    assert [item["SessionId"] for item in theirs] == [other.json()["SessionId"]]
    assert theirs[0]["UserName"] == "other"


def test_logon_sessions_xml(client):
    body = _post_logon(client, headers=JSON).json()
    token = base64.b64encode(body["SessionId"].encode()).decode()
    response = client.get("/api/logonSessions", headers={TOKEN: token})
    assert response.status_code == 200
    assert _media(response) == "application/xml"
    root = xml(response.content)
    assert root.tag == Q + "LogonSessions"
    assert [c.tag for c in root] == [Q + "LogonSession"]
    assert root[0].findtext(Q + "SessionId") == body["SessionId"]
    assert root[0].get("Href") == body["Href"]


def test_get_one_logon_session(client):
    logon_body = _post_logon(client, headers=JSON).json()
    token = base64.b64encode(logon_body["SessionId"].encode()).decode()
    response = client.get(logon_body["Href"], headers={TOKEN: token, **JSON})
    assert response.status_code == 200
    assert _ordered(response.json()) == _ordered(logon_body)
    response = client.get(logon_body["Href"], headers={TOKEN: token})
    root = xml(response.content)
    assert root.tag == Q + "LogonSession"
    assert root.findtext(Q + "SessionId") == logon_body["SessionId"]


@pytest.mark.parametrize("as_json", [False, True])
def test_delete_logon_session_ends_the_token(client, as_json):
    logon_body = _post_logon(client, headers=JSON).json()
    token = base64.b64encode(logon_body["SessionId"].encode()).decode()
    spare = logon(client)
    accept = JSON if as_json else {}
    response = client.delete(logon_body["Href"], headers={TOKEN: token, **accept})
    assert response.status_code == 204
    assert response.content == b""
    _assert_error(client.get("/api/logonSessions", headers={TOKEN: token, **accept}), 401,
                  as_json)
    _assert_error(client.get(logon_body["Href"], headers={TOKEN: spare, **accept}), 404,
                  as_json)
    assert client.get("/api/logonSessions", headers={TOKEN: spare}).status_code == 200


@pytest.mark.parametrize("settings", [TWO_USERS])
@pytest.mark.parametrize("as_json", [False, True])
def test_another_users_session_is_403(client, as_json):
    mine = logon(client)
    theirs = _post_logon(client, user="other", password="pw", headers=JSON)
    href = theirs.json()["Href"]
    accept = JSON if as_json else {}
    _assert_error(client.get(href, headers={TOKEN: mine, **accept}), 403, as_json)
    _assert_error(client.delete(href, headers={TOKEN: mine, **accept}), 403, as_json)
    # Still alive for its owner.
    assert client.get(href, headers={TOKEN: theirs.headers[TOKEN]}).status_code == 200


@pytest.mark.parametrize("as_json", [False, True])
def test_unknown_logon_session_is_404(client, token, as_json):
    accept = JSON if as_json else {}
    href = f"/api/logonSessions/{uuid.uuid4()}"
    _assert_error(client.get(href, headers={TOKEN: token, **accept}), 404, as_json)
    _assert_error(client.delete(href, headers={TOKEN: token, **accept}), 404, as_json)


# --- session tokens ----------------------------------------------------------------------

def test_idle_expiry_follows_the_clock_and_each_request_renews(client, runtime, token):
    auth = {TOKEN: token}
    runtime.clock.advance(899)
    assert client.get("/api/logonSessions", headers=auth).status_code == 200
    runtime.clock.advance(899)
    assert client.get("/api/logonSessions", headers=auth).status_code == 200
    runtime.clock.advance(899)
    assert client.get("/api/", headers=auth).status_code == 200  # no session: no renewal
    runtime.clock.advance(1)
    _assert_json_error(client.get("/api/logonSessions", headers={**auth, **JSON}), 401)


def test_expiry_is_exactly_900_seconds_after_last_use(client, runtime, token):
    runtime.clock.advance(900)
    _assert_xml_error(client.get("/api/logonSessions", headers={TOKEN: token}), 401)


@pytest.mark.parametrize("settings", [TWO_USERS])
def test_expired_sessions_leave_the_list(client, runtime):
    idle = _post_logon(client, headers=JSON).json()["SessionId"]
    runtime.clock.advance(600)
    busy = logon(client)
    runtime.clock.advance(300)
    response = client.get("/api/logonSessions", headers={TOKEN: busy, **JSON})
    assert response.status_code == 200
    ids = [item["SessionId"] for item in response.json()["LogonSessions"]]
    assert idle not in ids
    assert ids == [base64.b64decode(busy).decode()]


def test_token_in_cookie_or_header(client, token):
    assert client.get("/api/logonSessions", headers={TOKEN: token}).status_code == 200
    assert client.get("/api/logonSessions",
                      headers={"Cookie": f"{TOKEN}={token}"}).status_code == 200


def test_cookie_wins_over_header(client, token):
    response = client.get("/api/logonSessions",
                          headers={"Cookie": f"{TOKEN}={token}", TOKEN: "garbage"})
    assert response.status_code == 200
    response = client.get("/api/logonSessions",
                          headers={"Cookie": f"{TOKEN}=garbage", TOKEN: token, **JSON})
    _assert_json_error(response, 401)


def test_cookie_of_an_ended_session_wins_over_a_valid_header(client, token):
    ended = _post_logon(client, headers=JSON)
    ended_token = ended.headers[TOKEN]
    assert client.delete(ended.json()["Href"], headers={TOKEN: ended_token}).status_code == 204
    response = client.get("/api/logonSessions",
                          headers={"Cookie": f"{TOKEN}={ended_token}", TOKEN: token})
    _assert_xml_error(response, 401)


def test_session_cookie_from_logon_is_usable_as_set(client):
    response = client.post("/api/sessionMngr/?v=latest", headers={"Authorization": basic()})
    assert response.status_code == 201
    try:
        # The client's cookie jar now holds the cookie for Path=/api.
        assert client.get("/api/logonSessions").status_code == 200
    finally:
        client.cookies.clear()


BAD_TOKENS: dict[str, str | bytes] = {
    "random": "".join(random.Random(20260615).choices(
        string.ascii_letters + string.digits + "+/=-_.!~*()", k=57)),
    "10k": "".join(random.Random(7).choices(string.ascii_letters + string.digits, k=10 * 1024)),
    "latin1": b"\xe9\xff\x80abc==",
    "base64 of a guid": base64.b64encode(str(uuid.uuid4()).encode()).decode(),
}


@pytest.mark.parametrize("where", ["header", "cookie"])
@pytest.mark.parametrize("kind", list(BAD_TOKENS))
def test_bad_tokens_are_401_and_the_server_carries_on(client, token, kind, where):
    value = BAD_TOKENS[kind]
    for as_json in (False, True):
        headers: dict[str, Any] = dict(JSON) if as_json else {}
        if where == "header":
            headers[TOKEN] = value
        else:
            raw = value if isinstance(value, bytes) else value.encode()
            headers["Cookie"] = TOKEN.encode() + b"=" + raw
        response = client.get("/api/logonSessions", headers=headers)
        _assert_error(response, 401, as_json)
        follow = client.get("/api/logonSessions", headers={TOKEN: token, **JSON})
        assert follow.status_code == 200
        ids = [item["SessionId"] for item in follow.json()["LogonSessions"]]
        assert ids == [base64.b64decode(token).decode()]


# --- tolerance -------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/API//SessionMngr/?v=latest", "/api/sessionmngr?v=latest", "/api/SESSIONMNGR/?v=latest",
    # Absolute, or the client would read "//api" as a host name.
    BASE + "//api///sessionMngr//?v=latest",
    "/Api/SessionMngr",
])
def test_logon_path_tolerance(client, path):
    response = _post_logon(client, path=path, headers=JSON)
    assert response.status_code == 201, response.text
    assert response.json()["SessionId"]


@pytest.mark.parametrize("path", ["/api/logonSessions", "/api/LOGONSESSIONS", "/api/logonsessions",
                                  "/api/logonSessions/", "/API//LogonSessions//",
                                  "/api/logonSessions?v=latest",
                                  "/api/logonSessions?v=foo&Field==x&unknown=1&&=",
                                  "/api/logonSessions/?format=&PageSize=9"])
def test_session_path_tolerance(client, token, path):
    response = client.get(path, headers={TOKEN: token, **JSON})
    assert response.status_code == 200, response.text
    assert list(response.json()) == ["LogonSessions"]


@pytest.mark.parametrize("path", ["/api", "/api/", "/API/", "/api//", "/Api", "/api/?v=latest",
                                  "/api/?x=1&Field==y"])
def test_entry_point_path_tolerance(client, path):
    response = client.get(path, headers=JSON)
    assert response.status_code == 200
    assert list(response.json()) == ["SupportedVersions", "Links", "Href", "Type"]


def test_one_session_by_id_in_any_case_and_slashes(client):
    logon_body = _post_logon(client, headers=JSON).json()
    token = base64.b64encode(logon_body["SessionId"].encode()).decode()
    session_id = logon_body["SessionId"]
    for path in (f"/API/LogonSessions/{session_id.upper()}", f"/api//logonSessions/{session_id}/"):
        response = client.get(path, headers={TOKEN: token, **JSON})
        assert response.status_code == 200, path
        assert response.json()["SessionId"] == session_id


def test_get_with_json_content_type_and_empty_body(client, token):
    headers = {TOKEN: token, "Content-Type": "application/json", **JSON}
    response = client.request("GET", "/api/logonSessions", headers=headers, content=b"")
    assert response.status_code == 200
    response = client.request("GET", "/api/", headers={"Content-Type": "application/json"},
                              content=b"")
    assert response.status_code == 200
    assert _media(response) == "application/xml"


def test_logon_with_json_content_type_and_empty_body(client):
    response = client.request("POST", "/api/sessionMngr/?v=latest", content=b"",
                              headers={"Authorization": basic(),
                                       "Content-Type": "application/json", **JSON})
    client.cookies.clear()
    assert response.status_code == 201


# --- Hrefs -------------------------------------------------------------------------------

def test_hrefs_follow_the_host_header(client):
    host = {"Host": "example.org:1234"}
    base = "http://example.org:1234/api/"
    entry = client.get("/api/", headers={**host, **JSON}).json()
    assert _hrefs(entry)
    assert all(h.startswith(base) for h in _hrefs(entry))
    assert all(h.startswith(base) for h in _xml_hrefs(xml(client.get("/api/",
                                                                      headers=host).content)))

    response = _post_logon(client, headers={**host, **JSON})
    body = response.json()
    assert response.headers["location"] == f"{base}logonSessions/{body['SessionId']}"
    assert len(_hrefs(body)) > 3
    assert all(h.startswith(base) for h in _hrefs(body))
    listed = client.get("/api/logonSessions",
                        headers={TOKEN: response.headers[TOKEN], **host, **JSON}).json()
    assert all(h.startswith(base) for h in _hrefs(listed))


@pytest.mark.parametrize("settings", [Settings(public_url="https://em.example.com:9398",
                                               epoch=EPOCH_MS, frozen_clock=True)])
def test_hrefs_follow_the_public_url_whatever_the_host(client):
    base = "https://em.example.com:9398/api/"
    for host in ({}, {"Host": "example.org:1234"}):
        entry = client.get("/api/", headers={**host, **JSON}).json()
        assert all(h.startswith(base) for h in _hrefs(entry))
        assert _ordered(entry) == _ordered(
            _rehost(_sample("veeam_api_v12.json"), CAPTURE_BASE, "https://em.example.com:9398"))
        response = _post_logon(client, headers={**host, **JSON})
        body = response.json()
        assert response.headers["location"] == f"{base}logonSessions/{body['SessionId']}"
        assert all(h.startswith(base) for h in _hrefs(body))
        root = xml(client.get("/api/", headers=host).content)
        assert all(h.startswith(base) for h in _xml_hrefs(root))


# --- errors ------------------------------------------------------------------------------

@pytest.mark.parametrize("as_json", [False, True])
@pytest.mark.parametrize("path", ["/api/noSuchThing", "/api/logonSessions/x/y/z", "/nope",
                                  "/api/sessionMngr/extra"])
def test_unknown_path_is_404_error(client, token, path, as_json):
    headers = {TOKEN: token, **(JSON if as_json else {})}
    _assert_error(client.get(path, headers=headers), 404, as_json)


@pytest.mark.parametrize("as_json", [False, True])
@pytest.mark.parametrize(("method", "path"), [("PUT", "/api/"), ("DELETE", "/api/"),
                                              ("POST", "/api/logonSessions"),
                                              ("PUT", "/api/sessionMngr/?v=latest")])
def test_wrong_method_is_405_error(client, token, method, path, as_json):
    headers = {TOKEN: token, **(JSON if as_json else {})}
    _assert_error(client.request(method, path, headers=headers), 405, as_json)


def test_json_error_has_the_vendor_keys_in_order_with_nulls(client):
    data = _assert_json_error(client.get("/api/logonSessions", headers=JSON), 401)
    assert data["FirstChanceExceptionMessage"] is None
    assert data["StackTrace"] is None
    assert data["Status"] is None
    raw = client.get("/api/noSuchThing", headers={"Accept": "application/json"}).content
    keys = [line for line in ERROR_KEYS if f'"{line}"'.encode() in raw]
    assert keys == ERROR_KEYS
    positions = [raw.index(f'"{key}"'.encode()) for key in ERROR_KEYS]
    assert positions == sorted(positions)


def test_missing_token_is_401_error(client):
    _assert_xml_error(client.get("/api/logonSessions"), 401)
    _assert_json_error(client.get("/api/logonSessions", headers=JSON), 401)
