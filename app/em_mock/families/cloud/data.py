"""Seeded Cloud Connect data: a tenant and a failover plan per tenant, with replica points
every three days, and failover sessions over the last 60 days (a few still running).

Names are predictable: ``Tenant03``, ``Tenant03 Failover Plan``, ``tenant03-vm02``.
"""

from __future__ import annotations

import random

from em_mock.core.generate import SeedContext, Seeder, new_guid, register_seeders
from em_mock.families.cloud.model import (
    GATEWAY_POOLS,
    GATEWAYS,
    HARDWARE_PLANS,
    ORG_CONFIGS,
    PLANS,
    PUBLIC_IPS,
    SCHEDULER_TYPES,
    SELF_SERVICE,
    SESSIONS,
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
    TenantResource,
    VCloudComputeResource,
    VCloudOrgConfig,
    VlanConfiguration,
    index_cloud,
    index_replica_points,
)
from em_mock.families.infrastructure.data import repositories_of
from em_mock.families.infrastructure.model import MANAGED_SERVERS, SERVERS, BackupServer

DAY_MS = 86_400_000
MINUTE_MS = 60_000
HISTORY_DAYS = 60
REPLICA_POINT_INTERVAL_MS = 3 * DAY_MS
FAILURE_MESSAGES = (
    "Failed to power on the replica VM: not enough memory on the host.",
    "Cannot connect to the cloud gateway: the connection timed out.",
    "Pre-failover script exited with code 1.",
    "The replica restore point is corrupted.",
    "Network re-mapping failed: the target network does not exist.",
)
WARNING_MESSAGES = (
    "The VM was started but its guest OS did not report a heartbeat in time.",
    "Public IP rule could not be applied; the VM is reachable on its internal address only.",
)


def _plans(rng: random.Random, count: int, servers: list[BackupServer], now_ms: int
           ) -> list[CloudFailoverPlan]:
    plans = []
    first_point = now_ms - (HISTORY_DAYS + 3) * DAY_MS
    for i in range(1, count + 1):
        tenant = CloudTenant(new_guid(rng), f"Tenant{i:02d}")
        plan = CloudFailoverPlan(
            id=new_guid(rng),
            name=f"Tenant{i:02d} Failover Plan",
            tenant=tenant,
            backup_server=servers[(i - 1) % len(servers)] if servers else BackupServer("", ""),
            description=f"Fails over the production VMs of Tenant{i:02d}",
            pre_command_enabled=i % 3 == 0,
            pre_command="C:\\Scripts\\pre-failover.cmd" if i % 3 == 0 else "",
            post_command_enabled=i % 4 == 0,
            post_command="C:\\Scripts\\notify-tenant.cmd" if i % 4 == 0 else "",
        )
        for v in range(1, rng.randint(2, 5) + 1):
            vm = PlanVm(new_guid(rng), f"tenant{i:02d}-vm{v:02d}")
            offset = rng.randrange(0, REPLICA_POINT_INTERVAL_MS // 1000) * 1000
            moment = first_point + offset
            while moment < now_ms:
                vm.replica_points.append(CloudVmReplicaPoint(new_guid(rng), vm.name, moment, plan))
                moment += REPLICA_POINT_INTERVAL_MS
            plan.vms.append(vm)
        plans.append(plan)
    return plans


def _finished_session(rng: random.Random, plan: CloudFailoverPlan, start: int
                      ) -> CloudFailoverSession:
    roll = rng.random()
    result = "Success" if roll < 0.80 else "Warning" if roll < 0.92 else "Failed"
    tasks = []
    cursor = start
    bad = rng.randrange(len(plan.vms)) if plan.vms else -1
    for k, vm in enumerate(plan.vms):
        begin = cursor + rng.randint(1, 20) * 1000 + rng.randrange(1000)
        end = begin + rng.randint(60, 900) * 1000 + rng.randrange(1000)
        task_result, message = "Success", None
        if k == bad and result == "Failed":
            task_result, message = "Failed", rng.choice(FAILURE_MESSAGES)
        elif k == bad and result == "Warning":
            task_result, message = "Warning", rng.choice(WARNING_MESSAGES)
        tasks.append(CloudFailoverTask(vm.name, vm.latest_point(start), begin, end,
                                       "Stopped", task_result, 100, message))
        cursor = begin
    end_ms = max((t.end_ms or start for t in tasks), default=start) + rng.randint(5, 60) * 1000
    failure = next((t.failure_message for t in tasks if t.result == "Failed"), None)
    if result == "Failed" and failure is None:
        failure = rng.choice(FAILURE_MESSAGES)
    return CloudFailoverSession(new_guid(rng), plan, start, end_ms, "Stopped", result, 100,
                                failure, tasks)


def _running_session(rng: random.Random, plan: CloudFailoverPlan, start: int, now_ms: int
                     ) -> CloudFailoverSession:
    state = rng.choice(("Starting", "Working", "Working", "Stopping"))
    done = {"Starting": 0, "Working": len(plan.vms) // 2, "Stopping": len(plan.vms)}[state]
    tasks = []
    for k, vm in enumerate(plan.vms):
        point = vm.latest_point(start)
        begin = min(start + (k + 1) * rng.randint(20, 90) * 1000, now_ms)
        if k < done:
            end = min(begin + rng.randint(30, 300) * 1000, now_ms)
            tasks.append(CloudFailoverTask(vm.name, point, begin, end, "Stopped", "Success", 100))
        elif k == done and state == "Working":
            tasks.append(CloudFailoverTask(vm.name, point, begin, None, "Working", "None",
                                           rng.randint(5, 95)))
        else:
            tasks.append(CloudFailoverTask(vm.name, point, start, None, "Starting", "None", 0))
    progress = {"Starting": rng.randint(0, 5), "Working": rng.randint(10, 90),
                "Stopping": rng.randint(91, 99)}[state]
    return CloudFailoverSession(new_guid(rng), plan, start, None, state, "None", progress,
                                None, tasks)


def _seed(ctx: SeedContext) -> None:
    """Plans and sessions, drawn from the main stream after the servers."""
    rng, sizes, now_ms, data = ctx.rng, ctx.sizes, ctx.now_ms, ctx.data
    servers = list(SERVERS.of(data).values())
    plans = _plans(rng, sizes.failover_plans, servers, now_ms) if servers else []
    for plan in plans:
        TENANTS.of(data)[plan.tenant.id] = plan.tenant
        PLANS.of(data)[plan.id] = plan
    sessions = SESSIONS.of(data)
    if plans and sizes.sessions:
        running = min(max(1, sizes.sessions // 100), len(plans))
        finished = sizes.sessions - running
        window = HISTORY_DAYS * DAY_MS - 2 * 3600_000
        starts = sorted(now_ms - HISTORY_DAYS * DAY_MS + rng.randrange(window // 1000) * 1000
                        + rng.randrange(1000) for _ in range(finished))
        for start in starts:
            session = _finished_session(rng, rng.choice(plans), start)
            sessions[session.id] = session
        running_starts = sorted(now_ms - rng.randint(60, 3600) * 1000 for _ in range(running))
        for plan, start in zip(rng.sample(plans, running), running_starts, strict=True):
            session = _running_session(rng, plan, start, now_ms)
            sessions[session.id] = session
    index_replica_points(data)


def _cloud_connect(ctx: SeedContext) -> None:
    """Tenants' resources, hardware plans, gateways in pools, public IPs and VLANs, from a
    stream of their own (so adding them moved none of the other data).

    Each tenant lives on its failover plan's server, with a quota on one of that server's
    repositories that has a known capacity; the tenants' usage on a repository stays within
    what the repository has used.
    """
    rng = random.Random(f"{ctx.seed} cloud connect")
    data = ctx.data
    tenants = TENANTS.of(data)
    server_of = {plan.tenant.id: plan.backup_server for plan in PLANS.of(data).values()}
    for i, server in enumerate(list(SERVERS.of(data).values()), start=1):
        tag = server.name.split(".")[0]
        plans = [CloudHardwarePlan(
            new_guid(rng), f"{tag} {size} Hardware Plan", server, "VMware",
            f"{size} replication plan", mhz, mb, f"esx{i:02d}1.example.local",
            f"{tag}-datastore01", gb, nets, 1)
            for size, mhz, mb, gb, nets in (("Small", 4000, 8192, 500, 1),
                                            ("Large", 16000, 65536, 4000, 2))]
        HARDWARE_PLANS.of(data).update((p.id, p) for p in plans)
        gateways = [CloudGateway(new_guid(rng), f"{tag}-cgw0{k}.example.local", server, "NAT",
                                 f"203.0.113.{i * 10 + k}", 6180, 6180, True,
                                 f"Cloud gateway {k} of {tag}") for k in (1, 2)]
        GATEWAYS.of(data).update((g.id, g) for g in gateways)
        pool = CloudGatewayPool(new_guid(rng), f"{tag} Gateway Pool", server,
                                f"The cloud gateways of {tag}", list(gateways))
        GATEWAY_POOLS.of(data)[pool.id] = pool
        vlan = VlanConfiguration(new_guid(rng), f"{tag} tenant VLANs", server,
                                 f"esx{i:02d}1.example.local", "VMware", (100, 149), (150, 199),
                                 "vSwitch1", f"key-vim.host.VirtualSwitch-vSwitch{i}",
                                 "VirtualSwitch", f"Cluster{i:02d}", f"domain-c{i * 7}")
        VLANS.of(data)[vlan.id] = vlan
        own = [t for t in tenants.values() if server_of.get(t.id) is server]
        repos = [r for r in repositories_of(data, server) if r.capacity > 0]
        used_room = {r.id: (r.capacity - r.free_space) // 2 // (1 << 20) for r in repos}
        for k, tenant in enumerate(own):
            tenant.backup_server = server
            tenant.description = f"Cloud Connect tenant {tenant.name}"
            tenant.enabled = rng.random() < 0.9
            tenant.max_concurrent_tasks = rng.choice((1, 2, 4, 8))
            tenant.last_active_ms = ctx.now_ms - rng.randint(60, 3 * 86_400) * 1000
            if k % 2 == 0:
                pool.tenants.append(tenant)
            if repos:
                repo = repos[k % len(repos)]
                quota = rng.choice((1, 2, 5, 10, 20)) * 1024 * 1024
                share = max(used_room[repo.id] // max(len(own), 1), 1)
                used = min(int(quota * rng.uniform(0.2, 0.85)), share)
                resource = TenantResource(new_guid(rng), f"{tenant.name} Backup Storage", repo,
                                          quota, used)
                tenant.resources.append(resource)
                for s in range(1, rng.randint(0, 2) + 1):
                    sub_quota = 0 if s == 2 else quota // 4
                    sub_used = min(used // 3, sub_quota or used // 3)
                    tenant.subtenants.append(CloudSubtenant(
                        new_guid(rng), f"{tenant.name.lower()}-user{s}", tenant, resource,
                        f"Subtenant {s} of {tenant.name}", True, sub_quota, sub_used))
            plan = plans[k % len(plans)]
            tenant.compute.append(ComputeResource(
                new_guid(rng), plan, k % 3 == 0, plan.memory_mb * rng.randint(10, 70) // 100,
                rng.randint(1, 4) * 2, plan.storage_quota_gb * rng.randint(10, 70) // 100))
        for k in range(1, 5):
            holder = own[k - 1] if k - 1 < len(own) and k % 2 else None
            ip = CloudPublicIpAddress(new_guid(rng), f"198.51.100.{i * 16 + k}", server, holder)
            PUBLIC_IPS.of(data)[ip.id] = ip
    index_cloud(data)


def _self_service(ctx: SeedContext) -> None:
    """A vSphere self-service configuration per backup server (its vCenter's admins), from
    a stream of its own."""
    rng = random.Random(f"{ctx.seed} self service")
    for i, server in enumerate(list(SERVERS.of(ctx.data).values()), start=1):
        vcenter = next((m for m in MANAGED_SERVERS.of(ctx.data).values()
                        if m.backup_server is server and m.server_type == "VC"), None)
        repos = [r for r in repositories_of(ctx.data, server) if r.capacity > 0]
        if vcenter is None or not repos:
            continue
        quota = rng.choice((500, 1000, 2000))
        config = SelfServiceConfig(
            new_guid(rng), f"EXAMPLE\\vSphere Team {i:02d}", server, repos[0], vcenter.id,
            quota, quota * rng.randint(10, 80) // 100, "Group",
            f"S-1-5-21-{rng.randrange(10**9)}-{rng.randrange(10**9)}-{rng.randrange(10**9)}-"
            f"{rng.randint(1100, 9999)}", i % 2 == 0, rng.choice(SCHEDULER_TYPES))
        SELF_SERVICE.of(ctx.data)[config.id] = config


def _vcloud(ctx: SeedContext) -> None:
    """A vCloud Director organization configuration per backup server (``Org01``), with a
    quota on a repository of that server, from a stream of its own."""
    rng = random.Random(f"{ctx.seed} vcloud org configs")
    for i, server in enumerate(list(SERVERS.of(ctx.data).values()), start=1):
        hosts = [m for m in MANAGED_SERVERS.of(ctx.data).values()
                 if m.backup_server is server and m.server_type in ("VcdSystem", "VC")]
        repos = [r for r in repositories_of(ctx.data, server) if r.capacity > 0]
        if not hosts or not repos:
            continue
        hosts.sort(key=lambda m: m.server_type != "VcdSystem")
        repo = repos[-1]
        quota = rng.choice((250, 500, 1000))
        config = VCloudOrgConfig(
            new_guid(rng), f"Org{i:02d}", server, repo, hosts[0].id, quota,
            f"Org{i:02d} Backup Storage", quota * 1024 * rng.randint(5, 60) // 100,
            i % 4 == 0, rng.choice(SCHEDULER_TYPES), rng.random() < 0.3)
        ORG_CONFIGS.of(ctx.data)[config.id] = config
    _vcd_tenant(ctx)


def _vcd_tenant(ctx: SeedContext) -> None:
    """A VMware Cloud Director tenant for the first organization configuration: named as its
    organization, on the same server, with one organization data center as its vCloud
    compute resource. From a stream of its own, after every other tenant."""
    rng = random.Random(f"{ctx.seed} vcd tenant")
    config = next(iter(ORG_CONFIGS.of(ctx.data).values()), None)
    if config is None:
        return
    org = f"urn:vCloud:Org:{config.host_id}.urn:vcloud:org:{new_guid(rng)}"
    tenant = CloudTenant(
        new_guid(rng), config.name, config.backup_server, organization_ref=org,
        description=f"VMware Cloud Director organization {config.name}",
        max_concurrent_tasks=rng.choice((2, 4, 8)), tenant_type="vCD",
        last_active_ms=ctx.now_ms - rng.randint(60, 3 * 86_400) * 1000)
    tenant.vcloud.append(VCloudComputeResource(
        new_guid(rng), f"{config.name}-DR-VDC",
        f"urn:vCloud:Vdc:{config.host_id}.urn:vcloud:vdc:{new_guid(rng)}",
        use_network_failover=True, allocation_model="AllocationPool",
        cpu_usage_mhz=rng.randint(2, 12) * 1000, memory_usage_mb=rng.randint(4, 32) * 1024,
        storage_usage_gb=rng.randint(100, 900)))
    TENANTS.of(ctx.data)[tenant.id] = tenant
    index_cloud(ctx.data)


register_seeders(Seeder(20, _seed), Seeder(40, _cloud_connect), Seeder(45, _self_service),
                 Seeder(60, _vcloud))
