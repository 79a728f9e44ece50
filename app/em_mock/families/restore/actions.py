"""Restore and failover actions on points.

- ``POST /vmRestorePoints/{id}?action=restore`` restores a VM from a point (202 and a
  ``Task`` whose finished form links the new ``RestoreSession``). The body is a
  ``RestoreSpec`` in XML or JSON. Its options sit in a ``VmRestoreSpec`` element (as the
  vendor's examples have them) or directly in ``RestoreSpec``; ``PowerOnAfter`` and
  ``QuickRollback`` are required booleans, ``KeepOriginalVM`` an optional one.
- ``POST /vAppRestorePoints/{id}?action=restore`` restores a vApp: a ``RestoreSpec`` with
  ``PowerOnAfter`` (boolean), ``HierarchyRoot`` (a hierarchy root's UID), ``OrgVdcRef``,
  optionally ``vAppNewName`` and ``VmsRestoreParameters`` (each naming one of the vApp
  point's VM restore points); 202 and a ``Task``; a ``RestoreVm`` session runs.
- ``POST /vmReplicaPoints/{id}?action=failover`` and ``/vAppReplicaPoints/{id}?action=
  failover`` take no body: 202 and a ``Task`` that finishes on the mock's clock.

Anything wrong in a body is a 400 that names it.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Request
from lxml import etree
from starlette.responses import Response

from em_mock.core.errors import bad_request
from em_mock.core.http.actions import no_body_action, spec_fields, spec_items, spec_tree, task_node
from em_mock.core.http.deps import CurrentSession, RuntimeDep, WireDep
from em_mock.core.registry import register_router
from em_mock.core.runtime import Runtime
from em_mock.families.infrastructure.model import HIERARCHY_ROOTS
from em_mock.families.infrastructure.shapes import root_id
from em_mock.families.restore.points import (
    VAppPoint,
    vapp_point_id,
    vm_replica_point_id,
    vm_restore_point_id,
)
from em_mock.families.restore.routes import (
    vapp_point_of,
    vm_replica_point_of,
    vm_restore_point_of,
)
from em_mock.families.restore.runs import start_restore

router = register_router(APIRouter())

SPEC = "RestoreSpec"
REQUIRED = ("PowerOnAfter", "QuickRollback")
OPTIONAL = ("KeepOriginalVM",)
# Parsed only after spec_fields accepted the body (well-formed, no DTD, right root).
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          huge_tree=False)


def _nested(body: bytes, content_type: str) -> dict[str, str] | None:
    """The fields of ``VmRestoreSpec`` inside the body, or ``None`` when it has none."""
    if "json" in content_type.lower():
        inner: Any = json.loads(body).get("VmRestoreSpec")
        if inner is None:
            return None
        if not isinstance(inner, dict):
            raise bad_request("VmRestoreSpec must be a JSON object.")
        return {str(k): str(v).lower() if isinstance(v, bool) else str(v)
                for k, v in inner.items() if v is not None}
    root = etree.fromstring(body, _PARSER)
    for child in root:
        if isinstance(child.tag, str) and etree.QName(child).localname == "VmRestoreSpec":
            return {etree.QName(c).localname: (c.text or "").strip()
                    for c in child if isinstance(c.tag, str)}
    return None


def restore_options(body: bytes, content_type: str) -> dict[str, bool]:
    """The checked options of a ``RestoreSpec`` body."""
    fields = spec_fields(body, content_type, SPEC)
    if not fields:
        raise bad_request(f"A {SPEC} body with {' and '.join(REQUIRED)} is required.")
    options = _nested(body, content_type)
    if options is None:
        options = fields
    out: dict[str, bool] = {}
    for name in (*REQUIRED, *OPTIONAL):
        raw = options.get(name)
        if raw is None:
            if name in REQUIRED:
                raise bad_request(f"{SPEC}: {name} is required.")
            continue
        if raw.lower() not in ("true", "false"):
            raise bad_request(f"{SPEC}: {name} must be true or false, not {raw!r}.")
        out[name] = raw.lower() == "true"
    return out


@router.post("/api/vmrestorepoints/{point_id}")
async def restore_vm(point_id: str, request: Request, me: CurrentSession, rt: RuntimeDep,
                     out: WireDep) -> Response:
    """Restore the VM of a restore point: 202 and a ``Task``; a RestoreSession runs."""
    no_body_action(request, ("restore",))
    point = vm_restore_point_of(rt, point_id)
    restore_options(await request.body(), request.headers.get("content-type", ""))
    now = rt.clock.now_ms()
    task, _ = start_restore(rt.simulation, rt.store, point, "RestoreVm", me.id, now,
                            lambda: str(uuid.uuid4()), "RestoreVm")
    return out.send(task_node(task, out.ctx, now), 202)


_VAPP_FIELDS = ("PowerOnAfter", "HierarchyRoot", "OrgVdcRef", "vAppNewName",
                "VmsRestoreParameters")
_VM_PARAMETERS = ("VmRestorePointUid", "VmNewName", "DatastoreRef", "OrgVdcStorageProfileRef",
                  "LinkedCloneVmTemplateRef")


def _bare(uid: str) -> str:
    """``urn:veeam:Type:<guid>`` or ``<guid>`` -> ``<guid>`` (lower-case)."""
    return uid.strip().rsplit(":", 1)[-1].lower()


def _text(tree: dict[str, Any], name: str, spec: str, required: bool) -> str | None:
    raw = tree.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise bad_request(f"{spec}: {name} is required.")
        return None
    if not isinstance(raw, str):
        raise bad_request(f"{spec}: {name} must be a single value.")
    return raw.strip()


def vapp_restore_options(body: bytes, content_type: str, p: VAppPoint, rt: Runtime
                         ) -> dict[str, Any]:
    """The checked options of a vApp ``RestoreSpec`` body."""
    tree = spec_tree(body, content_type, SPEC)
    for name in ("vAppRestoreSpec", "VAppRestoreSpec"):
        if isinstance(tree.get(name), dict):
            tree = tree[name]
    unknown = sorted(set(tree) - set(_VAPP_FIELDS))
    if unknown:
        raise bad_request(f"{SPEC} of a vApp has no field {unknown[0]!r} (known fields: "
                          f"{', '.join(_VAPP_FIELDS)}).")
    power = _text(tree, "PowerOnAfter", SPEC, True) or ""
    if power.lower() not in ("true", "false"):
        raise bad_request(f"{SPEC}: PowerOnAfter must be true or false, not {power!r}.")
    root = _bare(_text(tree, "HierarchyRoot", SPEC, True) or "")
    if not any(root_id(m) == root for m in HIERARCHY_ROOTS.rows(rt.store)):
        raise bad_request(f"{SPEC}: no hierarchy root has the UID {tree['HierarchyRoot']!r}.")
    _text(tree, "OrgVdcRef", SPEC, True)
    _text(tree, "vAppNewName", SPEC, False)
    own = {vm_restore_point_id(t) for t in p.tasks}
    params = spec_items(tree.get("VmsRestoreParameters"), "VmRestoreParameters",
                    "VmsRestoreParameters")
    for item in params:
        if not isinstance(item, dict):
            raise bad_request(f"{SPEC}: each VmRestoreParameters entry must be an element "
                              "or object.")
        extra = sorted(set(item) - set(_VM_PARAMETERS))
        if extra:
            raise bad_request(f"{SPEC}: VmRestoreParameters has no field {extra[0]!r}.")
        uid = _text(item, "VmRestorePointUid", "VmRestoreParameters", True) or ""
        if _bare(uid) not in own:
            raise bad_request(f"{SPEC}: {uid!r} is not a VM restore point of this vApp "
                              "restore point.")
    return {"PowerOnAfter": power.lower() == "true", "VmsRestoreParameters": len(params)}


@router.post("/api/vapprestorepoints/{point_id}")
async def restore_vapp(point_id: str, request: Request, me: CurrentSession, rt: RuntimeDep,
                       out: WireDep) -> Response:
    """Restore a vApp from its point: 202 and a ``Task``; a ``RestoreVm`` session runs."""
    no_body_action(request, ("restore",))
    p = vapp_point_of(rt, point_id, replica=False)
    vapp_restore_options(await request.body(), request.headers.get("content-type", ""), p, rt)
    now = rt.clock.now_ms()
    task, _ = start_restore(rt.simulation, rt.store, p.first, "RestoreVm", me.id, now,
                            lambda: str(uuid.uuid4()), "RestoreVApp", f'vApp "{p.vapp.name}"')
    return out.send(task_node(task, out.ctx, now), 202)


@router.post("/api/vmreplicapoints/{point_id}")
async def fail_over_vm(point_id: str, request: Request, me: CurrentSession, rt: RuntimeDep,
                       out: WireDep) -> Response:
    """Fail a VM over to its replica at this point: 202 and a ``Task``."""
    no_body_action(request, ("failover",))
    t = vm_replica_point_of(rt, point_id)
    now = rt.clock.now_ms()
    task = rt.simulation.task(me.id, "FailoverVmReplica", now, True,
                              f'Failover of "{t.vm_name}" started.',
                              ("VmReplicaPoint", f"vmReplicaPoints/{vm_replica_point_id(t)}"),
                              t.vm_name)
    return out.send(task_node(task, out.ctx, now), 202)


@router.post("/api/vappreplicapoints/{point_id}")
async def fail_over_vapp(point_id: str, request: Request, me: CurrentSession, rt: RuntimeDep,
                         out: WireDep) -> Response:
    """Fail a vApp over to its replica at this point: 202 and a ``Task``."""
    no_body_action(request, ("failover",))
    p = vapp_point_of(rt, point_id, replica=True)
    now = rt.clock.now_ms()
    task = rt.simulation.task(me.id, "FailoverVAppReplica", now, True,
                              f'Failover of vApp "{p.vapp.name}" started.',
                              ("VAppReplicaPoint", f"vAppReplicaPoints/{vapp_point_id(p)}"),
                              p.vapp.name)
    return out.send(task_node(task, out.ctx, now), 202)
