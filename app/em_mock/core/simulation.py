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


@dataclass(frozen=True, slots=True)
class TaskRow:
    """A task as the data set lists it (for the query service): the task, and whether it
    had finished when the clock last moved the simulation."""

    task: EmTask
    finished: bool


# The tasks of every logon session, by ``<owner> <task id>``: written by the simulation
# whenever a task is made, finishes or is forgotten, so every such change is a data change.
TASK_ROWS: Table[TaskRow] = Table("tasks")

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
    _made: int = 0  # bumped whenever a task is made or forgotten
    _listed: int = 0  # ``_made`` when the tasks were last written to the data set
    _next_due: int | None = None  # when the next listed task finishes

    def clear(self) -> None:
        """Forget every task."""
        self.tasks.clear()
        self._counters.clear()
        self._made += 1

    def task(self, owner: str, operation: str, now_ms: int, success: bool, message: str,
             related: tuple[str, str] | None = None, related_name: str | None = None,
             lasts_ms: int | None = None) -> EmTask:
        """A new task of ``owner``'s, finishing after the configured delay (or after
        ``lasts_ms``, for a task that lasts as long as the work it reports)."""
        number = self._counters.get(owner, 0) + 1
        self._counters[owner] = number
        delay = self.task_delay_ms if lasts_ms is None else max(lasts_ms, self.task_delay_ms)
        task = EmTask(f"task-{number}", owner, operation, now_ms + delay, success,
                      message, related, related_name)
        self.tasks[(owner, task.id)] = task
        self._made += 1
        return task

    def forget(self, task: EmTask) -> None:
        """Drop ``task`` (``DELETE /tasks/{id}``)."""
        del self.tasks[(task.owner, task.id)]
        self._made += 1

    def _list_tasks(self, store: Store, now_ms: int) -> bool:
        """Write the tasks to the data set when one was made, finished or forgotten since
        the last time (or the data set was replaced); true if it wrote them."""
        due = self._next_due is not None and now_ms >= self._next_due
        lost = bool(self.tasks) and TASK_ROWS.name not in store.data.tables  # data replaced
        if self._made == self._listed and not due and not lost:
            return False
        TASK_ROWS.replace(store.data, {f"{t.owner} {t.id}": TaskRow(t, t.finished(now_ms))
                                       for t in self.tasks.values()})
        self._listed = self._made
        self._next_due = min((t.finish_ms for t in self.tasks.values()
                              if not t.finished(now_ms)), default=None)
        return True

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
        changed |= self._list_tasks(store, now_ms)
        if changed:
            store.changed()
