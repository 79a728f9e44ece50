"""Query types of backup servers and repositories, and the server fields others share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from em_mock.core.ids import derived_id
from em_mock.core.registry import Kind, QueryField, QueryType, register_query_types
from em_mock.families.infrastructure.model import (
    HIERARCHY_ROOTS,
    MANAGED_SERVERS,
    REPOSITORIES,
    SERVERS,
    BackupServer,
)


def server_fields(server: Callable[[Any], BackupServer]) -> tuple[QueryField, ...]:
    """``BackupServerUid`` and ``BackupServerName`` of whatever ``server`` reads."""
    return (
        QueryField("BackupServerUid", Kind.UID, lambda o: server(o).id, uid_type="BackupServer"),
        QueryField("BackupServerName", Kind.STRING, lambda o: server(o).name),
    )


BACKUP_SERVER = QueryType(
    name="BackupServer",
    plural="BackupServers",
    rows=SERVERS.rows,
    fields=(
        QueryField("UID", Kind.UID, lambda b: b.id, uid_type="BackupServer"),
        QueryField("Name", Kind.STRING, lambda b: b.name),
        QueryField("Description", Kind.STRING, lambda b: b.description),
        QueryField("IpOrDnsName", Kind.STRING, lambda b: b.ip_or_dns_name),
        QueryField("Port", Kind.INT, lambda b: b.port),
        QueryField("Version", Kind.STRING, lambda b: b.version),
    ),
)
REPOSITORY = QueryType(
    name="Repository", plural="Repositories", rows=REPOSITORIES.rows,
    fields=(
        QueryField("UID", Kind.UID, lambda r: r.id, uid_type="Repository"),
        QueryField("Name", Kind.STRING, lambda r: r.name),
        QueryField("FreeSpace", Kind.INT, lambda r: r.free_space),
        QueryField("Capacity", Kind.INT, lambda r: r.capacity),
        QueryField("Kind", Kind.STRING, lambda r: r.kind),
        *server_fields(lambda r: r.backup_server),
    ),
)

MANAGED_SERVER = QueryType(
    name="ManagedServer", plural="ManagedServers", rows=MANAGED_SERVERS.rows,
    fields=(
        QueryField("UID", Kind.UID, lambda m: m.id, uid_type="ManagedServer"),
        QueryField("Name", Kind.STRING, lambda m: m.name),
        QueryField("Description", Kind.STRING, lambda m: m.description),
        # Documented as a String that takes one of the types; compared as text.
        QueryField("ManagedServerType", Kind.STRING, lambda m: m.server_type),
    ),
)
HIERARCHY_ROOT = QueryType(
    name="HierarchyRoot", plural="HierarchyRoots", rows=HIERARCHY_ROOTS.rows,
    fields=(
        QueryField("UID", Kind.UID, lambda m: derived_id("HierarchyRoot", m.id),
                   uid_type="HierarchyRoot"),
        QueryField("Name", Kind.STRING, lambda m: m.name),
        QueryField("UniqueId", Kind.STRING, lambda m: m.unique_id),
        QueryField("HostType", Kind.STRING, lambda m: m.server_type),
        *server_fields(lambda m: m.backup_server),
    ),
)

register_query_types(BACKUP_SERVER, REPOSITORY, MANAGED_SERVER, HIERARCHY_ROOT)
