"""Failover plan runs that move with the mock's clock, and the ``Task`` that starts them.

A run's whole course is a function of the time since it started: ``Starting`` for a
few seconds, ``Working`` while its VMs fail over one after another, ``Stopping``, then
``Stopped`` with the run's outcome. :meth:`Simulation.advance` brings every active
session up to the clock; nothing happens between requests.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from app.domain.errors import EMError
from app.domain.model import (
    CloudFailoverPlan,
    CloudFailoverSession,
    CloudFailoverTask,
    CloudVmReplicaPoint,
    PlanVm,
)
from app.store.generator import FAILURE_MESSAGES, WARNING_MESSAGES
from app.store.memory import Store

STARTING_MS = 10_000
PER_VM_MS = 30_000
STOPPING_MS = 10_000
OPERATIONS = {"start": "StartCloudFailoverPlan", "test": "TestCloudFailoverPlan",
              "undo": "UndoCloudFailoverPlan"}


@dataclass(slots=True)
class Run:
    """One plan run the clock drives: when it starts, how it ends, which VM explains it."""

    session_id: str
    plan_id: str
    start_ms: int
    outcome: str
    message: str | None
    culprit: int


@dataclass(slots=True)
class EmTask:
    """The ``Task`` a plan action returns; it belongs to the logon session that made it."""

    id: str
    owner: str
    operation: str
    plan_name: str
    finish_ms: int
    session_id: str

    def finished(self, now_ms: int) -> bool:
        """True once the task's delay has passed."""
        return now_ms >= self.finish_ms


def _latest_point(vm: PlanVm, before_ms: int) -> CloudVmReplicaPoint | None:
    earlier = [rp for rp in vm.replica_points if rp.creation_ms <= before_ms]
    return earlier[-1] if earlier else None


def course(run: Run, plan: CloudFailoverPlan, now_ms: int
           ) -> tuple[str, int, int | None, str, str | None, list[CloudFailoverTask]]:
    """``(state, progress, end, result, failure message, tasks)`` of ``run`` at ``now_ms``."""
    n = len(plan.vms)
    working_end = run.start_ms + STARTING_MS + n * PER_VM_MS
    total_end = working_end + STOPPING_MS
    tasks = []
    for k, vm in enumerate(plan.vms):
        begin = run.start_ms + STARTING_MS + k * PER_VM_MS
        point = _latest_point(vm, run.start_ms)
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
    """Active plan runs and the tasks that started them."""

    rng: random.Random
    task_delay_ms: int
    runs: dict[str, Run] = field(default_factory=dict)
    tasks: dict[tuple[str, str], EmTask] = field(default_factory=dict)
    _counters: dict[str, int] = field(default_factory=dict)

    def clear(self) -> None:
        """Forget every run and task."""
        self.runs.clear()
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
        self.runs[session.id] = run
        number = self._counters.get(owner, 0) + 1
        self._counters[owner] = number
        task = EmTask(f"task-{number}", owner, OPERATIONS[action], plan.name,
                      now_ms + self.task_delay_ms, session.id)
        self.tasks[(owner, task.id)] = task
        return task

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
        if not self.runs:
            return
        changed = False
        for session_id, run in list(self.runs.items()):
            session = store.data.sessions.get(session_id)
            if session is None or session.plan.id != run.plan_id:
                del self.runs[session_id]
                continue
            changed |= self._apply(run, session, session.plan, now_ms)
            if session.state == "Stopped":
                del self.runs[session_id]
        if changed:
            store.changed()
