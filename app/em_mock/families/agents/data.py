"""Seeded agents: per backup server, a protection group with four discovered computers
(one offline, its agent not installed). Names are predictable: ``srv0103.example.local``.

Then, on a random stream of their own, a Windows and a Linux Veeam Agent backup job per
protection group over its computers with an installed agent (``vbr01 Agent Backup
Windows``), and their daily backup sessions over the last 30 days (a failed run retried)."""

from __future__ import annotations

import random

from em_mock.core.generate import SeedContext, Seeder, new_guid, register_seeders
from em_mock.core.tables import DataSet
from em_mock.families.agents.model import (
    AGENT_JOB_TYPE,
    AGENT_JOBS,
    DISCOVERED_COMPUTERS,
    PROTECTION_GROUPS,
    AgentJob,
    DiscoveredComputer,
    ProtectionGroup,
    computer_vm,
)
from em_mock.families.infrastructure.data import ServerStep, register_server_steps, repositories_of
from em_mock.families.infrastructure.model import BackupServer
from em_mock.families.jobs.data import finished_session, order_sessions
from em_mock.families.jobs.model import JOB_SESSIONS, JobSession


def _agents(rng: random.Random, server: BackupServer, index: int
            ) -> tuple[ProtectionGroup, list[DiscoveredComputer]]:
    tag = server.name.split(".")[0]
    group = ProtectionGroup(new_guid(rng), f"{tag} Servers", server)
    systems = (
        "Microsoft Windows Server 2022 (21H2, 64-bit)",
        "Microsoft Windows Server 2019 (1809, 64-bit)",
        "Red Hat Enterprise Linux 9.6 (64-bit)",
        "Ubuntu 24.04 LTS (64-bit)",
    )
    computers = []
    for k, system in enumerate(systems, start=1):
        offline = k == 4
        computers.append(DiscoveredComputer(
            new_guid(rng), f"srv{index:02d}{k:02d}.example.local", group,
            "Offline" if offline else "Online", "6.3.2.1307",
            "NotInstalled" if offline else "Installed", system,
            f"10.{index}.0.{10 + k}"))
    return group, computers


def _agents_step(rng: random.Random, data: DataSet, server: BackupServer, index: int,
                 now_ms: int) -> None:
    group, computers = _agents(rng, server, index)
    PROTECTION_GROUPS.of(data)[group.id] = group
    DISCOVERED_COMPUTERS.of(data).update((c.id, c) for c in computers)


register_server_steps(ServerStep(30, _agents_step))


# Veeam Agent backup jobs and their runs ----------------------------------------------

GIB = 1 << 30
DAY_MS = 86_400_000
HOUR_MS = 3_600_000
AGENT_HISTORY_DAYS = 30


def _agent_jobs(rng: random.Random, data: DataSet, now_ms: int) -> list[AgentJob]:
    """Per protection group: a Windows job and a Linux job over its computers with an
    installed agent."""
    computers = DISCOVERED_COMPUTERS.of(data).values()
    jobs = []
    for group in PROTECTION_GROUPS.of(data).values():
        tag = group.backup_server.name.split(".")[0]
        repos = repositories_of(data, group.backup_server)
        for k, (platform, label) in enumerate((("AgentForWindows", "Windows"),
                                               ("AgentForLinux", "Linux"))):
            members = [c for c in computers if c.protection_group is group
                       and c.agent_status == "Installed"
                       and (platform == "AgentForLinux") == _is_linux(c)]
            if not members:
                continue
            jobs.append(AgentJob(
                new_guid(rng), f"{tag} Agent Backup {label}", group.backup_server,
                AGENT_JOB_TYPE, platform, f"Backup of the {label} servers in {group.name}",
                True, True, now_ms + 8 * HOUR_MS + k * 1_800_000,
                repos[0] if repos else None,
                [computer_vm(c, rng.choice((30, 50, 80, 120)) * GIB) for c in members],
                group=group))
    return jobs


def _is_linux(c: DiscoveredComputer) -> bool:
    return not c.os_version.startswith("Microsoft Windows")


def _agent_sessions(rng: random.Random, jobs: list[AgentJob], now_ms: int) -> list[JobSession]:
    """Daily runs over the last 30 days; a failed run is retried at once."""
    out: list[JobSession] = []
    for j, job in enumerate(jobs):
        for d in range(AGENT_HISTORY_DAYS):
            start = (now_ms - (AGENT_HISTORY_DAYS - d) * DAY_MS + 20 * HOUR_MS
                     + j * 600_000 + rng.randrange(600_000))
            if start >= now_ms - 2 * HOUR_MS:
                continue
            session = finished_session(rng, job, start)
            out.append(session)
            if session.result == "Failed":
                out.append(finished_session(rng, job, session.end_ms or start + 1_200_000,
                                            outcome="Success", is_retry=True))
    return out


def _agent_backups(ctx: SeedContext) -> None:
    rng = random.Random(f"{ctx.seed} agent backups")
    jobs = _agent_jobs(rng, ctx.data, ctx.now_ms)
    AGENT_JOBS.of(ctx.data).update((j.id, j) for j in jobs)
    JOB_SESSIONS.of(ctx.data).update((s.id, s) for s in _agent_sessions(rng, jobs, ctx.now_ms))
    order_sessions(ctx.data)


# After the VM jobs' sessions and restore sessions, on a stream of its own.
register_seeders(Seeder(54, _agent_backups))
