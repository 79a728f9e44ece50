"""Seeded jobs and their runs, per backup server: three backup jobs, one replication job
and one backup copy job, their sessions over the last 60 days (daily, and every six hours
in the last day), and per-VM task sessions. Names are predictable: ``vbr01 Backup Job 2``,
``vbr01-vm07``.
"""

from __future__ import annotations

import random

from em_mock.core.generate import SeedContext, Seeder, new_guid, register_seeders
from em_mock.core.tables import DataSet
from em_mock.families.infrastructure.data import ServerStep, register_server_steps, repositories_of
from em_mock.families.infrastructure.model import SERVERS, BackupServer, Repository
from em_mock.families.jobs.model import (
    FAILOVER_PLANS,
    JOB_SESSIONS,
    JOBS,
    SYSTEM_SESSIONS,
    FailoverPlan,
    FailoverVm,
    Job,
    JobSession,
    JobVm,
    SystemEvent,
    SystemSession,
    TaskSession,
    index_task_sessions,
)

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
GIB = 1 << 30
HISTORY_DAYS = 60
# System sessions show only in their list, which holds the last 30 days (no query type
# lists them), so older ones could never be seen: they are seeded over the last 29 days.
SYSTEM_HISTORY_DAYS = 29

TASK_FAILURES = (
    "Error: Failed to create VM snapshot: the operation timed out.",
    "Error: Cannot connect to the host: connection refused (port 902).",
    "Error: Not enough free space on the repository.",
    "Error: Changed block tracking is disabled for this VM.",
)
TASK_WARNINGS = (
    "Warning: Unable to truncate transaction logs: guest credentials are not valid.",
    "Warning: The VM has an independent disk; it was skipped.",
)


def _vms(rng: random.Random, tag: str, counter: list[int], count: int, host: str) -> list[JobVm]:
    out = []
    for _ in range(count):
        counter[0] += 1
        n = counter[0]
        out.append(JobVm(f"{tag}-vm{n:02d}", f"urn:VMware:Vm:{host}.vm-{1000 + n}",
                         rng.choice((40, 60, 80, 100, 200)) * GIB))
    return out


def _jobs(rng: random.Random, server: BackupServer, repos: list[Repository], now_ms: int
          ) -> list[Job]:
    tag = server.name.split(".")[0]
    host = new_guid(rng)
    counter = [0]
    # Everything is placed relative to now (never on calendar days), so the same seed at a
    # later clock gives the same data moved in time, as the embedded fixture file needs.
    next_run = now_ms + 6 * HOUR_MS
    jobs = [
        Job(new_guid(rng), f"{tag} Backup Job {k}", server, "Backup", "VMware",
            f"Nightly backup of the {('web', 'database', 'file')[k - 1]} servers", True, True,
            next_run + k * 600_000, repos[k % 2], _vms(rng, tag, counter, rng.randint(2, 4), host))
        for k in (1, 2, 3)
    ]
    jobs.append(Job(new_guid(rng), f"{tag} Replica Job 1", server, "Replica", "VMware",
                    "Replicates the database servers to the DR site", True, True,
                    next_run + 3_600_000, None, _vms(rng, tag, counter, 2, host)))
    copy = Job(new_guid(rng), f"{tag} Backup Copy Job", server, "ImmediateBackupCopy",
               "CustomPlatform", "Copies the backups off site", True, True, None, repos[1])
    copy.sources = jobs[:2]
    jobs.append(copy)
    return jobs


def _outcome(rng: random.Random) -> str:
    roll = rng.random()
    return "Success" if roll < 0.85 else "Warning" if roll < 0.94 else "Failed"


def _tasks(rng: random.Random, session: JobSession, vms: list[JobVm], outcome: str,
           copy: bool) -> int:
    """Add finished tasks that explain ``outcome``; return when the last one ended."""
    cursor = session.creation_ms + rng.randint(5, 40) * 1000
    culprit = rng.randrange(len(vms)) if vms else -1
    last = cursor
    for k, vm in enumerate(vms):
        result = outcome if k == culprit else "Success"
        reason = ""
        if result == "Failed":
            reason = rng.choice(TASK_FAILURES)
        elif result == "Warning":
            reason = rng.choice(TASK_WARNINGS)
        begin = cursor + rng.randint(1, 30) * 1000 + rng.randrange(1000)
        end = begin + rng.randint(60, 1500) * 1000 + rng.randrange(1000)
        size = 0 if copy or result == "Failed" else vm.size
        session.tasks.append(TaskSession(new_guid(rng), session, vm.name, vm.uid, begin, end,
                                         "Completed", result, reason, size))
        cursor, last = begin, max(last, end)
    return last


def finished_session(rng: random.Random, job: Job, start: int, *, job_type: str | None = None,
              job_name: str | None = None, vms: list[JobVm] | None = None,
              outcome: str | None = None, is_retry: bool = False) -> JobSession:
    """A stopped run of ``job`` that began at ``start``, with finished tasks that explain
    its result."""
    session_type = job_type or job.job_type
    if session_type == "Replica":
        session_type = "Replica"
    outcome = outcome or _outcome(rng)
    session = JobSession(new_guid(rng), job, session_type, job_name or job.name, start, None,
                         "Stopped", outcome, 100, None, is_retry)
    if job.job_type == "ImmediateBackupCopy" and session_type == "ImmediateBackupCopy":
        # The parent of a copy job: no tasks, and Progress 0 even when it succeeded.
        session.progress = 0
        session.end_ms = start + rng.randint(600, 7200) * 1000
    else:
        copy = session_type == "ImmediateBackupCopyWorker"
        last = _tasks(rng, session, vms if vms is not None else job.vms, outcome, copy)
        session.end_ms = last + rng.randint(5, 60) * 1000 + rng.randrange(1000)
    if outcome == "Failed":
        session.failure_message = next(
            (t.reason for t in session.tasks if t.result == "Failed"),
            "Error: The job session was stopped.")
    return session


def _running(rng: random.Random, job: Job, start: int, now_ms: int) -> JobSession:
    session = JobSession(new_guid(rng), job, job.job_type, job.name, start, None, "Working",
                         "None", rng.randint(20, 80))
    for k, vm in enumerate(job.vms):
        begin = min(start + (k + 1) * rng.randint(30, 120) * 1000, now_ms)
        if k == 0:
            end = min(begin + rng.randint(60, 300) * 1000, now_ms)
            session.tasks.append(TaskSession(new_guid(rng), session, vm.name, vm.uid, begin, end,
                                             "Completed", "Success", "", vm.size))
        elif k == 1:
            session.tasks.append(TaskSession(new_guid(rng), session, vm.name, vm.uid, begin, None,
                                             "InProgress", "None"))
        else:
            session.tasks.append(TaskSession(new_guid(rng), session, vm.name, vm.uid, start, None,
                                             "Pending", "None"))
    return session


def _run_times(rng: random.Random, job_index: int, now_ms: int) -> list[int]:
    """Daily runs over the history, then every six hours in the last day."""
    times = [now_ms - (HISTORY_DAYS - d) * DAY_MS + job_index * 900_000
             + rng.randrange(600_000) for d in range(HISTORY_DAYS)]
    times = [t for t in times if t < now_ms - DAY_MS]
    times += [now_ms - DAY_MS + h * 6 * HOUR_MS + job_index * 300_000 + rng.randrange(300_000)
              for h in range(4)]
    return [t for t in times if t < now_ms - 2 * HOUR_MS]


def _sessions(rng: random.Random, jobs: list[Job], now_ms: int, running: bool
              ) -> list[JobSession]:
    out: list[JobSession] = []
    for j, job in enumerate(jobs):
        for start in _run_times(rng, j, now_ms):
            if job.job_type == "ImmediateBackupCopy":
                parent = finished_session(rng, job, start, outcome="Success")
                out.append(parent)
                server = job.backup_server.name
                for source in job.sources:
                    out.append(finished_session(
                        rng, job, start + rng.randint(1, 30) * 1000,
                        job_type="ImmediateBackupCopyWorker",
                        job_name=f"{job.name}\\{source.name} - {server}", vms=source.vms))
                continue
            session = finished_session(rng, job, start)
            out.append(session)
            if session.result == "Failed" and job.job_type == "Backup":
                out.append(finished_session(rng, job, session.end_ms or start + 1200_000,
                                     outcome="Success", is_retry=True))
    if running and jobs:
        out.append(_running(rng, jobs[0], now_ms - rng.randint(600, 1800) * 1000, now_ms))
    out.sort(key=lambda s: s.creation_ms)
    return out


def _jobs_step(rng: random.Random, data: DataSet, server: BackupServer, index: int,
               now_ms: int) -> None:
    jobs = _jobs(rng, server, repositories_of(data, server), now_ms)
    JOBS.of(data).update((j.id, j) for j in jobs)


def _sessions_step(rng: random.Random, data: DataSet, server: BackupServer, index: int,
                   now_ms: int) -> None:
    jobs = [j for j in JOBS.of(data).values() if j.backup_server is server]
    sessions = _sessions(rng, jobs, now_ms, running=index == 1)
    JOB_SESSIONS.of(data).update((s.id, s) for s in sessions)


def order_sessions(data: DataSet) -> None:
    """Job sessions in creation order across servers, and their tasks indexed."""
    sessions = JOB_SESSIONS.of(data)
    JOB_SESSIONS.replace(data, dict(sorted(sessions.items(), key=lambda kv: kv[1].creation_ms)))
    index_task_sessions(data)


def _order_sessions(ctx: SeedContext) -> None:
    order_sessions(ctx.data)


# Per server: jobs after the repositories, sessions after the agents (the stream's order).
register_server_steps(ServerStep(20, _jobs_step), ServerStep(40, _sessions_step))
register_seeders(Seeder(31, _order_sessions))


# --- failover plans and system sessions (rank 56, a stream of their own) ---------------

# (type, name, period in days, events beyond the first and the last)
SYSTEM_JOBS = (
    ("CollectJob", "Data collection", 1, ("Collecting data from {server}",)),
    ("CatalogReplicationJob", "Catalog replication", 1, ("Replicating the catalog of {server}",)),
    ("DatabaseMaintenance", "Database maintenance", 7, ("Rebuilding indexes",
                                                        "Removing sessions older than 53 weeks")),
    ("LicAutoUpdate", "License auto update", 7, ("Checking the license server",)),
    ("SyncCheckForProductUpdatesOption", "Check for product updates", 7,
     ("Checking for updates of {server}",)),
)
SYSTEM_WARNINGS = ("Backup server {server} did not answer in time; data collected earlier "
                   "is kept.", "Catalog of {server} is not indexed yet.")
SYSTEM_FAILURES = ("Cannot connect to {server}: the RPC server is unavailable.",
                   "The configuration database is busy: the operation timed out.")


def _failover_plans(rng: random.Random, data: DataSet) -> None:
    """A plan per backup server with a replication job: its replicas, in job order."""
    for job in list(JOBS.of(data).values()):
        if not job.is_replica:
            continue
        tag = job.backup_server.name.split(".")[0]
        plan = FailoverPlan(new_guid(rng), f"{tag} Failover Plan", job.backup_server,
                            f"Fails over the replicas of {job.name}")
        plan.vms = [FailoverVm(new_guid(rng), vm.uid, vm.name, k + 1)
                    for k, vm in enumerate(job.vms)]
        FAILOVER_PLANS.of(data)[plan.id] = plan


def _system_session(rng: random.Random, kind: tuple[str, str, int, tuple[str, ...]],
                    start: int, servers: list[str], running: bool) -> SystemSession:
    session_type, name, _period, steps = kind
    roll = rng.random()
    result = "Success" if roll < 0.9 else "Warning" if roll < 0.97 else "Failed"
    culprit = rng.choice(servers) if servers else "localhost"
    events = [SystemEvent(start, "Success", f"{name} started")]
    cursor = start
    lines = [step.format(server=server) for step in steps
             for server in (servers if "{server}" in step else [""])]
    for k, line in enumerate(lines):
        cursor += rng.randint(2, 90) * 1000 + rng.randrange(1000)
        status = "Success"
        if result != "Success" and k == len(lines) - 1:
            status = result
        events.append(SystemEvent(cursor, status, line))
    if running:
        return SystemSession(new_guid(rng), session_type, name, start, None, "InProgress",
                             "None", "", False, events[:2])
    end = cursor + rng.randint(1, 20) * 1000 + rng.randrange(1000)
    message = ""
    if result == "Warning":
        message = rng.choice(SYSTEM_WARNINGS).format(server=culprit)
    elif result == "Failed":
        message = rng.choice(SYSTEM_FAILURES).format(server=culprit)
    events.append(SystemEvent(end, result, message or f"{name} finished"))
    state = {"Success": "CompletedSuccessfully", "Warning": "CompletedWarning",
             "Failed": "Failed"}[result]
    return SystemSession(new_guid(rng), session_type, name, start, end, state, result,
                         message, False, events)


def _system_sessions(rng: random.Random, ctx: SeedContext) -> None:
    """Enterprise Manager's own sessions over the last 29 days: data collection and catalog
    replication daily (data collection every four hours in the last day), maintenance,
    licence and update checks weekly; the latest data collection is still running."""
    servers = [s.name for s in SERVERS.of(ctx.data).values()]
    now = ctx.now_ms
    starts: list[tuple[int, tuple[str, str, int, tuple[str, ...]], bool]] = []
    for k, kind in enumerate(SYSTEM_JOBS):
        period = kind[2]
        for day in range(SYSTEM_HISTORY_DAYS, 0, -period):
            starts.append((now - day * DAY_MS + k * 1_200_000 + rng.randrange(600_000), kind,
                           False))
        if kind[0] == "CollectJob":
            starts += [(now - DAY_MS + h * 4 * HOUR_MS + rng.randrange(300_000), kind, False)
                       for h in range(1, 6)]
            starts.append((now - rng.randint(60, 600) * 1000, kind, True))
    starts.sort(key=lambda s: s[0])
    sessions = [_system_session(rng, kind, start, servers, running)
                for start, kind, running in starts]
    SYSTEM_SESSIONS.of(ctx.data).update((s.id, s) for s in sessions)


def _jobs2(ctx: SeedContext) -> None:
    rng = random.Random(f"{ctx.seed} jobs failover plans and system sessions")
    _failover_plans(rng, ctx.data)
    _system_sessions(rng, ctx)


register_seeders(Seeder(56, _jobs2))


# --- linked repositories of backup copy jobs (rank 62) ---------------------------------


def _linked_repositories(ctx: SeedContext) -> None:
    """Each backup copy job also copies the backups kept on one repository of its server
    other than its target (the first local one), so ``linkedBackupRepositories`` has
    entries. Deterministic, drawing no random numbers, so no other data moves."""
    for job in list(JOBS.of(ctx.data).values()):
        if not job.is_copy or job.linked_repositories:
            continue
        other = next((r for r in repositories_of(ctx.data, job.backup_server)
                      if r is not job.repository and r.capacity >= 0), None)
        if other is not None:
            job.linked_repositories.append(other)


register_seeders(Seeder(62, _linked_repositories))
