"""The control API's recorded answers: list, add, replace, remove; bad bodies change nothing."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import JSON, logon

ANSWER = {"Path": "/custom?a=1", "BaseUrl": "https://em.example:9398",
          "Xml": {"Status": 200, "ContentType": "application/xml; charset=utf-8",
                  "Body": "<A Href='https://em.example:9398/api/custom'/>"}}


def test_add_list_replace_and_remove(client, auth):
    assert client.get("/mock/recorded").json() == []
    created = client.post("/mock/recorded", json=ANSWER)
    assert created.status_code == 201
    assert created.json() == {**ANSWER, "Modelled": False}
    assert client.get("/mock/recorded").json() == [{**ANSWER, "Modelled": False}]
    assert client.get("/api/custom?a=1", headers=auth).text == \
        "<A Href='http://testserver/api/custom'/>"

    replacement = {"Path": "/CUSTOM?A=1", "Json": {"Body": "{}"}}
    replaced = client.post("/mock/recorded", json=replacement)
    assert replaced.status_code == 200
    listed = client.get("/mock/recorded").json()
    assert [a["Path"] for a in listed] == ["/CUSTOM?A=1"]
    assert client.get("/api/custom?a=1", headers={**auth, **JSON}).content == b"{}"

    assert client.delete("/mock/recorded", params={"path": "/custom?a=1"}).status_code == 204
    assert client.get("/mock/recorded").json() == []
    assert client.get("/api/custom?a=1", headers=auth).status_code == 404
    gone = client.delete("/mock/recorded", params={"path": "/custom?a=1"})
    assert gone.status_code == 404
    assert gone.json()["error"] == "No recorded answer has the path '/custom?a=1'."
    assert client.delete("/mock/recorded").status_code == 400


def test_what_the_list_returns_can_be_added_again(client):
    client.post("/mock/recorded", json={"Path": "/backupServers", "Xml": {"Body": ""}})
    listed = client.get("/mock/recorded").json()
    assert listed[0]["Modelled"] is True
    assert "models GET /api/backupServers" in listed[0]["Warning"]
    assert client.post("/mock/recorded", json=listed[0]).status_code == 200
    assert client.get("/mock/recorded").json() == listed


def test_seed_keeps_and_reset_drops_what_was_added(client):
    client.post("/mock/recorded", json=ANSWER)
    assert client.post("/mock/seed", json={"seed": 3, "backupServers": 1, "failoverPlans": 1,
                                           "sessions": 1}).status_code == 200
    assert [a["Path"] for a in client.get("/mock/recorded").json()] == ["/custom?a=1"]
    client.post("/mock/reset")
    assert client.get("/mock/recorded").json() == []


def test_the_control_token_guards_them(runtime):
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from em_mock import create_app

    runtime.settings = replace(runtime.settings, control_token="secret")
    with TestClient(create_app(runtime=runtime)) as client:
        assert client.get("/mock/recorded").status_code == 401
        assert client.post("/mock/recorded", json=ANSWER).status_code == 401
        assert client.delete("/mock/recorded", params={"path": "/custom?a=1"}
                             ).status_code == 401
        assert client.get("/mock/recorded", headers={"X-Mock-Token": "secret"}).json() == []


def test_the_console_lists_them_with_remove(client):
    page = client.get("/mock/console").text
    assert 'id="recorded-table"' in page
    script = client.get("/mock/console/static/console.js").text
    assert '"/recorded?path=" + encodeURIComponent(path)' in script


_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-5, 1000), st.text(max_size=12),
                    st.lists(st.integers(), max_size=2))
_CAPTURES = st.one_of(_VALUES, st.dictionaries(
    st.sampled_from(["Status", "ContentType", "Body", "BodyBase64", "Other"]),
    st.one_of(_VALUES, st.sampled_from([200, 404, "text/plain", "AAAA", "a\nb"])),
    max_size=4))
_BODIES = st.one_of(_VALUES, st.dictionaries(
    st.sampled_from(["Path", "BaseUrl", "Xml", "Json", "Method"]),
    st.one_of(_CAPTURES, st.sampled_from(["/x", "x", "/api/x", "/x?y=1", "http://h:1",
                                          "https://em.example:9398/api/", "/x y"])),
    max_size=5))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=_BODIES)
def test_any_add_body_is_taken_whole_or_refused_with_reasons(shared_client, body: Any):
    client = shared_client
    before = client.get("/mock/recorded").json()
    answer = client.post("/mock/recorded", json=body)
    after = client.get("/mock/recorded").json()
    if answer.status_code == 400:
        refused = answer.json()
        assert refused["error"] == "The recorded answer is not valid; nothing was changed."
        assert refused["errors"] and all(e.startswith("request body: $") for e in
                                         refused["errors"])
        assert after == before
        return
    assert answer.status_code in (200, 201), answer.text
    assert answer.json() in after
    client.delete("/mock/recorded", params={"path": answer.json()["Path"]})
    assert client.get("/mock/recorded").json() == before


def test_a_body_that_is_not_json_is_refused(steady):
    client, _ = steady
    answer = client.post("/mock/recorded", content=b"{nope",
                         headers={"Content-Type": "application/json"})
    assert answer.status_code == 400 and answer.json()["error"]
    assert client.get("/mock/recorded").json() == []


def test_a_session_ending_does_not_touch_them(client):
    client.post("/mock/recorded", json=ANSWER)
    token = logon(client)
    client.delete(f"/api/logonSessions/{token}", headers={"X-RestSvcSessionId": token})
    assert len(client.get("/mock/recorded").json()) == 1
