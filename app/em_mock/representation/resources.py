"""Wire shapes of the entities: one declaration per resource type.

A :class:`ResourceType` names the type, its collection path and plural list name,
and gives two builders: the reference form and the entity form. The field tables
here are the single source of both the XML element order and the JSON key order.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from em_mock.domain.model import (
    BackupServer,
    CloudFailoverPlan,
    CloudFailoverSession,
    CloudFailoverTask,
    CloudVmReplicaPoint,
    DiscoveredComputer,
    Job,
    JobSession,
    JobVm,
    PlanVm,
    ProtectionGroup,
    Repository,
    TaskSession,
    leaves_replica_point,
    leaves_restore_point,
    urn,
)
from em_mock.domain.reports import is_full
from em_mock.infra.clock import ms_to_datetime
from em_mock.representation.documents import (
    Ctx,
    alternate_to_entity,
    alternate_to_reference,
    entity,
    reference,
)
from em_mock.representation.tree import Layer, ListOf, Node, link


@dataclass(frozen=True, slots=True)
class ResourceType:
    """How one entity type looks on the wire."""

    name: str
    path: str
    plural: str
    reference: Callable[[Any, Ctx, str], Node]
    entity: Callable[[Any, Ctx], Node]


def _server_up(server: BackupServer, ctx: Ctx) -> Node:
    return link("Up", ctx.api(f"backupServers/{server.id}"), "BackupServerReference", server.name)


# --- backup servers -------------------------------------------------------------------

def _server_ref(s: BackupServer, ctx: Ctx, root: str) -> Node:
    return reference(root, "BackupServer", "backupServers", s.id, s.name,
                     [alternate_to_entity("BackupServer", "backupServers", s.id, s.name, ctx)], ctx)


def _server_entity(s: BackupServer, ctx: Ctx) -> Node:
    own = Layer(elems=[("Description", s.description), ("Port", s.port), ("Version", s.version),
                       ("WcfPort", s.wcf_port),
                       ("VbrCertificateThumbprint", s.certificate_thumbprint)])
    return entity("BackupServer", "backupServers", s.id, s.name,
                  [alternate_to_reference("BackupServer", "backupServers", s.id, s.name, ctx)],
                  [own], ctx)


BACKUP_SERVER = ResourceType("BackupServer", "backupServers", "BackupServers",
                             _server_ref, _server_entity)

# --- cloud failover plans ---------------------------------------------------------------

PLAN_PATH = "cloud/cloudFailoverPlans"


def _plan_ref(p: CloudFailoverPlan, ctx: Ctx, root: str) -> Node:
    return reference(root, "CloudFailoverPlan", PLAN_PATH, p.id, p.name, [
        _server_up(p.backup_server, ctx),
        alternate_to_entity("CloudFailoverPlan", PLAN_PATH, p.id, p.name, ctx),
    ], ctx)


def plan_vm(p: CloudFailoverPlan, vm: PlanVm, order: int, ctx: Ctx) -> Node:
    """One ``CloudFailoverPlanVm`` of a plan's includes."""
    return Node("CloudFailoverPlanVm", [
        Layer(attrs=[("Href", ctx.api(f"{PLAN_PATH}/{p.id}/includes/{vm.id}")),
                     ("Type", "CloudFailoveredVm")]),
        Layer(elems=[("FailoverPlanVMId", vm.id), ("Name", vm.name), ("Order", order)]),
    ])


def _plan_entity(p: CloudFailoverPlan, ctx: Ctx) -> Node:
    options = Node("CloudFailoverPlanOptions", [Layer(elems=[
        ("PostFailoverPlanCommandEnabled", p.post_command_enabled),
        ("PostFailoverPlanCommand", p.post_command),
        ("PreFailoverPlanCommandEnabled", p.pre_command_enabled),
        ("PreFailoverPlanCommand", p.pre_command),
    ])])
    includes = [plan_vm(p, vm, i, ctx) for i, vm in enumerate(p.vms)]
    info = Node("CloudFailoverPlanInfo", [Layer(elems=[
        ("Includes", ListOf(includes, json_key="CloudFailoverPlanVms"))])])
    own = Layer(elems=[("TenantUid", urn("CloudTenant", p.tenant.id)),
                       ("TenantName", p.tenant.name), ("Description", p.description),
                       ("CloudFailoverPlanOptions", options), ("CloudFailoverPlanInfo", info)])
    base = ctx.api(f"{PLAN_PATH}/{p.id}")
    return entity("CloudFailoverPlan", PLAN_PATH, p.id, p.name, [
        _server_up(p.backup_server, ctx),
        alternate_to_reference("CloudFailoverPlan", PLAN_PATH, p.id, p.name, ctx),
        link("Start", f"{base}?action=start"),
        link("Test", f"{base}?action=test"),
        link("Undo", f"{base}?action=undo"),
    ], [own], ctx)


CLOUD_FAILOVER_PLAN = ResourceType("CloudFailoverPlan", PLAN_PATH, "CloudFailoverPlans",
                                   _plan_ref, _plan_entity)

# --- cloud VM replica points ------------------------------------------------------------

POINT_PATH = "cloud/vmReplicaPoints"


def point_name(rp: CloudVmReplicaPoint, ctx: Ctx) -> str:
    """``<vm>@<yyyy-MM-dd HH:mm:ss>``."""
    return f"{rp.vm_name}@{ctx.suffix(rp.creation_ms)}"


def _point_ref(rp: CloudVmReplicaPoint, ctx: Ctx, root: str) -> Node:
    name = point_name(rp, ctx)
    return reference(root, "CloudVmReplicaPoint", POINT_PATH, rp.id, name, [
        _server_up(rp.plan.backup_server, ctx),
        alternate_to_entity("CloudVmReplicaPoint", POINT_PATH, rp.id, name, ctx),
    ], ctx)


def _point_entity(rp: CloudVmReplicaPoint, ctx: Ctx) -> Node:
    name = point_name(rp, ctx)
    own = Layer(attrs=[("VmDisplayName", rp.vm_name)],
                elems=[("CreationTimeUTC", ctx.time(rp.creation_ms)), ("PointType", "Snapshot"),
                       ("State", "Ready")])
    return entity("CloudVmReplicaPoint", POINT_PATH, rp.id, name, [
        _server_up(rp.plan.backup_server, ctx),
        alternate_to_reference("CloudVmReplicaPoint", POINT_PATH, rp.id, name, ctx),
    ], [own], ctx)


CLOUD_VM_REPLICA_POINT = ResourceType("CloudVmReplicaPoint", POINT_PATH, "CloudVmReplicaPoints",
                                      _point_ref, _point_entity)

# --- cloud failover sessions ------------------------------------------------------------

SESSION_PATH = "cloud/failoverSessions"


def _session_ref(s: CloudFailoverSession, ctx: Ctx, root: str) -> Node:
    return reference(root, "CloudFailoverSession", SESSION_PATH, s.id, s.plan.name, [
        _server_up(s.plan.backup_server, ctx),
        alternate_to_entity("CloudFailoverSession", SESSION_PATH, s.id, s.plan.name, ctx),
    ], ctx)


def _task(t: CloudFailoverTask, ctx: Ctx) -> Node:
    rp = t.replica_point
    point_link = None if rp is None else link(
        "Related", ctx.api(f"{POINT_PATH}/{rp.id}"), "CloudVmReplicaPointReference",
        point_name(rp, ctx))
    return Node("CloudFailoverTasks", [Layer(
        attrs=[("VmName", t.vm_name)],
        elems=[("VmReplicaPointLink", point_link), ("CreationTimeUTC", ctx.time(t.creation_ms)),
               ("EndTimeUTC", ctx.time(t.end_ms)), ("State", t.state), ("Result", t.result),
               ("Progress", t.progress), ("FailureMessage", t.failure_message)],
    )])


def _session_entity(s: CloudFailoverSession, ctx: Ctx) -> Node:
    job_session = Layer(elems=[
        ("JobUid", None), ("JobName", None), ("JobType", s.job_type),
        ("CreationTimeUTC", ctx.time(s.creation_ms)), ("EndTimeUTC", ctx.time(s.end_ms)),
        ("State", s.state), ("Result", s.result), ("Progress", s.progress),
        ("FailureMessage", s.failure_message),
    ])
    own = Layer(elems=[("CloudFailoverTasks",
                        ListOf([_task(t, ctx) for t in s.tasks], json_key="CloudFailoverTasks"))])
    return entity("CloudFailoverSession", SESSION_PATH, s.id, s.plan.name, [
        _server_up(s.plan.backup_server, ctx),
        alternate_to_reference("CloudFailoverSession", SESSION_PATH, s.id, s.plan.name, ctx),
    ], [job_session, own], ctx)


CLOUD_FAILOVER_SESSION = ResourceType("CloudFailoverSession", SESSION_PATH,
                                      "CloudFailoverSessions", _session_ref, _session_entity)

RESOURCES: dict[str, ResourceType] = {
    r.name: r for r in (BACKUP_SERVER, CLOUD_FAILOVER_PLAN, CLOUD_VM_REPLICA_POINT,
                        CLOUD_FAILOVER_SESSION)
}


# --- what monitoring clients read -------------------------------------------------------

_NS = uuid.UUID("6c1e1f1e-5d6b-4f0e-9a57-3f0c2b7e8d41")


def derived_id(kind: str, guid: str) -> str:
    """A stable id for something derived from another item (restore points, includes)."""
    return str(uuid.uuid5(_NS, f"{kind} {guid}"))


def sql_short_date(ms: int) -> str:
    """SQL Server's short date style, ``Jun 15 2026  5:34AM`` (day and hour space-padded)."""
    moment = ms_to_datetime(ms)
    hour = moment.hour % 12 or 12
    return (f"{moment.strftime('%b')} {moment.day:>2} {moment.year} "
            f"{hour:>2}:{moment.minute:02d}{'AM' if moment.hour < 12 else 'PM'}")


def session_name(s: JobSession, ctx: Ctx) -> str:
    """``<JobName>@<creation time>``."""
    return f"{s.job_name}@{ctx.suffix(s.creation_ms)}"


def task_name(t: TaskSession, ctx: Ctx) -> str:
    """``<VmDisplayName>@<creation time>``."""
    return f"{t.vm_name}@{ctx.suffix(t.creation_ms)}"


def restore_point_name(t: TaskSession, ctx: Ctx) -> str:
    """The restore point's name: SQL short date in EM 12, ``yyyy-MM-dd HH:mm:ss.ffffff`` in 13."""
    return ctx.suffix(t.creation_ms) if ctx.profile >= 13 else sql_short_date(t.creation_ms)


def _job_up(job: Job, ctx: Ctx) -> Node:
    return link("Up", ctx.api(f"jobs/{job.id}"), "JobReference", job.name)


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


def _job_session_ref(s: JobSession, ctx: Ctx, root: str) -> Node:
    k = _kind(s)
    name = session_name(s, ctx)
    return reference(root, k.type_name, k.path, s.id, name, [
        _server_up(s.backup_server, ctx), _job_up(s.job, ctx),
        alternate_to_entity(k.type_name, k.path, s.id, name, ctx),
        link("Down", ctx.api(f"{k.path}/{s.id}/{k.task_path}"), k.task_list),
    ], ctx)


def _job_session_entity(s: JobSession, ctx: Ctx) -> Node:
    k = _kind(s)
    name = session_name(s, ctx)
    links_ = [
        _server_up(s.backup_server, ctx), _job_up(s.job, ctx),
        alternate_to_reference(k.type_name, k.path, s.id, name, ctx),
        link("Down", ctx.api(f"{k.path}/{s.id}/{k.task_path}"), k.task_list),
    ]
    if not s.job.is_replica:
        links_.append(link("Stop", ctx.api(f"{k.path}/{s.id}?action=stop")))
        links_ += [link("Related", ctx.api(f"restorePoints/{derived_id('RestorePoint', t.id)}"),
                        "RestorePointReference", restore_point_name(t, ctx))
                   for t in s.tasks if leaves_restore_point(t)]
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
        _server_up(t.session.backup_server, ctx),
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
        _server_up(t.session.backup_server, ctx),
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
        _server_up(j.backup_server, ctx), alternate_to_entity("Job", "jobs", j.id, j.name, ctx),
        _job_sessions_link(j, ctx),
    ], ctx)


def _job_entity(j: Job, ctx: Ctx) -> Node:
    base = ctx.api(f"jobs/{j.id}")
    links_ = [_server_up(j.backup_server, ctx),
              alternate_to_reference("Job", "jobs", j.id, j.name, ctx),
              link("Down", f"{base}/includes", "ObjectInJobList"), _job_sessions_link(j, ctx)]
    if j.job_type != "ImmediateBackupCopy":
        links_ += [link("Start", f"{base}?action=start"), link("Stop", f"{base}?action=stop"),
                   link("Retry", f"{base}?action=retry")]
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


def object_in_job(j: Job, vm: JobVm, order: int, ctx: Ctx) -> Node:
    """One ``ObjectInJob`` of a job's includes."""
    object_id = object_in_job_id(j, vm)
    return Node("ObjectInJob", [
        Layer(attrs=[("Href", ctx.api(f"jobs/{j.id}/includes/{object_id}")),
                     ("Type", "ObjectInJob")]),
        Layer(elems=[("ObjectInJobId", object_id), ("HierarchyObjRef", vm.uid),
                     ("Name", vm.name), ("DisplayName", vm.name), ("Order", order)]),
    ])


def _repo_downs(r: Repository, ctx: Ctx) -> list[Node]:
    return [link("Down", ctx.api(f"repositories/{r.id}/backups"), "BackupReferenceList"),
            link("Down", ctx.api(f"repositories/{r.id}/replicas"), "ReplicaReferenceList")]


def _repo_ref(r: Repository, ctx: Ctx, root: str) -> Node:
    return reference(root, "Repository", "repositories", r.id, r.name, [
        _server_up(r.backup_server, ctx),
        alternate_to_entity("Repository", "repositories", r.id, r.name, ctx),
        *_repo_downs(r, ctx)], ctx)


def _repo_entity(r: Repository, ctx: Ctx) -> Node:
    own = Layer(elems=[("Capacity", r.capacity), ("FreeSpace", r.free_space), ("Kind", r.kind)])
    return entity("Repository", "repositories", r.id, r.name, [
        _server_up(r.backup_server, ctx),
        alternate_to_reference("Repository", "repositories", r.id, r.name, ctx),
        *_repo_downs(r, ctx)], [own], ctx)


REPOSITORY = ResourceType("Repository", "repositories", "Repositories", _repo_ref, _repo_entity)

COMPUTER_PATH = "agents/discoveredComputers"
GROUP_PATH = "agents/protectionGroups"
# Quirk kept on purpose: a discovered computer's own Href points under /backupTaskSessions/.
COMPUTER_HREF_PATH = "backupTaskSessions"


def _computer_links(c: DiscoveredComputer, ctx: Ctx, alternate: Node) -> list[Node]:
    group = c.protection_group
    return [_server_up(c.backup_server, ctx), alternate,
            link("Up", ctx.api(f"{GROUP_PATH}/{group.id}"), "AgentProtectionGroupReference",
                 group.name)]


def _computer_ref(c: DiscoveredComputer, ctx: Ctx, root: str) -> Node:
    alternate = alternate_to_entity("DiscoveredComputer", COMPUTER_PATH, c.id, c.name, ctx)
    return reference(root, "DiscoveredComputer", COMPUTER_HREF_PATH, c.id, c.name,
                     _computer_links(c, ctx, alternate), ctx)


def _computer_entity(c: DiscoveredComputer, ctx: Ctx) -> Node:
    alternate = alternate_to_reference("DiscoveredComputer", COMPUTER_PATH, c.id, c.name, ctx)
    own = Layer(elems=[
        ("HostStatus", c.host_status), ("AgentVersion", c.agent_version),
        ("AgentStatus", c.agent_status), ("OsVersion", c.os_version),
        ("IpAddress", c.ip_address),
        ("HierarchyObjRef",
         f"urn:AgentForWindows:VeeamAgent:00000000-0000-0000-0000-000000000000.{c.id}")])
    return entity("DiscoveredComputer", COMPUTER_HREF_PATH, c.id, c.name,
                  _computer_links(c, ctx, alternate), [own], ctx)


DISCOVERED_COMPUTER = ResourceType("DiscoveredComputer", COMPUTER_PATH, "DiscoveredComputers",
                                   _computer_ref, _computer_entity)


def _group_links(g: ProtectionGroup, ctx: Ctx, alternate: Node) -> list[Node]:
    return [_server_up(g.backup_server, ctx), alternate,
            link("Down", ctx.api(f"{GROUP_PATH}/{g.id}/discoveredComputers"),
                 "DiscoveredComputerReferenceList")]


def _group_ref(g: ProtectionGroup, ctx: Ctx, root: str) -> Node:
    alternate = alternate_to_entity("AgentProtectionGroup", GROUP_PATH, g.id, g.name, ctx)
    return reference(root, "AgentProtectionGroup", GROUP_PATH, g.id, g.name,
                     _group_links(g, ctx, alternate), ctx)


def _group_entity(g: ProtectionGroup, ctx: Ctx) -> Node:
    alternate = alternate_to_reference("AgentProtectionGroup", GROUP_PATH, g.id, g.name, ctx)
    return entity("AgentProtectionGroup", GROUP_PATH, g.id, g.name,
                  _group_links(g, ctx, alternate), [], ctx)


PROTECTION_GROUP = ResourceType("AgentProtectionGroup", GROUP_PATH, "AgentProtectionGroups",
                                _group_ref, _group_entity)


def _rp_links(t: TaskSession, ctx: Ctx, alternate: Node) -> list[Node]:
    rp_id = derived_id("RestorePoint", t.id)
    return [_server_up(t.session.backup_server, ctx), alternate,
            link("Down", ctx.api(f"restorePoints/{rp_id}/vmRestorePoints"),
                 "VmRestorePointReferenceList")]


def _rp_ref(t: TaskSession, ctx: Ctx, root: str) -> Node:
    rp_id, name = derived_id("RestorePoint", t.id), restore_point_name(t, ctx)
    return reference(root, "RestorePoint", "restorePoints", rp_id, name, _rp_links(
        t, ctx, alternate_to_entity("RestorePoint", "restorePoints", rp_id, name, ctx)), ctx)


def _rp_entity(t: TaskSession, ctx: Ctx) -> Node:
    rp_id, name = derived_id("RestorePoint", t.id), restore_point_name(t, ctx)
    own = Layer(elems=[("BackupDateUTC", ctx.time(t.creation_ms))])
    return entity("RestorePoint", "restorePoints", rp_id, name, _rp_links(
        t, ctx, alternate_to_reference("RestorePoint", "restorePoints", rp_id, name, ctx)),
        [own], ctx)


RESTORE_POINT = ResourceType("RestorePoint", "restorePoints", "RestorePoints", _rp_ref, _rp_entity)


def _vrp_links(t: TaskSession, ctx: Ctx, alternate: Node) -> list[Node]:
    rp_id = derived_id("RestorePoint", t.id)
    return [_server_up(t.session.backup_server, ctx),
            link("Up", ctx.api(f"restorePoints/{rp_id}"), "RestorePointReference",
                 restore_point_name(t, ctx)), alternate]


def _vrp_ref(t: TaskSession, ctx: Ctx, root: str) -> Node:
    vid, name = derived_id("VmRestorePoint", t.id), task_name(t, ctx)
    return reference(root, "VmRestorePoint", "vmRestorePoints", vid, name, _vrp_links(
        t, ctx, alternate_to_entity("VmRestorePoint", "vmRestorePoints", vid, name, ctx)), ctx)


def _vrp_entity(t: TaskSession, ctx: Ctx) -> Node:
    vid, name = derived_id("VmRestorePoint", t.id), task_name(t, ctx)
    full = is_full(t)
    own = Layer(elems=[("CreationTimeUTC", ctx.time(t.creation_ms)),
                       ("Algorithm", "Full" if full else "Incremental"),
                       ("PointType", "Full" if full else "Increment"),
                       ("HierarchyObjRef", t.vm_uid)])
    return entity("VmRestorePoint", "vmRestorePoints", vid, name, _vrp_links(
        t, ctx, alternate_to_reference("VmRestorePoint", "vmRestorePoints", vid, name, ctx)),
        [own], ctx)


VM_RESTORE_POINT = ResourceType("VmRestorePoint", "vmRestorePoints", "VmRestorePoints",
                                _vrp_ref, _vrp_entity)


def _vrep_ref(t: TaskSession, ctx: Ctx, root: str) -> Node:
    vid, name = derived_id("VmReplicaPoint", t.id), task_name(t, ctx)
    return reference(root, "VmReplicaPoint", "vmReplicaPoints", vid, name, [
        _server_up(t.session.backup_server, ctx),
        alternate_to_entity("VmReplicaPoint", "vmReplicaPoints", vid, name, ctx)], ctx)


def _vrep_entity(t: TaskSession, ctx: Ctx) -> Node:
    vid, name = derived_id("VmReplicaPoint", t.id), task_name(t, ctx)
    own = Layer(attrs=[("VmDisplayName", t.vm_name)],
                elems=[("CreationTimeUTC", ctx.time(t.creation_ms)), ("PointType", "Snapshot"),
                       ("State", "Ready"), ("HierarchyObjRef", t.vm_uid)])
    return entity("VmReplicaPoint", "vmReplicaPoints", vid, name, [
        _server_up(t.session.backup_server, ctx),
        alternate_to_reference("VmReplicaPoint", "vmReplicaPoints", vid, name, ctx)],
        [own], ctx)


VM_REPLICA_POINT = ResourceType("VmReplicaPoint", "vmReplicaPoints", "VmReplicaPoints",
                                _vrep_ref, _vrep_entity)

RESOURCES.update({r.name: r for r in (
    BACKUP_JOB_SESSION, REPLICA_JOB_SESSION, BACKUP_TASK_SESSION, REPLICA_TASK_SESSION, JOB,
    REPOSITORY, DISCOVERED_COMPUTER, PROTECTION_GROUP, RESTORE_POINT, VM_RESTORE_POINT,
    VM_REPLICA_POINT)})
