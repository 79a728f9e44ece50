"""Collection and item routes for the entity types: ``/api/<coll>`` and ``/api/<coll>/{id}``.

Each collection is declared once (path, resource type, where its items live and
whether it only lists the last 30 days); the routes are generated from that.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from em_mock.api.deps import CurrentSession, EntityFormat, RuntimeDep, WireDep, find
from em_mock.domain.errors import EMError
from em_mock.domain.model import (
    CloudFailoverPlan,
    CloudFailoverSession,
    Job,
    leaves_replica_point,
    leaves_restore_point,
)
from em_mock.representation import documents as docs
from em_mock.representation.resources import (
    BACKUP_JOB_SESSION,
    BACKUP_SERVER,
    BACKUP_TASK_SESSION,
    CLOUD_FAILOVER_PLAN,
    CLOUD_FAILOVER_SESSION,
    CLOUD_VM_REPLICA_POINT,
    DISCOVERED_COMPUTER,
    JOB,
    PLAN_PATH,
    PROTECTION_GROUP,
    REPLICA_JOB_SESSION,
    REPLICA_TASK_SESSION,
    REPOSITORY,
    RESTORE_POINT,
    VM_REPLICA_POINT,
    VM_RESTORE_POINT,
    ResourceType,
    derived_id,
    object_in_job,
    object_in_job_id,
    plan_vm,
)
from em_mock.representation.tree import link
from em_mock.runtime import Runtime

router = APIRouter()

WINDOW_MS = 30 * 86_400_000


@dataclass(frozen=True)
class Sub:
    """A collection under an item, such as ``/backupSessions/{id}/taskSessions``."""

    path: str
    resource: ResourceType
    children: Callable[[Runtime, Any], Iterable[Any]]


@dataclass(frozen=True)
class Collection:
    """A served collection: where its items are, how they look, what hangs below them."""

    resource: ResourceType
    what: str
    items: Callable[[Runtime], dict[str, Any]]
    listed: Callable[[Runtime], Iterable[Any]] | None = None
    list_route: bool = True
    subs: tuple[Sub, ...] = ()


def _recent(rt: Runtime, items: Iterable[Any]) -> Iterable[Any]:
    since = rt.clock.now_ms() - WINDOW_MS
    return (i for i in items if i.creation_ms >= since)


def _recent_sessions(rt: Runtime) -> Iterable[CloudFailoverSession]:
    return _recent(rt, rt.store.session_rows())


def _by_id(name: str, rows: Callable[[Runtime], list[Any]], key: Callable[[Any], str]
           ) -> Callable[[Runtime], dict[str, Any]]:
    return lambda rt: rt.store.get(("by id", name), lambda: {key(i): i for i in rows(rt)})


def _own_id(item: Any) -> str:
    return str(item.id)


_backup_sessions = _by_id("backup sessions", lambda rt: rt.store.backup_session_rows(), _own_id)
_replica_sessions = _by_id("replica sessions", lambda rt: rt.store.replica_session_rows(),
                           _own_id)
_backup_tasks = _by_id("backup tasks", lambda rt: rt.store.backup_task_rows(), _own_id)
_replica_tasks = _by_id("replica tasks", lambda rt: rt.store.replica_task_rows(), _own_id)
_restore_points = _by_id(
    "restore points",
    lambda rt: [t for t in rt.store.backup_task_rows() if leaves_restore_point(t)],
    lambda t: derived_id("RestorePoint", t.id))
_vm_restore_points = _by_id(
    "vm restore points",
    lambda rt: [t for t in rt.store.backup_task_rows() if leaves_restore_point(t)],
    lambda t: derived_id("VmRestorePoint", t.id))
_vm_replica_points = _by_id(
    "vm replica points",
    lambda rt: [t for t in rt.store.replica_task_rows() if leaves_replica_point(t)],
    lambda t: derived_id("VmReplicaPoint", t.id))


def _of_server(rows: Callable[[Runtime], list[Any]]) -> Callable[[Runtime, Any], list[Any]]:
    return lambda rt, server: [i for i in rows(rt) if i.backup_server is server]


def _sessions_of_job(replica: bool) -> Callable[[Runtime, Any], list[Any]]:
    def children(rt: Runtime, job: Any) -> list[Any]:
        rows = rt.store.replica_session_rows() if replica else rt.store.backup_session_rows()
        return [s for s in rows if s.job is job]
    return children


def _none(rt: Runtime, item: Any) -> list[Any]:
    return []


_REPLICA_TASK_SUB = Sub("replicaTaskSessions", REPLICA_TASK_SESSION, lambda rt, s: s.tasks)

COLLECTIONS = (
    Collection(BACKUP_SERVER, "backup server", lambda rt: rt.store.data.backup_servers, subs=(
        Sub("repositories", REPOSITORY, _of_server(lambda rt: rt.store.repository_rows())),
        Sub("jobs", JOB, _of_server(lambda rt: rt.store.job_rows())),
    )),
    Collection(CLOUD_FAILOVER_PLAN, "cloud failover plan", lambda rt: rt.store.data.plans),
    Collection(CLOUD_FAILOVER_SESSION, "cloud failover session",
               lambda rt: rt.store.data.sessions, listed=_recent_sessions),
    Collection(CLOUD_VM_REPLICA_POINT, "cloud VM replica point",
               lambda rt: rt.store.data.replica_points, list_route=False),
    Collection(BACKUP_JOB_SESSION, "backup job session", _backup_sessions,
               listed=lambda rt: _recent(rt, rt.store.backup_session_rows()), subs=(
                   Sub("taskSessions", BACKUP_TASK_SESSION,
                       lambda rt, s: _recent(rt, s.tasks)),)),
    Collection(BACKUP_TASK_SESSION, "backup task session", _backup_tasks,
               listed=lambda rt: _recent(rt, rt.store.backup_task_rows())),
    Collection(REPLICA_JOB_SESSION, "replica job session", _replica_sessions,
               listed=lambda rt: _recent(rt, rt.store.replica_session_rows()), subs=(
                   _REPLICA_TASK_SUB,
                   # The vendor's documentation spells this path without the "l".
                   Sub("repicaTaskSessions", REPLICA_TASK_SESSION, lambda rt, s: s.tasks))),
    Collection(REPLICA_TASK_SESSION, "replica task session", _replica_tasks),
    Collection(JOB, "job", lambda rt: rt.store.data.jobs, subs=(
        Sub("backupSessions", BACKUP_JOB_SESSION, _sessions_of_job(False)),
        Sub("replicaSessions", REPLICA_JOB_SESSION, _sessions_of_job(True)),
    )),
    Collection(REPOSITORY, "repository", lambda rt: rt.store.data.repositories, subs=(
        # em-mock does not model backups and replicas: these lists are always empty.
        Sub("backups", REPOSITORY, _none),
        Sub("replicas", REPOSITORY, _none),
    )),
    Collection(DISCOVERED_COMPUTER, "discovered computer",
               lambda rt: rt.store.data.discovered_computers),
    Collection(PROTECTION_GROUP, "protection group", lambda rt: rt.store.data.protection_groups,
               subs=(Sub("discoveredComputers", DISCOVERED_COMPUTER,
                         lambda rt, g: [c for c in rt.store.computer_rows()
                                        if c.protection_group is g]),)),
    Collection(RESTORE_POINT, "restore point", _restore_points, list_route=False, subs=(
        Sub("vmRestorePoints", VM_RESTORE_POINT, lambda rt, t: [t]),)),
    Collection(VM_RESTORE_POINT, "VM restore point", _vm_restore_points, list_route=False),
    Collection(VM_REPLICA_POINT, "VM replica point", _vm_replica_points, list_route=False),
)


def _send_list(out: WireDep, resource: ResourceType, items: Iterable[Any], as_entity: bool
               ) -> Response:
    if as_entity:
        return out.send(docs.entity_list(resource.plural,
                                         [resource.entity(i, out.ctx) for i in items]))
    return out.send(docs.entity_references([resource.reference(i, out.ctx, "Ref")
                                            for i in items]))


def _add_sub(c: Collection, sub: Sub, path: str) -> None:
    async def list_children(item_id: str, _: CurrentSession, rt: RuntimeDep, out: WireDep,
                            as_entity: EntityFormat) -> Response:
        item = find(c.items(rt), item_id, c.what)
        return _send_list(out, sub.resource, sub.children(rt, item), as_entity)

    list_children.__doc__ = f"The {sub.path} of one {c.what}."
    router.add_api_route(f"{path}/{{item_id}}/{sub.path.lower()}", list_children,
                         methods=["GET"], name=f"{sub.path} of {c.what}")


def _add_routes(c: Collection) -> None:
    path = "/api/" + c.resource.path.lower()
    listed = c.listed or (lambda rt: c.items(rt).values())

    async def list_items(_: CurrentSession, rt: RuntimeDep, out: WireDep,
                         as_entity: EntityFormat) -> Response:
        return _send_list(out, c.resource, listed(rt), as_entity)

    async def get_item(item_id: str, _: CurrentSession, rt: RuntimeDep, out: WireDep,
                       as_entity: EntityFormat) -> Response:
        item = find(c.items(rt), item_id, c.what)
        if as_entity:
            return out.send(c.resource.entity(item, out.ctx))
        return out.send(c.resource.reference(item, out.ctx, "EntityRef"))

    list_items.__doc__ = f"The {c.what} collection (references, or entities with format=Entity)."
    get_item.__doc__ = f"One {c.what} (reference, or entity with format=Entity)."
    if c.list_route:
        router.add_api_route(path, list_items, methods=["GET"], name=f"list {c.what}")
    router.add_api_route(path + "/{item_id}", get_item, methods=["GET"], name=f"get {c.what}")
    for sub in c.subs:
        _add_sub(c, sub, path)


for _collection in COLLECTIONS:
    _add_routes(_collection)


@router.get("/api/jobs/{job_id}/includes")
async def job_includes(job_id: str, _: CurrentSession, rt: RuntimeDep, out: WireDep) -> Response:
    """The objects a job processes."""
    job: Job = find(rt.store.data.jobs, job_id, "job")
    items = [object_in_job(job, vm, i, out.ctx) for i, vm in enumerate(job.vms)]
    return out.send(docs.entity_list("ObjectInJobs", items))


@router.get("/api/jobs/{job_id}/includes/{object_id}")
async def job_include(job_id: str, object_id: str, _: CurrentSession, rt: RuntimeDep,
                      out: WireDep) -> Response:
    """One object a job processes."""
    job: Job = find(rt.store.data.jobs, job_id, "job")
    for i, vm in enumerate(job.vms):
        if object_in_job_id(job, vm) == object_id.lower():
            return out.send(object_in_job(job, vm, i, out.ctx))
    raise EMError(404, f"No object in the job {job.name!r} has the id {object_id!r}.")


@router.get("/api/backupfiles")
async def backup_files(_: CurrentSession, out: WireDep) -> Response:
    """Backup files: em-mock does not model them, so the list is empty (but valid)."""
    return out.send(docs.entity_references([]))


@router.get("/api/agents")
async def agents_hub(me: CurrentSession, out: WireDep) -> Response:
    """The agents hub: links to discovered computers and protection groups."""
    api = out.ctx.api
    return out.send(docs.hub("AgentsService", "AgentsService", api("agents"), [
        link("Up", api(f"logonSessions/{me.id}"), "LogonSession"),
        link("Down", api("agents/discoveredComputers"), "DiscoveredComputerReferenceList"),
        link("Down", api("agents/protectionGroups"), "AgentProtectionGroupReferenceList"),
        link("Down", api("agents/discoveredComputers?format=Entity"), "DiscoveredComputerList"),
    ]))


@router.get("/api/cloud/cloudfailoverplans/{plan_id}/includes/{vm_id}")
async def plan_include(plan_id: str, vm_id: str, _: CurrentSession, rt: RuntimeDep,
                       out: WireDep) -> Response:
    """One VM included in a cloud failover plan."""
    plan: CloudFailoverPlan = find(rt.store.data.plans, plan_id, "cloud failover plan")
    for order, vm in enumerate(plan.vms):
        if vm.id == vm_id.lower():
            return out.send(plan_vm(plan, vm, order, out.ctx))
    raise EMError(404, f"No VM in the plan {plan.name!r} has the id {vm_id!r}.")


@router.get("/api/cloud")
async def cloud_hub(me: CurrentSession, out: WireDep) -> Response:
    """The Cloud Connect hub: links to the cloud collections this server serves."""
    api = out.ctx.api
    links = [
        link("Up", api(f"logonSessions/{me.id}"), "LogonSession"),
        link("Down", api("cloud/failoverSessions"), "CloudFailoverSessionReferenceList"),
        link("Down", api(f"{PLAN_PATH}"), "CloudFailoverPlanReferenceList"),
        link("Down", api("cloud/failoverSessions?format=Entity"), "CloudFailoverSessionList"),
        link("Down", api(f"{PLAN_PATH}?format=Entity"), "CloudFailoverPlanList"),
    ]
    return out.send(docs.hub("CloudConnectService", "CloudConnectService", api("cloud"), links))
