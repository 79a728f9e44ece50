"""Backup servers and their repositories. Plain objects: no HTTP, no XML, no JSON."""

from __future__ import annotations

from dataclasses import dataclass

from em_mock.core.tables import Table

REPOSITORY_KINDS = ("WindowsLocal", "LinuxLocal", "CifsShare", "DDBoost", "Cloud", "HPStoreOnce",
                    "ExaGrid", "Foreign", "SanSnapshot", "HPStoreOnceIntegration", "Extendable",
                    "Quantum", "Nfs", "AmazonS3Compatible")


@dataclass(slots=True, eq=False)
class BackupServer:
    """A Veeam backup server connected to Enterprise Manager."""

    id: str
    name: str
    description: str = ""
    port: int = 9392
    version: str = "12.3.2.4465"
    wcf_port: int = 9405
    certificate_thumbprint: str = ""
    ip_or_dns_name: str = ""


@dataclass(slots=True, eq=False)
class Repository:
    """A backup repository; ``capacity``/``free_space`` are bytes, -1 when unknown."""

    id: str
    name: str
    backup_server: BackupServer
    kind: str = "WindowsLocal"
    capacity: int = 0
    free_space: int = 0


SERVERS: Table[BackupServer] = Table("backup_servers")
REPOSITORIES: Table[Repository] = Table("repositories")
