"""Plan actions: ``POST /api/cloud/cloudFailoverPlans/{id}?action=start|test|undo``.

The body is a ``CloudFailoverPlanManagementSpec`` (XML or JSON, or none: start now); the
answer is 202 with a ``Task`` whose finished form links to the new failover session.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from starlette.responses import Response

from em_mock.core.errors import bad_request
from em_mock.core.http.actions import spec_fields, task_node
from em_mock.core.http.deps import CurrentSession, RuntimeDep, WireDep, find, query_params
from em_mock.core.registry import register_router
from em_mock.core.times import parse_instant_us
from em_mock.families.cloud import runs
from em_mock.families.cloud.model import PLANS, CloudFailoverPlan

router = register_router(APIRouter())


async def check_start_spec(request: Request, spec: str, now_ms: int) -> None:
    """Check a plan's management spec (``StartNow``, ``StartDate``; no body: start now):
    em-mock runs plans at once, so a start date must not be in the future."""
    body = await request.body()
    fields = (spec_fields(body, request.headers.get("content-type", ""), spec)
              if body.strip() else {"StartNow": "true"})
    if fields.get("StartNow", "").lower() == "true":
        return
    when = fields.get("StartDate")
    if when is None:
        raise bad_request(f"The {spec} needs StartNow true or a StartDate.")
    moment = parse_instant_us(when)
    if moment is None:
        raise bad_request(f"StartDate {when!r} is not a date-time.")
    if moment // 1000 > now_ms:
        raise bad_request("em-mock runs plans at once: a StartDate in the future is not "
                          "simulated; use StartNow.")

SPEC = "CloudFailoverPlanManagementSpec"


@router.post("/api/cloud/cloudfailoverplans/{plan_id}")
async def plan_action(plan_id: str, request: Request, me: CurrentSession, rt: RuntimeDep,
                      out: WireDep) -> Response:
    """Start, test or undo a cloud failover plan: 202 and a ``Task``."""
    action = (query_params(request).get("action") or "").lower()
    if action not in runs.OPERATIONS:
        raise bad_request("Parameter action must be start, test or undo.")
    plan: CloudFailoverPlan = find(PLANS.of(rt.store.data), plan_id, "cloud failover plan")
    now = rt.clock.now_ms()
    await check_start_spec(request, SPEC, now)
    task = runs.start(rt.simulation, rt.store, plan, action, me.id, now, str(uuid.uuid4()))
    return out.send(task_node(task, out.ctx, now), 202)
