"""Routes of agents: the ``/agents`` hub, protection groups, discovered computers, Veeam
Agent backup jobs (with includes and sessions), agent restore points (with mounts), and
the agent views of backups, backup files, backup sessions and restore points.

The lists of sessions, points and files show the last 30 days of the mock's clock, as
the top-level lists do; a job's own session list shows all."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from em_mock.core.errors import EMError
from em_mock.core.http.collections import (
    Collection,
    Sub,
    by_id,
    recent,
    send_list,
    serve,
    table_items,
)
from em_mock.core.http.deps import CurrentSession, EntityFormat, RuntimeDep, WireDep, find
from em_mock.core.registry import LogonLink, ResourceType, register_logon_links, register_router
from em_mock.core.runtime import Runtime
from em_mock.core.wire import documents as docs
from em_mock.core.wire.tree import link
from em_mock.families.agents.model import (
    AGENT_JOBS,
    AGENT_POINT_TASKS,
    DISCOVERED_COMPUTERS,
    PROTECTION_GROUPS,
    AgentJob,
    agent_restore_point_id,
    include_id,
    is_agent_job,
)
from em_mock.families.agents.shapes import (
    AGENT_BACKUP_JOB,
    AGENT_RESTORE_POINT,
    DISCOVERED_COMPUTER,
    PROTECTION_GROUP,
    object_in_agent_job,
)
from em_mock.families.jobs.model import BACKUP_SESSIONS
from em_mock.families.jobs.shapes import BACKUP_JOB_SESSION
from em_mock.families.restore.mounts import MountKind, serve_mounts
from em_mock.families.restore.points import held_backups
from em_mock.families.restore.shapes import BACKUP, BACKUP_FILE, RESTORE_POINT

router = register_router(APIRouter())


def _points(rt: Runtime) -> list[Any]:
    return AGENT_POINT_TASKS.rows(rt.store)


def _sessions(rt: Runtime) -> list[Any]:
    return rt.store.get(("rows", "agent backup sessions"),
                        lambda: [s for s in BACKUP_SESSIONS.rows(rt.store)
                                 if is_agent_job(s.job)])


serve(router, Collection(DISCOVERED_COMPUTER, "discovered computer",
                         table_items(DISCOVERED_COMPUTERS)))
serve(router, Collection(
    PROTECTION_GROUP, "protection group", table_items(PROTECTION_GROUPS),
    subs=(Sub("discoveredComputers", DISCOVERED_COMPUTER,
              lambda rt, g: [c for c in DISCOVERED_COMPUTERS.rows(rt.store)
                             if c.protection_group is g]),)))
serve(router, Collection(
    AGENT_BACKUP_JOB, "agent backup job", table_items(AGENT_JOBS),
    subs=(Sub("backupSessions", BACKUP_JOB_SESSION,
              lambda rt, j: [s for s in _sessions(rt) if s.job is j]),)))
serve(router, Collection(
    AGENT_RESTORE_POINT, "agent restore point",
    by_id("agent restore points", _points, agent_restore_point_id),
    listed=lambda rt: recent(rt, _points(rt))))
serve_mounts(router, MountKind(
    "AgentRestorePoint", "agent restore point", "agents/agentRestorePoints", _points,
    agent_restore_point_id, sessions=False, list_filters=True))


def _agent_list(path: str, resource: ResourceType,
                rows: Callable[[Runtime], Iterable[Any]], what: str) -> None:
    """``GET /api/agents/<path>``: the agent items of a top-level collection."""
    async def list_items(_: CurrentSession, rt: RuntimeDep, out: WireDep,
                         as_entity: EntityFormat) -> Response:
        return send_list(rt, out, resource, rows(rt), as_entity)

    list_items.__doc__ = f"The {what} of Veeam Agent backup jobs."
    router.add_api_route(f"/api/agents/{path.lower()}", list_items, methods=["GET"],
                         name=f"agent {what}")


_agent_list("backups", BACKUP,
            lambda rt: [b for b in held_backups(rt.store) if is_agent_job(b.job)], "backups")
_agent_list("backupFiles", BACKUP_FILE, lambda rt: recent(rt, _points(rt)), "backup files")
_agent_list("restorePoints", RESTORE_POINT, lambda rt: recent(rt, _points(rt)),
            "restore points")
_agent_list("backupSessions", BACKUP_JOB_SESSION, lambda rt: recent(rt, _sessions(rt)),
            "backup sessions")


@router.get("/api/agents/jobs/{job_id}/includes")
async def agent_job_includes(job_id: str, _: CurrentSession, rt: RuntimeDep, out: WireDep
                             ) -> Response:
    """What an agent backup job includes: its protection group."""
    job: AgentJob = find(AGENT_JOBS.of(rt.store.data), job_id, "agent backup job")
    return out.send(docs.entity_list("ObjectsInAgentBackupJob",
                                     [object_in_agent_job(job, out.ctx)]))


@router.get("/api/agents/jobs/{job_id}/includes/{object_id}")
async def agent_job_include(job_id: str, object_id: str, _: CurrentSession, rt: RuntimeDep,
                            out: WireDep) -> Response:
    """One object an agent backup job includes."""
    job: AgentJob = find(AGENT_JOBS.of(rt.store.data), job_id, "agent backup job")
    if include_id(job) != object_id.lower():
        raise EMError(404, f"No object in the job {job.name!r} has the id {object_id!r}.")
    return out.send(object_in_agent_job(job, out.ctx))


@router.get("/api/agents")
async def agents_hub(me: CurrentSession, out: WireDep) -> Response:
    """The agents hub (root ``Agents``, type ``AgentsService``): links to every agent
    collection."""
    api = out.ctx.api
    return out.send(docs.hub("Agents", "AgentsService", api("agents"), [
        link("Up", api(f"logonSessions/{me.id}"), "LogonSession"),
        link("Down", api("agents/discoveredComputers"), "DiscoveredComputerReferenceList"),
        link("Down", api("agents/protectionGroups"), "AgentProtectionGroupReferenceList"),
        link("Down", api("agents/jobs"), "AgentBackupJobReferenceList"),
        link("Down", api("agents/agentRestorePoints"), "AgentRestorePointReferenceList"),
        link("Down", api("agents/backups"), "BackupReferenceList"),
        link("Down", api("agents/backupFiles"), "BackupFileReferenceList"),
        link("Down", api("agents/backupSessions"), "BackupJobSessionReferenceList"),
        link("Down", api("agents/restorePoints"), "RestorePointReferenceList"),
        link("Down", api("agents/discoveredComputers?format=Entity"), "DiscoveredComputerList"),
    ]))


register_logon_links(LogonLink(560, "agents", "AgentsService"))
