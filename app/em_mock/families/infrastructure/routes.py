"""Routes of the backup infrastructure, and their logon links."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from em_mock.core.errors import EMError
from em_mock.core.http.collections import Collection, Sub, by_id, serve, table_items
from em_mock.core.http.deps import CurrentSession, RuntimeDep, WireDep, find
from em_mock.core.registry import (
    Headline,
    collection_links,
    register_headlines,
    register_logon_links,
    register_router,
)
from em_mock.core.runtime import Runtime
from em_mock.core.wire import documents as docs
from em_mock.families.infrastructure.model import (
    CREDENTIALS,
    EXTERNAL_REPOSITORIES,
    HIERARCHY_ROOTS,
    MANAGED_SERVERS,
    PASSWORD_KEYS,
    REPOSITORIES,
    SERVERS,
    WAN_ACCELERATORS,
    BackupServer,
    Credentials,
    PasswordKey,
)
from em_mock.families.infrastructure.shapes import (
    BACKUP_SERVER,
    EXTERNAL_REPOSITORY,
    HIERARCHY_ROOT,
    MANAGED_SERVER,
    REPOSITORY,
    WAN_ACCELERATOR,
    credentials_info,
    password_key_info,
    root_id,
)

router = register_router(APIRouter())


def _none(rt: Runtime, item: Any) -> list[Any]:
    return []


SERVER_COLLECTION = Collection(
    BACKUP_SERVER, "backup server", table_items(SERVERS), subs=(
        Sub("repositories", REPOSITORY,
            lambda rt, server: [r for r in REPOSITORIES.rows(rt.store)
                                if r.backup_server is server]),
        Sub("managedServers", MANAGED_SERVER,
            lambda rt, server: [m for m in MANAGED_SERVERS.rows(rt.store)
                                if m.backup_server is server]),
        Sub("externalRepositories", EXTERNAL_REPOSITORY,
            lambda rt, server: [r for r in EXTERNAL_REPOSITORIES.rows(rt.store)
                                if r.backup_server is server]),
    ))
# The restore family serves the backups (and replicas) below these two.
REPOSITORY_COLLECTION = Collection(REPOSITORY, "repository", table_items(REPOSITORIES))
EXTERNAL_REPOSITORY_COLLECTION = Collection(EXTERNAL_REPOSITORY, "external repository",
                                            table_items(EXTERNAL_REPOSITORIES))

serve(router, SERVER_COLLECTION)
serve(router, REPOSITORY_COLLECTION)
serve(router, Collection(WAN_ACCELERATOR, "WAN accelerator", table_items(WAN_ACCELERATORS)))
serve(router, EXTERNAL_REPOSITORY_COLLECTION)
serve(router, Collection(MANAGED_SERVER, "managed server", table_items(MANAGED_SERVERS)))
serve(router, Collection(
    HIERARCHY_ROOT, "hierarchy root",
    by_id("hierarchy roots", lambda rt: HIERARCHY_ROOTS.rows(rt.store), root_id)))

def server_of(rt: Runtime, server_id: str) -> BackupServer:
    """The backup server ``server_id`` names, or a 404."""
    found: BackupServer = find(SERVERS.of(rt.store.data), server_id, "backup server")
    return found


def credentials_of(rt: Runtime, server: BackupServer) -> list[Credentials]:
    """The server's credentials records, in creation order."""
    return [c for c in CREDENTIALS.rows(rt.store) if c.backup_server is server]


def password_keys_of(rt: Runtime, server: BackupServer) -> list[PasswordKey]:
    """The server's encryption password keys, in creation order."""
    return [p for p in PASSWORD_KEYS.rows(rt.store) if p.backup_server is server]


def one_credentials(rt: Runtime, server_id: str, item_id: str) -> Credentials:
    """A credentials record of the server (404 if either is unknown)."""
    server = server_of(rt, server_id)
    found = CREDENTIALS.of(rt.store.data).get(item_id.lower())
    if found is None or found.backup_server is not server:
        raise EMError(404, f"No credentials of {server.name} have the id {item_id!r}.")
    return found


def one_password_key(rt: Runtime, server_id: str, item_id: str) -> PasswordKey:
    """A password key of the server (404 if either is unknown)."""
    server = server_of(rt, server_id)
    found = PASSWORD_KEYS.of(rt.store.data).get(item_id.lower())
    if found is None or found.backup_server is not server:
        raise EMError(404, f"No password key of {server.name} has the id {item_id!r}.")
    return found


# Both lists are entity lists under their own root (not EntityReferences), whatever the format.
@router.get("/api/backupservers/{server_id}/credentials")
async def list_credentials(server_id: str, _: CurrentSession, rt: RuntimeDep,
                           out: WireDep) -> Response:
    """The credentials records of one backup server (``CredentialsInfoList``)."""
    server = server_of(rt, server_id)
    return out.send(docs.entity_list("CredentialsInfoList", [
        credentials_info(c, out.ctx) for c in credentials_of(rt, server)]))


@router.get("/api/backupservers/{server_id}/credentials/{item_id}")
async def get_credentials(server_id: str, item_id: str, _: CurrentSession, rt: RuntimeDep,
                          out: WireDep) -> Response:
    """One credentials record (``CredentialsInfo``)."""
    return out.send(credentials_info(one_credentials(rt, server_id, item_id), out.ctx))


@router.get("/api/backupservers/{server_id}/passwords")
async def list_password_keys(server_id: str, _: CurrentSession, rt: RuntimeDep,
                             out: WireDep) -> Response:
    """The encryption password keys of one backup server (``PasswordKeyInfoList``)."""
    server = server_of(rt, server_id)
    return out.send(docs.entity_list("PasswordKeyInfoList", [
        password_key_info(p, out.ctx) for p in password_keys_of(rt, server)]))


@router.get("/api/backupservers/{server_id}/passwords/{item_id}")
async def get_password_key(server_id: str, item_id: str, _: CurrentSession, rt: RuntimeDep,
                           out: WireDep) -> Response:
    """One encryption password key (``PasswordKeyInfo``)."""
    return out.send(password_key_info(one_password_key(rt, server_id, item_id), out.ctx))


register_logon_links(
    *collection_links("backupServers", "BackupServer", 10, 340),
    *collection_links("managedServers", "ManagedServer", 20, 350),
    *collection_links("hierarchyRoots", "HierarchyRoot", 50, 390),
    *collection_links("repositories", "Repository", 60, 400),
    *collection_links("wanAccelerators", "WanAccelerator", 200, 530),
    *collection_links("externalRepositories", "ExternalRepository", 220, 580),
)
register_headlines(Headline(10, "backupServers", "backup servers",
                            lambda data: len(SERVERS.of(data))))
