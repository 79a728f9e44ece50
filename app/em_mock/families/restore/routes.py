"""Routes of restore points, VM restore points, VM replica points and backup files."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from em_mock.core.http.collections import Collection, Sub, by_id, serve
from em_mock.core.http.deps import CurrentSession, WireDep
from em_mock.core.ids import derived_id
from em_mock.core.registry import LogonLink, register_logon_links, register_router
from em_mock.core.wire import documents as docs
from em_mock.families.jobs.model import (
    BACKUP_TASKS,
    REPLICA_TASKS,
    leaves_replica_point,
    leaves_restore_point,
)
from em_mock.families.restore.shapes import RESTORE_POINT, VM_REPLICA_POINT, VM_RESTORE_POINT

router = register_router(APIRouter())

_restore_points = by_id(
    "restore points",
    lambda rt: [t for t in BACKUP_TASKS.rows(rt.store) if leaves_restore_point(t)],
    lambda t: derived_id("RestorePoint", t.id))
_vm_restore_points = by_id(
    "vm restore points",
    lambda rt: [t for t in BACKUP_TASKS.rows(rt.store) if leaves_restore_point(t)],
    lambda t: derived_id("VmRestorePoint", t.id))
_vm_replica_points = by_id(
    "vm replica points",
    lambda rt: [t for t in REPLICA_TASKS.rows(rt.store) if leaves_replica_point(t)],
    lambda t: derived_id("VmReplicaPoint", t.id))

serve(router, Collection(RESTORE_POINT, "restore point", _restore_points, list_route=False,
                         subs=(Sub("vmRestorePoints", VM_RESTORE_POINT, lambda rt, t: [t]),)))
serve(router, Collection(VM_RESTORE_POINT, "VM restore point", _vm_restore_points,
                         list_route=False))
serve(router, Collection(VM_REPLICA_POINT, "VM replica point", _vm_replica_points,
                         list_route=False))


@router.get("/api/backupfiles")
async def backup_files(_: CurrentSession, out: WireDep) -> Response:
    """Backup files: em-mock does not model them yet, so the list is empty (but valid)."""
    return out.send(docs.entity_references([]))


register_logon_links(LogonLink(210, "backupFiles", "BackupFileReferenceList"))
