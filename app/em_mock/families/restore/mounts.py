"""File-level restore: mount a VM restore point, browse its guest file system, download
a file, unmount.

- ``POST /vmRestorePoints/{id}/mounts``: 202 and a ``Task``; the point is mounted at
  once and a ``FileLevelRestore`` restore session is ``Working`` until the unmount.
- ``GET /vmRestorePoints/{id}/mounts[/{mountId}]``: ``VmRestorePointMounts`` /
  ``VmRestorePointMount`` (its ``FSRoots``).
- ``GET .../mounts/{mountId}/{path}``: ``FileSystemEntries`` of a directory; a file's
  bytes with ``?action=download``.
- ``DELETE .../mounts/{mountId}``: 204; the restore session stops (``Success``).
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from starlette.responses import Response

from em_mock.core.errors import EMError, bad_request
from em_mock.core.http.actions import task_node
from em_mock.core.http.deps import CurrentSession, RuntimeDep, WireDep, find, query_params
from em_mock.core.registry import register_router
from em_mock.core.runtime import Runtime
from em_mock.core.wire.documents import Ctx
from em_mock.core.wire.tree import Layer, ListOf, Node, link, links, resource_layer
from em_mock.families.jobs.model import TaskSession
from em_mock.families.restore import guestfs
from em_mock.families.restore.model import MOUNTS, RESTORE_SESSIONS, Mount, RestoreSession
from em_mock.families.restore.points import POINT_TASKS, vm_restore_point_id

router = register_router(APIRouter())
BASE = "/api/vmrestorepoints/{point_id}/mounts"


def _point(rt: Runtime, point_id: str) -> TaskSession:
    points = rt.store.get(("by id", "vm restore points"),
                          lambda: {vm_restore_point_id(t): t for t in POINT_TASKS.rows(rt.store)})
    found: TaskSession = find(points, point_id, "VM restore point")
    return found


def _mount(rt: Runtime, point_id: str, mount_id: str) -> Mount:
    point = _point(rt, point_id)
    mount: Mount | None = MOUNTS.of(rt.store.data).get(mount_id.lower())
    if mount is None or mount.point is not point:
        raise EMError(404, f"No mount of this VM restore point has the id {mount_id!r}.")
    return mount


def _href(m: Mount, ctx: Ctx, path: str = "") -> str:
    base = ctx.api(f"vmRestorePoints/{vm_restore_point_id(m.point)}/mounts/{m.id}")
    return f"{base}/{path}" if path else base


def _dir_entry(e: guestfs.Entry) -> Node:
    return Node("DirectoryEntry", [Layer(elems=[("Path", e.path), ("Name", e.name)])])


def mount_node(m: Mount, ctx: Ctx) -> Node:
    """``VmRestorePointMount``: its Delete link and the guest file system's roots."""
    href = _href(m, ctx)
    root = guestfs.Entry(guestfs.ROOT, guestfs.ROOT, True)
    return Node("VmRestorePointMount", [
        resource_layer(links([link("Delete", href, "VmRestorePointMount")]), href,
                       "VmRestorePointMount"),
        Layer(elems=[("FSRoots", ListOf([_dir_entry(root)]))])])


def _entries(m: Mount, path: str, ctx: Ctx) -> Node:
    dirs, files = guestfs.listing(m.point, path)
    url = _href(m, ctx, path.replace("\\", "/").rstrip("/"))
    file_nodes = [Node("FileEntry", [Layer(elems=[
        ("Path", f.path), ("Name", f.name), ("Size", f.size), ("Owner", guestfs.OWNER),
        ("ModifiedDateUTC", ctx.time(m.point.creation_ms - 86_400_000)),
        ("Actions", links([link("Download", _href(m, ctx, f.path.replace("\\", "/"))
                                + "?action=download")]))])]) for f in files]
    return Node("FileSystemEntries", [
        resource_layer(links([link("Up", _href(m, ctx), "VmRestorePointMount")]), url,
                       "FileSystemEntries"),
        Layer(elems=[("Files", ListOf(file_nodes)),
                     ("Directories", ListOf([_dir_entry(d) for d in dirs]))])])


@router.post(BASE)
async def mount(point_id: str, me: CurrentSession, rt: RuntimeDep, out: WireDep) -> Response:
    """Mount a VM restore point: 202 and a ``Task`` that links the mount when done."""
    point = _point(rt, point_id)
    now = rt.clock.now_ms()
    session = RestoreSession(str(uuid.uuid4()), point, "FileLevelRestore", now, None,
                             "Working", "None", 50)
    m = Mount(str(uuid.uuid4()), point, session)
    RESTORE_SESSIONS.of(rt.store.data)[session.id] = session
    MOUNTS.of(rt.store.data)[m.id] = m
    rt.store.changed()
    task = rt.simulation.task(
        me.id, "MountVmRestorePoint", now, True, f'Restore point of "{point.vm_name}" mounted.',
        ("VmRestorePointMount", f"vmRestorePoints/{vm_restore_point_id(point)}/mounts/{m.id}"),
        point.vm_name)
    return out.send(task_node(task, out.ctx, now), 202)


@router.get(BASE)
async def list_mounts(point_id: str, _: CurrentSession, rt: RuntimeDep, out: WireDep
                      ) -> Response:
    """The point's mounts (``VmRestorePointMounts``)."""
    point = _point(rt, point_id)
    items = [mount_node(m, out.ctx) for m in MOUNTS.of(rt.store.data).values()
             if m.point is point]
    return out.send(Node("VmRestorePointMounts",
                         [Layer(elems=[("VmRestorePointMounts", ListOf(items, inline=True))])]))


@router.get(BASE + "/{mount_id}")
async def get_mount(point_id: str, mount_id: str, _: CurrentSession, rt: RuntimeDep,
                    out: WireDep) -> Response:
    """One mount: its file system roots."""
    return out.send(mount_node(_mount(rt, point_id, mount_id), out.ctx))


@router.delete(BASE + "/{mount_id}")
async def unmount(point_id: str, mount_id: str, _: CurrentSession, rt: RuntimeDep) -> Response:
    """Unmount: 204; the mount's restore session stops."""
    m = _mount(rt, point_id, mount_id)
    now = rt.clock.now_ms()
    m.session.state, m.session.result, m.session.progress = "Stopped", "Success", 100
    m.session.end_ms = now
    del MOUNTS.of(rt.store.data)[m.id]
    rt.store.changed()
    return Response(status_code=204)


@router.get(BASE + "/{mount_id}/{file_path:path}")
async def browse(point_id: str, mount_id: str, file_path: str, request: Request,
                 _: CurrentSession, rt: RuntimeDep, out: WireDep) -> Response:
    """A directory's entries, or with ``?action=download`` a file's bytes."""
    m = _mount(rt, point_id, mount_id)
    action = (query_params(request).get("action") or "").lower()
    found = guestfs.file(file_path)
    if found is not None:
        if action != "download":
            raise bad_request(f"{found} is a file: add ?action=download to get it.")
        name = found.rpartition("\\")[2]
        return Response(guestfs.content(m.point, found), media_type="application/octet-stream",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    folder = guestfs.directory(file_path)
    if folder is None:
        raise EMError(404, f"No file or directory {file_path!r} in the guest file system.")
    if action not in ("", "listall"):
        raise bad_request("Parameter action must be listAll (or download, on a file).")
    return out.send(_entries(m, folder, out.ctx))
