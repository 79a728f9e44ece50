"""Query types of agents: discovered computers."""

from __future__ import annotations

from em_mock.core.registry import Kind, QueryField, QueryType, register_query_types
from em_mock.families.agents.model import AGENT_STATUSES, DISCOVERED_COMPUTERS
from em_mock.families.infrastructure.queries import server_fields

DISCOVERED_COMPUTER = QueryType(
    name="DiscoveredComputer", plural="DiscoveredComputers",
    rows=DISCOVERED_COMPUTERS.rows,
    fields=(
        # Documented as a String, but a UID in every other respect: URN or bare GUID.
        QueryField("UID", Kind.UID, lambda c: c.id, uid_type="DiscoveredComputer"),
        QueryField("Name", Kind.STRING, lambda c: c.name),
        *server_fields(lambda c: c.protection_group.backup_server),
        QueryField("AgentVersion", Kind.STRING, lambda c: c.agent_version),
        QueryField("AgentStatus", Kind.ENUM, lambda c: c.agent_status,
                   values=AGENT_STATUSES),
        QueryField("OsVersion", Kind.STRING, lambda c: c.os_version),
        QueryField("IpAddress", Kind.STRING, lambda c: c.ip_address),
        QueryField("ProtectionGroupUid", Kind.UID, lambda c: c.protection_group.id,
                   uid_type="AgentProtectionGroup"),
        QueryField("ProtectionGroupName", Kind.STRING, lambda c: c.protection_group.name),
    ),
)

register_query_types(DISCOVERED_COMPUTER)
