"""Validation helpers shared by the fixture readers: every error names file, path, reason."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from em_mock.core.times import format_instant_ms, parse_instant_ms

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_MISSING = object()


TimeWriter = Callable[[int | None], str | None]


def time_writer(shift_ms: int) -> TimeWriter:
    """How fixture files write an instant (UTC, three fractional digits, ``null`` when
    absent) for data whose times were moved ``shift_ms`` from its source."""
    def write(ms: int | None) -> str | None:
        return None if ms is None else format_instant_ms(ms - shift_ms)
    return write


class FixtureError(Exception):
    """Fixture data that cannot be served; ``errors`` lists every reason found."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class Source:
    """One section item with where it came from, for error messages."""

    file: str
    path: str
    item: Any


@dataclass
class Reader:
    errors: list[str] = field(default_factory=list)
    shift_ms: int = 0

    def error(self, src: Source, key: str | None, reason: str) -> None:
        where = src.path + (f".{key}" if key else "")
        self.errors.append(f"{src.file}: {where}: {reason}")

    def value(self, src: Source, key: str, kind: type | tuple[type, ...], *,
              required: bool = False, default: Any = None, nullable: bool = False) -> Any:
        raw = src.item.get(key, _MISSING)
        if raw is _MISSING:
            if required:
                self.error(src, key, "is required")
            return default
        if raw is None and nullable:
            return None
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if (isinstance(raw, bool) and bool not in kinds) or not isinstance(raw, kinds):
            names = " or ".join(k.__name__.replace("str", "string").replace("int", "integer")
                                .replace("bool", "boolean").replace("list", "array")
                                .replace("dict", "object")
                                for k in kinds)
            self.error(src, key, f"must be {'null or ' if nullable else ''}{names}, "
                       f"not {json.dumps(raw)[:60]}")
            return default
        return raw

    def uid(self, src: Source, key: str, type_name: str, *, required: bool = True,
            nullable: bool = False) -> str | None:
        raw = self.value(src, key, str, required=required, nullable=nullable)
        if raw is None:
            return None
        guid = raw
        if raw.lower().startswith("urn:"):
            parts = raw.split(":")
            if len(parts) != 4 or parts[1] != "veeam" or parts[2] != type_name:
                self.error(src, key, f"{raw!r} is not a UID of the form "
                           f"urn:veeam:{type_name}:<guid>")
                return None
            guid = parts[3]
        if not _GUID.fullmatch(guid):
            self.error(src, key, f"{raw!r} is not a GUID (8-4-4-4-12 hex digits)")
            return None
        return str(guid.lower())

    def time(self, src: Source, key: str, *, required: bool = True) -> int | None:
        raw = self.value(src, key, str, required=required, nullable=not required)
        if raw is None:
            return None
        ms = parse_instant_ms(raw)
        if ms is None:
            self.error(src, key, f"{raw!r} is not a UTC date-time in whole milliseconds "
                       "(e.g. 2026-05-01T12:00:00.250Z)")
            return None
        return ms + self.shift_ms

    def choice(self, src: Source, key: str, allowed: tuple[str, ...], *,
               required: bool = True, default: str | None = None, nullable: bool = False
               ) -> str | None:
        raw = self.value(src, key, str, required=required, default=default, nullable=nullable)
        if raw is not None and raw not in allowed:
            self.error(src, key, f"{raw!r} is not one of {', '.join(allowed)}")
            return default
        return raw  # type: ignore[no-any-return]

    def unknown_keys(self, src: Source, known: tuple[str, ...]) -> None:
        for key in src.item:
            if key not in known:
                self.error(src, key, f"unknown key (known keys: {', '.join(known)})")


def items(reader: Reader, documents: list[tuple[str, Any]], section: str) -> Iterator[Source]:
    for file, doc in documents:
        items = doc.get(section, [])
        if not isinstance(items, list):
            reader.errors.append(f"{file}: $.{section}: must be an array")
            continue
        for i, item in enumerate(items):
            src = Source(file, f"$.{section}[{i}]", item)
            if not isinstance(item, dict):
                reader.error(src, None, "must be an object")
                continue
            yield src


def claim(reader: Reader, seen: dict[str, str], src: Source, guid: str | None) -> bool:
    if guid is None:
        return False
    if guid in seen:
        reader.error(src, "UID", f"duplicate UID {guid} (first used at {seen[guid]})")
        return False
    seen[guid] = f"{src.file}: {src.path}"
    return True


def sub_items(reader: Reader, src: Source, key: str) -> list[Source]:
    """The objects in the array ``key`` of an item (an error for each one that is not)."""
    out = []
    for i, item in enumerate(reader.value(src, key, list, default=[])):
        sub = Source(src.file, f"{src.path}.{key}[{i}]", item)
        if isinstance(item, dict):
            out.append(sub)
        else:
            reader.error(sub, None, "must be an object")
    return out


RUN_OUTCOMES = ("Success", "Warning", "Failed")


def read_run(reader: Reader, src: Source, state: str | None, done: str, message_key: str,
             count: int) -> tuple[str, str | None, int] | None:
    """A session's ``Run`` (a run in flight): ``(outcome, message, culprit)``, or ``None``."""
    raw = reader.value(src, "Run", dict, nullable=True)
    if raw is None:
        return None
    run = Source(src.file, f"{src.path}.Run", raw)
    reader.unknown_keys(run, ("Outcome", message_key, "Culprit"))
    outcome = reader.choice(run, "Outcome", RUN_OUTCOMES)
    message = reader.value(run, message_key, str, nullable=True)
    culprit = reader.value(run, "Culprit", int, default=-1)
    if not -1 <= culprit < max(count, 0):
        reader.error(run, "Culprit", f"{culprit} is not -1 or the index of one of the "
                                     f"{count} tasks")
    if state == done:
        reader.error(src, "Run", f"must be null when State is {done} (the run is over)")
    return None if outcome is None else (outcome, message, culprit)
