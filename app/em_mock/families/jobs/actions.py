"""Job actions (start, stop, retry) and stopping a backup job session; each answers 202
with a ``Task`` that says whether it could be done."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from starlette.responses import Response

from em_mock.core.errors import EMError
from em_mock.core.http.actions import no_body_action, task_node
from em_mock.core.http.deps import CurrentSession, RuntimeDep, WireDep, find
from em_mock.core.registry import register_router
from em_mock.families.jobs import runs
from em_mock.families.jobs.model import JOB_SESSIONS, JOBS, Job, JobSession

router = register_router(APIRouter())


@router.post("/api/jobs/{job_id}")
async def job_action(job_id: str, request: Request, me: CurrentSession, rt: RuntimeDep,
                     out: WireDep) -> Response:
    """Start, stop or retry a job: 202 and a ``Task`` that says whether it could be done."""
    action = no_body_action(request, ("start", "stop", "retry"))
    job: Job = find(JOBS.of(rt.store.data), job_id, "job")
    now = rt.clock.now_ms()
    task = runs.job_action(rt.simulation, rt.store, job, action, me.id, now,
                           lambda: str(uuid.uuid4()))
    return out.send(task_node(task, out.ctx, now), 202)


@router.post("/api/backupsessions/{session_id}")
async def stop_job_session(session_id: str, request: Request, me: CurrentSession,
                           rt: RuntimeDep, out: WireDep) -> Response:
    """Stop a running backup job session: 202 and a ``Task``."""
    no_body_action(request, ("stop",))
    session: JobSession = find(JOB_SESSIONS.of(rt.store.data), session_id,
                               "backup job session")
    if session.job.is_replica:
        raise EMError(404, f"No backup job session has the id {session_id!r}.")
    now = rt.clock.now_ms()
    task = runs.stop_session(rt.simulation, rt.store, session, me.id, now)
    return out.send(task_node(task, out.ctx, now), 202)
