"""Reading the ``Jobs``, ``JobSessions``, ``FailoverPlans`` and ``SystemSessions`` sections
back from a live server (``em-mock capture``); the agent and NAS job session sections use
:func:`capture_sessions` too.

What each key is read from:

- jobs: the ``Job`` query type (the job's own fields, its server from the ``Up`` link), its
  repository from the ``Backup`` query type (a backup job's backup lies in it; a
  replication job's from the ``Replica`` query type: :func:`_replica_repositories`), its
  VMs from the ``ObjectInJob`` query type, a VM's size from the newest task that moved data
  for it (the size a task reports is the VM's), and a backup copy job's links from its
  ``linkedJobs`` and ``linkedBackupRepositories`` (per copy job: nothing else shows them);
- job sessions: the session query types (``BackupJobSession``, ``ReplicaJobSession``) and
  their tasks from the task session query types, whose ``JobSessionUid`` names their
  session; both filtered to the section's jobs and ``--since``;
- failover plans: the ``FailoverPlan`` query type;
- system sessions: ``/systemSessions`` and each one's ``events``; the list shows the last
  30 days only and nothing else lists them, so the section does not declare this capture
  (older sessions cannot be found) and the capture command may use it for what it shows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from em_mock.core.capture import (
    Walk,
    all_of,
    any_of,
    guid_of,
    link_id,
    link_uid,
    server_uid,
    time_of,
)
from em_mock.core.ids import urn
from em_mock.core.times import format_instant_ms


def job_vm_sizes(walk: Walk, job_id: str, names: list[str], replica: bool,
                 known: dict[str, int] | None = None) -> dict[str, int]:
    """The size of each VM of a job, by name: what the newest task of the job that moved
    data for the VM reports (0 when none did); ``known`` sizes are not looked up."""
    task_type = "ReplicaTaskSession" if replica else "BackupTaskSession"
    sizes = dict(known or {})
    for name in dict.fromkeys(names):
        if sizes.get(name):
            continue
        task = walk.first(task_type, all_of(f'JobUid=="{job_id}"', any_of("VmDisplayName", [name]),
                                            "TotalSize>0"), sort_desc="CreationTime")
        sizes[name] = int(task.get("TotalSize") or 0) if task else 0
    return sizes


def newest_tasks(walk: Walk, job_id: str) -> list[dict[str, Any]]:
    """The tasks of a job's newest backup session, in their order (none without one)."""
    session = walk.first("BackupJobSession", f'JobUid=="{job_id}"', sort_desc="CreationTime")
    if session is None:
        return []
    return walk.query("BackupTaskSession", f'JobSessionUid=="{guid_of(session.get("UID"))}"')


def job_objects(walk: Walk) -> dict[str, list[dict[str, Any]]]:
    """The ``ObjectInJob`` rows of every job, by job id, in the job's order."""
    by_job: dict[str, list[dict[str, Any]]] = {}
    for row in walk.query("ObjectInJob"):
        by_job.setdefault(link_id(row, "Job", "Up") or "", []).append(row)
    return by_job


def backup_repositories(walk: Walk) -> dict[str, str]:
    """The repository each backup job's backup lies in, by job name and server."""
    found: dict[str, str] = {}
    for backup in walk.query("Backup"):
        repo = link_uid(backup, "RepositoryReference", "Repository", "Up")
        if repo:
            found[f"{backup.get('Name')}\n{server_uid(backup)}"] = repo
    return found


def _replica_repositories(walk: Walk) -> dict[str, str | None]:
    """The repository each replication job names, by job name and server: its replica's,
    unless that is its server's first repository, which a replica of a job that names none
    lies in too (the two serve the same answers; the capture writes none)."""
    first: dict[str | None, str] = {}
    for row in walk.query("Repository"):
        first.setdefault(server_uid(row), urn("Repository", guid_of(row.get("UID"))))
    found: dict[str, str | None] = {}
    for replica in walk.query("Replica"):
        server = server_uid(replica)
        repo = link_uid(replica, "RepositoryReference", "Repository", "Up")
        found[f"{replica.get('Name')}\n{server}"] = None if repo == first.get(server) else repo
    return found


def _linked(walk: Walk, job_id: str, path: str, key: str) -> list[str]:
    return [str(row.get(key)) for row in walk.entities(f"jobs/{job_id}/{path}")
            if row.get(key)]


def capture_jobs(walk: Walk) -> list[dict[str, Any]]:
    """The ``Jobs`` section."""
    objects = job_objects(walk)
    repositories = backup_repositories(walk)
    jobs = walk.query("Job")
    replicas = _replica_repositories(walk) if any(j.get("JobType") == "Replica"
                                                  for j in jobs) else {}
    out = []
    for job in jobs:
        job_id = guid_of(job.get("UID"))
        replica = job.get("JobType") == "Replica"
        copy = job.get("JobType") in ("BackupCopy", "ImmediateBackupCopy")
        rows = objects.get(job_id, [])
        sizes = job_vm_sizes(walk, job_id, [str(r.get("Name")) for r in rows], replica)
        server = server_uid(job)
        item: dict[str, Any] = {
            "UID": urn("Job", job_id), "Name": job.get("Name"), "BackupServerUid": server,
            "JobType": job.get("JobType"), "Platform": job.get("Platform"),
            "Description": job.get("Description"),
            "ScheduleConfigured": job.get("ScheduleConfigured"),
            "ScheduleEnabled": job.get("ScheduleEnabled"), "NextRun": time_of(job.get("NextRun")),
            "RepositoryUid": (replicas if replica else repositories).get(
                f"{job.get('Name')}\n{server}"),
            "Vms": [{"Name": r.get("Name"), "VmUid": r.get("HierarchyObjRef"),
                     "Size": sizes.get(str(r.get("Name")), 0)} for r in rows],
            "SourceJobUids": _linked(walk, job_id, "linkedJobs", "LinkedJobUid") if copy
            else [],
        }
        linked = _linked(walk, job_id, "linkedBackupRepositories",
                         "LinkedBackupRepositoryUid") if copy else []
        if linked:
            item["LinkedRepositoryUids"] = linked
        out.append(item)
    return out


# --- job sessions (shared with the agent and NAS sections) -----------------------------

# Beyond this many jobs a section's sessions are read unfiltered and sorted out here.
_MAX_JOBS_IN_FILTER = 100


def _task(t: dict[str, Any], kind: str, vm_uid: str) -> dict[str, Any]:
    return {"UID": urn(kind, guid_of(t.get("UID"))), "VmName": t.get("VmDisplayName"),
            "VmUid": vm_uid, "CreationTimeUTC": time_of(t.get("CreationTimeUTC")),
            "EndTimeUTC": time_of(t.get("EndTimeUTC")), "State": t.get("State"),
            "Result": t.get("Result"), "Reason": t.get("Reason"),
            "TotalSize": t.get("TotalSize")}


def _session(s: dict[str, Any], kind: str, tasks: list[dict[str, Any]]) -> dict[str, Any]:
    return {"UID": urn(kind, guid_of(s.get("UID"))), "JobUid": urn("Job", guid_of(s.get("JobUid"))),
            "JobType": s.get("JobType"), "JobName": s.get("JobName"),
            "CreationTimeUTC": time_of(s.get("CreationTimeUTC")),
            "EndTimeUTC": time_of(s.get("EndTimeUTC")), "State": s.get("State"),
            "Result": s.get("Result"), "Progress": s.get("Progress"),
            "FailureMessage": s.get("FailureMessage"), "IsRetry": s.get("IsRetry"),
            "Tasks": tasks}


def _sessions_of(walk: Walk, jobs: list[str], replica: bool,
                 vm_refs: Callable[[str], dict[str, str]]) -> list[dict[str, Any]]:
    kind, task_kind = (("ReplicaJobSession", "ReplicaTaskSession") if replica else
                       ("BackupJobSession", "BackupTaskSession"))
    wanted = set(jobs)
    by_job = any_of("JobUid", jobs) if len(jobs) <= _MAX_JOBS_IN_FILTER else None
    since = walk.sessions_filter()
    sessions = [s for s in walk.query(kind, all_of(by_job, since))
                if guid_of(s.get("JobUid")) in wanted]
    if not sessions:
        return []
    tasks: dict[str, list[dict[str, Any]]] = {}
    for t in walk.query(task_kind, all_of(by_job, since)):
        tasks.setdefault(guid_of(t.get("JobSessionUid")), []).append(t)
    out = []
    for s in sessions:
        refs = vm_refs(guid_of(s.get("JobUid"))) if replica else {}
        # A replica task names its VM by name only; the job's include names its reference.
        out.append(_session(s, kind, [
            _task(t, task_kind, str(t.get("VmUid") if not replica else
                                    refs.get(str(t.get("VmDisplayName")), "")))
            for t in tasks.get(guid_of(s.get("UID")), [])]))
    return out


def capture_sessions(job_type: str) -> Callable[[Walk], list[dict[str, Any]]]:
    """The capture of a section of job sessions: those of the jobs of query type
    ``job_type`` (``Job``, ``AgentBackupJob``, ``NasJob``), with their tasks."""
    def capture(walk: Walk) -> list[dict[str, Any]]:
        jobs = walk.query(job_type)
        backup = [guid_of(j.get("UID")) for j in jobs if j.get("JobType") != "Replica"]
        replica = [guid_of(j.get("UID")) for j in jobs if j.get("JobType") == "Replica"]
        objects: dict[str, list[dict[str, Any]]] | None = None

        def vm_refs(job_id: str) -> dict[str, str]:
            nonlocal objects
            if objects is None:
                objects = job_objects(walk)
            return {str(r.get("Name")): str(r.get("HierarchyObjRef"))
                    for r in objects.get(job_id, [])}

        return [*(_sessions_of(walk, backup, False, vm_refs) if backup else []),
                *(_sessions_of(walk, replica, True, vm_refs) if replica else [])]
    return capture


# --- failover plans and system sessions ---------------------------------------------------


def capture_plans(walk: Walk) -> list[dict[str, Any]]:
    """The ``FailoverPlans`` section (``State``, ``Outcome`` and ``Run`` are em-mock's own:
    see the section's ``capture_omits``)."""
    out = []
    for plan in walk.query("FailoverPlan"):
        vms = ((plan.get("FailoverPlanInfo") or {}).get("Includes") or {}).get("FailoveredVms")
        out.append({
            "UID": urn("FailoverPlan", guid_of(plan.get("UID"))), "Name": plan.get("Name"),
            "BackupServerUid": server_uid(plan), "Description": plan.get("Description"),
            "Vms": [{"FailoveredVmId": vm.get("FailoveredVmId"),
                     "HierarchyObjRef": vm.get("HierarchyObjRef"), "Name": vm.get("Name"),
                     "Order": vm.get("Order")} for vm in vms or ()],
            "State": "Ready", "Outcome": None, "Run": None,
        })
    return out


def capture_system_sessions(walk: Walk) -> list[dict[str, Any]]:
    """The ``SystemSessions`` section: the list, and each session's events."""
    floor = None if walk.since_ms is None else format_instant_ms(walk.since_ms)
    out = []
    for s in walk.entities("systemSessions"):
        created = time_of(s.get("CreationTimeUTC"))
        if floor is not None and created is not None and created < floor:
            continue  # the fixture's times all have one form: they sort as text
        result = s.get("Result") or {}
        guid = guid_of(s.get("UID"))
        events = walk.get(f"systemSessions/{guid}/events") or {}
        rows = events.get("SystemSessionEvents") if isinstance(events, dict) else None
        out.append({
            "UID": urn("SystemSession", guid), "SessionType": s.get("SessionType"),
            "Name": s.get("Name"), "CreationTimeUTC": created,
            "EndTimeUTC": time_of(s.get("EndTimeUTC")), "State": s.get("State"),
            "Result": result.get("Result"), "Message": result.get("Message"),
            "IsCanceled": result.get("IsCanceled"),
            "Events": [{"TimeUTC": time_of(e.get("TimeUTC")), "Status": e.get("Status"),
                        "Title": e.get("Title")} for e in rows or () if isinstance(e, dict)],
        })
    return out

