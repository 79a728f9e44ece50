"""Writes on the provider's side of Cloud Connect: gateways, gateway pools, public IPs,
VLANs, failover plans, vSphere self-service and vCloud organization configurations, and
the vCloud compute resources of tenants.

Each call is checked in full first (a 400 ``Error`` changes nothing); the lifecycle
module's machinery then answers 202 with a ``Task`` and applies the change when the task
finishes on the mock's clock. Editing a public IP answers 204 and changes it at once.
"""

from __future__ import annotations

import ipaddress
import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from em_mock.core.errors import bad_request
from em_mock.core.http.deps import CurrentSession, RuntimeDep, WireDep, find, query_params
from em_mock.core.registry import register_router
from em_mock.core.runtime import Runtime
from em_mock.core.tables import DataSet
from em_mock.families.cloud.lifecycle import (
    _accept,
    _bool,
    _claimed,
    _int,
    _name,
    _nested,
    _spec,
    _text,
    _uid,
    vcloud_compute,
)
from em_mock.families.cloud.model import (
    ACCOUNT_TYPES,
    GATEWAY_POOLS,
    GATEWAYS,
    NETWORK_MODES,
    ORG_CONFIGS,
    PLANS,
    PLATFORMS,
    PUBLIC_IPS,
    SCHEDULER_TYPES,
    SELF_SERVICE,
    SESSIONS,
    SWITCH_TYPES,
    TENANTS,
    VLANS,
    CloudFailoverPlan,
    CloudGateway,
    CloudGatewayPool,
    CloudPublicIpAddress,
    CloudTenant,
    SelfServiceConfig,
    VCloudOrgConfig,
    VlanConfiguration,
    index_replica_points,
)
from em_mock.families.cloud.routes import tenant_of
from em_mock.families.infrastructure.model import (
    HIERARCHY_HOST_TYPES,
    MANAGED_SERVERS,
    REPOSITORIES,
    SERVERS,
    BackupServer,
    Repository,
)

router = register_router(APIRouter())

MAX_PORT = 65535
MAX_QUOTA_GB = 1 << 30
MAX_IP_RANGE = 256


def _server(rt: Runtime, spec: dict[str, Any], key: str, where: str, *,
            required: bool = True) -> BackupServer:
    server_id = _uid(spec, key, "BackupServer", where, required=required)
    if not server_id:
        servers = list(SERVERS.of(rt.store.data).values())
        if len(servers) != 1:
            raise bad_request(f"{where}: {key} is required when there are several backup "
                              "servers.")
        return servers[0]
    server = SERVERS.of(rt.store.data).get(server_id)
    if server is None:
        raise bad_request(f"{where}: no backup server has the UID {server_id}.")
    return server


def _choice(spec: dict[str, Any], key: str, values: tuple[str, ...], where: str,
            default: str | None = None) -> str:
    value = _text(spec, key, where, required=default is None, default=default or "")
    match = next((v for v in values if v.lower() == value.lower()), None)
    if match is None:
        raise bad_request(f"{where}: {key} must be one of {', '.join(values)}, not {value!r}.")
    return match


def _uid_list(spec: dict[str, Any], container: str, key: str, type_name: str,
              where: str) -> list[str]:
    """UIDs listed in ``container`` (``<C><K>uid</K>...</C>``, or in JSON ``{"C": {"K":
    [...]}}`` or ``{"C": [{"K": uid}, ...]}``), in order and without repeats."""
    value = spec.get(container)
    if value is None or value == "":
        return []
    raw: list[Any] = []
    if isinstance(value, dict):
        inner = value.get(key, [])
        raw = inner if isinstance(inner, list) else [inner]
    elif isinstance(value, list):
        raw = [v.get(key) if isinstance(v, dict) else v for v in value]
    else:
        raise bad_request(f"{where}: {container} must list {key} elements.")
    out: list[str] = []
    for item in raw:
        if not isinstance(item, str):
            raise bad_request(f"{where}: each {key} in {container} must be a single value.")
        guid = _uid({key: item}, key, type_name, f"{where}.{container}")
        if guid not in out:
            out.append(guid)
    return out


def _repository(rt: Runtime, spec: dict[str, Any], server: BackupServer, where: str
                ) -> Repository:
    repo_id = _uid(spec, "RepositoryUid", "Repository", where)
    repo = REPOSITORIES.of(rt.store.data).get(repo_id)
    if repo is None:
        raise bad_request(f"{where}: no repository has the UID {repo_id}.")
    if repo.backup_server is not server:
        raise bad_request(f"{where}: the repository {repo.name!r} is on "
                          f"{repo.backup_server.name}, not on {server.name}.")
    return repo


def _quota_gb(spec: dict[str, Any], where: str, repo: Repository, used_mb: int) -> int:
    quota = _int(spec, "QuotaGb", where, low=1, high=MAX_QUOTA_GB)
    if repo.capacity > 0 and quota * (1 << 30) > repo.capacity:
        raise bad_request(f"{where}: QuotaGb {quota} is more than the repository "
                          f"{repo.name!r} holds ({repo.capacity >> 30} GB).")
    if quota * 1024 < used_mb:
        raise bad_request(f"{where}: QuotaGb {quota} is below what is already used "
                          f"({used_mb} MB).")
    return quota


def _taken(rt: Runtime, kind: str, name: str, names: list[str], where: str,
           what: str) -> None:
    if name.lower() in (n.lower() for n in names) or _claimed(rt, kind, name.lower()):
        raise bad_request(f"{where}: a {what} named {name!r} already exists.")


# --- gateways ---------------------------------------------------------------------------


def _port(spec: dict[str, Any], key: str, where: str, default: int) -> int:
    return _int(spec, key, where, low=1, high=MAX_PORT, default=default)


def _ip(spec: dict[str, Any], key: str, where: str, *, required: bool) -> str:
    value = _text(spec, key, where, required=required)
    if value == "":
        return ""
    try:
        return str(ipaddress.IPv4Address(value))
    except ValueError:
        raise bad_request(f"{where}: {key} {value!r} is not an IPv4 address.") from None


@router.post("/api/cloud/gateways")
async def create_gateway(request: Request, me: CurrentSession, rt: RuntimeDep,
                         out: WireDep) -> Response:
    """Add a cloud gateway (``CreateCloudGatewaySpec``)."""
    where = "CreateCloudGatewaySpec"
    spec = await _spec(request, where)
    name = _name(spec, "ServerHostName", where)
    _taken(rt, "gateway", name, [g.name for g in GATEWAYS.rows(rt.store)], where,
           "cloud gateway")
    gateway = CloudGateway(
        str(uuid.uuid4()), name, _server(rt, spec, "BackupServerUid", where, required=False),
        _choice(spec, "NetworkType", NETWORK_MODES, where),
        _ip(spec, "ExternalIp", where, required=False),
        _port(spec, "ExternalPort", where, 6180), _port(spec, "InternalPort", where, 6180),
        True, _text(spec, "Description", where))

    def apply(data: DataSet) -> None:
        GATEWAYS.of(data)[gateway.id] = gateway

    return _accept(rt, me.id, out, "CreateCloudGateway", f'Cloud gateway "{name}" added.',
                   apply, ("CloudGateway", f"cloud/gateways/{gateway.id}"), name,
                   (("gateway", name.lower()),))


def _gateway(rt: Runtime, gateway_id: str) -> CloudGateway:
    gateway: CloudGateway = find(GATEWAYS.of(rt.store.data), gateway_id, "cloud gateway")
    return gateway


@router.put("/api/cloud/gateways/{gateway_id}")
async def edit_gateway(gateway_id: str, request: Request, me: CurrentSession,
                       rt: RuntimeDep, out: WireDep) -> Response:
    """Edit a gateway: networking mode, external address and ports, enabled, description."""
    gateway = _gateway(rt, gateway_id)
    where = "CloudGateway"
    spec = await _spec(request, where)
    mode = _choice(spec, "NetworkMode", NETWORK_MODES, where)
    external = _ip(spec, "ExternalIP", where, required=True)
    enabled = _bool(spec, "Enabled", where, gateway.enabled)
    ext_port = _port(spec, "ExternalPort", where, gateway.external_port)
    int_port = _port(spec, "InternalPort", where, gateway.internal_port)
    description = _text(spec, "Description", where, default=gateway.description)

    def apply(data: DataSet) -> None:
        gateway.network_mode, gateway.external_ip, gateway.enabled = mode, external, enabled
        gateway.external_port, gateway.internal_port = ext_port, int_port
        gateway.description = description

    return _accept(rt, me.id, out, "EditCloudGateway", f'Cloud gateway "{gateway.name}" '
                   "edited.", apply, ("CloudGateway", f"cloud/gateways/{gateway.id}"),
                   gateway.name)


@router.delete("/api/cloud/gateways/{gateway_id}")
async def delete_gateway(gateway_id: str, me: CurrentSession, rt: RuntimeDep,
                         out: WireDep) -> Response:
    """Remove a gateway no pool holds."""
    gateway = _gateway(rt, gateway_id)
    if gateway.pools:
        raise bad_request(f"Cloud gateway {gateway.name!r} is in the pools "
                          f"{', '.join(p.name for p in gateway.pools)}; take it out first.")

    def apply(data: DataSet) -> None:
        GATEWAYS.of(data).pop(gateway.id, None)

    return _accept(rt, me.id, out, "DeleteCloudGateway",
                   f'Cloud gateway "{gateway.name}" removed.', apply)


# --- gateway pools ----------------------------------------------------------------------


def _pool_members(rt: Runtime, spec: dict[str, Any], server: BackupServer, where: str,
                  pool: CloudGatewayPool | None) -> tuple[list[CloudGateway], list[CloudTenant]]:
    gateway_ids = _uid_list(spec, "CloudGateways", "CloudGatewayUid", "CloudGateway", where)
    if not gateway_ids:
        raise bad_request(f"{where}: CloudGateways needs at least one CloudGatewayUid.")
    gateways = []
    for guid in gateway_ids:
        gateway = GATEWAYS.of(rt.store.data).get(guid)
        if gateway is None:
            raise bad_request(f"{where}: no cloud gateway has the UID {guid}.")
        if gateway.backup_server is not server:
            raise bad_request(f"{where}: the cloud gateway {gateway.name!r} is on "
                              f"{gateway.backup_server.name}, not on {server.name}.")
        others = [p.name for p in gateway.pools if p is not pool]
        if others:
            raise bad_request(f"{where}: the cloud gateway {gateway.name!r} is already in "
                              f"the pool {others[0]!r}.")
        gateways.append(gateway)
    tenants = []
    for guid in _uid_list(spec, "CloudTenants", "CloudTenantUid", "CloudTenant", where):
        tenant = TENANTS.of(rt.store.data).get(guid)
        if tenant is None:
            raise bad_request(f"{where}: no cloud tenant has the UID {guid}.")
        if tenant.backup_server is not server:
            raise bad_request(f"{where}: the tenant {tenant.name!r} is not on {server.name}.")
        tenants.append(tenant)
    return gateways, tenants


@router.post("/api/cloud/gatewaypools")
async def create_pool(request: Request, me: CurrentSession, rt: RuntimeDep,
                      out: WireDep) -> Response:
    """Create a gateway pool of gateways of one server, optionally pinning tenants to it."""
    where = "CreateCloudGatewayPoolSpec"
    spec = await _spec(request, where)
    name = _name(spec, "Name", where)
    _taken(rt, "gateway pool", name, [p.name for p in GATEWAY_POOLS.rows(rt.store)], where,
           "gateway pool")
    server = _server(rt, spec, "BackupServerUid", where)
    gateways, tenants = _pool_members(rt, spec, server, where, None)
    pool = CloudGatewayPool(str(uuid.uuid4()), name, server, _text(spec, "Description", where),
                            gateways, tenants)

    def apply(data: DataSet) -> None:
        GATEWAY_POOLS.of(data)[pool.id] = pool

    return _accept(rt, me.id, out, "CreateCloudGatewayPool", f'Gateway pool "{name}" created.',
                   apply, ("CloudGatewayPool", f"cloud/gatewayPools/{pool.id}"), name,
                   (("gateway pool", name.lower()),))


def _pool(rt: Runtime, pool_id: str) -> CloudGatewayPool:
    pool: CloudGatewayPool = find(GATEWAY_POOLS.of(rt.store.data), pool_id,
                                  "cloud gateway pool")
    return pool


@router.put("/api/cloud/gatewaypools/{pool_id}")
async def edit_pool(pool_id: str, request: Request, me: CurrentSession, rt: RuntimeDep,
                    out: WireDep) -> Response:
    """Edit a gateway pool: name, description, gateways and tenants."""
    pool = _pool(rt, pool_id)
    where = "CloudGatewayPool"
    spec = await _spec(request, where)
    name = _name(spec, "Name", where)
    if name.lower() != pool.name.lower():
        _taken(rt, "gateway pool", name, [p.name for p in GATEWAY_POOLS.rows(rt.store)],
               where, "gateway pool")
    server = _server(rt, spec, "BackupServerUid", where)
    if server is not pool.backup_server:
        raise bad_request(f"{where}: a pool stays on its backup server "
                          f"({pool.backup_server.name}).")
    gateways, tenants = _pool_members(rt, spec, server, where, pool)
    description = _text(spec, "Description", where, default=pool.description)

    def apply(data: DataSet) -> None:
        pool.name, pool.description = name, description
        pool.gateways, pool.tenants = gateways, [t for t in tenants if t.id in TENANTS.of(data)]

    return _accept(rt, me.id, out, "EditCloudGatewayPool", f'Gateway pool "{name}" edited.',
                   apply, ("CloudGatewayPool", f"cloud/gatewayPools/{pool.id}"), name,
                   (("gateway pool", name.lower()),))


@router.delete("/api/cloud/gatewaypools/{pool_id}")
async def delete_pool(pool_id: str, me: CurrentSession, rt: RuntimeDep,
                      out: WireDep) -> Response:
    """Delete a gateway pool; its gateways stay, its tenants are no longer pinned."""
    pool = _pool(rt, pool_id)

    def apply(data: DataSet) -> None:
        GATEWAY_POOLS.of(data).pop(pool.id, None)

    return _accept(rt, me.id, out, "DeleteCloudGatewayPool",
                   f'Gateway pool "{pool.name}" deleted.', apply)


# --- public IP addresses ----------------------------------------------------------------


@router.post("/api/cloud/publicipaddresses")
async def create_public_ips(request: Request, me: CurrentSession, rt: RuntimeDep,
                            out: WireDep) -> Response:
    """Add a range of public IP addresses (at most 256) to a backup server."""
    where = "CloudPublicIpAddressCreateSpec"
    spec = await _spec(request, where)
    server = _server(rt, spec, "BackupServerUid", where)
    low = ipaddress.IPv4Address(_ip(spec, "IpAddressLowerBound", where, required=True))
    high = ipaddress.IPv4Address(_ip(spec, "IpAddressUpperBound", where, required=True))
    if high < low:
        raise bad_request(f"{where}: IpAddressUpperBound {high} is below IpAddressLowerBound "
                          f"{low}.")
    if int(high) - int(low) >= MAX_IP_RANGE:
        raise bad_request(f"{where}: em-mock adds at most {MAX_IP_RANGE} addresses at once.")
    wanted = [str(ipaddress.IPv4Address(n)) for n in range(int(low), int(high) + 1)]
    existing = {ip.ip_address for ip in PUBLIC_IPS.rows(rt.store)}
    clash = [a for a in wanted if a in existing or _claimed(rt, "public ip", a)]
    if clash:
        raise bad_request(f"{where}: the address {clash[0]} is already a public IP address.")
    made = [CloudPublicIpAddress(str(uuid.uuid4()), a, server) for a in wanted]

    def apply(data: DataSet) -> None:
        PUBLIC_IPS.of(data).update((ip.id, ip) for ip in made)

    return _accept(rt, me.id, out, "CreateCloudPublicIpAddress",
                   f"{len(made)} public IP address(es) added.", apply,
                   ("CloudPublicIpAddress", f"cloud/publicIpAddresses/{made[0].id}"),
                   made[0].ip_address, tuple(("public ip", a) for a in wanted))


def _public_ip(rt: Runtime, ip_id: str) -> CloudPublicIpAddress:
    ip: CloudPublicIpAddress = find(PUBLIC_IPS.of(rt.store.data), ip_id,
                                    "cloud public IP address")
    return ip


@router.put("/api/cloud/publicipaddresses/{ip_id}")
async def edit_public_ip(ip_id: str, request: Request, _: CurrentSession, rt: RuntimeDep
                         ) -> Response:
    """Change a public IP address: 204 and the change at once, as the page says."""
    ip = _public_ip(rt, ip_id)
    where = "CloudPublicIpAddress"
    spec = await _spec(request, where)
    address = _ip(spec, "IpAddress", where, required=False) or ip.ip_address
    if address != ip.ip_address and (
            any(o.ip_address == address for o in PUBLIC_IPS.rows(rt.store))
            or _claimed(rt, "public ip", address)):
        raise bad_request(f"{where}: the address {address} is already a public IP address.")
    ip.ip_address = address
    rt.store.changed()
    return Response(status_code=204)


@router.delete("/api/cloud/publicipaddresses/{ip_id}")
async def delete_public_ip(ip_id: str, me: CurrentSession, rt: RuntimeDep,
                           out: WireDep) -> Response:
    """Remove a public IP address no tenant holds."""
    ip = _public_ip(rt, ip_id)
    if ip.tenant is not None:
        raise bad_request(f"Public IP address {ip.ip_address} is held by the tenant "
                          f"{ip.tenant.name!r}.")

    def apply(data: DataSet) -> None:
        PUBLIC_IPS.of(data).pop(ip.id, None)

    return _accept(rt, me.id, out, "DeleteCloudPublicIpAddress",
                   f"Public IP address {ip.ip_address} removed.", apply)


# --- VLANs ------------------------------------------------------------------------------


def _vlan_range(spec: dict[str, Any], kind: str, where: str, now: tuple[int, int]
                ) -> tuple[int, int]:
    left = _int(spec, f"VlanIds{kind}LeftBound", where, low=1, high=4094, default=now[0])
    right = _int(spec, f"VlanIds{kind}RightBound", where, low=1, high=4094, default=now[1])
    if right < left:
        raise bad_request(f"{where}: VlanIds{kind}RightBound {right} is below "
                          f"VlanIds{kind}LeftBound {left}.")
    return left, right


@router.put("/api/cloud/vlans/{vlan_id}")
async def edit_vlan(vlan_id: str, request: Request, me: CurrentSession, rt: RuntimeDep,
                    out: WireDep) -> Response:
    """Edit a VLAN configuration: its ranges (which must not overlap), platform, switch."""
    vlan: VlanConfiguration = find(VLANS.of(rt.store.data), vlan_id, "VLAN configuration")
    where = "VlanConfiguration"
    spec = await _spec(request, where)
    with_internet = _vlan_range(spec, "WithInternet", where, vlan.with_internet)
    without = _vlan_range(spec, "WithoutInternet", where, vlan.without_internet)
    if with_internet[0] <= without[1] and without[0] <= with_internet[1]:
        raise bad_request(f"{where}: the VLAN ranges with and without internet overlap.")
    platform = _choice(spec, "PlatformType", PLATFORMS, where, vlan.platform)
    switch_type = _choice(spec, "SwitchType", SWITCH_TYPES, where, vlan.switch_type)
    switch_name = _text(spec, "SwitchName", where, default=vlan.switch_name)
    switch_id = _text(spec, "SwitchId", where, default=vlan.switch_id)

    def apply(data: DataSet) -> None:
        vlan.with_internet, vlan.without_internet = with_internet, without
        vlan.platform, vlan.switch_type = platform, switch_type
        vlan.switch_name, vlan.switch_id = switch_name, switch_id

    return _accept(rt, me.id, out, "EditVlanConfiguration",
                   f'VLAN configuration "{vlan.name}" edited.', apply,
                   ("VlanConfiguration", f"cloud/vlans/{vlan.id}"), vlan.name)


@router.delete("/api/cloud/vlans/{vlan_id}")
async def delete_vlan(vlan_id: str, me: CurrentSession, rt: RuntimeDep,
                      out: WireDep) -> Response:
    """Delete a VLAN configuration."""
    vlan: VlanConfiguration = find(VLANS.of(rt.store.data), vlan_id, "VLAN configuration")

    def apply(data: DataSet) -> None:
        VLANS.of(data).pop(vlan.id, None)

    return _accept(rt, me.id, out, "DeleteVlanConfiguration",
                   f'VLAN configuration "{vlan.name}" deleted.', apply)


# --- failover plans ---------------------------------------------------------------------


def _plan(rt: Runtime, plan_id: str) -> CloudFailoverPlan:
    plan: CloudFailoverPlan = find(PLANS.of(rt.store.data), plan_id, "cloud failover plan")
    return plan


def _running(rt: Runtime, plan: CloudFailoverPlan) -> bool:
    return any(s.plan is plan and s.end_ms is None for s in SESSIONS.rows(rt.store))


@router.put("/api/cloud/cloudfailoverplans/{plan_id}")
async def edit_plan(plan_id: str, request: Request, me: CurrentSession, rt: RuntimeDep,
                    out: WireDep) -> Response:
    """Edit a plan's pre- and post-failover commands (an enabled one needs a command)."""
    plan = _plan(rt, plan_id)
    where = "CloudFailoverPlan"
    spec = await _spec(request, where)
    options = _nested(spec, "CloudFailoverPlanOptions", where) or spec
    at = where if options is spec else f"{where}.CloudFailoverPlanOptions"
    pre_on = _bool(options, "PreFailoverPlanCommandEnabled", at, plan.pre_command_enabled)
    pre = _text(options, "PreFailoverPlanCommand", at, default=plan.pre_command)
    post_on = _bool(options, "PostFailoverPlanCommandEnabled", at, plan.post_command_enabled)
    post = _text(options, "PostFailoverPlanCommand", at, default=plan.post_command)
    for enabled, command, key in ((pre_on, pre, "Pre"), (post_on, post, "Post")):
        if enabled and not command:
            raise bad_request(f"{at}: {key}FailoverPlanCommandEnabled is true but "
                              f"{key}FailoverPlanCommand is empty.")
    description = _text(spec, "Description", where, default=plan.description)

    def apply(data: DataSet) -> None:
        plan.pre_command_enabled, plan.pre_command = pre_on, pre
        plan.post_command_enabled, plan.post_command = post_on, post
        plan.description = description

    return _accept(rt, me.id, out, "EditCloudFailoverPlan",
                   f'Failover plan "{plan.name}" edited.', apply,
                   ("CloudFailoverPlan", f"cloud/cloudFailoverPlans/{plan.id}"), plan.name)


@router.delete("/api/cloud/cloudfailoverplans/{plan_id}")
async def delete_plan(plan_id: str, me: CurrentSession, rt: RuntimeDep,
                      out: WireDep) -> Response:
    """Delete a plan that is not running, with its sessions and cloud replicas."""
    plan = _plan(rt, plan_id)
    if _running(rt, plan):
        raise bad_request(f"Failover plan {plan.name!r} is running; wait for it to end.")

    def apply(data: DataSet) -> None:
        PLANS.of(data).pop(plan.id, None)
        sessions = SESSIONS.of(data)
        for sid in [s.id for s in sessions.values() if s.plan is plan]:
            sessions.pop(sid)
        index_replica_points(data)

    return _accept(rt, me.id, out, "DeleteCloudFailoverPlan",
                   f'Failover plan "{plan.name}" deleted.', apply)


# --- vSphere self-service ---------------------------------------------------------------


def _vcenters(rt: Runtime, spec: dict[str, Any], server: BackupServer, where: str,
              default: str) -> str:
    ids = _uid_list(spec, "VCentersScope", "VCenterUid", "ManagedServer", where)
    if not ids:
        if default:
            return default
        raise bad_request(f"{where}: VCentersScope needs a VCenterUid (the server has no "
                          "vCenter of its own).")
    if len(ids) > 1:
        raise bad_request(f"{where}: em-mock keeps one vCenter per configuration.")
    vcenter = MANAGED_SERVERS.of(rt.store.data).get(ids[0])
    if vcenter is None or vcenter.backup_server is not server or vcenter.server_type != "VC":
        raise bad_request(f"{where}: no vCenter of {server.name} has the UID {ids[0]}.")
    return vcenter.id


def _server_vcenter(rt: Runtime, server: BackupServer) -> str:
    return next((m.id for m in MANAGED_SERVERS.of(rt.store.data).values()
                 if m.backup_server is server and m.server_type == "VC"), "")


def _account_free(rt: Runtime, name: str, where: str, mine: SelfServiceConfig | None) -> None:
    if name.lower() != (mine.account_name.lower() if mine else None):
        _taken(rt, "self-service", name, [c.account_name for c in SELF_SERVICE.rows(rt.store)],
               where, "self-service configuration for the account")


@router.post("/api/selfservice/vsphere/configs")
async def create_self_service(request: Request, me: CurrentSession, rt: RuntimeDep,
                              out: WireDep) -> Response:
    """Create a vSphere self-service configuration (``VSphereSelfServiceCreateSpec``)."""
    where = "VSphereSelfServiceCreateSpec"
    spec = await _spec(request, where)
    account = _text(spec, "AccountName", where, required=True)
    _account_free(rt, account, where, None)
    repo_id = _uid(spec, "RepositoryUid", "Repository", where)
    repo = REPOSITORIES.of(rt.store.data).get(repo_id)
    if repo is None:
        raise bad_request(f"{where}: no repository has the UID {repo_id}.")
    server = repo.backup_server
    config = SelfServiceConfig(
        str(uuid.uuid4()), account, server, repo,
        _vcenters(rt, spec, server, where, _server_vcenter(rt, server)),
        _quota_gb(spec, where, repo, 0), 0,
        _choice(spec, "AccountType", ACCOUNT_TYPES, where, "User"), "",
        _bool(spec, "PerUser", where, False),
        _choice(spec, "JobSchedulerType", SCHEDULER_TYPES, where, "Full"),
        _bool(spec, "HighPriorityJob", where, False))
    _uid(spec, "TemplateJobUid", "Job", where, required=False)

    def apply(data: DataSet) -> None:
        SELF_SERVICE.of(data)[config.id] = config

    return _accept(rt, me.id, out, "CreateVSphereSelfServiceConfig",
                   f'Self-service configuration for "{account}" created.', apply,
                   ("VSphereSelfServiceConfig", f"selfService/vSphere/Configs/{config.id}"),
                   account, (("self-service", account.lower()),))


def _self_service(rt: Runtime, config_id: str) -> SelfServiceConfig:
    config: SelfServiceConfig = find(SELF_SERVICE.of(rt.store.data), config_id,
                                     "vSphere self-service configuration")
    return config


@router.put("/api/selfservice/vsphere/configs/{config_id}")
async def edit_self_service(config_id: str, request: Request, me: CurrentSession,
                            rt: RuntimeDep, out: WireDep) -> Response:
    """Edit a self-service configuration; its quota never below what it uses."""
    config = _self_service(rt, config_id)
    where = "VSphereSelfServiceConfig"
    spec = await _spec(request, where)
    server = _server(rt, spec, "BackupServerUid", where)
    repo = _repository(rt, spec, server, where)
    quota = _quota_gb(spec, where, repo, config.used_gb * 1024)
    account = _nested(spec, "Account", where)
    if account is None:
        raise bad_request(f"{where}: Account is required.")
    name = _text(account, "AccountName", f"{where}.Account", required=True)
    _account_free(rt, name, where, config)
    account_type = _choice(account, "AccountType", ACCOUNT_TYPES, f"{where}.Account")
    settings = _nested(spec, "JobSettings", where)
    if settings is None:
        raise bad_request(f"{where}: JobSettings is required.")
    scheduler = _choice(settings, "JobSchedulerType", SCHEDULER_TYPES, f"{where}.JobSettings",
                        config.scheduler)
    high = _bool(settings, "HighPriorityJob", f"{where}.JobSettings", config.high_priority)
    per_user = _bool(spec, "PerUser", where, config.per_user)
    vcenter = _vcenters(rt, spec, server, where, config.vcenter_id
                        if server is config.backup_server else _server_vcenter(rt, server))

    def apply(data: DataSet) -> None:
        config.backup_server, config.repository, config.quota_gb = server, repo, quota
        config.account_name, config.account_type, config.per_user = name, account_type, per_user
        config.scheduler, config.high_priority, config.vcenter_id = scheduler, high, vcenter

    return _accept(rt, me.id, out, "EditVSphereSelfServiceConfig",
                   f'Self-service configuration for "{name}" edited.', apply,
                   ("VSphereSelfServiceConfig", f"selfService/vSphere/Configs/{config.id}"),
                   name, (("self-service", name.lower()),))


@router.delete("/api/selfservice/vsphere/configs/{config_id}")
async def delete_self_service(config_id: str, me: CurrentSession, rt: RuntimeDep,
                              out: WireDep) -> Response:
    """Delete a self-service configuration."""
    config = _self_service(rt, config_id)

    def apply(data: DataSet) -> None:
        SELF_SERVICE.of(data).pop(config.id, None)

    return _accept(rt, me.id, out, "DeleteVSphereSelfServiceConfig",
                   f'Self-service configuration for "{config.name}" deleted.', apply)


# --- vCloud organization configurations -------------------------------------------------


def _host(rt: Runtime, spec: dict[str, Any], server: BackupServer, where: str) -> str:
    host_id = _uid(spec, "HostUid", "ManagedServer", where)
    host = MANAGED_SERVERS.of(rt.store.data).get(host_id)
    if (host is None or host.backup_server is not server
            or host.server_type not in HIERARCHY_HOST_TYPES):
        raise bad_request(f"{where}: no virtualization host of {server.name} has the UID "
                          f"{host_id}.")
    return host.id


@router.post("/api/vcloud/orgconfigs")
async def create_org_config(request: Request, me: CurrentSession, rt: RuntimeDep,
                            out: WireDep) -> Response:
    """Create an organization configuration (``VCloudOrganizationConfigCreateSpec``)."""
    where = "VCloudOrganizationConfigCreateSpec"
    spec = await _spec(request, where)
    name = _name(spec, "OrganizationName", where)
    _taken(rt, "org config", name, [c.name for c in ORG_CONFIGS.rows(rt.store)], where,
           "configuration for the organization")
    server = _server(rt, spec, "BackupServerUid", where)
    repo = _repository(rt, spec, server, where)
    config = VCloudOrgConfig(
        str(uuid.uuid4()), name, server, repo, _host(rt, spec, server, where),
        _quota_gb(spec, where, repo, 0), _text(spec, "RepositoryFriendlyName", where,
                                               required=True),
        0, False, _choice(spec, "JobSchedulerType", SCHEDULER_TYPES, where),
        _bool(spec, "HighPriorityJob", where, False),
        _uid(spec, "TemplateJobUid", "Job", where, required=False))

    def apply(data: DataSet) -> None:
        ORG_CONFIGS.of(data)[config.id] = config

    return _accept(rt, me.id, out, "CreateVCloudOrganizationConfig",
                   f'Configuration of organization "{name}" created.', apply,
                   ("VCloudOrganizationConfig", f"vCloud/orgConfigs/{config.id}"), name,
                   (("org config", name.lower()),))


def _org_config(rt: Runtime, config_id: str) -> VCloudOrgConfig:
    config: VCloudOrgConfig = find(ORG_CONFIGS.of(rt.store.data), config_id,
                                   "vCloud organization configuration")
    return config


@router.put("/api/vcloud/orgconfigs/{config_id}")
async def edit_org_config(config_id: str, request: Request, me: CurrentSession,
                          rt: RuntimeDep, out: WireDep) -> Response:
    """Edit an organization configuration; its quota never below what it uses."""
    config = _org_config(rt, config_id)
    where = "VCloudOrganizationConfig"
    spec = await _spec(request, where)
    server = _server(rt, spec, "BackupServerUid", where)
    repo = _repository(rt, spec, server, where)
    quota = _quota_gb(spec, where, repo, config.used_mb)
    disabled = _bool(spec, "IsDisabled", where)
    settings = _nested(spec, "JobSettings", where)
    if settings is None:
        raise bad_request(f"{where}: JobSettings is required.")
    at = f"{where}.JobSettings"
    scheduler = _choice(settings, "JobSchedulerType", SCHEDULER_TYPES, at)
    high = _bool(settings, "HighPriorityJob", at, config.high_priority)
    template = _uid(settings, "TemplateJobUid", "Job", at, required=False)
    host = _host(rt, spec, server, where)
    friendly = _text(spec, "RepositoryFriendlyName", where, required=True)

    def apply(data: DataSet) -> None:
        config.backup_server, config.repository, config.quota_gb = server, repo, quota
        config.disabled, config.scheduler, config.high_priority = disabled, scheduler, high
        config.template_job_id, config.host_id = template, host
        config.repository_friendly_name = friendly

    return _accept(rt, me.id, out, "EditVCloudOrganizationConfig",
                   f'Configuration of organization "{config.name}" edited.', apply,
                   ("VCloudOrganizationConfig", f"vCloud/orgConfigs/{config.id}"),
                   config.name)


@router.post("/api/vcloud/orgconfigs/{config_id}")
async def org_config_action(config_id: str, request: Request, me: CurrentSession,
                            rt: RuntimeDep, out: WireDep) -> Response:
    """``?action=disable``: disable an organization configuration."""
    action = (query_params(request).get("action") or "").lower()
    if action != "disable":
        raise bad_request("Parameter action must be disable.")
    config = _org_config(rt, config_id)

    def apply(data: DataSet) -> None:
        config.disabled = True

    return _accept(rt, me.id, out, "DisableVCloudOrganizationConfig",
                   f'Configuration of organization "{config.name}" disabled.', apply,
                   ("VCloudOrganizationConfig", f"vCloud/orgConfigs/{config.id}"),
                   config.name)


@router.delete("/api/vcloud/orgconfigs/{config_id}")
async def delete_org_config(config_id: str, me: CurrentSession, rt: RuntimeDep,
                            out: WireDep) -> Response:
    """Delete an organization configuration."""
    config = _org_config(rt, config_id)

    def apply(data: DataSet) -> None:
        ORG_CONFIGS.of(data).pop(config.id, None)

    return _accept(rt, me.id, out, "DeleteVCloudOrganizationConfig",
                   f'Configuration of organization "{config.name}" deleted.', apply)


# --- vCloud compute resources of tenants ------------------------------------------------


@router.post("/api/cloud/tenants/{tenant_id}/vcloudcomputeresources")
async def add_vcloud_compute(tenant_id: str, request: Request, me: CurrentSession,
                             rt: RuntimeDep, out: WireDep) -> Response:
    """Add a vCloud compute resource (an organization VDC) to a vCD tenant."""
    tenant = tenant_of(rt, tenant_id)
    where = "CloudTenantVCloudComputeResourceCreateSpec"
    spec = await _spec(request, where)
    if tenant.tenant_type != "vCD":
        raise bad_request(f"Tenant {tenant.name!r} is a {tenant.tenant_type} tenant: vCloud "
                          "compute resources belong to vCD tenants (add a compute resource "
                          "instead).")
    resource = vcloud_compute(spec, where, tenant)

    def apply(data: DataSet) -> None:
        if (live := TENANTS.of(data).get(tenant.id)) is not None:
            live.vcloud.append(resource)

    return _accept(rt, me.id, out, "CreateCloudTenantVCloudComputeResource",
                   f'Data center "{resource.vdc_name}" added to tenant "{tenant.name}".', apply,
                   ("CloudTenantVCloudComputeResource",
                    f"cloud/tenants/{tenant.id}/vCloudComputeResources/{resource.id}"))


@router.delete("/api/cloud/tenants/{tenant_id}/vcloudcomputeresources/{resource_id}")
async def remove_vcloud_compute(tenant_id: str, resource_id: str, me: CurrentSession,
                                rt: RuntimeDep, out: WireDep) -> Response:
    """Remove a vCloud compute resource of a tenant."""
    tenant = tenant_of(rt, tenant_id)
    resource = find({v.id: v for v in tenant.vcloud}, resource_id,
                    f"vCloud compute resource of {tenant.name}")

    def apply(data: DataSet) -> None:
        tenant.vcloud = [v for v in tenant.vcloud if v is not resource]

    return _accept(rt, me.id, out, "DeleteCloudTenantVCloudComputeResource",
                   f'Data center "{resource.vdc_name}" removed from tenant "{tenant.name}".',
                   apply)
