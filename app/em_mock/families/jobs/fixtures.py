"""Fixture sections ``Jobs`` and ``JobSessions`` (backup and replication, with their
``Tasks``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from em_mock.core.fixtures import Documents, Section, register_sections
from em_mock.core.ids import urn
from em_mock.core.tables import DataSet
from em_mock.core.validate import (
    Reader,
    Source,
    TimeWriter,
    claim,
    items,
    read_run,
    sub_items,
)
from em_mock.families.infrastructure.fixtures import repository_of, server_of
from em_mock.families.infrastructure.model import REPOSITORIES, BackupServer
from em_mock.families.jobs.capture import (
    capture_jobs,
    capture_plans,
    capture_sessions,
    capture_system_sessions,
)
from em_mock.families.jobs.data import order_sessions
from em_mock.families.jobs.model import (
    EVENT_STATUSES,
    FAILOVER_PLAN_STATES,
    FAILOVER_PLANS,
    JOB_SESSION_STATES,
    JOB_SESSION_TYPES,
    JOB_SESSIONS,
    JOB_TYPES,
    JOBS,
    PLATFORMS,
    RESULTS,
    SYSTEM_SESSION_STATES,
    SYSTEM_SESSION_TYPES,
    SYSTEM_SESSIONS,
    TASK_STATES,
    FailoverPlan,
    FailoverVm,
    Job,
    JobSession,
    JobVm,
    SystemEvent,
    SystemSession,
    TaskSession,
    index_task_sessions,
)
from em_mock.families.jobs.runs import FAILOVER_RUNS, JOB_RUNS, FailoverRun, JobRun

_JOB_KEYS = ("UID", "Name", "BackupServerUid", "JobType", "Platform", "Description",
             "ScheduleConfigured", "ScheduleEnabled", "NextRun", "RepositoryUid", "Vms",
             "SourceJobUids", "LinkedRepositoryUids")
_SESSION_KEYS = ("UID", "JobUid", "JobType", "JobName", "CreationTimeUTC", "EndTimeUTC", "State",
                 "Result", "Progress", "FailureMessage", "IsRetry", "Tasks", "Run")
_TASK_KEYS = ("UID", "VmName", "VmUid", "CreationTimeUTC", "EndTimeUTC", "State", "Result",
              "Reason", "TotalSize")


def _read_jobs(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    sources: list[tuple[Source, Job, list[str]]] = []
    for src in items(reader, docs, "Jobs"):
        reader.unknown_keys(src, _JOB_KEYS)
        guid = reader.uid(src, "UID", "Job")
        name = reader.value(src, "Name", str, required=True, default="")
        server = server_of(reader, src, data)
        repo = repository_of(reader, src, data, optional=True)
        job = Job(
            guid or "", name, server or BackupServer("", ""),
            reader.choice(src, "JobType", JOB_TYPES, default="Backup") or "Backup",
            reader.choice(src, "Platform", PLATFORMS, required=False, default="VMware")
            or "VMware",
            reader.value(src, "Description", str, default=""),
            reader.value(src, "ScheduleConfigured", bool, default=True),
            reader.value(src, "ScheduleEnabled", bool, default=True),
            reader.time(src, "NextRun", required=False), repo)
        for vm_src in sub_items(reader, src, "Vms"):
            reader.unknown_keys(vm_src, ("Name", "VmUid", "Size"))
            job.vms.append(JobVm(reader.value(vm_src, "Name", str, required=True, default=""),
                                 reader.value(vm_src, "VmUid", str, required=True, default=""),
                                 reader.value(vm_src, "Size", int, default=0)))
        source_ids = []
        for i, raw in enumerate(reader.value(src, "SourceJobUids", list, default=[])):
            one = Source(src.file, src.path, {f"SourceJobUids[{i}]": raw})
            source_ids.append(reader.uid(one, f"SourceJobUids[{i}]", "Job") or "")
        for i, raw in enumerate(reader.value(src, "LinkedRepositoryUids", list, default=[])):
            key = f"LinkedRepositoryUids[{i}]"
            repo_id = reader.uid(Source(src.file, src.path, {key: raw}), key, "Repository")
            linked = REPOSITORIES.of(data).get(repo_id or "")
            if repo_id and linked is None:
                reader.error(src, key, f"no repository has the UID {repo_id}")
            elif linked is not None:
                job.linked_repositories.append(linked)
        if claim(reader, seen, src, guid) and server is not None:
            JOBS.of(data)[job.id] = job
            sources.append((src, job, source_ids))
    for src, job, source_ids in sources:
        for i, source_id in enumerate(source_ids):
            if source_id and source_id not in JOBS.of(data):
                reader.error(src, f"SourceJobUids[{i}]", f"no job has the UID {source_id}")
            elif source_id:
                job.sources.append(JOBS.of(data)[source_id])


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
    for t_src in sub_items(reader, src, "Tasks"):
        reader.unknown_keys(t_src, _TASK_KEYS)
        guid = reader.uid(t_src, "UID", task_type)
        created = reader.time(t_src, "CreationTimeUTC")
        ended = reader.time(t_src, "EndTimeUTC", required=False)
        state = reader.choice(t_src, "State", TASK_STATES)
        result = reader.choice(t_src, "Result", RESULTS)
        _check_run(reader, t_src, state, result, created, ended, "Completed")
        task = TaskSession(
            guid or "", session, reader.value(t_src, "VmName", str, required=True, default=""),
            reader.value(t_src, "VmUid", str, default=""), created or 0, ended,
            state or "Completed", result or "Success",
            reader.value(t_src, "Reason", str, default=""),
            reader.value(t_src, "TotalSize", int, default=0))
        if claim(reader, seen, t_src, guid):
            session.tasks.append(task)


def read_sessions(section: str, jobs_of: Callable[[DataSet], Mapping[str, Job]]
                  ) -> Callable[[Reader, Documents, DataSet], None]:
    """The reader of a section of job sessions (with their tasks and runs) of the jobs
    ``jobs_of`` holds."""
    def read(reader: Reader, docs: Documents, data: DataSet) -> None:
        _read_job_sessions(reader, docs, data, section, jobs_of)
        order_sessions(data)  # every kind of job session in one creation order, as seeded
    return read


def _read_job_sessions(reader: Reader, docs: Documents, data: DataSet, section: str,
                       jobs_of: Callable[[DataSet], Mapping[str, Job]]) -> None:
    seen: dict[str, str] = {}
    tasks_seen: dict[str, str] = {}
    for src in items(reader, docs, section):
        reader.unknown_keys(src, _SESSION_KEYS)
        job_id = reader.uid(src, "JobUid", "Job")
        job = jobs_of(data).get(job_id or "")
        if job_id and job is None:
            reader.error(src, "JobUid", f"no job has the UID {job_id}")
        session_type = "ReplicaJobSession" if job and job.is_replica else "BackupJobSession"
        guid = reader.uid(src, "UID", session_type)
        created = reader.time(src, "CreationTimeUTC")
        ended = reader.time(src, "EndTimeUTC", required=False)
        state = reader.choice(src, "State", JOB_SESSION_STATES)
        result = reader.choice(src, "Result", RESULTS)
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
            JOB_SESSIONS.of(data)[session.id] = session
            if run is not None:
                outcome, reason, culprit = run
                JOB_RUNS.of(data)[session.id] = JobRun(session.id, session.creation_ms, outcome,
                                                       reason or "", culprit)
    index_task_sessions(data)


def _task(t: TaskSession, time: TimeWriter) -> dict[str, Any]:
    kind = "ReplicaTaskSession" if t.session.job.is_replica else "BackupTaskSession"
    return {"UID": urn(kind, t.id), "VmName": t.vm_name, "VmUid": t.vm_uid,
            "CreationTimeUTC": time(t.creation_ms),
            "EndTimeUTC": time(t.end_ms),
            "State": t.state, "Result": t.result, "Reason": t.reason,
            "TotalSize": t.total_size}


def _session(s: JobSession, run: JobRun | None, time: TimeWriter) -> dict[str, Any]:
    kind = "ReplicaJobSession" if s.job.is_replica else "BackupJobSession"
    item: dict[str, Any] = {
        "UID": urn(kind, s.id), "JobUid": urn("Job", s.job.id), "JobType": s.job_type,
        "JobName": s.job_name, "CreationTimeUTC": time(s.creation_ms),
        "EndTimeUTC": time(s.end_ms), "State": s.state, "Result": s.result,
        "Progress": s.progress, "FailureMessage": s.failure_message,
        "IsRetry": s.is_retry, "Tasks": [_task(t, time) for t in s.tasks]}
    if run is not None:
        item["Run"] = {"Outcome": run.outcome, "Reason": run.reason, "Culprit": run.culprit}
    return item


def _write_jobs(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{
        "UID": urn("Job", j.id), "Name": j.name,
        "BackupServerUid": urn("BackupServer", j.backup_server.id), "JobType": j.job_type,
        "Platform": j.platform, "Description": j.description,
        "ScheduleConfigured": j.schedule_configured, "ScheduleEnabled": j.schedule_enabled,
        "NextRun": time(j.next_run_ms),
        "RepositoryUid": urn("Repository", j.repository.id) if j.repository else None,
        "Vms": [{"Name": v.name, "VmUid": v.uid, "Size": v.size} for v in j.vms],
        "SourceJobUids": [urn("Job", s.id) for s in j.sources],
        # Written only when there are some: files from before linked repositories load.
        **({"LinkedRepositoryUids": [urn("Repository", r.id) for r in j.linked_repositories]}
           if j.linked_repositories else {}),
    } for j in JOBS.of(data).values()]


def write_sessions(jobs_of: Callable[[DataSet], Mapping[str, Job]]
                   ) -> Callable[[DataSet, TimeWriter], list[dict[str, Any]]]:
    """The writer of the job sessions of the jobs ``jobs_of`` holds."""
    def write(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
        runs, jobs = JOB_RUNS.of(data), jobs_of(data)
        return [_session(s, runs.get(s.id), time) for s in JOB_SESSIONS.of(data).values()
                if jobs.get(s.job.id) is s.job]
    return write


_PLAN_KEYS = ("UID", "Name", "BackupServerUid", "Description", "State", "Outcome", "Vms", "Run")
_PLAN_VM_KEYS = ("FailoveredVmId", "HierarchyObjRef", "Name", "Order")
_PLAN_RUN_KEYS = ("Action", "StartTimeUTC", "Outcome", "Message")
_SYSTEM_KEYS = ("UID", "SessionType", "Name", "CreationTimeUTC", "EndTimeUTC", "State",
                "Result", "Message", "IsCanceled", "Events")
_EVENT_KEYS = ("TimeUTC", "Status", "Title")


def _read_plan_run(reader: Reader, src: Source, plan: FailoverPlan) -> FailoverRun | None:
    raw = reader.value(src, "Run", dict, nullable=True)
    if raw is None:
        return None
    run = Source(src.file, f"{src.path}.Run", raw)
    reader.unknown_keys(run, _PLAN_RUN_KEYS)
    action = reader.choice(run, "Action", ("start", "undo"))
    start = reader.time(run, "StartTimeUTC")
    outcome = reader.choice(run, "Outcome", ("Success", "Warning", "Failed"))
    message = reader.value(run, "Message", str, nullable=True)
    if action is None or start is None or outcome is None:
        return None
    return FailoverRun(plan.id, action, start, outcome, message)


def _read_plans(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "FailoverPlans"):
        reader.unknown_keys(src, _PLAN_KEYS)
        guid = reader.uid(src, "UID", "FailoverPlan")
        server = server_of(reader, src, data)
        plan = FailoverPlan(
            guid or "", reader.value(src, "Name", str, required=True, default=""),
            server or BackupServer("", ""), reader.value(src, "Description", str, default=""),
            state=reader.choice(src, "State", FAILOVER_PLAN_STATES, required=False,
                                default="Ready") or "Ready",
            outcome=reader.choice(src, "Outcome", ("Success", "Warning", "Failed"),
                                  required=False, nullable=True))
        vm_ids: dict[str, str] = {}
        for vm_src in sub_items(reader, src, "Vms"):
            reader.unknown_keys(vm_src, _PLAN_VM_KEYS)
            vm_id = reader.uid(vm_src, "FailoveredVmId", "FailoveredVm")
            vm = FailoverVm(vm_id or "",
                            reader.value(vm_src, "HierarchyObjRef", str, required=True,
                                         default=""),
                            reader.value(vm_src, "Name", str, required=True, default=""),
                            reader.value(vm_src, "Order", int, default=len(plan.vms) + 1))
            if claim(reader, vm_ids, vm_src, vm_id):
                plan.vms.append(vm)
        run = _read_plan_run(reader, src, plan)
        if claim(reader, seen, src, guid) and server is not None:
            FAILOVER_PLANS.of(data)[plan.id] = plan
            if run is not None:
                FAILOVER_RUNS.of(data)[plan.id] = run


def _write_plans(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    runs = FAILOVER_RUNS.of(data)
    out = []
    for p in FAILOVER_PLANS.of(data).values():
        run = runs.get(p.id)
        out.append({
            "UID": urn("FailoverPlan", p.id), "Name": p.name,
            "BackupServerUid": urn("BackupServer", p.backup_server.id),
            "Description": p.description, "State": p.state, "Outcome": p.outcome,
            "Vms": [{"FailoveredVmId": vm.id, "HierarchyObjRef": vm.uid, "Name": vm.name,
                     "Order": vm.order} for vm in p.vms],
            "Run": None if run is None else {
                "Action": run.action, "StartTimeUTC": time(run.start_ms),
                "Outcome": run.outcome, "Message": run.message},
        })
    return out


def _read_system_sessions(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "SystemSessions"):
        reader.unknown_keys(src, _SYSTEM_KEYS)
        guid = reader.uid(src, "UID", "SystemSession")
        created = reader.time(src, "CreationTimeUTC")
        ended = reader.time(src, "EndTimeUTC", required=False)
        state = reader.choice(src, "State", SYSTEM_SESSION_STATES)
        result = reader.choice(src, "Result", RESULTS)
        if created is not None and ended is not None and ended < created:
            reader.error(src, "EndTimeUTC", "is before CreationTimeUTC")
        if (state == "InProgress") != (src.item.get("EndTimeUTC") is None):
            reader.error(src, "EndTimeUTC", "must be null exactly while State is InProgress")
        session = SystemSession(
            guid or "", reader.choice(src, "SessionType", SYSTEM_SESSION_TYPES) or "CollectJob",
            reader.value(src, "Name", str, required=True, default=""), created or 0, ended,
            state or "CompletedSuccessfully", result or "Success",
            reader.value(src, "Message", str, default=""),
            reader.value(src, "IsCanceled", bool, default=False))
        for e_src in sub_items(reader, src, "Events"):
            reader.unknown_keys(e_src, _EVENT_KEYS)
            session.events.append(SystemEvent(
                reader.time(e_src, "TimeUTC") or 0,
                reader.choice(e_src, "Status", EVENT_STATUSES) or "Success",
                reader.value(e_src, "Title", str, default="")))
        if claim(reader, seen, src, guid):
            SYSTEM_SESSIONS.of(data)[session.id] = session


def _write_system_sessions(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{
        "UID": urn("SystemSession", s.id), "SessionType": s.session_type, "Name": s.name,
        "CreationTimeUTC": time(s.creation_ms), "EndTimeUTC": time(s.end_ms),
        "State": s.state, "Result": s.result, "Message": s.message,
        "IsCanceled": s.canceled,
        "Events": [{"TimeUTC": time(e.time_ms), "Status": e.status, "Title": e.title}
                   for e in s.events],
    } for s in SYSTEM_SESSIONS.of(data).values()]


# A session's Run is how em-mock will end a run in flight: no answer shows the future.
SESSION_OMITS = ("Run",)

register_sections(
    Section("Jobs", 60, _read_jobs, _write_jobs, capture=capture_jobs),
    Section("JobSessions", 70, read_sessions("JobSessions", JOBS.of), write_sessions(JOBS.of),
            capture=capture_sessions("Job"), capture_omits=SESSION_OMITS),
    # A plan's State, pinned Outcome and Run in flight are em-mock's own bookkeeping.
    Section("FailoverPlans", 230, _read_plans, _write_plans, capture=capture_plans,
            capture_omits=("State", "Outcome", "Run")),
    # Read from their list (the last 30 days; the seeders make none older) and each
    # session's events.
    Section("SystemSessions", 231, _read_system_sessions, _write_system_sessions,
            capture=capture_system_sessions),
)
