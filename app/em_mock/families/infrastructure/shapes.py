"""Wire shapes of backup servers and repositories, and the ``Up`` link to a server."""

from __future__ import annotations

from em_mock.core.registry import ResourceType, register_resources
from em_mock.core.wire.documents import (
    Ctx,
    alternate_to_entity,
    alternate_to_reference,
    entity,
    reference,
)
from em_mock.core.wire.tree import Layer, Node, link
from em_mock.families.infrastructure.model import BackupServer, Repository


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

register_resources(BACKUP_SERVER, REPOSITORY)
