"""Seeded agents: per backup server, a protection group with four discovered computers
(one offline, its agent not installed). Names are predictable: ``srv0103.example.local``."""

from __future__ import annotations

import random

from em_mock.core.generate import new_guid
from em_mock.core.tables import DataSet
from em_mock.families.agents.model import (
    DISCOVERED_COMPUTERS,
    PROTECTION_GROUPS,
    DiscoveredComputer,
    ProtectionGroup,
)
from em_mock.families.infrastructure.data import ServerStep, register_server_steps
from em_mock.families.infrastructure.model import BackupServer


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
