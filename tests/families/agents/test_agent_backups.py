"""Veeam Agent backup jobs, their sessions, backups, files and restore points, as a client
sees them on the wire, and the job actions on the mock clock."""

from __future__ import annotations

from typing import Any

import pytest

from em_mock.families.agents.model import AGENT_JOBS, AGENT_POINT_TASKS
from em_mock.families.jobs.model import BACKUP_SESSIONS
from tests.helpers import JSON, Q, error_of, xml


def _get(client: Any, auth: dict[str, str], path: str) -> Any:
    response = client.get(path, headers={**auth, **JSON})
    assert response.status_code == 200, (path, response.text)
    return response.json()


def _links(item: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(lk["Rel"], lk["Type"]) for lk in item["Links"]]


AGENT_LISTS = ("agents/jobs", "agents/agentRestorePoints", "agents/backups",
               "agents/backupFiles", "agents/backupSessions", "agents/restorePoints")


def test_every_agent_list_is_entity_references_with_items_that_answer(reader, shared_app):
    client, auth = reader
    for path in AGENT_LISTS:
        root = xml(client.get(f"/api/{path}", headers=auth).content)
        assert root.tag == Q + "EntityReferences" and len(root) > 0, path
        href = root[0].get("Href")
        assert client.get(href, headers=auth).status_code == 200, href
    body = _get(client, auth, "/api/agents/jobs")
    assert len(body["Refs"]) == len(AGENT_JOBS.rows(shared_app[1].store))


def test_agent_backup_job_entity_fields_links_and_includes(reader):
    client, auth = reader
    xml_job = xml(client.get("/api/agents/jobs?format=Entity", headers=auth).content)[0]
    assert xml_job.tag == Q + "AgentBackupJob"
    job = _get(client, auth, "/api/agents/jobs?format=Entity")["AgentBackupJobs"][0]
    assert list(job)[:8] == ["JobType", "Platform", "Description", "ScheduleConfigured",
                             "ScheduleEnabled", "NextRun", "JobScheduleOptions", "JobInfo"]
    assert job["JobType"] == "AgentBackup"
    assert job["Platform"] in ("AgentForWindows", "AgentForLinux")
    assert [rel for rel, _ in _links(job)] == ["Up", "Alternate", "Down", "ToggleScheduleEnabled",
                                                "Down", "Start", "Stop", "Retry"]
    includes_href = job["Links"][2]["Href"]
    includes = xml(client.get(includes_href, headers=auth).content)
    assert includes.tag == Q + "ObjectsInAgentBackupJob"
    [one] = _get(client, auth, includes_href)["ObjectsInAgentBackupJob"]
    assert one == job["JobInfo"]["Includes"][0]
    assert one["Name"].endswith("Servers")
    single = xml(client.get(one["Href"], headers=auth).content)
    assert single.tag == Q + "ObjectInAgentBackupJob"
    assert single.findtext(Q + "ObjectInJobId") == one["ObjectInJobId"]
    sessions = _get(client, auth, job["Links"][4]["Href"])["Refs"]
    assert sessions and all(s["Type"] == "BackupJobSessionReference" for s in sessions)


def test_every_agent_session_s_restore_points_are_in_its_backup(reader):
    client, auth = reader
    sessions = _get(client, auth, "/api/agents/backupSessions?format=Entity")
    checked = 0
    for session in sessions["BackupJobSessions"][:12]:
        assert session["JobType"] == "AgentBackup"
        job_link = next(lk for lk in session["Links"] if lk["Type"] == "JobReference")
        assert "/api/agents/jobs/" in job_link["Href"]
        job = _get(client, auth, job_link["Href"] + "?format=Entity")
        backup = next(b for b in _get(client, auth, "/api/agents/backups?format=Entity")[
            "Backups"] if b["Name"] == job["Name"])
        assert backup["Platform"] == job["Platform"]
        in_backup = {r["Href"] for r in _get(client, auth, next(
            lk["Href"] for lk in backup["Links"] if lk["Type"] == "RestorePointReferenceList"))[
            "Refs"]}
        for related in (lk for lk in session["Links"] if lk["Rel"] == "Related"):
            assert related["Href"] in in_backup
            checked += 1
    assert checked > 0


def test_agent_restore_point_entity_and_its_links(reader):
    client, auth = reader
    point = _get(client, auth, "/api/agents/agentRestorePoints?format=Entity")[
        "AgentRestorePoints"][0]
    assert list(point)[:3] == ["CreationTimeUTC", "Algorithm", "PointType"]
    assert _links(point) == [
        ("Up", "BackupServerReference"), ("Up", "RestorePointReference"),
        ("Up", "BackupFileReference"), ("Alternate", "AgentRestorePointReference"),
        ("Down", "AgentRestorePointMountList")]
    rp = _get(client, auth, point["Links"][1]["Href"] + "?format=Entity")
    down = [lk for lk in rp["Links"] if lk["Rel"] == "Down"]
    assert [lk["Type"] for lk in down] == ["AgentRestorePointReferenceList",
                                           "BackupFileReferenceList"]
    [back] = _get(client, auth, down[0]["Href"])["Refs"]
    assert back["UID"] == point["UID"]
    file = _get(client, auth, point["Links"][2]["Href"] + "?format=Entity")
    assert file["FileType"] in ("vbk", "vib")
    assert not [lk for lk in file["Links"] if lk["Type"] == "VmRestorePointReferenceList"]


@pytest.mark.parametrize("query,plural", [
    ("AgentBackupJob", "AgentBackupJobs"), ("AgentProtectionGroup", "AgentProtectionGroups"),
    ("AgentRestorePoint", "AgentRestorePoints")])
def test_the_agent_query_types_answer(reader, query, plural):
    client, auth = reader
    body = _get(client, auth, f"/api/query?type={query}&format=Entities")
    assert body["Entities"][plural][plural]


def test_agent_restore_point_query_filters_by_computer_and_backup(reader, shared_app):
    client, auth = reader
    t = AGENT_POINT_TASKS.rows(shared_app[1].store)[0]
    body = _get(client, auth, f"/api/query?type=AgentRestorePoint&format=Entities"
                              f"&filter=ComputerName=={t.vm_name}")
    points = body["Entities"]["AgentRestorePoints"]["AgentRestorePoints"]
    assert points and all(p["Name"].startswith(t.vm_name + "@") for p in points)
    linux = _get(client, auth, "/api/query?type=AgentBackupJob&format=Entities"
                               "&filter=Platform==AgentForLinux")
    assert {j["Platform"] for j in linux["Entities"]["AgentBackupJobs"]["AgentBackupJobs"]} == {
        "AgentForLinux"}


def test_unknown_ids_are_404_errors(reader):
    client, auth = reader
    for path in ("agents/jobs/nope", "agents/jobs/nope/includes",
                 "agents/agentRestorePoints/nope", "agents/agentRestorePoints/nope/mounts",
                 "agents/jobs/nope/backupSessions"):
        response = client.get(f"/api/{path}", headers=auth)
        assert response.status_code == 404, path
        assert error_of(response)["StatusCode"] == 404


def test_unknown_include_is_404(reader, shared_app):
    client, auth = reader
    job = AGENT_JOBS.rows(shared_app[1].store)[0]
    response = client.get(f"/api/agents/jobs/{job.id}/includes/nope", headers={**auth, **JSON})
    assert response.status_code == 404 and "nope" in response.json()["Message"]


def _idle_job(runtime: Any) -> Any:
    return next(j for j in AGENT_JOBS.rows(runtime.store)
                if not any(s.job is j and s.state != "Stopped"
                           for s in BACKUP_SESSIONS.rows(runtime.store)))


def test_start_runs_on_the_clock_and_leaves_an_agent_session_with_points(client, auth, runtime):
    job = _idle_job(runtime)
    before = len(_get(client, auth, f"/api/agents/jobs/{job.id}/backupSessions")["Refs"])
    task = client.post(f"/api/agents/jobs/{job.id}?action=start", headers={**auth, **JSON})
    assert task.status_code == 202
    assert (task.json()["State"], task.json()["Operation"]) == ("Running", "StartJob")
    again = client.post(f"/api/agents/jobs/{job.id}?action=start", headers={**auth, **JSON})
    runtime.clock.advance(600)
    done = _get(client, auth, f"/api/tasks/{task.json()['TaskId']}")
    assert done["State"] == "Finished" and done["Result"]["Success"] is True
    session = _get(client, auth, done["Links"][1]["Href"])
    assert (session["State"], session["JobType"]) == ("Stopped", "AgentBackup")
    assert len(_get(client, auth, f"/api/agents/jobs/{job.id}/backupSessions")["Refs"]) == (
        before + 1)
    refused = _get(client, auth, f"/api/tasks/{again.json()['TaskId']}")
    assert refused["Result"]["Success"] is False
    if session["Result"] != "Failed":
        related = [lk for lk in session["Links"] if lk["Rel"] == "Related"]
        assert related
        for lk in related:
            assert client.get(lk["Href"], headers=auth).status_code == 200
    stop = client.post(f"/api/agents/jobs/{job.id}?action=stop", headers={**auth, **JSON})
    runtime.clock.advance(15)
    refused = _get(client, auth, f"/api/tasks/{stop.json()['TaskId']}")
    assert refused["Result"]["Success"] is False  # nothing runs any more


def test_stop_ends_a_started_run_and_retry_follows_the_failure(client, auth, runtime):
    job = _idle_job(runtime)
    client.post(f"/api/agents/jobs/{job.id}?action=start", headers=auth)
    stop = client.post(f"/api/agents/jobs/{job.id}?action=stop", headers={**auth, **JSON})
    assert stop.status_code == 202
    runtime.clock.advance(15)
    assert _get(client, auth, f"/api/tasks/{stop.json()['TaskId']}")["Result"]["Success"]
    last = _get(client, auth, f"/api/agents/jobs/{job.id}/backupSessions?format=Entity")[
        "BackupJobSessions"][-1]
    assert (last["State"], last["Result"]) == ("Stopped", "Failed")
    retry = client.post(f"/api/agents/jobs/{job.id}?action=retry", headers={**auth, **JSON})
    runtime.clock.advance(600)
    assert _get(client, auth, f"/api/tasks/{retry.json()['TaskId']}")["Result"]["Success"]
    newest = _get(client, auth, f"/api/agents/jobs/{job.id}/backupSessions?format=Entity")[
        "BackupJobSessions"][-1]
    assert newest["IsRetry"] is True


def test_toggle_schedule_enabled_flips_the_flag(client, auth, runtime):
    job = AGENT_JOBS.rows(runtime.store)[0]
    href = f"/api/agents/jobs/{job.id}"
    was = _get(client, auth, href + "?format=Entity")["ScheduleEnabled"]
    task = client.post(href + "?action=toggleScheduleEnabled", headers={**auth, **JSON})
    assert task.status_code == 202
    assert _get(client, auth, href + "?format=Entity")["ScheduleEnabled"] is (not was)
    client.post(href + "?action=toggleScheduleEnabled", headers=auth)
    assert _get(client, auth, href + "?format=Entity")["ScheduleEnabled"] is was


@pytest.mark.parametrize("action", ["", "explode", "restore"])
def test_bad_job_actions_are_400(reader, shared_app, action):
    client, auth = reader
    job = AGENT_JOBS.rows(shared_app[1].store)[0]
    response = client.post(f"/api/agents/jobs/{job.id}?action={action}", headers=auth)
    assert response.status_code == 400 and "action" in error_of(response)["Message"]
    assert client.post("/api/agents/jobs/nope?action=start", headers=auth).status_code == 404


def test_protection_group_entity_has_its_documented_fields(reader):
    client, auth = reader
    group = _get(client, auth, "/api/agents/protectionGroups?format=Entity")[
        "AgentProtectionGroups"][0]
    assert list(group)[:2] == ["RescanScheduleEnabled", "HierarchyObjRef"]
    assert group["HierarchyObjRef"].endswith("." + group["UID"].rpartition(":")[2])
    assert _links(group) == [("Up", "BackupServerReference"),
                             ("Alternate", "AgentProtectionGroupReference"),
                             ("Down", "DiscoveredComputerReferenceList")]
