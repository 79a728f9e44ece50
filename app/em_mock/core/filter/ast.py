"""The filter AST. Literals are already typed for their field (see ``typed_literal``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

OPERATORS = ("==", "!=", "<=", ">=", "<", ">")


@dataclass(frozen=True, slots=True)
class Comparison:
    """``field op value``; ``field`` is the declared spelling, ``value`` the typed literal."""

    field: str
    op: str
    value: object


@dataclass(frozen=True, slots=True)
class And:
    """All of ``items`` (``;``)."""

    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """Any of ``items`` (``,``)."""

    items: tuple[Expr, ...]


Expr = Union[Comparison, And, Or]  # noqa: UP007 - a runtime alias used in isinstance-free code
