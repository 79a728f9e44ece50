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

from app.api.deps import CurrentSession, EntityFormat, RuntimeDep, WireDep, find
from app.domain.model import CloudFailoverPlan, CloudFailoverSession
from app.representation import documents as docs
from app.representation.resources import (
    BACKUP_SERVER,
    CLOUD_FAILOVER_PLAN,
    CLOUD_FAILOVER_SESSION,
    CLOUD_VM_REPLICA_POINT,
    PLAN_PATH,
    ResourceType,
    plan_vm,
)
from app.representation.tree import link
from app.runtime import Runtime

router = APIRouter()

WINDOW_MS = 30 * 86_400_000


@dataclass(frozen=True)
class Collection:
    """A served collection: where its items are and how they look."""

    resource: ResourceType
    what: str
    items: Callable[[Runtime], dict[str, Any]]
    listed: Callable[[Runtime], Iterable[Any]] | None = None
    list_route: bool = True


def _recent_sessions(rt: Runtime) -> Iterable[CloudFailoverSession]:
    since = rt.clock.now_ms() - WINDOW_MS
    return (s for s in rt.store.session_rows() if s.creation_ms >= since)


COLLECTIONS = (
    Collection(BACKUP_SERVER, "backup server", lambda rt: rt.store.data.backup_servers),
    Collection(CLOUD_FAILOVER_PLAN, "cloud failover plan", lambda rt: rt.store.data.plans),
    Collection(CLOUD_FAILOVER_SESSION, "cloud failover session",
               lambda rt: rt.store.data.sessions, listed=_recent_sessions),
    Collection(CLOUD_VM_REPLICA_POINT, "cloud VM replica point",
               lambda rt: rt.store.data.replica_points, list_route=False),
)


def _add_routes(c: Collection) -> None:
    path = "/api/" + c.resource.path.lower()
    listed = c.listed or (lambda rt: c.items(rt).values())

    async def list_items(_: CurrentSession, rt: RuntimeDep, out: WireDep,
                         as_entity: EntityFormat) -> Response:
        items = listed(rt)
        if as_entity:
            return out.send(docs.entity_list(c.resource.plural,
                                             [c.resource.entity(i, out.ctx) for i in items]))
        return out.send(docs.entity_references(
            [c.resource.reference(i, out.ctx, "Ref") for i in items]))

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


for _collection in COLLECTIONS:
    _add_routes(_collection)


@router.get("/api/cloud/cloudfailoverplans/{plan_id}/includes/{vm_id}")
async def plan_include(plan_id: str, vm_id: str, _: CurrentSession, rt: RuntimeDep,
                       out: WireDep) -> Response:
    """One VM included in a cloud failover plan."""
    plan: CloudFailoverPlan = find(rt.store.data.plans, plan_id, "cloud failover plan")
    for order, vm in enumerate(plan.vms):
        if vm.id == vm_id.lower():
            return out.send(plan_vm(plan, vm, order, out.ctx))
    return find({}, vm_id, f"VM in the plan {plan.name!r}")  # type: ignore[no-any-return]


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
