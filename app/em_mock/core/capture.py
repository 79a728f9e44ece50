"""Reading a live server back into fixture sections: what ``em-mock capture`` gives the
families.

A family declares beside each fixture :class:`~em_mock.core.fixtures.Section` a
``capture`` function: given a :class:`Walk` over a live Enterprise Manager (or an
em-mock), it returns the section's items in the fixture format, as ``write`` would have
written them. The walk hides the transport (rate limit, retries, resuming, progress: the
capture command's business) and the profile: every JSON answer reaches the families with
EM 12's PascalCase keys, whichever profile the server speaks.

Times are kept as the server wrote them (UTC); the capture writes the server's clock as
the document's ``Anchor``, so the data keeps its age when em-mock serves it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from em_mock.core.times import format_instant_ms, parse_instant_ms

__all__ = ["Answer", "CaptureSkip", "Fetch", "Walk", "all_of", "any_of", "guid_of", "href_id",
           "link_id", "link_uid", "pascal_tree", "server_uid", "time_of"]


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer of the server: status, content type and body."""

    status: int
    content_type: str
    body: bytes


# GET ``path`` (relative to the server's ``/api``, with its query string) with ``Accept``
# set to the given media type; the capture command's transport.
Fetch = Callable[[str, str], Answer]


class CaptureSkip(Exception):
    """A section's capture cannot go on; ``Walk.skipped`` says why."""


def _pascal(key: str) -> str:
    """EM 12's spelling of an EM 13 key (the inverse of the camel-case rule on the keys
    EM uses: a leading run of lower-case letters that was a run of capitals stays one)."""
    if not key or key[0].isupper():
        return key
    return _PASCAL_SPECIAL.get(key) or key[0].upper() + key[1:]


# Keys whose leading run of capitals the camel-case rule folded into lower case.
_PASCAL_SPECIAL = {"uid": "UID", "id": "ID", "nasJobs": "NASJobs", "cpuCount": "CPUCount"}
# The same for the NAS and CDP families' keys.
_PASCAL_SPECIAL.update({
    "acl": "ACL", "nasJob": "NASJob", "nasObject": "NASObject", "nasObjects": "NASObjects",
    "nasJobAdvancedStorageOptions": "NASJobAdvancedStorageOptions",
    "nasServerAdvancedOptions": "NASServerAdvancedOptions", "fsRoots": "FSRoots",
    "rpoReporting": "RPOReporting", "rpoSchedule": "RPOSchedule",
    "rpoThresholdMinutes": "RPOThresholdMinutes", "rpoThresholdSeconds": "RPOThresholdSeconds",
})


def pascal_tree(value: Any) -> Any:
    """Every key at every depth in EM 12's spelling."""
    if isinstance(value, dict):
        return {_pascal(k): pascal_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [pascal_tree(v) for v in value]
    return value


def link_id(entity: dict[str, Any], type_name: str, rel: str | None = None) -> str | None:
    """The last path segment of the first link of ``type_name`` (and ``rel``), or None."""
    for link in entity.get("Links") or ():
        if link.get("Type") == type_name and (rel is None or link.get("Rel") == rel):
            path = urlsplit(link.get("Href") or "").path.rstrip("/")
            return path.rsplit("/", 1)[-1] or None
    return None


def link_uid(entity: dict[str, Any], type_name: str, urn_type: str,
             rel: str | None = None) -> str | None:
    """``urn:veeam:<urn_type>:<id>`` for the first link of ``type_name``, or None."""
    guid = link_id(entity, type_name, rel)
    return f"urn:veeam:{urn_type}:{guid}" if guid else None


def any_of(field: str, values: list[str]) -> str | None:
    """A filter matching ``field`` equal to any of ``values`` (None for no values)."""
    quoted = ['"' + v.replace('"', '""') + '"' for v in values]
    return "(" + ",".join(f"{field}=={q}" for q in quoted) + ")" if quoted else None


def all_of(*filters: str | None) -> str | None:
    """The filters that are given, all of them (None when none is)."""
    given = [f for f in filters if f]
    return ";".join(given) if given else None


def href_id(entity: dict[str, Any]) -> str | None:
    """The last path segment of an entity's own ``Href`` (the id of items that show it
    nowhere else, such as a tenant's resources), or None."""
    path = urlsplit(entity.get("Href") or "").path.rstrip("/")
    return path.rsplit("/", 1)[-1] or None


def guid_of(uid: str | None) -> str:
    """The GUID of a UID (``urn:veeam:<Type>:<guid>``), for paths; ``""`` for None."""
    return (uid or "").rsplit(":", 1)[-1]


def server_uid(entity: dict[str, Any], type_name: str = "BackupServerReference"
               ) -> str | None:
    """The UID of the backup server an entity's ``Up`` link of ``type_name`` names."""
    return link_uid(entity, type_name, "BackupServer", "Up")


def time_of(text: str | None) -> str | None:
    """A time as the fixture writes it (milliseconds, ``Z``), or None."""
    if text is None:
        return None
    ms = parse_instant_ms(text)
    return None if ms is None else format_instant_ms(ms)


@dataclass
class Walk:
    """A read-only walk of one server's API for the families' ``capture`` functions.

    ``since_ms`` bounds the sessions a capture reads (the families filter their session
    queries with it); ``max_per_type`` bounds the items of any one query type or list.
    ``skipped`` collects what was left out and why, for the capture's summary.
    """

    fetch: Fetch
    since_ms: int | None = None
    max_per_type: int | None = None
    page_size: int = 500
    skipped: list[tuple[str, str]] = field(default_factory=list)
    # Where the server is (``https://host:9398``) and the paths (relative to ``/api``) it
    # answers that em-mock does not model, for the recorded answers' capture.
    base_url: str | None = None
    record_paths: list[str] = field(default_factory=list)

    def skip(self, what: str, why: str) -> None:
        """Note that ``what`` was left out of the capture because of ``why``."""
        self.skipped.append((what, why))

    def get(self, path: str) -> Any | None:
        """The JSON answer of ``path`` with EM 12 keys, or None (noted as skipped) when
        the server does not answer it with 200."""
        answer = self.fetch(path, "application/json")
        if answer.status != 200:
            self.skip(path, f"the server answered {answer.status}")
            return None
        try:
            return pascal_tree(json.loads(answer.body.decode("utf-8-sig")))
        except (UnicodeDecodeError, json.JSONDecodeError):
            self.skip(path, "the answer is not JSON")
            return None

    def entity(self, path: str) -> dict[str, Any] | None:
        """One resource's ``format=Entity`` answer."""
        sep = "&" if "?" in path else "?"
        found = self.get(f"{path}{sep}format=Entity")
        return found if isinstance(found, dict) else None

    def entities(self, path: str) -> list[dict[str, Any]]:
        """The entities of a list resource's ``format=Entity`` answer (the one list in
        its root object), at most ``max_per_type``."""
        sep = "&" if "?" in path else "?"
        found = self.get(f"{path}{sep}format=Entity")
        rows = _the_list(found)
        return self._bounded(path, rows)

    def query(self, type_name: str, filter: str | None = None) -> list[dict[str, Any]]:
        """Every entity of a query type (``format=Entities``, page by page), at most
        ``max_per_type``; ``filter`` is the query service's filter expression."""
        return self._bounded(f"query type {type_name}", list(self._pages(type_name, filter)))

    def first(self, type_name: str, filter: str | None = None, sort_desc: str | None = None
              ) -> dict[str, Any] | None:
        """The first entity of a query type (``filter``, sorted by ``sort_desc`` newest
        first), in one request, or None when nothing matches."""
        path = f"query?type={quote(type_name)}&format=Entities&pageSize=1&page=1"
        if sort_desc:
            path += f"&sortDesc={quote(sort_desc)}"
        if filter:
            path += "&filter=" + quote(filter, safe="")
        found = self.get(path)
        rows = _the_list(found.get("Entities")) if isinstance(found, dict) else []
        return rows[0] if rows else None

    def sessions_filter(self, time_field: str = "CreationTime") -> str | None:
        """The filter that keeps the sessions newer than ``since_ms``, or None."""
        if self.since_ms is None:
            return None
        return f'{time_field}>="{format_instant_ms(self.since_ms)}"'

    def _pages(self, type_name: str, filter: str | None) -> Iterator[dict[str, Any]]:
        page = 1
        seen = 0
        while True:
            path = (f"query?type={quote(type_name)}&format=Entities"
                    f"&pageSize={self.page_size}&page={page}")
            if filter:
                path += "&filter=" + quote(filter, safe="")
            found = self.get(path)
            if not isinstance(found, dict):
                return
            rows = _the_list(found.get("Entities"))
            yield from rows
            seen += len(rows)
            paging = found.get("PagingInfo") or {}
            total, pages = paging.get("Count"), paging.get("PagesCount")
            # The server's page count when it gives one (a server that serves fewer rows
            # per page than asked still has more pages); else a short page is the last.
            last = page >= pages if isinstance(pages, int) else len(rows) < self.page_size
            if not rows or last or (isinstance(total, int) and seen >= total) or \
                    (self.max_per_type is not None and seen >= self.max_per_type):
                return
            page += 1

    def _bounded(self, what: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self.max_per_type is not None and len(rows) > self.max_per_type:
            self.skip(what, f"{len(rows) - self.max_per_type} items over --max-per-type")
            return rows[:self.max_per_type]
        return rows


def _the_list(found: Any) -> list[dict[str, Any]]:
    """The one list of entities in an answer's object, however deep (``{"Jobs":
    {"Jobs": [...]}}``, ``{"Entities": {"Jobs": null, "Backups": {"Backups": [...]}}}``);
    links and paging blocks are not entities."""
    while isinstance(found, dict):
        inner = [v for k, v in found.items()
                 if k not in _NOT_ENTITIES and isinstance(v, (dict, list))]
        lists = [v for v in inner if isinstance(v, list)]
        if lists:
            return [x for x in lists[0] if isinstance(x, dict)]
        if len(inner) != 1:
            return []
        found = inner[0]
    return []


_NOT_ENTITIES = frozenset({"Links", "Link", "PagingInfo", "Refs"})
