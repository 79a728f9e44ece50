"""Query types of Cloud Connect: failover plans and failover sessions."""

from __future__ import annotations

from em_mock.core.registry import Kind, QueryField, QueryType, register_query_types
from em_mock.families.cloud.model import (
    FAILOVER_JOB_TYPES,
    PLANS,
    SESSION_RESULTS,
    SESSION_STATES,
    SESSIONS,
)
from em_mock.families.infrastructure.queries import server_fields

CLOUD_FAILOVER_SESSION = QueryType(
    name="CloudFailoverSession",
    plural="CloudFailoverSessions",
    rows=SESSIONS.rows,
    fields=(
        QueryField("UID", Kind.UID, lambda s: s.id, uid_type="CloudFailoverSession"),
        QueryField("Name", Kind.STRING, lambda s: s.plan.name),
        QueryField("Type", Kind.ENUM, lambda s: s.job_type, values=FAILOVER_JOB_TYPES),
        QueryField("CreationTime", Kind.DATETIME, lambda s: s.creation_ms),
        QueryField("EndTime", Kind.DATETIME, lambda s: s.end_ms),
        QueryField("State", Kind.ENUM, lambda s: s.state, values=SESSION_STATES),
        QueryField("Result", Kind.ENUM, lambda s: s.result, values=SESSION_RESULTS),
        QueryField("FailureMessage", Kind.STRING, lambda s: s.failure_message),
        *server_fields(lambda s: s.plan.backup_server),
    ),
)

CLOUD_FAILOVER_PLAN = QueryType(
    name="CloudFailoverPlan",
    plural="CloudFailoverPlans",
    rows=PLANS.rows,
    fields=(
        QueryField("UID", Kind.UID, lambda p: p.id, uid_type="CloudFailoverPlan"),
        QueryField("Name", Kind.STRING, lambda p: p.name),
        QueryField("Description", Kind.STRING, lambda p: p.description),
        QueryField("CloudTenantUid", Kind.UID, lambda p: p.tenant.id, uid_type="CloudTenant"),
        QueryField("CloudTenantName", Kind.STRING, lambda p: p.tenant.name),
        *server_fields(lambda p: p.backup_server),
    ),
)

register_query_types(CLOUD_FAILOVER_PLAN, CLOUD_FAILOVER_SESSION)
