"""Query types of CDP policies, replicas, replication sessions and their task sessions."""

from __future__ import annotations

from em_mock.core.registry import Kind, QueryField, QueryType, register_query_types
from em_mock.core.times import name_suffix
from em_mock.families.cdp.model import (
    CDP_POLICIES,
    CDP_SESSIONS,
    CDP_TASKS,
    RESULTS,
    SESSION_STATES,
    TASK_STATES,
    CdpSession,
    CdpTaskSession,
    replicas,
)
from em_mock.families.infrastructure.queries import server_fields


def session_name(s: CdpSession) -> str:
    """``<PolicyName>@<creation time>``."""
    return f"{s.policy.name}@{name_suffix(s.creation_ms)}"


def task_name(t: CdpTaskSession) -> str:
    """``<VmName>@<creation time>``."""
    return f"{t.vm_name}@{name_suffix(t.creation_ms)}"


CDP_POLICY = QueryType(
    name="CdpPolicy", plural="CdpPolicies", rows=CDP_POLICIES.rows,
    fields=(
        QueryField("UID", Kind.UID, lambda p: p.id, uid_type="CdpPolicy"),
        QueryField("Name", Kind.STRING, lambda p: p.name),
        QueryField("Description", Kind.STRING, lambda p: p.description),
        QueryField("NextRun", Kind.DATETIME, lambda p: p.next_run_ms),
        QueryField("ScheduleConfigured", Kind.BOOL, lambda p: p.schedule_configured),
        QueryField("ScheduleEnabled", Kind.BOOL, lambda p: p.schedule_enabled),
        *server_fields(lambda p: p.backup_server),
    ),
)
CDP_REPLICA = QueryType(
    name="CdpReplica", plural="CdpReplicas", rows=replicas,
    fields=(
        QueryField("UID", Kind.UID, lambda r: r.id, uid_type="CdpReplica"),
        QueryField("Name", Kind.STRING, lambda r: r.name),
        # A plain String in the vendor's list: the policy's bare id.
        QueryField("PolicyId", Kind.STRING, lambda r: r.policy.id),
        QueryField("PolicyName", Kind.STRING, lambda r: r.policy.name),
        *server_fields(lambda r: r.policy.backup_server),
    ),
)
CDP_REPLICA_SESSION = QueryType(
    name="CdpReplicaSession", plural="CdpReplicaSessions", rows=CDP_SESSIONS.rows,
    fields=(
        QueryField("Id", Kind.UID, lambda s: s.id, uid_type="CdpReplicaSession"),
        QueryField("Name", Kind.STRING, session_name),
        QueryField("PolicyUid", Kind.UID, lambda s: s.policy.id, uid_type="CdpPolicy"),
        QueryField("PolicyName", Kind.STRING, lambda s: s.policy.name),
        *server_fields(lambda s: s.policy.backup_server),
        QueryField("CreationTimeUTC", Kind.DATETIME, lambda s: s.creation_ms),
        QueryField("EndTimeUTC", Kind.DATETIME, lambda s: s.end_ms),
        QueryField("State", Kind.ENUM, lambda s: s.state, values=SESSION_STATES),
        QueryField("Result", Kind.ENUM, lambda s: s.result, values=RESULTS),
        QueryField("FailureMessage", Kind.STRING, lambda s: s.failure_message),
    ),
)
CDP_REPLICA_TASK_SESSION = QueryType(
    name="CdpReplicaTaskSession", plural="CdpReplicaTaskSessions", rows=CDP_TASKS.rows,
    fields=(
        QueryField("Id", Kind.UID, lambda t: t.id, uid_type="CdpReplicaTaskSession"),
        QueryField("Name", Kind.STRING, task_name),
        QueryField("PolicySessionUid", Kind.UID, lambda t: t.session.id,
                   uid_type="CdpReplicaSession"),
        QueryField("PolicySessionName", Kind.STRING, lambda t: session_name(t.session)),
        *server_fields(lambda t: t.session.policy.backup_server),
        QueryField("CreationTimeUTC", Kind.DATETIME, lambda t: t.creation_ms),
        QueryField("EndTimeUTC", Kind.DATETIME, lambda t: t.end_ms),
        QueryField("State", Kind.ENUM, lambda t: t.state, values=TASK_STATES),
        QueryField("Reason", Kind.STRING, lambda t: t.reason),
        QueryField("TotalSize", Kind.INT, lambda t: t.total_size),
        QueryField("VmDisplayName", Kind.STRING, lambda t: t.vm_name),
    ),
)

register_query_types(CDP_POLICY, CDP_REPLICA, CDP_REPLICA_SESSION, CDP_REPLICA_TASK_SESSION)
