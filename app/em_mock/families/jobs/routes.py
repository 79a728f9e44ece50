"""Routes of jobs (with their includes), job sessions and task sessions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from em_mock.core.errors import EMError
from em_mock.core.http.collections import (
    Collection,
    Sub,
    by_id,
    own_id,
    recent,
    serve,
    serve_sub,
    table_items,
)
from em_mock.core.http.deps import CurrentSession, RuntimeDep, WireDep, find
from em_mock.core.registry import collection_links, register_logon_links, register_router
from em_mock.core.runtime import Runtime
from em_mock.core.wire import documents as docs
from em_mock.families.infrastructure.routes import SERVER_COLLECTION
from em_mock.families.jobs.model import (
    BACKUP_SESSIONS,
    BACKUP_TASKS,
    JOBS,
    REPLICA_SESSIONS,
    REPLICA_TASKS,
    Job,
)
from em_mock.families.jobs.shapes import (
    BACKUP_JOB_SESSION,
    BACKUP_TASK_SESSION,
    JOB,
    REPLICA_JOB_SESSION,
    REPLICA_TASK_SESSION,
    object_in_job,
    object_in_job_id,
)

router = register_router(APIRouter())


def _sessions_of_job(replica: bool) -> Callable[[Runtime, Any], list[Any]]:
    def children(rt: Runtime, job: Any) -> list[Any]:
        rows = REPLICA_SESSIONS.rows(rt.store) if replica else BACKUP_SESSIONS.rows(rt.store)
        return [s for s in rows if s.job is job]
    return children


_REPLICA_TASK_SUB = Sub("replicaTaskSessions", REPLICA_TASK_SESSION, lambda rt, s: s.tasks)

serve_sub(router, SERVER_COLLECTION, Sub(
    "jobs", JOB, lambda rt, server: [j for j in JOBS.rows(rt.store)
                                     if j.backup_server is server]))
serve(router, Collection(
    BACKUP_JOB_SESSION, "backup job session",
    by_id("backup sessions", lambda rt: BACKUP_SESSIONS.rows(rt.store), own_id),
    listed=lambda rt: recent(rt, BACKUP_SESSIONS.rows(rt.store)), subs=(
        Sub("taskSessions", BACKUP_TASK_SESSION, lambda rt, s: recent(rt, s.tasks)),)))
serve(router, Collection(
    BACKUP_TASK_SESSION, "backup task session",
    by_id("backup tasks", lambda rt: BACKUP_TASKS.rows(rt.store), own_id),
    listed=lambda rt: recent(rt, BACKUP_TASKS.rows(rt.store))))
serve(router, Collection(
    REPLICA_JOB_SESSION, "replica job session",
    by_id("replica sessions", lambda rt: REPLICA_SESSIONS.rows(rt.store), own_id),
    listed=lambda rt: recent(rt, REPLICA_SESSIONS.rows(rt.store)), subs=(
        _REPLICA_TASK_SUB,
        # The vendor's documentation spells this path without the "l".
        Sub("repicaTaskSessions", REPLICA_TASK_SESSION, lambda rt, s: s.tasks))))
serve(router, Collection(
    REPLICA_TASK_SESSION, "replica task session",
    by_id("replica tasks", lambda rt: REPLICA_TASKS.rows(rt.store), own_id)))
serve(router, Collection(JOB, "job", table_items(JOBS), subs=(
    Sub("backupSessions", BACKUP_JOB_SESSION, _sessions_of_job(False)),
    Sub("replicaSessions", REPLICA_JOB_SESSION, _sessions_of_job(True)),
)))


@router.get("/api/jobs/{job_id}/includes")
async def job_includes(job_id: str, _: CurrentSession, rt: RuntimeDep, out: WireDep) -> Response:
    """The objects a job processes."""
    job: Job = find(JOBS.of(rt.store.data), job_id, "job")
    items = [object_in_job(job, vm, i, out.ctx) for i, vm in enumerate(job.vms)]
    # The documented root element; the JSON key follows it, as for every other list.
    return out.send(docs.entity_list("ObjectsInJob", items))


@router.get("/api/jobs/{job_id}/includes/{object_id}")
async def job_include(job_id: str, object_id: str, _: CurrentSession, rt: RuntimeDep,
                      out: WireDep) -> Response:
    """One object a job processes."""
    job: Job = find(JOBS.of(rt.store.data), job_id, "job")
    for i, vm in enumerate(job.vms):
        if object_in_job_id(job, vm) == object_id.lower():
            return out.send(object_in_job(job, vm, i, out.ctx))
    raise EMError(404, f"No object in the job {job.name!r} has the id {object_id!r}.")


register_logon_links(
    *collection_links("jobs", "Job", 30, 370),
    *collection_links("backupSessions", "BackupJobSession", 140, 480),
    *collection_links("replicaSessions", "ReplicaJobSession", 160, 500),
    *collection_links("backupTaskSessions", "BackupTaskSession", 170, 510),
    *collection_links("replicaTaskSessions", "ReplicaTaskSession", 180, 520),
)
