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
from em_mock.core.registry import LogonLink, register_logon_links
from em_mock.core.simulation import EmTask
from em_mock.core.wire import documents as docs
from em_mock.core.wire.documents import Ctx
from em_mock.core.wire.tree import Layer, Node, link, links, resource_layer

router = APIRouter()

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          huge_tree=False, dtd_validation=False)


NO_DTD = "XML bodies with a DOCTYPE or entity declarations are not accepted."
# UTF-16 and UTF-32 told apart by their byte order mark, or by the zero bytes around the
# first "<" when there is none.
_WIDE = ((b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
         (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"),
         (b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"),
         (b"\x00<", "utf-16-be"), (b"<\x00", "utf-16-le"))


class _DoctypeFound(Exception):
    """Raised by :class:`_Sniffer` as soon as the parser meets a DOCTYPE."""


class _Sniffer:
    """A parser target that stops at a DOCTYPE, before its internal subset is read."""

    def doctype(self, *_: Any) -> None:
        raise _DoctypeFound

    def start(self, *_: Any) -> None:
        """Elements are of no interest here."""

    def end(self, *_: Any) -> None:
        """Elements are of no interest here."""

    def data(self, *_: Any) -> None:
        """Text is of no interest here."""

    def comment(self, *_: Any) -> None:
        """Comments are of no interest here."""

    def close(self) -> None:
        """Nothing to return."""


def declares_dtd(body: bytes) -> bool:
    """True when an XML ``body`` has a DOCTYPE or entity declaration, in any encoding.

    Checked before the body is parsed for real: bytes as they are (UTF-8 and other
    ASCII-compatible encodings), decoded as UTF-16/32 when they look so, then by the
    XML parser itself, which is stopped at the DOCTYPE before any entity is declared.
    """
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        return True
    for start, encoding in _WIDE:
        if body.startswith(start):
            text = body.decode(encoding, errors="ignore").upper()
            if "<!DOCTYPE" in text or "<!ENTITY" in text:
                return True
            break
    sniffer = etree.XMLParser(target=_Sniffer(), resolve_entities=False, no_network=True,
                              load_dtd=False, huge_tree=False)
    try:
        etree.fromstring(body, sniffer)
    except _DoctypeFound:
        return True
    except etree.XMLSyntaxError:
        return False  # the real parse says what is wrong
    return False


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
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise bad_request(f"The {spec} body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise bad_request(f"The {spec} body must be a JSON object.")
        return {str(k): str(v).lower() if isinstance(v, bool) else str(v)
                for k, v in data.items() if v is not None}
    if declares_dtd(body):
        raise bad_request(NO_DTD)
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise bad_request(f"The {spec} body is not well-formed XML: {exc}") from None
    info: Any = root.getroottree().docinfo  # the stubs do not know doctype
    if info.doctype or info.internalDTD is not None:
        raise bad_request(NO_DTD)
    if etree.QName(root).localname != spec:
        raise bad_request(f"Expected a {spec} element, not {etree.QName(root).localname!r}.")
    return {etree.QName(child).localname: (child.text or "").strip()
            for child in root if isinstance(child.tag, str)}


def _tree(element: Any) -> Any:
    children = [c for c in element if isinstance(c.tag, str)]
    if not children:
        return (element.text or "").strip()
    out: dict[str, Any] = {}
    for child in children:
        key, value = etree.QName(child).localname, _tree(child)
        if key in out:
            out[key] = (out[key] if isinstance(out[key], list) else [out[key]]) + [value]
        else:
            out[key] = value
    return out


def _json_tree(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_tree(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_json_tree(v) for v in value]
    return str(value).lower() if isinstance(value, bool) else str(value)


def spec_tree(body: bytes, content_type: str, spec: str) -> dict[str, Any]:
    """The fields of a nested ``spec`` from an XML or JSON body: text leaves (booleans
    as ``true``/``false``), nested elements or objects as dicts, repeated elements as lists."""
    if not body.strip():
        raise bad_request(f"The request needs a {spec} body.")
    if "json" in content_type.lower():
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise bad_request(f"The {spec} body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise bad_request(f"The {spec} body must be a JSON object.")
        return dict(_json_tree(data))
    spec_fields(body, content_type, spec)  # the checks: DTDs, well-formedness, root name
    tree = _tree(etree.fromstring(body, _PARSER))
    return tree if isinstance(tree, dict) else {}


def spec_items(value: Any, *wrappers: str) -> list[Any]:
    """A repeated field of a :func:`spec_tree` as a list: XML gives one dict or a list
    under the item's name, JSON a list, either possibly under a wrapper named in
    ``wrappers`` (``{"EnterpriseRoles": [...]}``); an empty or missing field is ``[]``."""
    if isinstance(value, dict):
        for name in wrappers:
            if name in value:
                return spec_items(value[name])
        return [value]
    if isinstance(value, list):
        return value
    return [] if value in ("", None) else [value]


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


@router.get("/api/tasks")
async def list_tasks(me: CurrentSession, rt: RuntimeDep, out: WireDep) -> Response:
    """The caller's tasks, oldest first (``Tasks``, JSON ``{"Tasks": [...]}``)."""
    now = rt.clock.now_ms()
    mine = [task_node(t, out.ctx, now) for (owner, _), t in rt.simulation.tasks.items()
            if owner == me.id]
    return out.send(docs.entity_list("Tasks", mine))


register_logon_links(LogonLink(300, "tasks", "TaskList"))


@router.get("/api/tasks/{task_id}")
async def get_task(task_id: str, me: CurrentSession, rt: RuntimeDep, out: WireDep) -> Response:
    """A task of the caller's logon session: ``Running``, then ``Finished`` with its result."""
    return out.send(task_node(_task(rt, me.id, task_id), out.ctx, rt.clock.now_ms()))


@router.delete("/api/tasks/{task_id}")
async def delete_task(task_id: str, me: CurrentSession, rt: RuntimeDep) -> Response:
    """Forget a task: 204."""
    task = _task(rt, me.id, task_id)
    rt.simulation.forget(task)
    return Response(status_code=204)
