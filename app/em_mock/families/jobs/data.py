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
from em_mock.families.infrastructure.model import BackupServer, Repository
from em_mock.families.jobs.model import (
    JOB_SESSIONS,
    JOBS,
    Job,
    JobSession,
    JobVm,
    TaskSession,
    index_task_sessions,
)

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
GIB = 1 << 30
HISTORY_DAYS = 60

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


def _order_sessions(ctx: SeedContext) -> None:
    """Job sessions in creation order across servers, and their tasks indexed."""
    sessions = JOB_SESSIONS.of(ctx.data)
    JOB_SESSIONS.replace(ctx.data, dict(sorted(sessions.items(),
                                               key=lambda kv: kv[1].creation_ms)))
    index_task_sessions(ctx.data)


# Per server: jobs after the repositories, sessions after the agents (the stream's order).
register_server_steps(ServerStep(20, _jobs_step), ServerStep(40, _sessions_step))
register_seeders(Seeder(31, _order_sessions))
