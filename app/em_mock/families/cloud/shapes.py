"""Wire shapes of Cloud Connect: tenants (their backup and compute resources, subtenants),
hardware plans, gateways and pools, public IPs, VLANs, replicas, failover plans (and their
VMs), replica points, sessions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from em_mock.core.ids import urn
from em_mock.core.registry import ResourceType, register_resources
from em_mock.core.wire.documents import (
    Ctx,
    alternate_to_entity,
    alternate_to_reference,
    entity,
    kept_link,
    reference,
)
from em_mock.core.wire.tree import Layer, ListOf, Node, link, links, resource_layer
from em_mock.families.cloud.model import (
    CloudFailoverPlan,
    CloudFailoverSession,
    CloudFailoverTask,
    CloudGateway,
    CloudGatewayPool,
    CloudHardwarePlan,
    CloudPublicIpAddress,
    CloudReplica,
    CloudSubtenant,
    CloudTenant,
    CloudVmReplicaPoint,
    ComputeResource,
    PlanVm,
    SelfServiceConfig,
    TenantResource,
    VCloudComputeResource,
    VCloudOrgConfig,
    VlanConfiguration,
    replica_of,
)
from em_mock.families.infrastructure.model import BackupServer
from em_mock.families.infrastructure.shapes import server_up

TENANT_PATH = "cloud/tenants"
HARDWARE_PLAN_PATH = "cloud/hardwarePlans"
GATEWAY_PATH = "cloud/gateways"
POOL_PATH = "cloud/gatewayPools"
PUBLIC_IP_PATH = "cloud/publicIpAddresses"
VLAN_PATH = "cloud/vlans"
REPLICA_PATH = "cloud/replicas"


def _ups(server: BackupServer | None, ctx: Ctx) -> list[Node]:
    return [server_up(server, ctx)] if server is not None and server.id else []


def host_ref(server: BackupServer, host_name: str) -> str:
    """The hierarchy reference of a host a backup server manages."""
    return f"urn:VMware:Host:{server.id}.{host_name}"


# --- tenants and what hangs below them --------------------------------------------------


def _tenant_links(t: CloudTenant, ctx: Ctx, alternate: Node) -> list[Node]:
    base = ctx.api(f"{TENANT_PATH}/{t.id}")
    return [*_ups(t.backup_server, ctx), alternate,
            link("Edit", base, "CloudTenant", t.name),
            link("Down", f"{base}/resources", "CloudTenantResourceList"),
            link("Create", f"{base}/resources", "CreateCloudTenantResourceSpec"),
            link("Delete", base, "CloudTenant", t.name),
            link("Down", f"{base}/computeResources", "CloudTenantComputeResourceList"),
            link("Create", f"{base}/computeResources", "CloudTenantComputeResourceCreateSpec"),
            link("Down", f"{base}/vCloudComputeResources",
                 "CloudTenantVCloudComputeResourceList"),
            link("Down", f"{base}/subtenants", "CloudSubtenantList"),
            link("Create", f"{base}/subtenants", "CloudSubtenantCreateSpec"),
            link("Down", f"{base}/gatewayPools", "CloudGatewayPoolReferenceList"),
            link("Related", f"{base}/freelicenseCounters", "FreeLicenseCounters")]


def _tenant_ref(t: CloudTenant, ctx: Ctx, root: str) -> Node:
    alternate = alternate_to_entity("CloudTenant", TENANT_PATH, t.id, t.name, ctx)
    return reference(root, "CloudTenant", TENANT_PATH, t.id, t.name,
                     [*_ups(t.backup_server, ctx), alternate], ctx)


def _quota(r: TenantResource) -> Node:
    return Node("CloudTenantResource", [Layer(elems=[
        ("DisplayName", r.name), ("RepositoryUid", urn("Repository", r.repository.id)),
        ("WanAcceleratorUid", None), ("Quota", r.quota_mb), ("UsedQuota", r.used_mb)])])


def _compute_stats(c: ComputeResource) -> Node:
    storage = Node("StorageResourceStat", [Layer(elems=[
        ("StorageName", c.plan.storage_name), ("StorageUsageGb", c.storage_usage_gb),
        ("StorageLimitGb", c.plan.storage_quota_gb)])])
    return Node("ComputeResourceStats", [Layer(elems=[
        ("MemoryUsageMb", c.memory_usage_mb), ("CPUCount", c.cpu_count),
        ("StorageResourceStats", ListOf([storage], json_key="StorageResourceStats"))])])


def _compute_fields(c: ComputeResource) -> Layer:
    return Layer(elems=[
        ("CloudHardwarePlanUid", urn("CloudHardwarePlan", c.plan.id)), ("WanAcceleratorUid", None),
        ("PlatformType", c.plan.platform), ("UseNetworkFailoverResources", c.use_network_failover),
        ("ComputeResourceStats", _compute_stats(c))])


def _vcloud_fields(v: VCloudComputeResource) -> Layer:
    usage = Node("ResourceUsage", [Layer(elems=[
        ("CpuUsageMhz", v.cpu_usage_mhz), ("MemoryUsageMb", v.memory_usage_mb),
        ("StorageUsageGb", v.storage_usage_gb)])])
    return Layer(elems=[
        ("VirtualDataCenterName", v.vdc_name), ("VirtualDataCenterRef", v.vdc_ref),
        ("Enabled", v.enabled), ("AllocationModel", v.allocation_model),
        ("UseNetworkFailoverResources", v.use_network_failover), ("ResourceUsage", usage),
        ("WanAcceleratorUid", None), ("NetworkAppliance", None)])


def vcloud_compute_resource(t: CloudTenant, v: VCloudComputeResource, ctx: Ctx) -> Node:
    """``CloudTenantVCloudComputeResource`` below ``/cloud/tenants/{id}/vCloudComputeResources``."""
    base = ctx.api(f"{TENANT_PATH}/{t.id}")
    href = f"{base}/vCloudComputeResources/{v.id}"
    return Node("CloudTenantVCloudComputeResource", [
        resource_layer(links([link("Delete", href),
                              link("Up", base, "CloudTenantReference", t.name),
                              *_ups(t.backup_server, ctx)]),
                       href, "CloudTenantVCloudComputeResource"),
        _vcloud_fields(v)])


def _tenant_entity(t: CloudTenant, ctx: Ctx) -> Node:
    vms = sum(len(p.vms) for p in t.plans)
    lease = Node("LeaseOptions", [Layer(elems=[("Enabled", False),
                                              ("LeaseExpirationDate", None)])])
    compute = [Node("CloudTenantComputeResource", [_compute_fields(c)]) for c in t.compute]
    pools = [Node("CloudGatewayPool", [Layer(elems=[("CloudGatewayPoolUid",
                                                     urn("CloudGatewayPool", p.id))])])
             for p in t.pools]
    own = Layer(elems=[
        ("Password", None), ("Description", t.description), ("Enabled", t.enabled),
        ("LeaseOptions", lease),
        ("Resources", ListOf([_quota(r) for r in t.resources], json_key="CloudTenantResources")),
        ("LastResult", "Success" if t.last_active_ms else "None"),
        ("LastActive", ctx.time(t.last_active_ms)), ("VmCount", vms),
        ("ComputeResources", ListOf(compute, json_key="CloudTenantComputeResources")),
        ("ThrottlingEnabled", False), ("ThrottlingSpeedLimit", 1), ("ThrottlingSpeedUnit", "Mbps"),
        ("PublicIPCount", len(t.public_ips)), ("BackupCount", len(t.resources)),
        ("ReplicaCount", vms), ("MaxConcurrentTasks", t.max_concurrent_tasks),
        ("WorkStationBackupCount", 0), ("ServerBackupCount", 0),
        ("BackupProtectionEnabled", False), ("BackupProtectionPeriod", 7),
        ("TenantType", t.tenant_type),
        *([("VCloudComputeResources", ListOf(
            [Node("CloudTenantVCloudComputeResource", [_vcloud_fields(v)]) for v in t.vcloud],
            json_key="CloudTenantVCloudComputeResources"))] if t.tenant_type == "vCD" else []),
        ("CloudGatewayPools", ListOf(pools, json_key="CloudGatewayPools")),
        ("FailoverToOtherGatewaysIfFail", False)])
    alternate = alternate_to_reference("CloudTenant", TENANT_PATH, t.id, t.name, ctx)
    return entity("CloudTenant", TENANT_PATH, t.id, t.name, _tenant_links(t, ctx, alternate),
                  [own], ctx)


CLOUD_TENANT = ResourceType("CloudTenant", TENANT_PATH, "CloudTenants", _tenant_ref,
                            _tenant_entity)

def tenant_resource(t: CloudTenant, r: TenantResource, ctx: Ctx) -> Node:
    """``CloudTenantResource`` below ``/cloud/tenants/{id}/resources``."""
    base = ctx.api(f"{TENANT_PATH}/{t.id}")
    quota = Node("RepositoryQuota", [Layer(elems=[
        ("DisplayName", r.name), ("RepositoryUid", urn("Repository", r.repository.id)),
        ("WanAcceleratorUid", None), ("QuotaMb", r.quota_mb), ("UsedQuota", r.used_mb)])])
    return Node("CloudTenantResource", [
        resource_layer(links([
            link("Delete", f"{base}/resources/{r.id}"),
            link("Up", base, "CloudTenantReference", t.name),
            *_ups(r.repository.backup_server, ctx)]),
            f"{base}/resources/{r.id}", "CloudTenantResource"),
        Layer(elems=[("RepositoryQuota", quota), ("Id", r.id)])])


def compute_resource(t: CloudTenant, c: ComputeResource, ctx: Ctx) -> Node:
    """``CloudTenantComputeResource`` below ``/cloud/tenants/{id}/computeResources``."""
    base = ctx.api(f"{TENANT_PATH}/{t.id}")
    return Node("CloudTenantComputeResource", [
        resource_layer(links([
            link("Delete", f"{base}/computeResources/{c.id}"),
            link("Up", base, "CloudTenantReference", t.name),
            *_ups(c.plan.backup_server, ctx)]),
            f"{base}/computeResources/{c.id}", "CloudTenantComputeResource"),
        _compute_fields(c)])


def _subtenant_path(s: CloudSubtenant) -> str:
    return f"{TENANT_PATH}/{s.tenant.id}/subtenants"


def _subtenant_ref(s: CloudSubtenant, ctx: Ctx, root: str) -> Node:
    return reference(root, "CloudSubtenant", _subtenant_path(s), s.id, s.name,
                     [*_ups(s.backup_server, ctx),
                      link("Up", ctx.api(f"{TENANT_PATH}/{s.tenant.id}"), "CloudTenantReference",
                           s.tenant.name)], ctx)


def _subtenant_entity(s: CloudSubtenant, ctx: Ctx) -> Node:
    href = ctx.api(f"{_subtenant_path(s)}/{s.id}")
    quota = Node("RepositoryQuota", [Layer(elems=[
        ("DisplayName", s.resource.name), ("TenantResourceId", s.resource.id),
        ("QuotaMb", s.quota_mb), ("UsedQuotaMb", s.used_mb), ("QuotaId", s.id)])])
    return Node("CloudSubtenant", [
        resource_layer(links([
            *_ups(s.backup_server, ctx),
            link("Up", ctx.api(f"{TENANT_PATH}/{s.tenant.id}"), "CloudTenantReference",
                 s.tenant.name),
            link("Edit", href, "CloudSubtenant", s.name),
            link("Delete", href, "CloudSubtenant", s.name)]), href, "CloudSubtenant"),
        Layer(elems=[("Id", s.id), ("Name", s.name), ("Description", s.description),
                     ("Password", None), ("Enabled", s.enabled), ("RepositoryQuota", quota)])])


CLOUD_SUBTENANT = ResourceType("CloudSubtenant", TENANT_PATH, "CloudSubtenants",
                               _subtenant_ref, _subtenant_entity)

# --- hardware plans ---------------------------------------------------------------------


def _plan_links(h: CloudHardwarePlan, ctx: Ctx, alternate: Node) -> list[Node]:
    base = ctx.api(f"{HARDWARE_PLAN_PATH}/{h.id}")
    return [server_up(h.backup_server, ctx), alternate,
            link("Down", f"{base}/tenants", "CloudTenantList"),
            link("Edit", base, "CloudHardwarePlan", h.name),
            link("Delete", base, "CloudHardwarePlan", h.name)]


def _hw_ref(h: CloudHardwarePlan, ctx: Ctx, root: str) -> Node:
    return reference(root, "CloudHardwarePlan", HARDWARE_PLAN_PATH, h.id, h.name, [
        server_up(h.backup_server, ctx),
        alternate_to_entity("CloudHardwarePlan", HARDWARE_PLAN_PATH, h.id, h.name, ctx)], ctx)


def _hw_entity(h: CloudHardwarePlan, ctx: Ctx) -> Node:
    datastore = Node("Datastore", [Layer(elems=[
        ("FriendlyName", h.storage_name), ("DatastoreType", "Datastore"),
        ("Reference", f"urn:VMware:Datastore:{h.backup_server.id}.{h.storage_name}"),
        ("QuotaGb", h.storage_quota_gb)])])
    network = Node("Network", [Layer(elems=[
        ("CountWithInternet", h.networks_with_internet),
        ("CountWithoutInternet", h.networks_without_internet)])])
    details = Node("ViCloudHardwarePlan", [Layer(elems=[
        ("HypervisorHostRef", host_ref(h.backup_server, h.host_name)),
        ("ParentType", "HostSystem"), ("ParentName", h.host_name),
        ("Datastores", ListOf([datastore], json_key="Datastores")), ("Network", network)])])
    own = Layer(elems=[("Description", h.description), ("ProcessorUsageLimitMhz", h.cpu_mhz),
                       ("MemoryUsageLimitMb", h.memory_mb),
                       ("HardwarePlanDetails", Node("HardwarePlanDetails", [
                           Layer(elems=[("ViCloudHardwarePlan", details)])]))])
    alternate = alternate_to_reference("CloudHardwarePlan", HARDWARE_PLAN_PATH, h.id, h.name, ctx)
    return entity("CloudHardwarePlan", HARDWARE_PLAN_PATH, h.id, h.name,
                  _plan_links(h, ctx, alternate), [own], ctx)


CLOUD_HARDWARE_PLAN = ResourceType("CloudHardwarePlan", HARDWARE_PLAN_PATH, "CloudHardwarePlans",
                                   _hw_ref, _hw_entity)

# --- gateways, gateway pools, public IPs, VLANs -----------------------------------------


def _simple(type_name: str, path: str, name_of: Callable[[Any], str],
            own: Callable[[Any, Ctx], list[Layer]],
            related: Callable[[Any, Ctx], list[Node]] = lambda _i, _c: []) -> ResourceType:
    """A resource on a backup server whose reference links up and to its entity."""
    def ref(item: Any, ctx: Ctx, root: str) -> Node:
        return reference(root, type_name, path, item.id, name_of(item), [
            server_up(item.backup_server, ctx),
            alternate_to_entity(type_name, path, item.id, name_of(item), ctx)], ctx)

    def ent(item: Any, ctx: Ctx) -> Node:
        return entity(type_name, path, item.id, name_of(item), [
            server_up(item.backup_server, ctx),
            alternate_to_reference(type_name, path, item.id, name_of(item), ctx),
            *related(item, ctx)], own(item, ctx), ctx)

    return ResourceType(type_name, path, f"{type_name}s", ref, ent)


def _gateway_own(g: CloudGateway, ctx: Ctx) -> list[Layer]:
    return [Layer(elems=[("Enabled", g.enabled), ("NetworkMode", g.network_mode),
                         ("ExternalIP", g.external_ip), ("ExternalPort", g.external_port),
                         ("InternalPort", g.internal_port), ("Description", g.description)])]


def _edit_delete(type_name: str, path: str) -> Callable[[Any, Ctx], list[Node]]:
    """``Edit`` and ``Delete`` links of an item one can change through the API."""
    def made(item: Any, ctx: Ctx) -> list[Node]:
        href = ctx.api(f"{path}/{item.id}")
        return [link("Edit", href, f"{type_name}Reference", _name(item)),
                link("Delete", href, type_name, _name(item))]
    return made


def _gateway_related(g: CloudGateway, ctx: Ctx) -> list[Node]:
    return [*_edit_delete("CloudGateway", GATEWAY_PATH)(g, ctx),
            *(link("Related", ctx.api(f"{POOL_PATH}/{p.id}"), "CloudGatewayPoolReference",
                   p.name) for p in g.pools)]


def _pool_own(p: CloudGatewayPool, ctx: Ctx) -> list[Layer]:
    gateways = [Node("CloudGateway", [Layer(elems=[("CloudGatewayUid",
                                                    urn("CloudGateway", g.id))])])
                for g in p.gateways]
    tenants = [Node("CloudTenant", [Layer(elems=[("CloudTenantUid", urn("CloudTenant", t.id))])])
               for t in p.tenants]
    return [Layer(elems=[("Description", p.description),
                         ("CloudGateways", ListOf(gateways, json_key="CloudGateways")),
                         ("CloudTenants", ListOf(tenants, json_key="CloudTenants"))])]


def _pool_related(p: CloudGatewayPool, ctx: Ctx) -> list[Node]:
    return [*_edit_delete("CloudGatewayPool", POOL_PATH)(p, ctx),
            link("Down", ctx.api(f"{POOL_PATH}/{p.id}/gateways"), "CloudGatewayReferenceList")]


def _ip_own(ip: CloudPublicIpAddress, ctx: Ctx) -> list[Layer]:
    return [Layer(elems=[("IpAddress", ip.ip_address),
                         ("TenantUid", urn("CloudTenant", ip.tenant.id) if ip.tenant else None)])]


def _vlan_own(v: VlanConfiguration, ctx: Ctx) -> list[Layer]:
    return [Layer(elems=[
        ("HostRef", host_ref(v.backup_server, v.host_name)), ("PlatformType", v.platform),
        ("VlanIdsWithInternetLeftBound", v.with_internet[0]),
        ("VlanIdsWithInternetRightBound", v.with_internet[1]),
        ("VlanIdsWithoutInternetLeftBound", v.without_internet[0]),
        ("VlanIdsWithoutInternetRightBound", v.without_internet[1]),
        ("SwitchName", v.switch_name), ("SwitchId", v.switch_id),
        ("ClusterName", v.cluster_name), ("ClusterId", v.cluster_id),
        ("SwitchType", v.switch_type)])]


def _replica_own(r: CloudReplica, ctx: Ctx) -> list[Layer]:
    return [Layer(elems=[("Platform", r.platform)])]


def _replica_related(r: CloudReplica, ctx: Ctx) -> list[Node]:
    return [link("Down", ctx.api(f"{REPLICA_PATH}/{r.id}/vmReplicaPoints"),
                 "CloudVmReplicaPointReferenceList")]


def _name(item: Any) -> str:
    return str(item.name)


CLOUD_GATEWAY = _simple("CloudGateway", GATEWAY_PATH, _name, _gateway_own, _gateway_related)
CLOUD_GATEWAY_POOL = _simple("CloudGatewayPool", POOL_PATH, _name, _pool_own, _pool_related)
CLOUD_PUBLIC_IP = _simple("CloudPublicIpAddress", PUBLIC_IP_PATH, _name, _ip_own,
                          _edit_delete("CloudPublicIpAddress", PUBLIC_IP_PATH))
# The collection's entity list is CloudPublicIpAddresses; a query result's container is
# CloudPublicIps.
CLOUD_PUBLIC_IP = ResourceType(CLOUD_PUBLIC_IP.name, CLOUD_PUBLIC_IP.path,
                               "CloudPublicIpAddresses", CLOUD_PUBLIC_IP.reference,
                               CLOUD_PUBLIC_IP.entity, query_plural="CloudPublicIps")
VLAN_CONFIGURATION = _simple("VlanConfiguration", VLAN_PATH, _name, _vlan_own,
                             _edit_delete("VlanConfiguration", VLAN_PATH))
CLOUD_REPLICA = _simple("CloudReplica", REPLICA_PATH, _name, _replica_own, _replica_related)

# --- vSphere self-service ---------------------------------------------------------------

SELF_SERVICE_PATH = "selfService/vSphere/Configs"


def job_settings(c: SelfServiceConfig) -> Layer:
    """The backup job settings of a self-service configuration."""
    return Layer(elems=[("DefaultSettings", True), ("JobSchedulerType", c.scheduler),
                        ("HighPriorityJob", c.high_priority)])


def _self_service_own(c: SelfServiceConfig, ctx: Ctx) -> list[Layer]:
    account = Node("Account", [Layer(elems=[
        ("AccountName", c.account_name), ("AccountSid", c.account_sid),
        ("AccountType", c.account_type)])])
    scope = Node("VCenter", [Layer(elems=[("VCenterUid", urn("ManagedServer", c.vcenter_id))])])
    return [Layer(elems=[
        ("BackupServerUid", urn("BackupServer", c.backup_server.id)),
        ("RepositoryUid", urn("Repository", c.repository.id)), ("QuotaGb", c.quota_gb),
        ("PerUser", c.per_user), ("Account", account),
        ("JobSettings", Node("JobSettings", [job_settings(c)])),
        ("VCentersScope", ListOf([scope], json_key="VCenters")),
        ("Tags", ListOf([], json_key="Tags")), ("UsedQuota", c.used_gb)])]


def _self_service_related(c: SelfServiceConfig, ctx: Ctx) -> list[Node]:
    return [*_edit_delete("VSphereSelfServiceConfig", SELF_SERVICE_PATH)(c, ctx),
            link("Down", ctx.api(f"{SELF_SERVICE_PATH}/{c.id}/backupJobSettings"),
                 "VSphereSelfServiceConfigJobSettings")]


# --- cloud failover plans ---------------------------------------------------------------

PLAN_PATH = "cloud/cloudFailoverPlans"


def _plan_ref(p: CloudFailoverPlan, ctx: Ctx, root: str) -> Node:
    return reference(root, "CloudFailoverPlan", PLAN_PATH, p.id, p.name, [
        server_up(p.backup_server, ctx),
        alternate_to_entity("CloudFailoverPlan", PLAN_PATH, p.id, p.name, ctx),
    ], ctx)


def plan_vm(p: CloudFailoverPlan, vm: PlanVm, order: int, ctx: Ctx,
            root: str = "CloudFailoverPlanVm") -> Node:
    """One VM of a plan's includes: ``CloudFailoverPlanVm`` inside the plan's entity,
    ``CloudFailoveredVm`` (the documented root) below ``/includes``."""
    return Node(root, [
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
        server_up(p.backup_server, ctx),
        alternate_to_reference("CloudFailoverPlan", PLAN_PATH, p.id, p.name, ctx),
        link("Edit", base, "CloudFailoverPlanReference", p.name),
        link("Start", f"{base}?action=start"),
        link("Test", f"{base}?action=test"),
        link("Undo", f"{base}?action=undo"),
        link("Delete", base, "CloudFailoverPlanReference", p.name),
    ], [own], ctx)


CLOUD_FAILOVER_PLAN = ResourceType("CloudFailoverPlan", PLAN_PATH, "CloudFailoverPlans",
                                   _plan_ref, _plan_entity)

# --- cloud VM replica points ------------------------------------------------------------

POINT_PATH = "cloud/vmReplicaPoints"


def point_name(rp: CloudVmReplicaPoint, ctx: Ctx) -> str:
    """``<vm>@<yyyy-MM-dd HH:mm:ss>``."""
    return f"{rp.vm_name}@{ctx.suffix(rp.creation_ms)}"


def _replica_up(rp: CloudVmReplicaPoint, ctx: Ctx) -> list[Node]:
    replica = replica_of(rp)
    if replica is None:
        return []
    return [link("Up", ctx.api(f"{REPLICA_PATH}/{replica.id}"), "CloudReplicaReference",
                 replica.name)]


def _point_ref(rp: CloudVmReplicaPoint, ctx: Ctx, root: str) -> Node:
    name = point_name(rp, ctx)
    return reference(root, "CloudVmReplicaPoint", POINT_PATH, rp.id, name, [
        server_up(rp.plan.backup_server, ctx), *_replica_up(rp, ctx),
        alternate_to_entity("CloudVmReplicaPoint", POINT_PATH, rp.id, name, ctx),
    ], ctx)


def _point_entity(rp: CloudVmReplicaPoint, ctx: Ctx) -> Node:
    name = point_name(rp, ctx)
    own = Layer(attrs=[("VmDisplayName", rp.vm_name)],
                elems=[("CreationTimeUTC", ctx.time(rp.creation_ms)), ("PointType", "Snapshot"),
                       ("State", "Ready")])
    return entity("CloudVmReplicaPoint", POINT_PATH, rp.id, name, [
        server_up(rp.plan.backup_server, ctx), *_replica_up(rp, ctx),
        alternate_to_reference("CloudVmReplicaPoint", POINT_PATH, rp.id, name, ctx),
    ], [own], ctx)


CLOUD_VM_REPLICA_POINT = ResourceType("CloudVmReplicaPoint", POINT_PATH, "CloudVmReplicaPoints",
                                      _point_ref, _point_entity)

# --- cloud failover sessions ------------------------------------------------------------

SESSION_PATH = "cloud/failoverSessions"


def _session_ref(s: CloudFailoverSession, ctx: Ctx, root: str) -> Node:
    return reference(root, "CloudFailoverSession", SESSION_PATH, s.id, s.plan.name, [
        server_up(s.plan.backup_server, ctx),
        alternate_to_entity("CloudFailoverSession", SESSION_PATH, s.id, s.plan.name, ctx),
    ], ctx)


def _task(t: CloudFailoverTask, ctx: Ctx) -> Node:
    rp = t.replica_point
    point_link = None if rp is None else kept_link(
        ("CloudVmReplicaPointRelated", rp.id, rp.vm_name, rp.creation_ms, ctx.base,
         ctx.profile),
        lambda: link("Related", ctx.api(f"{POINT_PATH}/{rp.id}"),
                     "CloudVmReplicaPointReference", point_name(rp, ctx)))
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
        server_up(s.plan.backup_server, ctx),
        alternate_to_reference("CloudFailoverSession", SESSION_PATH, s.id, s.plan.name, ctx),
    ], [job_session, own], ctx)


CLOUD_FAILOVER_SESSION = ResourceType("CloudFailoverSession", SESSION_PATH,
                                      "CloudFailoverSessions", _session_ref, _session_entity)


VSPHERE_SELF_SERVICE_CONFIG = _simple("VSphereSelfServiceConfig", SELF_SERVICE_PATH, _name,
                                      _self_service_own, _self_service_related)


register_resources(CLOUD_FAILOVER_PLAN, CLOUD_VM_REPLICA_POINT, CLOUD_FAILOVER_SESSION,
                   CLOUD_TENANT, CLOUD_SUBTENANT, CLOUD_HARDWARE_PLAN, CLOUD_GATEWAY,
                   CLOUD_GATEWAY_POOL, CLOUD_PUBLIC_IP, VLAN_CONFIGURATION, CLOUD_REPLICA)
# The query type is spelt VsphereSelfServiceConfig; its resource is the same shape.
register_resources(ResourceType("VsphereSelfServiceConfig", SELF_SERVICE_PATH,
                                "VSphereSelfServiceConfigs",
                                VSPHERE_SELF_SERVICE_CONFIG.reference,
                                VSPHERE_SELF_SERVICE_CONFIG.entity))


# --- vCloud Director organization configurations ----------------------------------------

ORG_CONFIG_PATH = "vCloud/orgConfigs"


def org_job_settings(c: VCloudOrgConfig) -> Layer:
    """The job settings of an organization configuration."""
    return Layer(elems=[("DefaultSettings", not c.template_job_id),
                        ("JobSchedulerType", c.scheduler), ("HighPriorityJob", c.high_priority),
                        ("TemplateJobUid", urn("Job", c.template_job_id)
                         if c.template_job_id else None)])


def _org_own(c: VCloudOrgConfig, ctx: Ctx) -> list[Layer]:
    return [Layer(elems=[
        ("BackupServerUid", urn("BackupServer", c.backup_server.id)),
        ("RepositoryUid", urn("Repository", c.repository.id)), ("QuotaGb", c.quota_gb),
        ("IsDisabled", c.disabled), ("JobSettings", Node("JobSettings", [org_job_settings(c)])),
        ("UsedQuotaMb", c.used_mb), ("HostUid", urn("ManagedServer", c.host_id)),
        ("RepositoryFriendlyName", c.repository_friendly_name)])]


def _org_related(c: VCloudOrgConfig, ctx: Ctx) -> list[Node]:
    return [*_edit_delete("VCloudOrganizationConfig", ORG_CONFIG_PATH)(c, ctx),
            link("Down", ctx.api(f"{ORG_CONFIG_PATH}/{c.id}/backupJobSettings"),
                 "VCloudOrganizationConfigBackupJobSettings")]


VCLOUD_ORG_CONFIG = _simple("VCloudOrganizationConfig", ORG_CONFIG_PATH, _name, _org_own,
                            _org_related)
register_resources(VCLOUD_ORG_CONFIG)
