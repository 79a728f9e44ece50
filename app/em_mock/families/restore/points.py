"""What the mock derives about backups, replicas, restore and replica points and backup
files from the jobs and the tasks that made them: their ids, names, sizes and kinds.

Nothing here is stored: a backup is a backup job's (or copy job's) chain, a replica is a
replication job's, a restore point and its VM restore point are one successful backup
task's, and each restore point has exactly one backup file (a full ``.vbk`` on full
points, an increment ``.vib`` otherwise). So every job session's restore points are in
its job's backup, and every file a restore point lists is its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from em_mock.core.clock import ms_to_datetime
from em_mock.core.ids import derived_id
from em_mock.core.tables import Store, View
from em_mock.core.times import name_suffix
from em_mock.core.wire.documents import Ctx
from em_mock.families.agents.model import AGENT_JOBS, leaves_agent_point
from em_mock.families.infrastructure.model import REPOSITORIES, Repository
from em_mock.families.jobs.model import (
    BACKUP_TASKS,
    JOBS,
    REPLICA_TASKS,
    Job,
    TaskSession,
    leaves_replica_point,
    leaves_restore_point,
)
from em_mock.families.restore.model import VAPPS, VApp

DAY_MS = 86_400_000

BACKUP_JOBS: View[Job] = View("backup jobs", JOBS, lambda j: not j.is_replica)
REPLICA_JOBS: View[Job] = View("replica jobs", JOBS, lambda j: j.is_replica)
POINT_TASKS: View[TaskSession] = View("restore point tasks", BACKUP_TASKS, leaves_restore_point)
# Restore points and backup files of every kind: VM backups' and Veeam Agent backups'.
ALL_POINT_TASKS: View[TaskSession] = View(
    "all restore point tasks", BACKUP_TASKS,
    lambda t: leaves_restore_point(t) or leaves_agent_point(t))
REPLICA_POINT_TASKS: View[TaskSession] = View("replica point tasks", REPLICA_TASKS,
                                              leaves_replica_point)


def sql_short_date(ms: int) -> str:
    """SQL Server's short date style, ``Jun 15 2026  5:34AM`` (day and hour space-padded)."""
    moment = ms_to_datetime(ms)
    hour = moment.hour % 12 or 12
    return (f"{moment.strftime('%b')} {moment.day:>2} {moment.year} "
            f"{hour:>2}:{moment.minute:02d}{'AM' if moment.hour < 12 else 'PM'}")


def restore_point_name(t: TaskSession, ctx: Ctx) -> str:
    """The restore point's name: SQL short date in EM 12, ``yyyy-MM-dd HH:mm:ss.ffffff`` in 13."""
    return ctx.suffix(t.creation_ms) if ctx.profile >= 13 else sql_short_date(t.creation_ms)


def vm_point_name(t: TaskSession) -> str:
    """A VM restore or replica point's name as the query service matches it (EM 12 form)."""
    return f"{t.vm_name}@{name_suffix(t.creation_ms)}"


def is_full(t: TaskSession) -> bool:
    """The mock calls every point made on a Sunday (UTC) a full one; the rest are increments."""
    return ((t.creation_ms // DAY_MS) + 3) % 7 == 6  # 1970-01-01 was a Thursday


def backup_id(job: Job) -> str:
    """The id of a backup job's backup."""
    return derived_id("Backup", job.id)


def replica_id(job: Job) -> str:
    """The id of a replication job's replica."""
    return derived_id("Replica", job.id)


def restore_point_id(t: TaskSession) -> str:
    """The id of the restore point a backup task left."""
    return derived_id("RestorePoint", t.id)


def vm_restore_point_id(t: TaskSession) -> str:
    """The id of the VM restore point a backup task left."""
    return derived_id("VmRestorePoint", t.id)


def vm_replica_point_id(t: TaskSession) -> str:
    """The id of the VM replica point a replication task left."""
    return derived_id("VmReplicaPoint", t.id)


def backup_file_id(t: TaskSession) -> str:
    """The id of the backup file that holds a restore point."""
    return derived_id("BackupFile", t.id)


def backup_platform(job: Job) -> str:
    """``Platform`` of a backup: the job's."""
    return job.platform


def replica_platform(job: Job) -> str:
    """``Platform`` of a replica (this enum spells Hyper-V ``Hyperv``)."""
    return {"HyperV": "Hyperv"}.get(job.platform, job.platform)


def home_repository(job: Job, repositories: list[Repository]) -> Repository | None:
    """Where a job's backup (or a replica's metadata) lives: the job's repository, or for a
    job that names none (replication jobs) the first repository of its backup server."""
    if job.repository is not None:
        return job.repository
    return next((r for r in repositories if r.backup_server is job.backup_server), None)


def repository_of(job: Job, store: Store) -> Repository | None:
    """:func:`home_repository` among the data's repositories."""
    return home_repository(job, REPOSITORIES.rows(store))


def file_type(t: TaskSession) -> str:
    """``vbk`` for a full point's file, ``vib`` for an increment's."""
    return "vbk" if is_full(t) else "vib"


def file_name(t: TaskSession) -> str:
    """A per-VM backup file name: ``<vm>D<yyyy-MM-ddTHHmmss>_<4 hex>.<ext>``."""
    stamp = ms_to_datetime(t.creation_ms).strftime("%Y-%m-%dT%H%M%S")
    return f"{t.vm_name}D{stamp}_{t.id[:4].upper()}.{file_type(t)}"


def file_path(t: TaskSession) -> str:
    """Where the file lies in its repository: one folder per job."""
    return f"D:\\Backups\\{t.session.job.name}\\{file_name(t)}"


def data_size(t: TaskSession) -> int:
    """Bytes of VM data in the file: the whole task on a full point, a tenth (the changed
    blocks) on an increment."""
    return t.total_size if is_full(t) else t.total_size // 10


COMPRESS_RATIO = 2
DEDUP_RATIO = 1


def backup_size(t: TaskSession) -> int:
    """Bytes the file takes on disk: its data compressed at :data:`COMPRESS_RATIO`."""
    return data_size(t) // COMPRESS_RATIO


@dataclass(frozen=True, slots=True, eq=False)
class Held:
    """A backup or replica as served: the job that makes it and the repository it is in."""

    job: Job
    repository: Repository | None


def held_backups(store: Store) -> list[Held]:
    """Every backup job's (and Veeam Agent backup job's) backup, with the repository it is
    in (cached per data version)."""
    return store.get(("held", "backups"),
                     lambda: [Held(j, repository_of(j, store))
                              for j in [*BACKUP_JOBS.rows(store), *AGENT_JOBS.rows(store)]])


def held_replicas(store: Store) -> list[Held]:
    """Every replication job's replica, with its metadata repository."""
    return store.get(("held", "replicas"),
                     lambda: [Held(j, repository_of(j, store))
                              for j in REPLICA_JOBS.rows(store)])


@dataclass(frozen=True, slots=True, eq=False)
class VAppPoint:
    """A vApp's restore (or replica) point: what one session of its job left of the vApp's
    VMs (their VM restore or replica points, in task order)."""

    vapp: VApp
    tasks: tuple[TaskSession, ...]

    @property
    def first(self) -> TaskSession:
        """The first VM's task: the point's time and its restore point are that task's."""
        return self.tasks[0]

    @property
    def creation_ms(self) -> int:
        """When the point was made (its first VM's)."""
        return self.tasks[0].creation_ms

    @property
    def is_replica(self) -> bool:
        """A vApp replica point (else a vApp restore point)."""
        return self.vapp.job.is_replica


def _vapp_points(store: Store, tasks: list[TaskSession]) -> list[VAppPoint]:
    by_job: dict[str, list[VApp]] = {}
    for vapp in VAPPS.rows(store):
        by_job.setdefault(vapp.job.id, []).append(vapp)
    groups: dict[tuple[str, str], list[TaskSession]] = {}
    members: dict[str, VApp] = {}
    for t in tasks:
        for vapp in by_job.get(t.session.job.id, ()):
            if t.vm_uid in vapp.vm_uids:
                groups.setdefault((vapp.id, t.session.id), []).append(t)
                members[vapp.id] = vapp
    return [VAppPoint(members[vapp_id], tuple(ts)) for (vapp_id, _), ts in groups.items()]


def vapp_restore_points(store: Store) -> list[VAppPoint]:
    """Every vApp restore point, oldest first (cached per data version)."""
    return store.get(("vapp points", "restore"),
                     lambda: _vapp_points(store, POINT_TASKS.rows(store)))


def vapp_replica_points(store: Store) -> list[VAppPoint]:
    """Every vApp replica point, oldest first (cached per data version)."""
    return store.get(("vapp points", "replica"),
                     lambda: _vapp_points(store, REPLICA_POINT_TASKS.rows(store)))


def vapp_point_id(p: VAppPoint) -> str:
    """The id of a vApp restore or replica point. A replicated vApp's own id shows in no
    answer, so its points' ids come from what does show (its job and name), and a capture
    of a server reads the same ids back."""
    if p.is_replica:
        return derived_id("VAppReplicaPoint",
                          f"{p.vapp.job.id} {p.vapp.name} {p.first.session.id}")
    return derived_id("VAppRestorePoint", f"{p.vapp.id} {p.first.session.id}")


def vapp_point_name(p: VAppPoint) -> str:
    """A vApp point's name as the query service matches it (EM 12 form)."""
    return f"{p.vapp.name}@{name_suffix(p.creation_ms)}"


def vapp_ref(vapp: VApp) -> str:
    """The vApp's hierarchy reference."""
    return f"urn:vCloud:Vapp:{vapp.job.backup_server.id}.urn:vcloud:vapp:{vapp.id}"
