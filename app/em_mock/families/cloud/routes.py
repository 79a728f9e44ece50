"""Routes of Cloud Connect: the ``/cloud`` hub, tenants and what hangs below them, hardware
plans, gateways and pools, public IPs, VLANs, replicas and their points, plans and their
VMs, sessions."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from em_mock.core.errors import EMError
from em_mock.core.http.collections import (
    Collection,
    Sub,
    recent,
    serve,
    table_items,
)
from em_mock.core.http.deps import CurrentSession, RuntimeDep, WireDep, find
from em_mock.core.registry import (
    Headline,
    LogonLink,
    register_headlines,
    register_logon_links,
    register_router,
)
from em_mock.core.runtime import Runtime
from em_mock.core.wire import documents as docs
from em_mock.core.wire.tree import Layer, Node, link, links, resource_layer
from em_mock.families.cloud.model import (
    GATEWAY_POOLS,
    GATEWAYS,
    HARDWARE_PLANS,
    ORG_CONFIGS,
    PLANS,
    PUBLIC_IPS,
    REPLICA_POINTS,
    REPLICAS,
    SELF_SERVICE,
    SESSIONS,
    TENANTS,
    VLANS,
    CloudFailoverPlan,
    CloudTenant,
)
from em_mock.families.cloud.shapes import (
    CLOUD_FAILOVER_PLAN,
    CLOUD_FAILOVER_SESSION,
    CLOUD_GATEWAY,
    CLOUD_GATEWAY_POOL,
    CLOUD_HARDWARE_PLAN,
    CLOUD_PUBLIC_IP,
    CLOUD_REPLICA,
    CLOUD_SUBTENANT,
    CLOUD_TENANT,
    CLOUD_VM_REPLICA_POINT,
    ORG_CONFIG_PATH,
    PLAN_PATH,
    SELF_SERVICE_PATH,
    TENANT_PATH,
    VCLOUD_ORG_CONFIG,
    VLAN_CONFIGURATION,
    VSPHERE_SELF_SERVICE_CONFIG,
    compute_resource,
    job_settings,
    org_job_settings,
    plan_vm,
    tenant_resource,
    vcloud_compute_resource,
)
from em_mock.families.infrastructure.shapes import server_up

router = register_router(APIRouter())

serve(router, Collection(CLOUD_FAILOVER_PLAN, "cloud failover plan", table_items(PLANS)))
serve(router, Collection(CLOUD_FAILOVER_SESSION, "cloud failover session",
                         table_items(SESSIONS),
                         listed=lambda rt: recent(rt, SESSIONS.rows(rt.store))))
serve(router, Collection(CLOUD_VM_REPLICA_POINT, "cloud VM replica point",
                         table_items(REPLICA_POINTS)))
serve(router, Collection(CLOUD_TENANT, "cloud tenant", table_items(TENANTS), subs=(
    Sub("gatewayPools", CLOUD_GATEWAY_POOL, lambda rt, t: t.pools),)))
serve(router, Collection(CLOUD_HARDWARE_PLAN, "cloud hardware plan", table_items(HARDWARE_PLANS)))
serve(router, Collection(CLOUD_GATEWAY, "cloud gateway", table_items(GATEWAYS)))
serve(router, Collection(CLOUD_GATEWAY_POOL, "cloud gateway pool", table_items(GATEWAY_POOLS),
                         subs=(Sub("gateways", CLOUD_GATEWAY, lambda rt, p: p.gateways),)))
serve(router, Collection(CLOUD_PUBLIC_IP, "cloud public IP address", table_items(PUBLIC_IPS)))
serve(router, Collection(VLAN_CONFIGURATION, "VLAN configuration", table_items(VLANS)))
serve(router, Collection(CLOUD_REPLICA, "cloud replica", table_items(REPLICAS), subs=(
    Sub("vmReplicaPoints", CLOUD_VM_REPLICA_POINT,
        lambda rt, r: [p for p in r.vm.replica_points]),)))


serve(router, Collection(VSPHERE_SELF_SERVICE_CONFIG, "vSphere self-service configuration",
                         table_items(SELF_SERVICE)))


@router.get("/api/selfservice/vsphere")
async def self_service_hub(me: CurrentSession, out: WireDep) -> Response:
    """The vSphere self-service hub (``VSphereSelfService``)."""
    api = out.ctx.api
    return out.send(docs.hub("VSphereSelfService", "VSphereSelfService",
                             api("selfService/vSphere"), [
        link("Up", api(f"logonSessions/{me.id}"), "LogonSession"),
        link("Down", api(SELF_SERVICE_PATH), "VSphereSelfServiceConfigReferenceList"),
        link("Down", api(f"{SELF_SERVICE_PATH}?format=Entity"), "VSphereSelfServiceConfigList"),
        link("Create", api(SELF_SERVICE_PATH), "VSphereSelfServiceCreateSpec"),
    ]))


@router.get("/api/selfservice/vsphere/configs/{config_id}/backupjobsettings")
async def self_service_job_settings(config_id: str, _: CurrentSession, rt: RuntimeDep,
                                    out: WireDep) -> Response:
    """The backup job settings of a self-service configuration."""
    config = find(SELF_SERVICE.of(rt.store.data), config_id,
                  "vSphere self-service configuration")
    href = out.ctx.api(f"{SELF_SERVICE_PATH}/{config.id}")
    return out.send(Node("VSphereSelfServiceConfigJobSettings", [
        resource_layer(links([link("Up", f"{href}?format=Entity", "VSphereSelfServiceConfig",
                                   config.name)]),
                       f"{href}/backupJobSettings", "VSphereSelfServiceConfigJobSettings"),
        job_settings(config)]))


serve(router, Collection(VCLOUD_ORG_CONFIG, "vCloud organization configuration",
                         table_items(ORG_CONFIGS)))


@router.get("/api/vcloud")
async def vcloud_hub(me: CurrentSession, out: WireDep) -> Response:
    """The vCloud hub (``VCloudService``): the organization configurations."""
    api = out.ctx.api
    return out.send(docs.hub("VCloudService", "VCloudService", api("vCloud"), [
        link("Up", api(f"logonSessions/{me.id}"), "LogonSession"),
        link("Down", api(ORG_CONFIG_PATH), "VCloudOrganizationConfigReferenceList"),
        link("Down", api(f"{ORG_CONFIG_PATH}?format=Entity"), "VCloudOrganizationConfigList"),
        link("Create", api(ORG_CONFIG_PATH), "VCloudOrganizationConfigCreateSpec"),
    ]))


@router.get("/api/vcloud/orgconfigs/{config_id}/backupjobsettings")
async def org_config_job_settings(config_id: str, _: CurrentSession, rt: RuntimeDep,
                                  out: WireDep) -> Response:
    """The backup job settings of an organization configuration."""
    config = find(ORG_CONFIGS.of(rt.store.data), config_id,
                  "vCloud organization configuration")
    href = out.ctx.api(f"{ORG_CONFIG_PATH}/{config.id}")
    return out.send(Node("VCloudOrganizationConfigBackupJobSettings", [
        resource_layer(links([server_up(config.backup_server, out.ctx),
                              link("Up", f"{href}?format=Entity", "VCloudOrganizationConfig",
                                   config.name)]),
                       f"{href}/backupJobSettings", "VCloudOrganizationConfigBackupJobSettings"),
        org_job_settings(config)]))


def tenant_of(rt: Runtime, tenant_id: str) -> CloudTenant:
    """The tenant with ``tenant_id`` (404 if there is none)."""
    tenant: CloudTenant = find(TENANTS.of(rt.store.data), tenant_id, "cloud tenant")
    return tenant


@router.get("/api/cloud/hardwareplans/{plan_id}/tenants")
async def hardware_plan_tenants(plan_id: str, _: CurrentSession, rt: RuntimeDep,
                                out: WireDep) -> Response:
    """The tenants whose compute resources use a hardware plan (``CloudTenants``)."""
    plan = find(HARDWARE_PLANS.of(rt.store.data), plan_id, "cloud hardware plan")
    tenants = [t for t in TENANTS.rows(rt.store) if any(c.plan is plan for c in t.compute)]
    return out.send(docs.entity_list("CloudTenants",
                                     [CLOUD_TENANT.entity(t, out.ctx) for t in tenants]))


@router.get("/api/cloud/tenants/{tenant_id}/resources")
async def tenant_resources(tenant_id: str, _: CurrentSession, rt: RuntimeDep,
                           out: WireDep) -> Response:
    """A tenant's backup resources (``CloudTenantResources``)."""
    t = tenant_of(rt, tenant_id)
    return out.send(docs.entity_list("CloudTenantResources",
                           [tenant_resource(t, r, out.ctx) for r in t.resources]))


@router.get("/api/cloud/tenants/{tenant_id}/resources/{resource_id}")
async def tenant_resource_item(tenant_id: str, resource_id: str, _: CurrentSession,
                               rt: RuntimeDep, out: WireDep) -> Response:
    """One backup resource of a tenant."""
    t = tenant_of(rt, tenant_id)
    r = find({r.id: r for r in t.resources}, resource_id, f"backup resource of {t.name}")
    return out.send(tenant_resource(t, r, out.ctx))


@router.get("/api/cloud/tenants/{tenant_id}/computeresources")
async def compute_resources(tenant_id: str, _: CurrentSession, rt: RuntimeDep,
                            out: WireDep) -> Response:
    """A tenant's compute resources (``CloudTenantComputeResources``)."""
    t = tenant_of(rt, tenant_id)
    return out.send(docs.entity_list("CloudTenantComputeResources",
                           [compute_resource(t, c, out.ctx) for c in t.compute]))


@router.get("/api/cloud/tenants/{tenant_id}/computeresources/{resource_id}")
async def compute_resource_item(tenant_id: str, resource_id: str, _: CurrentSession,
                                rt: RuntimeDep, out: WireDep) -> Response:
    """One compute resource of a tenant."""
    t = tenant_of(rt, tenant_id)
    c = find({c.id: c for c in t.compute}, resource_id, f"compute resource of {t.name}")
    return out.send(compute_resource(t, c, out.ctx))


@router.get("/api/cloud/tenants/{tenant_id}/vcloudcomputeresources")
async def vcloud_compute_resources(tenant_id: str, _: CurrentSession, rt: RuntimeDep,
                                   out: WireDep) -> Response:
    """A tenant's vCloud compute resources (vCD tenants only have any)."""
    t = tenant_of(rt, tenant_id)
    return out.send(docs.entity_list("CloudTenantVCloudComputeResources",
                                     [vcloud_compute_resource(t, v, out.ctx) for v in t.vcloud]))


@router.get("/api/cloud/tenants/{tenant_id}/vcloudcomputeresources/{resource_id}")
async def vcloud_compute_resource_item(tenant_id: str, resource_id: str, _: CurrentSession,
                                       rt: RuntimeDep, out: WireDep) -> Response:
    """One vCloud compute resource of a tenant."""
    t = tenant_of(rt, tenant_id)
    v = find({v.id: v for v in t.vcloud}, resource_id, f"vCloud compute resource of {t.name}")
    return out.send(vcloud_compute_resource(t, v, out.ctx))


@router.get("/api/cloud/tenants/{tenant_id}/subtenants")
async def subtenants(tenant_id: str, _: CurrentSession, rt: RuntimeDep,
                     out: WireDep) -> Response:
    """A tenant's subtenants (``CloudSubtenants``)."""
    t = tenant_of(rt, tenant_id)
    return out.send(docs.entity_list("CloudSubtenants",
                           [CLOUD_SUBTENANT.entity(s, out.ctx) for s in t.subtenants]))


@router.get("/api/cloud/tenants/{tenant_id}/subtenants/{subtenant_id}")
async def subtenant_item(tenant_id: str, subtenant_id: str, _: CurrentSession,
                         rt: RuntimeDep, out: WireDep) -> Response:
    """One subtenant of a tenant."""
    t = tenant_of(rt, tenant_id)
    s = find({s.id: s for s in t.subtenants}, subtenant_id, f"subtenant of {t.name}")
    return out.send(CLOUD_SUBTENANT.entity(s, out.ctx))


@router.get("/api/cloud/tenants/{tenant_id}/freelicensecounters")
async def free_license_counters(tenant_id: str, _: CurrentSession, rt: RuntimeDep,
                                out: WireDep) -> Response:
    """A tenant's free license counters (em-mock's tenants use none)."""
    t = tenant_of(rt, tenant_id)
    href = out.ctx.api(f"{TENANT_PATH}/{t.id}/freelicenseCounters")
    counters = [(name, 0) for name in (
        "RentalVMBackupCount", "RentalWorkstationBackupCount", "RentalServerBackupCount",
        "NewVMBackupCount", "NewWorkstationBackupCount", "NewServerBackupCount",
        "NewVMReplicaCount")]
    return out.send(Node("CloudTenantFreeLicenseCounters", [
        resource_layer(links([link("Up", out.ctx.api(f"{TENANT_PATH}/{t.id}"),
                                   "CloudTenantReference", t.name)]),
                       href, "CloudTenantFreeLicenseCounters"),
        Layer(elems=list(counters))]))


@router.get("/api/cloud/cloudfailoverplans/{plan_id}/includes")
async def plan_includes(plan_id: str, _: CurrentSession, rt: RuntimeDep,
                        out: WireDep) -> Response:
    """The VMs included in a cloud failover plan (``CloudFailoveredVms``)."""
    plan: CloudFailoverPlan = find(PLANS.of(rt.store.data), plan_id, "cloud failover plan")
    return out.send(docs.entity_list("CloudFailoveredVms",
                           [plan_vm(plan, vm, i, out.ctx, "CloudFailoveredVm")
                            for i, vm in enumerate(plan.vms)]))


@router.get("/api/cloud/cloudfailoverplans/{plan_id}/includes/{vm_id}")
async def plan_include(plan_id: str, vm_id: str, _: CurrentSession, rt: RuntimeDep,
                       out: WireDep) -> Response:
    """One VM included in a cloud failover plan."""
    plan: CloudFailoverPlan = find(PLANS.of(rt.store.data), plan_id, "cloud failover plan")
    for order, vm in enumerate(plan.vms):
        if vm.id == vm_id.lower():
            return out.send(plan_vm(plan, vm, order, out.ctx, "CloudFailoveredVm"))
    raise EMError(404, f"No VM in the plan {plan.name!r} has the id {vm_id!r}.")


@router.get("/api/cloud")
async def cloud_hub(me: CurrentSession, out: WireDep) -> Response:
    """The Cloud Connect hub: links to the cloud collections this server serves."""
    api = out.ctx.api
    hub_links = [link("Up", api(f"logonSessions/{me.id}"), "LogonSession")]
    hub_links += [link("Down", api(path), f"{kind}ReferenceList") for path, kind in HUB]
    hub_links += [link("Down", api(f"{path}?format=Entity"), f"{kind}List")
                  for path, kind in HUB]
    hub_links += [link("Create", api(path), spec) for path, spec in HUB_CREATE]
    return out.send(docs.hub("CloudConnectService", "CloudConnectService", api("cloud"),
                             hub_links))


# The admin hub's collections in the order of the vendor's /cloud resource page: all the
# references, then all the entity lists (as the tenant's hub has them), then Create links.
HUB = (("cloud/gateways", "CloudGateway"), ("cloud/gatewayPools", "CloudGatewayPool"),
       ("cloud/tenants", "CloudTenant"), ("cloud/hardwarePlans", "CloudHardwarePlan"),
       ("cloud/publicIpAddresses", "CloudPublicIpAddress"), (PLAN_PATH, "CloudFailoverPlan"),
       ("cloud/vmReplicaPoints", "CloudVmReplicaPoint"), ("cloud/replicas", "CloudReplica"),
       ("cloud/vlans", "VlanConfiguration"), ("cloud/failoverSessions", "CloudFailoverSession"))
HUB_CREATE = (("cloud/gateways", "CreateCloudGatewaySpec"),
              ("cloud/gatewayPools", "CreateCloudGatewayPoolSpec"),
              ("cloud/tenants", "CreateCloudTenantSpec"),
              ("cloud/hardwarePlans", "CloudHardwarePlanCreateSpec"),
              ("cloud/publicIpAddresses", "CloudPublicIpAddressCreateSpec"))


# A real server offers no /cloud link to an administrator; em-mock does, next to /vCloud.
register_logon_links(LogonLink(540, "vCloud", "VCloudService"),
                     LogonLink(545, "cloud", "CloudConnectService"),
                     LogonLink(580, "selfService/vSphere", "VSphereSelfService"))
register_headlines(
    Headline(20, "failoverPlans", "failover plans", lambda data: len(PLANS.of(data))),
    Headline(30, "failoverSessions", "failover sessions", lambda data: len(SESSIONS.of(data))),
)
