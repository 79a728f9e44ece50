"""Seeded NAS backup, per backup server: five file shares (two SMB shares of a NAS, an NFS
export, and the Windows proxy and Linux repository server as file servers), two NAS jobs
including them, and a nightly run of each job over the last 30 days. Names are
predictable: ``\\\\vbr01-nas01.example.local\\projects``, ``vbr01 File Share Backup 1``.

Drawn from a stream of its own, after everything else, so the rest of the data stays
as it was.
"""

from __future__ import annotations

import random

from em_mock.core.generate import SeedContext, Seeder, new_guid, register_seeders
from em_mock.core.tables import DataSet
from em_mock.families.infrastructure.data import repositories_of
from em_mock.families.infrastructure.model import (
    CREDENTIALS,
    MANAGED_SERVERS,
    SERVERS,
    BackupServer,
    Repository,
)
from em_mock.families.jobs.data import finished_session, order_sessions
from em_mock.families.jobs.model import JOB_SESSIONS, JobSession
from em_mock.families.nas.model import (
    FILE_SERVERS,
    NAS_JOB_TYPE,
    NAS_JOBS,
    FileServer,
    NasJob,
    NasObject,
    index_nas_objects,
)

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
GIB = 1 << 30
HISTORY_DAYS = 30

NAS_FAILURES = (
    "Error: Failed to create a snapshot of the file share: access is denied.",
    "Error: The network path was not found.",
    "Error: Not enough free space on the repository.",
)
NAS_WARNINGS = (
    "Warning: 12 files were skipped: the path is too long.",
    "Warning: Some files are locked by another process and were not backed up.",
)


def _file_servers(rng: random.Random, data: DataSet, server: BackupServer,
                  repos: list[Repository]) -> list[FileServer]:
    tag = server.name.split(".")[0]
    cache = repos[0] if repos else None
    account = next((c.id for c in CREDENTIALS.of(data).values()
                    if c.backup_server is server), None)
    managed = {m.server_type: m for m in MANAGED_SERVERS.of(data).values()
               if m.backup_server is server}
    nas = f"{tag}-nas01.example.local"
    made = [FileServer(new_guid(rng), f"\\\\{nas}\\{share}", server, "SmbServer",
                       f"\\\\{nas}\\{share}", account, None, cache, "StorageSnapshot",
                       "~snapshot") for share in ("projects", "home")]
    export = f"{tag}-nfs01.example.local:/export/data"
    made.append(FileServer(new_guid(rng), export, server, "NfsServer", export, None, None,
                           cache, "Direct"))
    for kind in ("Windows", "Linux"):
        host = managed.get(kind)
        if host is not None:
            made.append(FileServer(new_guid(rng), host.name, server, "FileServer", "", None,
                                   host, cache, "VSSSnapshot" if kind == "Windows" else "Direct"))
    return made


def _include(rng: random.Random, job: NasJob, share: FileServer, folder: str = "") -> NasObject:
    path = folder or share.name
    exclusion = "*.tmp" if share.server_type != "SmbServer" else f"{share.name}\\~snapshot"
    return NasObject(new_guid(rng), job, share, path, "*.*", exclusion,
                     rng.choice((50, 120, 300, 750)) * GIB)


def _jobs(rng: random.Random, server: BackupServer, shares: list[FileServer],
          repos: list[Repository], now_ms: int) -> list[NasJob]:
    tag = server.name.split(".")[0]
    repo = repos[0] if repos else None
    archive = repos[1] if len(repos) > 1 else None
    first = NasJob(new_guid(rng), f"{tag} File Share Backup 1", server, NAS_JOB_TYPE,
                   "VMware", "Nightly backup of the NAS shares", True, True,
                   now_ms + 10 * HOUR_MS, repo, long_term_enabled=archive is not None,
                   archive_repository=archive, long_term_period=rng.choice((1, 3, 7)))
    first.includes = [_include(rng, first, s) for s in shares if s.server_type == "SmbServer"]
    second = NasJob(new_guid(rng), f"{tag} File Share Backup 2", server, NAS_JOB_TYPE,
                    "VMware", "Nightly backup of the file servers", True, True,
                    now_ms + 11 * HOUR_MS, repo, short_term_type="Month", short_term_period=3,
                    acl_mode="TrackEverythingAttributesChanges")
    folders = {"NfsServer": "", "FileServer": ""}
    for s in shares:
        if s.server_type in folders:
            folder = ""
            if s.managed_server is not None:
                folder = ("D:\\Shares\\Engineering" if s.managed_server.server_type == "Windows"
                          else "/srv/data")
            second.includes.append(_include(rng, second, s, folder))
    for job in (first, second):
        job.sync_vms()
    return [first, second]


def _sessions(rng: random.Random, job: NasJob, index: int, now_ms: int) -> list[JobSession]:
    out = []
    for d in range(HISTORY_DAYS, 0, -1):
        start = now_ms - d * DAY_MS + 14 * HOUR_MS + index * 1_800_000 + rng.randrange(900_000)
        if start >= now_ms - 2 * HOUR_MS:
            continue
        session = finished_session(rng, job, start)
        for t in session.tasks:
            if t.result == "Failed":
                t.reason = rng.choice(NAS_FAILURES)
            elif t.result == "Warning":
                t.reason = rng.choice(NAS_WARNINGS)
        if session.failure_message is not None:
            session.failure_message = next(
                (t.reason for t in session.tasks if t.result == "Failed"),
                session.failure_message)
        out.append(session)
    return out


def _seed(ctx: SeedContext) -> None:
    rng = random.Random(f"{ctx.seed}-nas")
    for server in list(SERVERS.of(ctx.data).values()):
        repos = repositories_of(ctx.data, server)
        shares = _file_servers(rng, ctx.data, server, repos)
        FILE_SERVERS.of(ctx.data).update((s.id, s) for s in shares)
        for index, job in enumerate(_jobs(rng, server, shares, repos, ctx.now_ms)):
            NAS_JOBS.of(ctx.data)[job.id] = job
            JOB_SESSIONS.of(ctx.data).update(
                (s.id, s) for s in _sessions(rng, job, index, ctx.now_ms))
    index_nas_objects(ctx.data)
    order_sessions(ctx.data)


register_seeders(Seeder(50, _seed))
