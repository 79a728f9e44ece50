"""Wire shapes of the backup infrastructure, and the ``Up`` link to a server."""

from __future__ import annotations

from em_mock.core.ids import derived_id, urn
from em_mock.core.registry import ResourceType, register_resources
from em_mock.core.wire.documents import (
    Ctx,
    alternate_to_entity,
    alternate_to_reference,
    entity,
    reference,
)
from em_mock.core.wire.tree import Layer, Node, link, links, resource_layer
from em_mock.families.infrastructure.model import (
    BackupServer,
    Credentials,
    ExternalRepository,
    ManagedServer,
    PasswordKey,
    Repository,
    WanAccelerator,
)


def server_up(server: BackupServer, ctx: Ctx) -> Node:
    """The ``Up`` link from anything on a backup server to that server."""
    return link("Up", ctx.api(f"backupServers/{server.id}"), "BackupServerReference", server.name)


def _server_ref(s: BackupServer, ctx: Ctx, root: str) -> Node:
    return reference(root, "BackupServer", "backupServers", s.id, s.name,
                     [alternate_to_entity("BackupServer", "backupServers", s.id, s.name, ctx)], ctx)


def _server_links(s: BackupServer, ctx: Ctx) -> list[Node]:
    """The entity's links in a real v12 server's order (the docs' table agrees)."""
    here = ctx.api(f"backupServers/{s.id}")
    return [
        alternate_to_reference("BackupServer", "backupServers", s.id, s.name, ctx),
        link("Edit", here, "BackupServerReference"),
        link("Delete", here, "BackupServerReference"),
        link("Down", f"{here}/jobs", "JobReferenceList"),
        link("Down", f"{here}/managedServers", "ManagedServerReferenceList"),
        link("Down", f"{here}/repositories", "RepositoryReferenceList"),
        link("Down", f"{here}/externalRepositories", "ExternalRepositoryReferenceList"),
        link("Down", f"{here}/credentials", "CredentialsList"),
        link("Create", f"{here}/credentials?action=create"),
        link("Down", f"{here}/passwords", "PasswordKeyList"),
        link("Create", f"{here}/passwords?action=create"),
        link("VeeamZip", f"{here}?action=veeamzip"),
        link("QuickBackup", f"{here}?action=quickbackup"),
        link("Start", f"{here}?action=collect"),
    ]


def _server_entity(s: BackupServer, ctx: Ctx) -> Node:
    own = Layer(elems=[("Description", s.description), ("Port", s.port), ("Version", s.version),
                       ("WcfPort", s.wcf_port),
                       ("VbrCertificateThumbprint", s.certificate_thumbprint)])
    return entity("BackupServer", "backupServers", s.id, s.name, _server_links(s, ctx),
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

WAN_PATH = "wanAccelerators"


def _wan_ref(w: WanAccelerator, ctx: Ctx, root: str) -> Node:
    return reference(root, "WanAccelerator", WAN_PATH, w.id, w.name, [
        server_up(w.backup_server, ctx),
        alternate_to_entity("WanAccelerator", WAN_PATH, w.id, w.name, ctx)], ctx)


def _wan_entity(w: WanAccelerator, ctx: Ctx) -> Node:
    own = Layer(elems=[
        ("Description", w.description), ("OutOfDate", w.out_of_date), ("Version", w.version),
        ("Capacity", w.capacity), ("TrafficPort", w.traffic_port),
        ("ConnectionsCount", w.connections_count), ("CachePath", w.cache_path),
        ("HighBandwidthModeEnabled", w.high_bandwidth),
        ("BackupServerUid", urn("BackupServer", w.backup_server.id)),
        ("BackupServerName", w.backup_server.name)])
    return entity("WanAccelerator", WAN_PATH, w.id, w.name, [
        server_up(w.backup_server, ctx),
        alternate_to_reference("WanAccelerator", WAN_PATH, w.id, w.name, ctx)], [own], ctx)


WAN_ACCELERATOR = ResourceType("WanAccelerator", WAN_PATH, "WanAccelerators", _wan_ref,
                               _wan_entity)

EXTERNAL_PATH = "externalRepositories"


def _external_links(r: ExternalRepository, ctx: Ctx, alternate: Node) -> list[Node]:
    return [server_up(r.backup_server, ctx), alternate,
            link("Down", ctx.api(f"{EXTERNAL_PATH}/{r.id}/backups"), "BackupReferenceList")]


def _external_ref(r: ExternalRepository, ctx: Ctx, root: str) -> Node:
    alternate = alternate_to_entity("ExternalRepository", EXTERNAL_PATH, r.id, r.name, ctx)
    return reference(root, "ExternalRepository", EXTERNAL_PATH, r.id, r.name,
                     _external_links(r, ctx, alternate), ctx)


def _external_entity(r: ExternalRepository, ctx: Ctx) -> Node:
    alternate = alternate_to_reference("ExternalRepository", EXTERNAL_PATH, r.id, r.name, ctx)
    own = Layer(elems=[("RepositoryType", r.repository_type), ("Path", r.path),
                       ("UsedSpace", r.used_space), ("Description", r.description)])
    return entity("ExternalRepository", EXTERNAL_PATH, r.id, r.name,
                  _external_links(r, ctx, alternate), [own], ctx)


EXTERNAL_REPOSITORY = ResourceType("ExternalRepository", EXTERNAL_PATH, "ExternalRepositories",
                                   _external_ref, _external_entity)


def credentials_path(c: Credentials | PasswordKey) -> str:
    """Where a credentials record or password key lives, below its backup server."""
    kind = "credentials" if isinstance(c, Credentials) else "passwords"
    return f"backupServers/{c.backup_server.id}/{kind}/{c.id}"


def _record_links(c: Credentials | PasswordKey, ctx: Ctx) -> list[Node]:
    here = ctx.api(credentials_path(c))
    return [link("Up", ctx.api(f"backupServers/{c.backup_server.id}"), "BackupServerReference",
                 c.backup_server.name), link("Edit", here), link("Delete", here)]


def credentials_info(c: Credentials, ctx: Ctx) -> Node:
    """``CredentialsInfo``: the record without its password (a server never shows one)."""
    return Node("CredentialsInfo", [
        resource_layer(links(_record_links(c, ctx)), ctx.api(credentials_path(c)),
                       "CredentialsInfo"),
        Layer(elems=[("Id", c.id), ("Username", c.username), ("Description", c.description)])])


def _credentials_ref(c: Credentials, ctx: Ctx, root: str) -> Node:
    # The query service's reference form; the docs show none, so it is the common one.
    return reference(root, "Credentials", f"backupServers/{c.backup_server.id}/credentials",
                     c.id, c.username, [server_up(c.backup_server, ctx)], ctx)


CREDENTIALS_INFO = ResourceType("Credentials", "credentials", "CredentialsInfoList",
                                _credentials_ref, credentials_info)


def password_key_info(p: PasswordKey, ctx: Ctx) -> Node:
    """``PasswordKeyInfo``: the key's id, hint and last change (never the password)."""
    return Node("PasswordKeyInfo", [
        resource_layer(links(_record_links(p, ctx)), ctx.api(credentials_path(p)),
                       "PasswordKeyInfo"),
        Layer(elems=[("ID", p.id), ("Hint", p.hint),
                     ("LastModificationDate", ctx.time(p.modified_ms))])])


def _password_ref(p: PasswordKey, ctx: Ctx, root: str) -> Node:
    return reference(root, "PasswordKey", f"backupServers/{p.backup_server.id}/passwords",
                     p.id, p.hint, [server_up(p.backup_server, ctx)], ctx)


PASSWORD_KEY_INFO = ResourceType("Passwords", "passwords", "PasswordKeyInfoList", _password_ref,
                                 password_key_info)

register_resources(BACKUP_SERVER, REPOSITORY, MANAGED_SERVER, HIERARCHY_ROOT, WAN_ACCELERATOR,
                   EXTERNAL_REPOSITORY, CREDENTIALS_INFO, PASSWORD_KEY_INFO)
