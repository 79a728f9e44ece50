"""Progress on standard error while the capture runs, and the summary at its end.

On a terminal: one line rewritten in place (the section and query type being read, the
answers so far and an ETA from the paging counts the server gave). Not on a terminal
(a log, CI): one line per section only.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TextIO
from urllib.parse import parse_qsl

__all__ = ["Progress"]

_PAGES = re.compile(rb'"[Pp]agesCount"\s*:\s*(\d+)|PagesCount="(\d+)"')


@dataclass
class Progress:
    """Counts of what was fetched, per query type or path, and the lines that say so."""

    stream: TextIO = field(default_factory=lambda: sys.stderr)
    live: bool | None = None
    per_type: Counter[str] = field(default_factory=Counter)
    fetched: int = 0
    reused: int = 0
    pages_expected: int = 0
    pages_done: int = 0
    started: float = field(default_factory=time.monotonic)
    section: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _last: float = 0.0

    def __post_init__(self) -> None:
        if self.live is None:
            self.live = bool(getattr(self.stream, "isatty", lambda: False)())

    def say(self, line: str) -> None:
        """A line of its own (clears the live line first)."""
        with self._lock:
            if self.live:
                self.stream.write("\r\x1b[K")
            self.stream.write(line + "\n")
            self.stream.flush()

    def answer(self, path: str, body: bytes, *, reused: bool) -> None:
        """One answer arrived (from the server, or from the state of an earlier run)."""
        what, _, query = path.partition("?")
        params = {k.lower(): v for k, v in parse_qsl(query)}
        kind = params.get("type") if what.rstrip("/") == "query" else None
        label = kind or what.split("/", 1)[0] or "entry point"
        with self._lock:
            self.per_type[label] += 1
            if reused:
                self.reused += 1
            else:
                self.fetched += 1
            if kind:
                self.pages_done += 1
                if params.get("page", "1") == "1":
                    found = _PAGES.search(body[-4096:]) or _PAGES.search(body)
                    if found:
                        pages = int(found.group(1) or found.group(2))
                        self.pages_expected += max(pages, 1)
                    else:
                        self.pages_expected += 1
        self._draw(label)

    def eta(self) -> float | None:
        """Seconds left on the query pages known so far, or None."""
        left = self.pages_expected - self.pages_done
        if left <= 0 or self.pages_done == 0:
            return None
        return (time.monotonic() - self.started) / self.pages_done * left

    def _draw(self, label: str) -> None:
        if not self.live:
            return
        now = time.monotonic()
        if now - self._last < 0.1:
            return
        self._last = now
        eta = self.eta()
        left = f", ETA {eta:.0f} s" if eta is not None else ""
        line = (f"{self.section}: {label} ({self.per_type[label]}); {self.fetched} fetched, "
                f"{self.reused} kept; pages {self.pages_done}/"
                f"{max(self.pages_expected, self.pages_done)}{left}")
        with self._lock:
            self.stream.write("\r\x1b[K" + line[:200])
            self.stream.flush()

    def summary(self, sections: dict[str, int], skipped: list[tuple[str, str, str]],
                failed: dict[str, str], recorded: int) -> str:
        """The closing report: items per section, what was left out and why."""
        out = ["Captured:"]
        out += [f"  {name}: {count}" for name, count in sections.items()]
        out.append(f"  recorded answers (paths em-mock does not model): {recorded}")
        out.append(f"Requests: {self.fetched} to the server, {self.reused} answered from "
                   f"the state directory, in {time.monotonic() - self.started:.1f} s.")
        if failed:
            out.append("Sections whose capture failed (left empty):")
            out += [f"  {name}: {why}" for name, why in failed.items()]
        if skipped:
            out.append(f"Skipped ({len(skipped)}):")
            out += [f"  [{section}] {what}: {why}" for section, what, why in skipped]
        else:
            out.append("Nothing skipped.")
        return "\n".join(out)

    def to_json(self) -> str:
        """The counts, for logs."""
        return json.dumps(dict(self.per_type))
