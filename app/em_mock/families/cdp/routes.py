"""Routes of CDP policies (with their includes and sessions), CDP replicas and their VMs,
vApp CDP replicas, replication sessions and their task sessions, and the logon links.

The vendor's pages spell the vApp replicas both ``/cdpReplica/vApps`` (the GET pages and
the logon session) and ``/cdpReplicas/vApps`` (some links); em-mock serves and links the
first. A real v12 server's logon session also links ``/cdpReplica/vms``, which no page
documents: em-mock serves it as every CDP replica's VMs, each linking its documented
place under ``/cdpReplicas/{id}/vms``.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from em_mock.core.errors import EMError
from em_mock.core.http.collections import (
    Collection,
    Sub,
    by_id,
    own_id,
    recent,
    send_list,
    serve,
    table_items,
)
from em_mock.core.http.deps import CurrentSession, EntityFormat, RuntimeDep, WireDep, find
from em_mock.core.registry import collection_links, register_logon_links, register_router
from em_mock.core.runtime import Runtime
from em_mock.core.wire import documents as docs
from em_mock.families.cdp.model import (
    CDP_POLICIES,
    CDP_SESSIONS,
    CDP_TASKS,
    CdpInclude,
    CdpPolicy,
    CdpReplica,
    CdpReplicaVm,
    VAppCdpReplica,
    replicas,
    vapp_replicas,
)
from em_mock.families.cdp.shapes import (
    CDP_POLICY,
    CDP_REPLICA,
    CDP_REPLICA_SESSION,
    CDP_REPLICA_TASK_SESSION,
    CDP_REPLICA_VM,
    VAPP_CDP_REPLICA,
    object_in_job,
    object_in_job_page,
    vapp_vm,
)

router = register_router(APIRouter())

POLICIES = Collection(CDP_POLICY, "CDP policy", table_items(CDP_POLICIES), subs=(
    Sub("cdpReplicaSessions", CDP_REPLICA_SESSION,
        lambda rt, p: [s for s in CDP_SESSIONS.rows(rt.store) if s.policy is p]),))
REPLICAS = Collection(CDP_REPLICA, "CDP replica",
                      by_id("cdp replicas", lambda rt: replicas(rt.store), own_id),
                      subs=(Sub("vms", CDP_REPLICA_VM, lambda rt, r: r.vms),))
VAPPS = Collection(VAPP_CDP_REPLICA, "vApp CDP replica",
                   by_id("vapp cdp replicas", lambda rt: vapp_replicas(rt.store), own_id))

serve(router, POLICIES)
serve(router, REPLICAS)
serve(router, VAPPS)
serve(router, Collection(
    CDP_REPLICA_SESSION, "CDP replica session",
    by_id("cdp sessions", lambda rt: CDP_SESSIONS.rows(rt.store), own_id),
    listed=lambda rt: recent(rt, CDP_SESSIONS.rows(rt.store)), subs=(
        Sub("cdpReplicaTaskSessions", CDP_REPLICA_TASK_SESSION, lambda rt, s: s.tasks),)))
serve(router, Collection(
    CDP_REPLICA_TASK_SESSION, "CDP replica task session",
    by_id("cdp tasks", lambda rt: CDP_TASKS.rows(rt.store), own_id),
    listed=lambda rt: recent(rt, CDP_TASKS.rows(rt.store))))


def policy_of(rt: Runtime, policy_id: str) -> CdpPolicy:
    """The policy with ``policy_id``, or a 404."""
    found: CdpPolicy = find(POLICIES.items(rt), policy_id, "CDP policy")
    return found


def include_of(policy: CdpPolicy, object_id: str) -> CdpInclude:
    """The policy's include with ``object_id``, or a 404."""
    for inc in policy.includes:
        if inc.id == object_id.lower():
            return inc
    raise EMError(404, f"No object in the CDP policy {policy.name!r} has the id {object_id!r}.")


def replica_vm_of(rt: Runtime, replica_id: str, vm_id: str) -> CdpReplicaVm:
    """The VM ``vm_id`` of replica ``replica_id``, or a 404."""
    replica: CdpReplica = find(REPLICAS.items(rt), replica_id, "CDP replica")
    for vm in replica.vms:
        if vm.id == vm_id.lower():
            return vm
    raise EMError(404, f"No VM of the CDP replica {replica.name!r} has the id {vm_id!r}.")


def vapp_of(rt: Runtime, vapp_id: str) -> VAppCdpReplica:
    """The vApp replica with ``vapp_id``, or a 404."""
    found: VAppCdpReplica = find(VAPPS.items(rt), vapp_id, "vApp CDP replica")
    return found


@router.get("/api/cdppolicies/{policy_id}/includes")
async def policy_includes(policy_id: str, _: CurrentSession, rt: RuntimeDep,
                          out: WireDep) -> Response:
    """The objects a CDP policy protects (``ObjectsInJob``)."""
    policy = policy_of(rt, policy_id)
    return out.send(docs.entity_list("ObjectsInJob", [object_in_job(policy, inc, out.ctx)
                                                      for inc in policy.includes]))


@router.get("/api/cdppolicies/{policy_id}/includes/{object_id}")
async def policy_include(policy_id: str, object_id: str, _: CurrentSession, rt: RuntimeDep,
                         out: WireDep) -> Response:
    """One object a CDP policy protects (``ObjectInJob``)."""
    policy = policy_of(rt, policy_id)
    return out.send(object_in_job_page(policy, include_of(policy, object_id), out.ctx))


@router.get("/api/cdpreplicas/{replica_id}/vms/{vm_id}")
async def replica_vm(replica_id: str, vm_id: str, _: CurrentSession, rt: RuntimeDep,
                     out: WireDep, as_entity: EntityFormat) -> Response:
    """One VM of a CDP replica (reference, or ``CdpReplicaVm`` with format=Entity)."""
    vm = replica_vm_of(rt, replica_id, vm_id)
    if as_entity:
        return out.send(CDP_REPLICA_VM.entity(vm, out.ctx))
    return out.send(CDP_REPLICA_VM.reference(vm, out.ctx, "EntityRef"))


def _all_replica_vms(rt: Runtime) -> list[CdpReplicaVm]:
    return [vm for replica in replicas(rt.store) for vm in replica.vms]


@router.get("/api/cdpreplica/vms")
async def every_replica_vm(_: CurrentSession, rt: RuntimeDep, out: WireDep,
                           as_entity: EntityFormat) -> Response:
    """The VMs of every CDP replica (references, or entities with format=Entity)."""
    return send_list(rt, out, CDP_REPLICA_VM, _all_replica_vms(rt), as_entity)


@router.get("/api/cdpreplica/vms/{vm_id}")
async def any_replica_vm(vm_id: str, _: CurrentSession, rt: RuntimeDep, out: WireDep,
                         as_entity: EntityFormat) -> Response:
    """One VM of any CDP replica (reference, or ``CdpReplicaVm`` with format=Entity)."""
    for vm in _all_replica_vms(rt):
        if vm.id == vm_id.lower():
            if as_entity:
                return out.send(CDP_REPLICA_VM.entity(vm, out.ctx))
            return out.send(CDP_REPLICA_VM.reference(vm, out.ctx, "EntityRef"))
    raise EMError(404, f"No VM of a CDP replica has the id {vm_id!r}.")


@router.get("/api/cdpreplica/vapps/{vapp_id}/vms")
async def vapp_vms(vapp_id: str, _: CurrentSession, rt: RuntimeDep, out: WireDep) -> Response:
    """The VMs of a vApp CDP replica (``VAppCdpReplicaVms``)."""
    vapp = vapp_of(rt, vapp_id)
    return out.send(docs.entity_list("VAppCdpReplicaVms",
                                     [vapp_vm(vapp, v, out.ctx) for v in vapp.vms]))


@router.get("/api/cdpreplica/vapps/{vapp_id}/vms/{vm_id}")
async def vapp_one_vm(vapp_id: str, vm_id: str, _: CurrentSession, rt: RuntimeDep,
                      out: WireDep) -> Response:
    """One VM of a vApp CDP replica (``VAppCdpReplicaVm``)."""
    vapp = vapp_of(rt, vapp_id)
    for v in vapp.vms:
        if v.id == vm_id.lower():
            return out.send(vapp_vm(vapp, v, out.ctx))
    raise EMError(404, f"No VM of the vApp CDP replica {vapp.include.name!r} has the id "
                       f"{vm_id!r}.")


register_logon_links(
    *collection_links("cdpPolicies", "CdpPolicy", 240, 610),
    *collection_links("cdpReplicaSessions", "CdpReplicaSession", 250, 620),
    *collection_links("cdpReplicaTaskSessions", "CdpReplicaTaskSession", 260, 630),
    *collection_links("cdpReplica/vms", "VmCdpReplica", 280, 650),
    *collection_links("cdpReplica/vApps", "VAppCdpReplica", 290, 660),
)
