"""Routes of NAS backup: the ``/nas`` hub, file servers, NAS jobs with their includes and
sessions, and the NAS job sessions of every job."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from em_mock.core.errors import EMError
from em_mock.core.http.collections import Collection, Sub, recent, send_list, serve, table_items
from em_mock.core.http.deps import CurrentSession, EntityFormat, RuntimeDep, WireDep, find
from em_mock.core.registry import LogonLink, register_logon_links, register_router
from em_mock.core.runtime import Runtime
from em_mock.core.wire import documents as docs
from em_mock.core.wire.tree import link
from em_mock.families.jobs.model import BACKUP_SESSIONS, JobSession
from em_mock.families.jobs.shapes import BACKUP_JOB_SESSION
from em_mock.families.nas.model import FILE_SERVERS, NAS_JOBS, NasJob
from em_mock.families.nas.shapes import FILE_SERVER, NAS_JOB, nas_object

router = register_router(APIRouter())


def nas_sessions(rt: Runtime) -> list[JobSession]:
    """Every NAS job's backup job sessions, oldest first."""
    return rt.store.get(("nas sessions",), lambda: [
        s for s in BACKUP_SESSIONS.rows(rt.store) if isinstance(s.job, NasJob)])


def _sessions_of(rt: Runtime, job: Any) -> Any:
    return recent(rt, [s for s in nas_sessions(rt) if s.job is job])


serve(router, Collection(FILE_SERVER, "file server", table_items(FILE_SERVERS)))
serve(router, Collection(NAS_JOB, "NAS job", table_items(NAS_JOBS), subs=(
    Sub("backupSessions", BACKUP_JOB_SESSION, _sessions_of),)))


@router.get("/api/nas/backupsessions")
async def nas_backup_sessions(_: CurrentSession, rt: RuntimeDep, out: WireDep,
                              as_entity: EntityFormat) -> Response:
    """The NAS job sessions of the last 30 days (served one by one at ``/backupSessions``)."""
    return send_list(rt, out, BACKUP_JOB_SESSION, recent(rt, nas_sessions(rt)), as_entity)


@router.get("/api/nas/jobs/{job_id}/includes")
async def nas_job_includes(job_id: str, _: CurrentSession, rt: RuntimeDep,
                           out: WireDep) -> Response:
    """The shares and folders a NAS job includes (``NASObjects``)."""
    job: NasJob = find(NAS_JOBS.of(rt.store.data), job_id, "NAS job")
    return out.send(docs.entity_list("NASObjects", [nas_object(o, out.ctx)
                                                    for o in job.includes]))


@router.get("/api/nas/jobs/{job_id}/includes/{object_id}")
async def nas_job_include(job_id: str, object_id: str, _: CurrentSession, rt: RuntimeDep,
                          out: WireDep) -> Response:
    """One share or folder a NAS job includes (``NASObject``)."""
    job: NasJob = find(NAS_JOBS.of(rt.store.data), job_id, "NAS job")
    for o in job.includes:
        if o.id == object_id.lower():
            return out.send(nas_object(o, out.ctx))
    raise EMError(404, f"No object in the NAS job {job.name!r} has the id {object_id!r}.")


@router.get("/api/nas")
async def nas_hub(_: CurrentSession, out: WireDep) -> Response:
    """The NAS hub (root ``NASService``): links to its three collections, references
    first, then entities, in the documented order."""
    api = out.ctx.api
    return out.send(docs.hub("NASService", "NasService", api("nas"), [
        link("Down", api("nas/jobs"), "JobReferenceList"),
        link("Down", api("nas/fileServers"), "FileServerReferenceList"),
        link("Down", api("nas/backupSessions"), "BackupJobSessionReferenceList"),
        link("Down", api("nas/jobs?format=Entity"), "JobList"),
        link("Down", api("nas/fileServers?format=Entity"), "FileServerList"),
        link("Down", api("nas/backupSessions?format=Entity"), "BackupJobSessionList"),
    ]))


# The 60th link of a real v12 server's logon session.
register_logon_links(LogonLink(590, "nas", "NasService"))
