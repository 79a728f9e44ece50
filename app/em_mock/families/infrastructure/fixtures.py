"""Fixture sections ``BackupServers``, ``Repositories``, ``ManagedServers``,
``WanAccelerators``, ``ExternalRepositories``, ``Credentials`` and ``PasswordKeys``, and the
server lookup the other families use."""

from __future__ import annotations

from typing import Any

from em_mock.core.fixtures import Documents, Section, register_sections
from em_mock.core.ids import urn
from em_mock.core.tables import DataSet
from em_mock.core.validate import Reader, Source, TimeWriter, claim, items
from em_mock.families.infrastructure import capture as cap
from em_mock.families.infrastructure.model import (
    CREDENTIALS,
    EXTERNAL_REPOSITORIES,
    EXTERNAL_REPOSITORY_TYPES,
    MANAGED_SERVER_TYPES,
    MANAGED_SERVERS,
    PASSWORD_KEYS,
    REPOSITORIES,
    REPOSITORY_KINDS,
    SERVERS,
    WAN_ACCELERATORS,
    BackupServer,
    Credentials,
    ExternalRepository,
    ManagedServer,
    PasswordKey,
    Repository,
    WanAccelerator,
)

_SERVER_KEYS = ("UID", "Name", "Description", "Port", "Version", "WcfPort",
                "VbrCertificateThumbprint", "IpOrDnsName")
_REPOSITORY_KEYS = ("UID", "Name", "BackupServerUid", "Kind", "Capacity", "FreeSpace")
_MANAGED_KEYS = ("UID", "Name", "BackupServerUid", "ManagedServerType", "Description",
                 "ParentUid", "UniqueId")


def server_of(reader: Reader, src: Source, data: DataSet) -> BackupServer | None:
    """The server an item's ``BackupServerUid`` names (an error when there is none)."""
    guid = reader.uid(src, "BackupServerUid", "BackupServer")
    server = SERVERS.of(data).get(guid or "")
    if guid and server is None:
        reader.error(src, "BackupServerUid", f"no backup server has the UID {guid}")
    return server


def repository_of(reader: Reader, src: Source, data: DataSet, key: str = "RepositoryUid",
                  *, optional: bool = False, server: BackupServer | None = None
                  ) -> Repository | None:
    """The repository an item's ``key`` names (an error when there is none, or when it is
    not on ``server``); with ``optional``, the key may be missing or null."""
    guid = reader.uid(src, key, "Repository", required=not optional, nullable=optional)
    repo = REPOSITORIES.of(data).get(guid or "")
    if guid and repo is None:
        reader.error(src, key, f"no repository has the UID {guid}")
    elif repo is not None and server is not None and repo.backup_server is not server:
        reader.error(src, key, "the repository is on another backup server")
    return repo


def _read_servers(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "BackupServers"):
        reader.unknown_keys(src, _SERVER_KEYS)
        guid = reader.uid(src, "UID", "BackupServer")
        name = reader.value(src, "Name", str, required=True, default="")
        server = BackupServer(
            id=guid or "", name=name,
            description=reader.value(src, "Description", str, default=""),
            port=reader.value(src, "Port", int, default=9392),
            version=reader.value(src, "Version", str, default="12.3.2.4465"),
            wcf_port=reader.value(src, "WcfPort", int, default=9405),
            certificate_thumbprint=reader.value(src, "VbrCertificateThumbprint", str, default=""),
            ip_or_dns_name=reader.value(src, "IpOrDnsName", str, default=name),
        )
        if claim(reader, seen, src, guid):
            SERVERS.of(data)[server.id] = server


def _write_servers(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{
        "UID": urn("BackupServer", s.id), "Name": s.name, "Description": s.description,
        "Port": s.port, "Version": s.version, "WcfPort": s.wcf_port,
        "VbrCertificateThumbprint": s.certificate_thumbprint, "IpOrDnsName": s.ip_or_dns_name,
    } for s in SERVERS.of(data).values()]


def _read_repositories(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "Repositories"):
        reader.unknown_keys(src, _REPOSITORY_KEYS)
        guid = reader.uid(src, "UID", "Repository")
        name = reader.value(src, "Name", str, required=True, default="")
        server = server_of(reader, src, data)
        kind = reader.choice(src, "Kind", REPOSITORY_KINDS, required=False,
                             default="WindowsLocal")
        capacity = reader.value(src, "Capacity", int, default=0)
        free = reader.value(src, "FreeSpace", int, default=0)
        if capacity < -1 or free < -1:
            reader.error(src, "Capacity", "Capacity and FreeSpace are bytes, or -1 when unknown")
        if claim(reader, seen, src, guid) and server is not None:
            REPOSITORIES.of(data)[guid or ""] = Repository(guid or "", name, server,
                                                           kind or "WindowsLocal", capacity, free)


def _write_repositories(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{
        "UID": urn("Repository", r.id), "Name": r.name,
        "BackupServerUid": urn("BackupServer", r.backup_server.id), "Kind": r.kind,
        "Capacity": r.capacity, "FreeSpace": r.free_space,
    } for r in REPOSITORIES.of(data).values()]


def _read_managed_servers(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    parents: list[tuple[Source, ManagedServer, str]] = []
    table = MANAGED_SERVERS.of(data)
    for src in items(reader, docs, "ManagedServers"):
        reader.unknown_keys(src, _MANAGED_KEYS)
        guid = reader.uid(src, "UID", "ManagedServer")
        name = reader.value(src, "Name", str, required=True, default="")
        server = server_of(reader, src, data)
        kind = reader.choice(src, "ManagedServerType", MANAGED_SERVER_TYPES, required=False,
                             default="Windows") or "Windows"
        parent_id = reader.uid(src, "ParentUid", "ManagedServer", required=False, nullable=True)
        managed = ManagedServer(guid or "", name, server or BackupServer("", ""), kind,
                                reader.value(src, "Description", str, default=""),
                                unique_id=reader.value(src, "UniqueId", str, default=""))
        if claim(reader, seen, src, guid) and server is not None:
            table[managed.id] = managed
            if parent_id:
                parents.append((src, managed, parent_id))
    for src, managed, parent_id in parents:
        parent = table.get(parent_id)
        if parent is None:
            reader.error(src, "ParentUid", f"no managed server has the UID {parent_id}")
        elif parent.backup_server is not managed.backup_server:
            reader.error(src, "ParentUid", "the parent is managed by another backup server")
        else:
            managed.parent = parent


def _write_managed_servers(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{
        "UID": urn("ManagedServer", m.id), "Name": m.name,
        "BackupServerUid": urn("BackupServer", m.backup_server.id),
        "ManagedServerType": m.server_type, "Description": m.description,
        "ParentUid": urn("ManagedServer", m.parent.id) if m.parent else None,
        "UniqueId": m.unique_id,
    } for m in MANAGED_SERVERS.of(data).values()]


_WAN_KEYS = ("UID", "Name", "BackupServerUid", "Description", "OutOfDate", "Version", "Capacity",
             "TrafficPort", "ConnectionsCount", "CachePath", "HighBandwidthModeEnabled")
_EXTERNAL_KEYS = ("UID", "Name", "BackupServerUid", "RepositoryType", "Path", "UsedSpace",
                  "Description")
_CREDENTIALS_KEYS = ("Id", "BackupServerUid", "Username", "Description", "Password")
_PASSWORD_KEYS = ("ID", "BackupServerUid", "Hint", "LastModificationDate", "Password")


def _read_wan(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "WanAccelerators"):
        reader.unknown_keys(src, _WAN_KEYS)
        guid = reader.uid(src, "UID", "WanAccelerator")
        name = reader.value(src, "Name", str, required=True, default="")
        server = server_of(reader, src, data)
        numbers = [reader.value(src, key, int, default=default) for key, default in
                   (("Capacity", 100), ("TrafficPort", 6165), ("ConnectionsCount", 5))]
        if min(numbers) < 0:
            reader.error(src, "Capacity", "Capacity, TrafficPort and ConnectionsCount are "
                         "not negative")
        if claim(reader, seen, src, guid) and server is not None:
            WAN_ACCELERATORS.of(data)[guid or ""] = WanAccelerator(
                guid or "", name, server, reader.value(src, "Description", str, default=""),
                reader.value(src, "OutOfDate", bool, default=False),
                reader.value(src, "Version", str, default=server.version), numbers[0],
                numbers[1], numbers[2],
                reader.value(src, "CachePath", str, default=""),
                reader.value(src, "HighBandwidthModeEnabled", bool, default=False))


def _write_wan(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{
        "UID": urn("WanAccelerator", w.id), "Name": w.name,
        "BackupServerUid": urn("BackupServer", w.backup_server.id),
        "Description": w.description, "OutOfDate": w.out_of_date, "Version": w.version,
        "Capacity": w.capacity, "TrafficPort": w.traffic_port,
        "ConnectionsCount": w.connections_count, "CachePath": w.cache_path,
        "HighBandwidthModeEnabled": w.high_bandwidth,
    } for w in WAN_ACCELERATORS.of(data).values()]


def _read_external(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "ExternalRepositories"):
        reader.unknown_keys(src, _EXTERNAL_KEYS)
        guid = reader.uid(src, "UID", "ExternalRepository")
        name = reader.value(src, "Name", str, required=True, default="")
        server = server_of(reader, src, data)
        kind = reader.choice(src, "RepositoryType", EXTERNAL_REPOSITORY_TYPES,
                             default="AmazonS3External") or "AmazonS3External"
        used = reader.value(src, "UsedSpace", int, default=0)
        if used < 0:
            reader.error(src, "UsedSpace", "UsedSpace is bytes, not negative")
        if claim(reader, seen, src, guid) and server is not None:
            EXTERNAL_REPOSITORIES.of(data)[guid or ""] = ExternalRepository(
                guid or "", name, server, kind, reader.value(src, "Path", str, default=""),
                used, reader.value(src, "Description", str, default=""))


def _write_external(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{
        "UID": urn("ExternalRepository", r.id), "Name": r.name,
        "BackupServerUid": urn("BackupServer", r.backup_server.id),
        "RepositoryType": r.repository_type, "Path": r.path, "UsedSpace": r.used_space,
        "Description": r.description,
    } for r in EXTERNAL_REPOSITORIES.of(data).values()]


def _read_credentials(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "Credentials"):
        reader.unknown_keys(src, _CREDENTIALS_KEYS)
        guid = reader.uid(src, "Id", "Credentials")
        username = reader.value(src, "Username", str, required=True, default="")
        server = server_of(reader, src, data)
        if claim(reader, seen, src, guid) and server is not None:
            CREDENTIALS.of(data)[guid or ""] = Credentials(
                guid or "", server, username, reader.value(src, "Description", str, default=""),
                reader.value(src, "Password", str, default=""))


def _write_credentials(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    out = []
    for c in CREDENTIALS.of(data).values():
        item: dict[str, Any] = {"Id": c.id, "BackupServerUid": urn("BackupServer",
                                                                   c.backup_server.id),
                                "Username": c.username, "Description": c.description}
        if c.password:
            item["Password"] = c.password
        out.append(item)
    return out


def _read_password_keys(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "PasswordKeys"):
        reader.unknown_keys(src, _PASSWORD_KEYS)
        guid = reader.uid(src, "ID", "PasswordKey")
        hint = reader.value(src, "Hint", str, required=True, default="")
        server = server_of(reader, src, data)
        modified = reader.time(src, "LastModificationDate")
        if claim(reader, seen, src, guid) and server is not None and modified is not None:
            PASSWORD_KEYS.of(data)[guid or ""] = PasswordKey(
                guid or "", server, hint, modified,
                reader.value(src, "Password", str, default=""))


def _write_password_keys(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    out = []
    for p in PASSWORD_KEYS.of(data).values():
        item: dict[str, Any] = {"ID": p.id, "BackupServerUid": urn("BackupServer",
                                                                   p.backup_server.id),
                                "Hint": p.hint, "LastModificationDate": time(p.modified_ms)}
        if p.password:
            item["Password"] = p.password
        out.append(item)
    return out


register_sections(
    Section("BackupServers", 10, _read_servers, _write_servers,
            control=("backupServers", "BackupServer"), capture=cap.capture_servers,
            capture_omits=("IpOrDnsName",)),
    Section("Repositories", 50, _read_repositories, _write_repositories,
            capture=cap.capture_repositories),
    Section("ManagedServers", 55, _read_managed_servers, _write_managed_servers,
            capture=cap.capture_managed_servers),
    Section("WanAccelerators", 56, _read_wan, _write_wan, capture=cap.capture_wan),
    Section("ExternalRepositories", 57, _read_external, _write_external,
            capture=cap.capture_external),
    Section("Credentials", 58, _read_credentials, _write_credentials,
            capture=cap.capture_credentials, capture_omits=("Password",)),
    Section("PasswordKeys", 59, _read_password_keys, _write_password_keys,
            capture=cap.capture_password_keys, capture_omits=("Password",)),
)
