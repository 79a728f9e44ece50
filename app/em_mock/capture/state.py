"""Resuming: every final answer of the server is kept in a state directory next to the
output as it arrives, so a capture run again after an interruption (Ctrl-C, a crash, a
lost connection) reads those from disk and asks the server only for what is missing.

A file per answer (``answers/<sha256 of accept and path>``): a JSON header line (status,
content type, path), then the body. Answers the server failed (5xx, no answer) are not
kept: the next run asks again. ``meta.json`` keeps what must stay the same across runs:
the server's URL and the instant it gave as its "now" on the first run (the ``Anchor``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from pathlib import Path
from typing import Any

from em_mock.core.capture import Answer

__all__ = ["State"]


class State:
    """The state directory of one capture."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.answers = directory / "answers"
        self.answers.mkdir(parents=True, exist_ok=True)
        self.reused = 0
        self._lock = threading.Lock()

    @staticmethod
    def _name(path: str, accept: str) -> str:
        return hashlib.sha256(f"{accept}\n{path}".encode()).hexdigest()

    def get(self, path: str, accept: str) -> Answer | None:
        """The kept answer of ``GET path`` with ``accept``, or None."""
        file = self.answers / self._name(path, accept)
        try:
            raw = file.read_bytes()
        except OSError:
            return None
        head, _, body = raw.partition(b"\n")
        try:
            meta = json.loads(head)
            answer = Answer(int(meta["status"]), str(meta["type"]), body)
        except (ValueError, KeyError, TypeError):
            return None
        with self._lock:
            self.reused += 1
        return answer

    def put(self, path: str, accept: str, answer: Answer) -> None:
        """Keep a final answer (written whole or not at all)."""
        file = self.answers / self._name(path, accept)
        head = json.dumps({"status": answer.status, "type": answer.content_type,
                           "path": path, "accept": accept}).encode()
        temp = file.with_name(f"{file.name}.{threading.get_ident()}.tmp")
        temp.write_bytes(head + b"\n" + answer.body)
        os.replace(temp, file)

    def meta(self) -> dict[str, Any]:
        """What the first run noted (``{}`` on a first run)."""
        try:
            found = json.loads((self.directory / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return found if isinstance(found, dict) else {}

    def save_meta(self, meta: dict[str, Any]) -> None:
        """Note what later runs must keep."""
        (self.directory / "meta.json").write_text(json.dumps(meta), encoding="utf-8")

    def count(self) -> int:
        """How many answers are kept."""
        return sum(1 for f in self.answers.iterdir() if not f.name.endswith(".tmp"))

    def remove(self) -> None:
        """Clean up after a finished capture."""
        shutil.rmtree(self.directory, ignore_errors=True)
