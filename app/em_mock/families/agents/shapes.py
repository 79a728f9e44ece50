"""Wire shapes of agent protection groups, discovered computers, Veeam Agent backup jobs
and agent restore points."""

from __future__ import annotations

from em_mock.core.registry import ResourceType, register_resources
from em_mock.core.wire.documents import (
    Ctx,
    alternate_to_entity,
    alternate_to_reference,
    entity,
    reference,
)
from em_mock.core.wire.tree import Layer, ListOf, Node, link
from em_mock.families.agents.model import (
    AgentJob,
    DiscoveredComputer,
    ProtectionGroup,
    agent_restore_point_id,
    computer_ref,
    group_ref,
    include_id,
)
from em_mock.families.infrastructure.shapes import server_up
from em_mock.families.jobs.model import TaskSession
from em_mock.families.jobs.shapes import task_name
from em_mock.families.restore.points import (
    is_full,
)
from em_mock.families.restore.shapes import point_ups

COMPUTER_PATH = "agents/discoveredComputers"
GROUP_PATH = "agents/protectionGroups"
# Quirk kept on purpose: a discovered computer's own Href points under /backupTaskSessions/.
COMPUTER_HREF_PATH = "backupTaskSessions"


def _computer_links(c: DiscoveredComputer, ctx: Ctx, alternate: Node) -> list[Node]:
    group = c.protection_group
    return [server_up(c.backup_server, ctx), alternate,
            link("Up", ctx.api(f"{GROUP_PATH}/{group.id}"), "AgentProtectionGroupReference",
                 group.name)]


def _computer_ref(c: DiscoveredComputer, ctx: Ctx, root: str) -> Node:
    alternate = alternate_to_entity("DiscoveredComputer", COMPUTER_PATH, c.id, c.name, ctx)
    return reference(root, "DiscoveredComputer", COMPUTER_HREF_PATH, c.id, c.name,
                     _computer_links(c, ctx, alternate), ctx)


def _computer_entity(c: DiscoveredComputer, ctx: Ctx) -> Node:
    alternate = alternate_to_reference("DiscoveredComputer", COMPUTER_PATH, c.id, c.name, ctx)
    own = Layer(elems=[
        ("HostStatus", c.host_status), ("AgentVersion", c.agent_version),
        ("AgentStatus", c.agent_status), ("OsVersion", c.os_version),
        ("IpAddress", c.ip_address),
        ("HierarchyObjRef", computer_ref(c))])
    return entity("DiscoveredComputer", COMPUTER_HREF_PATH, c.id, c.name,
                  _computer_links(c, ctx, alternate), [own], ctx)


DISCOVERED_COMPUTER = ResourceType("DiscoveredComputer", COMPUTER_PATH, "DiscoveredComputers",
                                   _computer_ref, _computer_entity)


def _group_links(g: ProtectionGroup, ctx: Ctx, alternate: Node) -> list[Node]:
    return [server_up(g.backup_server, ctx), alternate,
            link("Down", ctx.api(f"{GROUP_PATH}/{g.id}/discoveredComputers"),
                 "DiscoveredComputerReferenceList")]


def _group_ref(g: ProtectionGroup, ctx: Ctx, root: str) -> Node:
    alternate = alternate_to_entity("AgentProtectionGroup", GROUP_PATH, g.id, g.name, ctx)
    return reference(root, "AgentProtectionGroup", GROUP_PATH, g.id, g.name,
                     _group_links(g, ctx, alternate), ctx)


def _group_entity(g: ProtectionGroup, ctx: Ctx) -> Node:
    alternate = alternate_to_reference("AgentProtectionGroup", GROUP_PATH, g.id, g.name, ctx)
    # The rescan schedule is not modelled: every group has it on.
    own = Layer(elems=[("RescanScheduleEnabled", True), ("HierarchyObjRef", group_ref(g))])
    return entity("AgentProtectionGroup", GROUP_PATH, g.id, g.name,
                  _group_links(g, ctx, alternate), [own], ctx)


PROTECTION_GROUP = ResourceType("AgentProtectionGroup", GROUP_PATH, "AgentProtectionGroups",
                                _group_ref, _group_entity)


register_resources(DISCOVERED_COMPUTER, PROTECTION_GROUP)


# Veeam Agent backup jobs -------------------------------------------------------------

JOB_PATH = "agents/jobs"
POINT_PATH = "agents/agentRestorePoints"


def object_in_agent_job(j: AgentJob, ctx: Ctx) -> Node:
    """``ObjectInAgentBackupJob``: the job's protection group, as its includes list it."""
    object_id = include_id(j)
    name = j.group.name if j.group else j.name
    return Node("ObjectInAgentBackupJob", [
        Layer(attrs=[("Href", ctx.api(f"{JOB_PATH}/{j.id}/includes/{object_id}")),
                     ("Type", "ObjectInAgentBackupJob")]),
        Layer(elems=[("ObjectInJobId", object_id), ("Name", name), ("DisplayName", name),
                     ("GuestProcessingOptions", None)]),
    ])


def _job_links(j: AgentJob, ctx: Ctx, alternate: Node) -> list[Node]:
    return [server_up(j.backup_server, ctx), alternate,
            link("Down", ctx.api(f"{JOB_PATH}/{j.id}/includes"), "ObjectInJobList")]


def _job_ref(j: AgentJob, ctx: Ctx, root: str) -> Node:
    alternate = alternate_to_entity("AgentBackupJob", JOB_PATH, j.id, j.name, ctx)
    return reference(root, "AgentBackupJob", JOB_PATH, j.id, j.name,
                     _job_links(j, ctx, alternate), ctx)


def _job_entity(j: AgentJob, ctx: Ctx) -> Node:
    base = ctx.api(f"{JOB_PATH}/{j.id}")
    alternate = alternate_to_reference("AgentBackupJob", JOB_PATH, j.id, j.name, ctx)
    links_ = [*_job_links(j, ctx, alternate),
              link("ToggleScheduleEnabled", f"{base}?action=toggleScheduleEnabled"),
              link("Down", f"{base}/backupSessions", "BackupJobSessionReferenceList"),
              link("Start", f"{base}?action=start"), link("Stop", f"{base}?action=stop"),
              link("Retry", f"{base}?action=retry")]
    own = Layer(elems=[("JobType", j.job_type), ("Platform", j.platform),
                       ("Description", j.description),
                       ("ScheduleConfigured", j.schedule_configured),
                       ("ScheduleEnabled", j.schedule_enabled),
                       ("NextRun", ctx.time(j.next_run_ms)), ("JobScheduleOptions", None),
                       ("JobInfo", Node("JobInfo", [Layer(elems=[
                           ("Includes", ListOf([object_in_agent_job(j, ctx)]))])]))])
    return entity("AgentBackupJob", JOB_PATH, j.id, j.name, links_, [own], ctx)


AGENT_BACKUP_JOB = ResourceType("AgentBackupJob", JOB_PATH, "AgentBackupJobs",
                                _job_ref, _job_entity)


# Agent restore points ----------------------------------------------------------------

def _point_links(t: TaskSession, ctx: Ctx, alternate: Node) -> list[Node]:
    return [*point_ups(t, ctx),
            alternate,
            link("Down", ctx.api(f"{POINT_PATH}/{agent_restore_point_id(t)}/mounts"),
                 "AgentRestorePointMountList")]


def _point_ref(t: TaskSession, ctx: Ctx, root: str) -> Node:
    pid, name = agent_restore_point_id(t), task_name(t, ctx)
    return reference(root, "AgentRestorePoint", POINT_PATH, pid, name, _point_links(
        t, ctx, alternate_to_entity("AgentRestorePoint", POINT_PATH, pid, name, ctx)), ctx)


def _point_entity(t: TaskSession, ctx: Ctx) -> Node:
    pid, name = agent_restore_point_id(t), task_name(t, ctx)
    full = is_full(t)
    own = Layer(elems=[("CreationTimeUTC", ctx.time(t.creation_ms)),
                       ("Algorithm", "Full" if full else "Incremental"),
                       ("PointType", "Full" if full else "Increment")])
    return entity("AgentRestorePoint", POINT_PATH, pid, name, _point_links(
        t, ctx, alternate_to_reference("AgentRestorePoint", POINT_PATH, pid, name, ctx)),
        [own], ctx)


AGENT_RESTORE_POINT = ResourceType("AgentRestorePoint", POINT_PATH, "AgentRestorePoints",
                                   _point_ref, _point_entity)

register_resources(AGENT_BACKUP_JOB, AGENT_RESTORE_POINT)
