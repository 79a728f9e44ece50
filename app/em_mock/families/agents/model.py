"""Agent protection groups, the computers discovered in them, and Veeam Agent backup jobs.
Plain objects.

An agent backup job is a :class:`Job` (``JobType`` ``AgentBackup``, platform
``AgentForWindows`` or ``AgentForLinux``) kept in its own table: it is not one of
``/jobs``. Its runs are ordinary backup job sessions (``JobType`` ``AgentBackup``) in the
job session table, one task per computer; a successful task leaves an agent restore point,
a restore point and a backup file in the job's backup, as a VM backup task does.

Each task of an agent backup session also stands for an ``AgentManagement`` job session
(the agent's own run on that computer). These are derived from the tasks, not stored:
see :func:`management_sessions`.
"""

from __future__ import annotations

from dataclasses import dataclass

from em_mock.core.ids import derived_id
from em_mock.core.tables import Store, Table, View
from em_mock.families.infrastructure.model import BackupServer
from em_mock.families.jobs.model import (
    BACKUP_SESSIONS,
    BACKUP_TASKS,
    Job,
    JobSession,
    JobVm,
    TaskSession,
)

HOST_STATUSES = ("Online", "Offline", "Unknown")
AGENT_STATUSES = ("NotInstalled", "Installed", "UnsupportedOs", "Failed", "Exclude")
AGENT_PLATFORMS = ("AgentForLinux", "AgentForWindows")
AGENT_JOB_TYPE = "AgentBackup"


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


def computer_ref(c: DiscoveredComputer) -> str:
    """A discovered computer's ``HierarchyObjRef`` (also its ``VmUid`` in agent tasks)."""
    # Quirk kept from a real server: Linux computers are AgentForWindows here too.
    return f"urn:AgentForWindows:VeeamAgent:00000000-0000-0000-0000-000000000000.{c.id}"


def group_ref(g: ProtectionGroup) -> str:
    """A protection group's ``HierarchyObjRef``."""
    return f"urn:AgentForWindows:AgentProtectionGroup:00000000-0000-0000-0000-000000000000.{g.id}"


@dataclass(slots=True, eq=False)
class AgentJob(Job):
    """A Veeam Agent backup job: the protection group it includes; ``vms`` are the
    computers it backs up (one task each)."""

    group: ProtectionGroup | None = None

    @property
    def path(self) -> str:
        """Where the job is served: ``/agents/jobs/{id}``."""
        return "agents/jobs"


def include_id(job: AgentJob) -> str:
    """The id of the job's one include (its protection group)."""
    return derived_id("ObjectInAgentBackupJob", f"{job.id} {job.group.id if job.group else ''}")


def computer_vm(c: DiscoveredComputer, size: int) -> JobVm:
    """A computer as an agent job processes it."""
    return JobVm(c.name, computer_ref(c), size)


def leaves_agent_point(t: TaskSession) -> bool:
    """A finished, successful (or warning) agent backup task leaves an agent restore point."""
    return (t.state == "Completed" and t.result in ("Success", "Warning")
            and t.session.job_type == AGENT_JOB_TYPE)


def agent_restore_point_id(t: TaskSession) -> str:
    """The id of the agent restore point an agent backup task left."""
    return derived_id("AgentRestorePoint", t.id)


def is_agent_job(job: Job) -> bool:
    """True for a Veeam Agent backup job."""
    return job.job_type == AGENT_JOB_TYPE


PROTECTION_GROUPS: Table[ProtectionGroup] = Table("protection_groups")
DISCOVERED_COMPUTERS: Table[DiscoveredComputer] = Table("discovered_computers")
AGENT_JOBS: Table[AgentJob] = Table("agent_jobs")
AGENT_POINT_TASKS: View[TaskSession] = View("agent restore point tasks", BACKUP_TASKS,
                                            leaves_agent_point)


MANAGEMENT_JOB_TYPE = "AgentManagement"
# A management session's state follows the state of the task it stands for.
_MANAGEMENT_STATES = {"Pending": "Starting", "InProgress": "Working", "Completed": "Stopped"}


@dataclass(slots=True, eq=False)
class ManagementSession(JobSession):
    """An ``AgentManagement`` backup job session: one computer's part of an agent backup
    session (``parent``), served at ``/backupSessions/{id}`` but not in its list."""

    parent: JobSession | None = None


def management_session(t: TaskSession) -> ManagementSession:
    """The management session an agent backup task stands for (stable derived id)."""
    s = t.session
    done = t.state == "Completed"
    return ManagementSession(
        id=derived_id("AgentManagementSession", t.id), job=s.job,
        job_type=MANAGEMENT_JOB_TYPE, job_name=f"{s.job_name} - {t.vm_name}",
        creation_ms=t.creation_ms, end_ms=t.end_ms,
        state=_MANAGEMENT_STATES.get(t.state, s.state), result=t.result,
        progress=100 if done else (s.progress if t.state == "InProgress" else 0),
        failure_message=(t.reason or None) if t.result == "Failed" else None,
        is_retry=s.is_retry, parent=s)


def management_sessions(store: Store) -> dict[str, list[ManagementSession]]:
    """The management sessions of every agent backup session, by the session's id, one per
    computer (task), in task order (cached per data version)."""
    return store.get(("rows", "agent management sessions"), lambda: {
        s.id: [management_session(t) for t in s.tasks]
        for s in BACKUP_SESSIONS.rows(store) if is_agent_job(s.job)})
