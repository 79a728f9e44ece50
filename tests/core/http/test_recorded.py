"""Recorded answers on the wire: served behind the logon where no route models the path,
in the negotiated format, with their links on the serving base URL."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from em_mock import Settings, create_app
from em_mock.core.fixtures import FixtureError, dumps, load_documents
from em_mock.core.recorded import RECORDED, answer_key, from_json
from em_mock.core.runtime import Runtime
from tests.conftest import EPOCH_MS, ROOT
from tests.helpers import JSON, error_of, logon

README = (ROOT / "README.md").read_text(encoding="utf-8")
SMALL = ROOT / "examples" / "small-fixture.json"
CAPTURED = {
    "Path": "/reports/custom?period=week&Scope=All",
    "BaseUrl": "https://em.example:9398",
    "Xml": {"Status": 200, "ContentType": "application/xml; charset=utf-8",
            "Body": '<Custom Href="https://em.example:9398/api/reports/custom"/>'},
    "Json": {"Status": 203, "ContentType": "application/json",
             "Body": '{"Href":"https://em.example:9398/api/reports/custom"}'},
}


@pytest.fixture
def client() -> Iterator[TestClient]:
    """An app on the small example fixture: these tests need no more data."""
    with app_for(Settings(fixtures=SMALL, epoch=EPOCH_MS, frozen_clock=True)) as app:
        yield app


def add(client: TestClient, item: dict[str, object]) -> dict[str, object]:
    response = client.post("/mock/recorded", json=item)
    assert response.status_code in (200, 201), response.text
    body: dict[str, object] = response.json()
    return body


def test_both_formats_are_served_as_the_client_asks(client, auth):
    add(client, CAPTURED)
    xml = client.get("/api/reports/custom?period=week&Scope=All", headers=auth)
    assert (xml.status_code, xml.headers["content-type"]) == (200, "application/xml; charset=utf-8")
    assert xml.text == '<Custom Href="http://testserver/api/reports/custom"/>'
    js = client.get("/api/reports/custom?period=week&Scope=All", headers={**auth, **JSON})
    assert (js.status_code, js.headers["content-type"]) == (203, "application/json")
    assert js.json() == {"Href": "http://testserver/api/reports/custom"}


def test_links_follow_the_base_url_the_client_used(client, auth):
    add(client, CAPTURED)
    answer = client.get("/api/reports/custom?period=week&Scope=All",
                        headers={**auth, "Host": "127.0.0.1:8080"})
    assert answer.text == '<Custom Href="http://127.0.0.1:8080/api/reports/custom"/>'


def test_one_captured_format_is_served_to_every_client(client, auth):
    add(client, {"Path": "/custom", "Json": {"Body": "{}"}})
    for headers in (auth, {**auth, **JSON}, {**auth, "Accept": "application/xml"}):
        answer = client.get("/api/custom", headers=headers)
        assert (answer.status_code, answer.content) == (200, b"{}")
        assert answer.headers["content-type"] == "application/json; charset=utf-8"


def test_query_parameters_match_in_any_order_and_name_case(client, auth):
    add(client, CAPTURED)
    for url in ("/api/Reports//Custom/?scope=All&PERIOD=week", "/API///reports/custom?"
                "scope=All&period=week",
                "/api/reports/custom?period=week&scope=All"):
        assert client.get(url, headers=auth).status_code == 200
    for url in ("/api/reports/custom?period=week&scope=all", "/api/reports/custom?period=week",
                "/api/reports/custom", "/api/reports/custom?period=week&scope=All&x=1"):
        assert client.get(url, headers=auth).status_code == 404


def test_percent_encoded_paths_match_however_they_are_spelled(client, auth):
    add(client, {"Path": "/files/a%20b.txt", "Xml": {"Body": "<A/>"}})
    for url in ("/api/files/a%20b.txt", "/api/files/A%20B.TXT", "/api/files/a%20%62.txt"):
        assert client.get(url, headers=auth).content == b"<A/>"
    assert client.get("/api/files/a%2520b.txt", headers=auth).status_code == 404


def test_head_is_the_get_without_its_body(client, auth):
    add(client, CAPTURED)
    answer = client.head("/api/reports/custom?period=week&Scope=All", headers=auth)
    assert answer.status_code == 200 and answer.content == b""
    assert answer.headers["content-length"] == str(len(
        '<Custom Href="http://testserver/api/reports/custom"/>'))


def test_a_recorded_answer_needs_a_logon_session(client):
    add(client, CAPTURED)
    for headers in ({}, {"X-RestSvcSessionId": "not-a-session"}):
        answer = client.get("/api/reports/custom?period=week&Scope=All", headers=headers)
        assert answer.status_code == 401
        assert "em.example" not in answer.text and "Custom" not in answer.text


def test_a_modelled_path_always_wins(client, auth):
    created = add(client, {"Path": "/backupServers", "Xml": {"Body": "<Recorded/>"}})
    assert created["Modelled"] is True and "never served" in str(created["Warning"])
    add(client, {"Path": "/backupServers/00000000-0000-0000-0000-000000000000",
                 "Xml": {"Body": "<Recorded/>"}})
    listing = client.get("/api/backupServers", headers=auth)
    assert listing.status_code == 200 and "<Recorded/>" not in listing.text
    missing = client.get("/api/backupServers/00000000-0000-0000-0000-000000000000",
                         headers=auth)
    assert missing.status_code == 404 and "<Recorded/>" not in missing.text
    assert "backup server" in error_of(missing)["Message"].lower()


def test_other_methods_and_unknown_paths_stay_404(client, auth):
    add(client, CAPTURED)
    assert client.post("/api/reports/custom?period=week&Scope=All", headers=auth
                       ).status_code == 404
    assert client.get("/api/reports/other", headers=auth).status_code == 404


def test_journal_and_faults_apply_to_recorded_answers(client, auth):
    add(client, CAPTURED)
    client.post("/mock/faults", json={"action": "error", "path": "/api/reports/custom",
                                      "status": 503, "count": 1})
    url = "/api/reports/custom?period=week&Scope=All"
    assert client.get(url, headers=auth).status_code == 503
    assert client.get(url, headers=auth).status_code == 200
    seen = client.get("/mock/requests", params={"path": "/api/reports/custom"}).json()
    assert [(e["status"], e["fault"]) for e in seen] == [(200, None), (503, "error")]


def test_the_section_round_trips_byte_for_byte():
    doc = {"RecordedAnswers": [
        CAPTURED,
        {"Path": "/binary", "Xml": {"Status": 500, "BodyBase64": "//79AA=="}},
        {"Path": "/text", "Json": {"Body": "\ufeff{\"a\": \"\u00e9\"}\n"}},
    ]}
    first = dumps(load_documents([("doc", doc)], EPOCH_MS))
    again = dumps(load_documents([("export", json.loads(first))], EPOCH_MS))
    assert first == again
    section = json.loads(first)["RecordedAnswers"]
    assert section[1]["Xml"] == {"Status": 500, "ContentType": "application/xml; charset=utf-8",
                                 "BodyBase64": "//79AA=="}
    assert section[2]["Json"]["Body"] == "\ufeff{\"a\": \"\u00e9\"}\n"


def test_two_answers_for_one_request_are_refused():
    doc = {"RecordedAnswers": [{"Path": "/a?x=1&y=2", "Xml": {"Body": ""}},
                               {"Path": "/A/?Y=2&x=1", "Json": {"Body": ""}}]}
    with pytest.raises(FixtureError) as caught:
        load_documents([("doc.json", doc)], EPOCH_MS)
    assert caught.value.errors == ["doc.json: $.RecordedAnswers[1]: a second recorded answer "
                                   "for GET /api/A/?Y=2&x=1 (first at doc.json: "
                                   "$.RecordedAnswers[0])"]


@pytest.mark.parametrize(("item", "reason"), [
    ({"Path": "/a"}, "$: needs Xml, Json or both"),
    ({"Path": "a", "Xml": {"Body": ""}}, "$.Path: 'a' is not a path relative to /api"),
    ({"Path": "/api/a", "Xml": {"Body": ""}}, "$.Path: '/api/a' must be relative to /api"),
    ({"Path": "/a", "Xml": {"Status": 99, "Body": ""}}, "$.Xml.Status: 99 is not an HTTP"),
    ({"Path": "/a", "Xml": {"Status": 204, "Body": "x"}}, "$.Xml.Body: must be empty"),
    ({"Path": "/a", "Xml": {"ContentType": "a\r\nX-Evil: 1", "Body": ""}},
     "$.Xml.ContentType: must be a non-empty header value"),
    ({"Path": "/a", "Xml": {"Body": "", "BodyBase64": ""}}, "$.Xml: needs exactly one of"),
    ({"Path": "/a", "Json": {"BodyBase64": "!!"}}, "$.Json.BodyBase64: is not valid base64"),
    ({"Path": "/a", "BaseUrl": "em.example", "Xml": {"Body": ""}}, "$.BaseUrl: 'em.example'"),
    ({"Path": "/a", "Method": "GET", "Xml": {"Body": ""}}, "$.Method: unknown key"),
])
def test_invalid_answers_name_the_reason(item, reason):
    with pytest.raises(FixtureError) as caught:
        from_json(item)
    assert any(e.startswith("request body: " + reason) for e in caught.value.errors), \
        caught.value.errors


def test_the_key_normalises_path_and_query():
    assert answer_key("//A/b/?Y=2&x=1&x=0") == "/a/b?x=1&x=0&y=2"
    assert answer_key("/a?q=%20b+c") == answer_key("/a?q=+b%20c")


# -- hand-written answers ------------------------------------------------------------------

def readme_example() -> tuple[str, bytes]:
    match = re.search(r"<!-- recorded-example: (\S+) -->\n```\n(.*?)^```", README,
                      re.DOTALL | re.MULTILINE)
    assert match, "the README's hand-written recorded answer is missing"
    return match.group(1), match.group(2).encode()


def app_for(settings: Settings) -> TestClient:
    return TestClient(create_app(runtime=Runtime.create(settings)), base_url="http://testserver")


def test_the_readme_example_is_served_from_recorded_beside_the_fixture(tmp_path):
    name, text = readme_example()
    shutil.copy(SMALL, tmp_path / "data.json")
    (tmp_path / "recorded").mkdir()
    (tmp_path / "recorded" / name).write_bytes(text)
    (tmp_path / "recorded" / "notes.txt").write_text("not an answer")
    settings = Settings(fixtures=tmp_path / "data.json", epoch=EPOCH_MS, frozen_clock=True)
    with app_for(settings) as client:
        auth = {"X-RestSvcSessionId": logon(client)}
        answer = client.get("/api/reports/custom?period=week", headers={**auth, **JSON})
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/xml; charset=utf-8"
        assert answer.text == ('<CustomReport xmlns="http://www.veeam.com/ent/v1.0" Href="'
                               'http://testserver/api/reports/custom?period=week"><Period>'
                               'week</Period></CustomReport>\n')
        exported = client.get("/mock/state").json()["RecordedAnswers"]
        assert [(a["Path"], a["BaseUrl"]) for a in exported] == [
            ("/reports/custom?period=week", "https://em.example:9398")]
        client.delete("/mock/recorded", params={"path": "/reports/custom?period=week"})
        client.post("/mock/reset")
        auth = {"X-RestSvcSessionId": logon(client)}
        assert client.get("/api/reports/custom?period=week", headers=auth).status_code == 200


def test_an_xml_and_a_json_file_make_one_answer(tmp_path):
    recorded = tmp_path / "answers"
    recorded.mkdir()
    (recorded / "a.xml").write_bytes(b"GET /api/Custom\n\n<A/>")
    (recorded / "a.json").write_bytes(b"GET /api/custom/\r\nStatus: 202\r\n"
                                      b"Content-Type: text/json\r\n\r\n{\"a\":\n\n1}")
    shutil.copy(SMALL, tmp_path / "data.json")
    settings = Settings(fixtures=tmp_path / "data.json", recorded=recorded, epoch=EPOCH_MS,
                        frozen_clock=True)
    with app_for(settings) as client:
        auth = {"X-RestSvcSessionId": logon(client)}
        xml = client.get("/api/custom", headers=auth)
        js = client.get("/api/custom", headers={**auth, **JSON})
        assert (xml.status_code, xml.content) == (200, b"<A/>")
        assert (js.status_code, js.headers["content-type"], js.content) == (
            202, "text/json", b'{"a":\n\n1}')
        answers = RECORDED.of(client.app.state.runtime.store.data)  # type: ignore[attr-defined]
        assert list(answers) == ["/custom"]


@pytest.mark.parametrize(("files", "reason"), [
    ({"a.xml": b"GET /api/a\n<A/>"}, "no empty line between the header and the body"),
    ({"a.xml": b"POST /api/a\n\n<A/>"}, "line 1: must be GET /api/<path>"),
    ({"a.xml": b"GET /api/a\nStatus: ok\n\n"}, "line 2: Status must be a number"),
    ({"a.xml": b"GET /api/a\nX-Other: 1\n\n"}, "line 2: not a header"),
    ({"a.xml": b"GET /api/a\n\n", "b.xml": b"GET /api/A\n\n"}, "a second XML answer"),
    ({"a.xml": b"GET /api/a\nStatus: 99\n\n"}, "$.Xml.Status: 99 is not an HTTP status"),
])
def test_a_bad_hand_written_file_is_named(tmp_path, files, reason):
    for name, text in files.items():
        (tmp_path / name).write_bytes(text)
    settings = Settings(fixtures=SMALL, recorded=tmp_path, epoch=EPOCH_MS)
    with pytest.raises(FixtureError) as caught:
        Runtime.create(settings)
    assert len(caught.value.errors) == 1
    assert str(tmp_path) in caught.value.errors[0] and reason in caught.value.errors[0]


def test_a_missing_recorded_directory_is_named(tmp_path):
    with pytest.raises(FixtureError, match="no such directory of recorded answers"):
        Runtime.create(Settings(fixtures=SMALL, recorded=tmp_path / "nope", epoch=EPOCH_MS))


def test_modelled_paths_come_from_the_routes():
    from em_mock.core.http.recorded import is_modelled, markdown_paths

    table = markdown_paths()
    assert "| `/api/query` | GET, HEAD |" in table
    assert "| `/api/backupservers/{item_id}` | GET, HEAD |" in table
    assert is_modelled("/BackupServers/anything") and is_modelled("/")
    assert not is_modelled("/reports/custom")


def test_recorded_answers_pass_through_the_state():
    settings = Settings(fixtures=SMALL, epoch=EPOCH_MS, frozen_clock=True)
    with app_for(settings) as client:
        add(client, CAPTURED)
        state = client.get("/mock/state").json()
        assert state["RecordedAnswers"] == [CAPTURED]
        client.post("/mock/reset")
        assert client.get("/mock/recorded").json() == []
        assert client.put("/mock/state", json=state).status_code == 200
        auth = {"X-RestSvcSessionId": logon(client)}
        answer = client.get("/api/reports/custom?period=week&Scope=All", headers=auth)
        assert answer.status_code == 200
