"""Query types of Cloud Connect: tenants and subtenants, hardware plans, gateways and
pools, public IPs, VLANs, replicas and their points, failover plans and sessions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from em_mock.core.registry import Kind, QueryField, QueryType, register_query_types
from em_mock.families.cloud.model import (
    ACCOUNT_TYPES,
    FAILOVER_JOB_TYPES,
    GATEWAY_POOLS,
    GATEWAYS,
    HARDWARE_PLANS,
    ORG_CONFIGS,
    PLANS,
    PLATFORMS,
    PUBLIC_IPS,
    REPLICA_POINTS,
    REPLICAS,
    SCHEDULER_TYPES,
    SELF_SERVICE,
    SESSION_RESULTS,
    SESSION_STATES,
    SESSIONS,
    SUBTENANTS,
    SWITCH_TYPES,
    TENANT_TYPES,
    TENANTS,
    VLANS,
    CloudTenant,
    CloudVmReplicaPoint,
    replica_of,
)
from em_mock.families.infrastructure.model import BackupServer
from em_mock.families.infrastructure.queries import server_fields

NO_SERVER = BackupServer("", "")


def _server(get: Callable[[Any], BackupServer | None]) -> Callable[[Any], BackupServer]:
    return lambda o: get(o) or NO_SERVER


def _tenant_fields(get: Callable[[Any], CloudTenant | None]) -> tuple[QueryField, ...]:
    return (QueryField("CloudTenantUid", Kind.UID, lambda o: t.id if (t := get(o)) else None,
                       uid_type="CloudTenant"),
            QueryField("CloudTenantName", Kind.STRING,
                       lambda o: t.name if (t := get(o)) else None))


def _replica_field(point: CloudVmReplicaPoint, attr: str) -> str | None:
    replica = replica_of(point)
    return None if replica is None else str(getattr(replica, attr))

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

CLOUD_TENANT = QueryType(
    name="CloudTenant", plural="CloudTenants", rows=TENANTS.rows,
    fields=(
        QueryField("UID", Kind.UID, lambda t: t.id, uid_type="CloudTenant"),
        QueryField("Name", Kind.STRING, lambda t: t.name),
        QueryField("Enabled", Kind.BOOL, lambda t: t.enabled),
        *server_fields(_server(lambda t: t.backup_server)),
        QueryField("Type", Kind.ENUM, lambda t: t.tenant_type, values=TENANT_TYPES),
        QueryField("OrganizationReference", Kind.STRING,
                   lambda t: t.organization_ref or None),
    ),
)
CLOUD_SUBTENANT = QueryType(
    name="CloudSubtenant", plural="CloudSubtenants", rows=SUBTENANTS.rows,
    fields=(
        # Documented as a String: the bare id, not a URN.
        QueryField("UID", Kind.STRING, lambda s: s.id),
        QueryField("Name", Kind.STRING, lambda s: s.name),
        *_tenant_fields(lambda s: s.tenant),
        QueryField("Disabled", Kind.BOOL, lambda s: not s.enabled),
        QueryField("Unlimited", Kind.BOOL, lambda s: s.unlimited),
        QueryField("Quota", Kind.INT, lambda s: s.quota_mb),
        QueryField("UsedQuota", Kind.INT, lambda s: s.used_mb),
        QueryField("BackupResourceId", Kind.STRING, lambda s: s.resource.id),
        *server_fields(_server(lambda s: s.backup_server)),
    ),
)
CLOUD_HARDWARE_PLAN = QueryType(
    name="CloudHardwarePlan", plural="CloudHardwarePlans", rows=HARDWARE_PLANS.rows,
    fields=(
        QueryField("UID", Kind.UID, lambda h: h.id, uid_type="CloudHardwarePlan"),
        QueryField("Name", Kind.STRING, lambda h: h.name),
        # Documented as a Boolean taking VMware or HyperV: compared as one of the two.
        QueryField("Platform", Kind.ENUM, lambda h: h.platform, values=PLATFORMS),
        *server_fields(lambda h: h.backup_server),
    ),
)
CLOUD_GATEWAY = QueryType(
    name="CloudGateway", plural="CloudGateways", rows=GATEWAYS.rows,
    fields=(
        QueryField("UID", Kind.UID, lambda g: g.id, uid_type="CloudGateway"),
        QueryField("Name", Kind.STRING, lambda g: g.name),
        QueryField("Enabled", Kind.BOOL, lambda g: g.enabled),
        QueryField("Description", Kind.STRING, lambda g: g.description),
        *server_fields(lambda g: g.backup_server),
    ),
)
CLOUD_GATEWAY_POOL = QueryType(
    name="CloudGatewayPool", plural="CloudGatewayPools", rows=GATEWAY_POOLS.rows,
    fields=(
        QueryField("UID", Kind.UID, lambda p: p.id, uid_type="CloudGatewayPool"),
        QueryField("Name", Kind.STRING, lambda p: p.name),
        QueryField("Description", Kind.STRING, lambda p: p.description),
        *server_fields(lambda p: p.backup_server),
    ),
)
CLOUD_PUBLIC_IP = QueryType(
    name="CloudPublicIpAddress", plural="CloudPublicIpAddresses", rows=PUBLIC_IPS.rows,
    fields=(
        QueryField("UID", Kind.UID, lambda i: i.id, uid_type="CloudPublicIpAddress"),
        QueryField("Name", Kind.STRING, lambda i: i.name),
        QueryField("IpAddress", Kind.STRING, lambda i: i.ip_address),
        *_tenant_fields(lambda i: i.tenant),
        *server_fields(lambda i: i.backup_server),
    ),
)
CLOUD_REPLICA = QueryType(
    name="CloudReplica", plural="CloudReplicas", rows=REPLICAS.rows,
    fields=(
        QueryField("UID", Kind.UID, lambda r: r.id, uid_type="CloudReplica"),
        QueryField("Name", Kind.STRING, lambda r: r.name),
        QueryField("Platform", Kind.ENUM, lambda r: r.platform,
                   values=("VMware", "HyperV", "vCloud")),
    ),
)
CLOUD_VM_REPLICA_POINT = QueryType(
    name="CloudVmReplicaPoint", plural="CloudVmReplicaPoints", rows=REPLICA_POINTS.rows,
    fields=(
        QueryField("UID", Kind.UID, lambda p: p.id, uid_type="CloudVmReplicaPoint"),
        QueryField("Name", Kind.STRING, lambda p: p.vm_name),
        QueryField("CreationTime", Kind.DATETIME, lambda p: p.creation_ms),
        QueryField("VmName", Kind.STRING, lambda p: p.vm_name),
        QueryField("Type", Kind.ENUM, lambda p: "Snapshot",
                   values=("CDP", "Full", "ReverseIncrement", "Increment", "Snapshot")),
        QueryField("ReplicaUid", Kind.UID, lambda p: _replica_field(p, "id"),
                   uid_type="CloudReplica"),
        QueryField("ReplicaName", Kind.STRING, lambda p: _replica_field(p, "name")),
        QueryField("VmDisplayName", Kind.STRING, lambda p: p.vm_name),
        *server_fields(lambda p: p.plan.backup_server),
        QueryField("State", Kind.ENUM, lambda p: "Ready",
                   values=("Unknown", "Ready", "Failover", "Failback", "PermanentFailover")),
    ),
)
VLAN_CONFIGURATION = QueryType(
    name="VlanConfiguration", plural="VlanConfigurations", rows=VLANS.rows,
    fields=(
        # Documented as a String; em-mock compares the UID as one.
        QueryField("UID", Kind.UID, lambda v: v.id, uid_type="VlanConfiguration"),
        # Not among the documented query fields, but the entity's and what the query
        # service's links sort by.
        QueryField("Name", Kind.STRING, lambda v: v.name),
        QueryField("SwitchName", Kind.STRING, lambda v: v.switch_name),
        QueryField("SwitchType", Kind.ENUM, lambda v: v.switch_type, values=SWITCH_TYPES),
        QueryField("SwitchId", Kind.STRING, lambda v: v.switch_id),
        QueryField("ClusterName", Kind.STRING, lambda v: v.cluster_name),
        QueryField("ClusterRef", Kind.STRING, lambda v: v.cluster_id),
        *server_fields(lambda v: v.backup_server),
    ),
)

VSPHERE_SELF_SERVICE_CONFIG = QueryType(
    name="VsphereSelfServiceConfig", plural="VSphereSelfServiceConfigs", rows=SELF_SERVICE.rows,
    fields=(
        QueryField("UID", Kind.UID, lambda c: c.id, uid_type="VSphereSelfServiceConfig"),
        QueryField("Name", Kind.STRING, lambda c: c.name),
        *server_fields(lambda c: c.backup_server),
        QueryField("JobSchedulerType", Kind.ENUM, lambda c: c.scheduler, values=SCHEDULER_TYPES),
        QueryField("AccountType", Kind.ENUM, lambda c: c.account_type, values=ACCOUNT_TYPES),
        QueryField("PerUser", Kind.BOOL, lambda c: c.per_user),
        QueryField("QuotaGb", Kind.INT, lambda c: c.quota_gb),
        QueryField("RepositoryUid", Kind.UID, lambda c: c.repository.id, uid_type="Repository"),
        QueryField("UsedQuota", Kind.INT, lambda c: c.used_gb),
    ),
)

VCLOUD_ORGANIZATION_CONFIG = QueryType(
    name="VCloudOrganizationConfig", plural="VCloudOrganizationConfigs", rows=ORG_CONFIGS.rows,
    fields=(
        QueryField("UID", Kind.UID, lambda c: c.id, uid_type="VCloudOrganizationConfig"),
        QueryField("Name", Kind.STRING, lambda c: c.name),
        QueryField("RepositoryUid", Kind.UID, lambda c: c.repository.id, uid_type="Repository"),
        QueryField("QuotaGb", Kind.INT, lambda c: c.quota_gb),
        QueryField("Disabled", Kind.BOOL, lambda c: c.disabled),
        QueryField("JobSchedulerType", Kind.ENUM, lambda c: c.scheduler, values=SCHEDULER_TYPES),
        QueryField("UsedQuota", Kind.INT, lambda c: c.used_mb),
        *server_fields(lambda c: c.backup_server),
        QueryField("HostUid", Kind.UID, lambda c: c.host_id, uid_type="ManagedServer"),
        QueryField("RepositoryFriendlyName", Kind.STRING, lambda c: c.repository_friendly_name),
    ),
)

# In the vendor's order of query types.
register_query_types(CLOUD_GATEWAY, CLOUD_GATEWAY_POOL, CLOUD_TENANT, CLOUD_FAILOVER_PLAN,
                     CLOUD_FAILOVER_SESSION, CLOUD_HARDWARE_PLAN, CLOUD_PUBLIC_IP,
                     CLOUD_REPLICA, CLOUD_SUBTENANT, CLOUD_VM_REPLICA_POINT,
                     VCLOUD_ORGANIZATION_CONFIG, VLAN_CONFIGURATION, VSPHERE_SELF_SERVICE_CONFIG)
