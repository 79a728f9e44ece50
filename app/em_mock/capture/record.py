"""Which paths to keep as recorded answers: the ones a client reaches on the server that
em-mock's own route table does not model.

The walk goes where a client goes: the entry point's links, the logon session's links,
the collections among them (their entity lists; not the lists of sessions, restore or
replica points and backup files, which grow with history) and their first items' ``Down``
links. Only what is not modelled is recorded; a modelled path is fetched only when its
list is needed for the next step. An em-mock on the other end (its control API answers)
also names the recorded answers it serves; ``--record PATH`` adds paths by hand.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from em_mock.core.capture import Walk
from em_mock.core.http.recorded import is_modelled

__all__ = ["discover"]

# Collections whose lists grow with the server's history: not crawled for items.
_GROWING = re.compile(r"Session|Point|BackupFile|Task", re.IGNORECASE)
_NEVER = ("sessionmngr", "logonsessions")


def _links(found: Any) -> list[dict[str, Any]]:
    out = []
    if isinstance(found, dict):
        for link in found.get("Links") or ():
            if isinstance(link, dict):
                out.append(link)
    return out


def _entities(found: Any) -> list[dict[str, Any]]:
    """The items of a list answer (the one list in it, however deep)."""
    while isinstance(found, dict):
        lists = [v for k, v in found.items() if k != "Links" and isinstance(v, list)]
        if lists:
            return [x for x in lists[0] if isinstance(x, dict)]
        inner = [v for k, v in found.items() if k != "Links" and isinstance(v, dict)]
        if len(inner) != 1:
            return []
        found = inner[0]
    return []


def discover(walk: Walk, logon_links: Iterable[dict[str, Any]], *, items: int = 10,
             listed: Iterable[str] = (), extra: Iterable[str] = (),
             modelled: Callable[[str], bool] = is_modelled) -> list[str]:
    """The paths (relative to ``/api``, with their query) to record, in walk order."""
    base = (walk.base_url or "").rstrip("/")
    found: dict[str, None] = {}

    def relative(href: str | None) -> str | None:
        if not href:
            return None
        parts = urlsplit(href)
        if parts.scheme and base and not href.lower().startswith(base.lower()):
            return None  # another server's link
        path = parts.path
        if not path.lower().startswith("/api/"):
            return None
        rel = path[4:] + (f"?{parts.query}" if parts.query else "")
        if rel.strip("/").split("/", 1)[0].split("?", 1)[0].lower() in _NEVER:
            return None
        return rel

    def consider(rel: str) -> bool:
        """Note ``rel`` when it is not modelled; True when it is (walk on)."""
        if modelled(rel):
            return True
        found.setdefault(rel)
        return False

    entry = walk.get("")
    links = _links(entry) + list(logon_links)
    paths = {relative(link.get("Href")) for link in links}
    for link in links:
        rel = relative(link.get("Href"))
        if rel is None or not consider(rel):
            continue
        kind = str(link.get("Type") or "")
        if not kind.endswith("List") or _GROWING.search(kind):
            continue
        # One list per collection: the entities (their Down links) when linked.
        if "format=entity" not in rel.lower() and f"{rel}?format=Entity" in paths:
            continue
        answer = walk.get(rel)
        for item in _entities(answer)[:items]:
            for sub in _links(item):
                if sub.get("Rel") == "Down":
                    target = relative(sub.get("Href"))
                    if target is not None:
                        consider(target)
    for rel in (*listed, *extra):
        found.setdefault(rel if rel.startswith("/") else "/" + rel)
    return list(found)
