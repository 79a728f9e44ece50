"""The in-memory store: the current data set, its derived caches, and a change counter."""

from __future__ import annotations

import gc
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from em_mock.core.tables import DataSet

T = TypeVar("T")


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
        """The entities of one table as a list (cached per version)."""
        return self.get(("rows", name), lambda: list(self.data.table(name).values()))



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

    def rows(self, name: str) -> list[Any]:
        """Like :meth:`Store.rows`, without writing to the store."""
        data = self.store.data
        return self.get(("rows", name), lambda: list(data.table(name).values()))

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
