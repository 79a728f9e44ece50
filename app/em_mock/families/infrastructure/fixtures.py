"""Fixture sections ``BackupServers``, ``Repositories`` and ``ManagedServers``, and the
server lookup the other families use."""

from __future__ import annotations

from typing import Any

from em_mock.core.fixtures import Documents, Section, register_sections
from em_mock.core.ids import urn
from em_mock.core.tables import DataSet
from em_mock.core.validate import Reader, Source, TimeWriter, claim, items
from em_mock.families.infrastructure.model import (
    MANAGED_SERVER_TYPES,
    MANAGED_SERVERS,
    REPOSITORIES,
    REPOSITORY_KINDS,
    SERVERS,
    BackupServer,
    ManagedServer,
    Repository,
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


register_sections(
    Section("BackupServers", 10, _read_servers, _write_servers,
            control=("backupServers", "BackupServer")),
    Section("Repositories", 50, _read_repositories, _write_repositories),
    Section("ManagedServers", 55, _read_managed_servers, _write_managed_servers),
)
