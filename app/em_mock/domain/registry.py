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

from em_mock.domain.model import (
    FAILOVER_JOB_TYPES,
    SESSION_RESULTS,
    SESSION_STATES,
    BackupServer,
    CloudFailoverPlan,
    CloudFailoverSession,
)
from em_mock.domain.times import name_suffix


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

JOB_SESSION_TYPE_VALUES = ("Backup", "BackupCopy", "ImmediateBackupCopy",
                           "ImmediateBackupCopyWorker", "AgentBackup", "AgentManagement",
                           "NasBackup")
JOB_STATES = ("Starting", "Stopping", "Working", "Pausing", "Resuming", "Stopped")
RESULTS = ("None", "Success", "Warning", "Failed")


def _job_session_fields(type_name: str, job_types: tuple[str, ...]) -> tuple[QueryField, ...]:
    return (
        QueryField("UID", Kind.UID, lambda s: s.id, uid_type=type_name),
        QueryField("Name", Kind.STRING, lambda s: f"{s.job_name}@{name_suffix(s.creation_ms)}"),
        QueryField("JobType", Kind.ENUM, lambda s: s.job_type, values=job_types),
        QueryField("JobUid", Kind.UID, lambda s: s.job.id, uid_type="Job"),
        QueryField("JobName", Kind.STRING, lambda s: s.job_name),
        QueryField("CreationTime", Kind.DATETIME, lambda s: s.creation_ms),
        QueryField("EndTime", Kind.DATETIME, lambda s: s.end_ms),
        QueryField("State", Kind.ENUM, lambda s: s.state, values=JOB_STATES),
        QueryField("Result", Kind.ENUM, lambda s: s.result, values=RESULTS),
        QueryField("IsRetry", Kind.BOOL, lambda s: s.is_retry),
        *_server_fields(lambda s: s.job.backup_server),
    )


def _task_session_fields(type_name: str, session_type: str) -> tuple[QueryField, ...]:
    return (
        QueryField("UID", Kind.UID, lambda t: t.id, uid_type=type_name),
        QueryField("Name", Kind.STRING, lambda t: f"{t.vm_name}@{name_suffix(t.creation_ms)}"),
        QueryField("CreationTime", Kind.DATETIME, lambda t: t.creation_ms),
        QueryField("EndTime", Kind.DATETIME, lambda t: t.end_ms),
        QueryField("State", Kind.ENUM, lambda t: t.state,
                   values=("InProgress", "Pending", "Completed")),
        QueryField("Result", Kind.ENUM, lambda t: t.result, values=RESULTS),
        QueryField("Reason", Kind.STRING, lambda t: t.reason),
        QueryField("TotalSize", Kind.INT, lambda t: t.total_size),
        QueryField("JobSessionUid", Kind.UID, lambda t: t.session.id, uid_type=session_type),
        QueryField("JobUid", Kind.UID, lambda t: t.session.job.id, uid_type="Job"),
        QueryField("JobName", Kind.STRING, lambda t: t.session.job_name),
        *_server_fields(lambda t: t.session.job.backup_server),
        QueryField("VmDisplayName", Kind.STRING, lambda t: t.vm_name),
    )


BACKUP_JOB_SESSION = QueryType(
    name="BackupJobSession", plural="BackupJobSessions",
    rows=lambda store: store.backup_session_rows(),
    fields=_job_session_fields("BackupJobSession", JOB_SESSION_TYPE_VALUES),
)
REPLICA_JOB_SESSION = QueryType(
    name="ReplicaJobSession", plural="ReplicaJobSessions",
    rows=lambda store: store.replica_session_rows(),
    fields=_job_session_fields("ReplicaJobSession", ("Replica",)),
)
BACKUP_TASK_SESSION = QueryType(
    name="BackupTaskSession", plural="BackupTaskSessions",
    rows=lambda store: store.backup_task_rows(),
    fields=_task_session_fields("BackupTaskSession", "BackupJobSession"),
)
REPLICA_TASK_SESSION = QueryType(
    name="ReplicaTaskSession", plural="ReplicaTaskSessions",
    rows=lambda store: store.replica_task_rows(),
    fields=_task_session_fields("ReplicaTaskSession", "ReplicaJobSession"),
)
JOB = QueryType(
    name="Job", plural="Jobs", rows=lambda store: store.job_rows(),
    fields=(
        QueryField("UID", Kind.UID, lambda j: j.id, uid_type="Job"),
        QueryField("Name", Kind.STRING, lambda j: j.name),
        QueryField("Description", Kind.STRING, lambda j: j.description),
        QueryField("NextRun", Kind.DATETIME, lambda j: j.next_run_ms),
        QueryField("JobType", Kind.ENUM, lambda j: j.job_type,
                   values=("Backup", "BackupCopy", "ImmediateBackupCopy", "Replica")),
        QueryField("Platform", Kind.ENUM, lambda j: {"HyperV": "Hyperv"}.get(j.platform,
                                                                              j.platform),
                   values=("VMware", "Hyperv", "vCloud", "CustomPlatform")),
        QueryField("ScheduleConfigured", Kind.BOOL, lambda j: j.schedule_configured),
        QueryField("ScheduleEnabled", Kind.BOOL, lambda j: j.schedule_enabled),
        *_server_fields(lambda j: j.backup_server),
    ),
)
REPOSITORY = QueryType(
    name="Repository", plural="Repositories", rows=lambda store: store.repository_rows(),
    fields=(
        QueryField("UID", Kind.UID, lambda r: r.id, uid_type="Repository"),
        QueryField("Name", Kind.STRING, lambda r: r.name),
        QueryField("FreeSpace", Kind.INT, lambda r: r.free_space),
        QueryField("Capacity", Kind.INT, lambda r: r.capacity),
        QueryField("Kind", Kind.STRING, lambda r: r.kind),
        *_server_fields(lambda r: r.backup_server),
    ),
)
DISCOVERED_COMPUTER = QueryType(
    name="DiscoveredComputer", plural="DiscoveredComputers",
    rows=lambda store: store.computer_rows(),
    fields=(
        # Documented as a String, but a UID in every other respect: URN or bare GUID.
        QueryField("UID", Kind.UID, lambda c: c.id, uid_type="DiscoveredComputer"),
        QueryField("Name", Kind.STRING, lambda c: c.name),
        *_server_fields(lambda c: c.protection_group.backup_server),
        QueryField("AgentVersion", Kind.STRING, lambda c: c.agent_version),
        QueryField("AgentStatus", Kind.ENUM, lambda c: c.agent_status,
                   values=("NotInstalled", "Installed", "UnsupportedOs", "Failed", "Exclude")),
        QueryField("OsVersion", Kind.STRING, lambda c: c.os_version),
        QueryField("IpAddress", Kind.STRING, lambda c: c.ip_address),
        QueryField("ProtectionGroupUid", Kind.UID, lambda c: c.protection_group.id,
                   uid_type="AgentProtectionGroup"),
        QueryField("ProtectionGroupName", Kind.STRING, lambda c: c.protection_group.name),
    ),
)

QUERY_TYPES: dict[str, QueryType] = {
    t.name.lower(): t for t in (
        BACKUP_JOB_SESSION, BACKUP_SERVER, BACKUP_TASK_SESSION, CLOUD_FAILOVER_PLAN,
        CLOUD_FAILOVER_SESSION, DISCOVERED_COMPUTER, JOB, REPLICA_JOB_SESSION,
        REPLICA_TASK_SESSION, REPOSITORY)
}


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
