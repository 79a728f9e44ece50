"""Fixture sections for what monitoring clients read: ``Repositories``, ``Jobs``,
``JobSessions`` (backup and replication, with their ``Tasks``), ``ProtectionGroups`` and
``DiscoveredComputers``. Same rules and messages as the other sections."""

from __future__ import annotations

from typing import Any

from em_mock.domain.model import (
    AGENT_STATUSES,
    HOST_STATUSES,
    JOB_SESSION_STATES,
    JOB_SESSION_TYPES,
    JOB_TYPES,
    PLATFORMS,
    REPOSITORY_KINDS,
    SESSION_RESULTS,
    TASK_STATES,
    BackupServer,
    DiscoveredComputer,
    Job,
    JobRun,
    JobSession,
    JobVm,
    ProtectionGroup,
    Repository,
    TaskSession,
    urn,
)
from em_mock.store.memory import DataSet
from em_mock.store.validate import Reader, Source, TimeWriter, claim, items, read_run

SECTIONS = ("Repositories", "Jobs", "JobSessions", "ProtectionGroups", "DiscoveredComputers")
Docs = list[tuple[str, Any]]

_REPOSITORY_KEYS = ("UID", "Name", "BackupServerUid", "Kind", "Capacity", "FreeSpace")
_JOB_KEYS = ("UID", "Name", "BackupServerUid", "JobType", "Platform", "Description",
             "ScheduleConfigured", "ScheduleEnabled", "NextRun", "RepositoryUid", "Vms",
             "SourceJobUids")
_SESSION_KEYS = ("UID", "JobUid", "JobType", "JobName", "CreationTimeUTC", "EndTimeUTC", "State",
                 "Result", "Progress", "FailureMessage", "IsRetry", "Tasks", "Run")
_TASK_KEYS = ("UID", "VmName", "VmUid", "CreationTimeUTC", "EndTimeUTC", "State", "Result",
              "Reason", "TotalSize")
_GROUP_KEYS = ("UID", "Name", "BackupServerUid")
_COMPUTER_KEYS = ("UID", "Name", "ProtectionGroupUid", "HostStatus", "AgentVersion",
                  "AgentStatus", "OsVersion", "IpAddress")


def _server(reader: Reader, src: Source, data: DataSet) -> BackupServer | None:
    guid = reader.uid(src, "BackupServerUid", "BackupServer")
    server = data.backup_servers.get(guid or "")
    if guid and server is None:
        reader.error(src, "BackupServerUid", f"no backup server has the UID {guid}")
    return server


def _sub(reader: Reader, src: Source, key: str) -> list[Source]:
    out = []
    for i, item in enumerate(reader.value(src, key, list, default=[])):
        sub = Source(src.file, f"{src.path}.{key}[{i}]", item)
        if isinstance(item, dict):
            out.append(sub)
        else:
            reader.error(sub, None, "must be an object")
    return out


def _read_repositories(reader: Reader, docs: Docs, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "Repositories"):
        reader.unknown_keys(src, _REPOSITORY_KEYS)
        guid = reader.uid(src, "UID", "Repository")
        name = reader.value(src, "Name", str, required=True, default="")
        server = _server(reader, src, data)
        kind = reader.choice(src, "Kind", REPOSITORY_KINDS, required=False,
                             default="WindowsLocal")
        capacity = reader.value(src, "Capacity", int, default=0)
        free = reader.value(src, "FreeSpace", int, default=0)
        if capacity < -1 or free < -1:
            reader.error(src, "Capacity", "Capacity and FreeSpace are bytes, or -1 when unknown")
        if claim(reader, seen, src, guid) and server is not None:
            data.repositories[guid or ""] = Repository(guid or "", name, server,
                                                       kind or "WindowsLocal", capacity, free)


def _read_jobs(reader: Reader, docs: Docs, data: DataSet) -> None:
    seen: dict[str, str] = {}
    sources: list[tuple[Source, Job, list[str]]] = []
    for src in items(reader, docs, "Jobs"):
        reader.unknown_keys(src, _JOB_KEYS)
        guid = reader.uid(src, "UID", "Job")
        name = reader.value(src, "Name", str, required=True, default="")
        server = _server(reader, src, data)
        repo_id = reader.uid(src, "RepositoryUid", "Repository", required=False, nullable=True)
        repo = data.repositories.get(repo_id or "")
        if repo_id and repo is None:
            reader.error(src, "RepositoryUid", f"no repository has the UID {repo_id}")
        job = Job(
            guid or "", name, server or BackupServer("", ""),
            reader.choice(src, "JobType", JOB_TYPES, default="Backup") or "Backup",
            reader.choice(src, "Platform", PLATFORMS, required=False, default="VMware")
            or "VMware",
            reader.value(src, "Description", str, default=""),
            reader.value(src, "ScheduleConfigured", bool, default=True),
            reader.value(src, "ScheduleEnabled", bool, default=True),
            reader.time(src, "NextRun", required=False), repo)
        for vm_src in _sub(reader, src, "Vms"):
            reader.unknown_keys(vm_src, ("Name", "VmUid", "Size"))
            job.vms.append(JobVm(reader.value(vm_src, "Name", str, required=True, default=""),
                                 reader.value(vm_src, "VmUid", str, required=True, default=""),
                                 reader.value(vm_src, "Size", int, default=0)))
        source_ids = []
        for i, raw in enumerate(reader.value(src, "SourceJobUids", list, default=[])):
            one = Source(src.file, src.path, {f"SourceJobUids[{i}]": raw})
            source_ids.append(reader.uid(one, f"SourceJobUids[{i}]", "Job") or "")
        if claim(reader, seen, src, guid) and server is not None:
            data.jobs[job.id] = job
            sources.append((src, job, source_ids))
    for src, job, source_ids in sources:
        for i, source_id in enumerate(source_ids):
            if source_id and source_id not in data.jobs:
                reader.error(src, f"SourceJobUids[{i}]", f"no job has the UID {source_id}")
            elif source_id:
                job.sources.append(data.jobs[source_id])


def _check_run(reader: Reader, src: Source, state: str | None, result: str | None,
               created: int | None, ended: int | None, done: str) -> None:
    has_end = src.item.get("EndTimeUTC") is not None
    if created is not None and ended is not None and ended < created:
        reader.error(src, "EndTimeUTC", "is before CreationTimeUTC")
    if state == done and not has_end:
        reader.error(src, "EndTimeUTC", f"is required when State is {done}")
    if state not in (None, done) and has_end:
        reader.error(src, "EndTimeUTC", f"must be null while State is {state}")
    if state == done and result == "None":
        reader.error(src, "Result", f"cannot be None when State is {done}")


def _read_tasks(reader: Reader, src: Source, session: JobSession, seen: dict[str, str]) -> None:
    task_type = "ReplicaTaskSession" if session.job.is_replica else "BackupTaskSession"
    for t_src in _sub(reader, src, "Tasks"):
        reader.unknown_keys(t_src, _TASK_KEYS)
        guid = reader.uid(t_src, "UID", task_type)
        created = reader.time(t_src, "CreationTimeUTC")
        ended = reader.time(t_src, "EndTimeUTC", required=False)
        state = reader.choice(t_src, "State", TASK_STATES)
        result = reader.choice(t_src, "Result", SESSION_RESULTS)
        _check_run(reader, t_src, state, result, created, ended, "Completed")
        task = TaskSession(
            guid or "", session, reader.value(t_src, "VmName", str, required=True, default=""),
            reader.value(t_src, "VmUid", str, default=""), created or 0, ended,
            state or "Completed", result or "Success",
            reader.value(t_src, "Reason", str, default=""),
            reader.value(t_src, "TotalSize", int, default=0))
        if claim(reader, seen, t_src, guid):
            session.tasks.append(task)


def _read_job_sessions(reader: Reader, docs: Docs, data: DataSet) -> None:
    seen: dict[str, str] = {}
    tasks_seen: dict[str, str] = {}
    for src in items(reader, docs, "JobSessions"):
        reader.unknown_keys(src, _SESSION_KEYS)
        job_id = reader.uid(src, "JobUid", "Job")
        job = data.jobs.get(job_id or "")
        if job_id and job is None:
            reader.error(src, "JobUid", f"no job has the UID {job_id}")
        session_type = "ReplicaJobSession" if job and job.is_replica else "BackupJobSession"
        guid = reader.uid(src, "UID", session_type)
        created = reader.time(src, "CreationTimeUTC")
        ended = reader.time(src, "EndTimeUTC", required=False)
        state = reader.choice(src, "State", JOB_SESSION_STATES)
        result = reader.choice(src, "Result", SESSION_RESULTS)
        _check_run(reader, src, state, result, created, ended, "Stopped")
        progress = reader.value(src, "Progress", int, default=100 if state == "Stopped" else 0)
        if not 0 <= progress <= 100:
            reader.error(src, "Progress", f"{progress} is outside 0..100")
        job_type = reader.choice(src, "JobType", (*JOB_SESSION_TYPES, "Replica"),
                                 required=False, default=job.job_type if job else "Backup")
        if job is None:
            continue
        session = JobSession(
            guid or "", job, job_type or job.job_type,
            reader.value(src, "JobName", str, default=job.name), created or 0, ended,
            state or "Stopped", result or "Success", progress,
            reader.value(src, "FailureMessage", str, nullable=True),
            reader.value(src, "IsRetry", bool, default=False))
        _read_tasks(reader, src, session, tasks_seen)
        run = read_run(reader, src, src.item.get("State"), "Stopped", "Reason",
                       len(session.tasks))
        if claim(reader, seen, src, guid):
            data.job_sessions[session.id] = session
            if run is not None:
                outcome, reason, culprit = run
                data.job_runs[session.id] = JobRun(session.id, session.creation_ms, outcome,
                                                   reason or "", culprit)
    data.index_task_sessions()


def _read_groups(reader: Reader, docs: Docs, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "ProtectionGroups"):
        reader.unknown_keys(src, _GROUP_KEYS)
        guid = reader.uid(src, "UID", "AgentProtectionGroup")
        name = reader.value(src, "Name", str, required=True, default="")
        server = _server(reader, src, data)
        if claim(reader, seen, src, guid) and server is not None:
            data.protection_groups[guid or ""] = ProtectionGroup(guid or "", name, server)


def _read_computers(reader: Reader, docs: Docs, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "DiscoveredComputers"):
        reader.unknown_keys(src, _COMPUTER_KEYS)
        guid = reader.uid(src, "UID", "DiscoveredComputer")
        group_id = reader.uid(src, "ProtectionGroupUid", "AgentProtectionGroup")
        group = data.protection_groups.get(group_id or "")
        if group_id and group is None:
            reader.error(src, "ProtectionGroupUid", f"no protection group has the UID {group_id}")
        computer = DiscoveredComputer(
            guid or "", reader.value(src, "Name", str, required=True, default=""),
            group or ProtectionGroup("", "", BackupServer("", "")),
            reader.choice(src, "HostStatus", HOST_STATUSES, required=False, default="Online")
            or "Online",
            reader.value(src, "AgentVersion", str, default=""),
            reader.choice(src, "AgentStatus", AGENT_STATUSES, required=False,
                          default="Installed") or "Installed",
            reader.value(src, "OsVersion", str, default=""),
            reader.value(src, "IpAddress", str, default=""))
        if claim(reader, seen, src, guid) and group is not None:
            data.discovered_computers[computer.id] = computer


def read_sections(reader: Reader, docs: Docs, data: DataSet) -> None:
    """Read this module's sections into ``data`` (after servers, before nothing)."""
    _read_repositories(reader, docs, data)
    _read_jobs(reader, docs, data)
    _read_job_sessions(reader, docs, data)
    _read_groups(reader, docs, data)
    _read_computers(reader, docs, data)


def write_sections(data: DataSet, time: TimeWriter) -> dict[str, Any]:
    """This module's sections of the fixture document for ``data``, times written by
    ``time``."""
    def task(t: TaskSession) -> dict[str, Any]:
        kind = "ReplicaTaskSession" if t.session.job.is_replica else "BackupTaskSession"
        return {"UID": urn(kind, t.id), "VmName": t.vm_name, "VmUid": t.vm_uid,
                "CreationTimeUTC": time(t.creation_ms),
                "EndTimeUTC": time(t.end_ms),
                "State": t.state, "Result": t.result, "Reason": t.reason,
                "TotalSize": t.total_size}

    def session(s: JobSession) -> dict[str, Any]:
        kind = "ReplicaJobSession" if s.job.is_replica else "BackupJobSession"
        item: dict[str, Any] = {
            "UID": urn(kind, s.id), "JobUid": urn("Job", s.job.id), "JobType": s.job_type,
            "JobName": s.job_name, "CreationTimeUTC": time(s.creation_ms),
            "EndTimeUTC": time(s.end_ms), "State": s.state, "Result": s.result,
            "Progress": s.progress, "FailureMessage": s.failure_message,
            "IsRetry": s.is_retry, "Tasks": [task(t) for t in s.tasks]}
        run = data.job_runs.get(s.id)
        if run is not None:
            item["Run"] = {"Outcome": run.outcome, "Reason": run.reason,
                           "Culprit": run.culprit}
        return item

    return {
        "Repositories": [{
            "UID": urn("Repository", r.id), "Name": r.name,
            "BackupServerUid": urn("BackupServer", r.backup_server.id), "Kind": r.kind,
            "Capacity": r.capacity, "FreeSpace": r.free_space,
        } for r in data.repositories.values()],
        "Jobs": [{
            "UID": urn("Job", j.id), "Name": j.name,
            "BackupServerUid": urn("BackupServer", j.backup_server.id), "JobType": j.job_type,
            "Platform": j.platform, "Description": j.description,
            "ScheduleConfigured": j.schedule_configured, "ScheduleEnabled": j.schedule_enabled,
            "NextRun": time(j.next_run_ms),
            "RepositoryUid": urn("Repository", j.repository.id) if j.repository else None,
            "Vms": [{"Name": v.name, "VmUid": v.uid, "Size": v.size} for v in j.vms],
            "SourceJobUids": [urn("Job", s.id) for s in j.sources],
        } for j in data.jobs.values()],
        "JobSessions": [session(s) for s in data.job_sessions.values()],
        "ProtectionGroups": [{
            "UID": urn("AgentProtectionGroup", g.id), "Name": g.name,
            "BackupServerUid": urn("BackupServer", g.backup_server.id),
        } for g in data.protection_groups.values()],
        "DiscoveredComputers": [{
            "UID": urn("DiscoveredComputer", c.id), "Name": c.name,
            "ProtectionGroupUid": urn("AgentProtectionGroup", c.protection_group.id),
            "HostStatus": c.host_status, "AgentVersion": c.agent_version,
            "AgentStatus": c.agent_status, "OsVersion": c.os_version,
            "IpAddress": c.ip_address,
        } for c in data.discovered_computers.values()],
    }
