"""Seeded Cloud Connect data: a tenant and a failover plan per tenant, with replica points
every three days, and failover sessions over the last 60 days (a few still running).

Names are predictable: ``Tenant03``, ``Tenant03 Failover Plan``, ``tenant03-vm02``.
"""

from __future__ import annotations

import random

from em_mock.core.generate import SeedContext, Seeder, new_guid, register_seeders
from em_mock.families.cloud.model import (
    PLANS,
    SESSIONS,
    TENANTS,
    CloudFailoverPlan,
    CloudFailoverSession,
    CloudFailoverTask,
    CloudTenant,
    CloudVmReplicaPoint,
    PlanVm,
    index_replica_points,
)
from em_mock.families.infrastructure.model import SERVERS, BackupServer

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


register_seeders(Seeder(20, _seed))
