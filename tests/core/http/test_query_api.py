"""The query service as a client sees it: documents, errors and paging over HTTP."""

from __future__ import annotations

import json
import math
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from em_mock.core.registry import QUERY_TYPES
from em_mock.families.cloud.model import SESSIONS
from tests.helpers import JSON, SAMPLES, Q, error_of, xml

SEED = ("/api/query?type=CloudFailoverSession&format=Entities&sortDesc=CreationTime"
        "&filter=Result==failed")


def _failed(runtime):
    return [s for s in SESSIONS.rows(runtime.store) if s.result == "Failed"]


def test_seed_example_in_json_has_the_documented_structure(client, auth, runtime):
    body = client.get(SEED, headers={**auth, **JSON}).json()
    assert list(body) == ["Refs", "Entities", "Resources", "Links", "PagingInfo"]
    assert body["Refs"] is None and body["Resources"] is None and body["Links"] is None
    sample = json.loads((SAMPLES / "backup_jobs_sessions_metrics_v12.json").read_text())
    assert list(body["Entities"]) == list(sample["Entities"])
    assert [k for k, v in body["Entities"].items() if v is not None] == ["CloudFailoverSessions"]
    items = body["Entities"]["CloudFailoverSessions"]["CloudFailoverSessions"]
    failed = _failed(runtime)
    assert len(items) == min(100, len(failed))
    assert all(i["Result"] == "Failed" and i["FailureMessage"] for i in items)
    times = [i["CreationTimeUTC"] for i in items]
    assert times == sorted(times, reverse=True)
    first = items[0]
    assert list(first) == [
        "CloudFailoverTasks", "JobUid", "JobName", "JobType", "CreationTimeUTC", "EndTimeUTC",
        "State", "Result", "Progress", "FailureMessage", "Name", "UID", "Links", "Href", "Type"]
    assert first["Type"] == "CloudFailoverSession" and first["JobType"] == "FailoverPlan"
    assert first["Href"].endswith("?format=Entity")
    guid = first["UID"].split(":")[3]
    assert first["Href"] == f"http://testserver/api/cloud/failoverSessions/{guid}?format=Entity"
    assert [(lk["Rel"], lk["Type"]) for lk in first["Links"]] == [
        ("Up", "BackupServerReference"), ("Alternate", "CloudFailoverSessionReference")]
    task = first["CloudFailoverTasks"]["CloudFailoverTasks"][0]
    assert list(task) == ["VmReplicaPointLink", "CreationTimeUTC", "EndTimeUTC", "State",
                          "Result", "Progress", "FailureMessage", "VmName"]
    assert task["VmReplicaPointLink"]["Type"] == "CloudVmReplicaPointReference"
    assert task["VmReplicaPointLink"]["Name"].startswith(task["VmName"] + "@")
    paging = body["PagingInfo"]
    assert list(paging) == ["Links", "PageNum", "PageSize", "PagesCount"]
    assert (paging["PageNum"], paging["PageSize"]) == (1, 100)
    assert paging["PagesCount"] == math.ceil(len(failed) / 100)


def test_seed_example_in_xml_has_the_documented_structure(client, auth, runtime):
    response = client.get(SEED, headers=auth)
    assert response.headers["content-type"].startswith("application/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = xml(response.content)
    assert root.tag == Q + "QueryResult"
    assert [c.tag for c in root] == [Q + "Entities", Q + "PagingInfo"]
    sessions = root.find(Q + "Entities").find(Q + "CloudFailoverSessions")
    items = sessions.findall(Q + "CloudFailoverSession")
    assert len(items) == min(100, len(_failed(runtime)))
    first = items[0]
    assert first.get("Type") == "CloudFailoverSession"
    assert [c.tag.removeprefix(Q) for c in first] == [
        "Links", "JobType", "CreationTimeUTC", "EndTimeUTC", "State", "Result", "Progress",
        "FailureMessage", "CloudFailoverTasks"]
    tasks = first.find(Q + "CloudFailoverTasks").findall(Q + "CloudFailoverTasks")
    assert tasks and tasks[0].get("VmName")
    assert tasks[0][0].tag == Q + "VmReplicaPointLink"
    paging = root.find(Q + "PagingInfo")
    rels = [lk.get("Rel") for lk in paging.find(Q + "Links")]
    assert rels[0] == "First" and rels[-1] == "Last"


def test_running_session_has_no_end_time_in_xml_and_null_in_json(client, auth):
    url = "/api/query?type=CloudFailoverSession&format=Entities&filter=State!=Stopped"
    items = client.get(url, headers={**auth, **JSON}).json()["Entities"][
        "CloudFailoverSessions"]["CloudFailoverSessions"]
    assert items and all(i["EndTimeUTC"] is None and i["Result"] == "None" for i in items)
    root = xml(client.get(url, headers=auth).content)
    for item in root.iter(Q + "CloudFailoverSession"):
        assert item.find(Q + "EndTimeUTC") is None


def test_references_are_the_default_format(client, auth):
    body = client.get("/api/query?type=cloudfailoversession&pageSize=3",
                      headers={**auth, **JSON}).json()
    assert body["Entities"] is None
    refs = body["Refs"]["Refs"]
    assert len(refs) == 3
    assert list(refs[0]) == ["Links", "UID", "Name", "Href", "Type"]
    assert refs[0]["Type"] == "CloudFailoverSessionReference"
    assert refs[0]["Links"][1]["Rel"] == "Alternate"
    assert refs[0]["Links"][1]["Href"].endswith("?format=Entity")


def test_paging_links_echo_the_clients_parameters_and_append_paging(client, auth):
    url = ("/api/query?type=CloudFailoverSession&format=entities&v=latest"
           "&filter=CreationTime%3E%3D%222026-05-01%22&type=Ignored&Unknown=1")
    paging = client.get(url, headers={**auth, **JSON}).json()["PagingInfo"]
    first = paging["Links"][0]["Href"]
    assert first == (
        "http://testserver/api/query?type=CloudFailoverSession&format=entities"
        "&filter=CreationTime%3e%3d%222026-05-01%22&Unknown=1&pageSize=100&page=1")


def test_paging_links_replace_page_parameters_in_place(client, auth):
    url = "/api/query?type=CloudFailoverSession&pageSize=7&page=2&sortAsc=name"
    links = client.get(url, headers={**auth, **JSON}).json()["PagingInfo"]["Links"]
    by_rel = {lk["Rel"]: lk["Href"] for lk in links}
    assert list(by_rel) == ["First", "Previous", "Next", "Last"]
    assert by_rel["Previous"].endswith("?type=CloudFailoverSession&pageSize=7&page=1&sortAsc=name")
    assert by_rel["Next"].endswith("&pageSize=7&page=3&sortAsc=name")


def test_empty_result_has_zero_pages_and_links_to_page_one(client, auth):
    url = "/api/query?type=CloudFailoverSession&filter=Name==nothing-like-this"
    paging = client.get(url, headers={**auth, **JSON}).json()["PagingInfo"]
    assert paging["PagesCount"] == 0
    assert [lk["Rel"] for lk in paging["Links"]] == ["First", "Last"]
    assert all(lk["Href"].endswith("page=1") for lk in paging["Links"])


def test_page_past_the_last_is_empty_with_paging_info(client, auth):
    body = client.get("/api/query?type=CloudFailoverSession&page=99&pageSize=100",
                      headers={**auth, **JSON}).json()
    assert body["Refs"]["Refs"] == []
    assert body["PagingInfo"]["PageNum"] == 99


def _follow_all(client, auth, first_url):
    seen, pages = [], 0
    url = first_url
    while url:
        body = client.get(url, headers={**auth, **JSON}).json()
        pages += 1
        seen.extend(r["UID"] for r in body["Refs"]["Refs"])
        nxt = [lk["Href"] for lk in body["PagingInfo"]["Links"] if lk["Rel"] == "Next"]
        url = nxt[0].removeprefix("http://testserver") if nxt else None
    return seen, pages, body["PagingInfo"]["PagesCount"]


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(page_size=st.integers(min_value=1, max_value=140),
       sort=st.sampled_from(["", "&sortAsc=CreationTime", "&sortDesc=Name", "&sortDesc=EndTime"]))
def test_following_next_visits_every_match_exactly_once(client, auth, runtime, page_size, sort):
    expected = {f"urn:veeam:CloudFailoverSession:{s.id}" for s in SESSIONS.rows(runtime.store)
                if s.result in ("Warning", "Failed")}
    url = (f"/api/query?type=CloudFailoverSession&filter=Result==Warning,Result==Failed"
           f"{sort}&pageSize={page_size}")
    seen, pages, pages_count = _follow_all(client, auth, url)
    assert len(seen) == len(set(seen)) and set(seen) == expected
    assert pages == pages_count == math.ceil(len(expected) / page_size)


@pytest.mark.parametrize(("query", "words"), [
    ("", ["type", "required"]),
    ("type=Nope", ["Nope", "CloudFailoverSession"]),
    ("type=CloudFailoverSession&format=Everything", ["format"]),
    ("type=CloudFailoverSession&sortAsc=Colour", ["sortAsc", "Colour"]),
    ("type=CloudFailoverSession&sortDesc=Nope", ["sortDesc", "Nope"]),
    ("type=CloudFailoverSession&sortAsc=Name&sortDesc=Name", ["sortAsc", "sortDesc"]),
    ("type=CloudFailoverSession&pageSize=0", ["pageSize"]),
    ("type=CloudFailoverSession&pageSize=abc", ["pageSize"]),
    ("type=CloudFailoverSession&pageSize=10001", ["pageSize", "10000"]),
    ("type=CloudFailoverSession&page=-1", ["page"]),
    ("type=CloudFailoverSession&filter=Colour==red", ["filter", "Colour", "position 1"]),
    ("type=CloudFailoverSession&filter=Result==Maybe", ["Maybe", "position 9"]),
    ("type=CloudFailoverSession&filter=(State==Working", ["position"]),
    ("type=CloudFailoverSession&filter=State==Working)", ["position 15"]),
    ("type=CloudFailoverSession&filter=State", ["operator"]),
    ("type=CloudFailoverSession&filter=State==", ["value"]),
    ("type=CloudFailoverSession&filter=CreationTime>yesterday", ["yesterday"]),
    ("type=CloudFailoverSession&filter=State==Working xyz", ["xyz"]),
])
@pytest.mark.parametrize("accept", [{}, JSON])
def test_bad_queries_get_400_naming_the_problem(client, auth, query, words, accept):
    response = client.get(f"/api/query?{query}", headers={**auth, **accept})
    assert response.status_code == 400
    error = error_of(response)
    assert error["StatusCode"] == 400
    for word in words:
        assert word in error["Message"]


def test_query_needs_a_session(client):
    response = client.get("/api/query?type=CloudFailoverSession")
    assert response.status_code == 401


def test_deeply_nested_filter_gets_400(client, auth):
    deep = "(" * 150 + "State==Working" + ")" * 150
    response = client.get("/api/query", params={"type": "CloudFailoverSession", "filter": deep},
                          headers=auth)
    assert response.status_code == 400
    assert "nested deeper than 100" in error_of(response)["Message"]


def test_spec_filter_examples_work(client, auth, runtime):
    rows = SESSIONS.rows(runtime.store)
    server = rows[0].plan.backup_server.name
    cases = {
        "State==Working,State==Starting": lambda s: s.state in ("Working", "Starting"),
        f'BackupServerName=="{server}";(Result==Warning,Result==Failed)':
            lambda s: s.plan.backup_server.name == server and s.result in ("Warning", "Failed"),
        "Result>Success": lambda s: s.result in ("Warning", "Failed"),
        'CreationTime>="2026-06-01T00:00:00.000Z";CreationTime<"2026-06-10"':
            lambda s: 1780272000000 <= s.creation_ms < 1781049600000,
        "Name==Tenant03 Failover Plan": lambda s: False,
        'Name=="Tenant03 Failover Plan"': lambda s: s.plan.name == "Tenant03 Failover Plan",
    }
    for text, predicate in cases.items():
        body = client.get("/api/query", params={"type": "CloudFailoverSession", "filter": text,
                                                "pageSize": 1000},
                          headers={**auth, **JSON}).json()
        got = {r["UID"].split(":")[3] for r in body["Refs"]["Refs"]}
        assert got == {s.id for s in rows if predicate(s)}, text


def test_filtering_on_a_value_the_client_was_shown_finds_the_item(client, auth):
    items = client.get("/api/query?type=CloudFailoverSession&format=Entities&pageSize=5",
                       headers={**auth, **JSON}).json()["Entities"]["CloudFailoverSessions"][
        "CloudFailoverSessions"]
    for item in items:
        text = f'CreationTime=="{item["CreationTimeUTC"]}";UID=={item["UID"]}'
        body = client.get("/api/query", params={"type": "CloudFailoverSession", "filter": text},
                          headers={**auth, **JSON}).json()
        assert [r["UID"] for r in body["Refs"]["Refs"]] == [item["UID"]]


def test_query_service_hub_links_every_query_type(client, auth):
    body = client.get("/api/querySvc", headers={**auth, **JSON}).json()
    downs = [lk for lk in body["Links"] if lk["Rel"] == "Down"]
    types = {dict(parse_qsl(urlsplit(lk["Href"]).query))["type"] for lk in downs}
    assert types == {t.name for t in QUERY_TYPES.values()}
    assert {"BackupServer", "CloudFailoverPlan", "CloudFailoverSession"} <= types
    for lk in downs:
        assert client.get(lk["Href"], headers=auth).status_code == 200
