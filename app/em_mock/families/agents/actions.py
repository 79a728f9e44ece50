"""Agent backup job actions: start, stop, retry (runs on the mock clock, leaving an
``AgentBackup`` backup job session, as VM jobs' runs do) and toggleScheduleEnabled. Each
answers 202 with a ``Task`` that says whether it could be done."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from em_mock.core.http.actions import no_body_action, task_node
from em_mock.core.http.deps import CurrentSession, RuntimeDep, WireDep, find
from em_mock.core.registry import register_router
from em_mock.families.agents.model import AGENT_JOBS, AgentJob
from em_mock.families.jobs import runs

router = register_router(APIRouter())


@router.post("/api/agents/jobs/{job_id}")
async def agent_job_action(job_id: str, request: Request, me: CurrentSession, rt: RuntimeDep,
                           out: WireDep) -> Response:
    """Start, stop, retry or toggle the schedule of an agent backup job: 202 and a Task."""
    action = no_body_action(request, ("start", "stop", "retry", "togglescheduleenabled"))
    job: AgentJob = find(AGENT_JOBS.of(rt.store.data), job_id, "agent backup job")
    now = rt.clock.now_ms()
    task = runs.act(rt.simulation, rt.store, job, action, me.id, now)
    return out.send(task_node(task, out.ctx, now), 202)
