"""The entities the mock serves. Plain objects: no HTTP, no XML, no JSON.

Instants are integers in milliseconds since the Unix epoch (UTC). Identifiers are
bare lower-case GUIDs; the URN form (``urn:veeam:<Type>:<guid>``) is derived.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

SESSION_STATES = ("Starting", "Stopping", "Working", "Stopped")
SESSION_RESULTS = ("None", "Success", "Warning", "Failed")
FAILOVER_JOB_TYPES = ("FailoverPlan",)


def _point_time(point: CloudVmReplicaPoint) -> int:
    return point.creation_ms


def urn(type_name: str, guid: str) -> str:
    """``urn:veeam:<Type>:<guid>``."""
    return f"urn:veeam:{type_name}:{guid}"


@dataclass(slots=True, eq=False)
class BackupServer:
    """A Veeam backup server connected to Enterprise Manager."""

    id: str
    name: str
    description: str = ""
    port: int = 9392
    version: str = "12.3.2.4465"
    wcf_port: int = 9405
    certificate_thumbprint: str = ""
    ip_or_dns_name: str = ""


@dataclass(slots=True, eq=False)
class CloudTenant:
    """A Cloud Connect tenant: a name and an identity suffice here."""

    id: str
    name: str


@dataclass(slots=True, eq=False)
class CloudVmReplicaPoint:
    """One restore point of a tenant VM's cloud replica."""

    id: str
    vm_name: str
    creation_ms: int
    plan: CloudFailoverPlan = field(repr=False)


@dataclass(slots=True, eq=False)
class PlanVm:
    """A VM included in a failover plan, with its replica points (oldest first)."""

    id: str
    name: str
    replica_points: list[CloudVmReplicaPoint] = field(default_factory=list)

    def latest_point(self, before_ms: int) -> CloudVmReplicaPoint | None:
        """The newest replica point made at or before ``before_ms`` (points are oldest first)."""
        i = bisect.bisect_right(self.replica_points, before_ms, key=_point_time)
        return self.replica_points[i - 1] if i else None


@dataclass(slots=True, eq=False)
class CloudFailoverPlan:
    """A tenant's cloud failover plan on a backup server.

    ``outcome`` fixes the result of runs started through the API (``Success``,
    ``Warning`` or ``Failed``); ``None`` lets the seeded generator choose.
    """

    id: str
    name: str
    tenant: CloudTenant
    backup_server: BackupServer
    description: str = ""
    pre_command_enabled: bool = False
    pre_command: str = ""
    post_command_enabled: bool = False
    post_command: str = ""
    vms: list[PlanVm] = field(default_factory=list)
    outcome: str | None = None


@dataclass(slots=True, eq=False)
class CloudFailoverTask:
    """The per-VM part of a failover session."""

    vm_name: str
    replica_point: CloudVmReplicaPoint | None
    creation_ms: int
    end_ms: int | None
    state: str
    result: str
    progress: int
    failure_message: str | None = None


@dataclass(slots=True, eq=False)
class CloudFailoverSession:
    """One run of a cloud failover plan."""

    id: str
    plan: CloudFailoverPlan
    creation_ms: int
    end_ms: int | None
    state: str
    result: str
    progress: int
    failure_message: str | None = None
    tasks: list[CloudFailoverTask] = field(default_factory=list)
    job_type: str = "FailoverPlan"

    @property
    def name(self) -> str:
        """A failover session is named after its plan."""
        return self.plan.name

    @property
    def backup_server(self) -> BackupServer:
        """The server the plan ran on."""
        return self.plan.backup_server


# --- what monitoring clients read: jobs, their sessions, repositories, agents ----------

JOB_TYPES = ("Backup", "BackupCopy", "ImmediateBackupCopy", "Replica")
JOB_SESSION_TYPES = ("Backup", "BackupCopy", "ImmediateBackupCopy", "ImmediateBackupCopyWorker",
                     "AgentBackup", "AgentManagement", "NasBackup")
JOB_SESSION_STATES = ("Starting", "Stopping", "Working", "Pausing", "Resuming", "Stopped")
TASK_STATES = ("InProgress", "Pending", "Completed")
PLATFORMS = ("VMware", "HyperV", "vCloud", "CustomPlatform")
REPOSITORY_KINDS = ("WindowsLocal", "LinuxLocal", "CifsShare", "DDBoost", "Cloud", "HPStoreOnce",
                    "ExaGrid", "Foreign", "SanSnapshot", "HPStoreOnceIntegration", "Extendable",
                    "Quantum", "Nfs", "AmazonS3Compatible")
HOST_STATUSES = ("Online", "Offline", "Unknown")
AGENT_STATUSES = ("NotInstalled", "Installed", "UnsupportedOs", "Failed", "Exclude")


@dataclass(slots=True, eq=False)
class Repository:
    """A backup repository; ``capacity``/``free_space`` are bytes, -1 when unknown."""

    id: str
    name: str
    backup_server: BackupServer
    kind: str = "WindowsLocal"
    capacity: int = 0
    free_space: int = 0


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

    @property
    def is_replica(self) -> bool:
        """Replication jobs' sessions live under ``/replicaSessions``."""
        return self.job_type == "Replica"


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


@dataclass(slots=True, eq=False)
class ProtectionGroup:
    """An agent protection group: where discovered computers come from."""

    id: str
    name: str
    backup_server: BackupServer


@dataclass(slots=True, eq=False)
class DiscoveredComputer:
    """A computer found in a protection group, with its Veeam agent's state."""

    id: str
    name: str
    protection_group: ProtectionGroup
    host_status: str = "Online"
    agent_version: str = ""
    agent_status: str = "Installed"
    os_version: str = ""
    ip_address: str = ""

    @property
    def backup_server(self) -> BackupServer:
        """The server of the computer's protection group."""
        return self.protection_group.backup_server


def leaves_restore_point(t: TaskSession) -> bool:
    """A finished, successful (or warning) backup task leaves a VM restore point."""
    return (t.state == "Completed" and t.result in ("Success", "Warning")
            and t.session.job_type == "Backup")


def leaves_replica_point(t: TaskSession) -> bool:
    """A finished, successful (or warning) replication task leaves a VM replica point."""
    done = t.state == "Completed" and t.result in ("Success", "Warning")
    return done and t.session.job.is_replica


@dataclass(slots=True)
class Run:
    """A failover plan run the clock drives (started through an action).

    It starts at its session's ``CreationTimeUTC``; ``outcome`` is how it ends,
    ``message`` the failure or warning text, ``culprit`` the index of the VM that
    explains a warning or failure (-1: none).
    """

    session_id: str
    plan_id: str
    start_ms: int
    outcome: str
    message: str | None
    culprit: int


@dataclass(slots=True)
class JobRun:
    """A job session the clock drives (started, or retried, through an action)."""

    session_id: str
    start_ms: int
    outcome: str
    reason: str
    culprit: int
