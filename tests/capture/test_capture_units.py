"""The capture command's pieces that need no server: option values, anonymizing, the
state directory and the walk for recorded answers."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from em_mock.capture.anonymize import Anonymizer, anonymize
from em_mock.capture.command import since_ms
from em_mock.capture.record import discover
from em_mock.capture.state import State
from em_mock.capture.transport import CaptureError, parse_base_url
from em_mock.core.capture import Answer, Walk
from em_mock.core.times import parse_instant_ms

NOW = parse_instant_ms("2026-06-15T12:00:00Z") or 0
GUID = "6121049b-bcd3-41e4-996f-14803bf20e16"


@pytest.mark.parametrize("text, expected", [
    ("30d", NOW - 30 * 86_400_000), ("12h", NOW - 12 * 3_600_000), ("90m", NOW - 90 * 60_000),
    ("all", None), ("2026-06-01T00:00:00Z", parse_instant_ms("2026-06-01T00:00:00Z")),
])
def test_since_takes_a_period_a_time_or_all(text, expected):
    assert since_ms(text, NOW) == expected


@given(st.text(max_size=12))
def test_since_refuses_anything_else_plainly(text):
    try:
        since_ms(text, NOW)
    except CaptureError as exc:
        assert "--since" in str(exc)


@pytest.mark.parametrize("url", ["em.example:9398", "ftp://em.example", "https://",
                                 "https://em.example:9398/api/jobs", "https://e.x/?a=1"])
def test_a_bad_from_url_is_named(url):
    with pytest.raises(CaptureError, match="--from"):
        parse_base_url(url)


def test_a_from_url_with_or_without_api():
    assert parse_base_url("https://em.example:9398/api/").base_url == "https://em.example:9398"
    assert parse_base_url("http://[::1]").base_url == "http://[::1]:80"


def test_the_same_input_gets_the_same_stand_in_across_sections_and_bodies():
    doc = {
        "Format": "em-mock-fixture/1", "Anchor": "2026-06-15T12:00:00.000Z",
        "BackupServers": [{"UID": f"urn:veeam:BackupServer:{GUID}", "Name": "vbr01.corp.local",
                           "Description": "Main", "Port": 9392, "Version": "12.3.2.4465",
                           "VbrCertificateThumbprint": "7ED4D57B1E2FEB89414C343C1027C4D1C386BBC4"}],
        "Repositories": [{"UID": "urn:veeam:Repository:" + GUID.upper(), "Kind": "LinuxLocal",
                          "BackupServerUid": f"urn:veeam:BackupServer:{GUID}",
                          "Name": "Administrator", "Capacity": 5}],
        "RecordedAnswers": [{
            "Path": f"/custom/{GUID}", "BaseUrl": "https://10.1.2.3:9398",
            "Json": {"Status": 200, "ContentType": "application/json",
                     "Body": json.dumps({"Name": "vbr01.corp.local",
                                         "Href": f"https://10.1.2.3:9398/api/x/{GUID}"})},
            "Xml": {"Status": 200, "ContentType": "application/xml",
                    "Body": f'<X Name="vbr01.corp.local" Href="https://10.1.2.3:9398/api/x/{GUID}"/>'},
        }],
    }
    out = anonymize(doc)
    text = json.dumps(out)
    for original in ("vbr01.corp.local", "Main", GUID, GUID.upper(), "10.1.2.3",
                     "7ED4D57B1E2FEB89414C343C1027C4D1C386BBC4", "Administrator"):
        assert original not in text, original
    server, repo = out["BackupServers"][0], out["Repositories"][0]
    assert repo["BackupServerUid"] == server["UID"]
    assert repo["Kind"] == "LinuxLocal" and repo["Capacity"] == 5
    assert server["Port"] == 9392 and server["Version"] == "12.3.2.4465"
    assert out["Anchor"] == doc["Anchor"]
    new_guid = server["UID"].rsplit(":", 1)[1]
    assert repo["UID"] == "urn:veeam:Repository:" + new_guid.upper()
    answer = out["RecordedAnswers"][0]
    assert answer["Path"] == f"/custom/{new_guid}"
    host = answer["BaseUrl"]
    body = json.loads(answer["Json"]["Body"])
    assert body == {"Name": server["Name"], "Href": f"{host}/api/x/{new_guid}"}
    assert f'Name="{server["Name"]}"' in answer["Xml"]["Body"]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(string.ascii_letters + string.digits + " .-_\\/@", min_size=4,
                        max_size=20), min_size=1, max_size=5, unique=True))
def test_no_name_survives_and_equal_names_stay_equal(names):
    doc = {"Things": [{"Name": n, "Description": n, "Kind": "Same"} for n in names]}
    out = anonymize(doc)["Things"]
    for item, name in zip(out, names, strict=True):
        assert item["Name"] == item["Description"]
        assert name not in (item["Name"],)
        assert item["Kind"] == "Same"
    assert len({i["Name"] for i in out}) == len(names)


def test_an_anonymizer_with_another_secret_gives_other_guids():
    assert Anonymizer("a").guid(GUID) != Anonymizer("b").guid(GUID)


def test_the_state_keeps_final_answers_and_the_first_run_facts(tmp_path):
    state = State(tmp_path / "s")
    assert state.get("query?type=Job", "application/json") is None
    state.put("query?type=Job", "application/json", Answer(200, "application/json", b"{}\n"))
    state.save_meta({"from": "http://x:1", "anchor": 5})
    again = State(tmp_path / "s")
    assert again.get("query?type=Job", "application/json") == Answer(200, "application/json",
                                                                      b"{}\n")
    assert again.get("query?type=Job", "application/xml") is None
    assert again.meta() == {"from": "http://x:1", "anchor": 5} and again.count() == 1
    again.remove()
    assert not (tmp_path / "s").exists()


def test_the_walk_records_only_what_is_not_modelled():
    base = "https://em.example:9398"
    answers = {
        "": {"Links": [{"Rel": "Down", "Href": f"{base}/api/things", "Type": "ThingList"},
                       {"Rel": "Down", "Href": f"{base}/api/logonSessions", "Type": "X"},
                       {"Rel": "Down", "Href": "https://other:1/api/far", "Type": "X"}]},
        "/things": {"Things": [{"Links": [{"Rel": "Down", "Href": f"{base}/api/things/1/new"},
                                          {"Rel": "Up", "Href": f"{base}/api/up"}]}]},
    }

    def fetch(path: str, accept: str) -> Answer:
        return Answer(200, "application/json", json.dumps(answers.get(path, {})).encode())

    walk = Walk(fetch, base_url=base)
    found = discover(walk, [{"Rel": "Down", "Href": f"{base}/api/unmodelled?x=1",
                             "Type": "Z"}], extra=["by/hand"],
                     modelled=lambda p: p.split("?")[0] in ("/things", "/"))
    assert found == ["/things/1/new", "/unmodelled?x=1", "/by/hand"]


def test_a_query_walks_every_page_the_server_counts_even_short_ones():
    asked = []

    def fetch(path: str, accept: str) -> Answer:
        asked.append(path)
        page = int(path.rsplit("page=", 1)[1].split("&")[0])
        rows = [{"UID": f"u{page}{i}"} for i in range(2)] if page <= 3 else []
        body = {"Entities": {"Jobs": {"Jobs": rows}}, "PagingInfo": {"PagesCount": 3}}
        return Answer(200, "application/json", json.dumps(body).encode())

    found = Walk(fetch, page_size=5).query("Job")
    assert [r["UID"] for r in found] == ["u10", "u11", "u20", "u21", "u30", "u31"]
    assert len(asked) == 3
