"""Seeded restore sessions: a few restores from each backup server's restore points, and
the vApps whose points the vApp restore and replica point lists show; each on a random
stream of its own (so adding them moved none of the other data)."""

from __future__ import annotations

import random

from em_mock.core.generate import SeedContext, Seeder, new_guid, register_seeders
from em_mock.families.jobs.model import JOB_SESSIONS, JOBS, TaskSession, leaves_restore_point
from em_mock.families.restore.model import RESTORE_SESSIONS, VAPPS, RestoreSession, VApp

PER_SERVER = 4
HOUR_MS = 3_600_000


def _restore_sessions(ctx: SeedContext) -> None:
    rng = random.Random(f"{ctx.seed} restore sessions")
    by_server: dict[str, list[TaskSession]] = {}
    for session in JOB_SESSIONS.of(ctx.data).values():
        for t in session.tasks:
            if leaves_restore_point(t) and t.end_ms is not None:
                by_server.setdefault(session.job.backup_server.id, []).append(t)
    table = RESTORE_SESSIONS.of(ctx.data)
    made = []
    for points in by_server.values():
        for k, point in enumerate(rng.sample(points, min(PER_SERVER, len(points)))):
            after = rng.randint(1, 48) * HOUR_MS + rng.randint(0, HOUR_MS)
            start = (point.end_ms or point.creation_ms) + after
            if start >= ctx.now_ms:
                continue
            job_type = "RestoreVm" if k % 2 == 0 else "FileLevelRestore"
            result = "Failed" if rng.random() < 0.15 else "Success"
            end = min(start + rng.randint(3, 40) * 60_000, ctx.now_ms)
            made.append(RestoreSession(new_guid(rng), point, job_type, start, end, "Stopped",
                                       result, 100))
    for s in sorted(made, key=lambda s: s.creation_ms):
        table[s.id] = s


def _vapps(ctx: SeedContext) -> None:
    """Per backup server, the first backup job and the first replication job protect a
    vApp (``vbr01-vapp01``): two or three of their VMs."""
    rng = random.Random(f"{ctx.seed}-vapps")
    table = VAPPS.of(ctx.data)
    taken: set[tuple[str, bool]] = set()
    counters: dict[str, int] = {}
    for job in JOBS.of(ctx.data).values():
        key = (job.backup_server.id, job.is_replica)
        if job.job_type not in ("Backup", "Replica") or key in taken or len(job.vms) < 2:
            continue
        taken.add(key)
        tag = job.backup_server.name.split(".")[0]
        counters[tag] = counters.get(tag, 0) + 1
        members = job.vms[:rng.randint(2, min(3, len(job.vms)))]
        vapp = VApp(new_guid(rng), f"{tag}-vapp{counters[tag]:02d}", job,
                    tuple(vm.uid for vm in members))
        table[vapp.id] = vapp


# After every other step: the restores need the job sessions' restore points.
register_seeders(Seeder(40, _restore_sessions), Seeder(58, _vapps))
