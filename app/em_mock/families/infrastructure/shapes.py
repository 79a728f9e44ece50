"""Wire shapes of backup servers and repositories, and the ``Up`` link to a server."""

from __future__ import annotations

from em_mock.core.ids import derived_id
from em_mock.core.registry import ResourceType, register_resources
from em_mock.core.wire.documents import (
    Ctx,
    alternate_to_entity,
    alternate_to_reference,
    entity,
    reference,
)
from em_mock.core.wire.tree import Layer, Node, link
from em_mock.families.infrastructure.model import BackupServer, ManagedServer, Repository


def server_up(server: BackupServer, ctx: Ctx) -> Node:
    """The ``Up`` link from anything on a backup server to that server."""
    return link("Up", ctx.api(f"backupServers/{server.id}"), "BackupServerReference", server.name)


def _server_ref(s: BackupServer, ctx: Ctx, root: str) -> Node:
    return reference(root, "BackupServer", "backupServers", s.id, s.name,
                     [alternate_to_entity("BackupServer", "backupServers", s.id, s.name, ctx)], ctx)


def _server_entity(s: BackupServer, ctx: Ctx) -> Node:
    own = Layer(elems=[("Description", s.description), ("Port", s.port), ("Version", s.version),
                       ("WcfPort", s.wcf_port),
                       ("VbrCertificateThumbprint", s.certificate_thumbprint)])
    return entity("BackupServer", "backupServers", s.id, s.name,
                  [alternate_to_reference("BackupServer", "backupServers", s.id, s.name, ctx)],
                  [own], ctx)


BACKUP_SERVER = ResourceType("BackupServer", "backupServers", "BackupServers",
                             _server_ref, _server_entity)


def _repo_downs(r: Repository, ctx: Ctx) -> list[Node]:
    return [link("Down", ctx.api(f"repositories/{r.id}/backups"), "BackupReferenceList"),
            link("Down", ctx.api(f"repositories/{r.id}/replicas"), "ReplicaReferenceList")]


def _repo_ref(r: Repository, ctx: Ctx, root: str) -> Node:
    return reference(root, "Repository", "repositories", r.id, r.name, [
        server_up(r.backup_server, ctx),
        alternate_to_entity("Repository", "repositories", r.id, r.name, ctx),
        *_repo_downs(r, ctx)], ctx)


def _repo_entity(r: Repository, ctx: Ctx) -> Node:
    own = Layer(elems=[("Capacity", r.capacity), ("FreeSpace", r.free_space), ("Kind", r.kind)])
    return entity("Repository", "repositories", r.id, r.name, [
        server_up(r.backup_server, ctx),
        alternate_to_reference("Repository", "repositories", r.id, r.name, ctx),
        *_repo_downs(r, ctx)], [own], ctx)


REPOSITORY = ResourceType("Repository", "repositories", "Repositories", _repo_ref, _repo_entity)

MANAGED_PATH = "managedServers"
ROOT_PATH = "hierarchyRoots"


def root_id(m: ManagedServer) -> str:
    """The id of the hierarchy root a managed server is (derived from the server's)."""
    return derived_id("HierarchyRoot", m.id)


def _managed_links(m: ManagedServer, ctx: Ctx, alternate: Node) -> list[Node]:
    server = m.backup_server
    out = [link("Up", ctx.api(f"backupServers/{server.id}?format=Entity"), "BackupServer",
                server.name), alternate]
    if m.is_hierarchy_root:
        out.append(link("Related", ctx.api(f"{ROOT_PATH}/{root_id(m)}?format=Entity"),
                        "HierarchyRoot", m.name))
    return out


def _managed_ref(m: ManagedServer, ctx: Ctx, root: str) -> Node:
    alternate = alternate_to_entity("ManagedServer", MANAGED_PATH, m.id, m.name, ctx)
    return reference(root, "ManagedServer", MANAGED_PATH, m.id, m.name,
                     _managed_links(m, ctx, alternate), ctx)


def _managed_entity(m: ManagedServer, ctx: Ctx) -> Node:
    alternate = alternate_to_reference("ManagedServer", MANAGED_PATH, m.id, m.name, ctx)
    own = Layer(elems=[("Description", m.description), ("ManagedServerType", m.server_type)])
    return entity("ManagedServer", MANAGED_PATH, m.id, m.name,
                  _managed_links(m, ctx, alternate), [own], ctx)


MANAGED_SERVER = ResourceType("ManagedServer", MANAGED_PATH, "ManagedServers", _managed_ref,
                              _managed_entity)


def _root_links(m: ManagedServer, ctx: Ctx, alternate: Node) -> list[Node]:
    return [server_up(m.backup_server, ctx), alternate,
            link("Related", ctx.api(f"{MANAGED_PATH}/{m.id}?format=Entity"), "ManagedServer",
                 m.name)]


def _root_ref(m: ManagedServer, ctx: Ctx, root: str) -> Node:
    guid = root_id(m)
    alternate = alternate_to_entity("HierarchyRoot", ROOT_PATH, guid, m.name, ctx)
    return reference(root, "HierarchyRoot", ROOT_PATH, guid, m.name,
                     _root_links(m, ctx, alternate), ctx)


def _root_entity(m: ManagedServer, ctx: Ctx) -> Node:
    guid = root_id(m)
    alternate = alternate_to_reference("HierarchyRoot", ROOT_PATH, guid, m.name, ctx)
    own = Layer(elems=[("HierarchyRootId", m.id), ("UniqueId", m.unique_id),
                       ("HostType", m.server_type)])
    return entity("HierarchyRoot", ROOT_PATH, guid, m.name, _root_links(m, ctx, alternate),
                  [own], ctx)


HIERARCHY_ROOT = ResourceType("HierarchyRoot", ROOT_PATH, "HierarchyRoots", _root_ref,
                              _root_entity)

register_resources(BACKUP_SERVER, REPOSITORY, MANAGED_SERVER, HIERARCHY_ROOT)
