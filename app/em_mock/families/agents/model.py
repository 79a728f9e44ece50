"""Agent protection groups and the computers discovered in them. Plain objects."""

from __future__ import annotations

from dataclasses import dataclass

from em_mock.core.tables import Table
from em_mock.families.infrastructure.model import BackupServer

HOST_STATUSES = ("Online", "Offline", "Unknown")
AGENT_STATUSES = ("NotInstalled", "Installed", "UnsupportedOs", "Failed", "Exclude")


@dataclass(slots=True, eq=False)
class ProtectionGroup:
    """An agent protection group: where discovered computers come from."""

    id: str
    name: str
    backup_server: BackupServer


@dataclass(slots=True, eq=False)
class DiscoveredComputer:
    """A computer found in a protection group, with its Veeam agent's state."""

    id: str
    name: str
    protection_group: ProtectionGroup
    host_status: str = "Online"
    agent_version: str = ""
    agent_status: str = "Installed"
    os_version: str = ""
    ip_address: str = ""

    @property
    def backup_server(self) -> BackupServer:
        """The server of the computer's protection group."""
        return self.protection_group.backup_server


PROTECTION_GROUPS: Table[ProtectionGroup] = Table("protection_groups")
DISCOVERED_COMPUTERS: Table[DiscoveredComputer] = Table("discovered_computers")
