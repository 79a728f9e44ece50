"""File-level restore: mount a restore point, browse its guest file system, download a
file, restore files, unmount. One implementation serves VM restore points
(``/vmRestorePoints/{id}/mounts``), VM replica points (``/vmReplicaPoints/{id}/mounts``)
and agent restore points (``/agents/agentRestorePoints/{id}/mounts``); a
:class:`MountKind` says which.

- ``POST .../mounts``: 202 and a ``Task``; the point is mounted at once. A mounted VM
  restore point has a ``FileLevelRestore`` restore session, ``Working`` until the unmount
  (restore sessions are of VM restore points: the other kinds have none).
- ``GET .../mounts[/{mountId}]``: ``<Kind>Mounts`` / ``<Kind>Mount`` (its ``FSRoots``).
- ``GET .../mounts/{mountId}/{path}``: the entries of a directory (``FileSystemEntries``;
  ``FileSystemEntry`` on replica points, as the vendor's pages name them); a file's bytes
  with ``?action=download``.
- ``POST .../mounts/{mountId}/{path}?action=restore``: restore a file or directory (a
  ``FileRestoreSpec`` body, see :func:`file_restore_options`): 202 and a ``Task``; on a VM
  restore point a ``FileLevelRestore`` session runs on the clock.
- ``DELETE .../mounts/{mountId}``: 204; the restore session, if any, stops (``Success``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from em_mock.core.errors import EMError, bad_request
from em_mock.core.http.actions import spec_tree, task_node
from em_mock.core.http.deps import CurrentSession, RuntimeDep, WireDep, find, query_params
from em_mock.core.registry import register_router
from em_mock.core.runtime import Runtime
from em_mock.core.wire.documents import Ctx
from em_mock.core.wire.tree import Layer, ListOf, Node, link, links, resource_layer
from em_mock.families.jobs.model import TaskSession
from em_mock.families.restore import guestfs
from em_mock.families.restore.model import MOUNTS, RESTORE_SESSIONS, Mount, RestoreSession
from em_mock.families.restore.points import (
    POINT_TASKS,
    REPLICA_POINT_TASKS,
    vm_replica_point_id,
    vm_restore_point_id,
)
from em_mock.families.restore.runs import start_restore

router = register_router(APIRouter())


@dataclass(frozen=True)
class MountKind:
    """What differs between VM and agent restore point mounts."""

    type_name: str  # VmRestorePoint, AgentRestorePoint
    what: str  # VM restore point
    path: str  # vmRestorePoints: where the points are, below /api/
    points: Callable[[Runtime], list[TaskSession]]
    point_id: Callable[[TaskSession], str]
    # Whether a mount (and a file restore) runs a FileLevelRestore restore session.
    sessions: bool = True
    # Whether directory listings link and take listAll, listDirs, listFiles (agent pages).
    list_filters: bool = False
    entries_root: str = "FileSystemEntries"


def _point(kind: MountKind, rt: Runtime, point_id: str) -> TaskSession:
    points = rt.store.get(("by id", f"{kind.what}s"),
                          lambda: {kind.point_id(t): t for t in kind.points(rt)})
    found: TaskSession = find(points, point_id, kind.what)
    return found


def _mount(kind: MountKind, rt: Runtime, point_id: str, mount_id: str) -> Mount:
    point = _point(kind, rt, point_id)
    mount: Mount | None = MOUNTS.of(rt.store.data).get(mount_id.lower())
    if mount is None or mount.point is not point:
        raise EMError(404, f"No mount of this {kind.what} has the id {mount_id!r}.")
    return mount


def _href(kind: MountKind, m: Mount, ctx: Ctx, path: str = "") -> str:
    base = ctx.api(f"{kind.path}/{kind.point_id(m.point)}/mounts/{m.id}")
    return f"{base}/{path}" if path else base


def _dir_entry(e: guestfs.Entry) -> Node:
    return Node("DirectoryEntry", [Layer(elems=[("Path", e.path), ("Name", e.name)])])


def mount_node(kind: MountKind, m: Mount, ctx: Ctx) -> Node:
    """``<Kind>Mount``: its Delete link and the guest file system's roots."""
    href = _href(kind, m, ctx)
    root = guestfs.Entry(guestfs.ROOT, guestfs.ROOT, True)
    name = f"{kind.type_name}Mount"
    return Node(name, [resource_layer(links([link("Delete", href, name)]), href, name),
                       Layer(elems=[("FSRoots", ListOf([_dir_entry(root)]))])])


def _slashed(path: str) -> str:
    return path.replace("\\", "/").rstrip("/")


def _entries(kind: MountKind, m: Mount, path: str, ctx: Ctx) -> Node:
    dirs, files = guestfs.listing(m.point, path)
    url = _href(kind, m, ctx, _slashed(path))
    file_nodes = [Node("FileEntry", [Layer(elems=[
        ("Path", f.path), ("Name", f.name), ("Size", f.size), ("Owner", guestfs.OWNER),
        ("ModifiedDateUTC", ctx.time(m.point.creation_ms - 86_400_000)),
        ("Actions", links([
            link("Download", _href(kind, m, ctx, _slashed(f.path)) + "?action=download"),
            link("Restore", _href(kind, m, ctx, _slashed(f.path)) + "?action=restore")]))])])
        for f in files]
    link_nodes = [link("Up", _href(kind, m, ctx), f"{kind.type_name}Mount")]
    if kind.list_filters:
        link_nodes += [link("Down", f"{url}?action={a}", kind.entries_root)
                       for a in ("listAll", "listDirs", "listFiles")]
    link_nodes.append(link("Restore", f"{url}?action=restore"))
    return Node(kind.entries_root, [
        resource_layer(links(link_nodes), url, kind.entries_root),
        Layer(elems=[("Files", ListOf(file_nodes)),
                     ("Directories", ListOf([_dir_entry(d) for d in dirs]))])])


FILE_RESTORE_SPEC = "FileRestoreSpec"
_TARGETS = ("ToOriginalLocation", "ForDirectDownload")
_ORIGINAL = ("Overwrite", "PermissionsOnly", "GuestCredentials")


def _flag(options: dict[str, Any], name: str) -> bool:
    raw = options.get(name)
    if raw is None:
        return False
    if not isinstance(raw, str) or raw.lower() not in ("true", "false"):
        raise bad_request(f"{FILE_RESTORE_SPEC}: {name} must be true or false, not {raw!r}.")
    return raw.lower() == "true"


def file_restore_options(body: bytes, content_type: str) -> dict[str, Any]:
    """The checked ``FileRestoreSpec``: exactly one of ``ToOriginalLocation`` (optional
    ``Overwrite`` and ``PermissionsOnly`` booleans, optional ``GuestCredentials`` with a
    ``Username`` and a ``Password``) and ``ForDirectDownload``."""
    tree = spec_tree(body, content_type, FILE_RESTORE_SPEC)
    unknown = sorted(set(tree) - set(_TARGETS))
    if unknown:
        raise bad_request(f"{FILE_RESTORE_SPEC} has no field {unknown[0]!r} (known fields: "
                          f"{', '.join(_TARGETS)}).")
    chosen = [t for t in _TARGETS if t in tree]
    if len(chosen) != 1:
        raise bad_request(f"{FILE_RESTORE_SPEC} needs exactly one of {' and '.join(_TARGETS)}.")
    if chosen[0] == "ForDirectDownload":
        return {"Target": "ForDirectDownload"}
    options = tree["ToOriginalLocation"]
    if options == "":
        options = {}
    if not isinstance(options, dict):
        raise bad_request(f"{FILE_RESTORE_SPEC}: ToOriginalLocation must hold its options as "
                          "elements (or an object).")
    extra = sorted(set(options) - set(_ORIGINAL))
    if extra:
        raise bad_request(f"{FILE_RESTORE_SPEC}: ToOriginalLocation has no field {extra[0]!r} "
                          f"(known fields: {', '.join(_ORIGINAL)}).")
    out: dict[str, Any] = {"Target": "ToOriginalLocation",
                           "Overwrite": _flag(options, "Overwrite"),
                           "PermissionsOnly": _flag(options, "PermissionsOnly")}
    credentials = options.get("GuestCredentials")
    if credentials is not None:
        if not isinstance(credentials, dict):
            raise bad_request(f"{FILE_RESTORE_SPEC}: GuestCredentials needs a Username and a "
                              "Password.")
        for name in ("Username", "Password"):
            value = credentials.get(name)
            if not isinstance(value, str) or not value.strip():
                raise bad_request(f"{FILE_RESTORE_SPEC}: GuestCredentials needs a {name}.")
        extra = sorted(set(credentials) - {"Username", "Password"})
        if extra:
            raise bad_request(f"{FILE_RESTORE_SPEC}: GuestCredentials has no field "
                              f"{extra[0]!r}.")
        out["Username"] = credentials["Username"].strip()
    return out


def guest_path(file_path: str) -> str:
    """The canonical spelling of a file or directory of the guest file system, or a 404."""
    found = guestfs.file(file_path) or guestfs.directory(file_path)
    if found is None:
        raise EMError(404, f"No file or directory {file_path!r} in the guest file system.")
    return found


def restore_files(rt: Runtime, owner: str, point: TaskSession, path: str, session: bool,
                  now: int, target: str = "ToOriginalLocation") -> Any:
    """Start restoring ``path`` of ``point``'s guest file system to ``target`` (a
    ``FileRestoreSpec`` target): the ``Task``, with a ``FileLevelRestore`` session running
    when ``session``."""
    where = ("to its original location" if target == "ToOriginalLocation"
             else "for direct download")
    what = f'"{path}" of "{point.vm_name}" {where}'
    if session:
        task, _ = start_restore(rt.simulation, rt.store, point, "FileLevelRestore", owner, now,
                                lambda: str(uuid.uuid4()), "RestoreFiles", what)
        return task
    return rt.simulation.task(owner, "RestoreFiles", now, True, f"{what} restore started.")


def serve_mounts(router: APIRouter, kind: MountKind) -> None:
    """Route mounting, browsing, downloading, restoring and unmounting for ``kind``."""
    base = f"/api/{kind.path.lower()}/{{point_id}}/mounts"
    mount_type = f"{kind.type_name}Mount"

    async def mount(point_id: str, me: CurrentSession, rt: RuntimeDep, out: WireDep
                    ) -> Response:
        point = _point(kind, rt, point_id)
        now = rt.clock.now_ms()
        session = None
        if kind.sessions:
            session = RestoreSession(str(uuid.uuid4()), point, "FileLevelRestore", now, None,
                                     "Working", "None", 50)
            RESTORE_SESSIONS.of(rt.store.data)[session.id] = session
        m = Mount(str(uuid.uuid4()), point, session)
        MOUNTS.of(rt.store.data)[m.id] = m
        rt.store.changed()
        task = rt.simulation.task(
            me.id, f"Mount{kind.type_name}", now, True,
            f'{kind.what[0].upper()}{kind.what[1:]} of "{point.vm_name}" mounted.',
            (mount_type, f"{kind.path}/{kind.point_id(point)}/mounts/{m.id}"), point.vm_name)
        return out.send(task_node(task, out.ctx, now), 202)

    async def list_mounts(point_id: str, _: CurrentSession, rt: RuntimeDep, out: WireDep
                          ) -> Response:
        point = _point(kind, rt, point_id)
        items = [mount_node(kind, m, out.ctx) for m in MOUNTS.of(rt.store.data).values()
                 if m.point is point]
        return out.send(Node(f"{mount_type}s", [
            Layer(elems=[(f"{mount_type}s", ListOf(items, inline=True))])]))

    async def get_mount(point_id: str, mount_id: str, _: CurrentSession, rt: RuntimeDep,
                        out: WireDep) -> Response:
        return out.send(mount_node(kind, _mount(kind, rt, point_id, mount_id), out.ctx))

    async def unmount(point_id: str, mount_id: str, _: CurrentSession, rt: RuntimeDep
                      ) -> Response:
        m = _mount(kind, rt, point_id, mount_id)
        if m.session is not None:
            m.session.state, m.session.result, m.session.progress = "Stopped", "Success", 100
            m.session.end_ms = rt.clock.now_ms()
        del MOUNTS.of(rt.store.data)[m.id]
        rt.store.changed()
        return Response(status_code=204)

    async def browse(point_id: str, mount_id: str, file_path: str, request: Request,
                     _: CurrentSession, rt: RuntimeDep, out: WireDep) -> Response:
        m = _mount(kind, rt, point_id, mount_id)
        action = (query_params(request).get("action") or "").lower()
        found = guestfs.file(file_path)
        if found is not None:
            if action != "download":
                raise bad_request(f"{found} is a file: add ?action=download to get it.")
            name = found.rpartition("\\")[2]
            return Response(guestfs.content(m.point, found),
                            media_type="application/octet-stream",
                            headers={"Content-Disposition": f'attachment; filename="{name}"'})
        folder = guestfs.directory(file_path)
        if folder is None:
            raise EMError(404, f"No file or directory {file_path!r} in the guest file system.")
        allowed = ("", "listall", "listdirs", "listfiles") if kind.list_filters else ("", "listall")
        if action not in allowed:
            raise bad_request("Parameter action must be listAll (or download, on a file).")
        node = _entries(kind, m, folder, out.ctx)
        if action in ("listdirs", "listfiles"):
            keep = "Directories" if action == "listdirs" else "Files"
            node.layers[1].elems = [(k, v if k == keep else ListOf([]))
                                    for k, v in node.layers[1].elems]
        return out.send(node)

    async def restore(point_id: str, mount_id: str, file_path: str, request: Request,
                      me: CurrentSession, rt: RuntimeDep, out: WireDep) -> Response:
        if (query_params(request).get("action") or "").lower() != "restore":
            raise bad_request("Parameter action must be restore.")
        m = _mount(kind, rt, point_id, mount_id)
        path = guest_path(file_path)
        options = file_restore_options(await request.body(),
                                       request.headers.get("content-type", ""))
        now = rt.clock.now_ms()
        task = restore_files(rt, me.id, m.point, path, kind.sessions, now, options["Target"])
        return out.send(task_node(task, out.ctx, now), 202)

    what = kind.what
    mount.__doc__ = f"Mount a {what}: 202 and a Task that links the mount when done."
    list_mounts.__doc__ = f"The {what}'s mounts ({mount_type}s)."
    get_mount.__doc__ = "One mount: its file system roots."
    unmount.__doc__ = "Unmount: 204; the mount's restore session, if any, stops."
    browse.__doc__ = "A directory's entries, or with ?action=download a file's bytes."
    restore.__doc__ = "Restore a file or directory (FileRestoreSpec): 202 and a Task."
    router.add_api_route(base, mount, methods=["POST"], name=f"mount {what}")
    router.add_api_route(base, list_mounts, methods=["GET"], name=f"mounts of {what}")
    router.add_api_route(base + "/{mount_id}", get_mount, methods=["GET"],
                         name=f"mount of {what}")
    router.add_api_route(base + "/{mount_id}", unmount, methods=["DELETE"],
                         name=f"unmount {what}")
    router.add_api_route(base + "/{mount_id}/{file_path:path}", browse, methods=["GET"],
                         name=f"browse {what}")
    router.add_api_route(base + "/{mount_id}/{file_path:path}", restore, methods=["POST"],
                         name=f"restore from {what}")


serve_mounts(router, MountKind("VmRestorePoint", "VM restore point", "vmRestorePoints",
                               lambda rt: POINT_TASKS.rows(rt.store), vm_restore_point_id))
serve_mounts(router, MountKind("VmReplicaPoint", "VM replica point", "vmReplicaPoints",
                               lambda rt: REPLICA_POINT_TASKS.rows(rt.store),
                               vm_replica_point_id, sessions=False,
                               entries_root="FileSystemEntry"))
