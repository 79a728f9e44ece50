"""Failover plan runs that move with the mock's clock.

A run's whole course is a function of the time since it started: ``Starting`` for a
few seconds, ``Working`` while its VMs fail over one after another, ``Stopping``, then
``Stopped`` with the run's outcome.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from em_mock.core.errors import EMError
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
from em_mock.families.cloud.data import FAILURE_MESSAGES, WARNING_MESSAGES
from em_mock.families.cloud.model import (
    SESSIONS,
    CloudFailoverPlan,
    CloudFailoverSession,
    CloudFailoverTask,
)

OPERATIONS = {"start": "StartCloudFailoverPlan", "test": "TestCloudFailoverPlan",
              "undo": "UndoCloudFailoverPlan"}


@dataclass(slots=True)
class PlanRun:
    """A failover plan run the clock drives (started through an action).

    It starts at its session's ``CreationTimeUTC``; ``outcome`` is how it ends,
    ``message`` the failure or warning text, ``culprit`` the index of the VM that
    explains a warning or failure (-1: none).
    """

    session_id: str
    plan_id: str
    start_ms: int
    outcome: str
    message: str | None
    culprit: int

    def advance(self, store: Store, now_ms: int) -> tuple[bool, bool]:
        """Bring the run's session up to ``now_ms``: ``(changed, finished)``."""
        session = SESSIONS.of(store.data).get(self.session_id)
        if session is None or session.plan.id != self.plan_id:
            return False, True
        changed = apply(self, session, session.plan, now_ms)
        return changed, session.state == "Stopped"


PLAN_RUNS: Table[PlanRun] = Table("plan_runs")
register_run_tables(PLAN_RUNS)


def course(run: PlanRun, plan: CloudFailoverPlan, now_ms: int
           ) -> tuple[str, int, int | None, str, str | None, list[CloudFailoverTask]]:
    """``(state, progress, end, result, failure message, tasks)`` of ``run`` at ``now_ms``."""
    total_end = run.start_ms + duration_ms(len(plan.vms))
    working_end = total_end - STOPPING_MS
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


def apply(run: PlanRun, session: CloudFailoverSession, plan: CloudFailoverPlan,
          now_ms: int) -> bool:
    """Set ``session`` to where ``run`` is at ``now_ms``; true if anything changed."""
    state, progress, end, result, failure, tasks = course(run, plan, now_ms)
    before = (session.state, session.progress, session.end_ms, session.result,
              [(t.state, t.progress) for t in session.tasks])
    session.state, session.progress, session.end_ms = state, progress, end
    session.result, session.failure_message, session.tasks = result, failure, tasks
    return before != (state, progress, end, result, [(t.state, t.progress) for t in tasks])


def running_session(store: Store, plan: CloudFailoverPlan) -> CloudFailoverSession | None:
    """The plan's session that has not stopped yet, if any."""
    for session in reversed(SESSIONS.rows(store)):
        if session.plan is plan and session.state != "Stopped":
            return session
    return None


def duration_ms(n_vms: int) -> int:
    """How long a run over ``n_vms`` VMs lasts, from starting to stopped."""
    return STARTING_MS + n_vms * PER_VM_MS + STOPPING_MS


def draw(rng: random.Random, pinned: str | None, n_vms: int) -> tuple[str, str | None, int]:
    """``(outcome, message, culprit)`` of a new failover run: ``pinned`` if the plan pins
    its outcome, else drawn; the message explains a warning or failure, the culprit is
    the index of the VM it concerns (-1: none)."""
    if pinned is not None:
        outcome = pinned
    else:
        roll = rng.random()
        outcome = "Success" if roll < 0.80 else "Warning" if roll < 0.92 else "Failed"
    message = None
    if outcome == "Failed":
        message = rng.choice(FAILURE_MESSAGES)
    elif outcome == "Warning":
        message = rng.choice(WARNING_MESSAGES)
    return outcome, message, rng.randrange(n_vms) if n_vms else -1


def start(sim: Simulation, store: Store, plan: CloudFailoverPlan, action: str, owner: str,
          now_ms: int, new_id: str) -> EmTask:
    """Open a session for ``plan`` now and return the task that reports it."""
    running = running_session(store, plan)
    if running is not None:
        raise EMError(400, f"Cloud failover plan {plan.name!r} is already running: session "
                           f"urn:veeam:CloudFailoverSession:{running.id} is {running.state}.")
    outcome, message, culprit = draw(sim.rng, plan.outcome, len(plan.vms))
    run = PlanRun(new_id, plan.id, now_ms, outcome, message, culprit)
    session = CloudFailoverSession(new_id, plan, now_ms, None, "Starting", "None", 0)
    apply(run, session, plan, now_ms)
    SESSIONS.of(store.data)[session.id] = session
    store.changed()
    PLAN_RUNS.of(store.data)[session.id] = run
    return sim.task(owner, OPERATIONS[action], now_ms, True,
                    f'Cloud failover plan "{plan.name}" triggered to {action}.',
                    ("CloudFailoverSession", f"cloud/failoverSessions/{session.id}"), plan.name)
