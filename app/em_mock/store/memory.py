"""The in-memory state: the data set, its derived caches, and a change counter."""

from __future__ import annotations

import gc
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from em_mock.domain.model import (
    BackupServer,
    CloudFailoverPlan,
    CloudFailoverSession,
    CloudTenant,
    CloudVmReplicaPoint,
    DiscoveredComputer,
    Job,
    JobSession,
    ProtectionGroup,
    Repository,
    TaskSession,
)

T = TypeVar("T")


@dataclass(eq=False)
class DataSet:
    """Everything the EM API serves, keyed by bare GUID, in creation order.

    ``anchor_ms`` is the instant the data's times are relative to (see the fixture
    format); ``None`` means the times are absolute.
    """

    backup_servers: dict[str, BackupServer] = field(default_factory=dict)
    tenants: dict[str, CloudTenant] = field(default_factory=dict)
    plans: dict[str, CloudFailoverPlan] = field(default_factory=dict)
    sessions: dict[str, CloudFailoverSession] = field(default_factory=dict)
    replica_points: dict[str, CloudVmReplicaPoint] = field(default_factory=dict)
    repositories: dict[str, Repository] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)
    job_sessions: dict[str, JobSession] = field(default_factory=dict)
    task_sessions: dict[str, TaskSession] = field(default_factory=dict)
    protection_groups: dict[str, ProtectionGroup] = field(default_factory=dict)
    discovered_computers: dict[str, DiscoveredComputer] = field(default_factory=dict)
    anchor_ms: int | None = None

    def index_task_sessions(self) -> None:
        """Rebuild ``task_sessions`` from the job sessions' tasks."""
        self.task_sessions = {t.id: t for s in self.job_sessions.values() for t in s.tasks}

    def index_replica_points(self) -> None:
        """Rebuild ``replica_points`` from the plans' VMs."""
        self.replica_points = {
            rp.id: rp for plan in self.plans.values() for vm in plan.vms for rp in vm.replica_points
        }


def settle_heap() -> None:
    """Collect garbage, then move what is left out of the collector's sight.

    The data set is large and long-lived; without this, every full collection walks it
    all, and requests that happen to trigger one stall for a long time. Only for a
    process that serves one store (the CLI): it affects every object in the process.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class Store:
    """Holds the current :class:`DataSet`; every change bumps ``version`` and drops caches.

    All access happens on the server's event loop, one request at a time between
    awaits, so a response always sees one version of the data.
    """

    MEMO_SIZE = 16

    def __init__(self, data: DataSet, *, settle: bool = False) -> None:
        self.data = data
        self.version = 0
        self.settle = settle
        self._cache: dict[tuple[Any, ...], Any] = {}
        self._memo: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        if settle:
            settle_heap()

    def replace(self, data: DataSet) -> None:
        """Swap in a whole new data set."""
        self.data = data
        self.changed()
        if self.settle:
            settle_heap()

    def changed(self) -> None:
        """Record that the data changed: derived structures are rebuilt on next use."""
        self.version += 1
        self._cache.clear()
        self._memo.clear()

    def memo(self, key: tuple[Any, ...], build: Callable[[], T]) -> T:
        """Like :meth:`get`, but only the ``MEMO_SIZE`` most recently used keys are kept:
        for per-query results, whose keys a client chooses."""
        try:
            self._memo.move_to_end(key)
            value: T = self._memo[key]
        except KeyError:
            value = self._memo[key] = build()
            if len(self._memo) > self.MEMO_SIZE:
                self._memo.popitem(last=False)
        return value

    def get(self, key: tuple[Any, ...], build: Callable[[], T]) -> T:
        """A derived structure for the current version, built on first use."""
        try:
            value: T = self._cache[key]
        except KeyError:
            value = self._cache[key] = build()
        return value

    def staged(self) -> Staged:
        """A view of the caches for work done off the event loop (see :class:`Staged`)."""
        return Staged(self)

    def rows(self, name: str) -> list[Any]:
        """The entities of one collection as a list (cached per version)."""
        return self.get(("rows", name), lambda: list(getattr(self.data, name).values()))

    def session_rows(self) -> list[CloudFailoverSession]:
        """Cloud failover sessions in creation order."""
        return self.rows("sessions")

    def server_rows(self) -> list[BackupServer]:
        """Backup servers in creation order."""
        return self.rows("backup_servers")

    def plan_rows(self) -> list[CloudFailoverPlan]:
        """Cloud failover plans in creation order."""
        return self.rows("plans")

    def filtered(self, name: str, keep: Callable[[Any], bool], source: str) -> list[Any]:
        """The items of collection ``source`` that ``keep`` accepts (cached as ``name``)."""
        return self.get(("rows", name), lambda: [i for i in self.rows(source) if keep(i)])

    def job_session_rows(self) -> list[JobSession]:
        """Every job session, backup and replication, in creation order."""
        return self.rows("job_sessions")

    def backup_session_rows(self) -> list[JobSession]:
        """Backup job sessions (every job type but replication), in creation order."""
        return self.filtered("backup_sessions", lambda s: not s.job.is_replica, "job_sessions")

    def replica_session_rows(self) -> list[JobSession]:
        """Replication job sessions, in creation order."""
        return self.filtered("replica_sessions", lambda s: s.job.is_replica, "job_sessions")

    def backup_task_rows(self) -> list[TaskSession]:
        """Backup task sessions, in creation order."""
        return self.filtered("backup_tasks", lambda t: not t.session.job.is_replica,
                             "task_sessions")

    def replica_task_rows(self) -> list[TaskSession]:
        """Replication task sessions, in creation order."""
        return self.filtered("replica_tasks", lambda t: t.session.job.is_replica,
                             "task_sessions")

    def job_rows(self) -> list[Job]:
        """Jobs in creation order."""
        return self.rows("jobs")

    def repository_rows(self) -> list[Repository]:
        """Repositories in creation order."""
        return self.rows("repositories")

    def computer_rows(self) -> list[DiscoveredComputer]:
        """Discovered computers in creation order."""
        return self.rows("discovered_computers")


_MISSING: Any = object()


class Staged:
    """The store's caches as seen by work in a worker thread.

    The event loop may change the data while the thread works, so the thread never
    writes to the store: it reads what the store has cached, keeps what it builds to
    itself, and :meth:`commit` (back on the loop) hands that over only if the data is
    still the version the work started on. ``current`` tells the loop whether the
    thread's result describes one version of the data: every change, in place (plan and
    job runs) or by replacement, bumps the store's version.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.version = store.version
        self._built: dict[tuple[Any, ...], Any] = {}
        self._memo: dict[tuple[Any, ...], Any] = {}

    @property
    def current(self) -> bool:
        """True while the store is still at the version the work started on."""
        return self.store.version == self.version

    def _lookup(self, mine: dict[tuple[Any, ...], Any], theirs: Any, key: tuple[Any, ...],
                build: Callable[[], T]) -> T:
        value = mine.get(key, _MISSING)
        if value is _MISSING:
            value = theirs.get(key, _MISSING)  # one dict read: atomic for other threads
        if value is _MISSING:
            value = mine[key] = build()
        return value  # type: ignore[no-any-return]

    def get(self, key: tuple[Any, ...], build: Callable[[], T]) -> T:
        """Like :meth:`Store.get`, without writing to the store."""
        return self._lookup(self._built, self.store._cache, key, build)

    def memo(self, key: tuple[Any, ...], build: Callable[[], T]) -> T:
        """Like :meth:`Store.memo`, without writing to the store."""
        return self._lookup(self._memo, self.store._memo, key, build)

    def commit(self) -> None:
        """On the event loop: keep what was built, if the data is still that version."""
        if not self.current:
            return
        for key, value in self._built.items():
            self.store._cache.setdefault(key, value)
        for key, value in self._memo.items():
            self.store.memo(key, _constant(value))


def _constant(value: T) -> Callable[[], T]:
    return lambda: value
