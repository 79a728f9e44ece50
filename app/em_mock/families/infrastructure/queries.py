"""Query types of backup servers and repositories, and the server fields others share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from em_mock.core.registry import Kind, QueryField, QueryType, register_query_types
from em_mock.families.infrastructure.model import REPOSITORIES, SERVERS, BackupServer


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

register_query_types(BACKUP_SERVER, REPOSITORY)
