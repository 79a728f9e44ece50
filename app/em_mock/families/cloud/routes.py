"""Routes of Cloud Connect: the ``/cloud`` hub, plans and their VMs, sessions, replica points."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from em_mock.core.errors import EMError
from em_mock.core.http.collections import Collection, recent, serve, table_items
from em_mock.core.http.deps import CurrentSession, RuntimeDep, WireDep, find
from em_mock.core.registry import (
    Headline,
    LogonLink,
    register_headlines,
    register_logon_links,
    register_router,
)
from em_mock.core.wire import documents as docs
from em_mock.core.wire.tree import link
from em_mock.families.cloud.model import PLANS, REPLICA_POINTS, SESSIONS, CloudFailoverPlan
from em_mock.families.cloud.shapes import (
    CLOUD_FAILOVER_PLAN,
    CLOUD_FAILOVER_SESSION,
    CLOUD_VM_REPLICA_POINT,
    PLAN_PATH,
    plan_vm,
)

router = register_router(APIRouter())

serve(router, Collection(CLOUD_FAILOVER_PLAN, "cloud failover plan", table_items(PLANS)))
serve(router, Collection(CLOUD_FAILOVER_SESSION, "cloud failover session",
                         table_items(SESSIONS),
                         listed=lambda rt: recent(rt, SESSIONS.rows(rt.store))))
serve(router, Collection(CLOUD_VM_REPLICA_POINT, "cloud VM replica point",
                         table_items(REPLICA_POINTS), list_route=False))


@router.get("/api/cloud/cloudfailoverplans/{plan_id}/includes/{vm_id}")
async def plan_include(plan_id: str, vm_id: str, _: CurrentSession, rt: RuntimeDep,
                       out: WireDep) -> Response:
    """One VM included in a cloud failover plan."""
    plan: CloudFailoverPlan = find(PLANS.of(rt.store.data), plan_id, "cloud failover plan")
    for order, vm in enumerate(plan.vms):
        if vm.id == vm_id.lower():
            return out.send(plan_vm(plan, vm, order, out.ctx))
    raise EMError(404, f"No VM in the plan {plan.name!r} has the id {vm_id!r}.")


@router.get("/api/cloud")
async def cloud_hub(me: CurrentSession, out: WireDep) -> Response:
    """The Cloud Connect hub: links to the cloud collections this server serves."""
    api = out.ctx.api
    links = [
        link("Up", api(f"logonSessions/{me.id}"), "LogonSession"),
        link("Down", api("cloud/failoverSessions"), "CloudFailoverSessionReferenceList"),
        link("Down", api(f"{PLAN_PATH}"), "CloudFailoverPlanReferenceList"),
        link("Down", api("cloud/failoverSessions?format=Entity"), "CloudFailoverSessionList"),
        link("Down", api(f"{PLAN_PATH}?format=Entity"), "CloudFailoverPlanList"),
    ]
    return out.send(docs.hub("CloudConnectService", "CloudConnectService", api("cloud"), links))


# A real server offers no /cloud link to an administrator; em-mock does, next to /vCloud.
register_logon_links(LogonLink(545, "cloud", "CloudConnectService"))
register_headlines(
    Headline(20, "failoverPlans", "failover plans", lambda data: len(PLANS.of(data))),
    Headline(30, "failoverSessions", "failover sessions", lambda data: len(SESSIONS.of(data))),
)
