"""Wire shapes of restore points, VM restore points and VM replica points.

The mock derives these points from the job task sessions that left them: a point's id
is derived from its task's, and its times and sizes are the task's.
"""

from __future__ import annotations

from em_mock.core.ids import derived_id
from em_mock.core.registry import ResourceType, register_resources
from em_mock.core.wire.documents import (
    Ctx,
    alternate_to_entity,
    alternate_to_reference,
    entity,
    reference,
)
from em_mock.core.wire.tree import Layer, Node, link
from em_mock.families.infrastructure.shapes import server_up
from em_mock.families.jobs.model import TaskSession
from em_mock.families.jobs.shapes import task_name
from em_mock.families.restore.points import is_full, restore_point_name


def _rp_links(t: TaskSession, ctx: Ctx, alternate: Node) -> list[Node]:
    rp_id = derived_id("RestorePoint", t.id)
    return [server_up(t.session.backup_server, ctx), alternate,
            link("Down", ctx.api(f"restorePoints/{rp_id}/vmRestorePoints"),
                 "VmRestorePointReferenceList")]


def _rp_ref(t: TaskSession, ctx: Ctx, root: str) -> Node:
    rp_id, name = derived_id("RestorePoint", t.id), restore_point_name(t, ctx)
    return reference(root, "RestorePoint", "restorePoints", rp_id, name, _rp_links(
        t, ctx, alternate_to_entity("RestorePoint", "restorePoints", rp_id, name, ctx)), ctx)


def _rp_entity(t: TaskSession, ctx: Ctx) -> Node:
    rp_id, name = derived_id("RestorePoint", t.id), restore_point_name(t, ctx)
    own = Layer(elems=[("BackupDateUTC", ctx.time(t.creation_ms))])
    return entity("RestorePoint", "restorePoints", rp_id, name, _rp_links(
        t, ctx, alternate_to_reference("RestorePoint", "restorePoints", rp_id, name, ctx)),
        [own], ctx)


RESTORE_POINT = ResourceType("RestorePoint", "restorePoints", "RestorePoints", _rp_ref, _rp_entity)


def _vrp_links(t: TaskSession, ctx: Ctx, alternate: Node) -> list[Node]:
    rp_id = derived_id("RestorePoint", t.id)
    return [server_up(t.session.backup_server, ctx),
            link("Up", ctx.api(f"restorePoints/{rp_id}"), "RestorePointReference",
                 restore_point_name(t, ctx)), alternate]


def _vrp_ref(t: TaskSession, ctx: Ctx, root: str) -> Node:
    vid, name = derived_id("VmRestorePoint", t.id), task_name(t, ctx)
    return reference(root, "VmRestorePoint", "vmRestorePoints", vid, name, _vrp_links(
        t, ctx, alternate_to_entity("VmRestorePoint", "vmRestorePoints", vid, name, ctx)), ctx)


def _vrp_entity(t: TaskSession, ctx: Ctx) -> Node:
    vid, name = derived_id("VmRestorePoint", t.id), task_name(t, ctx)
    full = is_full(t)
    own = Layer(elems=[("CreationTimeUTC", ctx.time(t.creation_ms)),
                       ("Algorithm", "Full" if full else "Incremental"),
                       ("PointType", "Full" if full else "Increment"),
                       ("HierarchyObjRef", t.vm_uid)])
    return entity("VmRestorePoint", "vmRestorePoints", vid, name, _vrp_links(
        t, ctx, alternate_to_reference("VmRestorePoint", "vmRestorePoints", vid, name, ctx)),
        [own], ctx)


VM_RESTORE_POINT = ResourceType("VmRestorePoint", "vmRestorePoints", "VmRestorePoints",
                                _vrp_ref, _vrp_entity)


def _vrep_ref(t: TaskSession, ctx: Ctx, root: str) -> Node:
    vid, name = derived_id("VmReplicaPoint", t.id), task_name(t, ctx)
    return reference(root, "VmReplicaPoint", "vmReplicaPoints", vid, name, [
        server_up(t.session.backup_server, ctx),
        alternate_to_entity("VmReplicaPoint", "vmReplicaPoints", vid, name, ctx)], ctx)


def _vrep_entity(t: TaskSession, ctx: Ctx) -> Node:
    vid, name = derived_id("VmReplicaPoint", t.id), task_name(t, ctx)
    own = Layer(attrs=[("VmDisplayName", t.vm_name)],
                elems=[("CreationTimeUTC", ctx.time(t.creation_ms)), ("PointType", "Snapshot"),
                       ("State", "Ready"), ("HierarchyObjRef", t.vm_uid)])
    return entity("VmReplicaPoint", "vmReplicaPoints", vid, name, [
        server_up(t.session.backup_server, ctx),
        alternate_to_reference("VmReplicaPoint", "vmReplicaPoints", vid, name, ctx)],
        [own], ctx)


VM_REPLICA_POINT = ResourceType("VmReplicaPoint", "vmReplicaPoints", "VmReplicaPoints",
                                _vrep_ref, _vrep_entity)


register_resources(RESTORE_POINT, VM_RESTORE_POINT, VM_REPLICA_POINT)
