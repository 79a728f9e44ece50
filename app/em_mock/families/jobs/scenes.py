"""Scheduled job runs and the jobs' demo scene, "a job fails tonight".

A job's schedule is its ``NextRun``. em-mock starts scheduled runs from a calendar: a
:class:`ScheduledRun` waits in the data set until the clock reaches its time, then opens
the job's session *at that time* (so its times are the schedule's, however far the
clock jumped) and moves ``NextRun`` a day on. "Time flies" puts every enabled schedule
due on its way in the calendar; "a job fails tonight" puts one job's next run there,
its outcome fixed to Failed with a reason. Plain clock moves start only what the
calendar holds.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from em_mock.core.generate import new_guid
from em_mock.core.runtime import Runtime
from em_mock.core.scenes import (
    Scene,
    SceneError,
    SceneParam,
    pick,
    register_scene,
    register_scheduler,
)
from em_mock.core.simulation import register_run_tables
from em_mock.core.store import Store
from em_mock.core.tables import Table
from em_mock.core.times import format_instant_ms
from em_mock.families.jobs import runs
from em_mock.families.jobs.data import TASK_FAILURES
from em_mock.families.jobs.model import JOBS, Job

DAY_MS = runs.DAY_MS


@dataclass(slots=True)
class ScheduledRun:
    """A job's run waiting for its time: its outcome is drawn (or fixed) when it is put
    in the calendar, so the run does what the calendar says whenever the clock gets
    there. Kept by job id: a job has one next run."""

    job_id: str
    at_ms: int
    outcome: str
    reason: str
    culprit: int
    seed: str

    def advance(self, store: Store, now_ms: int) -> tuple[bool, bool]:
        """Open the job's session once the clock has reached the run: ``(changed,
        finished)``."""
        if now_ms < self.at_ms:
            return False, False
        job = JOBS.of(store.data).get(self.job_id)
        if job is None or runs.running_job_session(store, job) is not None:
            return False, True
        ids = _ids(self.seed)
        runs.open_run(store, job, runs.JobRun("", self.at_ms, self.outcome, self.reason,
                                              self.culprit), now_ms, lambda: next(ids))
        if job.schedule_enabled and job.next_run_ms is not None:
            while job.next_run_ms <= self.at_ms:
                job.next_run_ms += DAY_MS
        return True, True


def _ids(seed: str) -> Iterator[str]:
    rng = random.Random(seed)
    while True:
        yield new_guid(rng)


SCHEDULED_RUNS: Table[ScheduledRun] = Table("scheduled_job_runs")
register_run_tables(SCHEDULED_RUNS)


def _runnable(job: Job) -> bool:
    return bool(job.vms) and job.job_type != "ImmediateBackupCopy"


def _stuck(store: Store, job: Job) -> bool:
    """True if the job has a running session the clock does not drive (data that holds
    it running): it blocks every run of the job."""
    running = runs.running_job_session(store, job)
    return running is not None and running.id not in runs.JOB_RUNS.of(store.data)


def _next_time(job: Job, after_ms: int) -> int:
    """The job's next run after ``after_ms``: its ``NextRun``, rolled on by whole days when
    that has passed (or 22:00 UTC when the job has no run planned)."""
    if job.next_run_ms is None:
        return runs.next_daily_run(after_ms)
    at = job.next_run_ms
    if at <= after_ms:
        at += (after_ms - at) // DAY_MS * DAY_MS + DAY_MS
    return at


def _calendar(rt: Runtime, job: Job, at_ms: int, outcome: str, reason: str, culprit: int
              ) -> ScheduledRun:
    seed = f"{new_guid(rt.simulation.rng)}"
    run = ScheduledRun(job.id, at_ms, outcome, reason, culprit, seed)
    SCHEDULED_RUNS.of(rt.store.data)[job.id] = run
    if job.next_run_ms != at_ms and job.schedule_enabled:
        job.next_run_ms = at_ms
    rt.store.changed()
    return run


@register_scheduler
def schedule_jobs(rt: Runtime, from_ms: int, to_ms: int) -> None:
    """Put in the calendar every enabled job's run due in ``(from_ms, to_ms]`` (a job
    already there keeps its entry)."""
    calendar = SCHEDULED_RUNS.of(rt.store.data)
    for job in JOBS.rows(rt.store):
        if job.id in calendar or not _runnable(job) or not job.schedule_enabled:
            continue
        if job.next_run_ms is None:
            continue
        at = _next_time(job, from_ms)
        if at <= to_ms:
            outcome, reason, culprit = runs.draw_outcome(rt.simulation, len(job.vms))
            _calendar(rt, job, at, outcome, reason, culprit)


def job_fails(rt: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    """The chosen job's next run (by default: the first job to run) fails."""
    now = rt.clock.now_ms()
    jobs = [j for j in JOBS.rows(rt.store) if _runnable(j)]
    free = [j for j in jobs if not _stuck(rt.store, j)]
    if params["job"] is None:
        if not free:
            raise SceneError(400, "There is no job with VMs that can run.")
        job = min(free, key=lambda j: (_next_time(j, now), j.name))
    else:
        job = pick(jobs, params["job"], "job with VMs", lambda j: j.name, lambda j: j.id)
        if job not in free:
            raise SceneError(400, f"Job {job.name!r} has a session that stays running in the "
                                  "data, so its next run would not start; choose another job.")
    reason = params["reason"] or TASK_FAILURES[0]
    if not reason.startswith("Error:"):
        reason = f"Error: {reason}"
    at = _next_time(job, now)
    culprit = len(job.vms) - 1
    _calendar(rt, job, at, "Failed", reason, culprit)
    return {"job": job.name, "jobUid": f"urn:veeam:Job:{job.id}", "runAt": format_instant_ms(at),
            "reason": reason}


register_scene(Scene(
    "job-fails", "A job fails tonight",
    "The next scheduled run of a job fails, with a reason on the session and on one VM's "
    "task. The run starts at the job's NextRun (22:00 UTC when it has none); move the "
    "clock there (time flies) to see it.",
    (SceneParam("job", "string", "the job's name or UID; default: the job that runs next",
                lookup="Job"),
     SceneParam("reason", "string", "why it fails; default: a snapshot time-out"),),
    job_fails, 10))
