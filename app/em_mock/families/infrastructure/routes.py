"""Routes of backup servers and repositories, and their logon links."""

from __future__ import annotations

from fastapi import APIRouter

from em_mock.core.http.collections import Collection, Sub, by_id, serve, table_items
from em_mock.core.registry import (
    Headline,
    collection_links,
    register_headlines,
    register_logon_links,
    register_router,
)
from em_mock.families.infrastructure.model import (
    HIERARCHY_ROOTS,
    MANAGED_SERVERS,
    REPOSITORIES,
    SERVERS,
)
from em_mock.families.infrastructure.shapes import (
    BACKUP_SERVER,
    HIERARCHY_ROOT,
    MANAGED_SERVER,
    REPOSITORY,
    root_id,
)

router = register_router(APIRouter())


SERVER_COLLECTION = Collection(
    BACKUP_SERVER, "backup server", table_items(SERVERS), subs=(
        Sub("repositories", REPOSITORY,
            lambda rt, server: [r for r in REPOSITORIES.rows(rt.store)
                                if r.backup_server is server]),
        Sub("managedServers", MANAGED_SERVER,
            lambda rt, server: [m for m in MANAGED_SERVERS.rows(rt.store)
                                if m.backup_server is server]),
    ))
# The restore family serves a repository's backups and replicas below it.
REPOSITORY_COLLECTION = Collection(REPOSITORY, "repository", table_items(REPOSITORIES))

serve(router, SERVER_COLLECTION)
serve(router, REPOSITORY_COLLECTION)
serve(router, Collection(MANAGED_SERVER, "managed server", table_items(MANAGED_SERVERS)))
serve(router, Collection(
    HIERARCHY_ROOT, "hierarchy root",
    by_id("hierarchy roots", lambda rt: HIERARCHY_ROOTS.rows(rt.store), root_id)))

register_logon_links(
    *collection_links("backupServers", "BackupServer", 10, 340),
    *collection_links("managedServers", "ManagedServer", 20, 350),
    *collection_links("hierarchyRoots", "HierarchyRoot", 50, 390),
    *collection_links("repositories", "Repository", 60, 400),
)
register_headlines(Headline(10, "backupServers", "backup servers",
                            lambda data: len(SERVERS.of(data))))
