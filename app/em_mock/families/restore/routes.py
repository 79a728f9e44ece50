"""Routes of backups, replicas, restore points, VM restore and replica points and backup
files, their sub-collections, the backups and replicas below a repository, and their
logon links.

Top-level lists of points and files show the last 30 days of the mock's clock, as the
session lists do; a backup's or replica's own lists, and the query service, show all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter

from em_mock.core.http.collections import (
    Collection,
    Sub,
    by_id,
    recent,
    serve,
    serve_sub,
    table_items,
)
from em_mock.core.http.deps import find
from em_mock.core.registry import (
    LogonLink,
    collection_links,
    register_logon_links,
    register_router,
)
from em_mock.core.runtime import Runtime
from em_mock.families.agents.model import leaves_agent_point
from em_mock.families.agents.shapes import AGENT_RESTORE_POINT
from em_mock.families.infrastructure.routes import (
    EXTERNAL_REPOSITORY_COLLECTION,
    REPOSITORY_COLLECTION,
)
from em_mock.families.jobs.model import TaskSession
from em_mock.families.restore.model import RESTORE_SESSIONS
from em_mock.families.restore.points import (
    ALL_POINT_TASKS,
    POINT_TASKS,
    REPLICA_POINT_TASKS,
    Held,
    VAppPoint,
    backup_file_id,
    backup_id,
    held_backups,
    held_replicas,
    replica_id,
    restore_point_id,
    vapp_point_id,
    vapp_replica_points,
    vapp_restore_points,
    vm_replica_point_id,
    vm_restore_point_id,
)
from em_mock.families.restore.shapes import (
    BACKUP,
    BACKUP_FILE,
    REPLICA,
    RESTORE_POINT,
    RESTORE_SESSION,
    VAPP_REPLICA_POINT,
    VAPP_RESTORE_POINT,
    VM_REPLICA_POINT,
    VM_RESTORE_POINT,
)

router = register_router(APIRouter())


def _points(rt: Runtime) -> list[Any]:
    return POINT_TASKS.rows(rt.store)


def _all_points(rt: Runtime) -> list[Any]:
    """VM and agent restore points (each with its backup file)."""
    return ALL_POINT_TASKS.rows(rt.store)


def _if_vm(rt: Runtime, t: Any) -> list[Any]:
    return [] if leaves_agent_point(t) else [t]


def _if_agent(rt: Runtime, t: Any) -> list[Any]:
    return [t] if leaves_agent_point(t) else []


def _replica_points(rt: Runtime) -> list[Any]:
    return REPLICA_POINT_TASKS.rows(rt.store)


def _of_job(rows: Callable[[Runtime], list[Any]]) -> Callable[[Runtime, Any], list[Any]]:
    """The rows whose task belongs to a backup's (or replica's) job."""
    def children(rt: Runtime, held: Any) -> list[Any]:
        return [t for t in rows(rt) if t.session.job is held.job]
    return children


def _itself(rt: Runtime, t: Any) -> list[Any]:
    return [t]


def _none(rt: Runtime, item: Any) -> list[Any]:
    return []


_restore_points = by_id("restore points", _all_points, restore_point_id)
_vm_restore_points = by_id("vm restore points", _points, vm_restore_point_id)
_vm_replica_points = by_id("vm replica points", _replica_points, vm_replica_point_id)
_backup_files = by_id("backup files", _all_points, backup_file_id)
_backups = by_id("backups", lambda rt: held_backups(rt.store), lambda b: backup_id(b.job))
_replicas = by_id("replicas", lambda rt: held_replicas(rt.store), lambda b: replica_id(b.job))



def vm_restore_point_of(rt: Runtime, point_id: str) -> TaskSession:
    """The backup task that left the VM restore point ``point_id``, or a 404."""
    found: TaskSession = find(_vm_restore_points(rt), point_id, "VM restore point")
    return found


def vm_replica_point_of(rt: Runtime, point_id: str) -> TaskSession:
    """The replication task that left the VM replica point ``point_id``, or a 404."""
    found: TaskSession = find(_vm_replica_points(rt), point_id, "VM replica point")
    return found


_vapp_restore_points = by_id("vapp restore points", lambda rt: vapp_restore_points(rt.store),
                             vapp_point_id)
_vapp_replica_points = by_id("vapp replica points", lambda rt: vapp_replica_points(rt.store),
                             vapp_point_id)


def vapp_point_of(rt: Runtime, point_id: str, replica: bool) -> VAppPoint:
    """The vApp restore (or replica) point ``point_id``, or a 404."""
    if replica:
        return find(_vapp_replica_points(rt), point_id, "vApp replica point")  # type: ignore[no-any-return]
    return find(_vapp_restore_points(rt), point_id, "vApp restore point")  # type: ignore[no-any-return]


serve(router, Collection(BACKUP, "backup", _backups, subs=(
    Sub("restorePoints", RESTORE_POINT, _of_job(_all_points)),
    Sub("backupFiles", BACKUP_FILE, _of_job(_all_points)),
    # Every backup the mock has is a standard one: no child backups.
    Sub("childBackups", BACKUP, _none),
)))
serve(router, Collection(REPLICA, "replica", _replicas, subs=(
    Sub("vmReplicaPoints", VM_REPLICA_POINT, _of_job(_replica_points)),
)))
serve(router, Collection(
    RESTORE_POINT, "restore point", _restore_points,
    listed=lambda rt: recent(rt, _all_points(rt)), subs=(
        Sub("vmRestorePoints", VM_RESTORE_POINT, _if_vm),
        Sub("backupFiles", BACKUP_FILE, _itself),
        Sub("vAppRestorePoints", VAPP_RESTORE_POINT,
            lambda rt, t: [p for p in vapp_restore_points(rt.store) if t in p.tasks]),
        Sub("agentRestorePoints", AGENT_RESTORE_POINT, _if_agent),
    )))
serve(router, Collection(
    VM_RESTORE_POINT, "VM restore point", _vm_restore_points,
    listed=lambda rt: recent(rt, _points(rt))))
serve(router, Collection(
    VM_REPLICA_POINT, "VM replica point", _vm_replica_points,
    listed=lambda rt: recent(rt, _replica_points(rt))))
serve(router, Collection(
    VAPP_RESTORE_POINT, "vApp restore point", _vapp_restore_points,
    listed=lambda rt: recent(rt, vapp_restore_points(rt.store))))
serve(router, Collection(
    VAPP_REPLICA_POINT, "vApp replica point", _vapp_replica_points,
    listed=lambda rt: recent(rt, vapp_replica_points(rt.store))))
serve(router, Collection(
    BACKUP_FILE, "backup file", _backup_files,
    listed=lambda rt: recent(rt, _all_points(rt)), subs=(
        Sub("restorePoints", RESTORE_POINT, _itself),
        Sub("vmRestorePoints", VM_RESTORE_POINT, _if_vm),
    )))
serve(router, Collection(RESTORE_SESSION, "restore session", table_items(RESTORE_SESSIONS),
                         listed=lambda rt: recent(rt, RESTORE_SESSIONS.rows(rt.store))))
serve_sub(router, REPOSITORY_COLLECTION, Sub(
    "backups", BACKUP, lambda rt, r: [b for b in held_backups(rt.store) if b.repository is r]))
serve_sub(router, REPOSITORY_COLLECTION, Sub(
    "replicas", REPLICA, lambda rt, r: [b for b in held_replicas(rt.store)
                                        if b.repository is r]))


def _copied_out(rt: Runtime, external: Any) -> list[Held]:
    """An external repository's backups: a view over the backups of its backup server's
    backup copy jobs (the copies that server keeps in object storage), served as they are
    at ``/backups/{id}``."""
    return [b for b in held_backups(rt.store)
            if b.job.is_copy and b.job.backup_server is external.backup_server]


serve_sub(router, EXTERNAL_REPOSITORY_COLLECTION, Sub("backups", BACKUP, _copied_out))

register_logon_links(
    *collection_links("backups", "Backup", 70, 410),
    *collection_links("restorePoints", "RestorePoint", 80, 420),
    *collection_links("vmRestorePoints", "VmRestorePoint", 90, 430),
    *collection_links("vAppRestorePoints", "VAppRestorePoint", 100, 440),
    *collection_links("vAppReplicaPoints", "VAppReplicaPoint", 260, 630),
    *collection_links("replicas", "Replica", 110, 450),
    *collection_links("vmReplicaPoints", "VmReplicaPoint", 120, 460),
    *collection_links("restoreSessions", "RestoreSession", 150, 490),
    LogonLink(210, "backupFiles", "BackupFileReferenceList"),
    LogonLink(550, "backupFiles?format=Entity", "BackupFileList"),
)
