"""File servers (file shares), NAS backup jobs and the objects they include. Plain objects.

A NAS job is a :class:`Job` of type ``NasBackup`` kept in its own table, so its runs are
ordinary backup job sessions (the vendor lists them under ``/backupSessions`` too) and
the job runs the clock drives work for it unchanged. Each included share or folder is
one of the job's ``vms`` (its task sessions are per share).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from em_mock.core.tables import DataSet, Table
from em_mock.families.infrastructure.model import BackupServer, ManagedServer, Repository
from em_mock.families.jobs.model import Job, JobVm

FILE_SERVER_TYPES = ("FileServer", "SmbServer", "NfsServer")
SHORT_TERM_TYPES = ("Day", "Month")
LONG_TERM_TYPES = ("Month", "Year")
ACL_MODES = ("TrackOnlyFolderAttributesChanges", "TrackEverythingAttributesChanges")
NAS_JOB_TYPE = "NasBackup"


@dataclass(slots=True, eq=False)
class FileServer:
    """A file share a backup server knows: an SMB or NFS share, or a managed Windows or
    Linux server (``FileServer``) whose folders jobs include."""

    id: str
    name: str
    backup_server: BackupServer
    server_type: str = "SmbServer"
    path: str = ""
    credentials_id: str | None = None
    managed_server: ManagedServer | None = None
    cache_repository: Repository | None = None
    processing_mode: str = "Direct"
    snapshot_path: str = ""

    @property
    def hierarchy_ref(self) -> str:
        """``urn:NasBackup:FileServer:<server>.<share>``."""
        return f"urn:NasBackup:FileServer:{self.backup_server.id}.{self.id}"


@dataclass(slots=True, eq=False)
class NasObject:
    """A share or folder a NAS job includes (``NASObject``)."""

    id: str
    job: NasJob = field(repr=False)
    file_server: FileServer
    path: str
    inclusion_mask: str = "*.*"
    exclusion_mask: str = ""
    size: int = 0


@dataclass(slots=True, eq=False)
class NasJob(Job):
    """A file share backup job: a ``NasBackup`` job with its storage settings."""

    includes: list[NasObject] = field(default_factory=list)
    short_term_type: str = "Day"
    short_term_period: int = 28
    long_term_enabled: bool = False
    long_term_type: str = "Year"
    long_term_period: int = 3
    archive_repository: Repository | None = None
    acl_mode: str = "TrackOnlyFolderAttributesChanges"

    @property
    def path(self) -> str:
        """Where the job is served: ``/nas/jobs/{id}``."""
        return "nas/jobs"

    def sync_vms(self) -> None:
        """One processed object per include, so runs make a task session per share."""
        self.vms = [JobVm(o.path, o.file_server.hierarchy_ref, o.size) for o in self.includes]


FILE_SERVERS: Table[FileServer] = Table("nas_file_servers")
NAS_JOBS: Table[NasJob] = Table("nas_jobs")
NAS_OBJECTS: Table[NasObject] = Table("nas_objects")


def index_nas_objects(data: DataSet) -> None:
    """Rebuild the include table (the ``NasObject`` query's rows) from the jobs."""
    NAS_OBJECTS.replace(data, {o.id: o for j in NAS_JOBS.of(data).values() for o in j.includes})
