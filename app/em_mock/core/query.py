"""Runs a query: filter, sort and page the rows of one query type.

Equalities are answered from value indexes, other comparisons from a column of each
field's values, sorting from pre-sorted orders; all are built lazily and kept until
the data changes (the caller's ``cache`` is emptied on every change).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from em_mock.core.filter import And, Comparison, Expr, Or, compile_predicate
from em_mock.core.filter.evaluate import normaliser
from em_mock.core.registry import Kind, QueryType

T = TypeVar("T")
_INDEXED = (Kind.ENUM, Kind.UID, Kind.BOOL)


class Cache(Protocol):
    """Memoises derived structures until the data changes."""

    def get(self, key: tuple[Any, ...], build: Callable[[], T]) -> T:
        """The cached value for ``key``, built on first use."""
        ...

    def memo(self, key: tuple[Any, ...], build: Callable[[], T]) -> T:
        """Like ``get``, for the few most recently used keys only."""
        ...


@dataclass(frozen=True, slots=True)
class Sort:
    """Sort on ``field`` (declared spelling), descending when ``descending``."""

    field: str
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Page:
    """The rows of one page and what ``PagingInfo`` reports."""

    rows: list[Any]
    total: int
    page: int
    page_size: int

    @property
    def pages_count(self) -> int:
        """``ceil(total / page_size)``."""
        return math.ceil(self.total / self.page_size)


def _value_index(rows: Sequence[Any], qtype: QueryType, name: str) -> dict[Any, list[int]]:
    field = qtype.field(name)
    assert field is not None
    read = normaliser(field)
    index: dict[Any, list[int]] = {}
    for position, row in enumerate(rows):
        index.setdefault(read(row), []).append(position)
    return index


def _sorted_positions(rows: Sequence[Any], qtype: QueryType, sort: Sort) -> list[int]:
    field = qtype.field(sort.field)
    assert field is not None
    read = normaliser(field)
    keys = [read(row) for row in rows]

    def key(position: int) -> tuple[int, Any]:
        value = keys[position]
        return (0, 0) if value is None else (1, value)

    return sorted(range(len(rows)), key=key, reverse=sort.descending)


def _column(rows: Sequence[Any], qtype: QueryType, name: str) -> list[Any]:
    field = qtype.field(name)
    assert field is not None
    read = normaliser(field)
    return [read(row) for row in rows]


_RANGES = ("<", "<=", ">", ">=")


def _range_column(column: list[Any]) -> tuple[list[Any], list[int]]:
    """A field's values (``None`` left out) in ascending order, and their positions."""
    pairs = sorted((v, i) for i, v in enumerate(column) if v is not None)
    return [v for v, _ in pairs], [i for _, i in pairs]


def _range(ranged: tuple[list[Any], list[int]], op: str, literal: Any) -> list[int]:
    """Positions whose value satisfies ``value op literal`` (a range operator), by bisection
    on the sorted column instead of a pass over every row."""
    values, positions = ranged
    if op == ">=":
        return positions[bisect.bisect_left(values, literal):]
    if op == ">":
        return positions[bisect.bisect_right(values, literal):]
    if op == "<":
        return positions[:bisect.bisect_left(values, literal)]
    return positions[:bisect.bisect_right(values, literal)]


def _scan(column: list[Any], op: str, literal: Any) -> set[int]:
    """Positions whose value satisfies ``value op literal`` (``None`` satisfies only ``!=``)."""
    if op == "!=":
        return {i for i, v in enumerate(column) if v != literal}
    if op == "<":
        return {i for i, v in enumerate(column) if v is not None and v < literal}
    if op == "<=":
        return {i for i, v in enumerate(column) if v is not None and v <= literal}
    if op == ">":
        return {i for i, v in enumerate(column) if v is not None and v > literal}
    if op == ">=":
        return {i for i, v in enumerate(column) if v is not None and v >= literal}
    return {i for i, v in enumerate(column) if v is not None and v == literal}


def count_comparisons(expr: Expr) -> int:
    """How many comparisons ``expr`` holds (what the filter-complexity limit counts)."""
    if isinstance(expr, Comparison):
        return 1
    return sum(count_comparisons(item) for item in expr.items)


def _equality(expr: Expr, qtype: QueryType, any_kind: bool) -> bool:
    if not isinstance(expr, Comparison) or expr.op != "==":
        return False
    field = qtype.field(expr.field)
    return field is not None and (any_kind or field.kind in _INDEXED)


def _positions(expr: Expr, rows: Sequence[Any], qtype: QueryType, cache: Cache,
               type_key: tuple[Any, ...]) -> set[int]:
    """Row positions matching ``expr``.

    Equalities are looked up in value indexes (any kind of field: an OR-list of names
    costs one lookup per name, not one pass per name); other comparisons pass once over
    the field's cached column of normalised values. Inside an AND, once indexed
    equalities have narrowed the rows down, the other terms are checked on those rows
    only.
    """
    if isinstance(expr, Comparison):
        if expr.op == "==":
            index = cache.get((*type_key, "index", expr.field),
                              lambda: _value_index(rows, qtype, expr.field))
            return set(index.get(expr.value, ()))
        column = cache.get((*type_key, "column", expr.field),
                           lambda: _column(rows, qtype, expr.field))
        if expr.op in _RANGES:
            return set(_range(_ranged(column, cache, type_key, expr.field), expr.op,
                              expr.value))
        return _scan(column, expr.op, expr.value)
    if isinstance(expr, Or):
        found: set[int] = set()
        for item in expr.items:
            found |= _positions(item, rows, qtype, cache, type_key)
        return found
    assert isinstance(expr, And)
    looked_up = [item for item in expr.items if _equality(item, qtype, any_kind=True)]
    rest = [item for item in expr.items if not _equality(item, qtype, any_kind=True)]
    if looked_up:
        result = set.intersection(*[_positions(item, rows, qtype, cache, type_key)
                                    for item in looked_up])
        ranges = [item for item in rest if isinstance(item, Comparison) and item.op in _RANGES]
        for term in ranges:
            if not result:
                break
            name = term.field
            column = cache.get((*type_key, "column", name),
                               lambda name=name: _column(rows, qtype, name))  # type: ignore[misc]
            within = _range(_ranged(column, cache, type_key, name), term.op, term.value)
            if len(result) * 30 >= len(within):  # else checking the few rows left is cheaper
                result = result.intersection(within)
                rest.remove(term)
        if rest and result:
            check = compile_predicate(And(tuple(rest)), qtype)
            result = {pos for pos in result if check(rows[pos])}
        return result
    result = _positions(rest[0], rows, qtype, cache, type_key)
    for item in rest[1:]:
        if not result:
            break
        result &= _positions(item, rows, qtype, cache, type_key)
    return result


def _ranged(column: list[Any], cache: Cache, type_key: tuple[Any, ...], name: str
            ) -> tuple[list[Any], list[int]]:
    return cache.get((*type_key, "ranged", name), lambda: _range_column(column))


def _matching(expr: Expr, rows: Sequence[Any], qtype: QueryType, cache: Cache,
              type_key: tuple[Any, ...]) -> list[int]:
    """Positions of the rows matching ``expr``, ascending (creation order)."""
    return sorted(_positions(expr, rows, qtype, cache, type_key))


def _in_order(positions: list[int], order: list[int], rows: Sequence[Any], cache: Cache,
              key: tuple[Any, ...]) -> list[int]:
    """``positions`` in the sort ``order``: by rank when few, by walking ``order`` when many."""
    if len(positions) * 8 >= len(rows):
        members = set(positions)
        return [pos for pos in order if pos in members]

    def ranks() -> list[int]:
        out = [0] * len(rows)
        for r, pos in enumerate(order):
            out[pos] = r
        return out

    rank = cache.get((*key, "rank"), ranks)
    return sorted(positions, key=rank.__getitem__)


def run_query(
    qtype: QueryType,
    rows: Sequence[Any],
    cache: Cache,
    *,
    expr: Expr | None = None,
    sort: Sort | None = None,
    page: int = 1,
    page_size: int = 100,
) -> Page:
    """Filter ``rows`` (in creation order), sort them and cut out one page.

    Clients page through the same filter and sort again and again, so the ordered
    matches of the most recent queries are kept until the data changes.
    """
    type_key = (qtype.name,)
    positions: Sequence[int] = range(len(rows))
    if expr is not None:
        positions = cache.memo((*type_key, "matches", expr),
                               lambda: _matching(expr, rows, qtype, cache, type_key))
    if sort is not None:
        sort_key = (*type_key, "sorted", sort.field, sort.descending)
        order = cache.get(sort_key, lambda: _sorted_positions(rows, qtype, sort))
        if expr is None:
            positions = order
        else:
            found = positions
            positions = cache.memo((*sort_key, expr),
                                   lambda: _in_order(list(found), order, rows, cache, sort_key))
    start = (page - 1) * page_size
    chosen = positions[start:start + page_size] if start < len(positions) else []
    return Page([rows[pos] for pos in chosen], len(positions), page, page_size)
