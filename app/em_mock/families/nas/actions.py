"""NAS job actions: ``POST /nas/jobs/{id}/start|stop|retry|toggleScheduleEnabled``, each
answering 202 with a ``Task`` that says whether it could be done. Start, stop and retry are
the job runs of ``families/jobs`` (the session they leave is a ``NasBackup`` backup job
session); toggling the schedule takes effect at once."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from em_mock.core.errors import EMError
from em_mock.core.http.actions import task_node
from em_mock.core.http.deps import CurrentSession, RuntimeDep, WireDep, find
from em_mock.core.registry import register_router
from em_mock.families.jobs import runs
from em_mock.families.nas.model import NAS_JOBS, NasJob

router = register_router(APIRouter())

ACTIONS = ("start", "stop", "retry", "togglescheduleenabled")


@router.post("/api/nas/jobs/{job_id}/{action}")
async def nas_job_action(job_id: str, action: str, me: CurrentSession, rt: RuntimeDep,
                         out: WireDep) -> Response:
    """Start, stop, retry a NAS job or toggle its schedule: 202 and a ``Task``."""
    verb = action.lower()
    if verb not in ACTIONS:
        raise EMError(404, f"NAS jobs have no action {action!r}: use start, stop, retry "
                           "or toggleScheduleEnabled.")
    job: NasJob = find(NAS_JOBS.of(rt.store.data), job_id, "NAS job")
    now = rt.clock.now_ms()
    task = runs.act(rt.simulation, rt.store, job, verb, me.id, now)
    return out.send(task_node(task, out.ctx, now), 202)
