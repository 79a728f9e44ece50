"""Reading the Cloud Connect sections back from a live server (``em-mock capture``).

Every section comes from the query service in bulk (one query type a section, a second
one where a key shows only there); per-tenant requests are made only for the ids no
query shows: a tenant's backup and compute resources (``/resources``,
``/computeResources``) and a vCD tenant's organization data centers
(``/vCloudComputeResources``), and only for tenants that have any.

What no answer shows, the sections declare in ``capture_omits``: a plan's ``Outcome``
and a session's ``Run`` (em-mock's own knobs for runs started through the API), a vCD
tenant's ``OrganizationRef`` (only a filter term of the query service) and an
ActiveDirectory tenant's ``Domain``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from em_mock.core.capture import Walk, guid_of, href_id, link_id, server_uid, time_of
from em_mock.core.ids import urn
from em_mock.families.cloud.model import PlanVm, replica_id

Item = dict[str, Any]


def _inner(e: Item | None, key: str) -> list[Item]:
    """The items of a list field (``{"Key": {"JsonKey": [...]}}``, or a bare list)."""
    value = (e or {}).get(key)
    if isinstance(value, dict):
        value = next((v for v in value.values() if isinstance(v, list)), [])
    return [v for v in value or () if isinstance(v, dict)]


def _sub(e: Item | None, *keys: str) -> Item:
    """A nested object, ``{}`` where a level is missing."""
    for key in keys:
        e = (e or {}).get(key)
    return e if isinstance(e, dict) else {}


def _either(e: Item, *keys: str) -> Any:
    """The first of ``keys`` the object has (EM 13's ``id`` reaches us as ``ID``)."""
    return next((e[k] for k in keys if k in e), None)


# --- tenants, plans, sessions -------------------------------------------------------------


def capture_tenants(walk: Walk) -> list[Item]:
    """``CloudTenants`` from the ``CloudTenant`` query type."""
    return [{"UID": e.get("UID"), "Name": e.get("Name"), "BackupServerUid": server_uid(e),
             "Description": e.get("Description") or "", "Enabled": e.get("Enabled"),
             "MaxConcurrentTasks": e.get("MaxConcurrentTasks"),
             "LastActiveUTC": time_of(e.get("LastActive"))}
            for e in walk.query("CloudTenant")]


def _point_owners(plans: list[Item]) -> tuple[dict[str, Item], dict[tuple[str | None, str], Item]]:
    """Where a replica point's VM is found among the plans' captured VMs: by the replica's
    id (em-mock derives it from the plan VM's), else by server and VM name where only one
    plan VM on that server has the name."""
    by_replica: dict[str, Item] = {}
    by_name: dict[tuple[str | None, str], list[Item]] = defaultdict(list)
    for plan in plans:
        for vm in plan["Vms"]:
            by_replica[replica_id(PlanVm(vm["FailoverPlanVMId"], vm["Name"]))] = vm
            by_name[(plan["BackupServerUid"], vm["Name"].lower())].append(vm)
    return by_replica, {k: v[0] for k, v in by_name.items() if len(v) == 1}


def capture_plans(walk: Walk) -> list[Item]:
    """``CloudFailoverPlans`` from the ``CloudFailoverPlan`` query type, their VMs'
    replica points from the ``CloudVmReplicaPoint`` one."""
    plans: list[Item] = []
    for e in walk.query("CloudFailoverPlan"):
        options = _sub(e, "CloudFailoverPlanOptions")
        plans.append({
            "UID": e.get("UID"), "Name": e.get("Name"), "TenantUid": e.get("TenantUid"),
            "BackupServerUid": server_uid(e), "Description": e.get("Description") or "",
            "PreFailoverPlanCommandEnabled": options.get("PreFailoverPlanCommandEnabled"),
            "PreFailoverPlanCommand": options.get("PreFailoverPlanCommand") or "",
            "PostFailoverPlanCommandEnabled": options.get("PostFailoverPlanCommandEnabled"),
            "PostFailoverPlanCommand": options.get("PostFailoverPlanCommand") or "",
            "Outcome": None,
            "Vms": [{"FailoverPlanVMId": vm.get("FailoverPlanVMId"), "Name": vm.get("Name"),
                     "ReplicaPoints": []}
                    for vm in _inner(_sub(e, "CloudFailoverPlanInfo"), "Includes")]})
    by_replica, by_name = _point_owners(plans)
    for p in walk.query("CloudVmReplicaPoint"):
        vm = by_replica.get(link_id(p, "CloudReplicaReference", "Up") or "") or by_name.get(
            (server_uid(p), str(p.get("VmDisplayName") or "").lower()))
        if vm is None:
            walk.skip(f"cloud VM replica point {p.get('UID')}",
                      "no VM of a captured failover plan is its VM")
            continue
        vm["ReplicaPoints"].append({"UID": p.get("UID"),
                                    "CreationTimeUTC": time_of(p.get("CreationTimeUTC"))})
    for plan in plans:
        for vm in plan["Vms"]:
            vm["ReplicaPoints"].sort(key=lambda rp: rp["CreationTimeUTC"] or "")
    return plans


def _task(t: Item) -> Item:
    point = t.get("VmReplicaPointLink")
    point_id = href_id(point) if isinstance(point, dict) else None
    return {"VmName": t.get("VmName"),
            "VmReplicaPointUid": urn("CloudVmReplicaPoint", point_id) if point_id else None,
            "CreationTimeUTC": time_of(t.get("CreationTimeUTC")),
            "EndTimeUTC": time_of(t.get("EndTimeUTC")), "State": t.get("State"),
            "Result": t.get("Result"), "Progress": t.get("Progress"),
            "FailureMessage": t.get("FailureMessage")}


def capture_sessions(walk: Walk) -> list[Item]:
    """``CloudFailoverSessions`` (newer than ``--since``) from the ``CloudFailoverSession``
    query type. A session names its plan only by the plan's name and server: the plan is
    the one of that name on that server (the ``CloudFailoverPlan`` query type), or, where
    several share them, the one that includes every VM of the session's tasks."""
    plans: dict[tuple[str | None, str], list[tuple[str, set[str]]]] = defaultdict(list)
    for p in walk.query("CloudFailoverPlan"):
        vms = {str(vm.get("Name")) for vm in _inner(_sub(p, "CloudFailoverPlanInfo"),
                                                    "Includes")}
        plans[(server_uid(p), str(p.get("Name")))].append((str(p.get("UID")), vms))
    out = []
    for e in walk.query("CloudFailoverSession", walk.sessions_filter()):
        tasks = [_task(t) for t in _inner(e, "CloudFailoverTasks")]
        candidates = plans.get((server_uid(e), str(e.get("Name"))), [])
        if len(candidates) > 1:
            names = {t["VmName"] for t in tasks}
            candidates = [c for c in candidates if names <= c[1]] or candidates
        if not candidates:
            walk.skip(f"cloud failover session {e.get('UID')}",
                      f"no failover plan {e.get('Name')!r} on its backup server")
            continue
        if len(candidates) > 1:
            walk.skip(f"plan of cloud failover session {e.get('UID')}",
                      f"{len(candidates)} plans could be its plan; the first was taken")
        out.append({"UID": e.get("UID"), "CloudFailoverPlanUid": candidates[0][0],
                    "CreationTimeUTC": time_of(e.get("CreationTimeUTC")),
                    "EndTimeUTC": time_of(e.get("EndTimeUTC")), "State": e.get("State"),
                    "Result": e.get("Result"), "Progress": e.get("Progress"),
                    "FailureMessage": e.get("FailureMessage"), "Tasks": tasks})
    return out


# --- hardware plans, gateways and pools, public IPs, VLANs --------------------------------


def _host_name(ref: str | None) -> str:
    """The host part of a host reference ``urn:VMware:Host:<server guid>.<host>``."""
    tail = (ref or "").rsplit(":", 1)[-1]
    return tail.split(".", 1)[1] if "." in tail else tail


def capture_hardware_plans(walk: Walk) -> list[Item]:
    """``CloudHardwarePlans`` from the ``CloudHardwarePlan`` query type; the entity does not
    say a plan's platform, the query filter ``Platform=="HyperV"`` does."""
    hyperv = {e.get("UID") for e in walk.query("CloudHardwarePlan", 'Platform=="HyperV"')}
    out = []
    for e in walk.query("CloudHardwarePlan"):
        details = _sub(e, "HardwarePlanDetails")
        plan = _sub(details, "ViCloudHardwarePlan") or _sub(details, "HvCloudHardwarePlan")
        store = next(iter(_inner(plan, "Datastores")), {})
        network = _sub(plan, "Network")
        out.append({
            "UID": e.get("UID"), "Name": e.get("Name"), "BackupServerUid": server_uid(e),
            "Platform": "HyperV" if e.get("UID") in hyperv else "VMware",
            "Description": e.get("Description") or "",
            "ProcessorUsageLimitMhz": e.get("ProcessorUsageLimitMhz"),
            "MemoryUsageLimitMb": e.get("MemoryUsageLimitMb"),
            "HostName": plan.get("ParentName") or _host_name(plan.get("HypervisorHostRef")),
            "DatastoreName": store.get("FriendlyName") or "",
            "DatastoreQuotaGb": store.get("QuotaGb") or 0,
            "NetworksWithInternet": network.get("CountWithInternet") or 0,
            "NetworksWithoutInternet": network.get("CountWithoutInternet") or 0})
    return out


def capture_gateways(walk: Walk) -> list[Item]:
    """``CloudGateways`` from the ``CloudGateway`` query type."""
    return [{"UID": e.get("UID"), "Name": e.get("Name"), "BackupServerUid": server_uid(e),
             "NetworkMode": e.get("NetworkMode"), "ExternalIP": e.get("ExternalIP") or "",
             "ExternalPort": e.get("ExternalPort"), "InternalPort": e.get("InternalPort"),
             "Enabled": e.get("Enabled"), "Description": e.get("Description") or ""}
            for e in walk.query("CloudGateway")]


def capture_pools(walk: Walk) -> list[Item]:
    """``CloudGatewayPools`` from the ``CloudGatewayPool`` query type."""
    return [{"UID": e.get("UID"), "Name": e.get("Name"), "BackupServerUid": server_uid(e),
             "Description": e.get("Description") or "",
             "CloudGatewayUids": [g.get("CloudGatewayUid")
                                  for g in _inner(e, "CloudGateways")],
             "CloudTenantUids": [t.get("CloudTenantUid") for t in _inner(e, "CloudTenants")]}
            for e in walk.query("CloudGatewayPool")]


def capture_public_ips(walk: Walk) -> list[Item]:
    """``CloudPublicIpAddresses`` from the ``CloudPublicIpAddress`` query type."""
    return [{"UID": e.get("UID"), "IpAddress": e.get("IpAddress"),
             "BackupServerUid": server_uid(e), "TenantUid": e.get("TenantUid")}
            for e in walk.query("CloudPublicIpAddress")]


def capture_vlans(walk: Walk) -> list[Item]:
    """``VlanConfigurations`` from the ``VlanConfiguration`` query type."""
    out = []
    for e in walk.query("VlanConfiguration"):
        out.append({
            "UID": e.get("UID"), "Name": e.get("Name"), "BackupServerUid": server_uid(e),
            "HostName": _host_name(e.get("HostRef")),
            "PlatformType": e.get("PlatformType"),
            "VlanIdsWithInternet": [e.get("VlanIdsWithInternetLeftBound"),
                                    e.get("VlanIdsWithInternetRightBound")],
            "VlanIdsWithoutInternet": [e.get("VlanIdsWithoutInternetLeftBound"),
                                       e.get("VlanIdsWithoutInternetRightBound")],
            "SwitchName": e.get("SwitchName") or "", "SwitchId": e.get("SwitchId") or "",
            "SwitchType": e.get("SwitchType"), "ClusterName": e.get("ClusterName") or "",
            "ClusterId": e.get("ClusterId") or ""})
    return out


# --- what tenants hold -----------------------------------------------------------------------


def _subtenants(walk: Walk) -> dict[str, list[Item]]:
    """The subtenants (the ``CloudSubtenant`` query type) by their backup resource's id."""
    found: dict[str, list[Item]] = defaultdict(list)
    for e in walk.query("CloudSubtenant"):
        quota = _sub(e, "RepositoryQuota")
        found[str(quota.get("TenantResourceId") or "").lower()].append({
            "Id": _either(e, "Id", "ID") or href_id(e), "Name": e.get("Name"),
            "Description": e.get("Description") or "", "Enabled": e.get("Enabled"),
            "QuotaMb": quota.get("QuotaMb"), "UsedQuotaMb": quota.get("UsedQuotaMb")})
    return found


def _compute(c: Item) -> Item:
    stats = _sub(c, "ComputeResourceStats")
    storage = next(iter(_inner(stats, "StorageResourceStats")), {})
    return {"Id": href_id(c), "CloudHardwarePlanUid": c.get("CloudHardwarePlanUid"),
            "UseNetworkFailoverResources": c.get("UseNetworkFailoverResources"),
            "MemoryUsageMb": stats.get("MemoryUsageMb"),
            "CPUCount": _either(stats, "CPUCount", "CpuCount"),
            "StorageUsageGb": storage.get("StorageUsageGb") or 0}


def capture_tenant_resources(walk: Walk) -> list[Item]:
    """``CloudTenantResources``: which tenants hold resources from the ``CloudTenant``
    query type, the resources' ids (shown nowhere else) from each such tenant's
    ``/resources`` and ``/computeResources``, their subtenants from the
    ``CloudSubtenant`` query type."""
    subtenants = _subtenants(walk)
    out = []
    for e in walk.query("CloudTenant"):
        has_backup, has_compute = _inner(e, "Resources"), _inner(e, "ComputeResources")
        if not has_backup and not has_compute:
            continue
        base = f"cloud/tenants/{guid_of(e.get('UID'))}"
        backup = []
        for r in walk.entities(f"{base}/resources") if has_backup else ():
            quota = _sub(r, "RepositoryQuota")
            rid = _either(r, "Id", "ID") or href_id(r)
            backup.append({"Id": rid, "Name": quota.get("DisplayName"),
                           "RepositoryUid": quota.get("RepositoryUid"),
                           "QuotaMb": quota.get("QuotaMb"),
                           "UsedQuotaMb": quota.get("UsedQuota"),
                           "Subtenants": subtenants.get(str(rid).lower(), [])})
        compute = [_compute(c) for c in
                   (walk.entities(f"{base}/computeResources") if has_compute else ())]
        out.append({"TenantUid": e.get("UID"), "BackupResources": backup,
                    "ComputeResources": compute})
    return out


def _vcloud(v: Item) -> Item:
    usage = _sub(v, "ResourceUsage")
    return {"Id": href_id(v), "VirtualDataCenterName": v.get("VirtualDataCenterName") or "",
            "VirtualDataCenterRef": v.get("VirtualDataCenterRef"),
            "UseNetworkFailoverResources": v.get("UseNetworkFailoverResources"),
            "AllocationModel": v.get("AllocationModel"), "Enabled": v.get("Enabled"),
            "CpuUsageMhz": usage.get("CpuUsageMhz"), "MemoryUsageMb": usage.get("MemoryUsageMb"),
            "StorageUsageGb": usage.get("StorageUsageGb")}


# An ActiveDirectory tenant's domain shows in no answer; the capture writes this one.
NO_DOMAIN = {"DomainName": "", "DomainAccount": "", "Port": 389}


def capture_tenant_kinds(walk: Walk) -> list[Item]:
    """``CloudTenantTypes``: the vCD and ActiveDirectory tenants of the ``CloudTenant``
    query type, a vCD tenant's data centers (with their ids) from its
    ``/vCloudComputeResources``."""
    out = []
    for e in walk.query("CloudTenant"):
        kind = e.get("TenantType")
        if kind in (None, "Standalone"):
            continue
        vclouds: list[Item] = []
        if kind == "vCD" and _inner(e, "VCloudComputeResources"):
            path = f"cloud/tenants/{guid_of(e.get('UID'))}/vCloudComputeResources"
            vclouds = [_vcloud(v) for v in walk.entities(path)]
        out.append({"TenantUid": e.get("UID"), "TenantType": kind, "OrganizationRef": "",
                    "Domain": dict(NO_DOMAIN) if kind == "ActiveDirectory" else None,
                    "VCloudComputeResources": vclouds})
    return out


# --- self-service ------------------------------------------------------------------------


def capture_self_service(walk: Walk) -> list[Item]:
    """``VSphereSelfServiceConfigs`` from the ``VsphereSelfServiceConfig`` query type."""
    out = []
    for e in walk.query("VsphereSelfServiceConfig"):
        account, settings = _sub(e, "Account"), _sub(e, "JobSettings")
        scope = next(iter(_inner(e, "VCentersScope")), {})
        out.append({
            "UID": e.get("UID"), "AccountName": account.get("AccountName"),
            "AccountType": account.get("AccountType"),
            "AccountSid": account.get("AccountSid") or "",
            "BackupServerUid": e.get("BackupServerUid") or server_uid(e),
            "RepositoryUid": e.get("RepositoryUid"), "VCenterUid": scope.get("VCenterUid"),
            "QuotaGb": e.get("QuotaGb"), "UsedQuotaGb": e.get("UsedQuota"),
            "PerUser": e.get("PerUser"), "JobSchedulerType": settings.get("JobSchedulerType"),
            "HighPriorityJob": settings.get("HighPriorityJob")})
    return out


def capture_org_configs(walk: Walk) -> list[Item]:
    """``VCloudOrganizationConfigs`` from the ``VCloudOrganizationConfig`` query type."""
    out = []
    for e in walk.query("VCloudOrganizationConfig"):
        settings = _sub(e, "JobSettings")
        out.append({
            "UID": e.get("UID"), "Name": e.get("Name"),
            "BackupServerUid": e.get("BackupServerUid") or server_uid(e),
            "RepositoryUid": e.get("RepositoryUid"), "HostUid": e.get("HostUid"),
            "QuotaGb": e.get("QuotaGb"), "UsedQuotaMb": e.get("UsedQuotaMb"),
            "RepositoryFriendlyName": e.get("RepositoryFriendlyName") or "",
            "IsDisabled": e.get("IsDisabled"),
            "JobSchedulerType": settings.get("JobSchedulerType"),
            "HighPriorityJob": settings.get("HighPriorityJob"),
            "TemplateJobUid": settings.get("TemplateJobUid")})
    return out
