"""Cloud Connect: tenants, their failover plans with replica points, and failover sessions.

Plain objects: no HTTP, no XML, no JSON. Instants are integers in milliseconds since the
Unix epoch (UTC); identifiers are bare lower-case GUIDs.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from em_mock.core.ids import derived_id
from em_mock.core.tables import DataSet, Table
from em_mock.families.infrastructure.model import BackupServer, Repository

SESSION_STATES = ("Starting", "Stopping", "Working", "Stopped")
SESSION_RESULTS = ("None", "Success", "Warning", "Failed")
FAILOVER_JOB_TYPES = ("FailoverPlan",)
TENANT_TYPES = ("Standalone", "vCD", "ActiveDirectory")
ALLOCATION_MODELS = ("Unknown", "AllocationPool", "PayAsYouGo", "ReservationPool", "Flex")
PLATFORMS = ("VMware", "HyperV")
NETWORK_MODES = ("Direct", "NAT")
SWITCH_TYPES = ("VirtualSwitch", "DistributedVirtualSwitch")
SCHEDULER_TYPES = ("Full", "Partial", "Random", "Disabled")
ACCOUNT_TYPES = ("User", "Group")


def _point_time(point: CloudVmReplicaPoint) -> int:
    return point.creation_ms


@dataclass(slots=True, eq=False)
class CloudHardwarePlan:
    """Replication resources a provider sells: CPU, memory, storage on one host, networks."""

    id: str
    name: str
    backup_server: BackupServer
    platform: str = "VMware"
    description: str = ""
    cpu_mhz: int = 0
    memory_mb: int = 0
    host_name: str = ""
    storage_name: str = ""
    storage_quota_gb: int = 0
    networks_with_internet: int = 0
    networks_without_internet: int = 0


@dataclass(slots=True, eq=False)
class TenantResource:
    """A tenant's backup resource: a quota on one repository of the tenant's server."""

    id: str
    name: str
    repository: Repository
    quota_mb: int
    used_mb: int = 0


@dataclass(slots=True, eq=False)
class ComputeResource:
    """A tenant's replication resource: a hardware plan it subscribes to."""

    id: str
    plan: CloudHardwarePlan
    use_network_failover: bool = False
    memory_usage_mb: int = 0
    cpu_count: int = 0
    storage_usage_gb: int = 0


@dataclass(slots=True, eq=False)
class VCloudComputeResource:
    """A vCD tenant's replication resource: an organization virtual data center."""

    id: str
    vdc_name: str
    vdc_ref: str
    use_network_failover: bool = False
    allocation_model: str = "AllocationPool"
    enabled: bool = True
    cpu_usage_mhz: int = 0
    memory_usage_mb: int = 0
    storage_usage_gb: int = 0


@dataclass(slots=True, eq=False)
class TenantDomain:
    """The Active Directory domain an ActiveDirectory tenant's users log on from."""

    name: str
    account: str
    port: int = 389


@dataclass(slots=True, eq=False)
class CloudSubtenant:
    """A tenant's own user with a share (or all, ``quota_mb`` 0 and unlimited) of one
    backup resource."""

    id: str
    name: str
    tenant: CloudTenant = field(repr=False)
    resource: TenantResource
    description: str = ""
    enabled: bool = True
    quota_mb: int = 0
    used_mb: int = 0

    @property
    def unlimited(self) -> bool:
        """A quota of 0 is the whole of the tenant's resource."""
        return self.quota_mb == 0

    @property
    def backup_server(self) -> BackupServer | None:
        """The tenant's server."""
        return self.tenant.backup_server


@dataclass(slots=True, eq=False)
class CloudTenant:
    """A Cloud Connect tenant account on a backup server, with its resources.

    ``backup_server`` is ``None`` only for tenants read from fixtures that name none.
    """

    id: str
    name: str
    backup_server: BackupServer | None = None
    description: str = ""
    enabled: bool = True
    max_concurrent_tasks: int = 1
    password: str = ""
    last_active_ms: int | None = None
    resources: list[TenantResource] = field(default_factory=list)
    compute: list[ComputeResource] = field(default_factory=list)
    subtenants: list[CloudSubtenant] = field(default_factory=list)
    tenant_type: str = "Standalone"
    organization_ref: str = ""
    domain: TenantDomain | None = None
    vcloud: list[VCloudComputeResource] = field(default_factory=list)
    # Kept by index_cloud from the other tables:
    plans: list[CloudFailoverPlan] = field(default_factory=list, repr=False)
    public_ips: list[CloudPublicIpAddress] = field(default_factory=list, repr=False)
    pools: list[CloudGatewayPool] = field(default_factory=list, repr=False)


@dataclass(slots=True, eq=False)
class CloudGateway:
    """A cloud gateway: the tenants' way in."""

    id: str
    name: str
    backup_server: BackupServer
    network_mode: str = "NAT"
    external_ip: str = ""
    external_port: int = 6180
    internal_port: int = 6180
    enabled: bool = True
    description: str = ""
    pools: list[CloudGatewayPool] = field(default_factory=list, repr=False)  # by index_cloud


@dataclass(slots=True, eq=False)
class CloudGatewayPool:
    """Gateways grouped so that tenants can be pinned to them."""

    id: str
    name: str
    backup_server: BackupServer
    description: str = ""
    gateways: list[CloudGateway] = field(default_factory=list)
    tenants: list[CloudTenant] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class CloudPublicIpAddress:
    """A public address the provider hands to replicas; ``tenant`` holds it, if any."""

    id: str
    ip_address: str
    backup_server: BackupServer
    tenant: CloudTenant | None = None

    @property
    def name(self) -> str:
        """Addresses are named by themselves."""
        return self.ip_address


@dataclass(slots=True, eq=False)
class VlanConfiguration:
    """VLAN ranges for tenant networks on one switch of one host."""

    id: str
    name: str
    backup_server: BackupServer
    host_name: str
    platform: str = "VMware"
    with_internet: tuple[int, int] = (0, 0)
    without_internet: tuple[int, int] = (0, 0)
    switch_name: str = ""
    switch_id: str = ""
    switch_type: str = "VirtualSwitch"
    cluster_name: str = ""
    cluster_id: str = ""


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


@dataclass(slots=True, eq=False)
class CloudReplica:
    """The cloud replica of one VM of a failover plan (its id follows from the VM's)."""

    id: str
    vm: PlanVm
    plan: CloudFailoverPlan = field(repr=False)
    platform: str = "VMware"

    @property
    def name(self) -> str:
        """A replica is named after its VM."""
        return self.vm.name

    @property
    def backup_server(self) -> BackupServer:
        """The plan's server."""
        return self.plan.backup_server


@dataclass(slots=True, eq=False)
class SelfServiceConfig:
    """vSphere self-service: an account (user or group) that backs up its own VMs of a
    vCenter to a repository, within a quota (``quota_gb``, ``used_gb``)."""

    id: str
    account_name: str
    backup_server: BackupServer
    repository: Repository
    vcenter_id: str
    quota_gb: int
    used_gb: int = 0
    account_type: str = "Group"
    account_sid: str = ""
    per_user: bool = False
    scheduler: str = "Full"
    high_priority: bool = False

    @property
    def name(self) -> str:
        """A configuration is named after its account."""
        return self.account_name


@dataclass(slots=True, eq=False)
class VCloudOrgConfig:
    """A VMware Cloud Director organization's self-service backup: a quota on a repository
    of a backup server, for the organization on a vCD host, and its job settings."""

    id: str
    name: str
    backup_server: BackupServer
    repository: Repository
    host_id: str
    quota_gb: int
    repository_friendly_name: str = ""
    used_mb: int = 0
    disabled: bool = False
    scheduler: str = "Full"
    high_priority: bool = False
    template_job_id: str = ""


TENANTS: Table[CloudTenant] = Table("tenants")
ORG_CONFIGS: Table[VCloudOrgConfig] = Table("vcloud_org_configs")
SELF_SERVICE: Table[SelfServiceConfig] = Table("self_service_configs")
HARDWARE_PLANS: Table[CloudHardwarePlan] = Table("hardware_plans")
GATEWAYS: Table[CloudGateway] = Table("cloud_gateways")
GATEWAY_POOLS: Table[CloudGatewayPool] = Table("cloud_gateway_pools")
PUBLIC_IPS: Table[CloudPublicIpAddress] = Table("public_ips")
VLANS: Table[VlanConfiguration] = Table("vlans")
SUBTENANTS: Table[CloudSubtenant] = Table("subtenants")
REPLICAS: Table[CloudReplica] = Table("cloud_replicas")
PLANS: Table[CloudFailoverPlan] = Table("plans")
SESSIONS: Table[CloudFailoverSession] = Table("sessions")
REPLICA_POINTS: Table[CloudVmReplicaPoint] = Table("replica_points")


def replica_id(vm: PlanVm) -> str:
    """The id of the cloud replica of a plan's VM (derived from the VM's)."""
    return derived_id("CloudReplica", vm.id)


def index_replica_points(data: DataSet) -> None:
    """Rebuild the replica point and replica tables from the plans' VMs."""
    REPLICA_POINTS.replace(data, {
        rp.id: rp for plan in PLANS.of(data).values() for vm in plan.vms
        for rp in vm.replica_points})
    REPLICAS.replace(data, {
        replica_id(vm): CloudReplica(replica_id(vm), vm, plan)
        for plan in PLANS.of(data).values() for vm in plan.vms})


def index_cloud(data: DataSet) -> None:
    """Rebuild what follows from the tenants and the other tables: the subtenant table,
    each tenant's plans, public IPs and gateway pools, each gateway's pools."""
    tenants = TENANTS.of(data)
    SUBTENANTS.replace(data, {s.id: s for t in tenants.values() for s in t.subtenants})
    for tenant in tenants.values():
        tenant.plans, tenant.public_ips, tenant.pools = [], [], []
    for gateway in GATEWAYS.of(data).values():
        gateway.pools = []
    for plan in PLANS.of(data).values():
        plan.tenant.plans.append(plan)
    for ip in PUBLIC_IPS.of(data).values():
        if ip.tenant is not None:
            ip.tenant.public_ips.append(ip)
    for pool in GATEWAY_POOLS.of(data).values():
        for tenant in pool.tenants:
            tenant.pools.append(pool)
        for gateway in pool.gateways:
            gateway.pools.append(pool)


def replica_of(point: CloudVmReplicaPoint) -> CloudReplica | None:
    """The replica a point belongs to."""
    for vm in point.plan.vms:
        if vm.name == point.vm_name:
            return CloudReplica(replica_id(vm), vm, point.plan)
    return None
