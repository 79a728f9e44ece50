"""The tenant lifecycle: create, edit (enable, disable, reset the password) and delete
tenants; add and remove their backup and compute resources; create, edit and delete
subtenants; create and delete hardware plans.

Every call is checked in full when it arrives (a 400 ``Error`` changes nothing) and
answers 202 with a ``Task``; the change itself lands when the task finishes, after
``--task-delay`` on the mock's clock. Names and ids a pending change will take are
claimed at once, so a second call cannot take them meanwhile.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from em_mock.core.errors import EMError, bad_request
from em_mock.core.http.actions import spec_tree, task_node
from em_mock.core.http.deps import CurrentSession, RuntimeDep, WireDep, find
from em_mock.core.registry import register_router
from em_mock.core.runtime import Runtime
from em_mock.core.simulation import register_run_tables
from em_mock.core.store import Store
from em_mock.core.tables import DataSet, Table
from em_mock.families.cloud.model import (
    GATEWAY_POOLS,
    HARDWARE_PLANS,
    PLATFORMS,
    PUBLIC_IPS,
    TENANT_TYPES,
    TENANTS,
    CloudHardwarePlan,
    CloudSubtenant,
    CloudTenant,
    ComputeResource,
    TenantDomain,
    TenantResource,
    VCloudComputeResource,
    index_cloud,
)
from em_mock.families.cloud.routes import tenant_of
from em_mock.families.infrastructure.model import REPOSITORIES, SERVERS, BackupServer

router = register_router(APIRouter())

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}")
_NAME = re.compile(r"[^\\/:*?\"<>|;]{1,128}")
MAX_QUOTA_MB = 1 << 40


@dataclass(slots=True)
class PendingChange:
    """A change an action accepted, applied when its task finishes.

    ``claims`` are the ``(kind, key)`` pairs it takes (a tenant name, say), so that
    checks made before it lands see it.
    """

    due_ms: int
    apply: Callable[[DataSet], None] = field(repr=False)
    claims: tuple[tuple[str, str], ...] = ()

    def advance(self, store: Store, now_ms: int) -> tuple[bool, bool]:
        """Apply the change once it is due: ``(changed, finished)``."""
        if now_ms < self.due_ms:
            return False, False
        self.apply(store.data)
        index_cloud(store.data)
        return True, True


CHANGES: Table[PendingChange] = Table("cloud_changes")
register_run_tables(CHANGES)


def _claimed(rt: Runtime, kind: str, key: str) -> bool:
    return any((kind, key) in c.claims for c in CHANGES.of(rt.store.data).values())


# --- reading specs ----------------------------------------------------------------------


async def _spec(request: Request, spec: str) -> dict[str, Any]:
    body = await request.body()
    return spec_tree(body, request.headers.get("content-type", ""), spec)


def _text(spec: dict[str, Any], key: str, where: str, *, required: bool = False,
          default: str = "") -> str:
    value = spec.get(key)
    if value is None or value == "":
        if required:
            raise bad_request(f"{where}: {key} is required.")
        return default
    if not isinstance(value, str):
        raise bad_request(f"{where}: {key} must be a single value.")
    return value


def _name(spec: dict[str, Any], key: str, where: str) -> str:
    value = _text(spec, key, where, required=True)
    if not _NAME.fullmatch(value) or value != value.strip():
        raise bad_request(f"{where}: {key} {value!r} is not a valid name (1-128 characters, "
                          "none of \\ / : * ? \" < > | ;, no spaces around it).")
    return value


def _bool(spec: dict[str, Any], key: str, where: str, default: bool | None = None) -> bool:
    value = _text(spec, key, where, required=default is None)
    if value == "":
        return bool(default)
    if value.lower() not in ("true", "false"):
        raise bad_request(f"{where}: {key} must be true or false, not {value!r}.")
    return value.lower() == "true"


def _int(spec: dict[str, Any], key: str, where: str, *, low: int, high: int,
         default: int | None = None) -> int:
    value = _text(spec, key, where, required=default is None)
    if value == "":
        return int(default or 0)
    try:
        number = int(value)
    except ValueError:
        raise bad_request(f"{where}: {key} must be an integer, not {value!r}.") from None
    if not low <= number <= high:
        raise bad_request(f"{where}: {key} must be between {low} and {high}, not {number}.")
    return number


def _uid(spec: dict[str, Any], key: str, type_name: str, where: str, *,
         required: bool = True) -> str:
    value = _text(spec, key, where, required=required)
    if value == "":
        return ""
    guid = value.split(":")[-1] if value.lower().startswith("urn:veeam:") else value
    if not _GUID.fullmatch(guid) or (value.lower().startswith("urn:")
                                     and value.split(":")[2:3] != [type_name]):
        raise bad_request(f"{where}: {key} {value!r} is not a {type_name} UID.")
    return guid.lower()


def _nested(spec: dict[str, Any], key: str, where: str) -> dict[str, Any] | None:
    value = spec.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, dict):
        raise bad_request(f"{where}: {key} must be an element with fields.")
    return value


def _tenant_name_free(rt: Runtime, name: str, where: str) -> None:
    taken = {t.name.lower() for t in TENANTS.rows(rt.store)}
    if name.lower() in taken or _claimed(rt, "tenant", name.lower()):
        raise bad_request(f"{where}: a tenant named {name!r} already exists.")


def _resource(rt: Runtime, spec: dict[str, Any], server: BackupServer, tenant_name: str,
              where: str, taken: set[str]) -> TenantResource:
    name = _name(spec, "Name", where)
    if name.lower() in taken:
        raise bad_request(f"{where}: the tenant already has a backup resource named {name!r}.")
    repo_id = _uid(spec, "RepositoryUid", "Repository", where)
    repo = REPOSITORIES.of(rt.store.data).get(repo_id)
    if repo is None:
        raise bad_request(f"{where}: no repository has the UID {repo_id}.")
    if repo.backup_server is not server:
        raise bad_request(f"{where}: the repository {repo.name!r} is on "
                          f"{repo.backup_server.name}, not on the tenant's server {server.name}.")
    quota = _int(spec, "QuotaMb", where, low=1, high=MAX_QUOTA_MB)
    if repo.capacity > 0 and quota * (1 << 20) > repo.capacity:
        raise bad_request(f"{where}: QuotaMb {quota} is more than the repository "
                          f"{repo.name!r} holds ({repo.capacity >> 20} MB).")
    return TenantResource(str(uuid.uuid4()), name, repo, quota, 0)


def _compute(rt: Runtime, spec: dict[str, Any], server: BackupServer, where: str,
             tenant: CloudTenant | None) -> ComputeResource:
    plan_id = _uid(spec, "CloudHardwarePlanUid", "CloudHardwarePlan", where)
    plan = HARDWARE_PLANS.of(rt.store.data).get(plan_id)
    if plan is None:
        raise bad_request(f"{where}: no hardware plan has the UID {plan_id}.")
    if plan.backup_server is not server:
        raise bad_request(f"{where}: the hardware plan {plan.name!r} is on "
                          f"{plan.backup_server.name}, not on the tenant's server.")
    platform = _text(spec, "PlatformType", where, required=True)
    if platform not in PLATFORMS:
        raise bad_request(f"{where}: PlatformType must be VMware or HyperV, not {platform!r}.")
    if platform != plan.platform:
        raise bad_request(f"{where}: the hardware plan {plan.name!r} is for {plan.platform}.")
    if tenant is not None and any(c.plan is plan for c in tenant.compute):
        raise bad_request(f"{where}: the tenant already uses the hardware plan {plan.name!r}.")
    return ComputeResource(str(uuid.uuid4()), plan,
                           _bool(spec, "UseNetworkFailoverResources", where, False))


def _tenant_kind(spec: dict[str, Any], tenant: CloudTenant, where: str) -> None:
    """What a vCD tenant (``OrganizationRef``) and an ActiveDirectory tenant (``Domain``)
    need besides a standalone one's fields."""
    if tenant.tenant_type == "vCD":
        tenant.organization_ref = _text(spec, "OrganizationRef", where, required=True)
        if _text(spec, "Password", where):
            raise bad_request(f"{where}: a vCD tenant logs on with its organization's "
                              "accounts; it takes no Password.")
    elif "OrganizationRef" in spec:
        raise bad_request(f"{where}: only a vCD tenant takes an OrganizationRef.")
    domain = _nested(spec, "Domain", where)
    if tenant.tenant_type == "ActiveDirectory":
        if domain is None:
            raise bad_request(f"{where}: an ActiveDirectory tenant needs a Domain.")
        at = f"{where}.Domain"
        tenant.domain = TenantDomain(_text(domain, "DomainName", at, required=True),
                                     _text(domain, "DomainAccount", at, required=True),
                                     _int(domain, "Port", at, low=1, high=65535))
    elif domain is not None:
        raise bad_request(f"{where}: only an ActiveDirectory tenant takes a Domain.")


def vcloud_compute(spec: dict[str, Any], where: str, tenant: CloudTenant
                   ) -> VCloudComputeResource:
    """A vCD tenant's new vCloud compute resource: an organization VDC not yet used."""
    ref = _text(spec, "VirtualDataCenterRef", where, required=True)
    if not ref.lower().startswith("urn:vcloud:") or ref.count(":") < 3:
        raise bad_request(f"{where}: VirtualDataCenterRef {ref!r} is not a vCloud hierarchy "
                          "reference (urn:vCloud:Vdc:...).")
    if any(v.vdc_ref.lower() == ref.lower() for v in tenant.vcloud):
        raise bad_request(f"{where}: the tenant already uses the data center {ref!r}.")
    return VCloudComputeResource(str(uuid.uuid4()), ref.split(":")[-1].split(".")[-1], ref,
                                 _bool(spec, "UseNetworkFailoverResources", where))


def _accept(rt: Runtime, me: str, out: WireDep, operation: str, message: str,
            apply: Callable[[DataSet], None], related: tuple[str, str] | None = None,
            name: str | None = None, claims: tuple[tuple[str, str], ...] = ()) -> Response:
    now = rt.clock.now_ms()
    task = rt.simulation.task(me, operation, now, True, message, related, name)
    CHANGES.of(rt.store.data)[str(uuid.uuid4())] = PendingChange(task.finish_ms, apply, claims)
    if task.finish_ms <= now:
        rt.simulation.advance(rt.store, now)
    return out.send(task_node(task, out.ctx, now), 202)


def _alive(data: DataSet, tenant_id: str) -> CloudTenant | None:
    return TENANTS.of(data).get(tenant_id)


# --- tenants ----------------------------------------------------------------------------

TENANT_SPEC = "CreateCloudTenantSpec"


@router.post("/api/cloud/tenants")
async def create_tenant(request: Request, me: CurrentSession, rt: RuntimeDep,
                        out: WireDep) -> Response:
    """Create a standalone tenant with a backup resource and/or a compute resource."""
    spec = await _spec(request, TENANT_SPEC)
    where = TENANT_SPEC
    name = _name(spec, "Name", where)
    _tenant_name_free(rt, name, where)
    server_id = _uid(spec, "BackupServerUID", "BackupServer", where)
    server = SERVERS.of(rt.store.data).get(server_id)
    if server is None:
        raise bad_request(f"{where}: no backup server has the UID {server_id}.")
    kind = _text(spec, "TenantType", where, default="Standalone")
    kind = next((k for k in TENANT_TYPES if k.lower() == kind.lower()), kind)
    if kind not in TENANT_TYPES:
        raise bad_request(f"{where}: TenantType must be one of {', '.join(TENANT_TYPES)}, "
                          f"not {kind!r}.")
    tenant = CloudTenant(
        str(uuid.uuid4()), name, server,
        description=_text(spec, "Description", where),
        enabled=_bool(spec, "Enabled", where, True),
        max_concurrent_tasks=_int(spec, "MaxConcurrentTasks", where, low=1, high=10000,
                                  default=1),
        password=_text(spec, "Password", where), tenant_type=kind)
    _tenant_kind(spec, tenant, where)
    backup = _nested(spec, "BackupResource", where)
    if backup is not None:
        tenant.resources.append(_resource(rt, backup, server, name, f"{where}.BackupResource",
                                          set()))
    compute = _nested(spec, "ComputeResource", where)
    if compute is not None and kind == "vCD":
        raise bad_request(f"{where}: a vCD tenant takes a vCloudComputeResource, not a "
                          "ComputeResource.")
    if compute is not None:
        tenant.compute.append(_compute(rt, compute, server, f"{where}.ComputeResource", None))
    vcloud = _nested(spec, "vCloudComputeResource", where)
    if vcloud is not None and kind != "vCD":
        raise bad_request(f"{where}: only a vCD tenant takes a vCloudComputeResource.")
    if vcloud is not None:
        tenant.vcloud.append(vcloud_compute(vcloud, f"{where}.vCloudComputeResource", tenant))
    if not tenant.resources and not tenant.compute and not tenant.vcloud:
        raise bad_request(f"{where}: a tenant needs a BackupResource or a ComputeResource "
                          "(a vCloudComputeResource for a vCD tenant).")

    def apply(data: DataSet) -> None:
        TENANTS.of(data)[tenant.id] = tenant

    return _accept(rt, me.id, out, "CreateCloudTenant", f'Tenant "{name}" created.', apply,
                   ("CloudTenant", f"cloud/tenants/{tenant.id}"), name,
                   (("tenant", name.lower()),))


@router.put("/api/cloud/tenants/{tenant_id}")
async def edit_tenant(tenant_id: str, request: Request, me: CurrentSession, rt: RuntimeDep,
                      out: WireDep) -> Response:
    """Edit a tenant: description, enabled (enable or disable it), password, task limit."""
    tenant = tenant_of(rt, tenant_id)
    spec = await _spec(request, "CloudTenant")
    where = "CloudTenant"
    unknown = sorted(set(spec) - {"Description", "Enabled", "Password", "MaxConcurrentTasks",
                                  "Name", "UID", "TenantType", "Resources",
                                  "CloudTenantResource"})
    if unknown:
        raise bad_request(f"{where}: em-mock edits Description, Enabled, Password, "
                          f"MaxConcurrentTasks and backup resource quotas; not "
                          f"{', '.join(unknown)}.")
    quotas = _quota_edits(tenant, spec, where)
    if "Name" in spec and _text(spec, "Name", where) != tenant.name:
        raise bad_request(f"{where}: a tenant's Name cannot be changed.")
    description = _text(spec, "Description", where, default=tenant.description)
    enabled = _bool(spec, "Enabled", where, tenant.enabled)
    password = _text(spec, "Password", where, default=tenant.password)
    tasks = _int(spec, "MaxConcurrentTasks", where, low=1, high=10000,
                 default=tenant.max_concurrent_tasks)

    def apply(data: DataSet) -> None:
        if (live := _alive(data, tenant.id)) is not None:
            live.description, live.enabled = description, enabled
            live.password, live.max_concurrent_tasks = password, tasks
            for resource, quota in quotas:
                resource.quota_mb = quota

    return _accept(rt, me.id, out, "EditCloudTenant", f'Tenant "{tenant.name}" edited.', apply,
                   ("CloudTenant", f"cloud/tenants/{tenant.id}"), tenant.name)


def _quota_edits(tenant: CloudTenant, spec: dict[str, Any], where: str
                 ) -> list[tuple[TenantResource, int]]:
    """New quotas of a tenant's backup resources, from ``Resources`` (as the entity has
    them) or ``CloudTenantResource`` elements (as the edit page has them), each found by
    its ``DisplayName``; a quota never goes below what the resource or its subtenants use,
    nor above its repository's capacity."""
    items: list[Any] = []
    listed = spec.get("Resources")
    if isinstance(listed, dict):
        for key in ("CloudTenantResource", "CloudTenantResources"):
            value = listed.get(key, [])
            items += value if isinstance(value, list) else [value]
    elif isinstance(listed, list):
        items += listed
    elif listed not in (None, ""):
        raise bad_request(f"{where}: Resources must list CloudTenantResource elements.")
    direct = spec.get("CloudTenantResource")
    items += direct if isinstance(direct, list) else [direct] if direct else []
    edits: list[tuple[TenantResource, int]] = []
    for item in items:
        at = f"{where}.CloudTenantResource"
        if not isinstance(item, dict):
            raise bad_request(f"{at} must be an element with fields.")
        name = _text(item, "DisplayName", at, required=True)
        resource = next((r for r in tenant.resources if r.name.lower() == name.lower()), None)
        if resource is None:
            raise bad_request(f"{at}: tenant {tenant.name!r} has no backup resource {name!r} "
                              "(add one with POST .../resources).")
        repo = _uid(item, "RepositoryUid", "Repository", at, required=False)
        if repo and repo != resource.repository.id:
            raise bad_request(f"{at}: the backup resource {name!r} is on the repository "
                              f"{resource.repository.name!r}; it cannot move.")
        quota = _int(item, "Quota", at, low=1, high=MAX_QUOTA_MB, default=resource.quota_mb)
        if quota < resource.used_mb:
            raise bad_request(f"{at}: Quota {quota} is below what {name!r} uses "
                              f"({resource.used_mb} MB).")
        subs = max((s.quota_mb for s in tenant.subtenants if s.resource is resource),
                   default=0)
        if quota < subs:
            raise bad_request(f"{at}: Quota {quota} is below a subtenant's quota on {name!r} "
                              f"({subs} MB).")
        capacity = resource.repository.capacity
        if capacity > 0 and quota * (1 << 20) > capacity:
            raise bad_request(f"{at}: Quota {quota} is more than the repository "
                              f"{resource.repository.name!r} holds ({capacity >> 20} MB).")
        edits.append((resource, quota))
    return edits


@router.delete("/api/cloud/tenants/{tenant_id}")
async def delete_tenant(tenant_id: str, me: CurrentSession, rt: RuntimeDep,
                        out: WireDep) -> Response:
    """Delete a tenant that has no failover plans; its public IPs are released."""
    tenant = tenant_of(rt, tenant_id)
    if tenant.plans:
        raise bad_request(f"Tenant {tenant.name!r} has failover plans "
                          f"({', '.join(p.name for p in tenant.plans)}); delete them first.")

    def apply(data: DataSet) -> None:
        TENANTS.of(data).pop(tenant.id, None)
        for ip in PUBLIC_IPS.of(data).values():
            if ip.tenant is tenant:
                ip.tenant = None
        for pool in GATEWAY_POOLS.of(data).values():
            pool.tenants = [t for t in pool.tenants if t is not tenant]

    return _accept(rt, me.id, out, "DeleteCloudTenant", f'Tenant "{tenant.name}" deleted.',
                   apply)


# --- backup and compute resources -------------------------------------------------------


@router.post("/api/cloud/tenants/{tenant_id}/resources")
async def add_resource(tenant_id: str, request: Request, me: CurrentSession, rt: RuntimeDep,
                       out: WireDep) -> Response:
    """Add a backup resource (a quota on a repository of the tenant's server)."""
    tenant = tenant_of(rt, tenant_id)
    spec = await _spec(request, "CreateCloudTenantResourceSpec")
    server = _server_of(tenant)
    resource = _resource(rt, spec, server, tenant.name, "CreateCloudTenantResourceSpec",
                         {r.name.lower() for r in tenant.resources})

    def apply(data: DataSet) -> None:
        if (live := _alive(data, tenant.id)) is not None:
            live.resources.append(resource)

    return _accept(rt, me.id, out, "CreateCloudTenantResource",
                   f'Backup resource "{resource.name}" added to tenant "{tenant.name}".', apply,
                   ("CloudTenantResource", f"cloud/tenants/{tenant.id}/resources/{resource.id}"),
                   resource.name)


@router.delete("/api/cloud/tenants/{tenant_id}/resources/{resource_id}")
async def remove_resource(tenant_id: str, resource_id: str, me: CurrentSession,
                          rt: RuntimeDep, out: WireDep) -> Response:
    """Remove a backup resource no subtenant uses."""
    tenant = tenant_of(rt, tenant_id)
    resource = find({r.id: r for r in tenant.resources}, resource_id,
                    f"backup resource of {tenant.name}")
    users = [s.name for s in tenant.subtenants if s.resource is resource]
    if users:
        raise bad_request(f"Backup resource {resource.name!r} is used by the subtenants "
                          f"{', '.join(users)}; delete them first.")

    def apply(data: DataSet) -> None:
        if (live := _alive(data, tenant.id)) is not None:
            live.resources = [r for r in live.resources if r is not resource]

    return _accept(rt, me.id, out, "DeleteCloudTenantResource",
                   f'Backup resource "{resource.name}" removed from tenant "{tenant.name}".',
                   apply)


@router.post("/api/cloud/tenants/{tenant_id}/computeresources")
async def add_compute(tenant_id: str, request: Request, me: CurrentSession, rt: RuntimeDep,
                      out: WireDep) -> Response:
    """Add a compute resource: the tenant subscribes to a hardware plan of its server."""
    tenant = tenant_of(rt, tenant_id)
    where = "CloudTenantComputeResourceCreateSpec"
    spec = await _spec(request, where)
    compute = _compute(rt, spec, _server_of(tenant), where, tenant)

    def apply(data: DataSet) -> None:
        if (live := _alive(data, tenant.id)) is not None:
            live.compute.append(compute)

    return _accept(rt, me.id, out, "CreateCloudTenantComputeResource",
                   f'Hardware plan "{compute.plan.name}" added to tenant "{tenant.name}".',
                   apply, ("CloudTenantComputeResource",
                           f"cloud/tenants/{tenant.id}/computeResources/{compute.id}"))


@router.delete("/api/cloud/tenants/{tenant_id}/computeresources/{resource_id}")
async def remove_compute(tenant_id: str, resource_id: str, me: CurrentSession,
                         rt: RuntimeDep, out: WireDep) -> Response:
    """Remove a compute resource."""
    tenant = tenant_of(rt, tenant_id)
    compute = find({c.id: c for c in tenant.compute}, resource_id,
                   f"compute resource of {tenant.name}")

    def apply(data: DataSet) -> None:
        if (live := _alive(data, tenant.id)) is not None:
            live.compute = [c for c in live.compute if c is not compute]

    return _accept(rt, me.id, out, "DeleteCloudTenantComputeResource",
                   f'Hardware plan "{compute.plan.name}" removed from tenant "{tenant.name}".',
                   apply)


def _server_of(tenant: CloudTenant) -> BackupServer:
    if tenant.backup_server is None:
        raise bad_request(f"Tenant {tenant.name!r} is on no backup server.")
    return tenant.backup_server


# --- subtenants -------------------------------------------------------------------------


def _sub_quota(spec: dict[str, Any], where: str, resource: TenantResource, used: int,
               unlimited_default: bool | None) -> int:
    unlimited = _bool(spec, "UnlimitedQuota", where, unlimited_default)
    if unlimited:
        return 0
    quota = _int(spec, "QuotaMb", where, low=1, high=MAX_QUOTA_MB)
    if quota > resource.quota_mb:
        raise bad_request(f"{where}: QuotaMb {quota} is more than the backup resource "
                          f"{resource.name!r} has ({resource.quota_mb}).")
    if quota < used:
        raise bad_request(f"{where}: QuotaMb {quota} is below what the subtenant uses "
                          f"({used}).")
    return quota


@router.post("/api/cloud/tenants/{tenant_id}/subtenants")
async def create_subtenant(tenant_id: str, request: Request, me: CurrentSession,
                           rt: RuntimeDep, out: WireDep) -> Response:
    """Create a subtenant with a share of one of the tenant's backup resources."""
    tenant = tenant_of(rt, tenant_id)
    where = "CloudSubtenantCreateSpec"
    spec = await _spec(request, where)
    name = _name(spec, "Name", where)
    if (any(s.name.lower() == name.lower() for s in tenant.subtenants)
            or _claimed(rt, "subtenant", f"{tenant.id}/{name.lower()}")):
        raise bad_request(f"{where}: tenant {tenant.name!r} already has a subtenant {name!r}.")
    _text(spec, "Password", where, required=True)
    resource_id = _text(spec, "TenantResourceId", where, required=True).lower()
    resource = next((r for r in tenant.resources if r.id == resource_id), None)
    if resource is None:
        raise bad_request(f"{where}: tenant {tenant.name!r} has no backup resource "
                          f"{resource_id!r}.")
    sub = CloudSubtenant(str(uuid.uuid4()), name, tenant, resource,
                         _text(spec, "Description", where), _bool(spec, "Enabled", where, True),
                         _sub_quota(spec, where, resource, 0, None), 0)

    def apply(data: DataSet) -> None:
        if (live := _alive(data, tenant.id)) is not None and resource in live.resources:
            live.subtenants.append(sub)

    return _accept(rt, me.id, out, "CreateCloudSubtenant",
                   f'Subtenant "{name}" of tenant "{tenant.name}" created.', apply,
                   ("CloudSubtenant", f"cloud/tenants/{tenant.id}/subtenants/{sub.id}"), name,
                   (("subtenant", f"{tenant.id}/{name.lower()}"),))


def _subtenant(tenant: CloudTenant, subtenant_id: str) -> CloudSubtenant:
    sub: CloudSubtenant = find({s.id: s for s in tenant.subtenants}, subtenant_id,
                               f"subtenant of {tenant.name}")
    return sub


@router.put("/api/cloud/tenants/{tenant_id}/subtenants/{subtenant_id}")
async def edit_subtenant(tenant_id: str, subtenant_id: str, request: Request,
                         me: CurrentSession, rt: RuntimeDep, out: WireDep) -> Response:
    """Edit a subtenant: description, password, enabled, quota (never below its usage)."""
    tenant = tenant_of(rt, tenant_id)
    sub = _subtenant(tenant, subtenant_id)
    where = "CloudSubtenant"
    spec = await _spec(request, where)
    description = _text(spec, "Description", where, default=sub.description)
    enabled = _bool(spec, "Enabled", where, sub.enabled)
    quota_spec = _nested(spec, "RepositoryQuota", where)
    quota = sub.quota_mb
    if quota_spec is not None:
        quota = _sub_quota(quota_spec, f"{where}.RepositoryQuota", sub.resource, sub.used_mb,
                           False)

    def apply(data: DataSet) -> None:
        sub.description, sub.enabled, sub.quota_mb = description, enabled, quota

    return _accept(rt, me.id, out, "EditCloudSubtenant", f'Subtenant "{sub.name}" edited.',
                   apply, ("CloudSubtenant",
                           f"cloud/tenants/{tenant.id}/subtenants/{sub.id}"), sub.name)


@router.delete("/api/cloud/tenants/{tenant_id}/subtenants/{subtenant_id}")
async def delete_subtenant(tenant_id: str, subtenant_id: str, me: CurrentSession,
                           rt: RuntimeDep, out: WireDep) -> Response:
    """Delete a subtenant."""
    tenant = tenant_of(rt, tenant_id)
    sub = _subtenant(tenant, subtenant_id)

    def apply(data: DataSet) -> None:
        tenant.subtenants = [s for s in tenant.subtenants if s is not sub]

    return _accept(rt, me.id, out, "DeleteCloudSubtenant", f'Subtenant "{sub.name}" deleted.',
                   apply)


# --- hardware plans ---------------------------------------------------------------------

PLAN_SPEC = "CloudHardwarePlanCreateSpec"


@router.post("/api/cloud/hardwareplans")
async def create_hardware_plan(request: Request, me: CurrentSession, rt: RuntimeDep,
                               out: WireDep) -> Response:
    """Create a VMware hardware plan on a backup server."""
    spec = await _spec(request, PLAN_SPEC)
    where = PLAN_SPEC
    name = _name(spec, "Name", where)
    server_id = _uid(spec, "BackupServerUid", "BackupServer", where)
    server = SERVERS.of(rt.store.data).get(server_id)
    if server is None:
        raise bad_request(f"{where}: no backup server has the UID {server_id}.")
    if (any(h.name.lower() == name.lower() for h in HARDWARE_PLANS.rows(rt.store))
            or _claimed(rt, "hardware plan", name.lower())):
        raise bad_request(f"{where}: a hardware plan named {name!r} already exists.")
    details = _nested(spec, "HardwarePlanDetails", where) or {}
    vi = _nested(details, "ViCloudHardwarePlan", f"{where}.HardwarePlanDetails")
    if vi is None:
        raise bad_request(f"{where}: HardwarePlanDetails needs a ViCloudHardwarePlan "
                          "(em-mock creates VMware plans only).")
    at = f"{where}.ViCloudHardwarePlan"
    host = _text(vi, "ParentName", at, required=True)
    stores = _nested(vi, "Datastores", at)
    store = (stores or {}).get("Datastore") if stores else None
    if isinstance(store, list):
        store = store[0] if store else None
    if not isinstance(store, dict):
        raise bad_request(f"{at}: Datastores needs a Datastore.")
    network = _nested(vi, "Network", at) or {}
    plan = CloudHardwarePlan(
        str(uuid.uuid4()), name, server, "VMware", _text(spec, "Description", where),
        _int(spec, "ProcessorUsageLimitMhz", where, low=1, high=10_000_000),
        _int(spec, "MemoryUsageLimitMb", where, low=1, high=100_000_000), host,
        _text(store, "FriendlyName", f"{at}.Datastore", required=True),
        _int(store, "QuotaGb", f"{at}.Datastore", low=1, high=10_000_000),
        _int(network, "CountWithInternet", f"{at}.Network", low=0, high=100, default=0),
        _int(network, "CountWithoutInternet", f"{at}.Network", low=0, high=100, default=0))

    def apply(data: DataSet) -> None:
        HARDWARE_PLANS.of(data)[plan.id] = plan

    return _accept(rt, me.id, out, "CreateCloudHardwarePlan",
                   f'Hardware plan "{name}" created.', apply,
                   ("CloudHardwarePlan", f"cloud/hardwarePlans/{plan.id}"), name,
                   (("hardware plan", name.lower()),))


@router.put("/api/cloud/hardwareplans/{plan_id}")
async def edit_hardware_plan(plan_id: str, request: Request, me: CurrentSession,
                             rt: RuntimeDep, out: WireDep) -> Response:
    """Edit a hardware plan's description, CPU and memory limits."""
    plan: CloudHardwarePlan = find(HARDWARE_PLANS.of(rt.store.data), plan_id,
                                   "cloud hardware plan")
    where = "CloudHardwarePlan"
    spec = await _spec(request, where)
    description = _text(spec, "Description", where, default=plan.description)
    mhz = _int(spec, "ProcessorUsageLimitMhz", where, low=1, high=10_000_000)
    mb = _int(spec, "MemoryUsageLimitMb", where, low=1, high=100_000_000)

    def apply(data: DataSet) -> None:
        plan.description, plan.cpu_mhz, plan.memory_mb = description, mhz, mb

    return _accept(rt, me.id, out, "EditCloudHardwarePlan",
                   f'Hardware plan "{plan.name}" edited.', apply,
                   ("CloudHardwarePlan", f"cloud/hardwarePlans/{plan.id}"), plan.name)


@router.delete("/api/cloud/hardwareplans/{plan_id}")
async def delete_hardware_plan(plan_id: str, me: CurrentSession, rt: RuntimeDep,
                               out: WireDep) -> Response:
    """Delete a hardware plan no tenant uses."""
    plan: CloudHardwarePlan = find(HARDWARE_PLANS.of(rt.store.data), plan_id,
                                   "cloud hardware plan")
    users = [t.name for t in TENANTS.rows(rt.store) if any(c.plan is plan for c in t.compute)]
    if users:
        raise EMError(400, f"Hardware plan {plan.name!r} is used by the tenants "
                           f"{', '.join(users)}; remove their compute resources first.")

    def apply(data: DataSet) -> None:
        HARDWARE_PLANS.of(data).pop(plan.id, None)

    return _accept(rt, me.id, out, "DeleteCloudHardwarePlan",
                   f'Hardware plan "{plan.name}" deleted.', apply)
