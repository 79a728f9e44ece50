"""The summary reports' figures, computed from the data (never constants).

Windows follow the mock's clock: "the last 24 hours" for job statistics and the
success percentage, seven UTC days for processed VMs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from em_mock.core.store import Store
from em_mock.families.infrastructure.model import REPOSITORIES, SERVERS
from em_mock.families.jobs.model import (
    BACKUP_SESSIONS,
    BACKUP_TASKS,
    JOB_SESSIONS,
    JOBS,
    REPLICA_TASKS,
    JobSession,
    TaskSession,
    leaves_replica_point,
    leaves_restore_point,
)
from em_mock.families.restore.points import is_full

DAY_MS = 86_400_000
PROXIES_PER_SERVER = 2  # em-mock models no proxies; each backup server reports two.


def _backup_points(store: Store) -> list[TaskSession]:
    return [t for t in BACKUP_TASKS.rows(store) if leaves_restore_point(t)]


def _replica_points(store: Store) -> list[TaskSession]:
    return [t for t in REPLICA_TASKS.rows(store) if leaves_replica_point(t)]


def _running_jobs(store: Store) -> int:
    return len({s.job.id for s in JOB_SESSIONS.rows(store) if s.state != "Stopped"})


def _scheduled(store: Store, replica: bool | None = None) -> int:
    return sum(1 for j in JOBS.rows(store) if j.schedule_configured and j.schedule_enabled
               and (replica is None or j.is_replica == replica))


@dataclass(frozen=True)
class Overview:
    """``/reports/summary/overview``."""

    backup_servers: int
    proxy_servers: int
    repository_servers: int
    running_jobs: int
    scheduled_jobs: int
    successful_vms: int
    warning_vms: int
    failed_vms: int


def overview(store: Store) -> Overview:
    """Counts of the infrastructure, and the latest state of every backed-up VM."""
    latest: dict[str, TaskSession] = {}
    for t in BACKUP_TASKS.rows(store):
        if t.state == "Completed" and t.session.job_type == "Backup":
            latest[t.vm_uid] = t
    states = Counter(t.result for t in latest.values())
    servers = len(SERVERS.rows(store))
    return Overview(servers, PROXIES_PER_SERVER * servers, len(REPOSITORIES.rows(store)),
                    _running_jobs(store), _scheduled(store), states["Success"],
                    states["Warning"], states["Failed"])


@dataclass(frozen=True)
class VmsOverview:
    """``/reports/summary/vms_overview``."""

    protected_vms: int
    backed_up_vms: int
    replicated_vms: int
    restore_points: int
    full_size: int
    incremental_size: int
    replica_size: int
    source_size: int
    success_percent: int


def vms_overview(store: Store, now_ms: int) -> VmsOverview:
    """VM protection figures from the restore and replica points in the data."""
    backups, replicas = _backup_points(store), _replica_points(store)
    backed_up = {t.vm_uid for t in backups}
    replicated = {t.vm_uid for t in replicas}
    full = sum(t.total_size for t in backups if is_full(t))
    incremental = sum(t.total_size // 10 for t in backups if not is_full(t))
    sizes = {vm.uid: vm.size for job in JOBS.rows(store) for vm in job.vms}
    recent = [s for s in BACKUP_SESSIONS.rows(store)
              if s.state == "Stopped" and s.creation_ms >= now_ms - DAY_MS]
    good = sum(1 for s in recent if s.result in ("Success", "Warning"))
    percent = round(100 * good / len(recent)) if recent else 0
    return VmsOverview(len(backed_up | replicated), len(backed_up), len(replicated),
                       len(backups), full, incremental,
                       sum(t.total_size // 10 for t in replicas), sum(sizes.values()), percent)


@dataclass(frozen=True)
class JobStatistics:
    """``/reports/summary/job_statistics`` (runs in the last 24 hours)."""

    running_jobs: int
    scheduled_jobs: int
    scheduled_backup_jobs: int
    scheduled_replica_jobs: int
    total_runs: int
    successful_runs: int
    warning_runs: int
    failed_runs: int
    max_duration: int
    max_backup_duration: int
    max_replica_duration: int
    max_backup_job_name: str
    max_replica_job_name: str


def _longest(sessions: list[JobSession]) -> tuple[int, str]:
    best = max(sessions, key=lambda s: (s.end_ms or 0) - s.creation_ms, default=None)
    if best is None:
        return 0, ""
    return ((best.end_ms or best.creation_ms) - best.creation_ms) // 1000, best.job.name


def job_statistics(store: Store, now_ms: int) -> JobStatistics:
    """Job runs finished in the last 24 hours of the mock's clock, and the longest ones."""
    recent = [s for s in JOB_SESSIONS.rows(store)
              if s.state == "Stopped" and s.creation_ms >= now_ms - DAY_MS]
    results = Counter(s.result for s in recent)
    backup_time, backup_name = _longest([s for s in recent if not s.job.is_replica])
    replica_time, replica_name = _longest([s for s in recent if s.job.is_replica])
    return JobStatistics(
        _running_jobs(store), _scheduled(store), _scheduled(store, False),
        _scheduled(store, True), results["Success"] + results["Warning"] + results["Failed"],
        results["Success"], results["Warning"], results["Failed"],
        max(backup_time, replica_time), backup_time, replica_time, backup_name, replica_name)


def processed_vms(store: Store, now_ms: int) -> list[tuple[int, int, int]]:
    """``(midnight, backed-up VMs, replicated VMs)`` for the last seven UTC days, newest first."""
    today = now_ms // DAY_MS * DAY_MS
    backups, replicas = _backup_points(store), _replica_points(store)
    out = []
    for back in range(7):
        start = today - back * DAY_MS
        end = start + DAY_MS
        backed = {t.vm_uid for t in backups if start <= t.creation_ms < end}
        replicated = {t.vm_uid for t in replicas if start <= t.creation_ms < end}
        out.append((start, len(backed), len(replicated)))
    return out
