"""The request journal: a bounded ring buffer of the EM API requests the mock answered."""

from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Entry:
    """One answered request."""

    time: str
    method: str
    path: str
    query: str
    status: int
    duration_ms: float
    fault: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The entry as the control API shows it."""
        return asdict(self)


class Journal:
    """Keeps the newest ``size`` entries; size 0 keeps none."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: deque[Entry] = deque(maxlen=max(size, 1))

    def add(self, entry: Entry) -> None:
        """Record ``entry`` (dropping the oldest when full)."""
        if self.size:
            self._entries.append(entry)

    def clear(self) -> None:
        """Forget every entry."""
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries) if self.size else 0

    def newest_first(self, method: str | None = None, path: str | None = None,
                     status: int | None = None) -> list[Entry]:
        """Entries, newest first, optionally only those matching each filter given.

        ``path`` matches as a case-insensitive substring.
        """
        out = []
        for entry in reversed(self._entries):
            if method and entry.method != method.upper():
                continue
            if path and path.lower() not in entry.path.lower():
                continue
            if status is not None and entry.status != status:
                continue
            out.append(entry)
        return out
