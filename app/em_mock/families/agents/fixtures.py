"""Fixture sections ``ProtectionGroups`` and ``DiscoveredComputers``."""

from __future__ import annotations

from typing import Any

from em_mock.core.fixtures import Documents, Section, register_sections
from em_mock.core.ids import urn
from em_mock.core.tables import DataSet
from em_mock.core.validate import Reader, TimeWriter, claim, items
from em_mock.families.agents.model import (
    AGENT_STATUSES,
    DISCOVERED_COMPUTERS,
    HOST_STATUSES,
    PROTECTION_GROUPS,
    DiscoveredComputer,
    ProtectionGroup,
)
from em_mock.families.infrastructure.fixtures import server_of
from em_mock.families.infrastructure.model import BackupServer

_GROUP_KEYS = ("UID", "Name", "BackupServerUid")
_COMPUTER_KEYS = ("UID", "Name", "ProtectionGroupUid", "HostStatus", "AgentVersion",
                  "AgentStatus", "OsVersion", "IpAddress")


def _read_groups(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "ProtectionGroups"):
        reader.unknown_keys(src, _GROUP_KEYS)
        guid = reader.uid(src, "UID", "AgentProtectionGroup")
        name = reader.value(src, "Name", str, required=True, default="")
        server = server_of(reader, src, data)
        if claim(reader, seen, src, guid) and server is not None:
            PROTECTION_GROUPS.of(data)[guid or ""] = ProtectionGroup(guid or "", name, server)


def _read_computers(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "DiscoveredComputers"):
        reader.unknown_keys(src, _COMPUTER_KEYS)
        guid = reader.uid(src, "UID", "DiscoveredComputer")
        group_id = reader.uid(src, "ProtectionGroupUid", "AgentProtectionGroup")
        group = PROTECTION_GROUPS.of(data).get(group_id or "")
        if group_id and group is None:
            reader.error(src, "ProtectionGroupUid", f"no protection group has the UID {group_id}")
        computer = DiscoveredComputer(
            guid or "", reader.value(src, "Name", str, required=True, default=""),
            group or ProtectionGroup("", "", BackupServer("", "")),
            reader.choice(src, "HostStatus", HOST_STATUSES, required=False, default="Online")
            or "Online",
            reader.value(src, "AgentVersion", str, default=""),
            reader.choice(src, "AgentStatus", AGENT_STATUSES, required=False,
                          default="Installed") or "Installed",
            reader.value(src, "OsVersion", str, default=""),
            reader.value(src, "IpAddress", str, default=""))
        if claim(reader, seen, src, guid) and group is not None:
            DISCOVERED_COMPUTERS.of(data)[computer.id] = computer


def _write_groups(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{
        "UID": urn("AgentProtectionGroup", g.id), "Name": g.name,
        "BackupServerUid": urn("BackupServer", g.backup_server.id),
    } for g in PROTECTION_GROUPS.of(data).values()]


def _write_computers(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{
        "UID": urn("DiscoveredComputer", c.id), "Name": c.name,
        "ProtectionGroupUid": urn("AgentProtectionGroup", c.protection_group.id),
        "HostStatus": c.host_status, "AgentVersion": c.agent_version,
        "AgentStatus": c.agent_status, "OsVersion": c.os_version,
        "IpAddress": c.ip_address,
    } for c in DISCOVERED_COMPUTERS.of(data).values()]


register_sections(
    Section("ProtectionGroups", 80, _read_groups, _write_groups),
    Section("DiscoveredComputers", 90, _read_computers, _write_computers),
)
