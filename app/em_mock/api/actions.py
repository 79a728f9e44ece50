"""Plan actions and the tasks they return.

``POST /api/cloud/cloudFailoverPlans/{id}?action=start|test|undo`` takes a
``CloudFailoverPlanManagementSpec`` (XML or JSON) and answers 202 with a ``Task``;
``GET``/``DELETE /api/tasks/{id}`` polls or forgets it.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Request
from lxml import etree
from starlette.responses import Response

from em_mock.api.deps import CurrentSession, RuntimeDep, WireDep, find, query_params
from em_mock.domain.errors import EMError, bad_request
from em_mock.domain.model import CloudFailoverPlan, Job, JobSession
from em_mock.domain.simulation import OPERATIONS, EmTask
from em_mock.domain.times import parse_instant_us
from em_mock.representation.documents import Ctx
from em_mock.representation.tree import Layer, Node, link, links, resource_layer

router = APIRouter()

SPEC = "CloudFailoverPlanManagementSpec"
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


def _spec_fields(body: bytes, content_type: str) -> dict[str, str]:
    """The management spec's fields from an XML or JSON body (empty body: start now)."""
    if not body.strip():
        return {"StartNow": "true"}
    if "json" in content_type.lower():
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise bad_request(f"The {SPEC} body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise bad_request(f"The {SPEC} body must be a JSON object.")
        return {str(k): str(v).lower() if isinstance(v, bool) else str(v)
                for k, v in data.items() if v is not None}
    if declares_dtd(body):
        raise bad_request(NO_DTD)
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise bad_request(f"The {SPEC} body is not well-formed XML: {exc}") from None
    info: Any = root.getroottree().docinfo  # the stubs do not know doctype
    if info.doctype or info.internalDTD is not None:
        raise bad_request(NO_DTD)
    if etree.QName(root).localname != SPEC:
        raise bad_request(f"Expected a {SPEC} element, not {etree.QName(root).localname!r}.")
    return {etree.QName(child).localname: (child.text or "").strip()
            for child in root if isinstance(child.tag, str)}


@router.post("/api/cloud/cloudfailoverplans/{plan_id}")
async def plan_action(plan_id: str, request: Request, me: CurrentSession, rt: RuntimeDep,
                      out: WireDep) -> Response:
    """Start, test or undo a cloud failover plan: 202 and a ``Task``."""
    action = (query_params(request).get("action") or "").lower()
    if action not in OPERATIONS:
        raise bad_request("Parameter action must be start, test or undo.")
    plan: CloudFailoverPlan = find(rt.store.data.plans, plan_id, "cloud failover plan")
    body = await request.body()
    fields = _spec_fields(body, request.headers.get("content-type", ""))
    now = rt.clock.now_ms()
    start_now = fields.get("StartNow", "").lower() == "true"
    if not start_now:
        when = fields.get("StartDate")
        if when is None:
            raise bad_request(f"The {SPEC} needs StartNow true or a StartDate.")
        moment = parse_instant_us(when)
        if moment is None:
            raise bad_request(f"StartDate {when!r} is not a date-time.")
        if moment // 1000 > now:
            raise bad_request("em-mock runs plans at once: a StartDate in the future is not "
                              "simulated; use StartNow.")
    task = rt.simulation.start(rt.store, plan, action, me.id, now, str(uuid.uuid4()))
    return out.send(task_node(task, out.ctx, now), 202)


def _no_body_action(request: Request, allowed: tuple[str, ...]) -> str:
    action = (query_params(request).get("action") or "").lower()
    if action not in allowed:
        raise bad_request(f"Parameter action must be {' or '.join(allowed)}.")
    return action


@router.post("/api/jobs/{job_id}")
async def job_action(job_id: str, request: Request, me: CurrentSession, rt: RuntimeDep,
                     out: WireDep) -> Response:
    """Start, stop or retry a job: 202 and a ``Task`` that says whether it could be done."""
    action = _no_body_action(request, ("start", "stop", "retry"))
    job: Job = find(rt.store.data.jobs, job_id, "job")
    now = rt.clock.now_ms()
    task = rt.simulation.job_action(rt.store, job, action, me.id, now,
                                    lambda: str(uuid.uuid4()))
    return out.send(task_node(task, out.ctx, now), 202)


@router.post("/api/backupsessions/{session_id}")
async def stop_job_session(session_id: str, request: Request, me: CurrentSession,
                           rt: RuntimeDep, out: WireDep) -> Response:
    """Stop a running backup job session: 202 and a ``Task``."""
    _no_body_action(request, ("stop",))
    session: JobSession = find(rt.store.data.job_sessions, session_id, "backup job session")
    if session.job.is_replica:
        raise EMError(404, f"No backup job session has the id {session_id!r}.")
    now = rt.clock.now_ms()
    task = rt.simulation.stop_session(rt.store, session, me.id, now)
    return out.send(task_node(task, out.ctx, now), 202)


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
