"""Splits a filter into tokens.

The lexer is context-sensitive in one place: after an operator comes a value, which
is either double-quoted (``""`` stands for one quote) or bare, running to the next
``;``, ``,`` or ``)`` with spaces dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from em_mock.core.filter.ast import OPERATORS


class LexError(Exception):
    """A filter that cannot be split into tokens; ``position`` is 1-based."""

    def __init__(self, position: int, message: str) -> None:
        super().__init__(message)
        self.position = position
        self.message = message


@dataclass(frozen=True, slots=True)
class Token:
    """``kind`` is one of ``(``, ``)``, ``;``, ``,``, ``field``, ``op``, ``value``, ``end``."""

    kind: str
    text: str
    position: int
    quoted: bool = False


_FIELD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.")
_VALUE_STOP = frozenset(";,)")


def _value(text: str, i: int) -> tuple[Token, int]:
    start = i
    n = len(text)
    while i < n and text[i] == " ":
        i += 1
    if i < n and text[i] == '"':
        out: list[str] = []
        i += 1
        while True:
            close = text.find('"', i)
            if close < 0:
                raise LexError(start + 1, "unterminated quoted value")
            out.append(text[i:close])
            if close + 1 < n and text[close + 1] == '"':
                out.append('"')
                i = close + 2
                continue
            i = close + 1
            break
        return Token("value", "".join(out), start + 1, quoted=True), i
    j = i
    while j < n and text[j] not in _VALUE_STOP:
        j += 1
    raw = text[i:j].replace(" ", "")
    if not raw:
        raise LexError(start + 1, "missing value after the operator")
    return Token("value", raw, i + 1), j


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an ``end`` token."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
        elif c in "();,":
            tokens.append(Token(c, c, i + 1))
            i += 1
        elif c in "=!<>":
            op = text[i:i + 2] if text[i:i + 2] in OPERATORS else c
            if op not in OPERATORS:
                raise LexError(i + 1, f"unknown operator {text[i:i + 2]!r}")
            tokens.append(Token("op", op, i + 1))
            i += len(op)
            token, i = _value(text, i)
            tokens.append(token)
        elif c in _FIELD_CHARS:
            j = i
            while j < n and text[j] in _FIELD_CHARS:
                j += 1
            tokens.append(Token("field", text[i:j], i + 1))
            i = j
        else:
            raise LexError(i + 1, f"unexpected character {c!r}")
    tokens.append(Token("end", "", n + 1))
    return tokens
