"""Shapes of the resources monitoring clients read (spec sections 10-18)."""

from __future__ import annotations

import pytest

from em_mock import Settings, create_app
from em_mock.core.runtime import Runtime
from em_mock.families.infrastructure.model import REPOSITORIES, SERVERS
from em_mock.families.jobs.model import BACKUP_SESSIONS, BACKUP_TASKS, JOBS, REPLICA_SESSIONS
from tests.conftest import EPOCH_MS
from tests.helpers import JSON, Q, xml

DAY_MS = 86_400_000


def _get(client, auth, path):
    response = client.get(path, headers={**auth, **JSON})
    assert response.status_code == 200, response.text[:300]
    return response.json()


def test_backup_job_session_entity_key_order_and_links(client, auth):
    items = _get(client, auth, "/api/backupSessions?format=Entity")["BackupJobSessions"]
    session = next(i for i in items if i["JobType"] == "Backup" and i["Result"] == "Success")
    assert list(session) == [
        "IsRetry", "JobUid", "JobName", "JobType", "CreationTimeUTC", "EndTimeUTC", "State",
        "Result", "Progress", "FailureMessage", "Name", "UID", "Links", "Href", "Type"]
    rels = [(lk["Rel"], lk["Type"]) for lk in session["Links"]]
    assert rels[:5] == [("Up", "BackupServerReference"), ("Up", "JobReference"),
                        ("Alternate", "BackupJobSessionReference"),
                        ("Down", "BackupTaskSessionReferenceList"), ("Stop", None)]
    assert session["Name"] == f"{session['JobName']}@" + session["CreationTimeUTC"][:19].replace(
        "T", " ")
    root = xml(client.get(session["Href"], headers=auth).content)
    assert [c.tag.removeprefix(Q) for c in root][-1] == "IsRetry"


def test_session_collections_list_the_last_30_days(client, auth, runtime):
    cut = EPOCH_MS - 30 * DAY_MS
    for path, rows in (("backupSessions", BACKUP_SESSIONS.rows(runtime.store)),
                       ("replicaSessions", REPLICA_SESSIONS.rows(runtime.store)),
                       ("backupTaskSessions", BACKUP_TASKS.rows(runtime.store))):
        refs = _get(client, auth, f"/api/{path}")["Refs"]
        assert len(refs) == sum(r.creation_ms >= cut for r in rows) < len(rows), path


def test_task_sessions_of_a_session(client, auth, runtime):
    session = BACKUP_SESSIONS.rows(runtime.store)[-3]
    body = _get(client, auth, f"/api/backupSessions/{session.id}/taskSessions?format=entity")
    tasks = body["BackupTaskSessions"]
    assert [t["VmDisplayName"] for t in tasks] == [t.vm_name for t in session.tasks]
    task = tasks[0]
    assert list(task) == ["JobSessionUid", "CreationTimeUTC", "EndTimeUTC", "State", "Result",
                          "Reason", "TotalSize", "VmUid", "VmDisplayName", "Name", "UID",
                          "Links", "Href", "Type"]
    assert task["JobSessionUid"] == f"urn:veeam:BackupJobSession:{session.id}"
    assert task["Links"][0]["Type"] == "BackupServerReference"
    assert task["Links"][1]["Type"] == "BackupJobSessionReference"


def test_failed_tasks_have_a_reason_and_no_size(client, auth):
    body = _get(client, auth, "/api/query?type=BackupTaskSession&format=Entities"
                "&filter=Result==Failed&pageSize=10")
    tasks = body["Entities"]["BackupTaskSessions"]["BackupTaskSessions"]
    assert tasks and all(t["Reason"] and t["TotalSize"] == 0 for t in tasks)
    ok = _get(client, auth, "/api/query?type=BackupTaskSession&format=Entities&pageSize=5"
              "&filter=Result==Success;JobName!=zzz")
    assert all(t["Reason"] == "" for t in ok["Entities"]["BackupTaskSessions"][
        "BackupTaskSessions"])


def test_empty_reason_is_an_empty_element_in_xml(client, auth, runtime):
    task = next(t for t in BACKUP_TASKS.rows(runtime.store) if t.reason == "")
    root = xml(client.get(f"/api/backupTaskSessions/{task.id}?format=Entity",
                          headers=auth).content)
    reason = root.find(Q + "Reason")
    assert reason is not None and not reason.text
    assert root.get("VmDisplayName") == task.vm_name


def test_fresh_sessions_within_the_last_day_and_a_running_one(runtime):
    rows = BACKUP_SESSIONS.rows(runtime.store)
    recent = [s for s in rows if s.creation_ms >= EPOCH_MS - DAY_MS]
    assert len(recent) >= 10
    assert any(s.state != "Stopped" and s.result == "None" for s in rows)
    assert any(s.is_retry for s in rows)


def test_job_entity_and_includes(client, auth, runtime):
    job = next(j for j in JOBS.rows(runtime.store) if j.job_type == "Backup")
    body = _get(client, auth, f"/api/jobs/{job.id}?format=Entity")
    assert list(body) == ["JobType", "Platform", "Description", "ScheduleConfigured",
                          "ScheduleEnabled", "NextRun", "JobScheduleOptions", "JobInfo", "Name",
                          "UID", "Links", "Href", "Type"]
    rels = [lk["Rel"] for lk in body["Links"]]
    assert rels == ["Up", "Alternate", "Down", "Down", "Start", "Stop", "Retry", "Edit", "Create",
                    "Clone", "ToggleScheduleEnabled"]
    includes = _get(client, auth, f"/api/jobs/{job.id}/includes")["ObjectsInJob"]
    assert [i["Name"] for i in includes] == [vm.name for vm in job.vms]
    assert client.get(includes[0]["Href"], headers=auth).status_code == 200
    # XML: the documented root, one ObjectInJob element per included object.
    root = xml(client.get(f"/api/jobs/{job.id}/includes", headers=auth).content)
    assert root.tag == Q + "ObjectsInJob"
    assert [e.tag for e in root] == [Q + "ObjectInJob"] * len(job.vms)
    sessions = _get(client, auth, f"/api/jobs/{job.id}/backupSessions")["Refs"]
    assert len(sessions) == sum(s.job is job for s in BACKUP_SESSIONS.rows(runtime.store))


def test_repositories_per_server_and_key_order(client, auth, runtime):
    server = SERVERS.rows(runtime.store)[0]
    refs = _get(client, auth, f"/api/backupServers/{server.id}/repositories")["Refs"]
    assert {r["Name"] for r in refs} == {r.name for r in REPOSITORIES.rows(runtime.store)
                                         if r.backup_server is server}
    repo = _get(client, auth, "/api/repositories?format=Entity")["Repositories"][0]
    assert list(repo) == ["Capacity", "FreeSpace", "Kind", "Name", "UID", "Links", "Href",
                          "Type"]
    assert repo["Links"][0]["Name"] == server.name
    for link in repo["Links"][2:]:
        assert client.get(link["Href"], headers=auth).status_code == 200


def test_discovered_computer_key_order_and_group_link(client, auth):
    computer = _get(client, auth, "/api/agents/discoveredComputers?format=Entity")[
        "DiscoveredComputers"][0]
    assert list(computer) == ["HostStatus", "AgentVersion", "AgentStatus", "OsVersion",
                              "IpAddress", "HierarchyObjRef", "Name", "UID", "Links", "Href",
                              "Type"]
    assert [lk["Type"] for lk in computer["Links"]] == [
        "BackupServerReference", "DiscoveredComputerReference", "AgentProtectionGroupReference"]
    assert " " not in computer["UID"]


def test_replica_sessions_and_tasks(client, auth, runtime):
    session = next(s for s in REPLICA_SESSIONS.rows(runtime.store) if s.result == "Success")
    body = _get(client, auth, f"/api/replicaSessions/{session.id}?format=Entity")
    assert body["JobType"] == "Replica"
    assert [lk["Rel"] for lk in body["Links"]] == ["Up", "Up", "Alternate", "Down"]
    tasks = _get(client, auth, "/api/replicaTaskSessions?format=Entity")["ReplicaTaskSessions"]
    assert tasks and tasks[0]["Type"] == "ReplicaTaskSession"
    related = [lk for t in tasks for lk in t["Links"] if lk["Rel"] == "Related"]
    assert related and client.get(related[0]["Href"], headers=auth).status_code == 200


@pytest.mark.parametrize("query_type", ["BackupJobSession", "BackupTaskSession", "Job",
                                        "Repository", "ReplicaJobSession", "ReplicaTaskSession",
                                        "DiscoveredComputer"])
def test_new_query_types_answer_with_their_container(client, auth, query_type, runtime):
    body = _get(client, auth, f"/api/query?type={query_type}&format=Entities&pageSize=3")
    plural = {"Repository": "Repositories"}.get(query_type, query_type + "s")
    items = body["Entities"][plural][plural]
    assert isinstance(items, list) and items
    assert [k for k, v in body["Entities"].items() if v is not None] == [plural]


def test_clients_filters_work(client, auth, runtime):
    job = JOBS.rows(runtime.store)[0]
    cases = [
        ("BackupJobSession", 'CreationTime>="2026-06-14T21:07:25"'),
        ("BackupJobSession", "creationtime>\"2026-06-14T10:00:00Z\""),
        ("BackupJobSession", f'jobname=="{job.name}";(result=="Success",result=="Warning");'
                             'creationtime>"2026-06-14T23:09:26.173Z"'),
        ("Job", f'name=="{job.name}"'),
        ("Repository", "FreeSpace<107374182400000"),
        ("BackupTaskSession", f'Result==Failed;VmDisplayName=="{job.vms[0].name}"'),
    ]
    for query_type, text in cases:
        response = client.get("/api/query", params={"type": query_type, "filter": text},
                              headers=auth)
        assert response.status_code == 200, (text, response.text)


def test_reports_add_up(client, auth, runtime):
    stats = _get(client, auth, "/api/reports/summary/job_statistics")
    assert stats["TotalJobRuns"] == (stats["SuccessfulJobRuns"] + stats["WarningsJobRuns"]
                                     + stats["FailedJobRuns"]) > 0
    assert stats["MaxJobDuration"] == max(stats["MaxBackupJobDuration"],
                                          stats["MaxReplicaJobDuration"])
    assert stats["ScheduledJobs"] == stats["ScheduledBackupJobs"] + stats["ScheduledReplicaJobs"]
    assert stats["RunningJobs"] == 1
    overview = _get(client, auth, "/api/reports/summary/overview")
    assert overview["BackupServers"] == len(SERVERS.rows(runtime.store))
    assert overview["RunningJobs"] == stats["RunningJobs"]
    for row in _get(client, auth, "/api/reports/summary/repository")["Periods"]:
        if row["Capacity"] >= 0:
            assert row["BackupSize"] == row["Capacity"] - row["FreeSpace"]
    days = _get(client, auth, "/api/reports/summary/processed_vms")["Days"]
    assert len(days) == 7 and days[0]["Timestamp"] > days[1]["Timestamp"]
    assert days[0]["Timestamp"].endswith("T00:00:00Z")
    vms = _get(client, auth, "/api/reports/summary/vms_overview")
    assert 0 <= vms["SuccessBackupPercents"] <= 100
    assert vms["ProtectedVms"] >= vms["BackedUpVms"] > 0


def test_job_start_runs_on_the_clock_and_links_its_session(client, auth, runtime):
    job = next(j for j in JOBS.rows(runtime.store)
               if j.job_type == "Backup" and
               not any(s.job is j and s.state != "Stopped"
                       for s in BACKUP_SESSIONS.rows(runtime.store)))
    task = client.post(f"/api/jobs/{job.id}?action=start", headers={**auth, **JSON})
    assert task.status_code == 202
    assert task.json()["State"] == "Running" and task.json()["Operation"] == "StartJob"
    again = client.post(f"/api/jobs/{job.id}?action=start", headers={**auth, **JSON})
    runtime.clock.advance(600)
    done = _get(client, auth, f"/api/tasks/{task.json()['TaskId']}")
    assert done["State"] == "Finished" and done["Result"]["Success"] is True
    session = _get(client, auth, done["Links"][1]["Href"])
    assert session["State"] == "Stopped" and session["JobName"] == job.name
    refused = _get(client, auth, f"/api/tasks/{again.json()['TaskId']}")
    assert refused["Result"]["Success"] is False and "already running" in refused[
        "Result"]["Message"]


def test_stop_ends_a_running_session_as_failed(client, auth, runtime):
    running = next(s for s in BACKUP_SESSIONS.rows(runtime.store) if s.state != "Stopped")
    task = client.post(f"/api/backupSessions/{running.id}?action=stop", headers={**auth, **JSON})
    assert task.status_code == 202 and task.json()["Operation"] == "StopJobSession"
    body = _get(client, auth, f"/api/backupSessions/{running.id}?format=Entity")
    assert (body["State"], body["Result"]) == ("Stopped", "Failed")


def test_retry_only_after_a_failure(client, auth, runtime):
    job = next(j for j in JOBS.rows(runtime.store) if j.job_type == "Backup"
               and next(s for s in reversed(BACKUP_SESSIONS.rows(runtime.store))
                        if s.job is j).result != "Failed")
    task = client.post(f"/api/jobs/{job.id}?action=retry", headers={**auth, **JSON}).json()
    runtime.clock.advance(5)
    result = _get(client, auth, f"/api/tasks/{task['TaskId']}")["Result"]
    assert result["Success"] is False


def test_em13_profile_camel_cases_keys_and_uses_microseconds_and_upper_hex():
    settings = Settings(epoch=EPOCH_MS, frozen_clock=True, em_version=13)
    from fastapi.testclient import TestClient

    from tests.helpers import logon
    with TestClient(create_app(runtime=Runtime.create(settings)),
                    base_url="http://testserver") as client:
        token = logon(client)
        body = client.get("/api/query?type=BackupJobSession&format=Entities&pageSize=2"
                          "&filter=CreationTime>=2026-06-01",
                          headers={"X-RestSvcSessionId": token, **JSON}).json()
        assert list(body) == ["refs", "entities", "resources", "links", "pagingInfo"]
        item = body["entities"]["backupJobSessions"]["backupJobSessions"][0]
        assert {"isRetry", "jobUid", "creationTimeUTC", "uid", "links"} <= set(item)
        assert item["links"][0]["type"] == "BackupServerReference"
        assert "%3E%3D" in body["pagingInfo"]["links"][0]["href"]
        root = xml(client.get("/api/backupSessions?format=Entity",
                              headers={"X-RestSvcSessionId": token}).content)
        assert root[0].get("Type") == "BackupJobSession"
        assert root[0].find(Q + "JobName") is not None
