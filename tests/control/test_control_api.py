"""The /mock control API in process: health, reset, seed, state, data, clock."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from tests.conftest import EPOCH
from tests.control.support import (
    EPOCH_DT,
    XML_BODY,
    XML_SPEC,
    at,
    guid,
    idle_plans,
    iso,
    move_clock,
    parse,
    snapshot,
    state,
)
from tests.helpers import JSON, Q, error_of, logon, xml

DEFAULT_COUNTS = {"backupServers": 3, "failoverPlans": 12, "failoverSessions": 500}
SPARE_SERVER = "urn:veeam:BackupServer:99999999-8888-4777-8666-555555555555"


def _counts(body: dict) -> dict[str, int]:
    return {k: body[k] for k in DEFAULT_COUNTS}


def _first_session(client) -> str:
    return guid(state(client)["CloudFailoverSessions"][0]["UID"])


def _ref_uids(client, auth, url: str) -> list[str]:
    response = client.get(url, headers={**auth, **JSON})
    assert response.status_code == 200, response.text
    return [r["UID"] for r in response.json()["Refs"]]


def _query_count(client, auth, qtype: str) -> int:
    response = client.get(f"/api/query?type={qtype}&pageSize=10000", headers={**auth, **JSON})
    assert response.status_code == 200, response.text
    return len(response.json()["Refs"]["Refs"])


# --- health and readiness ------------------------------------------------------------------


def test_health_is_ok(client):
    response = client.get("/mock/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_reports_the_data_set_and_the_clock(client):
    response = client.get("/mock/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is True
    assert _counts(body) == DEFAULT_COUNTS
    assert body["clock"] == EPOCH


# --- reset ---------------------------------------------------------------------------------


def test_reset_restores_byte_identical_answers_and_forgets_everything(client, auth):
    plan = idle_plans(client)[0]
    session_id = _first_session(client)
    before = snapshot(client, auth, session_id)
    clock_before = client.get("/mock/clock").json()

    # Change everything there is to change.
    created = client.post("/mock/data/backupServers", json={"UID": SPARE_SERVER,
                                                           "Name": "vbr99.example.local"})
    assert created.status_code == 201
    assert client.delete(f"/mock/data/failoverSessions/{session_id}").status_code == 204
    edited = client.put(f"/mock/data/failoverPlans/{guid(plan['UID'])}",
                        json={**plan, "Description": "edited", "Outcome": "Failed"})
    assert edited.status_code == 200
    started = client.post(f"/api/cloud/cloudFailoverPlans/{guid(plan['UID'])}?action=start",
                          headers={**auth, **XML_BODY}, content=XML_SPEC)
    assert started.status_code == 202
    move_clock(client, action="resume")
    move_clock(client, action="advance", seconds=45)
    rule = client.post("/mock/faults", json={"action": "error", "path": "/api/query*",
                                             "status": 503})
    assert rule.status_code == 201
    assert client.get("/api/query?type=BackupServer", headers=auth).status_code == 503
    assert client.get(f"/api/cloud/failoverSessions/{session_id}",
                      headers=auth).status_code == 404
    assert client.get("/mock/requests").json()
    assert client.get("/mock/clock").json()["frozen"] is False

    response = client.post("/mock/reset")
    assert response.status_code == 200
    assert _counts(response.json()) == DEFAULT_COUNTS

    assert client.get("/mock/faults").json() == []
    assert client.get("/mock/requests").json() == []
    assert client.get("/mock/clock").json() == clock_before
    assert client.get("/mock/clock").json()["now"] == EPOCH

    old = client.get("/api/logonSessions", headers=auth)
    assert old.status_code == 401
    assert error_of(old)["StatusCode"] == 401

    fresh = {"X-RestSvcSessionId": logon(client)}
    assert snapshot(client, fresh, session_id) == before
    assert client.get("/api/tasks/task-1", headers=fresh).status_code == 404


# --- seed ----------------------------------------------------------------------------------


def test_seed_regenerates_with_the_given_seed_and_sizes(client, auth):
    spec = {"seed": 7, "backupServers": 2, "failoverPlans": 4, "sessions": 50}
    response = client.post("/mock/seed", json=spec)
    assert response.status_code == 200
    expected = {"backupServers": 2, "failoverPlans": 4, "failoverSessions": 50}
    assert _counts(response.json()) == expected
    assert _counts(client.get("/mock/ready").json()) == expected

    assert len(_ref_uids(client, auth, "/api/backupServers")) == 2
    assert len(_ref_uids(client, auth, "/api/cloud/cloudFailoverPlans")) == 4
    assert _query_count(client, auth, "CloudFailoverSession") == 50
    assert _query_count(client, auth, "BackupServer") == 2
    assert _query_count(client, auth, "CloudFailoverPlan") == 4

    url = "/api/query?type=CloudFailoverSession&format=Entities&pageSize=50"
    first = client.get(url, headers=auth).content
    assert client.post("/mock/seed", json=spec).status_code == 200
    assert client.get(url, headers=auth).content == first
    assert client.post("/mock/seed", json={**spec, "seed": 8}).status_code == 200
    assert client.get(url, headers=auth).content != first


def test_seed_defaults_and_bad_sizes(client, auth):
    response = client.post("/mock/seed", json={"seed": 3})
    assert response.status_code == 200
    assert _counts(response.json()) == DEFAULT_COUNTS
    url = "/api/query?type=CloudFailoverSession&format=Entities&pageSize=20"
    seeded = client.get(url, headers=auth).content
    for bad in ({"sessions": -1}, {"backupServers": "many"}, {"seed": "x"},
                {"failoverPlans": 10**6}):
        refused = client.post("/mock/seed", json=bad)
        assert refused.status_code == 400, bad
        assert refused.json()["errors"]
    assert client.get(url, headers=auth).content == seeded


# --- state ---------------------------------------------------------------------------------


def test_state_is_the_fixture_document(client):
    doc = state(client)
    assert doc["Format"] == "em-mock-fixture/1"
    assert parse(doc["Anchor"]) == EPOCH_DT
    assert len(doc["BackupServers"]) == 3
    assert len(doc["CloudTenants"]) == 13  # a tenant per plan, and the vCD tenant
    assert len(doc["CloudFailoverPlans"]) == 12
    assert len(doc["CloudFailoverSessions"]) == 500


def test_put_of_the_same_state_leaves_every_answer_byte_identical(client, auth):
    session_id = _first_session(client)
    before = snapshot(client, auth, session_id)
    doc = state(client)
    response = client.put("/mock/state", json=doc)
    assert response.status_code == 200, response.text
    assert _counts(response.json()) == DEFAULT_COUNTS
    assert state(client) == doc
    assert snapshot(client, auth, session_id) == before


def test_put_of_an_invalid_state_names_every_reason_and_changes_nothing(client, auth):
    session_id = _first_session(client)
    before = snapshot(client, auth, session_id)
    doc = state(client)
    plan = doc["CloudFailoverPlans"][0]
    sessions = [s for s in doc["CloudFailoverSessions"]
                if s["CloudFailoverPlanUid"] == plan["UID"]][:2]
    bad = copy.deepcopy({
        "Format": doc["Format"], "Anchor": doc["Anchor"],
        "BackupServers": [s for s in doc["BackupServers"] if s["UID"] == plan["BackupServerUid"]],
        "CloudTenants": [t for t in doc["CloudTenants"] if t["UID"] == plan["TenantUid"]],
        "CloudFailoverPlans": [plan], "CloudFailoverSessions": sessions, "Extra": []})
    bad["CloudFailoverSessions"][0]["State"] = "Exploded"
    bad["CloudFailoverSessions"][1]["CloudFailoverPlanUid"] = \
        "urn:veeam:CloudFailoverPlan:00000000-0000-4000-8000-000000000001"
    bad["BackupServers"][0]["Port"] = "nine"
    response = client.put("/mock/state", json=bad)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert len(errors) >= 4
    text = "\n".join(errors)
    assert "CloudFailoverSessions[0].State" in text and "Exploded" in text
    assert "CloudFailoverSessions[1].CloudFailoverPlanUid" in text
    assert "BackupServers[0].Port" in text
    assert "Extra" in text
    assert state(client) == doc
    assert snapshot(client, auth, session_id) == before


@pytest.mark.parametrize("body", [b"[1, 2]", b"not json", b"\"text\""])
def test_put_of_a_state_that_is_not_an_object_is_400(steady, body):
    client, _ = steady
    response = client.put("/mock/state", content=body,
                          headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert _counts(client.get("/mock/ready").json()) == DEFAULT_COUNTS


# --- data ----------------------------------------------------------------------------------


def test_added_item_without_a_uid_gets_a_fresh_one(client, auth):
    before = _ref_uids(client, auth, "/api/backupServers")
    server = client.post("/mock/data/backupServers", json={"Name": "vbr99.example.local"})
    assert server.status_code == 201, server.text
    uid = server.json()["UID"]
    assert uid.startswith("urn:veeam:BackupServer:")
    assert uid not in before
    assert _ref_uids(client, auth, "/api/backupServers") == [*before, uid]
    tenant = client.post("/mock/data/tenants", json={"Name": "Tenant99"})
    assert tenant.status_code == 201, tenant.text
    assert tenant.json()["UID"] not in {t["UID"] for t in state(client)["CloudTenants"][:-1]}


def test_added_backup_server_tenant_and_plan_are_served_at_once(client, auth):
    server = client.post("/mock/data/backupServers", json={
        "UID": SPARE_SERVER, "Name": "vbr99.example.local", "Description": "added"})
    assert server.status_code == 201
    assert server.json()["UID"] == SPARE_SERVER
    assert SPARE_SERVER in _ref_uids(client, auth, "/api/backupServers")
    entity = client.get(f"/api/backupServers/{guid(SPARE_SERVER)}?format=Entity",
                        headers={**auth, **JSON}).json()
    assert entity["Name"] == "vbr99.example.local"
    assert entity["Description"] == "added"
    assert entity["Port"] == 9392

    tenant_uid = "urn:veeam:CloudTenant:11111111-2222-4333-8444-555555555555"
    tenant = client.post("/mock/data/tenants", json={"UID": tenant_uid, "Name": "Tenant99"})
    assert tenant.status_code == 201
    assert tenant.json() == {"UID": tenant_uid, "Name": "Tenant99"}

    plan_uid = "urn:veeam:CloudFailoverPlan:11111111-2222-4333-8444-666666666666"
    plan = client.post("/mock/data/failoverPlans", json={
        "UID": plan_uid, "Name": "Tenant99 Failover Plan", "TenantUid": tenant_uid,
        "BackupServerUid": SPARE_SERVER, "Description": "new plan"})
    assert plan.status_code == 201
    body = client.get(f"/api/cloud/cloudFailoverPlans/{guid(plan_uid)}?format=Entity",
                      headers={**auth, **JSON}).json()
    assert body["Name"] == "Tenant99 Failover Plan"
    assert body["TenantName"] == "Tenant99"
    assert body["Links"][0]["Name"] == "vbr99.example.local"
    assert _counts(client.get("/mock/ready").json()) == {
        "backupServers": 4, "failoverPlans": 13, "failoverSessions": 500}


def test_added_failover_session_is_served_at_once(client, auth):
    plan = state(client)["CloudFailoverPlans"][0]
    uid = "urn:veeam:CloudFailoverSession:aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
    item = {"UID": uid, "CloudFailoverPlanUid": plan["UID"],
            "CreationTimeUTC": at(-3600), "EndTimeUTC": at(-3000), "State": "Stopped",
            "Result": "Failed", "Progress": 100, "FailureMessage": "Added by a test"}
    response = client.post("/mock/data/failoverSessions", json=item)
    assert response.status_code == 201
    body = client.get(f"/api/cloud/failoverSessions/{guid(uid)}?format=Entity",
                      headers={**auth, **JSON}).json()
    assert (body["Name"], body["Result"], body["FailureMessage"]) == \
        (plan["Name"], "Failed", "Added by a test")
    assert parse(body["CreationTimeUTC"]) == EPOCH_DT - timedelta(hours=1)
    found = client.get("/api/query", params={
        "type": "CloudFailoverSession", "filter": 'FailureMessage=="Added by a test"'},
        headers={**auth, **JSON}).json()
    assert [r["UID"] for r in found["Refs"]["Refs"]] == [uid]
    assert uid in _ref_uids(client, auth, "/api/cloud/failoverSessions")
    assert _query_count(client, auth, "CloudFailoverSession") == 501


def test_replaced_plan_is_served_at_once(client, auth):
    plan = state(client)["CloudFailoverPlans"][1]
    response = client.put(f"/mock/data/failoverPlans/{guid(plan['UID'])}",
                          json={**plan, "Name": "Renamed Plan", "Description": "changed"})
    assert response.status_code == 200
    body = client.get(f"/api/cloud/cloudFailoverPlans/{guid(plan['UID'])}?format=Entity",
                      headers={**auth, **JSON}).json()
    assert (body["Name"], body["Description"]) == ("Renamed Plan", "changed")
    found = client.get("/api/query", params={
        "type": "CloudFailoverSession", "filter": 'Name=="Renamed Plan"', "pageSize": "1"},
        headers={**auth, **JSON}).json()
    assert found["Refs"]["Refs"][0]["Name"] == "Renamed Plan"


def test_delete_of_an_unused_item_removes_it_at_once(client, auth):
    added = client.post("/mock/data/backupServers", json={"UID": SPARE_SERVER, "Name": "spare"})
    assert added.status_code == 201
    session_id = _first_session(client)
    assert client.delete(f"/mock/data/backupServers/{guid(SPARE_SERVER)}").status_code == 204
    assert client.get(f"/api/backupServers/{guid(SPARE_SERVER)}",
                      headers=auth).status_code == 404
    assert client.delete(f"/mock/data/failoverSessions/{session_id}").status_code == 204
    response = client.get(f"/api/cloud/failoverSessions/{session_id}", headers={**auth, **JSON})
    assert response.status_code == 404
    assert error_of(response)["StatusCode"] == 404
    assert _query_count(client, auth, "CloudFailoverSession") == 499
    assert client.delete(f"/mock/data/failoverSessions/{session_id}").status_code == 404


def test_data_changes_are_validated_like_fixture_files(client, auth):
    before = state(client)
    plan = before["CloudFailoverPlans"][0]
    unknown_plan = "urn:veeam:CloudFailoverPlan:00000000-0000-4000-8000-000000000009"
    session = {"CloudFailoverPlanUid": unknown_plan, "CreationTimeUTC": at(-60),
               "EndTimeUTC": at(-30), "State": "Stopped", "Result": "Success"}
    refused = client.post("/mock/data/failoverSessions", json=session)
    assert refused.status_code == 400
    assert any("CloudFailoverPlanUid" in e and "00000000-0000-4000-8000-000000000009" in e
               for e in refused.json()["errors"])

    bad_enum = {**session, "CloudFailoverPlanUid": plan["UID"], "Result": "Splendid"}
    refused = client.post("/mock/data/failoverSessions", json=bad_enum)
    assert refused.status_code == 400
    assert any("Result" in e and "Splendid" in e for e in refused.json()["errors"])

    plan_id = guid(plan["UID"])
    refused = client.put(f"/mock/data/failoverPlans/{plan_id}", json={**plan, "Outcome": "Maybe"})
    assert refused.status_code == 400
    assert any("Outcome" in e for e in refused.json()["errors"])

    in_use = plan["BackupServerUid"]
    refused = client.delete(f"/mock/data/backupServers/{guid(in_use)}")
    assert refused.status_code == 400
    assert any("BackupServerUid" in e and guid(in_use) in e for e in refused.json()["errors"])

    other = before["CloudFailoverPlans"][1]["UID"]
    refused = client.put(f"/mock/data/failoverPlans/{plan_id}", json={**plan, "UID": other})
    assert refused.status_code == 400

    assert state(client) == before
    assert client.get(f"/api/backupServers/{guid(in_use)}", headers=auth).status_code == 200


def test_items_are_addressed_by_urn_or_bare_guid(client, auth):
    plan = state(client)["CloudFailoverPlans"][1]
    by_urn = client.put(f"/mock/data/failoverPlans/{plan['UID']}",
                        json={**plan, "Description": "by URN"})
    assert by_urn.status_code == 200, by_urn.text
    by_guid = client.put(f"/mock/data/failoverPlans/{guid(plan['UID']).upper()}",
                         json={**plan, "Description": "by GUID"})
    assert by_guid.status_code == 200, by_guid.text
    body = client.get(f"/api/cloud/cloudFailoverPlans/{guid(plan['UID'])}?format=Entity",
                      headers={**auth, **JSON}).json()
    assert body["Description"] == "by GUID"
    assert client.post("/mock/data/backupServers",
                       json={"UID": SPARE_SERVER, "Name": "spare"}).status_code == 201
    assert client.delete(f"/mock/data/backupServers/{SPARE_SERVER}").status_code == 204
    assert client.get(f"/api/backupServers/{guid(SPARE_SERVER)}", headers=auth).status_code == 404


def test_data_on_unknown_items_or_collections(client):
    missing = "00000000-0000-4000-8000-00000000abcd"
    assert client.delete(f"/mock/data/tenants/{missing}").status_code == 404
    assert client.put(f"/mock/data/tenants/{missing}", json={"Name": "x"}).status_code == 404
    assert client.post("/mock/data/widgets", json={"Name": "x"}).status_code in (400, 404)
    assert client.post("/mock/data/tenants", content=b"[]",
                       headers={"Content-Type": "application/json"}).status_code == 400


# --- clock ---------------------------------------------------------------------------------


def test_clock_reports_now_start_and_frozen(client):
    assert client.get("/mock/clock").json() == {"now": EPOCH, "frozen": True, "start": EPOCH}


def test_clock_actions(client):
    assert move_clock(client, action="advance", seconds=90)["now"] == "2026-06-15T12:01:30.000Z"
    assert parse(move_clock(client, action="advance", seconds=0.25)["now"]) == \
        EPOCH_DT + timedelta(seconds=90.25)
    assert parse(move_clock(client, action="advance", seconds=-30.25)["now"]) == \
        EPOCH_DT + timedelta(seconds=60)
    moved = move_clock(client, action="set", instant="2026-07-01T08:30:00Z")
    assert moved == {"now": "2026-07-01T08:30:00.000Z", "frozen": True, "start": EPOCH}
    resumed = move_clock(client, action="resume")
    assert resumed["frozen"] is False
    assert parse(resumed["now"]) >= parse("2026-07-01T08:30:00Z")
    frozen = move_clock(client, action="freeze")
    assert frozen["frozen"] is True
    assert client.get("/mock/clock").json()["now"] == frozen["now"]


@pytest.mark.parametrize("body", [
    {}, {"action": "warp"}, {"action": "advance"}, {"action": "advance", "seconds": "soon"},
    {"action": "set"}, {"action": "set", "instant": "yesterday"},
    {"action": "set", "instant": 12}, {"action": "advance", "seconds": 1e12},
])
def test_bad_clock_changes_are_400_and_move_nothing(steady, body):
    client, _ = steady
    response = client.post("/mock/clock", json=body)
    assert response.status_code == 400
    assert response.json()["error"]
    assert client.get("/mock/clock").json()["now"] == EPOCH


def test_clock_body_that_is_not_json_is_400(steady):
    client, _ = steady
    response = client.post("/mock/clock", content=b"advance 5",
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert client.get("/mock/clock").json()["now"] == EPOCH


def test_logon_session_expires_exactly_at_the_timeout(client):
    kept = {"X-RestSvcSessionId": logon(client)}
    ended = {"X-RestSvcSessionId": logon(client)}
    move_clock(client, action="advance", seconds=899.999)
    # One millisecond before the timeout: still valid, and the request renews it.
    assert client.get("/api/logonSessions", headers=kept).status_code == 200
    move_clock(client, action="advance", seconds=0.001)
    # Exactly 900 s after the logon, with no request in between: ended.
    response = client.get("/api/logonSessions", headers={**ended, **JSON})
    assert response.status_code == 401
    assert error_of(response)["StatusCode"] == 401
    # The renewed session counts from its last request (0.001 s ago).
    move_clock(client, action="advance", seconds=899.998)
    assert client.get("/api/logonSessions", headers=kept).status_code == 200
    move_clock(client, action="advance", seconds=900)
    assert client.get("/api/logonSessions", headers=kept).status_code == 401


def test_failover_session_window_follows_the_clock(client):
    sessions = state(client)["CloudFailoverSessions"]
    target = sessions[0]
    created = parse(target["CreationTimeUTC"])

    def listed_at(moment) -> list[str]:
        move_clock(client, action="set", instant=iso(moment))
        fresh = {"X-RestSvcSessionId": logon(client)}
        return _ref_uids(client, fresh, "/api/cloud/failoverSessions")

    edge = created + timedelta(days=30)
    assert target["UID"] in listed_at(edge)
    assert target["UID"] not in listed_at(edge + timedelta(milliseconds=1))
    assert target["UID"] in listed_at(created)

    now = listed_at(EPOCH_DT)
    cut = EPOCH_DT - timedelta(days=30)
    expected = [s["UID"] for s in sessions if parse(s["CreationTimeUTC"]) >= cut]
    assert now == expected
    later = listed_at(EPOCH_DT + timedelta(days=10))
    assert set(later) < set(now)
    assert later == [s["UID"] for s in sessions
                     if parse(s["CreationTimeUTC"]) >= cut + timedelta(days=10)]


def test_query_has_no_window_whatever_the_clock(client):
    move_clock(client, action="advance", seconds=90 * 86_400)
    fresh = {"X-RestSvcSessionId": logon(client)}
    assert _ref_uids(client, fresh, "/api/cloud/failoverSessions") == []
    assert _query_count(client, fresh, "CloudFailoverSession") == 500
    root = xml(client.get("/api/cloud/failoverSessions", headers=fresh).content)
    assert root.tag == Q + "EntityReferences" and len(root) == 0


def test_every_answer_is_dated_by_the_mock_clock(client):
    """``Date`` follows the mock's clock (a capture reads the data's "now" from it), on the
    entry point's fast path, the API and the control API alike."""
    for path in ("/api/", "/api/", "/api/logonSessions", "/mock/clock"):
        assert client.get(path).headers["date"] == "Mon, 15 Jun 2026 12:00:00 GMT", path
    client.post("/mock/clock", json={"action": "advance", "seconds": 86_400})
    assert client.get("/api/").headers["date"] == "Tue, 16 Jun 2026 12:00:00 GMT"
    assert len(client.get("/api/").headers.get_list("date")) == 1
