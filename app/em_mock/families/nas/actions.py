"""NAS job actions: ``POST /nas/jobs/{id}/start|stop|retry|toggleScheduleEnabled``, each
answering 202 with a ``Task`` that says whether it could be done. Start, stop and retry are
the job runs of ``families/jobs`` (the session they leave is a ``NasBackup`` backup job
session); toggling the schedule takes effect at once."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from starlette.responses import Response

from em_mock.core.errors import EMError
from em_mock.core.http.actions import task_node
from em_mock.core.http.deps import CurrentSession, RuntimeDep, WireDep, find
from em_mock.core.registry import register_router
from em_mock.core.simulation import EmTask, Simulation
from em_mock.core.store import Store
from em_mock.families.jobs import runs
from em_mock.families.nas.model import NAS_JOBS, NasJob

router = register_router(APIRouter())

DAY_MS = 86_400_000
RUN_HOUR_MS = 22 * 3_600_000  # NAS jobs run daily at 22:00 UTC once their schedule is on
ACTIONS = ("start", "stop", "retry", "togglescheduleenabled")


def next_daily_run(now_ms: int) -> int:
    """The next 22:00 UTC after ``now_ms``."""
    run = now_ms - now_ms % DAY_MS + RUN_HOUR_MS
    return run if run > now_ms else run + DAY_MS


def toggle_schedule(sim: Simulation, store: Store, job: NasJob, owner: str, now_ms: int
                    ) -> EmTask:
    """Turn the job's schedule off, or on again; a job without a schedule refuses."""
    if not job.schedule_configured:
        return sim.task(owner, "ToggleScheduleEnabled", now_ms, False,
                        f'Job "{job.name}" has no schedule configured.')
    job.schedule_enabled = not job.schedule_enabled
    job.next_run_ms = next_daily_run(now_ms) if job.schedule_enabled else None
    store.changed()
    state = "enabled" if job.schedule_enabled else "disabled"
    return sim.task(owner, "ToggleScheduleEnabled", now_ms, True,
                    f'Job "{job.name}" schedule {state}.')


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
    if verb == "togglescheduleenabled":
        task = toggle_schedule(rt.simulation, rt.store, job, me.id, now)
    else:
        task = runs.job_action(rt.simulation, rt.store, job, verb, me.id, now,
                               lambda: str(uuid.uuid4()))
    return out.send(task_node(task, out.ctx, now), 202)
