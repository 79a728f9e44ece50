"""Job runs that move with the mock's clock: start, stop and retry of a job, stop of a
session. A run's course is a function of the time since it started, like a plan run's."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from em_mock.core.simulation import (
    PER_VM_MS,
    STARTING_MS,
    STOPPING_MS,
    EmTask,
    Simulation,
    register_run_tables,
)
from em_mock.core.store import Store
from em_mock.core.tables import Table
from em_mock.core.times import name_suffix
from em_mock.families.cloud import runs as cloud_runs
from em_mock.families.jobs.data import TASK_FAILURES, TASK_WARNINGS
from em_mock.families.jobs.model import (
    FAILOVER_PLANS,
    JOB_SESSIONS,
    JOBS,
    FailoverPlan,
    Job,
    JobSession,
    TaskSession,
    index_task_sessions,
)
from em_mock.families.restore.model import MOUNTS, RESTORE_SESSIONS


@dataclass(slots=True)
class JobRun:
    """A job session the clock drives (started, or retried, through an action)."""

    session_id: str
    start_ms: int
    outcome: str
    reason: str
    culprit: int

    def advance(self, store: Store, now_ms: int) -> tuple[bool, bool]:
        """Bring the run's session up to ``now_ms``: ``(changed, finished)``."""
        session = JOB_SESSIONS.of(store.data).get(self.session_id)
        if session is None:
            return False, True
        changed = apply(self, session, now_ms)
        return changed, session.state == "Stopped"


JOB_RUNS: Table[JobRun] = Table("job_runs")
register_run_tables(JOB_RUNS)


def apply(run: JobRun, session: JobSession, now_ms: int) -> bool:
    """Set ``session`` and its tasks to where ``run`` is at ``now_ms``; true if that changed
    anything."""
    before = (session.state, session.progress, [(t.state, t.result) for t in session.tasks])
    n = len(session.tasks)
    working_end = run.start_ms + STARTING_MS + n * PER_VM_MS
    for k, task in enumerate(session.tasks):
        begin = run.start_ms + STARTING_MS + k * PER_VM_MS
        if now_ms < begin:
            task.state, task.result, task.end_ms = "Pending", "None", None
        elif now_ms < begin + PER_VM_MS:
            task.state, task.result, task.end_ms = "InProgress", "None", None
            task.creation_ms = begin
        else:
            vm_size = next((vm.size for vm in session.job.vms if vm.uid == task.vm_uid), 0)
            task.creation_ms, task.end_ms, task.state = begin, begin + PER_VM_MS, "Completed"
            task.result = run.outcome if k == run.culprit else "Success"
            task.reason = run.reason if k == run.culprit else ""
            task.total_size = 0 if task.result == "Failed" else vm_size
    if now_ms >= working_end + STOPPING_MS:
        session.state, session.progress = "Stopped", 100
        session.end_ms, session.result = working_end + STOPPING_MS, run.outcome
        session.failure_message = run.reason if run.outcome == "Failed" else None
    elif now_ms < run.start_ms + STARTING_MS:
        session.state, session.progress = "Starting", 0
    elif now_ms < working_end:
        session.state = "Working"
        span = max(working_end - run.start_ms - STARTING_MS, 1)
        session.progress = 5 + (now_ms - run.start_ms - STARTING_MS) * 90 // span
    else:
        session.state, session.progress = "Stopping", 95
    return before != (session.state, session.progress,
                      [(t.state, t.result) for t in session.tasks])


def running_job_session(store: Store, job: Job) -> JobSession | None:
    """The job's session that has not stopped yet, if any."""
    for session in reversed(JOB_SESSIONS.rows(store)):
        if session.job is job and session.state != "Stopped":
            return session
    return None


def draw_outcome(sim: Simulation, n_vms: int) -> tuple[str, str, int]:
    roll = sim.rng.random()
    outcome = "Success" if roll < 0.85 else "Warning" if roll < 0.94 else "Failed"
    reason = ""
    if outcome == "Failed":
        reason = sim.rng.choice(TASK_FAILURES)
    elif outcome == "Warning":
        reason = sim.rng.choice(TASK_WARNINGS)
    return outcome, reason, sim.rng.randrange(n_vms) if n_vms else -1


def open_run(store: Store, job: Job, run: JobRun, now_ms: int, new_id: Callable[[], str],
             is_retry: bool = False) -> JobSession:
    """A new session of ``job`` that ``run`` drives from ``run.start_ms``, brought up to
    ``now_ms`` (and left to the clock while it has not stopped)."""
    start = run.start_ms
    session = JobSession(new_id(), job, job.job_type, job.name, start, None, "Starting",
                         "None", 0, None, is_retry)
    session.tasks = [TaskSession(new_id(), session, vm.name, vm.uid, start, None,
                                 "Pending", "None") for vm in job.vms]
    run.session_id = session.id
    apply(run, session, now_ms)
    JOB_SESSIONS.of(store.data)[session.id] = session
    index_task_sessions(store.data)
    store.changed()
    if session.state != "Stopped":
        JOB_RUNS.of(store.data)[session.id] = run
    return session


JOB_OPERATIONS = {"start": "StartJob", "stop": "StopJob", "retry": "RetryJob", "sync": "SyncJob"}


def job_action(sim: Simulation, store: Store, job: Job, action: str, owner: str, now_ms: int,
               new_id: Callable[[], str]) -> EmTask:
    """Start, stop, retry or sync ``job`` (a sync starts a backup copy job's copy run out of
    turn, for immediate copy jobs too); the task says whether that could be done."""
    operation = JOB_OPERATIONS[action]
    running = running_job_session(store, job)
    if action == "stop":
        if running is None:
            return sim.task(owner, operation, now_ms, False, f'Job "{job.name}" is not running.')
        _stop(sim, store, running, now_ms)
        return sim.task(owner, operation, now_ms, True, f'Job "{job.name}" triggered to stop.')
    if job.job_type == "ImmediateBackupCopy" and action != "sync":
        return sim.task(owner, operation, now_ms, False, f'Job "{job.name}" copies '
                        "backups as they appear; it cannot be started or retried (sync it).")
    if running is not None:
        return sim.task(owner, operation, now_ms, False, f'Job "{job.name}" is already running.')
    if action == "retry":
        last = next((s for s in reversed(JOB_SESSIONS.rows(store))
                     if s.job is job and s.state == "Stopped"), None)
        if last is None or last.result != "Failed":
            return sim.task(owner, operation, now_ms, False,
                            f'Job "{job.name}" cannot be retried: its last run did not fail.')
    outcome, reason, culprit = draw_outcome(sim, len(job.vms))
    session = open_run(store, job, JobRun("", now_ms, outcome, reason, culprit), now_ms,
                       new_id, action == "retry")
    kind = "ReplicaJobSession" if job.is_replica else "BackupJobSession"
    path = "replicaSessions" if job.is_replica else "backupSessions"
    return sim.task(owner, operation, now_ms, True, f'Job "{job.name}" triggered to {action}.',
                    (kind, f"{path}/{session.id}"), job.name)


def stop_session(sim: Simulation, store: Store, session: JobSession, owner: str, now_ms: int
                 ) -> EmTask:
    """``POST /backupSessions/{id}?action=stop``."""
    name = f"{session.job_name}@{name_suffix(session.creation_ms)}"
    if session.state == "Stopped":
        return sim.task(owner, "StopJobSession", now_ms, False,
                        f'Job Session "{name}" is not running.')
    _stop(sim, store, session, now_ms)
    return sim.task(owner, "StopJobSession", now_ms, True,
                    f'Job Session "{name}" triggered to stop.')


def _stop(sim: Simulation, store: Store, session: JobSession, now_ms: int) -> None:
    JOB_RUNS.of(store.data).pop(session.id, None)
    session.state, session.result, session.end_ms = "Stopped", "Failed", now_ms
    session.failure_message = "Stopped by user."
    for task in session.tasks:
        if task.state != "Completed":
            task.state, task.result, task.end_ms = "Completed", "Failed", now_ms
            task.reason = "Stopped by user."
    store.changed()


# --- schedules ----------------------------------------------------------------------------

DAY_MS = 86_400_000
RUN_HOUR_MS = 22 * 3_600_000  # a schedule turned back on runs the job daily at 22:00 UTC


def next_daily_run(now_ms: int) -> int:
    """The next 22:00 UTC after ``now_ms``."""
    run = now_ms - now_ms % DAY_MS + RUN_HOUR_MS
    return run if run > now_ms else run + DAY_MS


def act(sim: Simulation, store: Store, job: Job, action: str, owner: str, now_ms: int
        ) -> EmTask:
    """An action a client posts on any job (VM, agent or NAS): toggle its schedule, or
    start, stop, retry or sync it (a run it opens gets a new random id)."""
    if action == "togglescheduleenabled":
        return toggle_schedule(sim, store, job, owner, now_ms)
    return job_action(sim, store, job, action, owner, now_ms, lambda: str(uuid.uuid4()))


def toggle_schedule(sim: Simulation, store: Store, job: Job, owner: str, now_ms: int
                    ) -> EmTask:
    """``?action=toggleScheduleEnabled`` of any job (VM, agent or NAS): turn the job's
    schedule off (no next run), or on again (next run 22:00 UTC); a job without a schedule
    configured refuses."""
    if not job.schedule_configured:
        return sim.task(owner, "ToggleScheduleEnabled", now_ms, False,
                        f'Job "{job.name}" has no schedule configured.')
    job.schedule_enabled = not job.schedule_enabled
    job.next_run_ms = next_daily_run(now_ms) if job.schedule_enabled else None
    store.changed()
    state = "enabled" if job.schedule_enabled else "disabled"
    return sim.task(owner, "ToggleScheduleEnabled", now_ms, True,
                    f'Job "{job.name}" schedule {state}.')


# --- failover plans ---------------------------------------------------------------------

PLAN_OPERATIONS = {"start": "StartFailoverPlan", "undo": "UndoFailoverPlan"}


@dataclass(slots=True)
class FailoverRun:
    """A failover plan's start or undo the clock drives: it lasts as long as a cloud plan's
    run over as many VMs, then leaves the plan failed over (start) or ready (undo), unless
    it failed. Kept by plan id: a plan runs one thing at a time."""

    plan_id: str
    action: str
    start_ms: int
    outcome: str
    message: str | None

    def advance(self, store: Store, now_ms: int) -> tuple[bool, bool]:
        """Settle the plan's state once the run is over: ``(changed, finished)``."""
        plan = FAILOVER_PLANS.of(store.data).get(self.plan_id)
        if plan is None:
            return False, True
        if now_ms < self.start_ms + cloud_runs.duration_ms(len(plan.vms)):
            return False, False
        if self.outcome != "Failed":
            plan.state = "FailedOver" if self.action == "start" else "Ready"
        return True, True


FAILOVER_RUNS: Table[FailoverRun] = Table("failover_runs")
register_run_tables(FAILOVER_RUNS)


def plan_action(sim: Simulation, store: Store, plan: FailoverPlan, action: str, owner: str,
                now_ms: int) -> EmTask:
    """Start or undo ``plan``: a task that runs until the plan's VMs are done, or one that
    says at once why it cannot be done."""
    operation = PLAN_OPERATIONS[action]
    name = plan.name
    if plan.id in FAILOVER_RUNS.of(store.data):
        return sim.task(owner, operation, now_ms, False,
                        f'Failover plan "{name}" is busy: its last {action} has not finished.')
    if action == "start" and plan.state == "FailedOver":
        return sim.task(owner, operation, now_ms, False,
                        f'Failover plan "{name}" is already failed over; undo it first.')
    if action == "undo" and plan.state != "FailedOver":
        return sim.task(owner, operation, now_ms, False,
                        f'Failover plan "{name}" is not failed over: nothing to undo.')
    outcome, message, _culprit = cloud_runs.draw(sim.rng, plan.outcome, len(plan.vms))
    FAILOVER_RUNS.of(store.data)[plan.id] = FailoverRun(plan.id, action, now_ms, outcome,
                                                        message)
    store.changed()
    done = {"start": "failed over", "undo": "failed back"}[action]
    text = f'Failover plan "{name}" {done}.'
    if message:
        text = f'Failover plan "{name}": {message}'
    return sim.task(owner, operation, now_ms, outcome != "Failed", text,
                    lasts_ms=cloud_runs.duration_ms(len(plan.vms)))


# --- deleting a job -----------------------------------------------------------------------


def deletion_blocker(store: Store, job: Job) -> str | None:
    """Why ``job`` cannot be deleted now, or ``None``."""
    if running_job_session(store, job) is not None:
        return f'Job "{job.name}" is running; stop it first.'
    user = next((j for j in JOBS.rows(store) if job in j.sources), None)
    if user is not None:
        return f'Job "{job.name}" is linked to the backup copy job "{user.name}".'
    points = {t.id for s in JOB_SESSIONS.rows(store) if s.job is job for t in s.tasks}
    used = [r.point.id for r in RESTORE_SESSIONS.rows(store)]
    used += [m.point.id for m in MOUNTS.rows(store)]
    if any(point in points for point in used):
        return f'Job "{job.name}" left restore points that restores use.'
    return None


def delete_job(store: Store, job: Job) -> None:
    """Remove ``job`` and its sessions (with their task sessions and restore points)."""
    sessions = JOB_SESSIONS.of(store.data)
    for session_id in [s.id for s in sessions.values() if s.job is job]:
        del sessions[session_id]
        JOB_RUNS.of(store.data).pop(session_id, None)
    del JOBS.of(store.data)[job.id]
    index_task_sessions(store.data)
    store.changed()
