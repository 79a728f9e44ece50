"""The rest of the jobs family on the wire: failover plans and their runs, system sessions,
agent management sessions, linked jobs and repositories, job edits, and the query types
FailoverPlan, ObjectInJob and Task."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from em_mock import create_app
from em_mock.core.fixtures import FORMAT, SECTIONS, load_documents, to_document
from em_mock.core.runtime import Runtime
from em_mock.core.validate import time_writer
from em_mock.families.infrastructure.model import REPOSITORIES
from em_mock.families.jobs.model import FAILOVER_PLANS, JOBS, SYSTEM_SESSIONS
from tests.conftest import EPOCH_MS
from tests.helpers import JSON, Q, error_of, logon, xml

NS = 'xmlns="http://www.veeam.com/ent/v1.0"'
XML_BODY = {"Content-Type": "application/xml"}
MISSING = "00000000-0000-0000-0000-000000000000"


@pytest.fixture(scope="module")
def shared(_default_data_blob: bytes) -> Iterator[tuple[TestClient, dict[str, str], Runtime]]:
    """One app for the tests that change nothing (reads, refused requests)."""
    import pickle

    from em_mock import Settings
    runtime = Runtime.create(Settings(epoch=EPOCH_MS, frozen_clock=True),
                             data=pickle.loads(_default_data_blob))
    with TestClient(create_app(runtime=runtime), base_url="http://testserver") as client:
        yield client, {"X-RestSvcSessionId": logon(client)}, runtime


def _json(client, auth, path):
    response = client.get(path, headers={**auth, **JSON})
    assert response.status_code == 200, response.text[:300]
    return response.json()


def _query(client, auth, **params):
    response = client.get("/api/query", params=params, headers={**auth, **JSON})
    assert response.status_code == 200, response.text[:300]
    return response.json()


def _task(response, status=202):
    assert response.status_code == status, response.text[:300]
    body = response.json() if "json" in response.headers["content-type"] else None
    if body is None:
        root = xml(response.content)
        assert root.tag == Q + "Task"
        body = {"TaskId": root.findtext(Q + "TaskId"), "State": root.findtext(Q + "State"),
                "Operation": root.findtext(Q + "Operation")}
    return body


def _result(client, auth, task_id):
    body = _json(client, auth, f"/api/tasks/{task_id}")
    assert body["State"] == "Finished", body
    return body["Result"]


def _advance(client, seconds):
    response = client.post("/mock/clock", json={"action": "advance", "seconds": seconds})
    assert response.status_code == 200, response.text


def _copy_job(runtime):
    return next(j for j in JOBS.rows(runtime.store) if j.is_copy)


# --- failover plans -------------------------------------------------------------------------


def test_failover_plans_in_xml_and_json(shared):
    client, auth, runtime = shared
    plans = FAILOVER_PLANS.rows(runtime.store)
    assert plans and all(p.vms for p in plans)
    refs = _json(client, auth, "/api/failoverPlans")["Refs"]
    assert [r["Name"] for r in refs] == [p.name for p in plans]
    plan = plans[0]
    body = _json(client, auth, f"/api/failoverPlans/{plan.id}?format=Entity")
    assert list(body) == ["Description", "FailoverPlanInfo", "Name", "UID", "Links", "Href",
                          "Type"]
    assert body["UID"] == f"urn:veeam:FailoverPlan:{plan.id}"
    assert [(lk["Rel"], lk["Href"].rsplit("/", 1)[1]) for lk in body["Links"]][1:] == [
        ("Alternate", plan.id), ("Edit", plan.id), ("Start", f"{plan.id}?action=start"),
        ("Undo", f"{plan.id}?action=undo")]
    assert body["Links"][0]["Type"] == "BackupServerReference"
    vms = body["FailoverPlanInfo"]["Includes"]["FailoveredVms"]
    assert [(v["Name"], v["Order"]) for v in vms] == [(v.name, v.order) for v in plan.vms]
    root = xml(client.get(f"/api/failoverPlans/{plan.id}?format=Entity", headers=auth).content)
    assert root.tag == Q + "FailoverPlan"
    included = root.find(f"{Q}FailoverPlanInfo/{Q}Includes")
    assert [e.findtext(Q + "HierarchyObjRef") for e in included] == [v.uid for v in plan.vms]
    ref = xml(client.get(f"/api/failoverPlans/{plan.id}", headers=auth).content)
    assert ref.tag == Q + "EntityRef" and ref.get("Type") == "FailoverPlanReference"


def test_failover_plan_and_object_in_job_queries(shared):
    client, auth, runtime = shared
    plan = FAILOVER_PLANS.rows(runtime.store)[-1]
    found = _query(client, auth, type="FailoverPlan", format="Entities",
                   filter=f'Name=="{plan.name}"')["Entities"]["FailoverPlans"]["FailoverPlans"]
    assert [p["UID"] for p in found] == [f"urn:veeam:FailoverPlan:{plan.id}"]
    server = plan.backup_server
    refs = _query(client, auth, type="FailoverPlan", filter=f"BackupServerUid=={server.id}")
    assert len(refs["Refs"]["Refs"]) == sum(p.backup_server is server
                                            for p in FAILOVER_PLANS.rows(runtime.store))
    job = next(j for j in JOBS.rows(runtime.store) if len(j.vms) > 1)
    objects = _query(client, auth, type="ObjectInJob", format="Entities",
                     filter=f'JobName=="{job.name}"', sortDesc="Name")
    items = objects["Entities"]["ObjectsInJob"]["ObjectsInJob"]
    assert [i["Name"] for i in items] == sorted((vm.name for vm in job.vms), reverse=True)
    one = _query(client, auth, type="ObjectInJob", filter=f'UID=="{items[0]["ObjectInJobId"]}"')
    assert [r["Href"] for r in one["Refs"]["Refs"]] == [items[0]["Href"]]
    assert client.get(items[0]["Href"], headers=auth).status_code == 200


def test_plan_start_runs_on_the_mock_clock_and_undo_fails_back(client, auth, runtime):
    plan = FAILOVER_PLANS.rows(runtime.store)[0]
    plan.outcome = "Success"
    base = f"/api/failoverPlans/{plan.id}"
    undo_first = _task(client.post(f"{base}?action=undo", headers={**auth, **JSON}))
    _advance(client, 3)
    refused = _result(client, auth, undo_first["TaskId"])
    assert refused["Success"] is False and "not failed over" in refused["Message"]
    spec = (f"<FailoverPlanManagementSpec {NS}><StartNow>true</StartNow>"
            "</FailoverPlanManagementSpec>")
    started = _task(client.post(f"{base}?action=start", content=spec,
                                headers={**auth, **XML_BODY}))
    assert started["State"] == "Running" and started["Operation"] == "StartFailoverPlan"
    busy = _task(client.post(f"{base}?action=start", headers={**auth, **JSON}))
    _advance(client, 5)
    assert _json(client, auth, f"/api/tasks/{started['TaskId']}")["State"] == "Running"
    assert _result(client, auth, busy["TaskId"])["Success"] is False
    _advance(client, 20 + 30 * len(plan.vms))
    done = _result(client, auth, started["TaskId"])
    assert done["Success"] is True and "failed over" in done["Message"]
    again = _task(client.post(f"{base}?action=start", headers={**auth, **JSON}))
    undo = _task(client.post(f"{base}?action=undo", headers={**auth, **JSON}))
    _advance(client, 20 + 30 * len(plan.vms))
    assert "already failed over" in _result(client, auth, again["TaskId"])["Message"]
    assert _result(client, auth, undo["TaskId"])["Success"] is True
    assert plan.state == "Ready"


def test_plan_edit_changes_the_description(client, auth, runtime):
    plan = FAILOVER_PLANS.rows(runtime.store)[0]
    body = f"<FailoverPlan {NS}><Description>Moved to site B</Description></FailoverPlan>"
    task = _task(client.put(f"/api/failoverPlans/{plan.id}", content=body,
                            headers={**auth, **XML_BODY}))
    assert task["Operation"] == "UpdateFailoverPlan"
    entity = _json(client, auth, f"/api/failoverPlans/{plan.id}?format=Entity")
    assert entity["Description"] == "Moved to site B"
    found = _query(client, auth, type="FailoverPlan", filter='Description=="Moved to site B"')
    assert len(found["Refs"]["Refs"]) == 1


# --- tasks as a query type ------------------------------------------------------------------


def test_task_query_lists_the_tasks_and_follows_the_clock(client, auth, runtime):
    assert _query(client, auth, type="Task")["Refs"]["Refs"] == []
    job = next(j for j in JOBS.rows(runtime.store) if j.job_type == "Backup")
    first = _task(client.post(f"/api/jobs/{job.id}?action=stop", headers={**auth, **JSON}))
    plan = FAILOVER_PLANS.rows(runtime.store)[0]
    second = _task(client.post(f"/api/failoverPlans/{plan.id}?action=start",
                               headers={**auth, **JSON}))
    running = _query(client, auth, type="Task", format="Entities", filter="State==Running",
                     sortAsc="TaskId")["Entities"]["Tasks"]["Tasks"]
    assert [t["TaskId"] for t in running] == [first["TaskId"], second["TaskId"]]
    _advance(client, 3)
    finished = _query(client, auth, type="Task", filter="State==Finished")["Refs"]["Refs"]
    assert [r["Href"].rsplit("/", 1)[1] for r in finished] == [first["TaskId"]]
    by_operation = _query(client, auth, type="Task", format="Entities",
                          filter='Operation=="StartFailoverPlan"')
    assert by_operation["Entities"]["Tasks"]["Tasks"][0]["State"] == "Running"
    assert client.delete(f"/api/tasks/{first['TaskId']}", headers=auth).status_code == 204
    left = _query(client, auth, type="Task")["Refs"]["Refs"]
    assert [r["Href"].rsplit("/", 1)[1] for r in left] == [second["TaskId"]]


# --- system sessions, agent management sessions ---------------------------------------------


def test_system_sessions_and_their_events(shared):
    client, auth, runtime = shared
    rows = SYSTEM_SESSIONS.rows(runtime.store)
    cut = EPOCH_MS - 30 * 86_400_000
    listed = _json(client, auth, "/api/systemSessions")["SystemSessions"]
    # Seeded over the last 29 days: the 30-day list shows every one, until the clock moves.
    assert len(listed) == sum(s.creation_ms >= cut for s in rows) == len(rows)
    assert any(s["State"] == "InProgress" and s["EndTimeUTC"] is None for s in listed)
    assert {s["SessionType"] for s in listed} >= {"CollectJob", "DatabaseMaintenance"}
    session = next(s for s in listed if s["State"] == "CompletedSuccessfully")
    assert list(session) == ["SessionType", "CreationTimeUTC", "EndTimeUTC", "State", "Result",
                             "Name", "UID", "Links", "Href", "Type"]
    assert session["Result"] == {"Result": "Success", "Message": "", "IsCanceled": False}
    events_link = session["Links"][1]
    assert (events_link["Rel"], events_link["Type"]) == ("Down", "SystemSessionEvents")
    events = _json(client, auth, events_link["Href"])["SystemSessionEvents"]
    assert len(events) >= 2 and events[-1]["TimeUTC"] == session["EndTimeUTC"]
    root = xml(client.get(events_link["Href"], headers=auth).content)
    assert root.tag == Q + "SystemSessionEvents"
    assert [e.tag for e in root] == [Q + "SystemSessionEvent"] * len(events)
    one = xml(client.get(session["Href"], headers=auth).content)
    assert one.tag == Q + "SystemSession"
    assert one.find(f"{Q}Result/{Q}Result").text == "Success"
    top = xml(client.get("/api/systemSessions", headers=auth).content)
    assert top.tag == Q + "SystemSessions" and len(top) == len(listed)


def test_the_system_session_list_holds_the_last_30_days_of_the_clock(client, runtime):
    rows = SYSTEM_SESSIONS.rows(runtime.store)
    runtime.clock.set(EPOCH_MS + 3 * 86_400_000)
    auth = {"X-RestSvcSessionId": logon(client)}
    listed = _json(client, auth, "/api/systemSessions")["SystemSessions"]
    cut = EPOCH_MS - 27 * 86_400_000
    assert len(listed) == sum(s.creation_ms >= cut for s in rows) < len(rows)


def test_agent_management_sessions_of_a_backup_session(shared):
    client, auth, runtime = shared
    from em_mock.families.agents.model import is_agent_job
    from em_mock.families.jobs.model import BACKUP_SESSIONS
    # A VM job's session has none (agent sessions: tests/families/agents).
    session = [s for s in BACKUP_SESSIONS.rows(runtime.store) if not is_agent_job(s.job)][-1]
    path = f"/api/backupSessions/{session.id}/agentManagementSessions"
    assert _json(client, auth, path) == {"Refs": []}
    root = xml(client.get(path, headers=auth).content)
    assert root.tag == Q + "EntityReferences" and len(root) == 0
    missing = client.get(f"/api/backupSessions/{MISSING}/agentManagementSessions",
                         headers=auth)
    assert missing.status_code == 404


@pytest.mark.parametrize("path", [
    f"/api/failoverPlans/{MISSING}", f"/api/systemSessions/{MISSING}",
    f"/api/systemSessions/{MISSING}/events", f"/api/jobs/{MISSING}/linkedJobs",
    f"/api/jobs/{MISSING}/linkedBackupRepositories",
])
def test_unknown_ids_get_404(shared, path):
    client, auth, _ = shared
    response = client.get(path, headers={**auth, **JSON})
    assert response.status_code == 404
    assert error_of(response)["StatusCode"] == 404


# --- linked jobs and repositories, includes, edit, delete -----------------------------------


def test_seeded_copy_job_lists_its_linked_jobs(shared):
    client, auth, runtime = shared
    job = _copy_job(runtime)
    body = _json(client, auth, f"/api/jobs/{job.id}/linkedJobs")
    items = body["LinkedJobResourceObjects"]
    assert [i["LinkedJobUid"] for i in items] == [f"urn:veeam:Job:{s.id}" for s in job.sources]
    assert [lk["Rel"] for lk in items[0]["Links"]] == ["Up", "Delete"]
    assert items[0]["Type"] == "LinkedJobObject"
    assert _json(client, auth, items[0]["Href"])["ObjectInJobId"] == items[0]["ObjectInJobId"]
    root = xml(client.get(f"/api/jobs/{job.id}/linkedBackupRepositories", headers=auth).content)
    assert root.tag == Q + "LinkedBackupRepositoryResourceObjects"
    assert [i.findtext(Q + "LinkedBackupRepositoryUid") for i in root] == [
        f"urn:veeam:Repository:{r.id}" for r in job.linked_repositories]
    rels = [lk["Rel"] for lk in _json(client, auth, f"/api/jobs/{job.id}?format=Entity")["Links"]]
    assert rels[-4:] == ["Down", "Create", "Down", "Create"]


@pytest.mark.parametrize("as_json", [False, True])
def test_default_copy_jobs_each_link_a_repository_of_their_server(shared, as_json):
    """Every seeded backup copy job lists a linked repository of its own server (not its
    target), in XML and JSON alike, and the entry reads back on its own."""
    client, auth, runtime = shared
    copies = [j for j in JOBS.rows(runtime.store) if j.is_copy]
    assert copies
    for job in copies:
        path = f"/api/jobs/{job.id}/linkedBackupRepositories"
        if as_json:
            items = _json(client, auth, path)["LinkedBackupRepositoryResourceObjects"]
            uids = [i["LinkedBackupRepositoryUid"] for i in items]
            href = items[0]["Href"]
            assert _json(client, auth, href)["LinkedBackupRepositoryUid"] == uids[0]
        else:
            root = xml(client.get(path, headers=auth).content)
            assert root.tag == Q + "LinkedBackupRepositoryResourceObjects"
            uids = [i.findtext(Q + "LinkedBackupRepositoryUid") for i in root]
            one = xml(client.get(root[0].get("Href"), headers=auth).content)
            assert one.findtext(Q + "LinkedBackupRepositoryUid") == uids[0]
        assert len(uids) == 1
        repo = next(r for r in REPOSITORIES.rows(runtime.store)
                    if f"urn:veeam:Repository:{r.id}" == uids[0])
        assert repo.backup_server is job.backup_server and repo is not job.repository


def test_copy_job_links_and_unlinks_jobs_and_repositories(client, auth, runtime):
    job = _copy_job(runtime)
    spare = next(j for j in JOBS.rows(runtime.store) if j.job_type == "Backup"
                 and j.backup_server is job.backup_server and j not in job.sources)
    body = (f"<LinkedJobSpec {NS}><LinkedJobUid>urn:veeam:Job:{spare.id}</LinkedJobUid>"
            "</LinkedJobSpec>")
    task = _task(client.post(f"/api/jobs/{job.id}/linkedJobs", content=body,
                             headers={**auth, **XML_BODY}))
    assert task["Operation"] == "UpdateJob"
    items = _json(client, auth, f"/api/jobs/{job.id}/linkedJobs")["LinkedJobResourceObjects"]
    assert items[-1]["LinkedJobUid"] == f"urn:veeam:Job:{spare.id}"
    twice = _task(client.post(f"/api/jobs/{job.id}/linkedJobs", json={"LinkedJobUid": spare.id},
                              headers={**auth, **JSON}))
    _advance(client, 3)
    assert _result(client, auth, twice["TaskId"])["Success"] is False
    _task(client.delete(items[-1]["Href"], headers={**auth, **JSON}))
    assert len(_json(client, auth, f"/api/jobs/{job.id}/linkedJobs")[
        "LinkedJobResourceObjects"]) == len(items) - 1
    repo = next(r for r in REPOSITORIES.rows(runtime.store)
                if r.backup_server is job.backup_server and r not in job.linked_repositories)
    seeded = [f"urn:veeam:Repository:{r.id}" for r in job.linked_repositories]
    _task(client.post(f"/api/jobs/{job.id}/linkedBackupRepositories",
                      json={"LinkedBackupRepositoryUid": f"urn:veeam:Repository:{repo.id}"},
                      headers={**auth, **JSON}))
    linked = _json(client, auth, f"/api/jobs/{job.id}/linkedBackupRepositories")[
        "LinkedBackupRepositoryResourceObjects"]
    assert [i["LinkedBackupRepositoryUid"] for i in linked] == [
        *seeded, f"urn:veeam:Repository:{repo.id}"]
    _round_trip(runtime)
    _task(client.delete(linked[-1]["Href"], headers={**auth, **JSON}))
    assert client.get(linked[-1]["Href"], headers=auth).status_code == 404
    backup = next(j for j in JOBS.rows(runtime.store) if j.job_type == "Backup")
    refused = client.post(f"/api/jobs/{backup.id}/linkedJobs", json={"LinkedJobUid": spare.id},
                          headers={**auth, **JSON})
    assert refused.status_code == 400 and "backup copy" in error_of(refused)["Message"]


def test_includes_edit_and_delete(client, auth, runtime):
    job = next(j for j in JOBS.rows(runtime.store) if j.job_type == "Backup")
    ref = "urn:VMware:Vm:4c1b4f8e-1d0e-4a57-9b3b-2a7c43c1f001.vm-4242"
    body = (f"<CreateObjectInJobSpec {NS}><HierarchyObjRef>{ref}</HierarchyObjRef>"
            "<HierarchyObjName>new-vm</HierarchyObjName><GuestProcessingOptions>"
            "<VssSnapshotOptions><VssSnapshotMode>RequireSuccess</VssSnapshotMode>"
            "</VssSnapshotOptions></GuestProcessingOptions></CreateObjectInJobSpec>")
    _task(client.post(f"/api/jobs/{job.id}/includes", content=body,
                      headers={**auth, **XML_BODY}))
    includes = _json(client, auth, f"/api/jobs/{job.id}/includes")["ObjectsInJob"]
    assert includes[-1]["HierarchyObjRef"] == ref and includes[-1]["Name"] == "new-vm"
    found = _query(client, auth, type="ObjectInJob", filter='Name=="new-vm"')["Refs"]["Refs"]
    assert len(found) == 1
    _task(client.delete(includes[-1]["Href"], headers={**auth, **JSON}))
    assert client.get(includes[-1]["Href"], headers=auth).status_code == 404
    edit = client.put(f"/api/jobs/{job.id}?action=edit", headers={**auth, **JSON},
                      json={"Description": "Weekly now", "ScheduleEnabled": False})
    assert _task(edit)["Operation"] == "UpdateJob"
    entity = _json(client, auth, f"/api/jobs/{job.id}?format=Entity")
    assert (entity["Description"], entity["ScheduleEnabled"]) == ("Weekly now", False)
    # A job whose backups a copy job copies cannot go; a replication job can.
    source = _copy_job(runtime).sources[0]
    kept = _task(client.delete(f"/api/jobs/{source.id}", headers={**auth, **JSON}))
    replica = next(j for j in JOBS.rows(runtime.store) if j.is_replica)
    gone = _task(client.delete(f"/api/jobs/{replica.id}", headers={**auth, **JSON}))
    _advance(client, 3)
    assert _result(client, auth, kept["TaskId"])["Success"] is False
    assert _result(client, auth, gone["TaskId"])["Success"] is True
    assert client.get(f"/api/jobs/{replica.id}", headers=auth).status_code == 404
    sessions = _query(client, auth, type="ReplicaJobSession", filter=f"JobUid=={replica.id}")
    assert sessions["Refs"]["Refs"] == []
    _round_trip(runtime)


_OURS = ("Format", "Anchor", "BackupServers", "Repositories", "Jobs", "FailoverPlans",
         "SystemSessions")


def _round_trip(runtime):
    """Export, load and export again the sections the edits touch: the same JSON."""
    now = runtime.clock.now_ms()
    data = runtime.store.data
    time = time_writer(data.frame_shift_ms)
    part = {"Format": FORMAT, "Anchor": time(now), **{
        s.name: json.loads(json.dumps(s.write(data, time))) for s in SECTIONS
        if s.name in _OURS}}
    assert part["FailoverPlans"] and part["SystemSessions"]
    again = to_document(load_documents([("exported.json", part)], now), now)
    assert {key: again[key] for key in _OURS} == part


# --- refused bodies -------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "body", "words"), [
    ("post", "includes", {"HierarchyObjName": "x"}, "HierarchyObjRef"),
    ("post", "includes", {"HierarchyObjRef": "urn:VMware:Vm:h.vm-1"}, "HierarchyObjName"),
    ("post", "includes", {"HierarchyObjRef": "urn:VMware:Vm:h.vm-1", "HierarchyObjName": "x",
                          "Colour": "red"}, "unknown elements"),
    ("post", "includes", {"HierarchyObjRef": "urn:VMware:Vm:h.vm-1", "HierarchyObjName": "x",
                          "GuestProcessingOptions": {"VssSnapshotOptions": {
                              "VssSnapshotMode": "Sometimes"}}}, "VssSnapshotMode"),
    ("put", "?action=edit", {"ScheduleEnabled": "maybe"}, "ScheduleEnabled"),
    ("put", "?action=copy", {"Description": "x"}, "action"),
    ("put", "?action=edit", None, "needs a Job body"),
])
def test_bad_job_bodies_get_400(shared, method, path, body, words):
    client, auth, runtime = shared
    job = next(j for j in JOBS.rows(runtime.store) if j.job_type == "Backup")
    url = f"/api/jobs/{job.id}/{path}" if not path.startswith("?") else f"/api/jobs/{job.id}{path}"
    response = getattr(client, method)(url, headers={**auth, **JSON}, json=body)
    assert response.status_code == 400, response.text
    assert words in error_of(response)["Message"]


def test_bad_plan_requests_get_400(shared):
    client, auth, runtime = shared
    plan = FAILOVER_PLANS.rows(runtime.store)[0]
    base = f"/api/failoverPlans/{plan.id}"
    for response, words in (
        (client.post(f"{base}?action=test", headers=auth), "start or undo"),
        (client.post(f"{base}?action=start", headers={**auth, **JSON},
                     json={"StartNow": False, "StartDate": "2999-01-01T00:00:00Z"}), "future"),
        (client.post(f"{base}?action=start", headers={**auth, **XML_BODY},
                     content="<CloudFailoverPlanManagementSpec/>"), "Expected a"),
        (client.put(base, headers=auth), "needs a FailoverPlan body"),
    ):
        assert response.status_code == 400, response.text
        assert words in error_of(response)["Message"]


_NOT_A_UID = st.text(max_size=40).filter(lambda s: not s.strip() or "-" not in s)


@settings(max_examples=25, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture])
@given(value=_NOT_A_UID, as_xml=st.booleans(), which=st.sampled_from(["job", "repository"]))
def test_link_bodies_that_name_nothing_get_400(shared, value, as_xml, which):
    client, auth, runtime = shared
    job = _copy_job(runtime)
    spec, key, path = {"job": ("LinkedJobSpec", "LinkedJobUid", "linkedJobs"),
                       "repository": ("LinkedBackupRepositorySpec",
                                      "LinkedBackupRepositoryUid",
                                      "linkedBackupRepositories")}[which]
    url = f"/api/jobs/{job.id}/{path}"
    if as_xml:
        from xml.sax.saxutils import escape
        text = "".join(c for c in value if c.isprintable())
        response = client.post(url, headers={**auth, **XML_BODY},
                               content=f"<{spec} {NS}><{key}>{escape(text)}</{key}></{spec}>")
    else:
        response = client.post(url, headers={**auth, **JSON}, json={key: value})
    assert response.status_code == 400, response.text
    assert error_of(response)["StatusCode"] == 400


@settings(max_examples=25, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture])
@given(body=st.dictionaries(st.sampled_from(["HierarchyObjRef", "HierarchyObjName",
                                             "GuestProcessingOptions", "Other"]),
                            st.one_of(st.none(), st.integers(),
                                      st.text(max_size=12).filter(
                                          lambda t: not t.strip().lower().startswith("urn:")),
                                      st.lists(st.integers(), max_size=2)), max_size=4))
def test_include_bodies_are_202_or_400_never_worse(shared, body):
    client, auth, runtime = shared
    job = next(j for j in JOBS.rows(runtime.store) if j.job_type == "Backup")
    before = len(job.vms)
    response = client.post(f"/api/jobs/{job.id}/includes", headers={**auth, **JSON}, json=body)
    # Random text never makes a hierarchy reference: every such body is refused.
    assert response.status_code == 400, response.text
    assert error_of(response)["StatusCode"] == 400 and len(job.vms) == before


@settings(max_examples=25, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture])
@given(flag=st.one_of(st.text(max_size=10), st.integers(),
                      st.floats(allow_nan=False, allow_infinity=False)).filter(
    lambda v: str(v).strip().lower() not in ("true", "false")),
    key=st.sampled_from(["ScheduleConfigured", "ScheduleEnabled", "GfsRetentionPolicy"]),
    as_xml=st.booleans())
def test_job_edits_with_a_flag_that_is_not_boolean_get_400(shared, flag, key, as_xml):
    client, auth, runtime = shared
    job = next(j for j in JOBS.rows(runtime.store) if j.job_type == "Backup")
    before = (job.description, job.schedule_configured, job.schedule_enabled)
    url = f"/api/jobs/{job.id}?action=edit"
    if as_xml:
        from xml.sax.saxutils import escape
        text = "".join(c for c in str(flag) if c.isprintable())
        assume(text.strip().lower() not in ("true", "false"))
        text = escape(text)
        response = client.put(url, headers={**auth, **XML_BODY}, content=(
            f"<Job {NS}><Description>changed</Description><{key}>{text}</{key}></Job>"))
    else:
        response = client.put(url, headers={**auth, **JSON},
                              json={"Description": "changed", key: flag})
    assert response.status_code == 400, response.text
    assert key in error_of(response)["Message"]
    assert (job.description, job.schedule_configured, job.schedule_enabled) == before
