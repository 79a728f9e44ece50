"""Job actions clone, sync and toggleScheduleEnabled, end to end on the wire (XML and JSON),
with the mock clock moved through ``/mock/clock``."""

from __future__ import annotations

from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from em_mock.core.times import parse_instant_ms
from em_mock.families.infrastructure.model import REPOSITORIES
from em_mock.families.jobs.model import BACKUP_SESSIONS, JOBS
from tests.families.jobs.test_backup_side import (
    NS,
    XML_BODY,
    _advance,
    _json,
    _query,
    _result,
    _round_trip,
    _task,
    shared,
)
from tests.helpers import JSON, Q, error_of, xml

__all__ = ["shared"]  # the module-scoped app of test_backup_side, for the refused bodies


def _job(runtime, job_type, idle=True):
    return next(j for j in JOBS.rows(runtime.store) if j.job_type == job_type and (
        not idle or all(s.job is not j or s.state == "Stopped"
                        for s in BACKUP_SESSIONS.rows(runtime.store))))


def _repo(runtime, job):
    return next(r for r in REPOSITORIES.rows(runtime.store) if r.backup_server is job.backup_server)


def _entity(client, auth, job_id):
    return _json(client, auth, f"/api/jobs/{job_id}?format=Entity")


def _post(client, auth, job_id, action, as_xml=False, **kwargs):
    headers = {**auth, **(XML_BODY if as_xml else JSON)}
    return client.post(f"/api/jobs/{job_id}?action={action}", headers=headers, **kwargs)


# --- links --------------------------------------------------------------------------------


def test_job_entities_link_clone_toggle_and_for_copy_jobs_sync(client, auth, runtime):
    backup = _job(runtime, "Backup", idle=False)
    links = _entity(client, auth, backup.id)["Links"]
    assert [lk["Rel"] for lk in links][-4:] == ["Edit", "Create", "Clone",
                                                "ToggleScheduleEnabled"]
    assert links[-2]["Href"].endswith(f"/jobs/{backup.id}?action=clone")
    copy = _job(runtime, "ImmediateBackupCopy", idle=False)
    root = xml(client.get(f"/api/jobs/{copy.id}?format=Entity", headers=auth).content)
    rels = [(lk.get("Rel"), lk.get("Href").rsplit("/", 1)[1])
            for lk in root.find(Q + "Links")]
    assert ("Sync", f"{copy.id}?action=sync") in rels
    assert rels[-4:][0][0] == "Down" and rels[-5][0] == "Sync"


# --- toggleScheduleEnabled ----------------------------------------------------------------


def test_toggle_schedule_turns_it_off_and_on_and_next_run_follows(client, auth, runtime):
    job = _job(runtime, "Backup", idle=False)
    assert _entity(client, auth, job.id)["ScheduleEnabled"] is True
    task = _task(_post(client, auth, job.id, "toggleScheduleEnabled"))
    assert (task["State"], task["Operation"]) == ("Running", "ToggleScheduleEnabled")
    off = _entity(client, auth, job.id)
    assert (off["ScheduleEnabled"], off.get("NextRun")) == (False, None)
    found = _query(client, auth, type="Job", filter=f'Name=="{job.name}";ScheduleEnabled==false')
    assert len(found["Refs"]["Refs"]) == 1
    again = _task(client.post(f"/api/jobs/{job.id}?action=TOGGLESCHEDULEENABLED", headers=auth))
    assert again["Operation"] == "ToggleScheduleEnabled"
    root = xml(client.get(f"/api/jobs/{job.id}?format=Entity", headers=auth).content)
    assert root.findtext(Q + "ScheduleEnabled") == "true"
    next_run = parse_instant_ms(root.findtext(Q + "NextRun") or "")
    assert next_run is not None
    now = runtime.clock.now_ms()
    assert now < next_run <= now + 86_400_000 and next_run % 86_400_000 == 22 * 3_600_000
    _advance(client, 5)
    assert _result(client, auth, task["TaskId"])["Success"] is True


def test_toggle_is_refused_for_a_job_without_a_schedule(client, auth, runtime):
    job = _job(runtime, "Backup", idle=False)
    client.put(f"/api/jobs/{job.id}?action=edit", headers={**auth, **JSON},
               json={"ScheduleConfigured": False})
    task = _task(_post(client, auth, job.id, "toggleScheduleEnabled"))
    _advance(client, 5)
    result = _result(client, auth, task["TaskId"])
    assert result["Success"] is False and "no schedule" in result["Message"]
    assert _entity(client, auth, job.id)["ScheduleEnabled"] is True


# --- sync ---------------------------------------------------------------------------------


@pytest.mark.parametrize("job_type", ["ImmediateBackupCopy", "BackupCopy"])
def test_sync_starts_a_copy_run_on_the_clock(client, auth, runtime, job_type):
    job = _job(runtime, "ImmediateBackupCopy")
    job.job_type = job_type  # the seeded copy jobs are immediate; fixtures may hold others
    runtime.store.changed()
    task = _task(_post(client, auth, job.id, "sync", as_xml=True))
    assert (task["State"], task["Operation"]) == ("Running", "SyncJob")
    twice = _task(_post(client, auth, job.id, "sync"))
    for _ in range(6):  # (a logon session expires after 15 idle minutes)
        _advance(client, 600)
        done = _json(client, auth, f"/api/tasks/{task['TaskId']}")
    assert done["Result"]["Success"] is True
    session = _json(client, auth, done["Links"][1]["Href"])
    assert (session["JobType"], session["JobName"], session["State"]) == (
        job_type, job.name, "Stopped")
    refused = _result(client, auth, twice["TaskId"])
    assert refused["Success"] is False and "already running" in refused["Message"]


@pytest.mark.parametrize("job_type", ["Backup", "Replica"])
def test_sync_is_refused_for_jobs_that_are_not_backup_copy_jobs(shared, job_type):
    client, auth, runtime = shared
    job = _job(runtime, job_type, idle=False)
    response = _post(client, auth, job.id, "sync")
    assert response.status_code == 400
    assert "only backup copy jobs" in error_of(response)["Message"]


# --- clone --------------------------------------------------------------------------------


def test_clone_a_backup_job_in_xml(client, auth, runtime):
    job = _job(runtime, "Backup", idle=False)
    repo = _repo(runtime, job)
    body = (f"<JobCloneSpec {NS}><BackupJobCloneInfo><JobName>Clone of it</JobName>"
            "<FolderName>Clone of it</FolderName>"
            f"<RepositoryUid>urn:veeam:Repository:{repo.id}</RepositoryUid>"
            "<Description>cloned</Description></BackupJobCloneInfo></JobCloneSpec>")
    task = _task(_post(client, auth, job.id, "clone", as_xml=True, content=body))
    assert (task["State"], task["Operation"]) == ("Running", "CloneJob")
    _advance(client, 5)
    done = xml(client.get(f"/api/tasks/{task['TaskId']}", headers=auth).content)
    related = done.find(Q + "Links")[1]
    assert (related.get("Rel"), related.get("Type"), related.get("Name")) == (
        "Related", "Job", "Clone of it")
    clone = xml(client.get(related.get("Href"), headers=auth).content)
    assert clone.tag == Q + "Job" and clone.get("Name") == "Clone of it"
    assert clone.findtext(Q + "JobType") == "Backup"
    assert clone.findtext(Q + "Description") == "cloned"
    clone_id = clone.get("UID").rsplit(":", 1)[1]
    assert clone_id != job.id
    includes = _json(client, auth, f"/api/jobs/{clone_id}/includes")["ObjectsInJob"]
    assert [i["HierarchyObjRef"] for i in includes] == [vm.uid for vm in job.vms]
    listed = _json(client, auth, "/api/jobs")["Refs"]
    assert any(r["Name"] == "Clone of it" for r in listed)
    found = _query(client, auth, type="Job", filter='Name=="Clone of it"')["Refs"]["Refs"]
    assert [r["UID"] for r in found] == [f"urn:veeam:Job:{clone_id}"]
    server_jobs = _json(client, auth, f"/api/backupServers/{job.backup_server.id}/jobs")["Refs"]
    assert "Clone of it" in [r["Name"] for r in server_jobs]
    _round_trip(runtime)


@pytest.mark.parametrize(("job_type", "info"), [
    ("Replica", {"VmSuffix": "_replica"}),
    ("BackupCopy", {"JobFileName": "copy file"}),
    ("ImmediateBackupCopy", {"JobFileName": "copy file"}),
])
def test_clone_other_job_types_in_json(client, auth, runtime, job_type, info):
    job = _job(runtime, "ImmediateBackupCopy" if job_type == "BackupCopy" else job_type,
               idle=False)
    job.job_type = job_type  # the seeded copy jobs are immediate; fixtures may hold others
    fields = {"JobName": "Cloned", **info}
    if job_type != "Replica":
        fields["RepositoryUid"] = f"urn:veeam:Repository:{_repo(runtime, job).id}"
    wrapper = {"Replica": "ReplicaJobCloneInfo", "BackupCopy": "BackupCopyJobCloneInfo",
               "ImmediateBackupCopy": "ImmediateBackupCopyJobCloneInfo"}[job_type]
    task = _task(_post(client, auth, job.id, "clone", json={wrapper: fields}))
    _advance(client, 5)
    done = _json(client, auth, f"/api/tasks/{task['TaskId']}")
    clone = _json(client, auth, done["Links"][1]["Href"])
    assert (clone["Name"], clone["JobType"], clone["Description"]) == (
        "Cloned", job_type, job.description)
    if job.is_copy:
        linked = _json(client, auth, clone["Href"].split("?")[0] + "/linkedJobs")
        assert [i["LinkedJobUid"] for i in linked["LinkedJobResourceObjects"]] == [
            f"urn:veeam:Job:{s.id}" for s in job.sources]
    _round_trip(runtime)


def _clone_fields(runtime, job):
    return {"JobName": "New clone", "FolderName": "f",
            "RepositoryUid": f"urn:veeam:Repository:{_repo(runtime, job).id}"}


@pytest.mark.parametrize(("change", "words"), [
    ({"JobName": None}, "needs JobName"),
    ({"JobName": "   "}, "needs JobName"),
    ({"FolderName": None}, "needs FolderName"),
    ({"RepositoryUid": None}, "needs RepositoryUid"),
    ({"JobName": "x" * 51}, "up to 50 characters"),
    ({"RepositoryUid": "urn:veeam:Repository:00000000-0000-0000-0000-000000000000"},
     "no repository"),
    ({"RepositoryUid": "urn:veeam:Job:00000000-0000-0000-0000-000000000000"},
     "not a Repository UID"),
    ({"VmSuffix": "_r"}, "unknown elements"),
    ({"JobName": {"Text": "x"}}, "must be text"),
])
def test_bad_clone_bodies_get_400(shared, change, words):
    client, auth, runtime = shared
    job = _job(runtime, "Backup", idle=False)
    fields = {k: v for k, v in {**_clone_fields(runtime, job), **change}.items()
              if v is not None}
    before = len(JOBS.rows(runtime.store))
    response = _post(client, auth, job.id, "clone", json={"BackupJobCloneInfo": fields})
    assert response.status_code == 400, response.text
    assert words in error_of(response)["Message"]
    assert len(JOBS.rows(runtime.store)) == before


def test_clone_refuses_a_taken_name_a_foreign_repository_and_the_wrong_info(shared):
    client, auth, runtime = shared
    job = _job(runtime, "Backup", idle=False)
    other = next(j for j in JOBS.rows(runtime.store)
                 if j is not job and j.backup_server is job.backup_server)
    fields = {**_clone_fields(runtime, job), "JobName": other.name.upper()}
    taken = _post(client, auth, job.id, "clone", json={"BackupJobCloneInfo": fields})
    assert taken.status_code == 400 and "already has a job named" in error_of(taken)["Message"]
    foreign = next((r for r in REPOSITORIES.rows(runtime.store)
                    if r.backup_server is not job.backup_server), None)
    if foreign is not None:
        fields = {**_clone_fields(runtime, job), "RepositoryUid": foreign.id}
        refused = _post(client, auth, job.id, "clone", json={"BackupJobCloneInfo": fields})
        assert refused.status_code == 400 and "not on the job's" in error_of(refused)["Message"]
    body = (f"<JobCloneSpec {NS}><ReplicaJobCloneInfo><JobName>x</JobName>"
            "<VmSuffix>_r</VmSuffix></ReplicaJobCloneInfo></JobCloneSpec>")
    wrong = _post(client, auth, job.id, "clone", as_xml=True, content=body)
    assert wrong.status_code == 400 and "BackupJobCloneInfo" in error_of(wrong)["Message"]
    empty = _post(client, auth, job.id, "clone", as_xml=True, content=b"")
    assert empty.status_code == 400 and "JobCloneSpec" in error_of(empty)["Message"]


_KEYS = st.sampled_from(["JobName", "FolderName", "RepositoryUid", "Description", "VmSuffix",
                         "Other"])
_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)


@settings(max_examples=30, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture])
@given(fields=st.dictionaries(_KEYS, st.one_of(_TEXT, st.integers(), st.none()), max_size=5),
       wrapper=st.sampled_from(["BackupJobCloneInfo", "ReplicaJobCloneInfo", None]),
       as_xml=st.booleans())
def test_random_clone_bodies_get_400_and_change_nothing(shared, fields, wrapper, as_xml):
    """No random body names an existing repository of the job's server, so each is refused
    with a 400 and no job appears."""
    client, auth, runtime = shared
    job = _job(runtime, "Backup", idle=False)
    before = [j.id for j in JOBS.rows(runtime.store)]
    if as_xml:
        inner = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in fields.items()
                        if v is not None)
        body = inner if wrapper is None else f"<{wrapper}>{inner}</{wrapper}>"
        response = _post(client, auth, job.id, "clone", as_xml=True,
                         content=f"<JobCloneSpec {NS}>{body}</JobCloneSpec>")
    else:
        response = _post(client, auth, job.id, "clone",
                         json=fields if wrapper is None else {wrapper: fields})
    assert response.status_code == 400, response.text
    assert error_of(response)["StatusCode"] == 400
    assert [j.id for j in JOBS.rows(runtime.store)] == before


@settings(max_examples=25, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture])
@given(name=st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=60),
       as_xml=st.booleans())
def test_clone_names_make_a_job_or_a_400_that_changes_nothing(client, auth, runtime, name,
                                                              as_xml):
    """With a valid repository, a clone either answers 202 and the job lists under the
    stripped name, or (blank, too long, taken) 400 and the jobs stay as they were."""
    job = _job(runtime, "Backup", idle=False)
    before = [(j.id, j.name) for j in JOBS.rows(runtime.store)]
    fields = {**_clone_fields(runtime, job), "JobName": name}
    if as_xml:
        inner = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields.items())
        response = _post(client, auth, job.id, "clone", as_xml=True, content=(
            f"<JobCloneSpec {NS}><BackupJobCloneInfo>{inner}</BackupJobCloneInfo>"
            "</JobCloneSpec>"))
    else:
        response = _post(client, auth, job.id, "clone", json={"BackupJobCloneInfo": fields})
    after = [(j.id, j.name) for j in JOBS.rows(runtime.store)]
    if response.status_code == 202:
        assert after[:-1] == before and after[-1][1] == name.strip()
        assert 0 < len(name.strip()) <= 50
        found = _query(client, auth, type="Job", filter=f"UID=={after[-1][0]}")["Refs"]["Refs"]
        assert [r["Name"] for r in found] == [name.strip()]
    else:
        assert response.status_code == 400, response.text
        assert error_of(response)["StatusCode"] == 400 and after == before
