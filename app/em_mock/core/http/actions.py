"""What actions share: reading a spec body (XML or JSON), the ``Task`` document they
answer with, and ``GET``/``DELETE /api/tasks/{id}`` to poll or forget a task."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from lxml import etree
from starlette.responses import Response

from em_mock.core.errors import EMError, bad_request
from em_mock.core.http.deps import CurrentSession, RuntimeDep, WireDep, query_params
from em_mock.core.simulation import EmTask
from em_mock.core.wire.documents import Ctx
from em_mock.core.wire.tree import Layer, Node, link, links, resource_layer

router = APIRouter()

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          huge_tree=False, dtd_validation=False)


def task_node(task: EmTask, ctx: Ctx, now_ms: int) -> Node:
    """The ``Task`` document: Delete link first, then (finished) the Related session."""
    href = ctx.api(f"tasks/{task.id}")
    finished = task.finished(now_ms)
    link_nodes = [link("Delete", href, "Task")]
    result = None
    if finished:
        if task.related is not None:
            type_name, path = task.related
            link_nodes.append(link("Related", ctx.api(f"{path}?format=Entity"), type_name,
                                   task.related_name))
        result = Node("Result", [Layer(attrs=[("Success", task.success)],
                                       elems=[("Message", task.message)])])
    return Node("Task", [
        resource_layer(links(link_nodes), href, "Task"),
        Layer(elems=[("TaskId", task.id), ("State", "Finished" if finished else "Running"),
                     ("Operation", task.operation), ("Result", result)]),
    ])


def spec_fields(body: bytes, content_type: str, spec: str) -> dict[str, str]:
    """The fields of a flat ``spec`` element from an XML or JSON body (empty body: none)."""
    if not body.strip():
        return {}
    if "json" in content_type.lower():
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise bad_request(f"The {spec} body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise bad_request(f"The {spec} body must be a JSON object.")
        return {str(k): str(v).lower() if isinstance(v, bool) else str(v)
                for k, v in data.items() if v is not None}
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise bad_request("XML bodies with a DOCTYPE or entity declarations are not accepted.")
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise bad_request(f"The {spec} body is not well-formed XML: {exc}") from None
    info: Any = root.getroottree().docinfo  # the stubs do not know doctype
    if info.doctype or info.internalDTD is not None:
        raise bad_request("XML bodies with a DOCTYPE or entity declarations are not accepted.")
    if etree.QName(root).localname != spec:
        raise bad_request(f"Expected a {spec} element, not {etree.QName(root).localname!r}.")
    return {etree.QName(child).localname: (child.text or "").strip()
            for child in root if isinstance(child.tag, str)}


def no_body_action(request: Request, allowed: tuple[str, ...]) -> str:
    """The ``action`` parameter of an action that takes no body, checked against ``allowed``."""
    action = (query_params(request).get("action") or "").lower()
    if action not in allowed:
        raise bad_request(f"Parameter action must be {' or '.join(allowed)}.")
    return action


def _task(rt: RuntimeDep, owner: str, task_id: str) -> EmTask:
    task = rt.simulation.tasks.get((owner, task_id.lower()))
    if task is None:
        raise EMError(404, f"No task {task_id!r} belongs to this logon session.")
    return task


@router.get("/api/tasks/{task_id}")
async def get_task(task_id: str, me: CurrentSession, rt: RuntimeDep, out: WireDep) -> Response:
    """A task of the caller's logon session: ``Running``, then ``Finished`` with its result."""
    return out.send(task_node(_task(rt, me.id, task_id), out.ctx, rt.clock.now_ms()))


@router.delete("/api/tasks/{task_id}")
async def delete_task(task_id: str, me: CurrentSession, rt: RuntimeDep) -> Response:
    """Forget a task: 204."""
    task = _task(rt, me.id, task_id)
    del rt.simulation.tasks[(task.owner, task.id)]
    return Response(status_code=204)
