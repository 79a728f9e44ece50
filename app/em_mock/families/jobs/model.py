"""Jobs, the objects they process, and their runs: job sessions and per-VM task sessions.

Plain objects: no HTTP, no XML, no JSON. Instants are integers in milliseconds since the
Unix epoch (UTC); identifiers are bare lower-case GUIDs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from em_mock.core.tables import DataSet, Store, Table, View
from em_mock.families.infrastructure.model import BackupServer, Repository

JOB_TYPES = ("Backup", "BackupCopy", "ImmediateBackupCopy", "Replica")
JOB_SESSION_TYPES = ("Backup", "BackupCopy", "ImmediateBackupCopy", "ImmediateBackupCopyWorker",
                     "AgentBackup", "AgentManagement", "NasBackup")
JOB_SESSION_STATES = ("Starting", "Stopping", "Working", "Pausing", "Resuming", "Stopped")
TASK_STATES = ("InProgress", "Pending", "Completed")
PLATFORMS = ("VMware", "HyperV", "vCloud", "CustomPlatform")
RESULTS = ("None", "Success", "Warning", "Failed")


@dataclass(slots=True, eq=False)
class JobVm:
    """A VM a job processes: display name, hierarchy reference (``VmUid``), disk size."""

    name: str
    uid: str
    size: int


@dataclass(slots=True, eq=False)
class Job:
    """A backup, backup copy or replication job on a backup server."""

    id: str
    name: str
    backup_server: BackupServer
    job_type: str = "Backup"
    platform: str = "VMware"
    description: str = ""
    schedule_configured: bool = True
    schedule_enabled: bool = True
    next_run_ms: int | None = None
    repository: Repository | None = None
    vms: list[JobVm] = field(default_factory=list)
    sources: list[Job] = field(default_factory=list)
    linked_repositories: list[Repository] = field(default_factory=list)

    @property
    def path(self) -> str:
        """The collection the job is served in (``/jobs``; NAS jobs live elsewhere)."""
        return "jobs"

    @property
    def is_replica(self) -> bool:
        """Replication jobs' sessions live under ``/replicaSessions``."""
        return self.job_type == "Replica"

    @property
    def is_copy(self) -> bool:
        """Backup copy jobs copy the backups of linked jobs and repositories."""
        return self.job_type in ("BackupCopy", "ImmediateBackupCopy")


@dataclass(frozen=True, slots=True)
class Included:
    """An object a job processes, as the query service lists it (``ObjectInJob``)."""

    job: Job
    vm: JobVm
    order: int


@dataclass(slots=True, eq=False)
class TaskSession:
    """One VM's part of a job session (``BackupTaskSession`` or ``ReplicaTaskSession``)."""

    id: str
    session: JobSession = field(repr=False)
    vm_name: str
    vm_uid: str
    creation_ms: int
    end_ms: int | None
    state: str
    result: str
    reason: str = ""
    total_size: int = 0


@dataclass(slots=True, eq=False)
class JobSession:
    """One run of a job (``BackupJobSession`` or ``ReplicaJobSession``).

    ``job_type`` and ``job_name`` are the session's own: a backup copy worker reports
    ``ImmediateBackupCopyWorker`` and ``<copy job>\\<source job> - <server>``.
    """

    id: str
    job: Job
    job_type: str
    job_name: str
    creation_ms: int
    end_ms: int | None
    state: str
    result: str
    progress: int
    failure_message: str | None = None
    is_retry: bool = False
    tasks: list[TaskSession] = field(default_factory=list)

    @property
    def backup_server(self) -> BackupServer:
        """The server the job ran on."""
        return self.job.backup_server


def leaves_restore_point(t: TaskSession) -> bool:
    """A finished, successful (or warning) backup task leaves a VM restore point."""
    return (t.state == "Completed" and t.result in ("Success", "Warning")
            and t.session.job_type == "Backup")


def leaves_replica_point(t: TaskSession) -> bool:
    """A finished, successful (or warning) replication task leaves a VM replica point."""
    done = t.state == "Completed" and t.result in ("Success", "Warning")
    return done and t.session.job.is_replica


FAILOVER_PLAN_STATES = ("Ready", "FailedOver")
SYSTEM_SESSION_TYPES = ("CatalogConsolidation", "CatalogCrawlJob", "CatalogReplicationJob",
                        "CollectJob", "SecurityScopesRebuild", "VcPluginJob", "LicAutoUpdate",
                        "DatabaseMaintenance", "HistoryCollectJob", "LicenseRevoke",
                        "SyncCheckForProductUpdatesOption", "LogExport")
SYSTEM_SESSION_STATES = ("InProgress", "CompletedSuccessfully", "CompletedWarning", "Failed")
EVENT_STATUSES = ("Success", "Warning", "Failed")


@dataclass(slots=True, eq=False)
class FailoverVm:
    """A VM of a failover plan: its replica's hierarchy reference, its place in the order."""

    id: str
    uid: str
    name: str
    order: int


@dataclass(slots=True, eq=False)
class FailoverPlan:
    """A (non-cloud) failover plan of a backup server: replicas failed over in order.

    ``state`` is what the plan did last (``Ready`` or ``FailedOver``); ``outcome`` pins how
    the next runs end (``None``: drawn at random).
    """

    id: str
    name: str
    backup_server: BackupServer
    description: str = ""
    vms: list[FailoverVm] = field(default_factory=list)
    state: str = "Ready"
    outcome: str | None = None


@dataclass(slots=True, eq=False)
class SystemEvent:
    """One log line of a system session."""

    time_ms: int
    status: str
    title: str


@dataclass(slots=True, eq=False)
class SystemSession:
    """A session of Enterprise Manager itself (data collection, catalog, maintenance)."""

    id: str
    session_type: str
    name: str
    creation_ms: int
    end_ms: int | None
    state: str
    result: str
    message: str = ""
    canceled: bool = False
    events: list[SystemEvent] = field(default_factory=list)


JOBS: Table[Job] = Table("jobs")
FAILOVER_PLANS: Table[FailoverPlan] = Table("failover_plans")
SYSTEM_SESSIONS: Table[SystemSession] = Table("system_sessions")
JOB_SESSIONS: Table[JobSession] = Table("job_sessions")
TASK_SESSIONS: Table[TaskSession] = Table("task_sessions")
BACKUP_SESSIONS: View[JobSession] = View("backup_sessions", JOB_SESSIONS,
                                         lambda s: not s.job.is_replica)
REPLICA_SESSIONS: View[JobSession] = View("replica_sessions", JOB_SESSIONS,
                                          lambda s: s.job.is_replica)
BACKUP_TASKS: View[TaskSession] = View("backup_tasks", TASK_SESSIONS,
                                       lambda t: not t.session.job.is_replica)
REPLICA_TASKS: View[TaskSession] = View("replica_tasks", TASK_SESSIONS,
                                        lambda t: t.session.job.is_replica)


def included_objects(store: Store) -> list[Included]:
    """Every job's included objects, job by job (cached per data version)."""
    return store.get(("rows", "objects in jobs"),
                     lambda: [Included(j, vm, k) for j in JOBS.rows(store)
                              for k, vm in enumerate(j.vms)])


def index_task_sessions(data: DataSet) -> None:
    """Rebuild the task session table from the job sessions' tasks."""
    TASK_SESSIONS.replace(data, {t.id: t for s in JOB_SESSIONS.of(data).values()
                                 for t in s.tasks})
