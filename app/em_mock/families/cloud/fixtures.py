"""Fixture sections of Cloud Connect: ``CloudTenants``, ``CloudFailoverPlans`` (with their
VMs and replica points), ``CloudFailoverSessions`` (with their tasks), and after the
repositories ``CloudHardwarePlans``, ``CloudGateways``, ``CloudGatewayPools``,
``CloudPublicIpAddresses``, ``VlanConfigurations`` and ``CloudTenantResources`` (each
tenant's backup resources with their subtenants, and its compute resources)."""

from __future__ import annotations

from typing import Any

from em_mock.core.fixtures import Documents, Section, register_sections
from em_mock.core.ids import urn
from em_mock.core.tables import DataSet
from em_mock.core.validate import (
    Reader,
    Source,
    TimeWriter,
    claim,
    items,
    read_run,
    sub_items,
)
from em_mock.families.cloud.capture import (
    capture_gateways,
    capture_hardware_plans,
    capture_org_configs,
    capture_plans,
    capture_pools,
    capture_public_ips,
    capture_self_service,
    capture_sessions,
    capture_tenant_kinds,
    capture_tenant_resources,
    capture_tenants,
    capture_vlans,
)
from em_mock.families.cloud.model import (
    ACCOUNT_TYPES,
    ALLOCATION_MODELS,
    GATEWAY_POOLS,
    GATEWAYS,
    HARDWARE_PLANS,
    NETWORK_MODES,
    ORG_CONFIGS,
    PLANS,
    PLATFORMS,
    PUBLIC_IPS,
    REPLICA_POINTS,
    SCHEDULER_TYPES,
    SELF_SERVICE,
    SESSION_RESULTS,
    SESSION_STATES,
    SESSIONS,
    SWITCH_TYPES,
    TENANT_TYPES,
    TENANTS,
    VLANS,
    CloudFailoverPlan,
    CloudFailoverSession,
    CloudFailoverTask,
    CloudGateway,
    CloudGatewayPool,
    CloudHardwarePlan,
    CloudPublicIpAddress,
    CloudSubtenant,
    CloudTenant,
    CloudVmReplicaPoint,
    ComputeResource,
    PlanVm,
    SelfServiceConfig,
    TenantDomain,
    TenantResource,
    VCloudComputeResource,
    VCloudOrgConfig,
    VlanConfiguration,
    index_cloud,
    index_replica_points,
)
from em_mock.families.cloud.runs import PLAN_RUNS, PlanRun
from em_mock.families.infrastructure.fixtures import repository_of, server_of
from em_mock.families.infrastructure.model import (
    MANAGED_SERVERS,
    REPOSITORIES,
    SERVERS,
    BackupServer,
)

OUTCOMES = ("Success", "Warning", "Failed")


_TENANT_KEYS = ("UID", "Name", "BackupServerUid", "Description", "Enabled",
                "MaxConcurrentTasks", "LastActiveUTC")
_PLAN_KEYS = ("UID", "Name", "TenantUid", "BackupServerUid", "Description",
              "PreFailoverPlanCommandEnabled", "PreFailoverPlanCommand",
              "PostFailoverPlanCommandEnabled", "PostFailoverPlanCommand", "Outcome", "Vms")
_SESSION_KEYS = ("UID", "CloudFailoverPlanUid", "CreationTimeUTC", "EndTimeUTC", "State",
                 "Result", "Progress", "FailureMessage", "Tasks", "Run")
_TASK_KEYS = ("VmName", "VmReplicaPointUid", "CreationTimeUTC", "EndTimeUTC", "State",
              "Result", "Progress", "FailureMessage")


def _read_tenants(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "CloudTenants"):
        reader.unknown_keys(src, _TENANT_KEYS)
        guid = reader.uid(src, "UID", "CloudTenant")
        name = reader.value(src, "Name", str, required=True, default="")
        server = (server_of(reader, src, data) if src.item.get("BackupServerUid") is not None
                  else None)
        tenant = CloudTenant(
            guid or "", name, server,
            description=reader.value(src, "Description", str, default=""),
            enabled=reader.value(src, "Enabled", bool, default=True),
            max_concurrent_tasks=reader.value(src, "MaxConcurrentTasks", int, default=1),
            last_active_ms=reader.time(src, "LastActiveUTC", required=False))
        if claim(reader, seen, src, guid):
            TENANTS.of(data)[tenant.id] = tenant


def _read_vms(reader: Reader, src: Source, plan: CloudFailoverPlan,
              points_seen: dict[str, str]) -> None:
    vms = reader.value(src, "Vms", list, default=[])
    names: set[str] = set()
    for v, vm_item in enumerate(vms):
        vm_src = Source(src.file, f"{src.path}.Vms[{v}]", vm_item)
        if not isinstance(vm_item, dict):
            reader.error(vm_src, None, "must be an object")
            continue
        reader.unknown_keys(vm_src, ("FailoverPlanVMId", "Name", "ReplicaPoints"))
        vm_id = reader.uid(vm_src, "FailoverPlanVMId", "CloudFailoveredVm")
        vm = PlanVm(vm_id or "", reader.value(vm_src, "Name", str, required=True, default=""))
        if vm.name in names:
            reader.error(vm_src, "Name", f"duplicate VM name {vm.name!r} in this plan")
        names.add(vm.name)
        points = reader.value(vm_src, "ReplicaPoints", list, default=[])
        for p, point_item in enumerate(points):
            p_src = Source(src.file, f"{vm_src.path}.ReplicaPoints[{p}]", point_item)
            if not isinstance(point_item, dict):
                reader.error(p_src, None, "must be an object")
                continue
            reader.unknown_keys(p_src, ("UID", "CreationTimeUTC"))
            guid = reader.uid(p_src, "UID", "CloudVmReplicaPoint")
            moment = reader.time(p_src, "CreationTimeUTC")
            if claim(reader, points_seen, p_src, guid) and moment is not None:
                vm.replica_points.append(CloudVmReplicaPoint(guid or "", vm.name, moment, plan))
        vm.replica_points.sort(key=lambda rp: rp.creation_ms)
        plan.vms.append(vm)


def _read_plans(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    points_seen: dict[str, str] = {}
    for src in items(reader, docs, "CloudFailoverPlans"):
        reader.unknown_keys(src, _PLAN_KEYS)
        guid = reader.uid(src, "UID", "CloudFailoverPlan")
        name = reader.value(src, "Name", str, required=True, default="")
        tenant_id = reader.uid(src, "TenantUid", "CloudTenant")
        server_id = reader.uid(src, "BackupServerUid", "BackupServer")
        tenant = TENANTS.of(data).get(tenant_id or "")
        server = SERVERS.of(data).get(server_id or "")
        if tenant_id and tenant is None:
            reader.error(src, "TenantUid", f"no tenant has the UID {tenant_id}")
        if server_id and server is None:
            reader.error(src, "BackupServerUid", f"no backup server has the UID {server_id}")
        plan = CloudFailoverPlan(
            id=guid or "", name=name,
            tenant=tenant or CloudTenant("", ""),
            backup_server=server or BackupServer("", ""),
            description=reader.value(src, "Description", str, default=""),
            pre_command_enabled=reader.value(src, "PreFailoverPlanCommandEnabled", bool,
                                             default=False),
            pre_command=reader.value(src, "PreFailoverPlanCommand", str, default=""),
            post_command_enabled=reader.value(src, "PostFailoverPlanCommandEnabled", bool,
                                              default=False),
            post_command=reader.value(src, "PostFailoverPlanCommand", str, default=""),
            outcome=reader.choice(src, "Outcome", OUTCOMES, required=False, nullable=True),
        )
        _read_vms(reader, src, plan, points_seen)
        if claim(reader, seen, src, guid):
            PLANS.of(data)[plan.id] = plan
            if tenant is not None and tenant.backup_server is None and server is not None:
                tenant.backup_server = server
    index_replica_points(data)
    index_cloud(data)


def _run_fields(reader: Reader, src: Source) -> tuple[int, int | None, str, str, int, str | None]:
    created = reader.time(src, "CreationTimeUTC")
    ended = reader.time(src, "EndTimeUTC", required=False)
    # A value that cannot be read is reported once; the rules that tie State, EndTimeUTC
    # and Result together only judge values that could be read.
    has_end = src.item.get("EndTimeUTC") is not None
    state = reader.choice(src, "State", SESSION_STATES)
    result = reader.choice(src, "Result", SESSION_RESULTS)
    progress = reader.value(src, "Progress", int, required=False,
                            default=100 if state == "Stopped" else 0)
    message = reader.value(src, "FailureMessage", str, nullable=True)
    if not 0 <= progress <= 100:
        reader.error(src, "Progress", f"{progress} is outside 0..100")
    if created is not None and ended is not None and ended < created:
        reader.error(src, "EndTimeUTC", "is before CreationTimeUTC")
    if state == "Stopped" and not has_end:
        reader.error(src, "EndTimeUTC", "is required when State is Stopped")
    if state not in (None, "Stopped") and has_end:
        reader.error(src, "EndTimeUTC", f"must be null while State is {state}")
    if state == "Stopped" and result == "None":
        reader.error(src, "Result", "cannot be None when State is Stopped")
    if state not in (None, "Stopped") and result not in ("None", None):
        reader.error(src, "Result", f"must be None while State is {state}")
    return created or 0, ended, state or "Stopped", result or "Success", progress, message


def _read_sessions(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "CloudFailoverSessions"):
        reader.unknown_keys(src, _SESSION_KEYS)
        guid = reader.uid(src, "UID", "CloudFailoverSession")
        plan_id = reader.uid(src, "CloudFailoverPlanUid", "CloudFailoverPlan")
        plan = PLANS.of(data).get(plan_id or "")
        if plan_id and plan is None:
            reader.error(src, "CloudFailoverPlanUid",
                         f"no cloud failover plan has the UID {plan_id}")
        created, ended, state, result, progress, message = _run_fields(reader, src)
        tasks = []
        for t, task_item in enumerate(reader.value(src, "Tasks", list, default=[])):
            t_src = Source(src.file, f"{src.path}.Tasks[{t}]", task_item)
            if not isinstance(task_item, dict):
                reader.error(t_src, None, "must be an object")
                continue
            reader.unknown_keys(t_src, _TASK_KEYS)
            vm_name = reader.value(t_src, "VmName", str, required=True, default="")
            point_id = reader.uid(t_src, "VmReplicaPointUid", "CloudVmReplicaPoint",
                                  required=False, nullable=True)
            point = REPLICA_POINTS.of(data).get(point_id or "")
            if point_id and point is None:
                reader.error(t_src, "VmReplicaPointUid",
                             f"no replica point has the UID {point_id}")
            tasks.append(CloudFailoverTask(vm_name, point, *_run_fields(reader, t_src)))
        run = read_run(reader, src, src.item.get("State"), "Stopped", "FailureMessage",
                       len(plan.vms) if plan else 0)
        if plan is not None and claim(reader, seen, src, guid):
            SESSIONS.of(data)[guid or ""] = CloudFailoverSession(
                guid or "", plan, created, ended, state, result, progress, message, tasks)
            if run is not None:
                PLAN_RUNS.of(data)[guid or ""] = PlanRun(guid or "", plan.id, created, *run)


def _task(task: CloudFailoverTask, time: TimeWriter) -> dict[str, Any]:
    return {
        "VmName": task.vm_name,
        "VmReplicaPointUid": urn("CloudVmReplicaPoint", task.replica_point.id)
        if task.replica_point else None,
        "CreationTimeUTC": time(task.creation_ms),
        "EndTimeUTC": time(task.end_ms),
        "State": task.state,
        "Result": task.result,
        "Progress": task.progress,
        "FailureMessage": task.failure_message,
    }


def _write_tenants(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{"UID": urn("CloudTenant", t.id), "Name": t.name,
             "BackupServerUid": urn("BackupServer", t.backup_server.id)
             if t.backup_server else None,
             "Description": t.description, "Enabled": t.enabled,
             "MaxConcurrentTasks": t.max_concurrent_tasks,
             "LastActiveUTC": time(t.last_active_ms)}
            for t in TENANTS.of(data).values()]


def _write_plans(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{
        "UID": urn("CloudFailoverPlan", p.id), "Name": p.name,
        "TenantUid": urn("CloudTenant", p.tenant.id),
        "BackupServerUid": urn("BackupServer", p.backup_server.id),
        "Description": p.description,
        "PreFailoverPlanCommandEnabled": p.pre_command_enabled,
        "PreFailoverPlanCommand": p.pre_command,
        "PostFailoverPlanCommandEnabled": p.post_command_enabled,
        "PostFailoverPlanCommand": p.post_command,
        "Outcome": p.outcome,
        "Vms": [{"FailoverPlanVMId": vm.id, "Name": vm.name, "ReplicaPoints": [
            {"UID": urn("CloudVmReplicaPoint", rp.id), "CreationTimeUTC": time(rp.creation_ms)}
            for rp in vm.replica_points]} for vm in p.vms],
    } for p in PLANS.of(data).values()]


def _session(s: CloudFailoverSession, run: PlanRun | None, time: TimeWriter
             ) -> dict[str, Any]:
    item: dict[str, Any] = {
        "UID": urn("CloudFailoverSession", s.id),
        "CloudFailoverPlanUid": urn("CloudFailoverPlan", s.plan.id),
        "CreationTimeUTC": time(s.creation_ms), "EndTimeUTC": time(s.end_ms),
        "State": s.state, "Result": s.result, "Progress": s.progress,
        "FailureMessage": s.failure_message, "Tasks": [_task(t, time) for t in s.tasks],
    }
    if run is not None:
        item["Run"] = {"Outcome": run.outcome, "FailureMessage": run.message,
                       "Culprit": run.culprit}
    return item


def _write_sessions(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    runs = PLAN_RUNS.of(data)
    return [_session(s, runs.get(s.id), time) for s in SESSIONS.of(data).values()]


_HW_KEYS = ("UID", "Name", "BackupServerUid", "Platform", "Description",
            "ProcessorUsageLimitMhz", "MemoryUsageLimitMb", "HostName", "DatastoreName",
            "DatastoreQuotaGb", "NetworksWithInternet", "NetworksWithoutInternet")
_GATEWAY_KEYS = ("UID", "Name", "BackupServerUid", "NetworkMode", "ExternalIP", "ExternalPort",
                 "InternalPort", "Enabled", "Description")
_POOL_KEYS = ("UID", "Name", "BackupServerUid", "Description", "CloudGatewayUids",
              "CloudTenantUids")
_IP_KEYS = ("UID", "IpAddress", "BackupServerUid", "TenantUid")
_VLAN_KEYS = ("UID", "Name", "BackupServerUid", "HostName", "PlatformType",
              "VlanIdsWithInternet", "VlanIdsWithoutInternet", "SwitchName", "SwitchId",
              "SwitchType", "ClusterName", "ClusterId")
_RESOURCE_KEYS = ("TenantUid", "BackupResources", "ComputeResources")
_BACKUP_KEYS = ("Id", "Name", "RepositoryUid", "QuotaMb", "UsedQuotaMb", "Subtenants")
_SUBTENANT_KEYS = ("Id", "Name", "Description", "Enabled", "QuotaMb", "UsedQuotaMb")
_COMPUTE_KEYS = ("Id", "CloudHardwarePlanUid", "UseNetworkFailoverResources", "MemoryUsageMb",
                 "CPUCount", "StorageUsageGb")


def _count(reader: Reader, src: Source, key: str, default: int = 0) -> int:
    value = reader.value(src, key, int, default=default)
    if value < 0:
        reader.error(src, key, "must not be negative")
        return default
    return int(value)


def _bounds(reader: Reader, src: Source, key: str) -> tuple[int, int]:
    raw = reader.value(src, key, list, default=[0, 0])
    if (len(raw) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in raw)
            or not 0 <= raw[0] <= raw[1] <= 4094):
        reader.error(src, key, "must be [first, last] VLAN ids with 0 <= first <= last <= 4094")
        return (0, 0)
    return (raw[0], raw[1])


def _read_hardware_plans(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "CloudHardwarePlans"):
        reader.unknown_keys(src, _HW_KEYS)
        guid = reader.uid(src, "UID", "CloudHardwarePlan")
        server = server_of(reader, src, data)
        plan = CloudHardwarePlan(
            guid or "", reader.value(src, "Name", str, required=True, default=""),
            server or BackupServer("", ""),
            reader.choice(src, "Platform", PLATFORMS, required=False, default="VMware")
            or "VMware",
            reader.value(src, "Description", str, default=""),
            _count(reader, src, "ProcessorUsageLimitMhz"),
            _count(reader, src, "MemoryUsageLimitMb"),
            reader.value(src, "HostName", str, default=""),
            reader.value(src, "DatastoreName", str, default=""),
            _count(reader, src, "DatastoreQuotaGb"),
            _count(reader, src, "NetworksWithInternet"),
            _count(reader, src, "NetworksWithoutInternet"))
        if claim(reader, seen, src, guid) and server is not None:
            HARDWARE_PLANS.of(data)[plan.id] = plan


def _write_hardware_plans(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{
        "UID": urn("CloudHardwarePlan", h.id), "Name": h.name,
        "BackupServerUid": urn("BackupServer", h.backup_server.id), "Platform": h.platform,
        "Description": h.description, "ProcessorUsageLimitMhz": h.cpu_mhz,
        "MemoryUsageLimitMb": h.memory_mb, "HostName": h.host_name,
        "DatastoreName": h.storage_name, "DatastoreQuotaGb": h.storage_quota_gb,
        "NetworksWithInternet": h.networks_with_internet,
        "NetworksWithoutInternet": h.networks_without_internet,
    } for h in HARDWARE_PLANS.of(data).values()]


def _read_gateways(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "CloudGateways"):
        reader.unknown_keys(src, _GATEWAY_KEYS)
        guid = reader.uid(src, "UID", "CloudGateway")
        server = server_of(reader, src, data)
        gateway = CloudGateway(
            guid or "", reader.value(src, "Name", str, required=True, default=""),
            server or BackupServer("", ""),
            reader.choice(src, "NetworkMode", NETWORK_MODES, required=False, default="NAT")
            or "NAT",
            reader.value(src, "ExternalIP", str, default=""),
            _count(reader, src, "ExternalPort", 6180), _count(reader, src, "InternalPort", 6180),
            reader.value(src, "Enabled", bool, default=True),
            reader.value(src, "Description", str, default=""))
        if claim(reader, seen, src, guid) and server is not None:
            GATEWAYS.of(data)[gateway.id] = gateway


def _write_gateways(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{
        "UID": urn("CloudGateway", g.id), "Name": g.name,
        "BackupServerUid": urn("BackupServer", g.backup_server.id),
        "NetworkMode": g.network_mode, "ExternalIP": g.external_ip,
        "ExternalPort": g.external_port, "InternalPort": g.internal_port, "Enabled": g.enabled,
        "Description": g.description,
    } for g in GATEWAYS.of(data).values()]


def _uids(reader: Reader, src: Source, key: str, type_name: str, table: dict[str, Any],
          what: str) -> list[Any]:
    out = []
    for k, raw in enumerate(reader.value(src, key, list, default=[])):
        item_src = Source(src.file, f"{src.path}.{key}[{k}]", {"UID": raw})
        guid = reader.uid(item_src, "UID", type_name)
        if guid is None:
            continue
        found = table.get(guid)
        if found is None:
            reader.error(src, key, f"no {what} has the UID {guid}")
        else:
            out.append(found)
    return out


def _read_pools(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "CloudGatewayPools"):
        reader.unknown_keys(src, _POOL_KEYS)
        guid = reader.uid(src, "UID", "CloudGatewayPool")
        server = server_of(reader, src, data)
        pool = CloudGatewayPool(
            guid or "", reader.value(src, "Name", str, required=True, default=""),
            server or BackupServer("", ""), reader.value(src, "Description", str, default=""),
            _uids(reader, src, "CloudGatewayUids", "CloudGateway", GATEWAYS.of(data),
                  "cloud gateway"),
            _uids(reader, src, "CloudTenantUids", "CloudTenant", TENANTS.of(data),
                  "cloud tenant"))
        if claim(reader, seen, src, guid) and server is not None:
            GATEWAY_POOLS.of(data)[pool.id] = pool
    index_cloud(data)


def _write_pools(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{
        "UID": urn("CloudGatewayPool", p.id), "Name": p.name,
        "BackupServerUid": urn("BackupServer", p.backup_server.id), "Description": p.description,
        "CloudGatewayUids": [urn("CloudGateway", g.id) for g in p.gateways],
        "CloudTenantUids": [urn("CloudTenant", t.id) for t in p.tenants],
    } for p in GATEWAY_POOLS.of(data).values()]


def _read_public_ips(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "CloudPublicIpAddresses"):
        reader.unknown_keys(src, _IP_KEYS)
        guid = reader.uid(src, "UID", "CloudPublicIpAddress")
        server = server_of(reader, src, data)
        tenant_id = reader.uid(src, "TenantUid", "CloudTenant", required=False, nullable=True)
        tenant = TENANTS.of(data).get(tenant_id or "")
        if tenant_id and tenant is None:
            reader.error(src, "TenantUid", f"no tenant has the UID {tenant_id}")
        ip = CloudPublicIpAddress(guid or "",
                                  reader.value(src, "IpAddress", str, required=True, default=""),
                                  server or BackupServer("", ""), tenant)
        if claim(reader, seen, src, guid) and server is not None:
            PUBLIC_IPS.of(data)[ip.id] = ip
    index_cloud(data)


def _write_public_ips(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{
        "UID": urn("CloudPublicIpAddress", i.id), "IpAddress": i.ip_address,
        "BackupServerUid": urn("BackupServer", i.backup_server.id),
        "TenantUid": urn("CloudTenant", i.tenant.id) if i.tenant else None,
    } for i in PUBLIC_IPS.of(data).values()]


def _read_vlans(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "VlanConfigurations"):
        reader.unknown_keys(src, _VLAN_KEYS)
        guid = reader.uid(src, "UID", "VlanConfiguration")
        server = server_of(reader, src, data)
        vlan = VlanConfiguration(
            guid or "", reader.value(src, "Name", str, required=True, default=""),
            server or BackupServer("", ""), reader.value(src, "HostName", str, default=""),
            reader.choice(src, "PlatformType", PLATFORMS, required=False, default="VMware")
            or "VMware",
            _bounds(reader, src, "VlanIdsWithInternet"),
            _bounds(reader, src, "VlanIdsWithoutInternet"),
            reader.value(src, "SwitchName", str, default=""),
            reader.value(src, "SwitchId", str, default=""),
            reader.choice(src, "SwitchType", SWITCH_TYPES, required=False,
                          default="VirtualSwitch") or "VirtualSwitch",
            reader.value(src, "ClusterName", str, default=""),
            reader.value(src, "ClusterId", str, default=""))
        if claim(reader, seen, src, guid) and server is not None:
            VLANS.of(data)[vlan.id] = vlan


def _write_vlans(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{
        "UID": urn("VlanConfiguration", v.id), "Name": v.name,
        "BackupServerUid": urn("BackupServer", v.backup_server.id), "HostName": v.host_name,
        "PlatformType": v.platform, "VlanIdsWithInternet": list(v.with_internet),
        "VlanIdsWithoutInternet": list(v.without_internet), "SwitchName": v.switch_name,
        "SwitchId": v.switch_id, "SwitchType": v.switch_type, "ClusterName": v.cluster_name,
        "ClusterId": v.cluster_id,
    } for v in VLANS.of(data).values()]


def _read_backup_resource(reader: Reader, src: Source, data: DataSet, tenant: CloudTenant,
                          ids: dict[str, str]) -> None:
    reader.unknown_keys(src, _BACKUP_KEYS)
    guid = reader.uid(src, "Id", "CloudTenantResource")
    repo_id = reader.uid(src, "RepositoryUid", "Repository")
    repo = REPOSITORIES.of(data).get(repo_id or "")
    if repo_id and repo is None:
        reader.error(src, "RepositoryUid", f"no repository has the UID {repo_id}")
    elif repo is not None and tenant.backup_server not in (None, repo.backup_server):
        reader.error(src, "RepositoryUid", "the repository is on another backup server "
                     "than the tenant")
    quota = _count(reader, src, "QuotaMb")
    used = _count(reader, src, "UsedQuotaMb")
    if used > quota:
        reader.error(src, "UsedQuotaMb", f"{used} is more than the quota ({quota})")
    if repo is None or not claim(reader, ids, src, guid):
        return
    resource = TenantResource(guid or "", reader.value(src, "Name", str, required=True,
                                                       default=""), repo, quota, used)
    tenant.resources.append(resource)
    for sub in sub_items(reader, src, "Subtenants"):
        reader.unknown_keys(sub, _SUBTENANT_KEYS)
        sub_id = reader.uid(sub, "Id", "CloudSubtenant")
        sub_quota = _count(reader, sub, "QuotaMb")
        sub_used = _count(reader, sub, "UsedQuotaMb")
        if sub_quota > quota:
            reader.error(sub, "QuotaMb", f"{sub_quota} is more than the resource's quota "
                         f"({quota})")
        if claim(reader, ids, sub, sub_id):
            tenant.subtenants.append(CloudSubtenant(
                sub_id or "", reader.value(sub, "Name", str, required=True, default=""),
                tenant, resource, reader.value(sub, "Description", str, default=""),
                reader.value(sub, "Enabled", bool, default=True), sub_quota, sub_used))


def _read_tenant_resources(reader: Reader, docs: Documents, data: DataSet) -> None:
    ids: dict[str, str] = {}
    tenants_seen: dict[str, str] = {}
    for src in items(reader, docs, "CloudTenantResources"):
        reader.unknown_keys(src, _RESOURCE_KEYS)
        tenant_id = reader.uid(src, "TenantUid", "CloudTenant")
        tenant = TENANTS.of(data).get(tenant_id or "")
        if tenant_id and tenant is None:
            reader.error(src, "TenantUid", f"no tenant has the UID {tenant_id}")
        if tenant is None or not claim(reader, tenants_seen, src, tenant_id):
            continue
        for res_src in sub_items(reader, src, "BackupResources"):
            _read_backup_resource(reader, res_src, data, tenant, ids)
        for c_src in sub_items(reader, src, "ComputeResources"):
            reader.unknown_keys(c_src, _COMPUTE_KEYS)
            guid = reader.uid(c_src, "Id", "CloudTenantComputeResource")
            plan_id = reader.uid(c_src, "CloudHardwarePlanUid", "CloudHardwarePlan")
            plan = HARDWARE_PLANS.of(data).get(plan_id or "")
            if plan_id and plan is None:
                reader.error(c_src, "CloudHardwarePlanUid",
                             f"no hardware plan has the UID {plan_id}")
            if plan is not None and claim(reader, ids, c_src, guid):
                tenant.compute.append(ComputeResource(
                    guid or "", plan,
                    reader.value(c_src, "UseNetworkFailoverResources", bool, default=False),
                    _count(reader, c_src, "MemoryUsageMb"), _count(reader, c_src, "CPUCount"),
                    _count(reader, c_src, "StorageUsageGb")))
    index_cloud(data)


def _write_tenant_resources(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{
        "TenantUid": urn("CloudTenant", t.id),
        "BackupResources": [{
            "Id": r.id, "Name": r.name, "RepositoryUid": urn("Repository", r.repository.id),
            "QuotaMb": r.quota_mb, "UsedQuotaMb": r.used_mb,
            "Subtenants": [{"Id": s.id, "Name": s.name, "Description": s.description,
                            "Enabled": s.enabled, "QuotaMb": s.quota_mb,
                            "UsedQuotaMb": s.used_mb}
                           for s in t.subtenants if s.resource is r],
        } for r in t.resources],
        "ComputeResources": [{
            "Id": c.id, "CloudHardwarePlanUid": urn("CloudHardwarePlan", c.plan.id),
            "UseNetworkFailoverResources": c.use_network_failover,
            "MemoryUsageMb": c.memory_usage_mb, "CPUCount": c.cpu_count,
            "StorageUsageGb": c.storage_usage_gb,
        } for c in t.compute],
    } for t in TENANTS.of(data).values() if t.resources or t.compute]


_SELF_SERVICE_KEYS = ("UID", "AccountName", "AccountType", "AccountSid", "BackupServerUid",
                      "RepositoryUid", "VCenterUid", "QuotaGb", "UsedQuotaGb", "PerUser",
                      "JobSchedulerType", "HighPriorityJob")


def _read_self_service(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "VSphereSelfServiceConfigs"):
        reader.unknown_keys(src, _SELF_SERVICE_KEYS)
        guid = reader.uid(src, "UID", "VSphereSelfServiceConfig")
        server = server_of(reader, src, data)
        repo = repository_of(reader, src, data, server=server)
        vcenter_id = reader.uid(src, "VCenterUid", "ManagedServer")
        if vcenter_id and vcenter_id not in MANAGED_SERVERS.of(data):
            reader.error(src, "VCenterUid", f"no managed server has the UID {vcenter_id}")
        quota = _count(reader, src, "QuotaGb")
        used = _count(reader, src, "UsedQuotaGb")
        if used > quota:
            reader.error(src, "UsedQuotaGb", f"{used} is more than the quota ({quota})")
        if server is None or repo is None or not claim(reader, seen, src, guid):
            continue
        SELF_SERVICE.of(data)[guid or ""] = SelfServiceConfig(
            guid or "", reader.value(src, "AccountName", str, required=True, default=""),
            server, repo, vcenter_id or "", quota, used,
            reader.choice(src, "AccountType", ACCOUNT_TYPES, required=False, default="Group")
            or "Group",
            reader.value(src, "AccountSid", str, default=""),
            reader.value(src, "PerUser", bool, default=False),
            reader.choice(src, "JobSchedulerType", SCHEDULER_TYPES, required=False,
                          default="Full") or "Full",
            reader.value(src, "HighPriorityJob", bool, default=False))


def _write_self_service(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{
        "UID": urn("VSphereSelfServiceConfig", c.id), "AccountName": c.account_name,
        "AccountType": c.account_type, "AccountSid": c.account_sid,
        "BackupServerUid": urn("BackupServer", c.backup_server.id),
        "RepositoryUid": urn("Repository", c.repository.id),
        "VCenterUid": urn("ManagedServer", c.vcenter_id), "QuotaGb": c.quota_gb,
        "UsedQuotaGb": c.used_gb, "PerUser": c.per_user, "JobSchedulerType": c.scheduler,
        "HighPriorityJob": c.high_priority,
    } for c in SELF_SERVICE.of(data).values()]


_ORG_KEYS = ("UID", "Name", "BackupServerUid", "RepositoryUid", "HostUid", "QuotaGb",
             "UsedQuotaMb", "RepositoryFriendlyName", "IsDisabled", "JobSchedulerType",
             "HighPriorityJob", "TemplateJobUid")


def _read_org_configs(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "VCloudOrganizationConfigs"):
        reader.unknown_keys(src, _ORG_KEYS)
        guid = reader.uid(src, "UID", "VCloudOrganizationConfig")
        server = server_of(reader, src, data)
        repo = repository_of(reader, src, data, server=server)
        host_id = reader.uid(src, "HostUid", "ManagedServer")
        if host_id and host_id not in MANAGED_SERVERS.of(data):
            reader.error(src, "HostUid", f"no managed server has the UID {host_id}")
        quota = _count(reader, src, "QuotaGb")
        used = _count(reader, src, "UsedQuotaMb")
        if used > quota * 1024:
            reader.error(src, "UsedQuotaMb", f"{used} is more than the quota ({quota} GB)")
        template = reader.uid(src, "TemplateJobUid", "Job", required=False, nullable=True)
        if server is None or repo is None or not claim(reader, seen, src, guid):
            continue
        ORG_CONFIGS.of(data)[guid or ""] = VCloudOrgConfig(
            guid or "", reader.value(src, "Name", str, required=True, default=""), server, repo,
            host_id or "", quota, reader.value(src, "RepositoryFriendlyName", str, default=""),
            used, reader.value(src, "IsDisabled", bool, default=False),
            reader.choice(src, "JobSchedulerType", SCHEDULER_TYPES, required=False,
                          default="Full") or "Full",
            reader.value(src, "HighPriorityJob", bool, default=False), template or "")


def _write_org_configs(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{
        "UID": urn("VCloudOrganizationConfig", c.id), "Name": c.name,
        "BackupServerUid": urn("BackupServer", c.backup_server.id),
        "RepositoryUid": urn("Repository", c.repository.id),
        "HostUid": urn("ManagedServer", c.host_id), "QuotaGb": c.quota_gb,
        "UsedQuotaMb": c.used_mb, "RepositoryFriendlyName": c.repository_friendly_name,
        "IsDisabled": c.disabled, "JobSchedulerType": c.scheduler,
        "HighPriorityJob": c.high_priority,
        "TemplateJobUid": urn("Job", c.template_job_id) if c.template_job_id else None,
    } for c in ORG_CONFIGS.of(data).values()]


_KIND_KEYS = ("TenantUid", "TenantType", "OrganizationRef", "Domain", "VCloudComputeResources")
_DOMAIN_KEYS = ("DomainName", "DomainAccount", "Port")
_VCLOUD_KEYS = ("Id", "VirtualDataCenterName", "VirtualDataCenterRef",
                "UseNetworkFailoverResources", "AllocationModel", "Enabled", "CpuUsageMhz",
                "MemoryUsageMb", "StorageUsageGb")


def _read_tenant_kinds(reader: Reader, docs: Documents, data: DataSet) -> None:
    """vCD and ActiveDirectory tenants: what sets them apart from standalone ones."""
    tenants_seen: dict[str, str] = {}
    ids: dict[str, str] = {}
    for src in items(reader, docs, "CloudTenantTypes"):
        reader.unknown_keys(src, _KIND_KEYS)
        tenant_id = reader.uid(src, "TenantUid", "CloudTenant")
        tenant = TENANTS.of(data).get(tenant_id or "")
        if tenant_id and tenant is None:
            reader.error(src, "TenantUid", f"no tenant has the UID {tenant_id}")
        kind = reader.choice(src, "TenantType", TENANT_TYPES) or "Standalone"
        domain = reader.value(src, "Domain", dict, default=None, nullable=True)
        if (kind == "ActiveDirectory") != (domain is not None):
            reader.error(src, "Domain", "is required for ActiveDirectory tenants, and only "
                                        "for them")
        vclouds = sub_items(reader, src, "VCloudComputeResources")
        if vclouds and kind != "vCD":
            reader.error(src, "VCloudComputeResources", "are for vCD tenants only")
        if tenant is None or not claim(reader, tenants_seen, src, tenant_id):
            continue
        tenant.tenant_type = kind
        tenant.organization_ref = reader.value(src, "OrganizationRef", str, default="",
                                               required=kind == "vCD")
        if domain is not None:
            d_src = Source(src.file, f"{src.path}.Domain", domain)
            reader.unknown_keys(d_src, _DOMAIN_KEYS)
            tenant.domain = TenantDomain(
                reader.value(d_src, "DomainName", str, required=True, default=""),
                reader.value(d_src, "DomainAccount", str, required=True, default=""),
                _count(reader, d_src, "Port", 389))
        for v_src in vclouds:
            reader.unknown_keys(v_src, _VCLOUD_KEYS)
            guid = reader.uid(v_src, "Id", "CloudTenantVCloudComputeResource")
            if claim(reader, ids, v_src, guid):
                tenant.vcloud.append(VCloudComputeResource(
                    guid or "", reader.value(v_src, "VirtualDataCenterName", str, default=""),
                    reader.value(v_src, "VirtualDataCenterRef", str, required=True, default=""),
                    reader.value(v_src, "UseNetworkFailoverResources", bool, default=False),
                    reader.choice(v_src, "AllocationModel", ALLOCATION_MODELS, required=False,
                                  default="AllocationPool") or "AllocationPool",
                    reader.value(v_src, "Enabled", bool, default=True),
                    _count(reader, v_src, "CpuUsageMhz"), _count(reader, v_src, "MemoryUsageMb"),
                    _count(reader, v_src, "StorageUsageGb")))


def _write_tenant_kinds(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{
        "TenantUid": urn("CloudTenant", t.id), "TenantType": t.tenant_type,
        "OrganizationRef": t.organization_ref,
        "Domain": None if t.domain is None else {
            "DomainName": t.domain.name, "DomainAccount": t.domain.account,
            "Port": t.domain.port},
        "VCloudComputeResources": [{
            "Id": v.id, "VirtualDataCenterName": v.vdc_name, "VirtualDataCenterRef": v.vdc_ref,
            "UseNetworkFailoverResources": v.use_network_failover,
            "AllocationModel": v.allocation_model, "Enabled": v.enabled,
            "CpuUsageMhz": v.cpu_usage_mhz, "MemoryUsageMb": v.memory_usage_mb,
            "StorageUsageGb": v.storage_usage_gb} for v in t.vcloud],
    } for t in TENANTS.of(data).values() if t.tenant_type != "Standalone"]


register_sections(
    Section("CloudTenants", 20, _read_tenants, _write_tenants,
            control=("tenants", "CloudTenant"), capture=capture_tenants),
    # Outcome is em-mock's own: how the runs started through the API end.
    Section("CloudFailoverPlans", 30, _read_plans, _write_plans,
            control=("failoverPlans", "CloudFailoverPlan"), capture=capture_plans,
            capture_omits=("Outcome",)),
    # Run is em-mock's own: the course of a run in flight.
    Section("CloudFailoverSessions", 40, _read_sessions, _write_sessions,
            control=("failoverSessions", "CloudFailoverSession"), capture=capture_sessions,
            capture_omits=("Run",)),
    Section("CloudHardwarePlans", 100, _read_hardware_plans, _write_hardware_plans,
            capture=capture_hardware_plans),
    Section("CloudGateways", 101, _read_gateways, _write_gateways, capture=capture_gateways),
    Section("CloudGatewayPools", 102, _read_pools, _write_pools, capture=capture_pools),
    Section("CloudPublicIpAddresses", 103, _read_public_ips, _write_public_ips,
            capture=capture_public_ips),
    Section("VlanConfigurations", 104, _read_vlans, _write_vlans, capture=capture_vlans),
    Section("CloudTenantResources", 105, _read_tenant_resources, _write_tenant_resources,
            capture=capture_tenant_resources),
    Section("VSphereSelfServiceConfigs", 106, _read_self_service, _write_self_service,
            capture=capture_self_service),
    Section("VCloudOrganizationConfigs", 250, _read_org_configs, _write_org_configs,
            capture=capture_org_configs),
    # A vCD tenant's organization is only a filter term of the query service, an
    # ActiveDirectory tenant's domain shows nowhere.
    Section("CloudTenantTypes", 251, _read_tenant_kinds, _write_tenant_kinds,
            capture=capture_tenant_kinds, capture_omits=("OrganizationRef", "Domain")),
)
