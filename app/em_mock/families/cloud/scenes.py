"""Cloud Connect's demo scene: "a tenant fails over" (a cloud failover plan starts)."""

from __future__ import annotations

from typing import Any

from em_mock.core.errors import EMError
from em_mock.core.generate import new_guid
from em_mock.core.runtime import Runtime
from em_mock.core.scenes import Scene, SceneError, SceneParam, pick, register_scene
from em_mock.families.cloud import runs
from em_mock.families.cloud.model import PLANS

OWNER = "em-mock scene"  # the task the start makes belongs to no logon session


def tenant_fails_over(rt: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    """Start the plan as ``?action=start`` does: a failover session that runs on the
    clock."""
    plans = PLANS.rows(rt.store)
    if params["plan"] is None:
        idle = [p for p in plans if runs.running_session(rt.store, p) is None]
        if not idle:
            raise SceneError(400, "Every cloud failover plan is running already.")
        plan = idle[0]
    else:
        plan = pick(plans, params["plan"], "cloud failover plan", lambda p: p.name,
                    lambda p: p.id)
    now = rt.clock.now_ms()
    try:
        task = runs.start(rt.simulation, rt.store, plan, "start", OWNER, now,
                          new_guid(rt.simulation.rng))
    except EMError as exc:
        raise SceneError(400, exc.message) from None
    assert task.related is not None
    session = task.related[1].rsplit("/", 1)[-1]
    return {"plan": plan.name, "tenant": plan.tenant.name,
            "session": f"urn:veeam:CloudFailoverSession:{session}"}


register_scene(Scene(
    "tenant-fails-over", "A tenant fails over",
    "A tenant's cloud failover plan starts, as POST ?action=start would: a failover "
    "session that runs on the mock's clock (about half a minute per VM).",
    (SceneParam("plan", "string", "the cloud failover plan's name or UID; default: the "
                "first plan that is not running", lookup="CloudFailoverPlan"),),
    tenant_fails_over, 30))
