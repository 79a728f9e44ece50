"""Wire shapes of Cloud Connect: failover plans (and their VMs), replica points, sessions."""

from __future__ import annotations

from em_mock.core.ids import urn
from em_mock.core.registry import ResourceType, register_resources
from em_mock.core.wire.documents import (
    Ctx,
    alternate_to_entity,
    alternate_to_reference,
    entity,
    reference,
)
from em_mock.core.wire.tree import Layer, ListOf, Node, link
from em_mock.families.cloud.model import (
    CloudFailoverPlan,
    CloudFailoverSession,
    CloudFailoverTask,
    CloudVmReplicaPoint,
    PlanVm,
)
from em_mock.families.infrastructure.shapes import server_up

# --- cloud failover plans ---------------------------------------------------------------

PLAN_PATH = "cloud/cloudFailoverPlans"


def _plan_ref(p: CloudFailoverPlan, ctx: Ctx, root: str) -> Node:
    return reference(root, "CloudFailoverPlan", PLAN_PATH, p.id, p.name, [
        server_up(p.backup_server, ctx),
        alternate_to_entity("CloudFailoverPlan", PLAN_PATH, p.id, p.name, ctx),
    ], ctx)


def plan_vm(p: CloudFailoverPlan, vm: PlanVm, order: int, ctx: Ctx) -> Node:
    """One ``CloudFailoverPlanVm`` of a plan's includes."""
    return Node("CloudFailoverPlanVm", [
        Layer(attrs=[("Href", ctx.api(f"{PLAN_PATH}/{p.id}/includes/{vm.id}")),
                     ("Type", "CloudFailoveredVm")]),
        Layer(elems=[("FailoverPlanVMId", vm.id), ("Name", vm.name), ("Order", order)]),
    ])


def _plan_entity(p: CloudFailoverPlan, ctx: Ctx) -> Node:
    options = Node("CloudFailoverPlanOptions", [Layer(elems=[
        ("PostFailoverPlanCommandEnabled", p.post_command_enabled),
        ("PostFailoverPlanCommand", p.post_command),
        ("PreFailoverPlanCommandEnabled", p.pre_command_enabled),
        ("PreFailoverPlanCommand", p.pre_command),
    ])])
    includes = [plan_vm(p, vm, i, ctx) for i, vm in enumerate(p.vms)]
    info = Node("CloudFailoverPlanInfo", [Layer(elems=[
        ("Includes", ListOf(includes, json_key="CloudFailoverPlanVms"))])])
    own = Layer(elems=[("TenantUid", urn("CloudTenant", p.tenant.id)),
                       ("TenantName", p.tenant.name), ("Description", p.description),
                       ("CloudFailoverPlanOptions", options), ("CloudFailoverPlanInfo", info)])
    base = ctx.api(f"{PLAN_PATH}/{p.id}")
    return entity("CloudFailoverPlan", PLAN_PATH, p.id, p.name, [
        server_up(p.backup_server, ctx),
        alternate_to_reference("CloudFailoverPlan", PLAN_PATH, p.id, p.name, ctx),
        link("Start", f"{base}?action=start"),
        link("Test", f"{base}?action=test"),
        link("Undo", f"{base}?action=undo"),
    ], [own], ctx)


CLOUD_FAILOVER_PLAN = ResourceType("CloudFailoverPlan", PLAN_PATH, "CloudFailoverPlans",
                                   _plan_ref, _plan_entity)

# --- cloud VM replica points ------------------------------------------------------------

POINT_PATH = "cloud/vmReplicaPoints"


def point_name(rp: CloudVmReplicaPoint, ctx: Ctx) -> str:
    """``<vm>@<yyyy-MM-dd HH:mm:ss>``."""
    return f"{rp.vm_name}@{ctx.suffix(rp.creation_ms)}"


def _point_ref(rp: CloudVmReplicaPoint, ctx: Ctx, root: str) -> Node:
    name = point_name(rp, ctx)
    return reference(root, "CloudVmReplicaPoint", POINT_PATH, rp.id, name, [
        server_up(rp.plan.backup_server, ctx),
        alternate_to_entity("CloudVmReplicaPoint", POINT_PATH, rp.id, name, ctx),
    ], ctx)


def _point_entity(rp: CloudVmReplicaPoint, ctx: Ctx) -> Node:
    name = point_name(rp, ctx)
    own = Layer(attrs=[("VmDisplayName", rp.vm_name)],
                elems=[("CreationTimeUTC", ctx.time(rp.creation_ms)), ("PointType", "Snapshot"),
                       ("State", "Ready")])
    return entity("CloudVmReplicaPoint", POINT_PATH, rp.id, name, [
        server_up(rp.plan.backup_server, ctx),
        alternate_to_reference("CloudVmReplicaPoint", POINT_PATH, rp.id, name, ctx),
    ], [own], ctx)


CLOUD_VM_REPLICA_POINT = ResourceType("CloudVmReplicaPoint", POINT_PATH, "CloudVmReplicaPoints",
                                      _point_ref, _point_entity)

# --- cloud failover sessions ------------------------------------------------------------

SESSION_PATH = "cloud/failoverSessions"


def _session_ref(s: CloudFailoverSession, ctx: Ctx, root: str) -> Node:
    return reference(root, "CloudFailoverSession", SESSION_PATH, s.id, s.plan.name, [
        server_up(s.plan.backup_server, ctx),
        alternate_to_entity("CloudFailoverSession", SESSION_PATH, s.id, s.plan.name, ctx),
    ], ctx)


def _task(t: CloudFailoverTask, ctx: Ctx) -> Node:
    rp = t.replica_point
    point_link = None if rp is None else link(
        "Related", ctx.api(f"{POINT_PATH}/{rp.id}"), "CloudVmReplicaPointReference",
        point_name(rp, ctx))
    return Node("CloudFailoverTasks", [Layer(
        attrs=[("VmName", t.vm_name)],
        elems=[("VmReplicaPointLink", point_link), ("CreationTimeUTC", ctx.time(t.creation_ms)),
               ("EndTimeUTC", ctx.time(t.end_ms)), ("State", t.state), ("Result", t.result),
               ("Progress", t.progress), ("FailureMessage", t.failure_message)],
    )])


def _session_entity(s: CloudFailoverSession, ctx: Ctx) -> Node:
    job_session = Layer(elems=[
        ("JobUid", None), ("JobName", None), ("JobType", s.job_type),
        ("CreationTimeUTC", ctx.time(s.creation_ms)), ("EndTimeUTC", ctx.time(s.end_ms)),
        ("State", s.state), ("Result", s.result), ("Progress", s.progress),
        ("FailureMessage", s.failure_message),
    ])
    own = Layer(elems=[("CloudFailoverTasks",
                        ListOf([_task(t, ctx) for t in s.tasks], json_key="CloudFailoverTasks"))])
    return entity("CloudFailoverSession", SESSION_PATH, s.id, s.plan.name, [
        server_up(s.plan.backup_server, ctx),
        alternate_to_reference("CloudFailoverSession", SESSION_PATH, s.id, s.plan.name, ctx),
    ], [job_session, own], ctx)


CLOUD_FAILOVER_SESSION = ResourceType("CloudFailoverSession", SESSION_PATH,
                                      "CloudFailoverSessions", _session_ref, _session_entity)


register_resources(CLOUD_FAILOVER_PLAN, CLOUD_VM_REPLICA_POINT, CLOUD_FAILOVER_SESSION)
