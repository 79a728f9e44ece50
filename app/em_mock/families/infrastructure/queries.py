"""Query types of the backup infrastructure, and the server fields others share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from em_mock.core.ids import derived_id
from em_mock.core.registry import Kind, QueryField, QueryType, register_query_types
from em_mock.families.infrastructure.model import (
    CREDENTIALS,
    HIERARCHY_ROOTS,
    MANAGED_SERVERS,
    PASSWORD_KEYS,
    REPOSITORIES,
    SERVERS,
    WAN_ACCELERATORS,
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

WAN_ACCELERATOR = QueryType(
    name="WanAccelerator", plural="WanAccelerators", rows=WAN_ACCELERATORS.rows,
    fields=(
        QueryField("UID", Kind.UID, lambda w: w.id, uid_type="WanAccelerator"),
        QueryField("Name", Kind.STRING, lambda w: w.name),
        QueryField("Capacity", Kind.INT, lambda w: w.capacity),
        QueryField("ConnectionsCount", Kind.INT, lambda w: w.connections_count),
        QueryField("HighBandwidthModeEnabled", Kind.BOOL, lambda w: w.high_bandwidth),
        *server_fields(lambda w: w.backup_server),
    ),
)
# The documented fields of these two have no UID and no Name (nor, for credentials, a
# BackupServerName): exactly those are declared.
CREDENTIALS_TYPE = QueryType(
    name="Credentials", plural="CredentialsInfoList", rows=CREDENTIALS.rows,
    fields=(
        QueryField("Username", Kind.STRING, lambda c: c.username),
        QueryField("Description", Kind.STRING, lambda c: c.description),
        QueryField("BackupServerUid", Kind.UID, lambda c: c.backup_server.id,
                   uid_type="BackupServer"),
        QueryField("CredentialsId", Kind.STRING, lambda c: c.id),
    ),
)
PASSWORDS_TYPE = QueryType(
    name="Passwords", plural="PasswordKeyInfoList", rows=PASSWORD_KEYS.rows,
    fields=(
        QueryField("PasswordKeyID", Kind.STRING, lambda p: p.id),
        QueryField("Hint", Kind.STRING, lambda p: p.hint),
        *server_fields(lambda p: p.backup_server),
    ),
)

register_query_types(BACKUP_SERVER, REPOSITORY, MANAGED_SERVER, HIERARCHY_ROOT, WAN_ACCELERATOR,
                     CREDENTIALS_TYPE, PASSWORDS_TYPE)
