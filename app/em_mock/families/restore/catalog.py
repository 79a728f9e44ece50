"""The guest file catalog: ``/catalog/vms`` (every VM that has a restore point), a VM's
restore points under it, and a point's guest file system (``guestfs``), browsed without
a mount. A catalog VM's id in paths is its name (any case).

Actions: ``POST .../vmRestorePoints/{id}?action=browse`` answers 200 (as the vendor's page
says) with a ``Task`` whose finished form links the point's ``guestfs``; ``POST
.../guestfs/{path}?action=restore`` restores a file or directory to its original place (an
empty body, or a ``FileRestoreSpec`` as on mounts): 202 and a ``Task``; a
``FileLevelRestore`` session runs on the clock."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from em_mock.core.errors import EMError
from em_mock.core.http.actions import no_body_action, task_node
from em_mock.core.http.collections import Collection, Sub, by_id, serve
from em_mock.core.http.deps import CurrentSession, EntityFormat, RuntimeDep, WireDep
from em_mock.core.registry import (
    ResourceType,
    collection_links,
    register_logon_links,
    register_router,
)
from em_mock.core.runtime import Runtime
from em_mock.core.wire.documents import (
    Ctx,
    alternate_to_entity,
    alternate_to_reference,
    entity,
    reference,
)
from em_mock.core.wire.tree import Layer, ListOf, Node, link, links, resource_layer
from em_mock.families.jobs.model import TaskSession
from em_mock.families.jobs.shapes import task_name
from em_mock.families.restore import guestfs
from em_mock.families.restore.mounts import file_restore_options, guest_path, restore_files
from em_mock.families.restore.points import POINT_TASKS, vm_restore_point_id

router = register_router(APIRouter())


def _vm_ref(name: str, ctx: Ctx, root: str) -> Node:
    return reference(root, "CatalogVm", "catalog/vms", name, name, [
        alternate_to_entity("CatalogVm", "catalog/vms", name, name, ctx),
        link("Down", ctx.api(f"catalog/vms/{name}/vmRestorePoints"),
             "CatalogVmRestorePointReferenceList")], ctx)


def _vm_entity(name: str, ctx: Ctx) -> Node:
    return entity("CatalogVm", "catalog/vms", name, name, [
        alternate_to_reference("CatalogVm", "catalog/vms", name, name, ctx),
        link("Down", ctx.api(f"catalog/vms/{name}/vmRestorePoints"),
             "CatalogVmRestorePointReferenceList")], [], ctx)


CATALOG_VM = ResourceType("CatalogVm", "catalog/vms", "CatalogVms", _vm_ref, _vm_entity)


def _point_links(t: TaskSession, ctx: Ctx, alternate: Node) -> list[Node]:
    pid = vm_restore_point_id(t)
    return [alternate,
            link("Up", ctx.api(f"catalog/vms/{t.vm_name}?format=Entity"), "CatalogVm",
                 t.vm_name),
            link("Related", ctx.api(f"vmRestorePoints/{pid}?format=Entity"), "VmRestorePoint",
                 task_name(t, ctx)),
            link("Down", ctx.api(f"catalog/vms/{t.vm_name}/vmRestorePoints/{pid}/guestfs"),
                 "FileSystemEntries")]


def _point_ref(t: TaskSession, ctx: Ctx, root: str) -> Node:
    path, pid, name = f"catalog/vms/{t.vm_name}/vmRestorePoints", vm_restore_point_id(t), \
        task_name(t, ctx)
    return reference(root, "CatalogVmRestorePoint", path, pid, name, _point_links(
        t, ctx, alternate_to_entity("CatalogVmRestorePoint", path, pid, name, ctx)), ctx)


def _point_entity(t: TaskSession, ctx: Ctx) -> Node:
    path, pid, name = f"catalog/vms/{t.vm_name}/vmRestorePoints", vm_restore_point_id(t), \
        task_name(t, ctx)
    own = Layer(elems=[("CreationTimeUTC", ctx.time(t.creation_ms))])
    return entity("CatalogVmRestorePoint", path, pid, name, _point_links(
        t, ctx, alternate_to_reference("CatalogVmRestorePoint", path, pid, name, ctx)),
        [own], ctx)


CATALOG_POINT = ResourceType("CatalogVmRestorePoint", "vmRestorePoints",
                             "CatalogVmRestorePoints", _point_ref, _point_entity)


def _points(rt: Runtime) -> list[TaskSession]:
    return POINT_TASKS.rows(rt.store)


def _vm_names(rt: Runtime) -> list[str]:
    return sorted({t.vm_name for t in _points(rt)})


def _points_of(rt: Runtime, name: Any) -> list[TaskSession]:
    return [t for t in _points(rt) if t.vm_name == name]


CATALOG = Collection(CATALOG_VM, "catalog VM",
                     by_id("catalog vms", _vm_names, lambda name: str(name).lower()),
                     subs=(Sub("vmRestorePoints", CATALOG_POINT, _points_of),))
serve(router, CATALOG)


def _point(rt: Runtime, vm: str, point_id: str) -> TaskSession:
    for t in _points(rt):
        if t.vm_name.lower() == vm.lower() and vm_restore_point_id(t) == point_id.lower():
            return t
    raise EMError(404, f"The catalog VM {vm!r} has no restore point {point_id!r}.")


POINT = "/api/catalog/vms/{vm}/vmrestorepoints/{point_id}"


@router.get(POINT)
async def catalog_point(vm: str, point_id: str, _: CurrentSession, rt: RuntimeDep,
                        out: WireDep, as_entity: EntityFormat) -> Response:
    """One restore point of a catalog VM."""
    t = _point(rt, vm, point_id)
    if as_entity:
        return out.send(_point_entity(t, out.ctx))
    return out.send(_point_ref(t, out.ctx, "EntityRef"))


def _entries(t: TaskSession, folder: str, ctx: Ctx, root_name: str) -> Node:
    dirs, files = guestfs.listing(t, folder)
    base = ctx.api(f"catalog/vms/{t.vm_name}/vmRestorePoints/{vm_restore_point_id(t)}/guestfs")
    file_nodes = [Node("FileEntry", [Layer(elems=[
        ("Path", f.path), ("Name", f.name), ("Size", f.size), ("Owner", guestfs.OWNER),
        ("ModifiedDateUTC", ctx.time(t.creation_ms - 86_400_000))])]) for f in files]
    dir_nodes = [Node("DirectoryEntry", [Layer(elems=[("Path", d.path), ("Name", d.name)])])
                 for d in dirs]
    return Node(root_name, [
        resource_layer(links([link("Up", base, "FileSystemEntry")]), base, root_name),
        Layer(elems=[("Files", ListOf(file_nodes)), ("Directories", ListOf(dir_nodes))])])


@router.get(POINT + "/guestfs")
async def guest_root(vm: str, point_id: str, _: CurrentSession, rt: RuntimeDep,
                     out: WireDep) -> Response:
    """The top of the point's guest file system (``FileSystemEntry``)."""
    return out.send(_entries(_point(rt, vm, point_id), guestfs.ROOT, out.ctx, "FileSystemEntry"))


@router.get(POINT + "/guestfs/{file_path:path}")
async def guest_dir(vm: str, point_id: str, file_path: str, _: CurrentSession,
                    rt: RuntimeDep, out: WireDep) -> Response:
    """A directory of the point's guest file system (``FileSystemEntries``)."""
    t = _point(rt, vm, point_id)
    folder = guestfs.directory(file_path)
    if folder is None:
        raise EMError(404, f"No directory {file_path!r} in the guest file system.")
    return out.send(_entries(t, folder, out.ctx, "FileSystemEntries"))


@router.post(POINT)
async def browse(vm: str, point_id: str, request: Request, me: CurrentSession, rt: RuntimeDep,
                 out: WireDep) -> Response:
    """Open the point's guest file system for browsing: 200 and a ``Task``."""
    no_body_action(request, ("browse",))
    t = _point(rt, vm, point_id)
    now = rt.clock.now_ms()
    task = rt.simulation.task(
        me.id, "BrowseGuestFileSystem", now, True,
        f'Guest file system of "{t.vm_name}" ready to browse.',
        ("FileSystemEntry",
         f"catalog/vms/{t.vm_name}/vmRestorePoints/{vm_restore_point_id(t)}/guestfs"),
        t.vm_name)
    return out.send(task_node(task, out.ctx, now), 200)


@router.post(POINT + "/guestfs/{file_path:path}")
async def restore_guest_files(vm: str, point_id: str, file_path: str, request: Request,
                              me: CurrentSession, rt: RuntimeDep, out: WireDep) -> Response:
    """Restore a file or directory of the point to its original place: 202 and a ``Task``."""
    no_body_action(request, ("restore",))
    t = _point(rt, vm, point_id)
    path = guest_path(file_path)
    body = await request.body()
    target = "ToOriginalLocation"
    if body.strip():
        target = file_restore_options(body, request.headers.get("content-type", ""))["Target"]
    now = rt.clock.now_ms()
    task = restore_files(rt, me.id, t, path, True, now, target)
    return out.send(task_node(task, out.ctx, now), 202)


register_logon_links(*collection_links("catalog/vms", "CatalogVm", 130, 470))
