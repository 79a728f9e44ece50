"""Wire shapes of backups, replicas, restore points, VM restore and replica points and
backup files.

The mock derives all of them from the jobs and the job task sessions that left them (see
``points.py``): a point's id is derived from its task's, and its times and sizes are the
task's. Shapes that link to a backup's repository find it through the store, so those
builders take the repository along with the job.
"""

from __future__ import annotations

from em_mock.core.registry import ResourceType, register_resources
from em_mock.core.times import name_suffix
from em_mock.core.wire.documents import (
    Ctx,
    alternate_to_entity,
    alternate_to_reference,
    entity,
    reference,
)
from em_mock.core.wire.tree import Layer, Node, link
from em_mock.families.agents.model import leaves_agent_point
from em_mock.families.infrastructure.model import Repository
from em_mock.families.infrastructure.shapes import server_up
from em_mock.families.jobs.model import Job, TaskSession
from em_mock.families.jobs.shapes import task_name
from em_mock.families.restore.model import RestoreSession
from em_mock.families.restore.points import (
    COMPRESS_RATIO,
    DEDUP_RATIO,
    Held,
    VAppPoint,
    backup_file_id,
    backup_id,
    backup_platform,
    backup_size,
    data_size,
    file_name,
    file_path,
    file_type,
    is_full,
    replica_id,
    replica_platform,
    restore_point_id,
    restore_point_name,
    vapp_point_id,
    vapp_ref,
    vm_replica_point_id,
    vm_restore_point_id,
)


def _repo_up(r: Repository | None, ctx: Ctx) -> list[Node]:
    if r is None:
        return []
    return [link("Up", ctx.api(f"repositories/{r.id}"), "RepositoryReference", r.name)]


def backup_up(job: Job, ctx: Ctx) -> Node:
    """The ``Up`` link from a restore point or backup file to its backup."""
    return link("Up", ctx.api(f"backups/{backup_id(job)}"), "BackupReference", job.name)


# Backups -----------------------------------------------------------------------------

def _backup_links(b: Held, ctx: Ctx, alternate: Node) -> list[Node]:
    bid = backup_id(b.job)
    return [*_repo_up(b.repository, ctx), server_up(b.job.backup_server, ctx), alternate,
            link("Down", ctx.api(f"backups/{bid}/restorePoints"), "RestorePointReferenceList"),
            link("Down", ctx.api(f"backups/{bid}/backupFiles"), "BackupFileReferenceList")]


def _backup_ref(b: Held, ctx: Ctx, root: str) -> Node:
    bid, name = backup_id(b.job), b.job.name
    return reference(root, "Backup", "backups", bid, name, _backup_links(
        b, ctx, alternate_to_entity("Backup", "backups", bid, name, ctx)), ctx)


def _backup_entity(b: Held, ctx: Ctx) -> Node:
    bid, name = backup_id(b.job), b.job.name
    own = Layer(elems=[("Platform", backup_platform(b.job)), ("BackupType", "Standard")])
    return entity("Backup", "backups", bid, name, _backup_links(
        b, ctx, alternate_to_reference("Backup", "backups", bid, name, ctx)), [own], ctx)


BACKUP = ResourceType("Backup", "backups", "Backups", _backup_ref, _backup_entity)


# Replicas ----------------------------------------------------------------------------

def _replica_links(b: Held, ctx: Ctx, alternate: Node) -> list[Node]:
    return [*_repo_up(b.repository, ctx), server_up(b.job.backup_server, ctx), alternate,
            link("Down", ctx.api(f"replicas/{replica_id(b.job)}/vmReplicaPoints"),
                 "VmReplicaPointReferenceList")]


def _replica_ref(b: Held, ctx: Ctx, root: str) -> Node:
    rid, name = replica_id(b.job), b.job.name
    return reference(root, "Replica", "replicas", rid, name, _replica_links(
        b, ctx, alternate_to_entity("Replica", "replicas", rid, name, ctx)), ctx)


def _replica_entity(b: Held, ctx: Ctx) -> Node:
    rid, name = replica_id(b.job), b.job.name
    own = Layer(elems=[("Platform", replica_platform(b.job))])
    return entity("Replica", "replicas", rid, name, _replica_links(
        b, ctx, alternate_to_reference("Replica", "replicas", rid, name, ctx)), [own], ctx)


REPLICA = ResourceType("Replica", "replicas", "Replicas", _replica_ref, _replica_entity)


# Restore points ----------------------------------------------------------------------

def _rp_links(t: TaskSession, ctx: Ctx, alternate: Node) -> list[Node]:
    rp_id = restore_point_id(t)
    points = (link("Down", ctx.api(f"restorePoints/{rp_id}/agentRestorePoints"),
                   "AgentRestorePointReferenceList") if leaves_agent_point(t) else
              link("Down", ctx.api(f"restorePoints/{rp_id}/vmRestorePoints"),
                   "VmRestorePointReferenceList"))
    return [backup_up(t.session.job, ctx), server_up(t.session.backup_server, ctx), alternate,
            points,
            link("Down", ctx.api(f"restorePoints/{rp_id}/backupFiles"),
                 "BackupFileReferenceList")]


def _rp_ref(t: TaskSession, ctx: Ctx, root: str) -> Node:
    rp_id, name = restore_point_id(t), restore_point_name(t, ctx)
    return reference(root, "RestorePoint", "restorePoints", rp_id, name, _rp_links(
        t, ctx, alternate_to_entity("RestorePoint", "restorePoints", rp_id, name, ctx)), ctx)


def _rp_entity(t: TaskSession, ctx: Ctx) -> Node:
    rp_id, name = restore_point_id(t), restore_point_name(t, ctx)
    own = Layer(elems=[("BackupDateUTC", ctx.time(t.creation_ms))])
    return entity("RestorePoint", "restorePoints", rp_id, name, _rp_links(
        t, ctx, alternate_to_reference("RestorePoint", "restorePoints", rp_id, name, ctx)),
        [own], ctx)


RESTORE_POINT = ResourceType("RestorePoint", "restorePoints", "RestorePoints", _rp_ref, _rp_entity)


# Backup files ------------------------------------------------------------------------

def _file_links(t: TaskSession, ctx: Ctx, alternate: Node) -> list[Node]:
    fid = backup_file_id(t)
    out = [backup_up(t.session.job, ctx), server_up(t.session.backup_server, ctx), alternate,
           link("Down", ctx.api(f"backupFiles/{fid}/restorePoints"),
                "RestorePointReferenceList")]
    if not leaves_agent_point(t):
        out.append(link("Down", ctx.api(f"backupFiles/{fid}/vmRestorePoints"),
                        "VmRestorePointReferenceList"))
    return out


def _file_ref(t: TaskSession, ctx: Ctx, root: str) -> Node:
    fid, name = backup_file_id(t), file_name(t)
    return reference(root, "BackupFile", "backupFiles", fid, name, _file_links(
        t, ctx, alternate_to_entity("BackupFile", "backupFiles", fid, name, ctx)), ctx)


def _file_entity(t: TaskSession, ctx: Ctx) -> Node:
    fid, name = backup_file_id(t), file_name(t)
    own = Layer(elems=[("FilePath", file_path(t)), ("BackupSize", backup_size(t)),
                       ("DataSize", data_size(t)), ("DeduplicationRatio", DEDUP_RATIO),
                       ("CompressRatio", COMPRESS_RATIO),
                       ("CreationTimeUtc", ctx.time(t.creation_ms)), ("FileType", file_type(t))])
    return entity("BackupFile", "backupFiles", fid, name, _file_links(
        t, ctx, alternate_to_reference("BackupFile", "backupFiles", fid, name, ctx)),
        [own], ctx)


BACKUP_FILE = ResourceType("BackupFile", "backupFiles", "BackupFiles", _file_ref, _file_entity)


# VM restore points -------------------------------------------------------------------

def point_ups(t: TaskSession, ctx: Ctx) -> list[Node]:
    """The ``Up`` links of a point a backup task left (a VM or an agent restore point):
    its backup server, its restore point and its backup file."""
    return [server_up(t.session.backup_server, ctx),
            link("Up", ctx.api(f"restorePoints/{restore_point_id(t)}"), "RestorePointReference",
                 restore_point_name(t, ctx)),
            link("Up", ctx.api(f"backupFiles/{backup_file_id(t)}"), "BackupFileReference",
                 file_name(t))]


def _vrp_links(t: TaskSession, ctx: Ctx, alternate: Node) -> list[Node]:
    return [*point_ups(t, ctx),
            alternate,
            link("Down", ctx.api(f"vmRestorePoints/{vm_restore_point_id(t)}/mounts"),
                 "VmRestorePointMountList")]


def _vrp_ref(t: TaskSession, ctx: Ctx, root: str) -> Node:
    vid, name = vm_restore_point_id(t), task_name(t, ctx)
    return reference(root, "VmRestorePoint", "vmRestorePoints", vid, name, _vrp_links(
        t, ctx, alternate_to_entity("VmRestorePoint", "vmRestorePoints", vid, name, ctx)), ctx)


def _vrp_entity(t: TaskSession, ctx: Ctx) -> Node:
    vid, name = vm_restore_point_id(t), task_name(t, ctx)
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


# VM replica points -------------------------------------------------------------------

def _vrep_links(t: TaskSession, ctx: Ctx, alternate: Node) -> list[Node]:
    job = t.session.job
    here = ctx.api(f"vmReplicaPoints/{vm_replica_point_id(t)}")
    return [link("Failover", f"{here}?action=failover"),
            server_up(t.session.backup_server, ctx),
            link("Up", ctx.api(f"replicas/{replica_id(job)}"), "ReplicaReference", job.name),
            alternate,
            link("Down", f"{here}/mounts", "VmReplicaPointMountList"),
            link("Create", f"{here}/mounts", "VmReplicaPointMount")]


def _vrep_ref(t: TaskSession, ctx: Ctx, root: str) -> Node:
    vid, name = vm_replica_point_id(t), task_name(t, ctx)
    return reference(root, "VmReplicaPoint", "vmReplicaPoints", vid, name, _vrep_links(
        t, ctx, alternate_to_entity("VmReplicaPoint", "vmReplicaPoints", vid, name, ctx)), ctx)


def _vrep_entity(t: TaskSession, ctx: Ctx) -> Node:
    vid, name = vm_replica_point_id(t), task_name(t, ctx)
    own = Layer(attrs=[("VmDisplayName", t.vm_name)],
                elems=[("CreationTimeUTC", ctx.time(t.creation_ms)), ("PointType", "Snapshot"),
                       ("State", "Ready"), ("HierarchyObjRef", t.vm_uid)])
    return entity("VmReplicaPoint", "vmReplicaPoints", vid, name, _vrep_links(
        t, ctx, alternate_to_reference("VmReplicaPoint", "vmReplicaPoints", vid, name, ctx)),
        [own], ctx)


VM_REPLICA_POINT = ResourceType("VmReplicaPoint", "vmReplicaPoints", "VmReplicaPoints",
                                _vrep_ref, _vrep_entity)


register_resources(BACKUP, REPLICA, RESTORE_POINT, BACKUP_FILE, VM_RESTORE_POINT,
                   VM_REPLICA_POINT)


# vApp restore and replica points ------------------------------------------------------

def vapp_point_name(p: VAppPoint, ctx: Ctx) -> str:
    """``<vApp>@<time>``, like the VM points' names."""
    return f"{p.vapp.name}@{ctx.suffix(p.creation_ms)}"


def _algorithm(p: VAppPoint) -> str:
    return "Incremental" if p.is_replica or not is_full(p.first) else "Full"


def _point_type(p: VAppPoint) -> str:
    return "Snapshot" if p.is_replica else "Full" if is_full(p.first) else "Increment"


def _vapp_rp_links(p: VAppPoint, ctx: Ctx, alternate: Node) -> list[Node]:
    t = p.first
    here = ctx.api(f"vAppRestorePoints/{vapp_point_id(p)}")
    return [link("Restore", f"{here}?action=restore"),
            server_up(t.session.backup_server, ctx),
            link("Up", ctx.api(f"restorePoints/{restore_point_id(t)}"), "RestorePointReference",
                 restore_point_name(t, ctx)),
            alternate]


def _vapp_rp_ref(p: VAppPoint, ctx: Ctx, root: str) -> Node:
    pid, name = vapp_point_id(p), vapp_point_name(p, ctx)
    return reference(root, "VAppRestorePoint", "vAppRestorePoints", pid, name, _vapp_rp_links(
        p, ctx, alternate_to_entity("VAppRestorePoint", "vAppRestorePoints", pid, name, ctx)),
        ctx)


def _vapp_rp_entity(p: VAppPoint, ctx: Ctx) -> Node:
    pid, name = vapp_point_id(p), vapp_point_name(p, ctx)
    own = Layer(elems=[("CreationTimeUTC", ctx.time(p.creation_ms)), ("Algorithm", _algorithm(p)),
                       ("PointType", _point_type(p)), ("HierarchyObjRef", vapp_ref(p.vapp))])
    return entity("VAppRestorePoint", "vAppRestorePoints", pid, name, _vapp_rp_links(
        p, ctx, alternate_to_reference("VAppRestorePoint", "vAppRestorePoints", pid, name, ctx)),
        [own], ctx)


def _vapp_rep_links(p: VAppPoint, ctx: Ctx, alternate: Node) -> list[Node]:
    job = p.vapp.job
    here = ctx.api(f"vAppReplicaPoints/{vapp_point_id(p)}")
    return [link("Failover", f"{here}?action=failover"),
            server_up(job.backup_server, ctx),
            link("Up", ctx.api(f"replicas/{replica_id(job)}"), "ReplicaReference", job.name),
            alternate,
            *(link("Down", ctx.api(f"vmReplicaPoints/{vm_replica_point_id(t)}"),
                   "VmReplicaPointReference", task_name(t, ctx)) for t in p.tasks)]


def _vapp_rep_ref(p: VAppPoint, ctx: Ctx, root: str) -> Node:
    pid, name = vapp_point_id(p), vapp_point_name(p, ctx)
    return reference(root, "VAppReplicaPoint", "vAppReplicaPoints", pid, name, _vapp_rep_links(
        p, ctx, alternate_to_entity("VAppReplicaPoint", "vAppReplicaPoints", pid, name, ctx)),
        ctx)


def _vapp_rep_entity(p: VAppPoint, ctx: Ctx) -> Node:
    pid, name = vapp_point_id(p), vapp_point_name(p, ctx)
    own = Layer(elems=[("CreationTimeUTC", ctx.time(p.creation_ms)), ("VAppName", p.vapp.name),
                       ("Algorithm", _algorithm(p)), ("PointType", _point_type(p))])
    return entity("VAppReplicaPoint", "vAppReplicaPoints", pid, name, _vapp_rep_links(
        p, ctx, alternate_to_reference("VAppReplicaPoint", "vAppReplicaPoints", pid, name, ctx)),
        [own], ctx)


# Registered under the query types' names (the vendor spells them with a small v).
VAPP_RESTORE_POINT = ResourceType("vAppRestorePoint", "vAppRestorePoints", "VAppRestorePoints",
                                  _vapp_rp_ref, _vapp_rp_entity)
VAPP_REPLICA_POINT = ResourceType("vAppReplicaPoint", "vAppReplicaPoints", "VAppReplicaPoints",
                                  _vapp_rep_ref, _vapp_rep_entity)
register_resources(VAPP_RESTORE_POINT, VAPP_REPLICA_POINT)


# Restore sessions --------------------------------------------------------------------

def restore_session_name(s: RestoreSession, ctx: Ctx | None = None) -> str:
    """``<vm>@<time>``, like the job sessions' names."""
    return f"{s.vm_name}@{ctx.suffix(s.creation_ms) if ctx else name_suffix(s.creation_ms)}"


def _rs_links(s: RestoreSession, ctx: Ctx, alternate: Node) -> list[Node]:
    return [server_up(s.backup_server, ctx), alternate,
            link("Related", ctx.api(f"vmRestorePoints/{vm_restore_point_id(s.point)}"),
                 "VmRestorePointReference", task_name(s.point, ctx))]


def _rs_ref(s: RestoreSession, ctx: Ctx, root: str) -> Node:
    name = restore_session_name(s, ctx)
    return reference(root, "RestoreSession", "restoreSessions", s.id, name, _rs_links(
        s, ctx, alternate_to_entity("RestoreSession", "restoreSessions", s.id, name, ctx)), ctx)


def _rs_entity(s: RestoreSession, ctx: Ctx) -> Node:
    name = restore_session_name(s, ctx)
    own = Layer(elems=[("JobType", s.job_type), ("CreationTimeUTC", ctx.time(s.creation_ms)),
                       ("EndTimeUTC", ctx.time(s.end_ms)), ("State", s.state),
                       ("Result", s.result), ("Progress", s.progress),
                       ("RestoredObjRef", s.point.vm_uid)])
    return entity("RestoreSession", "restoreSessions", s.id, name, _rs_links(
        s, ctx, alternate_to_reference("RestoreSession", "restoreSessions", s.id, name, ctx)),
        [own], ctx)


RESTORE_SESSION = ResourceType("RestoreSession", "restoreSessions", "RestoreSessions",
                               _rs_ref, _rs_entity)
register_resources(RESTORE_SESSION)
