"""Cloud Connect: tenants, their failover plans with replica points, and failover sessions.

Plain objects: no HTTP, no XML, no JSON. Instants are integers in milliseconds since the
Unix epoch (UTC); identifiers are bare lower-case GUIDs.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from em_mock.core.tables import DataSet, Table
from em_mock.families.infrastructure.model import BackupServer

SESSION_STATES = ("Starting", "Stopping", "Working", "Stopped")
SESSION_RESULTS = ("None", "Success", "Warning", "Failed")
FAILOVER_JOB_TYPES = ("FailoverPlan",)


def _point_time(point: CloudVmReplicaPoint) -> int:
    return point.creation_ms


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


TENANTS: Table[CloudTenant] = Table("tenants")
PLANS: Table[CloudFailoverPlan] = Table("plans")
SESSIONS: Table[CloudFailoverSession] = Table("sessions")
REPLICA_POINTS: Table[CloudVmReplicaPoint] = Table("replica_points")


def index_replica_points(data: DataSet) -> None:
    """Rebuild the replica point table from the plans' VMs."""
    REPLICA_POINTS.replace(data, {
        rp.id: rp for plan in PLANS.of(data).values() for vm in plan.vms
        for rp in vm.replica_points})
