"""Fixture sections ``ProtectionGroups``, ``DiscoveredComputers``, ``AgentJobs`` and
``AgentJobSessions`` (Veeam Agent backup sessions, in the job sessions' format)."""

from __future__ import annotations

from typing import Any

from em_mock.core.fixtures import Documents, Section, register_sections
from em_mock.core.ids import urn
from em_mock.core.tables import DataSet
from em_mock.core.validate import Reader, Source, TimeWriter, claim, items, sub_items
from em_mock.families.agents.capture import (
    capture_agent_jobs,
    capture_computers,
    capture_groups,
)
from em_mock.families.agents.model import (
    AGENT_JOB_TYPE,
    AGENT_JOBS,
    AGENT_PLATFORMS,
    AGENT_STATUSES,
    DISCOVERED_COMPUTERS,
    HOST_STATUSES,
    PROTECTION_GROUPS,
    AgentJob,
    DiscoveredComputer,
    ProtectionGroup,
    computer_vm,
)
from em_mock.families.infrastructure.fixtures import repository_of, server_of
from em_mock.families.infrastructure.model import BackupServer
from em_mock.families.jobs.capture import capture_sessions
from em_mock.families.jobs.fixtures import SESSION_OMITS, read_sessions, write_sessions

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


_JOB_KEYS = ("UID", "Name", "BackupServerUid", "Platform", "Description",
             "ScheduleConfigured", "ScheduleEnabled", "NextRun", "RepositoryUid",
             "ProtectionGroupUid", "Computers")


def _read_job_computers(reader: Reader, src: Source, data: DataSet, job: AgentJob) -> None:
    for c_src in sub_items(reader, src, "Computers"):
        reader.unknown_keys(c_src, ("ComputerUid", "Size"))
        cid = reader.uid(c_src, "ComputerUid", "DiscoveredComputer")
        computer = DISCOVERED_COMPUTERS.of(data).get(cid or "")
        if cid and computer is None:
            reader.error(c_src, "ComputerUid", f"no discovered computer has the UID {cid}")
        size = reader.value(c_src, "Size", int, default=0)
        if computer is not None:
            job.vms.append(computer_vm(computer, size))


def _read_agent_jobs(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "AgentJobs"):
        reader.unknown_keys(src, _JOB_KEYS)
        guid = reader.uid(src, "UID", "AgentBackupJob")
        server = server_of(reader, src, data)
        repo = repository_of(reader, src, data, optional=True)
        group_id = reader.uid(src, "ProtectionGroupUid", "AgentProtectionGroup",
                              required=False, nullable=True)
        group = PROTECTION_GROUPS.of(data).get(group_id or "")
        if group_id and group is None:
            reader.error(src, "ProtectionGroupUid", f"no protection group has the UID {group_id}")
        job = AgentJob(
            guid or "", reader.value(src, "Name", str, required=True, default=""),
            server or BackupServer("", ""), AGENT_JOB_TYPE,
            reader.choice(src, "Platform", AGENT_PLATFORMS, default="AgentForWindows")
            or "AgentForWindows",
            reader.value(src, "Description", str, default=""),
            reader.value(src, "ScheduleConfigured", bool, default=True),
            reader.value(src, "ScheduleEnabled", bool, default=True),
            reader.time(src, "NextRun", required=False), repo, group=group)
        _read_job_computers(reader, src, data, job)
        if claim(reader, seen, src, guid) and server is not None:
            AGENT_JOBS.of(data)[job.id] = job


def _write_agent_jobs(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{
        "UID": urn("AgentBackupJob", j.id), "Name": j.name,
        "BackupServerUid": urn("BackupServer", j.backup_server.id), "Platform": j.platform,
        "Description": j.description, "ScheduleConfigured": j.schedule_configured,
        "ScheduleEnabled": j.schedule_enabled, "NextRun": time(j.next_run_ms),
        "RepositoryUid": urn("Repository", j.repository.id) if j.repository else None,
        "ProtectionGroupUid": urn("AgentProtectionGroup", j.group.id) if j.group else None,
        "Computers": [{"ComputerUid": urn("DiscoveredComputer", v.uid.rpartition(".")[2]),
                       "Size": v.size} for v in j.vms],
    } for j in AGENT_JOBS.of(data).values()]


register_sections(
    Section("ProtectionGroups", 80, _read_groups, _write_groups, capture=capture_groups),
    Section("DiscoveredComputers", 90, _read_computers, _write_computers,
            capture=capture_computers),
    Section("AgentJobs", 220, _read_agent_jobs, _write_agent_jobs, capture=capture_agent_jobs),
    Section("AgentJobSessions", 221, read_sessions("AgentJobSessions", AGENT_JOBS.of),
            write_sessions(AGENT_JOBS.of), capture=capture_sessions("AgentBackupJob"),
            capture_omits=SESSION_OMITS),
)
