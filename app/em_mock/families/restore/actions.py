"""Restore actions: ``POST /vmRestorePoints/{id}?action=restore`` restores a VM from a
point (202 and a ``Task`` whose finished form links the new ``RestoreSession``).

The body is a ``RestoreSpec`` in XML or JSON. Its options sit in a ``VmRestoreSpec``
element (as the vendor's examples have them) or directly in ``RestoreSpec``;
``PowerOnAfter`` and ``QuickRollback`` are required booleans, ``KeepOriginalVM`` an
optional one. Anything else wrong is a 400 that names it.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Request
from lxml import etree
from starlette.responses import Response

from em_mock.core.errors import bad_request
from em_mock.core.http.actions import no_body_action, spec_fields, task_node
from em_mock.core.http.deps import CurrentSession, RuntimeDep, WireDep, find
from em_mock.core.registry import register_router
from em_mock.core.runtime import Runtime
from em_mock.families.jobs.model import TaskSession
from em_mock.families.restore.points import POINT_TASKS, vm_restore_point_id
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


def _point(rt: Runtime, point_id: str) -> TaskSession:
    points = rt.store.get(("by id", "vm restore points"),
                          lambda: {vm_restore_point_id(t): t for t in POINT_TASKS.rows(rt.store)})
    found: TaskSession = find(points, point_id, "VM restore point")
    return found


@router.post("/api/vmrestorepoints/{point_id}")
async def restore_vm(point_id: str, request: Request, me: CurrentSession, rt: RuntimeDep,
                     out: WireDep) -> Response:
    """Restore the VM of a restore point: 202 and a ``Task``; a RestoreSession runs."""
    no_body_action(request, ("restore",))
    point = _point(rt, point_id)
    restore_options(await request.body(), request.headers.get("content-type", ""))
    now = rt.clock.now_ms()
    task, _ = start_restore(rt.simulation, rt.store, point, "RestoreVm", me.id, now,
                            lambda: str(uuid.uuid4()), "RestoreVm")
    return out.send(task_node(task, out.ctx, now), 202)
