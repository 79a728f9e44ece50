"""The vendor quirks that clients depend on, reproduced on purpose (spec section 21)."""

from __future__ import annotations

import json
import re

from em_mock.families.jobs.model import BACKUP_TASKS, REPLICA_SESSIONS
from tests.helpers import JSON, SAMPLES, Q, xml


def _get(client, auth, path):
    response = client.get(path, headers={**auth, **JSON})
    assert response.status_code == 200, response.text[:300]
    return response.json()


def test_overview_keeps_the_lastest_spelling(client, auth):
    body = _get(client, auth, "/api/reports/summary/overview")
    assert list(body) == [
        "BackupServers", "ProxyServers", "RepositoryServers", "RunningJobs", "ScheduledJobs",
        "SuccessfulVmLastestStates", "WarningVmLastestStates", "FailedVmLastestStates",
        "Links", "Href", "Type"]


def test_job_statistics_keeps_warnings_job_runs(client, auth):
    body = _get(client, auth, "/api/reports/summary/job_statistics")
    assert "WarningsJobRuns" in body and "WarningJobRuns" not in body


def test_backed_up_vms_versus_backuped_vms(client, auth):
    assert "BackedUpVms" in _get(client, auth, "/api/reports/summary/vms_overview")
    days = _get(client, auth, "/api/reports/summary/processed_vms")["Days"]
    assert list(days[0]) == ["Timestamp", "ReplicatedVms", "BackupedVms"]


def test_entities_container_keeps_the_vendors_typos(client, auth):
    body = _get(client, auth, "/api/query?type=Repository&format=Entities")
    keys = list(body["Entities"])
    sample = json.loads((SAMPLES / "backup_jobs_sessions_metrics_v12.json").read_text())
    assert keys == list(sample["Entities"])
    for typo in ("EnterpiseRoles", "EnterpiseAccounts", "AgentBackupJob", "NASJobs"):
        assert typo in keys


def test_summary_link_names_differ_from_their_paths(client, auth):
    links = {lk["Name"]: lk["Href"] for lk in _get(client, auth, "/api/reports/summary")["Links"]}
    assert links["Repositories"].endswith("/api/reports/summary/repository")
    assert links["VmsOverview"].endswith("/api/reports/summary/vms_overview")


def test_mixed_case_report_paths_work(client, auth):
    for path in ("Overview", "Vms_Overview", "Job_Statistics", "Repository", "Processed_Vms"):
        assert client.get(f"/api/reports/summary/{path}", headers=auth).status_code == 200
    assert client.get("/api/reports/summary/statistics", headers=auth).status_code == 404


def test_finished_task_sessions_are_completed_not_stopped(client, auth, runtime):
    states = {t.state for t in BACKUP_TASKS.rows(runtime.store)}
    assert "Completed" in states and "Stopped" not in states
    body = _get(client, auth, "/api/query?type=BackupTaskSession&format=Entities&pageSize=5"
                "&filter=State==Completed")
    assert {t["State"] for t in body["Entities"]["BackupTaskSessions"]["BackupTaskSessions"]} == {
        "Completed"}


def test_finished_immediate_copy_parent_reports_progress_zero(client, auth):
    body = _get(client, auth, "/api/query?type=BackupJobSession&format=Entities&pageSize=3"
                "&filter=JobType==ImmediateBackupCopy;State==Stopped;Result==Success")
    items = body["Entities"]["BackupJobSessions"]["BackupJobSessions"]
    assert items and all(i["Progress"] == 0 for i in items)
    workers = _get(client, auth, "/api/query?type=BackupJobSession&format=Entities&pageSize=3"
                   "&filter=JobType==ImmediateBackupCopyWorker;Result==Success")
    assert all(i["Progress"] == 100
               for i in workers["Entities"]["BackupJobSessions"]["BackupJobSessions"])


def test_running_session_has_result_none(client, auth):
    body = _get(client, auth, "/api/query?type=BackupJobSession&format=Entities"
                "&filter=State!=Stopped")
    items = body["Entities"]["BackupJobSessions"]["BackupJobSessions"]
    assert items and all(i["Result"] == "None" and i["EndTimeUTC"] is None for i in items)


def test_stopped_sessions_still_carry_a_stop_link(client, auth):
    body = _get(client, auth, "/api/query?type=BackupJobSession&format=Entities&pageSize=1"
                "&filter=State==Stopped")
    links = body["Entities"]["BackupJobSessions"]["BackupJobSessions"][0]["Links"]
    stop = [lk for lk in links if lk["Rel"] == "Stop"]
    assert stop and stop[0]["Href"].endswith("?action=stop")
    assert stop[0]["Type"] is None and stop[0]["Name"] is None


def test_object_storage_reports_minus_one_and_the_report_row_zero(client, auth):
    repos = _get(client, auth, "/api/repositories?format=Entity")["Repositories"]
    s3 = [r for r in repos if r["Kind"] == "AmazonS3Compatible"]
    assert s3 and (s3[0]["Capacity"], s3[0]["FreeSpace"]) == (-1, -1)
    assert all(r["Capacity"] != 0 for r in repos)
    periods = _get(client, auth, "/api/reports/summary/repository")["Periods"]
    row = next(p for p in periods if p["Name"] == s3[0]["Name"])
    assert (row["Capacity"], row["FreeSpace"], row["BackupSize"]) == (-1, -1, 0)


def test_discovered_computer_href_points_under_backup_task_sessions(client, auth, runtime):
    body = _get(client, auth, "/api/agents/discoveredComputers?format=Entity")
    computer = body["DiscoveredComputers"][0]
    guid = computer["UID"].split(":")[3]
    assert computer["Href"].endswith(f"/api/backupTaskSessions/{guid}?format=Entity")
    alternate = computer["Links"][1]
    assert alternate["Rel"] == "Alternate"
    assert alternate["Href"].endswith(f"/api/agents/discoveredComputers/{guid}")
    assert client.get(alternate["Href"], headers=auth).status_code == 200
    assert client.get(f"/api/backupTaskSessions/{guid}", headers=auth).status_code == 404


def test_linux_agents_carry_the_agent_for_windows_prefix(client, auth):
    computers = _get(client, auth, "/api/agents/discoveredComputers?format=Entity")[
        "DiscoveredComputers"]
    linux = [c for c in computers if "Linux" in c["OsVersion"] or "Ubuntu" in c["OsVersion"]]
    assert linux
    assert all(c["HierarchyObjRef"].startswith("urn:AgentForWindows:VeeamAgent:") for c in linux)


def test_misspelt_replica_task_path_answers_too(client, auth, runtime):
    session = REPLICA_SESSIONS.rows(runtime.store)[-2]
    good = client.get(f"/api/replicaSessions/{session.id}/replicaTaskSessions", headers=auth)
    bad = client.get(f"/api/replicaSessions/{session.id}/repicaTaskSessions", headers=auth)
    assert good.status_code == bad.status_code == 200
    assert good.content == bad.content


def test_platform_is_hyperv_in_queries_and_custom_platform_for_copy_jobs(client, auth):
    copy = _get(client, auth, "/api/query?type=Job&format=Entities"
                "&filter=JobType==ImmediateBackupCopy")["Entities"]["Jobs"]["Jobs"]
    assert copy and {j["Platform"] for j in copy} == {"CustomPlatform"}
    assert client.get("/api/query?type=Job&filter=Platform==Hyperv",
                      headers=auth).status_code == 200
    assert client.get("/api/query?type=Job&filter=Platform==HyperVisor",
                      headers=auth).status_code == 400


def test_restore_points_are_related_links_with_sql_short_dates(client, auth):
    body = _get(client, auth, "/api/query?type=BackupJobSession&format=Entities&pageSize=1000"
                "&filter=JobType==Backup;Result==Success")
    links = [lk for s in body["Entities"]["BackupJobSessions"]["BackupJobSessions"]
             for lk in s["Links"] if lk["Type"] == "RestorePointReference"]
    assert links and all(lk["Rel"] == "Related" for lk in links)
    short = re.compile(r"^[A-Z][a-z]{2} [ 1-3]\d \d{4} [ 1]\d:\d{2}[AP]M$")
    assert all(short.match(lk["Name"]) for lk in links), links[0]["Name"]
    assert any("  " in lk["Name"] for lk in links)
    assert client.get(links[0]["Href"], headers=auth).status_code == 200


def test_sql_short_date_pads_day_and_hour_with_spaces():
    from em_mock.core.times import parse_instant_ms
    from em_mock.families.restore.points import sql_short_date

    assert sql_short_date(parse_instant_ms("2026-06-05T05:34:19.503Z")) == "Jun  5 2026  5:34AM"
    assert sql_short_date(parse_instant_ms("2026-06-15T17:04:00Z")) == "Jun 15 2026  5:04PM"
    assert sql_short_date(parse_instant_ms("2026-12-25T00:30:00Z")) == "Dec 25 2026 12:30AM"


def test_copy_worker_job_name_joins_copy_source_and_server(client, auth):
    body = _get(client, auth, "/api/query?type=BackupJobSession&format=Entities&pageSize=1"
                "&filter=JobType==ImmediateBackupCopyWorker")
    worker = body["Entities"]["BackupJobSessions"]["BackupJobSessions"][0]
    server = worker["Links"][0]["Name"]
    assert re.match(rf"^.+ Backup Copy Job\\.+ Backup Job \d - {re.escape(server)}$",
                    worker["JobName"]), worker["JobName"]


def test_report_links_are_the_vendors_constants(client, auth):
    assert _get(client, auth, "/api/reports/summary/vms_overview")["ProtectedVmsReportLink"] == (
        "Workspace/ViewReport.aspx?definition=8a56d84f-1790-4f54-ab20-2e0bfdefa16b&ShowParams=1")
    assert "7962844d-db6c-4d29-8b6e-4e0f7db0785f" in _get(
        client, auth, "/api/reports/summary/job_statistics")["BackupJobStatusReportLink"]
    root = xml(client.get("/api/reports/summary/repository", headers=auth).content)
    assert "62221565-102c-4ec8-851b-d61c03d972d1" in root.get("CapacityPlanningReportLink")
    assert [e.tag for e in root] == [Q + "Period"] * len(root)


def test_only_the_summary_logon_link_has_a_name(client):
    response = client.post("/api/sessionMngr/?v=latest",
                           headers={"Authorization": "Basic dmVlYW06dmVlYW0=", **JSON})
    named = [lk for lk in response.json()["Links"] if lk["Name"] is not None]
    assert [(lk["Type"], lk["Name"]) for lk in named] == [("Report", "Summary")]
