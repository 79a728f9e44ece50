"""Routes of jobs (with their includes), job sessions and task sessions."""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
from em_mock.core.wire.documents import Ctx
from em_mock.core.wire.tree import Node
from em_mock.families.agents.model import management_sessions
from em_mock.families.infrastructure.routes import SERVER_COLLECTION
from em_mock.families.jobs.model import (
    BACKUP_SESSIONS,
    BACKUP_TASKS,
    FAILOVER_PLANS,
    JOBS,
    REPLICA_SESSIONS,
    REPLICA_TASKS,
    SYSTEM_SESSIONS,
    Job,
)
from em_mock.families.jobs.shapes import (
    BACKUP_JOB_SESSION,
    BACKUP_TASK_SESSION,
    FAILOVER_PLAN,
    JOB,
    REPLICA_JOB_SESSION,
    REPLICA_TASK_SESSION,
    linked_job,
    linked_job_id,
    linked_repository,
    linked_repository_id,
    object_in_job,
    object_in_job_id,
    system_events,
    system_session,
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


def _with_management(rt: Runtime) -> list[Any]:
    """The backup sessions, and the agent management sessions derived from the agent ones
    (served at ``/backupSessions/{id}`` too, but not in that list)."""
    derived = management_sessions(rt.store)
    return [*BACKUP_SESSIONS.rows(rt.store), *(m for ms in derived.values() for m in ms)]


def _management_of(rt: Runtime, s: Any) -> Iterable[Any]:
    """A backup session's agent management sessions of the last 30 days (none for VM jobs
    and for management sessions themselves)."""
    return recent(rt, management_sessions(rt.store).get(s.id, []))


_BACKUP_SESSION_COLLECTION = Collection(
    BACKUP_JOB_SESSION, "backup job session", by_id("backup sessions", _with_management, own_id),
    listed=lambda rt: recent(rt, BACKUP_SESSIONS.rows(rt.store)), subs=(
        Sub("taskSessions", BACKUP_TASK_SESSION, lambda rt, s: recent(rt, s.tasks)),
        Sub("agentManagementSessions", BACKUP_JOB_SESSION, _management_of)))
serve(router, _BACKUP_SESSION_COLLECTION)
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
serve(router, Collection(FAILOVER_PLAN, "failover plan", table_items(FAILOVER_PLANS)))


@router.get("/api/systemsessions")
async def system_sessions(_: CurrentSession, rt: RuntimeDep, out: WireDep) -> Response:
    """Enterprise Manager's own sessions of the last 30 days (``SystemSessions``)."""
    items = [system_session(s, out.ctx) for s in recent(rt, SYSTEM_SESSIONS.rows(rt.store))]
    return out.send(docs.entity_list("SystemSessions", items))


@router.get("/api/systemsessions/{session_id}")
async def system_session_item(session_id: str, _: CurrentSession, rt: RuntimeDep,
                              out: WireDep) -> Response:
    """One system session (the entity, with or without ``format=Entity``)."""
    found = find(SYSTEM_SESSIONS.of(rt.store.data), session_id, "system session")
    return out.send(system_session(found, out.ctx))


@router.get("/api/systemsessions/{session_id}/events")
async def system_session_events(session_id: str, _: CurrentSession, rt: RuntimeDep,
                                out: WireDep) -> Response:
    """A system session's log (``SystemSessionEvents``)."""
    found = find(SYSTEM_SESSIONS.of(rt.store.data), session_id, "system session")
    return out.send(system_events(found, out.ctx))


def _serve_linked(path: str, members: Callable[[Job], list[Any]],
                  key: Callable[[Job, Any], str], shape: Callable[[Job, Any, Ctx], Node],
                  root: str) -> None:
    """``GET /jobs/{id}/<path>`` (what a backup copy job copies from; empty for other
    jobs) and ``GET /jobs/{id}/<path>/{objectId}`` (where an item's ``Href`` leads)."""
    async def list_linked(job_id: str, _: CurrentSession, rt: RuntimeDep,
                          out: WireDep) -> Response:
        job: Job = find(JOBS.of(rt.store.data), job_id, "job")
        return out.send(docs.entity_list(root, [shape(job, m, out.ctx) for m in members(job)]))

    async def one_linked(job_id: str, object_id: str, _: CurrentSession, rt: RuntimeDep,
                         out: WireDep) -> Response:
        job: Job = find(JOBS.of(rt.store.data), job_id, "job")
        for member in members(job):
            if key(job, member) == object_id.lower():
                return out.send(shape(job, member, out.ctx))
        raise EMError(404, f"Nothing linked to the job {job.name!r} has the id {object_id!r}.")

    list_linked.__doc__ = f"The {path} of a backup copy job."
    one_linked.__doc__ = f"One of the {path} of a backup copy job."
    base = f"/api/jobs/{{job_id}}/{path.lower()}"
    router.add_api_route(base, list_linked, methods=["GET"], name=f"{path} of a job")
    router.add_api_route(base + "/{object_id}", one_linked, methods=["GET"],
                         name=f"one of the {path} of a job")


_serve_linked("linkedJobs", lambda j: j.sources, linked_job_id, linked_job,
              "LinkedJobResourceObjects")
_serve_linked("linkedBackupRepositories", lambda j: j.linked_repositories,
              linked_repository_id, linked_repository, "LinkedBackupRepositoryResourceObjects")


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
    *collection_links("failoverPlans", "FailoverPlan", 40, 380),
    # As a real v12 server has them: typed as job session lists.
    *collection_links("systemSessions", "BackupJobSession", 295, 670),
    *collection_links("backupSessions", "BackupJobSession", 140, 480),
    *collection_links("replicaSessions", "ReplicaJobSession", 160, 500),
    *collection_links("backupTaskSessions", "BackupTaskSession", 170, 510),
    *collection_links("replicaTaskSessions", "ReplicaTaskSession", 180, 520),
)
