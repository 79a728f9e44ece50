"""CDP on the wire: policies with their includes and sessions, replicas and their VMs, vApp
replicas, replication and task sessions, the query types, the actions on the mock clock,
and the fixture sections."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from em_mock.core.fixtures import FixtureError, load_documents
from em_mock.families.cdp.model import (
    CDP_POLICIES,
    CDP_SESSIONS,
    CdpPolicy,
    replicas,
    vapp_replicas,
)
from tests.conftest import EPOCH_MS
from tests.helpers import JSON, NS, Q, basic, error_of, xml

BASE = "http://testserver/api/"
XML_BODY = {"Content-Type": "application/xml"}


def _rels(node) -> list[tuple[str, str, str | None]]:
    """``(Rel, path, Type)`` of an XML node's links."""
    return [(lk.get("Rel"), lk.get("Href").removeprefix(BASE), lk.get("Type"))
            for lk in node.find(Q + "Links")]


def _policy(runtime, *, platform: str = "VMware", enabled: bool = True) -> CdpPolicy:
    return next(p for p in CDP_POLICIES.rows(runtime.store)
                if p.platform == platform and p.schedule_enabled == enabled)


def _get(client, auth, path: str) -> dict:
    response = client.get(path, headers={**auth, **JSON})
    assert response.status_code == 200, response.text
    body: dict = response.json()
    return body


def test_logon_session_offers_cdp_where_a_real_server_does(client):
    body = client.post("/api/sessionMngr/?v=latest",
                       headers={"Authorization": basic(), **JSON}).json()
    paths = [lk["Href"].split("/api/")[1] for lk in body["Links"]]
    i = paths.index("cdpPolicies")
    assert paths[i - 1] == "externalRepositories"
    assert paths[i:i + 3] == ["cdpPolicies", "cdpReplicaSessions", "cdpReplicaTaskSessions"]
    assert body["Links"][i]["Type"] == "CdpPolicyReferenceList"
    assert paths.index("cdpReplica/vApps") < paths.index("tasks")
    k = paths.index("cdpReplica/vms")
    assert paths[k - 1:k + 2] == ["vAppReplicaPoints", "cdpReplica/vms", "cdpReplica/vApps"]
    assert body["Links"][k]["Type"] == "VmCdpReplicaReferenceList"
    j = paths.index("cdpPolicies?format=Entity")
    assert paths[j - 2:j] == ["externalRepositories?format=Entity", "nas"]  # as captured
    assert body["Links"][paths.index("cdpReplica/vApps?format=Entity")]["Type"] == \
        "VAppCdpReplicaList"


def test_every_replica_vm_is_listed_under_cdp_replica_vms(client, auth, runtime):
    vms = [vm for r in replicas(runtime.store) for vm in r.vms]
    refs = xml(client.get("/api/cdpReplica/vms", headers=auth).content)
    assert refs.tag == Q + "EntityReferences"
    assert [r.get("Name") for r in refs] == [vm.vm.name for vm in vms] and vms
    entities = client.get("/api/cdpReplica/vms?format=Entity",
                          headers={**auth, **JSON}).json()
    first = client.get(refs[0].get("Href") + "?format=Entity",
                       headers={**auth, **JSON}).json()
    assert first["UID"] == entities["CdpReplicaVms"][0]["UID"]
    one = client.get(f"/api/cdpReplica/vms/{vms[0].id}", headers=auth)
    assert xml(one.content).get("Href") == refs[0].get("Href")
    assert error_of(client.get("/api/cdpReplica/vms/nope", headers={**auth, **JSON}))[
        "StatusCode"] == 404


def test_policy_entity_has_the_documented_members_and_links(client, auth, runtime):
    policy = _policy(runtime)
    root = xml(client.get(f"/api/cdpPolicies/{policy.id}?format=Entity", headers=auth).content)
    assert root.tag == Q + "CdpPolicy" and root.get("Name") == policy.name
    assert root.get("UID") == f"urn:veeam:CdpPolicy:{policy.id}"
    base = f"cdpPolicies/{policy.id}"
    assert _rels(root) == [
        ("Up", f"backupServers/{policy.backup_server.id}", "BackupServerReference"),
        ("Alternate", base, "CdpPolicyReference"), ("Edit", base, "CdpPolicyReference"),
        ("Disable", f"{base}?action=disable", None),
        ("Down", f"{base}/includes", "ObjectInJobList"),
        ("Create", f"{base}/includes", "ObjectInJob"),
        ("Down", f"{base}/cdpReplicaSessions", "CdpReplicaSessionReferenceList")]
    assert [c.tag.removeprefix(Q) for c in root][1:] == [
        "PolicyType", "Platform", "Description", "ScheduleConfigured", "ScheduleEnabled",
        "NextRun", "PolicyScheduleOptions", "CdpPolicyInfo"]
    options = root.find(f"{Q}PolicyScheduleOptions/{Q}CdpReplica")
    assert options.find(Q + "RPOSchedule").get("Enabled") == "true"
    assert int(options.findtext(Q + "RecoveryPointObjectiveSeconds")) == \
        policy.options.rpo_seconds
    includes = root.findall(f"{Q}CdpPolicyInfo/{Q}CdpReplicaPolicyInfo/{Q}Includes/"
                            f"{Q}ObjectInJob")
    assert [i.findtext(Q + "Name") for i in includes] == [i.name for i in policy.includes]
    body = _get(client, auth, f"/api/cdpPolicies/{policy.id}?format=Entity")
    assert body["PolicyScheduleOptions"]["CdpReplica"]["RPOSchedule"] == {"Enabled": True}
    assert body["UID"] == root.get("UID") and body["ScheduleEnabled"] is True


def test_includes_list_and_item(client, auth, runtime):
    policy = _policy(runtime)
    root = xml(client.get(f"/api/cdpPolicies/{policy.id}/includes", headers=auth).content)
    assert root.tag == Q + "ObjectsInJob"
    items = root.findall(Q + "ObjectInJob")
    assert [i.findtext(Q + "HierarchyObjRef") for i in items] == [i.ref for i in
                                                                   policy.includes]
    one = xml(client.get(items[0].get("Href"), headers=auth).content)
    assert one.tag == Q + "ObjectInJob"
    assert _rels(one) == [("Up", f"cdpPolicies/{policy.id}", "CdpPolicyReference"),
                          ("Delete", items[0].get("Href").removeprefix(BASE), None)]
    assert one.findtext(f"{Q}GuestProcessingOptions/{Q}VssSnapshotOptions/{Q}VssSnapshotMode") \
        == policy.includes[0].vss_mode


def test_sessions_and_task_sessions_agree_with_their_policy(client, auth, runtime):
    policy = _policy(runtime)
    refs = _get(client, auth, f"/api/cdpPolicies/{policy.id}/cdpReplicaSessions")["Refs"]
    mine = [s for s in CDP_SESSIONS.rows(runtime.store) if s.policy is policy]
    assert len(refs) == len(mine) >= 8
    assert all(r["Name"].startswith(f"{policy.name}@") for r in refs)
    first = xml(client.get(refs[0]["Href"] + "?format=Entity", headers=auth).content)
    assert first.tag == Q + "CdpReplicaSession"
    assert [c.tag.removeprefix(Q) for c in first][1:] == [
        "PolicyUid", "PolicyName", "PolicyType", "CreationTimeUTC", "EndTimeUTC", "State",
        "Result", "Progress", "FailureMessage", "IsRetry"]
    latest = xml(client.get(refs[-1]["Href"] + "?format=Entity", headers=auth).content)
    assert latest.findtext(Q + "State") == "Working"  # an enabled policy keeps replicating
    assert latest.find(Q + "EndTimeUTC") is None
    assert [r for r, _, _ in _rels(latest)] == ["Up", "Up", "Alternate", "Down"]
    tasks = _get(client, auth, BASE + _rels(latest)[3][1])["Refs"]
    assert len(tasks) == len(policy.vms())
    task = xml(client.get(tasks[0]["Href"] + "?format=Entity", headers=auth).content)
    assert task.tag == Q + "CdpReplicaTaskSession"
    assert task.findtext(Q + "PolicySessionUid") == latest.get("UID")
    assert task.findtext(Q + "State") == "InProgress" and task.find(Q + "EndTimeUTC") is None
    old = _get(client, auth, BASE + _rels(first)[3][1])["Refs"][0]
    done = xml(client.get(old["Href"] + "?format=Entity", headers=auth).content)
    assert [c.tag.removeprefix(Q) for c in done][1:] == [
        "PolicySessionUid", "CreationTimeUTC", "EndTimeUTC", "State", "Result", "Reason",
        "TotalSize"]
    failed = [s for s in CDP_SESSIONS.rows(runtime.store) if s.result == "Failed"]
    assert failed and all(s.failure_message and any(t.result == "Failed" for t in s.tasks)
                          for s in failed)


def test_replicas_their_vms_and_links(client, auth, runtime):
    refs = _get(client, auth, "/api/cdpReplicas")["Refs"]
    assert len(refs) == len(CDP_POLICIES.rows(runtime.store))
    replica = replicas(runtime.store)[0]
    ref = xml(client.get(f"/api/cdpReplicas/{replica.id}", headers=auth).content)
    assert ref.tag == Q + "EntityRef" and ref.get("Type") == "CdpReplicaReference"
    assert ref.get("Name") == replica.policy.name
    entity = _get(client, auth, f"/api/cdpReplicas/{replica.id}?format=Entity")
    assert [k for k in entity if k in ("BackupServer", "PolicyUid", "PolicyName")] == [
        "BackupServer", "PolicyUid", "PolicyName"]
    assert [(lk["Rel"], lk["Type"]) for lk in entity["Links"]] == [
        ("Up", "BackupServerReference"), ("Up", "CdpPolicyReference"),
        ("Down", "CdpReplicaVmReferenceList"), ("Alternate", "CdpReplicaReference")]
    vms = _get(client, auth, entity["Links"][2]["Href"])["Refs"]
    assert [v["Name"] for v in vms] == [vm.name for vm in replica.policy.vms()]
    vm = _get(client, auth, vms[0]["Href"] + "?format=Entity")
    assert vm["VmRef"] == replica.policy.vms()[0].ref
    assert vm["ReplicaUid"] == f"urn:veeam:CdpReplica:{replica.id}"
    assert [lk["Rel"] for lk in vm["Links"]] == ["Intervals", "Failover", "Up", "Up", "Up"]
    assert vm["Links"][0]["Href"].endswith("?action=intervals")


def test_vapp_replicas_and_their_vms(client, auth, runtime):
    vapp = vapp_replicas(runtime.store)[0]
    refs = _get(client, auth, "/api/cdpReplica/vApps")["Refs"]
    assert [r["Name"] for r in refs] == [a.include.name for a in vapp_replicas(runtime.store)]
    root = xml(client.get(f"/api/cdpReplica/vApps/{vapp.id}?format=Entity",
                          headers=auth).content)
    assert root.tag == Q + "VAppCdpReplica"
    assert [c.tag.removeprefix(Q) for c in root][1:] == [
        "vAppRef", "ReplicaUid", "BackupServer", "PolicyUid", "PolicyName"]
    assert [r for r, _, _ in _rels(root)] == ["Up", "Alternate", "Down", "Intervals",
                                              "Failover", "Up"]
    vms = xml(client.get(f"/api/cdpReplica/vApps/{vapp.id}/vms", headers=auth).content)
    assert vms.tag == Q + "VAppCdpReplicaVms"
    items = vms.findall(Q + "VAppCdpReplicaVm")
    assert [i.findtext(Q + "VmRef") for i in items] == [v.vm.ref for v in vapp.vms]
    one = _get(client, auth, f"/api/cdpReplica/vApps/{vapp.id}/vms/{vapp.vms[1].id}")
    assert one["Name"] == vapp.vms[1].vm.name


_PATHS = [
    "cdpPolicies/{x}", "cdpPolicies/{x}/includes", "cdpPolicies/{p}/includes/{x}",
    "cdpPolicies/{x}/cdpReplicaSessions", "cdpReplicas/{x}", "cdpReplicas/{x}/vms",
    "cdpReplicas/{r}/vms/{x}", "cdpReplica/vApps/{x}", "cdpReplica/vApps/{x}/vms",
    "cdpReplica/vApps/{a}/vms/{x}", "cdpReplicaSessions/{x}",
    "cdpReplicaSessions/{x}/cdpReplicaTaskSessions", "cdpReplicaTaskSessions/{x}"]


def test_unknown_ids_are_404(client, auth, runtime):
    x = "00000000-0000-4000-8000-000000000000"
    for path in _PATHS:
        url = "/api/" + path.format(x=x, p=_policy(runtime).id, r=replicas(runtime.store)[0].id,
                                    a=vapp_replicas(runtime.store)[0].id)
        response = client.get(url, headers={**auth, **JSON})
        assert response.status_code == 404, url
        assert x in error_of(response)["Message"]


def test_query_types_filter_on_their_fields(client, auth, runtime):
    policy = _policy(runtime)
    found = _get(client, auth, f'/api/query?type=CdpReplica&format=Entities'
                 f'&filter=PolicyName=="{policy.name}"')
    assert [r["PolicyName"] for r in found["Entities"]["CdpReplicas"]["CdpReplicas"]] == [
        policy.name]
    failed = _get(client, auth, "/api/query?type=CdpReplicaSession&filter=Result==Failed")
    refs = failed["Refs"]["Refs"]
    assert refs and len(refs) == sum(s.result == "Failed"
                                     for s in CDP_SESSIONS.rows(runtime.store))
    tasks = _get(client, auth, "/api/query?type=CdpReplicaTaskSession&format=Entities"
                 f'&filter=VmDisplayName=="{policy.vms()[0].name}"')
    assert tasks["Entities"]["CdpReplicaTaskSessions"]["CdpReplicaTaskSessions"]
    bad = client.get("/api/query?type=CdpReplicaSession&filter=State==Sleeping",
                     headers={**auth, **JSON})
    assert bad.status_code == 400


def _finished(client, auth, runtime, response) -> dict:
    assert response.status_code == 202, response.text
    task = response.json()
    assert task["State"] == "Running"
    runtime.clock.advance(5)
    return _get(client, auth, f"/api/tasks/{task['TaskId']}")


def test_disable_then_enable_runs_on_the_clock(client, auth, runtime):
    policy = _policy(runtime)
    url = f"/api/cdpPolicies/{policy.id}"
    done = _finished(client, auth, runtime,
                     client.post(url + "?action=disable", headers={**auth, **JSON}))
    assert done["State"] == "Finished" and done["Result"]["Success"] is True
    assert done["Operation"] == "DisableCdpPolicy"
    assert done["Links"][1]["Href"] == BASE + f"{url[5:]}?format=Entity"
    entity = _get(client, auth, url + "?format=Entity")
    assert entity["ScheduleEnabled"] is False and entity["NextRun"] is None
    assert [lk["Rel"] for lk in entity["Links"]][3] == "Enable"
    sessions = [s for s in CDP_SESSIONS.rows(runtime.store) if s.policy is policy]
    assert all(s.state == "Stopped" and s.end_ms for s in sessions)
    again = _finished(client, auth, runtime,
                      client.post(url + "?action=disable", headers={**auth, **JSON}))
    assert again["Result"]["Success"] is False and "already" in again["Result"]["Message"]
    done = _finished(client, auth, runtime,
                     client.post(url + "?action=enable", headers={**auth, **JSON}))
    assert done["Result"]["Success"] is True
    refs = _get(client, auth, url + "/cdpReplicaSessions")["Refs"]
    latest = _get(client, auth, refs[-1]["Href"] + "?format=Entity")
    assert latest["State"] == "Working" and latest["EndTimeUTC"] is None
    bad = client.post(url + "?action=pause", headers={**auth, **JSON})
    assert bad.status_code == 400 and "enable or disable" in error_of(bad)["Message"]


EDIT_XML = (f'<CdpPolicy xmlns="{NS}"><Description>Edited</Description>'
            '<ScheduleEnabled>true</ScheduleEnabled>'
            '<NextRun>2026-06-16T00:00:00Z</NextRun><PolicyScheduleOptions><CdpReplica>'
            '<RecoveryPointObjectiveSeconds>45</RecoveryPointObjectiveSeconds>'
            '<RPOSchedule Enabled="false"/><RPOReporting><MarkAsWarning><Enabled>false</Enabled>'
            '<RPOThresholdSeconds>9</RPOThresholdSeconds></MarkAsWarning></RPOReporting>'
            '<LongTermRetentionKeepDays>14</LongTermRetentionKeepDays>'
            '</CdpReplica></PolicyScheduleOptions></CdpPolicy>')


def test_edit_in_xml_and_json_changes_what_get_answers(client, auth, runtime):
    policy = _policy(runtime)
    url = f"/api/cdpPolicies/{policy.id}"
    done = _finished(client, auth, runtime,
                     client.put(url, headers={**auth, **XML_BODY, **JSON}, content=EDIT_XML))
    assert done["Operation"] == "EditCdpPolicy" and done["Result"]["Success"] is True
    entity = _get(client, auth, url + "?format=Entity")
    options = entity["PolicyScheduleOptions"]["CdpReplica"]
    assert entity["Description"] == "Edited" and entity["NextRun"] == "2026-06-16T00:00:00Z"
    assert options["RecoveryPointObjectiveSeconds"] == 45
    assert options["RPOSchedule"] == {"Enabled": False}
    assert options["RPOReporting"]["MarkAsWarning"] == {
        "Enabled": False, "RPOThresholdSeconds": 9, "RPOThresholdMinutes": 0}
    assert options["LongTermRetentionKeepDays"] == 14
    # A fetched entity sent back with one change (JSON, options without the wrapper).
    entity["Description"] = "Again"
    entity["PolicyScheduleOptions"] = {"RecoveryPointObjectiveMinutes": 1,
                                       "LongTermRetentionSchedule": {"Enabled": False}}
    response = client.put(url, headers={**auth, **JSON}, json=entity)
    assert response.status_code == 202, response.text
    after = _get(client, auth, url + "?format=Entity")
    assert after["Description"] == "Again"
    assert after["PolicyScheduleOptions"]["CdpReplica"]["RecoveryPointObjectiveMinutes"] == 1


_BAD_EDITS = [
    ({"Colour": "red"}, "Colour"),
    ({"ScheduleEnabled": "maybe"}, "true or false"),
    ({"NextRun": "tomorrow"}, "date-time"),
    ({"PolicyScheduleOptions": {"RPOSchedule": {"TimePeriods": "x"}}}, "Enabled is required"),
    ({"PolicyScheduleOptions": {"ShortTermRetentionHours": -1}}, "whole number"),
    ({"PolicyScheduleOptions": {"RecoveryPointObjectiveSeconds": 1}}, "at least 2 seconds"),
    ({"PolicyScheduleOptions": {"Speed": 1}}, "Speed"),
]


def test_bad_edits_are_400_and_change_nothing(client, auth, runtime):
    policy = _policy(runtime)
    before = (policy.description, policy.options.rpo_seconds, policy.schedule_enabled)
    for body, words in _BAD_EDITS:
        response = client.put(f"/api/cdpPolicies/{policy.id}", headers={**auth, **JSON},
                              json=body)
        assert response.status_code == 400, body
        assert words in error_of(response)["Message"]
    assert (policy.description, policy.options.rpo_seconds, policy.schedule_enabled) == before
    empty = client.put(f"/api/cdpPolicies/{policy.id}", headers={**auth, **XML_BODY})
    assert empty.status_code == 400
    wrong = client.put(f"/api/cdpPolicies/{policy.id}", headers={**auth, **XML_BODY},
                       content=f'<Job xmlns="{NS}"/>')
    assert wrong.status_code == 400 and "CdpPolicy" in error_of(wrong)["Message"]


_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**20), st.text(max_size=12))
_KEYS = st.sampled_from(["Description", "ScheduleEnabled", "NextRun", "PolicyScheduleOptions",
                         "RecoveryPointObjectiveSeconds", "RPOSchedule", "Enabled",
                         "RPOReporting", "MarkAsFailed", "CdpReplica", "Other"])
_BODIES = st.recursive(_SCALARS, lambda inner: st.dictionaries(_KEYS, inner, max_size=4),
                       max_leaves=10)


@settings(max_examples=25, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture])
@given(body=st.dictionaries(_KEYS, _BODIES, max_size=4), as_xml=st.booleans())
def test_any_edit_body_is_accepted_or_refused_never_a_500(client, auth, runtime, body, as_xml):
    policy = _policy(runtime)
    if as_xml:
        def element(key: str, value) -> str:
            if isinstance(value, dict):
                return f"<{key}>{''.join(element(k, v) for k, v in value.items())}</{key}>"
            text = "" if value is None else str(value).lower() if isinstance(value, bool) \
                else str(value)
            escaped = text.replace("&", "&amp;").replace("<", "&lt;")
            return f"<{key}>{escaped}</{key}>"
        content = f'<CdpPolicy xmlns="{NS}">' + "".join(
            element(k, v) for k, v in body.items()) + "</CdpPolicy>"
        response = client.put(f"/api/cdpPolicies/{policy.id}",
                              headers={**auth, **XML_BODY, **JSON}, content=content.encode())
    else:
        response = client.put(f"/api/cdpPolicies/{policy.id}", headers={**auth, **JSON},
                              json=body)
    assert response.status_code in (202, 400), response.text
    if response.status_code == 400:
        assert error_of(response)["Message"]
    assert policy.options.rpo_ms >= 2000


def test_include_added_and_removed(client, auth, runtime):
    policy = _policy(runtime)
    url = f"/api/cdpPolicies/{policy.id}/includes"
    ref = "urn:VMware:Vm:7a1c6b0e-0000-4000-8000-000000000001.vm-9001"
    spec = (f'<CreateObjectInJobSpec xmlns="{NS}"><HierarchyObjRef>{ref}</HierarchyObjRef>'
            '<HierarchyObjName>new-cdp-vm</HierarchyObjName><GuestProcessingOptions>'
            '<VssSnapshotOptions><VssSnapshotMode>IgnoreFailures</VssSnapshotMode>'
            '</VssSnapshotOptions></GuestProcessingOptions></CreateObjectInJobSpec>')
    done = _finished(client, auth, runtime,
                     client.post(url, headers={**auth, **XML_BODY, **JSON}, content=spec))
    assert done["Result"]["Success"] is True
    items = _get(client, auth, url)["ObjectsInJob"]
    added = next(i for i in items if i["HierarchyObjRef"] == ref)
    assert added["Name"] == "new-cdp-vm"
    assert added["GuestProcessingOptions"]["VssSnapshotOptions"]["VssSnapshotMode"] == \
        "IgnoreFailures"
    replica = next(r for r in replicas(runtime.store) if r.policy is policy)
    vms = _get(client, auth, f"/api/cdpReplicas/{replica.id}/vms")["Refs"]
    assert vms[-1]["Name"] == "new-cdp-vm"
    twice = _finished(client, auth, runtime, client.post(url, headers={**auth, **JSON}, json={
        "HierarchyObjRef": ref, "HierarchyObjName": "new-cdp-vm"}))
    assert twice["Result"]["Success"] is False
    gone = _finished(client, auth, runtime,
                     client.delete(added["Href"], headers={**auth, **JSON}))
    assert gone["Operation"] == "RemoveObjectFromCdpPolicy"
    assert ref not in [i["HierarchyObjRef"] for i in _get(client, auth, url)["ObjectsInJob"]]
    assert client.get(added["Href"], headers=auth).status_code == 404
    assert client.delete(added["Href"], headers=auth).status_code == 404


_BAD_INCLUDES = [
    ({"HierarchyObjRef": "urn:VMware:Vm:x.vm-1"}, "HierarchyObjName"),
    ({"HierarchyObjRef": "vm-1", "HierarchyObjName": "a"}, "urn:VMware:Vm"),
    ({"HierarchyObjRef": "urn:vCloud:Vapp:x", "HierarchyObjName": "a"}, "VMware policy"),
    ({"HierarchyObjRef": "urn:VMware:Vm:x.vm-1", "HierarchyObjName": "a",
      "GuestProcessingOptions": {"VssSnapshotOptions": {"VssSnapshotMode": "Always"}}},
     "VssSnapshotMode"),
    ({"HierarchyObjRef": "urn:VMware:Vm:x.vm-1", "HierarchyObjName": "a", "Extra": 1}, "Extra"),
]


def test_bad_include_specs_are_400(client, auth, runtime):
    policy = _policy(runtime)
    count = len(policy.includes)
    for body, words in _BAD_INCLUDES:
        response = client.post(f"/api/cdpPolicies/{policy.id}/includes",
                               headers={**auth, **JSON}, json=body)
        assert response.status_code == 400, body
        assert words in error_of(response)["Message"]
    assert len(policy.includes) == count


def test_intervals_of_a_vm_and_of_a_vapp(client, auth, runtime):
    replica = next(r for r in replicas(runtime.store) if r.policy.schedule_enabled)
    vm = replica.vms[0]
    url = f"/api/cdpReplicas/{replica.id}/vms/{vm.id}?action=intervals"
    spec = (f'<CdpIntervalsSpec xmlns="{NS}"><StartDate>2026-06-14T12:00:00Z</StartDate>'
            '<EndDate>2026-06-15T12:00:00Z</EndDate></CdpIntervalsSpec>')
    response = client.post(url, headers={**auth, **XML_BODY}, content=spec)
    assert response.status_code == 200, response.text
    root = xml(response.content)
    assert root.tag == Q + "CdpReplicaIntervals"
    assert [c.tag.removeprefix(Q) for c in root] == [
        "StartDate", "EndDate", "HasApplicationConsistentState", "Intervals", "RestorePoints"]
    intervals = root.findall(f"{Q}Intervals/{Q}Interval")
    assert intervals
    starts = [i.findtext(Q + "StartDate") for i in intervals]
    assert starts == sorted(starts) and starts[0] >= "2026-06-14T12:00:00"
    assert all(i.findtext(Q + "IntervalType") == "RestoreAvailable" for i in intervals)
    assert intervals[-1].findtext(Q + "EndDate") == "2026-06-15T12:00:00"  # still replicating
    assert {int(i.findtext(Q + "Rpo")) for i in intervals} == {replica.policy.options.rpo_seconds}
    vapp = vapp_replicas(runtime.store)[0]
    body = _get_post(client, auth, f"/api/cdpReplica/vApps/{vapp.id}?action=intervals",
                     {"StartDate": "2026-06-12T00:00:00Z", "EndDate": "2026-06-15T12:00:00Z"})
    assert body["Intervals"] and body["RestorePoints"]
    assert all(p["IsApplicationConsistent"] is False for p in body["RestorePoints"])
    for bad, words in (({"StartDate": "2026-06-15T00:00:00Z"}, "EndDate"),
                       ({"StartDate": "2026-06-15T00:00:00Z", "EndDate": "2026-06-14T00:00:00Z"},
                        "before"),
                       ({"StartDate": "soon", "EndDate": "2026-06-14T00:00:00Z"}, "date-time")):
        response = client.post(url, headers={**auth, **JSON}, json=bad)
        assert response.status_code == 400 and words in error_of(response)["Message"]


def _get_post(client, auth, url: str, body: dict) -> dict:
    response = client.post(url, headers={**auth, **JSON}, json=body)
    assert response.status_code == 200, response.text
    out: dict = response.json()
    return out


def test_failover_of_a_vm_and_of_a_vapp(client, auth, runtime):
    replica = next(r for r in replicas(runtime.store) if r.policy.schedule_enabled)
    url = f"/api/cdpReplicas/{replica.id}/vms/{replica.vms[0].id}?action=failover"
    done = _finished(client, auth, runtime, client.post(url, headers={**auth, **JSON}, json={
        "RestoreCurrent": True, "RestoreCurrentVss": False}))
    assert done["Operation"] == "CdpFailover" and done["Result"]["Success"] is True
    assert replica.vms[0].vm.name in done["Result"]["Message"]
    windows = _get_post(client, auth, url.replace("failover", "intervals"), {
        "StartDate": "2026-06-10T00:00:00Z", "EndDate": "2026-06-15T12:00:00Z"})["Intervals"]
    inside = windows[0]["StartDate"] + "Z"
    ok = client.post(url, headers={**auth, **JSON}, json={
        "RestoreCurrent": False, "RestoreCurrentVss": False, "RestoreAtPointinTime": inside})
    assert ok.status_code == 202
    outside = client.post(url, headers={**auth, **JSON}, json={
        "RestoreCurrent": False, "RestoreCurrentVss": False,
        "RestoreAtPointinTime": "2020-01-01T00:00:00Z"})
    assert outside.status_code == 400 and "intervals" in error_of(outside)["Message"]
    for bad in ({"RestoreCurrent": False, "RestoreCurrentVss": False},
                {"RestoreCurrent": True, "RestoreCurrentVss": True},
                {"RestoreCurrent": True}):
        response = client.post(url, headers={**auth, **JSON}, json=bad)
        assert response.status_code == 400, bad
    vapp = vapp_replicas(runtime.store)[0]
    spec = (f'<CdpFailoverStartSpec xmlns="{NS}"><RestoreCurrent>true</RestoreCurrent>'
            '<RestoreCurrentVss>false</RestoreCurrentVss></CdpFailoverStartSpec>')
    response = client.post(f"/api/cdpReplica/vApps/{vapp.id}?action=failover",
                           headers={**auth, **XML_BODY}, content=spec)
    assert response.status_code == 202
    assert xml(response.content).findtext(Q + "Operation") == "CdpFailover"
    vss = client.post(f"/api/cdpReplica/vApps/{vapp.id}?action=failover",
                      headers={**auth, **JSON},
                      json={"RestoreCurrent": False, "RestoreCurrentVss": True})
    assert vss.status_code == 400 and "application-consistent" in error_of(vss)["Message"]


def test_fixture_sections_are_checked(runtime):
    policy = _policy(runtime)
    doc = {"BackupServers": [{"UID": policy.backup_server.id, "Name": "vbr"}],
           "CdpPolicies": [{"UID": "11111111-1111-4111-8111-111111111111", "Name": "P",
                            "BackupServerUid": policy.backup_server.id,
                            "Options": {"RPOScheduleEnabled": "yes"},
                            "Includes": [{"Name": "a", "HierarchyObjRef": "urn:VMware:Vm:h.1",
                                          "Vms": [{"Name": "a", "VmRef": "urn:VMware:Vm:h.1"},
                                                  {"Name": "b", "VmRef": "urn:VMware:Vm:h.1"}]},
                                         {"Name": "a", "HierarchyObjRef": "urn:VMware:Vm:h.1"}
                                         ]}],
           "CdpReplicaSessions": [{"UID": "22222222-2222-4222-8222-222222222222",
                                   "PolicyUid": "33333333-3333-4333-8333-333333333333",
                                   "CreationTimeUTC": "2026-01-01T00:00:00.000Z",
                                   "State": "Stopped", "Result": "Success"}]}
    with pytest.raises(FixtureError) as caught:
        load_documents([("f.json", json.loads(json.dumps(doc)))], EPOCH_MS)
    text = str(caught.value)
    assert "RPOScheduleEnabled" in text and "protected twice" in text
    assert "included twice" in text
    assert "no CDP policy" in text and "EndTimeUTC" in text


_SPEC_KEYS = st.sampled_from(["RestoreCurrent", "RestoreCurrentVss", "RestoreAtInterval",
                              "RestoreAtPointinTime", "StartDate", "EndDate", "HierarchyObjRef",
                              "HierarchyObjName", "GuestProcessingOptions",
                              "VssSnapshotOptions", "VssSnapshotMode", "Other"])
_SPEC_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-3, 3),
              st.sampled_from(["true", "false", "2026-06-15T06:00:00Z", "2026-06-14T00:00:00Z",
                               "urn:VMware:Vm:h.vm-77", "urn:vCloud:Vapp:o.v", "Disabled", ""]),
              st.text(max_size=8)),
    lambda inner: st.dictionaries(_SPEC_KEYS, inner, max_size=3), max_leaves=8)


@settings(max_examples=30, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture])
@given(target=st.sampled_from(["vm?action=failover", "vm?action=intervals",
                               "vapp?action=failover", "vapp?action=intervals", "includes"]),
       body=st.dictionaries(_SPEC_KEYS, _SPEC_VALUES, max_size=4))
def test_any_action_body_is_answered_or_refused_never_a_500(client, auth, runtime, target,
                                                            body):
    replica = replicas(runtime.store)[0]
    where, _, query = target.partition("?")
    url = {"vm": f"/api/cdpReplicas/{replica.id}/vms/{replica.vms[0].id}",
           "vapp": f"/api/cdpReplica/vApps/{vapp_replicas(runtime.store)[0].id}",
           "includes": f"/api/cdpPolicies/{replica.policy.id}/includes"}[where]
    response = client.post(f"{url}?{query}" if query else url, headers={**auth, **JSON},
                           json=body)
    expected = 200 if query.endswith("intervals") else 202
    assert response.status_code in (expected, 400), response.text
    if response.status_code == 400:
        assert error_of(response)["Message"]
