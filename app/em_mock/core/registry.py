"""The registries that resource families fill in when they are imported.

- Query types: a type's query fields (with their kinds and how to read them from an
  entity), the plural list name of its entities, and where its rows come from. Parsing,
  evaluation, sorting and paging are generic over these declarations.
- Resource types: how an entity looks on the wire, as a reference and as an entity.
- Logon links: the collections a logon session offers, each with its place in the list.
- Routers: the HTTP routes each family serves.

The core reads these registries and never imports a family.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter

from em_mock.core.wire.documents import Ctx
from em_mock.core.wire.tree import Node


class Kind(enum.Enum):
    """How a query field's values are read, compared and sorted."""

    STRING = "String"
    ENUM = "Enum"
    DATETIME = "DateTime"
    UID = "UidType"
    INT = "Int"
    BOOL = "Boolean"


@dataclass(frozen=True, slots=True)
class QueryField:
    """One filterable, sortable field of a query type.

    ``get`` reads the raw value from an entity: ``str`` for strings, enums and UIDs
    (a bare GUID), ``int`` milliseconds for date-times, ``int``/``bool`` otherwise;
    ``None`` when the entity has no value.
    """

    name: str
    kind: Kind
    get: Callable[[Any], Any]
    values: tuple[str, ...] = ()
    uid_type: str = ""


@dataclass(frozen=True, slots=True)
class QueryType:
    """A type the query service answers (``GET /api/query?type=<name>``)."""

    name: str
    plural: str
    fields: tuple[QueryField, ...]
    rows: Callable[[Any], Sequence[Any]]
    by_name: dict[str, QueryField] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        self.by_name.update({f.name.lower(): f for f in self.fields})

    def field(self, name: str) -> QueryField | None:
        """The field called ``name`` (any case), or ``None``."""
        return self.by_name.get(name.lower())


QUERY_TYPES: dict[str, QueryType] = {}


def register_query_types(*types: QueryType) -> None:
    """Make ``types`` answerable by the query service."""
    for qtype in types:
        if qtype.name.lower() in QUERY_TYPES:
            raise ValueError(f"query type {qtype.name} is declared twice")
        QUERY_TYPES[qtype.name.lower()] = qtype


def query_type(name: str) -> QueryType | None:
    """The declared type called ``name`` (any case), or ``None``."""
    return QUERY_TYPES.get(name.lower())


def markdown_table() -> str:
    """The README's table of query types and their fields, made from the declarations."""
    lines = ["| type | query fields |", "|---|---|"]
    for qtype in sorted(QUERY_TYPES.values(), key=lambda t: t.name):
        cells = []
        for f in qtype.fields:
            kind = f"enum: {', '.join(f.values)}" if f.kind is Kind.ENUM else f.kind.value
            cells.append(f"`{f.name}` ({kind})")
        lines.append(f"| `{qtype.name}` | {', '.join(cells)} |")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class ResourceType:
    """How one entity type looks on the wire: its collection path, plural list name, and
    builders of its reference form (``Ref``/``EntityRef``) and entity form."""

    name: str
    path: str
    plural: str
    reference: Callable[[Any, Ctx, str], Node]
    entity: Callable[[Any, Ctx], Node]
    query_plural: str = ""  # the query result's container, when it is not ``plural``


RESOURCES: dict[str, ResourceType] = {}


def register_resources(*resources: ResourceType) -> None:
    """Declare the wire shapes of ``resources`` (the query service finds them by name)."""
    for resource in resources:
        if resource.name in RESOURCES:
            raise ValueError(f"resource type {resource.name} is declared twice")
        RESOURCES[resource.name] = resource


@dataclass(frozen=True, slots=True)
class LogonLink:
    """A link of the logon session: its place, where it leads, its type.

    A link's rank is ten times its position in the logon session of a real v12 server
    (``backupServers`` 10, ``managedServers`` 20, ... ``systemSessions?format=Entity``
    660; ``tests/data/em-json-samples/veeam_login_v12.json`` is that list), so a family
    can put its links where the vendor has them; links a real server lacks take a rank
    between.
    """

    rank: int
    path: str
    type_name: str | None
    name: str | None = None
    rel: str = "Down"


LOGON_LINKS: list[LogonLink] = []


def register_logon_links(*offered: LogonLink) -> None:
    """Offer collections in the logon session's body, ordered by rank."""
    LOGON_LINKS.extend(offered)
    LOGON_LINKS.sort(key=lambda item: item.rank)


def collection_links(path: str, type_name: str, rank: int, entity_rank: int
                     ) -> tuple[LogonLink, LogonLink]:
    """The two logon links of a collection: its references (``<Type>ReferenceList``) at
    ``rank`` and its entities (``?format=Entity``, ``<Type>List``) at ``entity_rank``."""
    return (LogonLink(rank, path, f"{type_name}ReferenceList"),
            LogonLink(entity_rank, f"{path}?format=Entity", f"{type_name}List"))


ROUTERS: list[APIRouter] = []


def register_router(router: APIRouter) -> APIRouter:
    """Serve ``router``'s routes (the app includes them in registration order)."""
    ROUTERS.append(router)
    return router


@dataclass(frozen=True, slots=True)
class Headline:
    """A count that says what is loaded: in ``/mock/ready`` (as ``key``) and in the ready
    line (as ``<count> <label>``), in rank order."""

    rank: int
    key: str
    label: str
    count: Callable[[Any], int]


HEADLINES: list[Headline] = []


def register_headlines(*headlines: Headline) -> None:
    """Add counts to what the mock reports it has loaded."""
    HEADLINES.extend(headlines)
    HEADLINES.sort(key=lambda item: item.rank)
