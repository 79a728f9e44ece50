"""The entities the mock serves. Plain objects: no HTTP, no XML, no JSON.

Instants are integers in milliseconds since the Unix epoch (UTC). Identifiers are
bare lower-case GUIDs; the URN form (``urn:veeam:<Type>:<guid>``) is derived.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SESSION_STATES = ("Starting", "Stopping", "Working", "Stopped")
SESSION_RESULTS = ("None", "Success", "Warning", "Failed")
FAILOVER_JOB_TYPES = ("FailoverPlan",)


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
