"""Backup servers, the servers they manage (hierarchy roots among them), their
repositories (external ones too), WAN accelerators, credentials and encryption password
keys. Plain objects: no HTTP, no XML, no JSON."""

from __future__ import annotations

from dataclasses import dataclass

from em_mock.core.tables import Table, View

REPOSITORY_KINDS = ("WindowsLocal", "LinuxLocal", "CifsShare", "DDBoost", "Cloud", "HPStoreOnce",
                    "ExaGrid", "Foreign", "SanSnapshot", "HPStoreOnceIntegration", "Extendable",
                    "Quantum", "Nfs", "AmazonS3Compatible")

MANAGED_SERVER_TYPES = ("ESX", "VC", "Linux", "Local", "Windows", "ESXi", "HvServer", "HvCluster",
                        "Scvmm", "BackupServer", "SanHost", "SmbServer", "SmbCluster", "VcdSystem",
                        "Cloud", "AzureWinServer", "VmSnapshotStorageHost", "ConfigurationService",
                        "ExternalInfrastructureProxy", "NdmpServer", "ExternalInfrastructureServer")
HIERARCHY_HOST_TYPES = ("ESX", "VC", "ESXi", "HvServer", "HvCluster", "Scvmm", "VcdSystem")


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


@dataclass(slots=True, eq=False)
class ManagedServer:
    """A server a backup server manages: hosts, hypervisor managers, proxies, repositories.

    ``parent`` is the server this one was added through (an ESXi host under its vCenter);
    ``unique_id`` is the hypervisor's own identity, for hierarchy roots.
    """

    id: str
    name: str
    backup_server: BackupServer
    server_type: str = "Windows"
    description: str = ""
    parent: ManagedServer | None = None
    unique_id: str = ""

    @property
    def is_hierarchy_root(self) -> bool:
        """A hypervisor host or manager added on its own: the top of a VM hierarchy."""
        return self.server_type in HIERARCHY_HOST_TYPES and self.parent is None


EXTERNAL_REPOSITORY_TYPES = ("AmazonS3External", "AzureStorageExternal",
                             "GoogleCloudStorageExternal")


@dataclass(slots=True, eq=False)
class WanAccelerator:
    """A WAN accelerator; ``capacity`` is its global cache size in GB."""

    id: str
    name: str
    backup_server: BackupServer
    description: str = ""
    out_of_date: bool = False
    version: str = "12.3.2.4465"
    capacity: int = 100
    traffic_port: int = 6165
    connections_count: int = 5
    cache_path: str = ""
    high_bandwidth: bool = False


@dataclass(slots=True, eq=False)
class ExternalRepository:
    """An object storage repository a backup server reads backups from; ``used_space`` is
    bytes."""

    id: str
    name: str
    backup_server: BackupServer
    repository_type: str = "AmazonS3External"
    path: str = ""
    used_space: int = 0
    description: str = ""


@dataclass(slots=True, eq=False)
class Credentials:
    """A credentials record of a backup server. The password is kept (so an edit can
    change it) but never shown."""

    id: str
    backup_server: BackupServer
    username: str
    description: str = ""
    password: str = ""


@dataclass(slots=True, eq=False)
class PasswordKey:
    """An encryption password of a backup server, shown only by its hint."""

    id: str
    backup_server: BackupServer
    hint: str
    modified_ms: int
    password: str = ""


SERVERS: Table[BackupServer] = Table("backup_servers")
MANAGED_SERVERS: Table[ManagedServer] = Table("managed_servers")
HIERARCHY_ROOTS: View[ManagedServer] = View("hierarchy_roots", MANAGED_SERVERS,
                                            lambda m: m.is_hierarchy_root)
REPOSITORIES: Table[Repository] = Table("repositories")
WAN_ACCELERATORS: Table[WanAccelerator] = Table("wan_accelerators")
EXTERNAL_REPOSITORIES: Table[ExternalRepository] = Table("external_repositories")
CREDENTIALS: Table[Credentials] = Table("credentials")
PASSWORD_KEYS: Table[PasswordKey] = Table("password_keys")
