"""Collections and items: backup servers, plans, failover sessions, replica points, hubs."""

from __future__ import annotations

import json

from em_mock.families.cloud.model import PLANS, REPLICA_POINTS, SESSIONS
from tests.conftest import EPOCH_MS
from tests.helpers import JSON, SAMPLES, Q, logon, xml

DAY_MS = 86_400_000


def test_failover_session_collection_lists_only_the_last_30_days(client, auth, runtime):
    refs = client.get("/api/cloud/failoverSessions", headers={**auth, **JSON}).json()["Refs"]
    recent = [s for s in SESSIONS.rows(runtime.store) if s.creation_ms >= EPOCH_MS - 30 * DAY_MS]
    older = [s for s in SESSIONS.rows(runtime.store) if s.creation_ms < EPOCH_MS - 30 * DAY_MS]
    assert recent and older
    assert [r["UID"].split(":")[3] for r in refs] == [s.id for s in recent]
    old = older[0].id
    assert client.get(f"/api/cloud/failoverSessions/{old}", headers=auth).status_code == 200


def test_window_follows_the_clock(client, auth, runtime):
    before = client.get("/api/cloud/failoverSessions", headers={**auth, **JSON}).json()["Refs"]
    runtime.clock.advance(10 * 86_400)
    fresh = {"X-RestSvcSessionId": logon(client), **JSON}
    after = client.get("/api/cloud/failoverSessions", headers=fresh).json()["Refs"]
    cut = EPOCH_MS + 10 * DAY_MS - 30 * DAY_MS
    assert len(after) == sum(s.creation_ms >= cut for s in SESSIONS.rows(runtime.store))
    assert len(after) < len(before)


def test_failover_session_entity_list_is_one_flat_array(client, auth):
    body = client.get("/api/cloud/failoverSessions?format=entity", headers={**auth, **JSON}).json()
    assert list(body) == ["CloudFailoverSessions"]
    assert body["CloudFailoverSessions"][0]["Type"] == "CloudFailoverSession"
    root = xml(client.get("/api/cloud/failoverSessions?format=Entity", headers=auth).content)
    assert root.tag == Q + "CloudFailoverSessions"
    assert root[0].tag == Q + "CloudFailoverSession"


def test_single_reference_and_entity(client, auth, runtime):
    session = SESSIONS.rows(runtime.store)[-1]
    ref = xml(client.get(f"/api/cloud/failoverSessions/{session.id}", headers=auth).content)
    assert ref.tag == Q + "EntityRef"
    assert ref.get("Type") == "CloudFailoverSessionReference"
    assert ref.get("UID") == f"urn:veeam:CloudFailoverSession:{session.id}"
    body = client.get(f"/api/cloud/failoverSessions/{session.id.upper()}?format=Entity",
                      headers={**auth, **JSON}).json()
    assert body["UID"] == f"urn:veeam:CloudFailoverSession:{session.id}"
    assert body["Name"] == session.plan.name
    assert body["Links"][0]["Name"] == session.plan.backup_server.name


def test_backup_server_entity_matches_the_captured_key_order(client, auth):
    sample = json.loads((SAMPLES / "backup_servers_metrics_v12.json").read_text())
    captured = sample["BackupServers"][0]
    body = client.get("/api/backupServers?format=Entity", headers={**auth, **JSON}).json()
    assert list(body) == ["BackupServers"]
    server = body["BackupServers"][0]
    assert list(server) == list(captured)
    assert server["Name"] == "vbr01.example.local" and server["Port"] == 9392
    assert server["Links"][0]["Rel"] == "Alternate"


def test_unknown_collection_format_is_400(client, auth):
    response = client.get("/api/backupServers?format=Banana", headers=auth)
    assert response.status_code == 400


def test_plan_entity_has_options_and_included_vms(client, auth, runtime):
    plan = PLANS.rows(runtime.store)[2]
    body = client.get(f"/api/cloud/cloudFailoverPlans/{plan.id}?format=Entity",
                      headers={**auth, **JSON}).json()
    assert list(body)[:5] == ["TenantUid", "TenantName", "Description",
                              "CloudFailoverPlanOptions", "CloudFailoverPlanInfo"]
    assert body["Name"] == "Tenant03 Failover Plan" and body["TenantName"] == "Tenant03"
    assert body["CloudFailoverPlanOptions"]["PreFailoverPlanCommandEnabled"] is True
    vms = body["CloudFailoverPlanInfo"]["Includes"]["CloudFailoverPlanVms"]
    assert [v["Name"] for v in vms] == [vm.name for vm in plan.vms]
    assert [v["Order"] for v in vms] == list(range(len(plan.vms)))
    rels = [lk["Rel"] for lk in body["Links"]]
    assert rels[:2] == ["Up", "Alternate"]
    root = xml(client.get(f"/api/cloud/cloudFailoverPlans/{plan.id}?format=Entity",
                          headers=auth).content)
    includes = root.find(Q + "CloudFailoverPlanInfo").find(Q + "Includes")
    assert [e.find(Q + "Name").text for e in includes] == [vm.name for vm in plan.vms]


def test_replica_point_entity(client, auth, runtime):
    point = next(iter(REPLICA_POINTS.of(runtime.store.data).values()))
    body = client.get(f"/api/cloud/vmReplicaPoints/{point.id}?format=Entity",
                      headers={**auth, **JSON}).json()
    assert body["VmDisplayName"] == point.vm_name
    assert body["Name"].startswith(point.vm_name + "@")
    assert body["Type"] == "CloudVmReplicaPoint" and body["State"] == "Ready"


def test_cloud_hub_links_up_to_the_callers_session(client, token, auth):
    logon_id = client.get("/api/logonSessions", headers={**auth, **JSON}).json()[
        "LogonSessions"][0]["SessionId"]
    body = client.get("/api/cloud", headers={**auth, **JSON}).json()
    assert body["Type"] == "CloudConnectService"
    assert body["Links"][0]["Href"].endswith(f"/api/logonSessions/{logon_id}")
    assert {lk["Type"] for lk in body["Links"][1:]} >= {
        "CloudFailoverSessionReferenceList", "CloudFailoverPlanReferenceList"}
