"""Reading the ``ProtectionGroups``, ``DiscoveredComputers`` and ``AgentJobs`` sections back
from a live server (``em-mock capture``); ``AgentJobSessions`` is read as every job
session section is (:func:`~em_mock.families.jobs.capture.capture_sessions`).

Groups and computers come from their query types. An agent job's own fields come from
the ``AgentBackupJob`` query type, its protection group from its one include (named after
the group), its repository from its backup (``Backup`` query type), and the computers it
backs up from its newest session's tasks (one per computer, in the job's order), each
computer's size from the newest task that moved data for it: no answer lists an agent
job's computers otherwise.
"""

from __future__ import annotations

from typing import Any

from em_mock.core.capture import Walk, guid_of, link_uid, server_uid, time_of
from em_mock.core.ids import urn
from em_mock.families.jobs.capture import (
    backup_repositories,
    job_vm_sizes,
    newest_tasks,
)


def capture_groups(walk: Walk) -> list[dict[str, Any]]:
    """The ``ProtectionGroups`` section."""
    return [{"UID": urn("AgentProtectionGroup", guid_of(g.get("UID"))), "Name": g.get("Name"),
             "BackupServerUid": server_uid(g)} for g in walk.query("AgentProtectionGroup")]


def capture_computers(walk: Walk) -> list[dict[str, Any]]:
    """The ``DiscoveredComputers`` section."""
    return [{
        "UID": urn("DiscoveredComputer", guid_of(c.get("UID"))), "Name": c.get("Name"),
        "ProtectionGroupUid": link_uid(c, "AgentProtectionGroupReference",
                                       "AgentProtectionGroup", "Up"),
        "HostStatus": c.get("HostStatus"), "AgentVersion": c.get("AgentVersion"),
        "AgentStatus": c.get("AgentStatus"), "OsVersion": c.get("OsVersion"),
        "IpAddress": c.get("IpAddress"),
    } for c in walk.query("DiscoveredComputer")]


def _computers(walk: Walk, job_id: str) -> list[dict[str, Any]]:
    tasks = newest_tasks(walk, job_id)
    names = [str(t.get("VmDisplayName")) for t in tasks]
    sizes = job_vm_sizes(walk, job_id, names, False,
                         {str(t.get("VmDisplayName")): int(t.get("TotalSize") or 0)
                          for t in tasks})
    return [{"ComputerUid": urn("DiscoveredComputer", str(t.get("VmUid")).rpartition(".")[2]),
             "Size": sizes.get(str(t.get("VmDisplayName")), 0)} for t in tasks]


def capture_agent_jobs(walk: Walk) -> list[dict[str, Any]]:
    """The ``AgentJobs`` section."""
    groups = {(g.get("Name"), server_uid(g)): urn("AgentProtectionGroup", guid_of(g.get("UID")))
              for g in walk.query("AgentProtectionGroup")}
    repositories = backup_repositories(walk)
    out = []
    for j in walk.query("AgentBackupJob"):
        job_id, server = guid_of(j.get("UID")), server_uid(j)
        includes = (j.get("JobInfo") or {}).get("Includes") or []
        group = groups.get((includes[0].get("Name"), server)) if includes else None
        out.append({
            "UID": urn("AgentBackupJob", job_id), "Name": j.get("Name"),
            "BackupServerUid": server, "Platform": j.get("Platform"),
            "Description": j.get("Description"),
            "ScheduleConfigured": j.get("ScheduleConfigured"),
            "ScheduleEnabled": j.get("ScheduleEnabled"), "NextRun": time_of(j.get("NextRun")),
            "RepositoryUid": repositories.get(f"{j.get('Name')}\n{server}"),
            "ProtectionGroupUid": group, "Computers": _computers(walk, job_id),
        })
    return out
