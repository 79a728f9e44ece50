"""Seeded CDP policies and their replication history, from a stream of their own (so adding
them moved none of the other data).

Per backup server: two VMware policies (``vbr01 CDP Policy 1`` and ``2``) protecting two
or three VMs each (``vbr01-cdp03``), on the hosts the server's jobs use; the first server
also has a vCloud policy replicating two vApps of two VMs. The last server's second policy
is disabled. Each policy has a replication session every eight hours over the last three
days, one task session per VM, results mostly successful; an enabled policy's latest
session is still working, as CDP sessions run until stopped.
"""

from __future__ import annotations

import random

from em_mock.core.generate import SeedContext, Seeder, new_guid, register_seeders
from em_mock.families.cdp.model import (
    CDP_POLICIES,
    CDP_SESSIONS,
    CdpInclude,
    CdpOptions,
    CdpPolicy,
    CdpSession,
    CdpTaskSession,
    CdpVm,
    include_id,
    index_cdp_tasks,
)
from em_mock.families.infrastructure.model import SERVERS, BackupServer
from em_mock.families.jobs.model import JOBS

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
MIB = 1 << 20
SESSION_EVERY_MS = 8 * HOUR_MS
HISTORY_MS = 3 * DAY_MS

TASK_WARNINGS = (
    "Warning: RPO of 15 seconds was not met for 3 minutes (last RPO: 42 seconds).",
    "Warning: The I/O filter on the host reported a short delay in transfer.",
)
TASK_FAILURES = (
    "Error: Lost connection to the source host: the I/O filter is not responding.",
    "Error: Not enough free space on the target datastore.",
)


def _host_of(server: BackupServer, rng: random.Random, jobs: list[str]) -> str:
    """The vCenter id the server's jobs use (``urn:VMware:Vm:<host>.vm-<n>``)."""
    for uid in jobs:
        if uid.startswith("urn:VMware:Vm:") and "." in uid:
            return uid[len("urn:VMware:Vm:"):].rsplit(".", 1)[0]
    return new_guid(rng)


def _policies(rng: random.Random, server: BackupServer, index: int, last: bool, now_ms: int,
              job_vms: list[str]) -> list[CdpPolicy]:
    tag = server.name.split(".")[0]
    host = _host_of(server, rng, job_vms)
    counter = 0
    out = []
    for k in (1, 2):
        policy = CdpPolicy(new_guid(rng), f"{tag} CDP Policy {k}", server, "VMware",
                           f"Continuous replication of the {('SQL', 'Exchange')[k - 1]} servers "
                           "to the DR site", True, not (last and k == 2), None,
                           CdpOptions(rpo_seconds=(15, 30)[k - 1]))
        for _ in range(rng.randint(2, 3)):
            counter += 1
            vm = CdpVm(f"{tag}-cdp{counter:02d}", f"urn:VMware:Vm:{host}.vm-{2000 + counter}")
            policy.includes.append(CdpInclude(include_id(policy, vm.ref), vm.name, vm.ref, [vm],
                                              rng.choice(("RequireSuccess", "Disabled"))))
        out.append(policy)
    if index == 0:
        policy = CdpPolicy(new_guid(rng), f"{tag} CDP vCloud Policy", server, "vCloud",
                           "Continuous replication of the tenant vApps", True, True, None,
                           CdpOptions(rpo_seconds=60))
        org = new_guid(rng)
        for a in (1, 2):
            ref = f"urn:vCloud:Vapp:{org}.urn:vcloud:vapp:{new_guid(rng)}"
            vms = []
            for _ in range(2):
                counter += 1
                vms.append(CdpVm(f"{tag}-vapp{a}-vm{counter:02d}",
                                 f"urn:vCloud:Vm:{org}.urn:vcloud:vm:{new_guid(rng)}"))
            policy.includes.append(CdpInclude(include_id(policy, ref), f"{tag}-vapp{a:02d}",
                                              ref, vms))
        out.append(policy)
    for policy in out:
        policy.next_run_ms = now_ms + rng.randint(1, 59) * 1000 if policy.schedule_enabled \
            else None
    return out


def _outcome(rng: random.Random) -> str:
    roll = rng.random()
    return "Success" if roll < 0.85 else "Warning" if roll < 0.95 else "Failed"


def _session(rng: random.Random, policy: CdpPolicy, start: int, now_ms: int,
             working: bool) -> CdpSession:
    end = None if working else min(start + SESSION_EVERY_MS - rng.randint(60, 600) * 1000,
                                   now_ms - 60_000)
    outcome = "Success" if working else _outcome(rng)
    session = CdpSession(new_guid(rng), policy, start, end, "Working" if working else "Stopped",
                         outcome, 0 if working else 100)
    vms = policy.vms()
    culprit = rng.randrange(len(vms)) if vms else -1
    for k, vm in enumerate(vms):
        result = outcome if k == culprit else "Success"
        reason = (rng.choice(TASK_FAILURES) if result == "Failed"
                  else rng.choice(TASK_WARNINGS) if result == "Warning" else "")
        begin = start + rng.randint(5, 60) * 1000
        task_end = None if end is None else end - rng.randint(1, 30) * 1000
        size = 0 if result == "Failed" else rng.randint(200, 9000) * MIB
        session.tasks.append(CdpTaskSession(
            new_guid(rng), session, vm.name, vm.ref, begin, task_end,
            "InProgress" if working else "Completed", result, reason, size))
    if outcome == "Failed":
        session.failure_message = next(t.reason for t in session.tasks if t.result == "Failed")
    return session


def _sessions(rng: random.Random, policy: CdpPolicy, now_ms: int) -> list[CdpSession]:
    first = now_ms - HISTORY_MS + rng.randrange(HOUR_MS)
    starts = list(range(first, now_ms - HOUR_MS, SESSION_EVERY_MS))
    if not policy.schedule_enabled:
        starts = [s for s in starts if s < now_ms - DAY_MS]
    return [_session(rng, policy, s, now_ms, policy.schedule_enabled and s == starts[-1])
            for s in starts]


def _cdp(ctx: SeedContext) -> None:
    rng = random.Random(f"{ctx.seed} cdp")
    servers = list(SERVERS.of(ctx.data).values())
    sessions: list[CdpSession] = []
    for i, server in enumerate(servers):
        vm_uids = [vm.uid for j in JOBS.of(ctx.data).values() if j.backup_server is server
                   for vm in j.vms]
        for policy in _policies(rng, server, i, i == len(servers) - 1, ctx.now_ms, vm_uids):
            CDP_POLICIES.of(ctx.data)[policy.id] = policy
            sessions += _sessions(rng, policy, ctx.now_ms)
    sessions.sort(key=lambda s: s.creation_ms)
    CDP_SESSIONS.of(ctx.data).update((s.id, s) for s in sessions)
    index_cdp_tasks(ctx.data)


register_seeders(Seeder(52, _cdp))
