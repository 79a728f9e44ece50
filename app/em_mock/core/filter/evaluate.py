"""Turns an AST into a predicate over entities.

Values are compared in normalised form (see :func:`normaliser`). An entity without
a value for a field (``None``) satisfies only ``!=``, as nullable comparisons do in
the vendor's stack.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from em_mock.core.filter.ast import And, Comparison, Expr, Or
from em_mock.core.registry import Kind, QueryField, QueryType

Predicate = Callable[[Any], bool]

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def normaliser(field: QueryField) -> Callable[[Any], Any]:
    """Reads ``field`` from an entity in the form literals are typed to (or ``None``)."""
    get = field.get
    if field.kind in (Kind.STRING, Kind.UID):
        def read_text(obj: Any) -> Any:
            value = get(obj)
            return None if value is None else value.lower()
        return read_text
    if field.kind is Kind.ENUM:
        order = {v: i for i, v in enumerate(field.values)}
        return lambda obj: order.get(get(obj))
    if field.kind is Kind.DATETIME:
        def read_time(obj: Any) -> Any:
            value = get(obj)
            return None if value is None else value * 10_000  # ms to 100 ns ticks
        return read_time
    return get


def _comparison(expr: Comparison, qtype: QueryType) -> Predicate:
    field = qtype.field(expr.field)
    assert field is not None
    read = normaliser(field)
    literal = expr.value
    if expr.op == "!=":
        return lambda obj: read(obj) != literal
    compare = _OPS[expr.op]

    def check(obj: Any) -> bool:
        value = read(obj)
        return value is not None and compare(value, literal)

    return check


def compile_predicate(expr: Expr, qtype: QueryType) -> Predicate:
    """A function telling whether an entity of ``qtype`` matches ``expr``."""
    if isinstance(expr, Comparison):
        return _comparison(expr, qtype)
    parts = [compile_predicate(item, qtype) for item in expr.items]
    if isinstance(expr, And):
        return lambda obj: all(p(obj) for p in parts)
    assert isinstance(expr, Or)
    return lambda obj: any(p(obj) for p in parts)
