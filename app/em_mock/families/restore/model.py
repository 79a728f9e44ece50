"""Restore sessions: a VM restore or a file-level restore from a VM restore point.

Plain objects: no HTTP, no XML, no JSON. Instants are integers in milliseconds since the
Unix epoch (UTC); identifiers are bare lower-case GUIDs.
"""

from __future__ import annotations

from dataclasses import dataclass

from em_mock.core.tables import Table
from em_mock.families.infrastructure.model import BackupServer
from em_mock.families.jobs.model import Job, TaskSession

RESTORE_JOB_TYPES = ("FileLevelRestore", "RestoreVm")
RESTORE_STATES = ("Starting", "Stopping", "Working", "Stopped")
RESTORE_RESULTS = ("None", "Success", "Warning", "Failed")


@dataclass(slots=True, eq=False)
class RestoreSession:
    """One restore from a VM restore point (``point`` is the backup task that left it)."""

    id: str
    point: TaskSession
    job_type: str
    creation_ms: int
    end_ms: int | None
    state: str
    result: str
    progress: int

    @property
    def backup_server(self) -> BackupServer:
        """The server that holds the restore point."""
        return self.point.session.job.backup_server

    @property
    def vm_name(self) -> str:
        """The restored VM's name."""
        return self.point.vm_name


RESTORE_SESSIONS: Table[RestoreSession] = Table("restore_sessions")


@dataclass(slots=True, eq=False)
class Mount:
    """A VM restore point, VM replica point or agent restore point mounted for file-level
    restore, with the restore session that stays ``Working`` until it is unmounted (only VM
    restore point mounts have one: restore sessions are of VM restore points)."""

    id: str
    point: TaskSession
    session: RestoreSession | None


# Mounts are not part of the fixture format: loading or replacing the data drops them.
MOUNTS: Table[Mount] = Table("restore_mounts")


@dataclass(slots=True, eq=False)
class VApp:
    """A vCloud Director vApp whose VMs a job protects: its vApp restore (or replica)
    points are the job's points of those VMs, one per job session."""

    id: str
    name: str
    job: Job
    vm_uids: tuple[str, ...]


VAPPS: Table[VApp] = Table("vapps")
