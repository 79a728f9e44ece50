"""Wire shapes of jobs, their includes, and job and task sessions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from em_mock.core.http.actions import task_node
from em_mock.core.ids import derived_id, urn
from em_mock.core.registry import ResourceType, register_resources
from em_mock.core.simulation import TaskRow
from em_mock.core.wire.documents import (
    Ctx,
    alternate_to_entity,
    alternate_to_reference,
    entity,
    naming_layer,
    reference,
)
from em_mock.core.wire.tree import Layer, ListOf, Node, link, links, resource_layer
from em_mock.families.agents.model import ManagementSession, leaves_agent_point
from em_mock.families.infrastructure.model import Repository
from em_mock.families.infrastructure.shapes import server_up
from em_mock.families.jobs.model import (
    FailoverPlan,
    Included,
    Job,
    JobSession,
    JobVm,
    SystemSession,
    TaskSession,
    leaves_replica_point,
    leaves_restore_point,
)
from em_mock.families.restore.points import restore_point_name


def session_name(s: JobSession, ctx: Ctx) -> str:
    """``<JobName>@<creation time>``."""
    return f"{s.job_name}@{ctx.suffix(s.creation_ms)}"


def task_name(t: TaskSession, ctx: Ctx) -> str:
    """``<VmDisplayName>@<creation time>``."""
    return f"{t.vm_name}@{ctx.suffix(t.creation_ms)}"


def _job_up(job: Job, ctx: Ctx) -> Node:
    return link("Up", ctx.api(f"{job.path}/{job.id}"), "JobReference", job.name)


def _session_layers(s: JobSession, ctx: Ctx) -> list[Layer]:
    return [
        Layer(elems=[("JobUid", urn("Job", s.job.id)), ("JobName", s.job_name),
                     ("JobType", s.job_type), ("CreationTimeUTC", ctx.time(s.creation_ms)),
                     ("EndTimeUTC", ctx.time(s.end_ms)), ("State", s.state),
                     ("Result", s.result), ("Progress", s.progress),
                     ("FailureMessage", s.failure_message)]),
        Layer(elems=[("IsRetry", s.is_retry)]),
    ]


@dataclass(frozen=True, slots=True)
class _SessionKind:
    type_name: str
    path: str
    task_list: str
    task_path: str


_BACKUP = _SessionKind("BackupJobSession", "backupSessions", "BackupTaskSessionReferenceList",
                       "taskSessions")
_REPLICA = _SessionKind("ReplicaJobSession", "replicaSessions",
                        "ReplicaTaskSessionReferenceList", "replicaTaskSessions")


def _kind(s: JobSession) -> _SessionKind:
    return _REPLICA if s.job.is_replica else _BACKUP


def _parent_up(s: JobSession, ctx: Ctx) -> list[Node]:
    """An agent management session's link to its agent backup session (documented name)."""
    if isinstance(s, ManagementSession) and s.parent is not None:
        return [link("Up", ctx.api(f"backupSessions/{s.parent.id}"),
                     "BackupJobSessionReference", "Parent session")]
    return []


def _job_session_ref(s: JobSession, ctx: Ctx, root: str) -> Node:
    k = _kind(s)
    name = session_name(s, ctx)
    return reference(root, k.type_name, k.path, s.id, name, [
        server_up(s.backup_server, ctx), _job_up(s.job, ctx), *_parent_up(s, ctx),
        alternate_to_entity(k.type_name, k.path, s.id, name, ctx),
        link("Down", ctx.api(f"{k.path}/{s.id}/{k.task_path}"), k.task_list),
    ], ctx)


def _job_session_entity(s: JobSession, ctx: Ctx) -> Node:
    k = _kind(s)
    name = session_name(s, ctx)
    links_ = [
        server_up(s.backup_server, ctx), _job_up(s.job, ctx), *_parent_up(s, ctx),
        alternate_to_reference(k.type_name, k.path, s.id, name, ctx),
        link("Down", ctx.api(f"{k.path}/{s.id}/{k.task_path}"), k.task_list),
    ]
    # A derived management session cannot be stopped on its own and leaves no point.
    if not s.job.is_replica and not isinstance(s, ManagementSession):
        links_.append(link("Stop", ctx.api(f"{k.path}/{s.id}?action=stop")))
        links_ += [link("Related", ctx.api(f"restorePoints/{derived_id('RestorePoint', t.id)}"),
                        "RestorePointReference", restore_point_name(t, ctx))
                   for t in s.tasks if leaves_restore_point(t) or leaves_agent_point(t)]
    return entity(k.type_name, k.path, s.id, name, links_, _session_layers(s, ctx), ctx)


BACKUP_JOB_SESSION = ResourceType("BackupJobSession", "backupSessions", "BackupJobSessions",
                                  _job_session_ref, _job_session_entity)
REPLICA_JOB_SESSION = ResourceType("ReplicaJobSession", "replicaSessions", "ReplicaJobSessions",
                                   _job_session_ref, _job_session_entity)


def _task_kind(t: TaskSession) -> tuple[str, str]:
    if t.session.job.is_replica:
        return "ReplicaTaskSession", "replicaTaskSessions"
    return "BackupTaskSession", "backupTaskSessions"


def _task_ref(t: TaskSession, ctx: Ctx, root: str) -> Node:
    type_name, path = _task_kind(t)
    k = _kind(t.session)
    name = task_name(t, ctx)
    node = reference(root, type_name, path, t.id, name, [
        server_up(t.session.backup_server, ctx),
        link("Up", ctx.api(f"{k.path}/{t.session.id}"), f"{k.type_name}Reference",
             session_name(t.session, ctx)),
        alternate_to_entity(type_name, path, t.id, name, ctx),
    ], ctx)
    return node


def _task_entity(t: TaskSession, ctx: Ctx) -> Node:
    type_name, path = _task_kind(t)
    k = _kind(t.session)
    name = task_name(t, ctx)
    links_ = [
        server_up(t.session.backup_server, ctx),
        link("Up", ctx.api(f"{k.path}/{t.session.id}"), f"{k.type_name}Reference",
             session_name(t.session, ctx)),
        alternate_to_reference(type_name, path, t.id, name, ctx),
    ]
    if leaves_restore_point(t):
        links_.append(link("Related",
                           ctx.api(f"vmRestorePoints/{derived_id('VmRestorePoint', t.id)}"
                                   "?format=Entity"), "VmRestorePoint", name))
    if leaves_replica_point(t):
        links_.append(link("Related",
                           ctx.api(f"vmReplicaPoints/{derived_id('VmReplicaPoint', t.id)}"
                                   "?format=Entity"), "VmReplicaPoint", name))
    elems: list[tuple[str, Any]] = [
        ("JobSessionUid", urn(k.type_name, t.session.id)),
        ("CreationTimeUTC", ctx.time(t.creation_ms)), ("EndTimeUTC", ctx.time(t.end_ms)),
        ("State", t.state), ("Result", t.result), ("Reason", t.reason),
        ("TotalSize", t.total_size)]
    if not t.session.job.is_replica:
        elems.append(("VmUid", t.vm_uid))
    own = Layer(attrs=[("VmDisplayName", t.vm_name)], elems=elems)
    return entity(type_name, path, t.id, name, links_, [own], ctx)


BACKUP_TASK_SESSION = ResourceType("BackupTaskSession", "backupTaskSessions", "BackupTaskSessions",
                                   _task_ref, _task_entity)
REPLICA_TASK_SESSION = ResourceType("ReplicaTaskSession", "replicaTaskSessions",
                                    "ReplicaTaskSessions", _task_ref, _task_entity)


def _job_sessions_link(j: Job, ctx: Ctx) -> Node:
    if j.is_replica:
        return link("Down", ctx.api(f"jobs/{j.id}/replicaSessions"),
                    "ReplicaJobSessionReferenceList")
    return link("Down", ctx.api(f"jobs/{j.id}/backupSessions"), "BackupJobSessionReferenceList")


def _job_ref(j: Job, ctx: Ctx, root: str) -> Node:
    return reference(root, "Job", "jobs", j.id, j.name, [
        server_up(j.backup_server, ctx), alternate_to_entity("Job", "jobs", j.id, j.name, ctx),
        _job_sessions_link(j, ctx),
    ], ctx)


def _job_entity(j: Job, ctx: Ctx) -> Node:
    base = ctx.api(f"jobs/{j.id}")
    links_ = [server_up(j.backup_server, ctx),
              alternate_to_reference("Job", "jobs", j.id, j.name, ctx),
              link("Down", f"{base}/includes", "ObjectInJobList"), _job_sessions_link(j, ctx)]
    if j.job_type != "ImmediateBackupCopy":
        links_ += [link("Start", f"{base}?action=start"), link("Stop", f"{base}?action=stop"),
                   link("Retry", f"{base}?action=retry")]
    links_ += [link("Edit", base, "JobReference", j.name),
               link("Create", f"{base}/includes", "ObjectInJob"),
               link("Clone", f"{base}?action=clone"),
               link("ToggleScheduleEnabled", f"{base}?action=toggleScheduleEnabled")]
    if j.is_copy:
        links_ += [link("Sync", f"{base}?action=sync"),
                   link("Down", f"{base}/linkedJobs", "LinkedJobObjectList"),
                   link("Create", f"{base}/linkedJobs", "LinkedJobObject"),
                   link("Down", f"{base}/linkedBackupRepositories",
                        "LinkedBackupRepositoryObjectList"),
                   link("Create", f"{base}/linkedBackupRepositories",
                        "LinkedBackupRepositoryObject")]
    own = Layer(elems=[("JobType", j.job_type), ("Platform", j.platform),
                       ("Description", j.description),
                       ("ScheduleConfigured", j.schedule_configured),
                       ("ScheduleEnabled", j.schedule_enabled),
                       ("NextRun", ctx.time(j.next_run_ms)),
                       ("JobScheduleOptions", None), ("JobInfo", None)])
    return entity("Job", "jobs", j.id, j.name, links_, [own], ctx)


JOB = ResourceType("Job", "jobs", "Jobs", _job_ref, _job_entity)


def object_in_job_id(j: Job, vm: JobVm) -> str:
    """The id of a VM's ``ObjectInJob`` in job ``j``."""
    return derived_id("ObjectInJob", f"{j.id} {vm.uid}")


def _job_entity_up(j: Job, ctx: Ctx) -> Node:
    return link("Up", ctx.api(f"jobs/{j.id}?format=Entity"), "Job", j.name)


def object_in_job(j: Job, vm: JobVm, order: int, ctx: Ctx) -> Node:
    """One ``ObjectInJob`` of a job's includes."""
    href = ctx.api(f"jobs/{j.id}/includes/{object_in_job_id(j, vm)}")
    return Node("ObjectInJob", [
        resource_layer(links([_job_entity_up(j, ctx), link("Delete", href)]), href,
                       "ObjectInJob"),
        Layer(elems=[("ObjectInJobId", object_in_job_id(j, vm)), ("HierarchyObjRef", vm.uid),
                     ("Name", vm.name), ("DisplayName", vm.name), ("Order", order)]),
    ])


def _included_ref(o: Included, ctx: Ctx, root: str) -> Node:
    return reference(root, "ObjectInJob", f"jobs/{o.job.id}/includes",
                     object_in_job_id(o.job, o.vm), o.vm.name, [_job_up(o.job, ctx)], ctx)


OBJECT_IN_JOB = ResourceType("ObjectInJob", "includes", "ObjectsInJob", _included_ref,
                             lambda o, ctx: object_in_job(o.job, o.vm, o.order, ctx))


def linked_job_id(j: Job, source: Job) -> str:
    """The ``ObjectInJobId`` of a job linked to backup copy job ``j``."""
    return derived_id("LinkedJob", f"{j.id} {source.id}")


def linked_repository_id(j: Job, repo: Repository) -> str:
    """The ``ObjectInJobId`` of a repository linked to backup copy job ``j``."""
    return derived_id("LinkedBackupRepository", f"{j.id} {repo.id}")


def linked_job(j: Job, source: Job, ctx: Ctx) -> Node:
    """A ``LinkedJobObject``: a job whose backups copy job ``j`` copies."""
    href = ctx.api(f"jobs/{j.id}/linkedJobs/{linked_job_id(j, source)}")
    return Node("LinkedJobObject", [
        resource_layer(links([_job_entity_up(j, ctx), link("Delete", href)]), href,
                       "LinkedJobObject"),
        Layer(elems=[("ObjectInJobId", linked_job_id(j, source)),
                     ("LinkedJobUid", urn("Job", source.id))]),
    ])


def linked_repository(j: Job, repo: Repository, ctx: Ctx) -> Node:
    """A ``LinkedBackupRepository``: a repository whose backups copy job ``j`` copies."""
    href = ctx.api(f"jobs/{j.id}/linkedBackupRepositories/{linked_repository_id(j, repo)}")
    return Node("LinkedBackupRepository", [
        resource_layer(links([_job_entity_up(j, ctx), link("Delete", href)]), href,
                       "LinkedBackupRepositoryObject"),
        Layer(elems=[("ObjectInJobId", linked_repository_id(j, repo)),
                     ("LinkedBackupRepositoryUid", urn("Repository", repo.id))]),
    ])


# --- failover plans -------------------------------------------------------------------


def _plan_ref(p: FailoverPlan, ctx: Ctx, root: str) -> Node:
    return reference(root, "FailoverPlan", "failoverPlans", p.id, p.name, [
        server_up(p.backup_server, ctx),
        alternate_to_entity("FailoverPlan", "failoverPlans", p.id, p.name, ctx),
    ], ctx)


def _plan_entity(p: FailoverPlan, ctx: Ctx) -> Node:
    base = ctx.api(f"failoverPlans/{p.id}")
    links_ = [server_up(p.backup_server, ctx),
              alternate_to_reference("FailoverPlan", "failoverPlans", p.id, p.name, ctx),
              link("Edit", base, "FailoverPlanReference", p.name),
              link("Start", f"{base}?action=start"),
              # The documentation gives the Undo link the start URL; this one undoes.
              link("Undo", f"{base}?action=undo")]
    vms = [Node("FailoveredVm", [Layer(elems=[
        ("FailoveredVmId", vm.id), ("HierarchyObjRef", vm.uid), ("Name", vm.name),
        ("DisplayName", vm.name), ("Order", vm.order)])]) for vm in p.vms]
    info = Node("FailoverPlanInfo", [Layer(elems=[
        ("Includes", ListOf(vms, json_key="FailoveredVms"))])])
    own = Layer(elems=[("Description", p.description), ("FailoverPlanInfo", info)])
    return entity("FailoverPlan", "failoverPlans", p.id, p.name, links_, [own], ctx)


FAILOVER_PLAN = ResourceType("FailoverPlan", "failoverPlans", "FailoverPlans", _plan_ref,
                             _plan_entity)


# --- system sessions ------------------------------------------------------------------


def system_session(s: SystemSession, ctx: Ctx) -> Node:
    """A ``SystemSession`` (the vendor types its Alternate link as a job session's)."""
    base = ctx.api(f"systemSessions/{s.id}")
    result = Node("Result", [Layer(elems=[("Result", s.result), ("Message", s.message),
                                          ("IsCanceled", s.canceled)])])
    return Node("SystemSession", [
        resource_layer(links([link("Alternate", base, "BackupJobSessionReference", s.name),
                              link("Down", f"{base}/events", "SystemSessionEvents")]),
                       base, "SystemSession"),
        naming_layer(s.name, urn("SystemSession", s.id)),
        Layer(elems=[("SessionType", s.session_type),
                     ("CreationTimeUTC", ctx.time(s.creation_ms)),
                     ("EndTimeUTC", ctx.time(s.end_ms)), ("State", s.state),
                     ("Result", result)]),
    ])


def system_events(s: SystemSession, ctx: Ctx) -> Node:
    """``SystemSessionEvents``: the session's log, oldest first."""
    items = [Node("SystemSessionEvent", [Layer(elems=[
        ("TimeUTC", ctx.time(e.time_ms)), ("Status", e.status), ("Title", e.title)])])
        for e in s.events]
    return Node("SystemSessionEvents", [
        resource_layer(None, ctx.api(f"systemSessions/{s.id}/events"), "SystemSessionEvents"),
        Layer(elems=[("SystemSessionEvents", ListOf(items, inline=True))])])


# --- tasks (the query service's Task rows) ----------------------------------------------


def _em_task_ref(row: TaskRow, ctx: Ctx, root: str) -> Node:
    t = row.task
    return reference(root, "Task", "tasks", t.id, t.operation, [], ctx)


def _em_task_entity(row: TaskRow, ctx: Ctx) -> Node:
    # The row says whether the task had finished: render it as of that moment.
    return task_node(row.task, ctx, row.task.finish_ms - (0 if row.finished else 1))


TASK = ResourceType("Task", "tasks", "Tasks", _em_task_ref, _em_task_entity)


register_resources(BACKUP_JOB_SESSION, REPLICA_JOB_SESSION, BACKUP_TASK_SESSION,
                   REPLICA_TASK_SESSION, JOB, OBJECT_IN_JOB, FAILOVER_PLAN, TASK)
