"""Seeded backup servers, their managed servers and repositories, and the per-server step
other families join.

Servers are named ``vbr01.example.local`` and so on; each manages itself, a vCenter
(``vcsa01.example.local``, a hierarchy root) with two ESXi hosts, a Windows proxy and a
Linux repository server; it has a WAN accelerator, credentials records and encryption
password keys, and the first servers read an external object storage repository.
Everything that belongs to one
server (its repositories here; jobs, sessions and agents in their families) is drawn
server by server from one stream of its own, in the order the steps are ranked.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from em_mock.core.generate import SeedContext, Seeder, new_guid, register_seeders
from em_mock.core.tables import DataSet
from em_mock.families.infrastructure.model import (
    CREDENTIALS,
    EXTERNAL_REPOSITORIES,
    MANAGED_SERVERS,
    PASSWORD_KEYS,
    REPOSITORIES,
    SERVERS,
    WAN_ACCELERATORS,
    BackupServer,
    Credentials,
    ExternalRepository,
    ManagedServer,
    PasswordKey,
    Repository,
    WanAccelerator,
)

GIB = 1 << 30
TIB = 1 << 40


@dataclass(frozen=True, slots=True)
class ServerStep:
    """What a family adds for each backup server: ``run(rng, data, server, index, now_ms)``."""

    rank: int
    run: Callable[[random.Random, DataSet, BackupServer, int, int], None]


SERVER_STEPS: list[ServerStep] = []


def register_server_steps(*steps: ServerStep) -> None:
    """Add per-server steps (kept in rank order)."""
    SERVER_STEPS.extend(steps)
    SERVER_STEPS.sort(key=lambda step: step.rank)


def _servers(ctx: SeedContext) -> None:
    servers = SERVERS.of(ctx.data)
    for i in range(1, ctx.sizes.backup_servers + 1):
        name = f"vbr{i:02d}.example.local"
        server = BackupServer(
            id=new_guid(ctx.rng),
            name=name,
            description=f"Backup server {i:02d}",
            certificate_thumbprint=f"{ctx.rng.getrandbits(160):040X}",
            ip_or_dns_name=name,
        )
        servers[server.id] = server


def _per_server(ctx: SeedContext) -> None:
    rng = random.Random(f"{ctx.seed} infrastructure")
    for index, server in enumerate(list(SERVERS.of(ctx.data).values()), start=1):
        for step in SERVER_STEPS:
            step.run(rng, ctx.data, server, index, ctx.now_ms)


def _repositories(rng: random.Random, data: DataSet, server: BackupServer, index: int,
                  now_ms: int) -> None:
    tag = server.name.split(".")[0]
    out = [
        Repository(new_guid(rng), "Default Backup Repository", server, "WindowsLocal", 2 * TIB,
                   rng.randint(300, 1500) * GIB),
        Repository(new_guid(rng), f"{tag} Linux Repository", server, "LinuxLocal", 40 * TIB,
                   rng.randint(5, 30) * TIB + rng.randint(0, 1000) * GIB),
    ]
    if index == 1:
        out.append(Repository(new_guid(rng), "Object Storage Repository", server,
                              "AmazonS3Compatible", -1, -1))
    if index == 2:
        out.append(Repository(new_guid(rng), f"{tag} DD Boost Repository", server, "DDBoost",
                              2 * 10**15, rng.randint(2, 9) * 10**14))
    REPOSITORIES.of(data).update((r.id, r) for r in out)


def repositories_of(data: DataSet, server: BackupServer) -> list[Repository]:
    """The server's repositories, in creation order."""
    return [r for r in REPOSITORIES.of(data).values() if r.backup_server is server]


def _managed_servers(ctx: SeedContext) -> None:
    """What each backup server manages, from a stream of its own (so adding it moved none
    of the other data)."""
    rng = random.Random(f"{ctx.seed} managed servers")
    table = MANAGED_SERVERS.of(ctx.data)
    for i, server in enumerate(list(SERVERS.of(ctx.data).values()), start=1):
        tag = server.name.split(".")[0]
        vcenter = ManagedServer(new_guid(rng), f"vcsa{i:02d}.example.local", server, "VC",
                                "vCenter Server", unique_id=new_guid(rng))
        made = [
            ManagedServer(new_guid(rng), server.name, server, "Local", "Backup server"),
            vcenter,
            *(ManagedServer(new_guid(rng), f"esx{i:02d}{k}.example.local", server, "ESXi",
                            "ESXi host", vcenter) for k in (1, 2)),
            ManagedServer(new_guid(rng), f"{tag}-proxy01.example.local", server, "Windows",
                          "Backup proxy"),
            ManagedServer(new_guid(rng), f"{tag}-repo01.example.local", server, "Linux",
                          "Linux repository server"),
        ]
        table.update((m.id, m) for m in made)


_EXTERNAL = (("AmazonS3External", "Amazon S3 Archive", "s3://veeam-archive-{tag}"),
             ("AzureStorageExternal", "Azure Blob Archive", "azure://veeamarchive/{tag}"),
             ("GoogleCloudStorageExternal", "Google Cloud Archive", "gs://veeam-archive-{tag}"))
_ACCOUNTS = (("EXAMPLE\\svc-veeam", "Domain service account"),
             ("root", "Linux servers"),
             ("administrator@vsphere.local", "vCenter Server"))
_HINTS = ("Offsite copies", "Quarterly archive")
DAY_MS = 86_400_000


def _backup_infrastructure(ctx: SeedContext) -> None:
    """WAN accelerators, external repositories, credentials and password keys of each
    server, from a stream of their own (so adding them moved none of the other data)."""
    rng = random.Random(f"{ctx.seed} backup infrastructure")
    for i, server in enumerate(list(SERVERS.of(ctx.data).values()), start=1):
        tag = server.name.split(".")[0]
        wan = WanAccelerator(new_guid(rng), f"{tag}-wan01.example.local", server,
                             f"WAN accelerator of {tag}", version=server.version,
                             capacity=rng.choice((50, 100, 200)),
                             connections_count=rng.choice((5, 5, 10)),
                             cache_path="C:\\VeeamWAN", high_bandwidth=i % 2 == 0)
        WAN_ACCELERATORS.of(ctx.data)[wan.id] = wan
        if i <= len(_EXTERNAL):
            kind, name, path = _EXTERNAL[i - 1]
            ext = ExternalRepository(new_guid(rng), f"{name} ({tag})", server, kind,
                                     path.format(tag=tag),
                                     rng.randint(100, 4000) * GIB, f"External repository of {tag}")
            EXTERNAL_REPOSITORIES.of(ctx.data)[ext.id] = ext
        for username, description in _ACCOUNTS:
            cred = Credentials(new_guid(rng), server, username, description)
            CREDENTIALS.of(ctx.data)[cred.id] = cred
        for hint in _HINTS:
            key = PasswordKey(new_guid(rng), server, hint,
                              ctx.now_ms - rng.randint(30, 400) * DAY_MS)
            PASSWORD_KEYS.of(ctx.data)[key.id] = key


# Servers come first from the main stream; the per-server step runs after the cloud's.
register_seeders(Seeder(10, _servers), Seeder(30, _per_server), Seeder(35, _managed_servers),
                 Seeder(36, _backup_infrastructure))
register_server_steps(ServerStep(10, _repositories))
