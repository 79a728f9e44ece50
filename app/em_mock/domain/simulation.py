"""Failover plan runs that move with the mock's clock, and the ``Task`` that starts them.

A run's whole course is a function of the time since it started: ``Starting`` for a
few seconds, ``Working`` while its VMs fail over one after another, ``Stopping``, then
``Stopped`` with the run's outcome. :meth:`Simulation.advance` brings every active
session up to the clock; nothing happens between requests.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from em_mock.domain.errors import EMError
from em_mock.domain.model import (
    CloudFailoverPlan,
    CloudFailoverSession,
    CloudFailoverTask,
    Job,
    JobRun,
    JobSession,
    Run,
    TaskSession,
)
from em_mock.domain.times import name_suffix
from em_mock.store.generator import FAILURE_MESSAGES, WARNING_MESSAGES
from em_mock.store.infrastructure import TASK_FAILURES, TASK_WARNINGS
from em_mock.store.memory import Store

STARTING_MS = 10_000
PER_VM_MS = 30_000
STOPPING_MS = 10_000
OPERATIONS = {"start": "StartCloudFailoverPlan", "test": "TestCloudFailoverPlan",
              "undo": "UndoCloudFailoverPlan"}


@dataclass(slots=True)
class EmTask:
    """The ``Task`` an action returns; it belongs to the logon session that made it.

    ``related`` is ``(type, path)`` of what the finished task links to (the new session).
    """

    id: str
    owner: str
    operation: str
    finish_ms: int
    success: bool
    message: str
    related: tuple[str, str] | None = None
    related_name: str | None = None

    def finished(self, now_ms: int) -> bool:
        """True once the task's delay has passed."""
        return now_ms >= self.finish_ms


def course(run: Run, plan: CloudFailoverPlan, now_ms: int
           ) -> tuple[str, int, int | None, str, str | None, list[CloudFailoverTask]]:
    """``(state, progress, end, result, failure message, tasks)`` of ``run`` at ``now_ms``."""
    n = len(plan.vms)
    working_end = run.start_ms + STARTING_MS + n * PER_VM_MS
    total_end = working_end + STOPPING_MS
    tasks = []
    for k, vm in enumerate(plan.vms):
        begin = run.start_ms + STARTING_MS + k * PER_VM_MS
        point = vm.latest_point(run.start_ms)
        if now_ms < begin:
            tasks.append(CloudFailoverTask(vm.name, point, run.start_ms, None, "Starting",
                                           "None", 0))
        elif now_ms < begin + PER_VM_MS:
            progress = (now_ms - begin) * 100 // PER_VM_MS
            tasks.append(CloudFailoverTask(vm.name, point, begin, None, "Working", "None",
                                           progress))
        else:
            result = run.outcome if k == run.culprit else "Success"
            message = run.message if k == run.culprit else None
            tasks.append(CloudFailoverTask(vm.name, point, begin, begin + PER_VM_MS, "Stopped",
                                           result, 100, message))
    if now_ms >= total_end:
        failure = run.message if run.outcome == "Failed" else None
        return "Stopped", 100, total_end, run.outcome, failure, tasks
    if now_ms < run.start_ms + STARTING_MS:
        return "Starting", 0, None, "None", None, tasks
    if now_ms < working_end:
        span = max(working_end - run.start_ms - STARTING_MS, 1)
        progress = 5 + (now_ms - run.start_ms - STARTING_MS) * 90 // span
        return "Working", progress, None, "None", None, tasks
    return "Stopping", 95 + (now_ms - working_end) * 5 // STOPPING_MS, None, "None", None, tasks


@dataclass
class Simulation:
    """Drives the data set's runs in flight; keeps the tasks that started them.

    The runs themselves live in the data set (``plan_runs``, ``job_runs``), so they are
    exported, loaded and replaced with it, and a restarted server continues them.
    """

    rng: random.Random
    task_delay_ms: int
    tasks: dict[tuple[str, str], EmTask] = field(default_factory=dict)
    _counters: dict[str, int] = field(default_factory=dict)

    def clear(self) -> None:
        """Forget every task."""
        self.tasks.clear()
        self._counters.clear()

    def running_session(self, store: Store, plan: CloudFailoverPlan) -> CloudFailoverSession | None:
        """The plan's session that has not stopped yet, if any."""
        for session in reversed(store.session_rows()):
            if session.plan is plan and session.state != "Stopped":
                return session
        return None

    def start(self, store: Store, plan: CloudFailoverPlan, action: str, owner: str,
              now_ms: int, new_id: str) -> EmTask:
        """Open a session for ``plan`` now and return the task that reports it."""
        running = self.running_session(store, plan)
        if running is not None:
            raise EMError(400, f"Cloud failover plan {plan.name!r} is already running: session "
                               f"urn:veeam:CloudFailoverSession:{running.id} is {running.state}.")
        if plan.outcome is not None:
            outcome = plan.outcome
        else:
            roll = self.rng.random()
            outcome = "Success" if roll < 0.80 else "Warning" if roll < 0.92 else "Failed"
        message = None
        if outcome == "Failed":
            message = self.rng.choice(FAILURE_MESSAGES)
        elif outcome == "Warning":
            message = self.rng.choice(WARNING_MESSAGES)
        culprit = self.rng.randrange(len(plan.vms)) if plan.vms else -1
        run = Run(new_id, plan.id, now_ms, outcome, message, culprit)
        session = CloudFailoverSession(new_id, plan, now_ms, None, "Starting", "None", 0)
        self._apply(run, session, plan, now_ms)
        store.data.sessions[session.id] = session
        store.changed()
        store.data.plan_runs[session.id] = run
        verb = {"start": "start", "test": "test", "undo": "undo"}[action]
        return self._task(owner, OPERATIONS[action], now_ms, True,
                          f'Cloud failover plan "{plan.name}" triggered to {verb}.',
                          ("CloudFailoverSession", f"cloud/failoverSessions/{session.id}"),
                          plan.name)

    def _task(self, owner: str, operation: str, now_ms: int, success: bool, message: str,
              related: tuple[str, str] | None = None, related_name: str | None = None) -> EmTask:
        number = self._counters.get(owner, 0) + 1
        self._counters[owner] = number
        task = EmTask(f"task-{number}", owner, operation, now_ms + self.task_delay_ms, success,
                      message, related, related_name)
        self.tasks[(owner, task.id)] = task
        return task

    # --- jobs ------------------------------------------------------------------------

    @staticmethod
    def running_job_session(store: Store, job: Job) -> JobSession | None:
        """The job's session that has not stopped yet, if any."""
        for session in reversed(store.job_session_rows()):
            if session.job is job and session.state != "Stopped":
                return session
        return None

    def _draw(self, n_vms: int) -> tuple[str, str, int]:
        roll = self.rng.random()
        outcome = "Success" if roll < 0.85 else "Warning" if roll < 0.94 else "Failed"
        reason = ""
        if outcome == "Failed":
            reason = self.rng.choice(TASK_FAILURES)
        elif outcome == "Warning":
            reason = self.rng.choice(TASK_WARNINGS)
        return outcome, reason, self.rng.randrange(n_vms) if n_vms else -1

    def job_action(self, store: Store, job: Job, action: str, owner: str, now_ms: int,
                   new_id: Callable[[], str]) -> EmTask:
        """Start, stop or retry ``job``; the task says whether that could be done."""
        operation = {"start": "StartJob", "stop": "StopJob", "retry": "RetryJob"}[action]
        running = self.running_job_session(store, job)
        if action == "stop":
            if running is None:
                return self._task(owner, operation, now_ms, False,
                                  f'Job "{job.name}" is not running.')
            self._stop(store, running, now_ms)
            return self._task(owner, operation, now_ms, True,
                              f'Job "{job.name}" triggered to stop.')
        if job.job_type == "ImmediateBackupCopy":
            return self._task(owner, operation, now_ms, False, f'Job "{job.name}" copies '
                              "backups as they appear; it cannot be started or retried.")
        if running is not None:
            return self._task(owner, operation, now_ms, False,
                              f'Job "{job.name}" is already running.')
        if action == "retry":
            last = next((s for s in reversed(store.job_session_rows())
                         if s.job is job and s.state == "Stopped"), None)
            if last is None or last.result != "Failed":
                return self._task(owner, operation, now_ms, False,
                                  f'Job "{job.name}" cannot be retried: its last run did not '
                                  "fail.")
        outcome, reason, culprit = self._draw(len(job.vms))
        session = JobSession(new_id(), job, job.job_type, job.name, now_ms, None, "Starting",
                             "None", 0, None, action == "retry")
        session.tasks = [TaskSession(new_id(), session, vm.name, vm.uid, now_ms, None,
                                     "Pending", "None") for vm in job.vms]
        run = JobRun(session.id, now_ms, outcome, reason, culprit)
        self._apply_job(run, session, now_ms)
        store.data.job_sessions[session.id] = session
        store.data.index_task_sessions()
        store.changed()
        store.data.job_runs[session.id] = run
        kind = "ReplicaJobSession" if job.is_replica else "BackupJobSession"
        path = "replicaSessions" if job.is_replica else "backupSessions"
        return self._task(owner, operation, now_ms, True,
                          f'Job "{job.name}" triggered to {action}.',
                          (kind, f"{path}/{session.id}"), job.name)

    def stop_session(self, store: Store, session: JobSession, owner: str, now_ms: int
                     ) -> EmTask:
        """``POST /backupSessions/{id}?action=stop``."""
        name = f"{session.job_name}@{name_suffix(session.creation_ms)}"
        if session.state == "Stopped":
            return self._task(owner, "StopJobSession", now_ms, False,
                              f'Job Session "{name}" is not running.')
        self._stop(store, session, now_ms)
        return self._task(owner, "StopJobSession", now_ms, True,
                          f'Job Session "{name}" triggered to stop.')

    def _stop(self, store: Store, session: JobSession, now_ms: int) -> None:
        store.data.job_runs.pop(session.id, None)
        session.state, session.result, session.end_ms = "Stopped", "Failed", now_ms
        session.failure_message = "Stopped by user."
        for task in session.tasks:
            if task.state != "Completed":
                task.state, task.result, task.end_ms = "Completed", "Failed", now_ms
                task.reason = "Stopped by user."
        store.changed()

    @staticmethod
    def _apply_job(run: JobRun, session: JobSession, now_ms: int) -> bool:
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

    @staticmethod
    def _apply(run: Run, session: CloudFailoverSession, plan: CloudFailoverPlan,
               now_ms: int) -> bool:
        state, progress, end, result, failure, tasks = course(run, plan, now_ms)
        before = (session.state, session.progress, session.end_ms, session.result,
                  [(t.state, t.progress) for t in session.tasks])
        session.state, session.progress, session.end_ms = state, progress, end
        session.result, session.failure_message, session.tasks = result, failure, tasks
        return before != (state, progress, end, result, [(t.state, t.progress) for t in tasks])

    def advance(self, store: Store, now_ms: int) -> None:
        """Bring every active run's session up to ``now_ms``."""
        data = store.data
        if not data.plan_runs and not data.job_runs:
            return
        changed = False
        for session_id, job_run in list(data.job_runs.items()):
            job_session = data.job_sessions.get(session_id)
            if job_session is None:
                del data.job_runs[session_id]
                continue
            changed |= self._apply_job(job_run, job_session, now_ms)
            if job_session.state == "Stopped":
                del data.job_runs[session_id]
        for session_id, run in list(data.plan_runs.items()):
            session = data.sessions.get(session_id)
            if session is None or session.plan.id != run.plan_id:
                del data.plan_runs[session_id]
                continue
            changed |= self._apply(run, session, session.plan, now_ms)
            if session.state == "Stopped":
                del data.plan_runs[session_id]
        if changed:
            store.changed()
