"""The query-type registry: each type the query service answers is declared here once.

A declaration names the type, its query fields (with their kinds and how to read
them from an entity), the plural list name of its entities, and where its rows come
from. Parsing, evaluation, sorting and paging are generic over these declarations.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.domain.model import (
    FAILOVER_JOB_TYPES,
    SESSION_RESULTS,
    SESSION_STATES,
    BackupServer,
    CloudFailoverPlan,
    CloudFailoverSession,
)


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


def _server_fields(server: Callable[[Any], BackupServer]) -> tuple[QueryField, ...]:
    return (
        QueryField("BackupServerUid", Kind.UID, lambda o: server(o).id, uid_type="BackupServer"),
        QueryField("BackupServerName", Kind.STRING, lambda o: server(o).name),
    )


def _session_server(s: CloudFailoverSession) -> BackupServer:
    return s.plan.backup_server


def _plan_server(p: CloudFailoverPlan) -> BackupServer:
    return p.backup_server


CLOUD_FAILOVER_SESSION = QueryType(
    name="CloudFailoverSession",
    plural="CloudFailoverSessions",
    rows=lambda data: data.session_rows(),
    fields=(
        QueryField("UID", Kind.UID, lambda s: s.id, uid_type="CloudFailoverSession"),
        QueryField("Name", Kind.STRING, lambda s: s.plan.name),
        QueryField("Type", Kind.ENUM, lambda s: s.job_type, values=FAILOVER_JOB_TYPES),
        QueryField("CreationTime", Kind.DATETIME, lambda s: s.creation_ms),
        QueryField("EndTime", Kind.DATETIME, lambda s: s.end_ms),
        QueryField("State", Kind.ENUM, lambda s: s.state, values=SESSION_STATES),
        QueryField("Result", Kind.ENUM, lambda s: s.result, values=SESSION_RESULTS),
        QueryField("FailureMessage", Kind.STRING, lambda s: s.failure_message),
        *_server_fields(_session_server),
    ),
)

BACKUP_SERVER = QueryType(
    name="BackupServer",
    plural="BackupServers",
    rows=lambda data: data.server_rows(),
    fields=(
        QueryField("UID", Kind.UID, lambda b: b.id, uid_type="BackupServer"),
        QueryField("Name", Kind.STRING, lambda b: b.name),
        QueryField("Description", Kind.STRING, lambda b: b.description),
        QueryField("IpOrDnsName", Kind.STRING, lambda b: b.ip_or_dns_name),
        QueryField("Port", Kind.INT, lambda b: b.port),
        QueryField("Version", Kind.STRING, lambda b: b.version),
    ),
)

CLOUD_FAILOVER_PLAN = QueryType(
    name="CloudFailoverPlan",
    plural="CloudFailoverPlans",
    rows=lambda data: data.plan_rows(),
    fields=(
        QueryField("UID", Kind.UID, lambda p: p.id, uid_type="CloudFailoverPlan"),
        QueryField("Name", Kind.STRING, lambda p: p.name),
        QueryField("Description", Kind.STRING, lambda p: p.description),
        QueryField("CloudTenantUid", Kind.UID, lambda p: p.tenant.id, uid_type="CloudTenant"),
        QueryField("CloudTenantName", Kind.STRING, lambda p: p.tenant.name),
        *_server_fields(_plan_server),
    ),
)

QUERY_TYPES: dict[str, QueryType] = {
    t.name.lower(): t for t in (BACKUP_SERVER, CLOUD_FAILOVER_PLAN, CLOUD_FAILOVER_SESSION)
}


def query_type(name: str) -> QueryType | None:
    """The declared type called ``name`` (any case), or ``None``."""
    return QUERY_TYPES.get(name.lower())
