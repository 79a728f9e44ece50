"""The data set as named tables, and the declarations families read and write them by.

The data set is a set of named tables, each a dict from bare GUID to entity in creation
order. The core does not know which tables exist: each family declares its own as a
:class:`Table` (or a filtered :class:`View` of one) and reads and writes through it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Store(Protocol):
    """What tables need of the store: rows and derived values cached per data version."""

    def rows(self, name: str) -> list[Any]:
        """The entities of one table as a list."""
        ...  # pragma: no cover

    def get(self, key: tuple[Any, ...], build: Callable[[], R]) -> R:
        """A derived value for the current data version, built on first use."""
        ...  # pragma: no cover


class DataSet:
    """Everything the EM API serves: named tables of entities keyed by bare GUID.

    ``anchor_ms`` is the instant the data's times are relative to (see the fixture
    format); ``None`` means the times are absolute. ``source_anchor_ms`` is that same
    instant as its source wrote it (the file's ``Anchor``): an export writes every time
    in the source's frame, so export, load and export again gives the same bytes at any
    clock.
    """

    def __init__(self, anchor_ms: int | None = None, source_anchor_ms: int | None = None
                 ) -> None:
        self.tables: dict[str, dict[str, Any]] = {}
        self.anchor_ms = anchor_ms
        self.source_anchor_ms = source_anchor_ms

    @property
    def frame_shift_ms(self) -> int:
        """How far the data's times were moved from its source's (0 for absolute times)."""
        if self.anchor_ms is None or self.source_anchor_ms is None:
            return 0
        return self.anchor_ms - self.source_anchor_ms

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
