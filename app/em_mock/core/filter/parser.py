"""Parses a filter into an AST checked against a query type's fields.

Grammar (``;`` is AND and binds tighter than ``,``, which is OR)::

    or_expr    := and_expr ( "," and_expr )*
    and_expr   := term ( ";" term )*
    term       := "(" or_expr ")" | FIELD OP VALUE
"""

from __future__ import annotations

import re
from functools import lru_cache

from em_mock.core.filter.ast import And, Comparison, Expr, Or
from em_mock.core.filter.lexer import LexError, Token, tokenize
from em_mock.core.registry import Kind, QueryField, QueryType
from em_mock.core.times import parse_instant_ticks

MAX_LENGTH = 64 * 1024
MAX_DEPTH = 100

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_INT = re.compile(r"^[+-]?\d{1,19}$")


class FilterError(Exception):
    """A filter the server rejects; the message names the position and the token."""


def _fail(position: int, message: str) -> FilterError:
    return FilterError(f"filter error at position {position}: {message}")


def typed_literal(field: QueryField, text: str, position: int) -> object:
    """The comparable value of ``text`` for ``field``; raises :class:`FilterError`."""
    kind = field.kind
    if kind is Kind.STRING:
        return text.lower()
    if kind is Kind.ENUM:
        lowered = [v.lower() for v in field.values]
        if text.lower() not in lowered:
            allowed = ", ".join(field.values)
            raise _fail(position, f"{text!r} is not a value of {field.name} (one of: {allowed})")
        return lowered.index(text.lower())
    if kind is Kind.DATETIME:
        ticks = parse_instant_ticks(text)
        if ticks is None:
            raise _fail(position, f"{text!r} is not a date-time for {field.name} "
                        "(use e.g. 2025-08-14T12:31:30.389Z or 2025-08-14)")
        return ticks
    if kind is Kind.UID:
        guid = text
        if text.lower().startswith("urn:"):
            parts = text.split(":")
            if (len(parts) != 4 or parts[1].lower() != "veeam"
                    or parts[2].lower() != field.uid_type.lower()):
                raise _fail(position, f"{text!r} is not a UID of type {field.uid_type} "
                            f"(use urn:veeam:{field.uid_type}:<guid> or the bare GUID)")
            guid = parts[3]
        if not _GUID.fullmatch(guid):
            raise _fail(position, f"{text!r} is not a GUID for {field.name}")
        return guid.lower()
    if kind is Kind.INT:
        if not _INT.fullmatch(text):
            raise _fail(position, f"{text!r} is not an integer for {field.name}")
        return int(text)
    if text.lower() not in ("true", "false"):
        raise _fail(position, f"{text!r} is not true or false for {field.name}")
    return text.lower() == "true"


class _Parser:
    def __init__(self, tokens: list[Token], qtype: QueryType) -> None:
        self.tokens = tokens
        self.i = 0
        self.qtype = qtype

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def or_expr(self, depth: int) -> Expr:
        items = [self.and_expr(depth)]
        while self.peek().kind == ",":
            self.take()
            items.append(self.and_expr(depth))
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self, depth: int) -> Expr:
        items = [self.term(depth)]
        while self.peek().kind == ";":
            self.take()
            items.append(self.term(depth))
        return items[0] if len(items) == 1 else And(tuple(items))

    def term(self, depth: int) -> Expr:
        token = self.take()
        if token.kind == "(":
            if depth >= MAX_DEPTH:
                raise _fail(token.position, f"parentheses nested deeper than {MAX_DEPTH} levels")
            inner = self.or_expr(depth + 1)
            close = self.take()
            if close.kind != ")":
                raise _fail(close.position, f"expected ')' to close the '(' at position "
                            f"{token.position}, found {_describe(close)}")
            return inner
        if token.kind != "field":
            raise _fail(token.position, f"expected a field name, found {_describe(token)}")
        field = self.qtype.field(token.text)
        if field is None:
            known = ", ".join(f.name for f in self.qtype.fields)
            raise _fail(token.position, f"unknown field {token.text!r} for type "
                        f"{self.qtype.name} (known fields: {known})")
        op = self.take()
        if op.kind != "op":
            raise _fail(op.position, f"expected an operator (==, !=, <, <=, >, >=) after "
                        f"{token.text!r}, found {_describe(op)}")
        value = self.take()
        return Comparison(field.name, op.text, typed_literal(field, value.text, value.position))


def _describe(token: Token) -> str:
    if token.kind == "end":
        return "the end of the filter"
    return repr(token.text)


def parse_filter(text: str, qtype: QueryType) -> Expr:
    """The AST of ``text`` for ``qtype``; raises :class:`FilterError` with the position."""
    if len(text) > MAX_LENGTH:
        raise FilterError(f"filter error: the filter is {len(text)} characters long; "
                          f"the limit is {MAX_LENGTH}")
    return _parse_cached(text, qtype.name)


@lru_cache(maxsize=1024)
def _parse_cached(text: str, type_name: str) -> Expr:
    from em_mock.core.registry import query_type

    qtype = query_type(type_name)
    assert qtype is not None
    try:
        tokens = tokenize(text)
    except LexError as exc:
        raise _fail(exc.position, exc.message) from None
    parser = _Parser(tokens, qtype)
    if parser.peek().kind == "end":
        raise _fail(1, "the filter is empty")
    expr = parser.or_expr(0)
    rest = parser.peek()
    if rest.kind != "end":
        if rest.kind == ")":
            raise _fail(rest.position, "')' without a matching '('")
        raise _fail(rest.position, f"expected ';', ',' or the end of the filter, "
                    f"found {_describe(rest)}")
    return expr
