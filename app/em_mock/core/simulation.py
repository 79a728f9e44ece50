"""Runs that move with the mock's clock, and the ``Task`` documents actions return.

A run (a failover plan's, a job's) is a function of the time since it started;
:meth:`Simulation.advance` brings every active run's session up to the clock, so
nothing happens between requests. Families define their runs and keep them in tables of
the data set, so runs in flight are exported, loaded and replaced with the data, and a
restarted server continues them; the core drives every registered run table.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Protocol

from em_mock.core.store import Store
from em_mock.core.tables import Table

STARTING_MS = 10_000
PER_VM_MS = 30_000
STOPPING_MS = 10_000


class Run(Protocol):
    """A session the clock drives."""

    def advance(self, store: Store, now_ms: int) -> tuple[bool, bool]:
        """Bring the session up to ``now_ms``: ``(changed, finished)``."""
        ...  # pragma: no cover


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


RUN_TABLES: list[Table[Any]] = []


def register_run_tables(*tables: Table[Any]) -> None:
    """Tables of runs in flight (by session id) for the clock to drive."""
    RUN_TABLES.extend(tables)


@dataclass
class Simulation:
    """Drives the data set's runs in flight; keeps the tasks actions returned (by owner and
    id)."""

    rng: random.Random
    task_delay_ms: int
    tasks: dict[tuple[str, str], EmTask] = field(default_factory=dict)
    _counters: dict[str, int] = field(default_factory=dict)

    def clear(self) -> None:
        """Forget every task."""
        self.tasks.clear()
        self._counters.clear()

    def task(self, owner: str, operation: str, now_ms: int, success: bool, message: str,
             related: tuple[str, str] | None = None, related_name: str | None = None
             ) -> EmTask:
        """A new task of ``owner``'s, finishing after the configured delay."""
        number = self._counters.get(owner, 0) + 1
        self._counters[owner] = number
        task = EmTask(f"task-{number}", owner, operation, now_ms + self.task_delay_ms, success,
                      message, related, related_name)
        self.tasks[(owner, task.id)] = task
        return task

    def advance(self, store: Store, now_ms: int) -> None:
        """Bring every active run's session up to ``now_ms``; forget the runs that ended."""
        changed = False
        for table in RUN_TABLES:
            runs: dict[str, Run] = table.of(store.data)
            for session_id, run in list(runs.items()):
                moved, finished = run.advance(store, now_ms)
                changed |= moved
                if finished:
                    del runs[session_id]
        if changed:
            store.changed()
