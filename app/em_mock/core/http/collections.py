"""Collection and item routes made from declarations: ``/api/<coll>`` and ``/api/<coll>/{id}``.

A family declares each collection once (its resource type, where its items live, which
of them the list shows) and the sub-collections below an item; :func:`serve` and
:func:`serve_sub` add the routes to the family's router.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from em_mock.core.http.deps import CurrentSession, EntityFormat, RuntimeDep, WireDep, find
from em_mock.core.registry import ResourceType
from em_mock.core.runtime import Runtime
from em_mock.core.tables import Table
from em_mock.core.wire import documents as docs

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


def recent(rt: Runtime, items: Iterable[Any]) -> Iterable[Any]:
    """The items created in the last 30 days of the mock's clock (what lists show)."""
    since = rt.clock.now_ms() - WINDOW_MS
    return (i for i in items if i.creation_ms >= since)


def table_items(table: Table[Any]) -> Callable[[Runtime], dict[str, Any]]:
    """The items of ``table``, by id."""
    return lambda rt: table.of(rt.store.data)


def by_id(name: str, rows: Callable[[Runtime], list[Any]], key: Callable[[Any], str]
          ) -> Callable[[Runtime], dict[str, Any]]:
    """Items found by ``key`` among ``rows`` (the map is cached per data version)."""
    return lambda rt: rt.store.get(("by id", name), lambda: {key(i): i for i in rows(rt)})


def own_id(item: Any) -> str:
    """An item's own id."""
    return str(item.id)


def send_list(rt: Runtime, out: WireDep, resource: ResourceType, items: Iterable[Any],
              as_entity: bool) -> Response:
    """A list of references (``EntityReferences``) or of entities (``?format=Entity``);
    each item's fragment is rendered once per data version."""
    render, version = rt.render, rt.store.version
    if as_entity:
        return out.send(docs.entity_list(resource.plural, [
            render.entity(version, resource, i, out.ctx, out.json) for i in items]))
    return out.send(docs.entity_references([
        render.reference(version, resource, i, out.ctx, "Ref", out.json) for i in items]))


def serve_sub(router: APIRouter, c: Collection, sub: Sub) -> None:
    """Route ``GET /api/<coll>/{id}/<sub>``."""
    async def list_children(item_id: str, _: CurrentSession, rt: RuntimeDep, out: WireDep,
                            as_entity: EntityFormat) -> Response:
        item = find(c.items(rt), item_id, c.what)
        return send_list(rt, out, sub.resource, sub.children(rt, item), as_entity)

    list_children.__doc__ = f"The {sub.path} of one {c.what}."
    path = "/api/" + c.resource.path.lower()
    router.add_api_route(f"{path}/{{item_id}}/{sub.path.lower()}", list_children,
                         methods=["GET"], name=f"{sub.path} of {c.what}")


def serve(router: APIRouter, c: Collection) -> None:
    """Route the collection, its items and its sub-collections."""
    path = "/api/" + c.resource.path.lower()
    listed = c.listed or (lambda rt: c.items(rt).values())

    async def list_items(_: CurrentSession, rt: RuntimeDep, out: WireDep,
                         as_entity: EntityFormat) -> Response:
        return send_list(rt, out, c.resource, listed(rt), as_entity)

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
        serve_sub(router, c, sub)
