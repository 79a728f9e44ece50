"""Restore runs that move with the mock's clock: a restore session is ``Starting`` for
ten seconds, ``Working`` for a minute (its progress rising), ``Stopping`` for ten
seconds, then ``Stopped`` with its outcome."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from em_mock.core.simulation import (
    STARTING_MS,
    STOPPING_MS,
    EmTask,
    Simulation,
    register_run_tables,
)
from em_mock.core.store import Store
from em_mock.core.tables import Table
from em_mock.families.jobs.model import TaskSession
from em_mock.families.restore.model import RESTORE_SESSIONS, RestoreSession

WORKING_MS = 60_000


@dataclass(slots=True)
class RestoreRun:
    """A restore session the clock drives."""

    session_id: str
    start_ms: int
    outcome: str

    def advance(self, store: Store, now_ms: int) -> tuple[bool, bool]:
        """Bring the run's session up to ``now_ms``: ``(changed, finished)``."""
        session = RESTORE_SESSIONS.of(store.data).get(self.session_id)
        if session is None:
            return False, True
        changed = apply(self, session, now_ms)
        return changed, session.state == "Stopped"


RESTORE_RUNS: Table[RestoreRun] = Table("restore_runs")
register_run_tables(RESTORE_RUNS)


def apply(run: RestoreRun, s: RestoreSession, now_ms: int) -> bool:
    """Set ``s`` to where ``run`` is at ``now_ms``; true if that changed anything."""
    before = (s.state, s.progress, s.result)
    working = run.start_ms + STARTING_MS
    stopping = working + WORKING_MS
    if now_ms < working:
        s.state, s.progress, s.result, s.end_ms = "Starting", 0, "None", None
    elif now_ms < stopping:
        s.state, s.result, s.end_ms = "Working", "None", None
        s.progress = 5 + (now_ms - working) * 90 // WORKING_MS
    elif now_ms < stopping + STOPPING_MS:
        s.state, s.progress, s.result, s.end_ms = "Stopping", 95, "None", None
    else:
        s.state, s.progress, s.result = "Stopped", 100, run.outcome
        s.end_ms = stopping + STOPPING_MS
    return before != (s.state, s.progress, s.result)


def start_restore(sim: Simulation, store: Store, point: TaskSession, job_type: str,
                  owner: str, now_ms: int, new_id: Callable[[], str], operation: str,
                  what: str | None = None) -> tuple[EmTask, RestoreSession]:
    """Start a restore session from ``point``; its task links the session when done.
    ``what`` names the restored thing in the task's message (default: the point's VM)."""
    session = RestoreSession(new_id(), point, job_type, now_ms, None, "Starting", "None", 0)
    run = RestoreRun(session.id, now_ms, "Success")
    apply(run, session, now_ms)
    RESTORE_SESSIONS.of(store.data)[session.id] = session
    RESTORE_RUNS.of(store.data)[session.id] = run
    store.changed()
    if what is None:
        what = f'VM "{point.vm_name}"' if job_type == "RestoreVm" else \
            f'Guest files of "{point.vm_name}"'
    task = sim.task(owner, operation, now_ms, True, f"{what} restore started.",
                    ("RestoreSession", f"restoreSessions/{session.id}"), point.vm_name)
    return task, session
