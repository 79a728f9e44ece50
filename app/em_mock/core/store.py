"""The in-memory state: the data set, its derived caches, and a change counter.

The data set is a set of named tables, each a dict from bare GUID to entity in creation
order. The core does not know which tables exist: each family declares its own as a
:class:`Table` (or a filtered :class:`View` of one) and reads and writes through it.
"""

from __future__ import annotations

import gc
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class DataSet:
    """Everything the EM API serves: named tables of entities keyed by bare GUID.

    ``anchor_ms`` is the instant the data's times are relative to (see the fixture
    format); ``None`` means the times are absolute.
    """

    def __init__(self, anchor_ms: int | None = None) -> None:
        self.tables: dict[str, dict[str, Any]] = {}
        self.anchor_ms = anchor_ms

    def table(self, name: str) -> dict[str, Any]:
        """The table called ``name`` (created empty on first use)."""
        try:
            return self.tables[name]
        except KeyError:
            created: dict[str, Any] = {}
            self.tables[name] = created
            return created


class Table(Generic[T]):
    """A named table of the data set, declared by the family whose entities it holds."""

    def __init__(self, name: str) -> None:
        self.name = name

    def of(self, data: DataSet) -> dict[str, T]:
        """The table's entities in ``data``, by bare GUID, in creation order."""
        return data.table(self.name)

    def replace(self, data: DataSet, items: dict[str, T]) -> None:
        """Put ``items`` in place of the table's entities in ``data``."""
        data.tables[self.name] = items

    def rows(self, store: Store) -> list[T]:
        """The current entities as a list (cached per data version)."""
        return store.rows(self.name)


class View(Generic[T]):
    """The entities of a table that one test accepts (cached per data version)."""

    def __init__(self, name: str, source: Table[T] | View[T], keep: Callable[[T], bool]) -> None:
        self.name = name
        self.source = source
        self.keep = keep

    def rows(self, store: Store) -> list[T]:
        """The accepted entities, in the source's order."""
        return store.get(("rows", self.name),
                         lambda: [i for i in self.source.rows(store) if self.keep(i)])


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

    def rows(self, name: str) -> list[Any]:
        """The entities of one table as a list (cached per version)."""
        return self.get(("rows", name), lambda: list(self.data.table(name).values()))
