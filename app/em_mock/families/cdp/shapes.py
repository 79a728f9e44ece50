"""Wire shapes of CDP policies (with their includes), replicas, replica VMs, vApp replicas,
replication sessions and task sessions. Links are in the order of the vendor's tables."""

from __future__ import annotations

from typing import Any

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
from em_mock.families.cdp.model import (
    CdpInclude,
    CdpOptions,
    CdpPolicy,
    CdpReplica,
    CdpReplicaVm,
    CdpSession,
    CdpTaskSession,
    VAppCdpReplica,
)
from em_mock.families.infrastructure.shapes import server_up


def session_name(s: CdpSession, ctx: Ctx) -> str:
    """``<PolicyName>@<creation time>``."""
    return f"{s.policy.name}@{ctx.suffix(s.creation_ms)}"


def task_name(t: CdpTaskSession, ctx: Ctx) -> str:
    """``<VmName>@<creation time>``."""
    return f"{t.vm_name}@{ctx.suffix(t.creation_ms)}"


def policy_up(p: CdpPolicy, ctx: Ctx) -> Node:
    """The ``Up`` link to a policy."""
    return link("Up", ctx.api(f"cdpPolicies/{p.id}"), "CdpPolicyReference", p.name)


def _sessions_down(p: CdpPolicy, ctx: Ctx) -> Node:
    return link("Down", ctx.api(f"cdpPolicies/{p.id}/cdpReplicaSessions"),
                "CdpReplicaSessionReferenceList")


def _policy_ref(p: CdpPolicy, ctx: Ctx, root: str) -> Node:
    return reference(root, "CdpPolicy", "cdpPolicies", p.id, p.name, [
        server_up(p.backup_server, ctx),
        alternate_to_entity("CdpPolicy", "cdpPolicies", p.id, p.name, ctx),
        _sessions_down(p, ctx),
    ], ctx)


def _enabled(name: str, enabled: bool, *rest: tuple[str, Any]) -> Node:
    return Node(name, [Layer(attrs=[("Enabled", enabled)], elems=list(rest))])


def _threshold(name: str, enabled: bool, seconds: int, minutes: int) -> Node:
    return Node(name, [Layer(elems=[("Enabled", enabled), ("RPOThresholdSeconds", seconds),
                                    ("RPOThresholdMinutes", minutes)])])


def schedule_options(o: CdpOptions) -> Node:
    """``PolicyScheduleOptions`` (its ``CdpReplica`` options)."""
    inner = Node("CdpReplica", [Layer(elems=[
        ("RecoveryPointObjectiveSeconds", o.rpo_seconds),
        ("RecoveryPointObjectiveMinutes", o.rpo_minutes),
        ("RPOSchedule", _enabled("RPOSchedule", o.rpo_schedule_enabled)),
        ("RPOReporting", Node("RPOReporting", [Layer(elems=[
            ("MarkAsWarning", _threshold("MarkAsWarning", o.warn_enabled, o.warn_seconds,
                                         o.warn_minutes)),
            ("MarkAsFailed", _threshold("MarkAsFailed", o.fail_enabled, o.fail_seconds,
                                        o.fail_minutes))])])),
        ("ShortTermRetentionMinutes", o.short_term_minutes),
        ("ShortTermRetentionHours", o.short_term_hours),
        ("LongTermRetentionHours", o.long_term_hours),
        ("LongTermRetentionKeepDays", o.long_term_keep_days),
        ("LongTermRetentionSchedule", _enabled("LongTermRetentionSchedule",
                                               o.long_term_schedule_enabled)),
    ])])
    return Node("PolicyScheduleOptions", [Layer(elems=[("CdpReplica", inner)])])


def _guest_options(mode: str, copy_only: bool, persistent: bool | None) -> Node:
    vss: list[tuple[str, Any]] = [("VssSnapshotMode", mode), ("IsCopyOnly", copy_only)]
    if persistent is not None:
        vss.append(("UsePersistentGuestAgent", persistent))
    return Node("GuestProcessingOptions", [Layer(elems=[
        ("VssSnapshotOptions", Node("VssSnapshotOptions", [Layer(elems=vss)])),
        ("WindowsCredentialsId", ""), ("LinuxCredentialsId", "")])])


def object_in_job(p: CdpPolicy, inc: CdpInclude, ctx: Ctx) -> Node:
    """One ``ObjectInJob`` of a policy's includes."""
    return Node("ObjectInJob", [
        Layer(attrs=[("Href", ctx.api(f"cdpPolicies/{p.id}/includes/{inc.id}")),
                     ("Type", "ObjectInJob")]),
        Layer(elems=[("ObjectInJobId", inc.id), ("HierarchyObjRef", inc.ref),
                     ("Name", inc.name), ("DisplayName", inc.name),
                     ("GuestProcessingOptions", _guest_options(inc.vss_mode, inc.copy_only,
                                                               inc.persistent_agent))]),
    ])


def object_in_job_page(p: CdpPolicy, inc: CdpInclude, ctx: Ctx) -> Node:
    """``GET /cdpPolicies/{id}/includes/{id}``: the object with its Up and Delete links."""
    node = object_in_job(p, inc, ctx)
    href = ctx.api(f"cdpPolicies/{p.id}/includes/{inc.id}")
    node.layers[0].elems.append(("Links", ListOf([
        link("Up", ctx.api(f"cdpPolicies/{p.id}"), "CdpPolicyReference", p.name),
        link("Delete", href)])))
    return node


def _policy_entity(p: CdpPolicy, ctx: Ctx) -> Node:
    base = ctx.api(f"cdpPolicies/{p.id}")
    links_ = [server_up(p.backup_server, ctx),
              alternate_to_reference("CdpPolicy", "cdpPolicies", p.id, p.name, ctx),
              link("Edit", base, "CdpPolicyReference", p.name),
              # The one of the pair that applies, where the vendor's table has it.
              link("Disable", f"{base}?action=disable") if p.schedule_enabled
              else link("Enable", f"{base}?action=enable"),
              link("Down", f"{base}/includes", "ObjectInJobList"),
              link("Create", f"{base}/includes", "ObjectInJob"),
              _sessions_down(p, ctx)]
    info = Node("CdpPolicyInfo", [Layer(elems=[("CdpReplicaPolicyInfo", Node(
        "CdpReplicaPolicyInfo", [Layer(elems=[
            ("Includes", ListOf([object_in_job(p, inc, ctx) for inc in p.includes])),
            ("GuestProcessingOptions", _guest_options("Disabled", True, None))])]))])])
    own = Layer(elems=[("PolicyType", "CdpReplica"), ("Platform", p.platform),
                       ("Description", p.description),
                       ("ScheduleConfigured", p.schedule_configured),
                       ("ScheduleEnabled", p.schedule_enabled),
                       ("NextRun", ctx.time(p.next_run_ms)),
                       ("PolicyScheduleOptions", schedule_options(p.options)),
                       ("CdpPolicyInfo", info)])
    return entity("CdpPolicy", "cdpPolicies", p.id, p.name, links_, [own], ctx)


CDP_POLICY = ResourceType("CdpPolicy", "cdpPolicies", "CdpPolicies", _policy_ref, _policy_entity)


def _replica_links(r: CdpReplica, ctx: Ctx) -> list[Node]:
    return [server_up(r.policy.backup_server, ctx), policy_up(r.policy, ctx),
            link("Down", ctx.api(f"cdpReplicas/{r.id}/vms"), "CdpReplicaVmReferenceList")]


def _policy_layer(policy: CdpPolicy) -> list[tuple[str, Any]]:
    return [("BackupServer", policy.backup_server.name),
            ("PolicyUid", urn("CdpPolicy", policy.id)), ("PolicyName", policy.name)]


def _replica_ref(r: CdpReplica, ctx: Ctx, root: str) -> Node:
    return reference(root, "CdpReplica", "cdpReplicas", r.id, r.name, [
        *_replica_links(r, ctx),
        alternate_to_entity("CdpReplica", "cdpReplicas", r.id, r.name, ctx)], ctx)


def _replica_entity(r: CdpReplica, ctx: Ctx) -> Node:
    return entity("CdpReplica", "cdpReplicas", r.id, r.name, [
        *_replica_links(r, ctx),
        alternate_to_reference("CdpReplica", "cdpReplicas", r.id, r.name, ctx)],
        [Layer(elems=_policy_layer(r.policy))], ctx)


CDP_REPLICA = ResourceType("CdpReplica", "cdpReplicas", "CdpReplicas", _replica_ref,
                           _replica_entity)


def replica_vm_path(v: CdpReplicaVm) -> str:
    """``cdpReplicas/<replica>/vms/<vm>``."""
    return f"cdpReplicas/{v.replica.id}/vms/{v.id}"


def _replica_vm_links(v: CdpReplicaVm, ctx: Ctx) -> list[Node]:
    base = ctx.api(replica_vm_path(v))
    r = v.replica
    return [link("Intervals", f"{base}?action=intervals"),
            link("Failover", f"{base}?action=failover"),
            server_up(r.policy.backup_server, ctx), policy_up(r.policy, ctx),
            link("Up", ctx.api(f"cdpReplicas/{r.id}"), "CdpReplicaReference", r.name)]


def _replica_vm_ref(v: CdpReplicaVm, ctx: Ctx, root: str) -> Node:
    path = f"cdpReplicas/{v.replica.id}/vms"
    return reference(root, "CdpReplicaVm", path, v.id, v.vm.name, [
        *_replica_vm_links(v, ctx),
        alternate_to_entity("CdpReplicaVm", path, v.id, v.vm.name, ctx)], ctx)


def _replica_vm_entity(v: CdpReplicaVm, ctx: Ctx) -> Node:
    own = Layer(elems=[("VmRef", v.vm.ref), ("ReplicaUid", urn("CdpReplica", v.replica.id)),
                       *_policy_layer(v.replica.policy)])
    return entity("CdpReplicaVm", f"cdpReplicas/{v.replica.id}/vms", v.id, v.vm.name,
                  _replica_vm_links(v, ctx), [own], ctx)


CDP_REPLICA_VM = ResourceType("CdpReplicaVm", "cdpReplicas", "CdpReplicaVms", _replica_vm_ref,
                              _replica_vm_entity)


def _vapp_links(a: VAppCdpReplica, ctx: Ctx, alternate: Node) -> list[Node]:
    base = ctx.api(f"cdpReplica/vApps/{a.id}")
    policy = a.replica.policy
    return [server_up(policy.backup_server, ctx), alternate,
            link("Down", f"{base}/vms", "VAppCdpReplicaVms"),
            link("Intervals", f"{base}?action=intervals"),
            link("Failover", f"{base}?action=failover"), policy_up(policy, ctx)]


def _vapp_ref(a: VAppCdpReplica, ctx: Ctx, root: str) -> Node:
    return reference(root, "VAppCdpReplica", "cdpReplica/vApps", a.id, a.include.name,
                     _vapp_links(a, ctx, alternate_to_entity(
                         "VAppCdpReplica", "cdpReplica/vApps", a.id, a.include.name, ctx)),
                     ctx)


def _vapp_entity(a: VAppCdpReplica, ctx: Ctx) -> Node:
    own = Layer(elems=[("vAppRef", a.include.ref),
                       ("ReplicaUid", urn("CdpReplica", a.replica.id)),
                       *_policy_layer(a.replica.policy)])
    return entity("VAppCdpReplica", "cdpReplica/vApps", a.id, a.include.name,
                  _vapp_links(a, ctx, alternate_to_reference(
                      "VAppCdpReplica", "cdpReplica/vApps", a.id, a.include.name, ctx)),
                  [own], ctx)


VAPP_CDP_REPLICA = ResourceType("VAppCdpReplica", "cdpReplica/vApps", "VAppCdpReplicas",
                                _vapp_ref, _vapp_entity)


def vapp_vm(a: VAppCdpReplica, v: CdpReplicaVm, ctx: Ctx) -> Node:
    """``VAppCdpReplicaVm``: one VM of a vApp replica."""
    path = f"cdpReplica/vApps/{a.id}/vms"
    policy = a.replica.policy
    return entity("VAppCdpReplicaVm", path, v.id, v.vm.name, [
        server_up(policy.backup_server, ctx),
        link("Alternate", ctx.api(f"{path}/{v.id}"), "VAppCdpReplicaVmReference", v.vm.name),
        link("Up", ctx.api(f"cdpReplica/vApps/{a.id}"), "VAppCdpReplicaReference",
             a.include.name),
        policy_up(policy, ctx),
    ], [Layer(elems=[("ReplicaUid", urn("CdpReplica", a.replica.id)), ("VmRef", v.vm.ref)])],
        ctx)


def _session_links(s: CdpSession, ctx: Ctx, alternate: Node) -> list[Node]:
    return [server_up(s.policy.backup_server, ctx), policy_up(s.policy, ctx), alternate,
            link("Down", ctx.api(f"cdpReplicaSessions/{s.id}/cdpReplicaTaskSessions"),
                 "CdpReplicaTaskSessionReferenceList")]


def _session_ref(s: CdpSession, ctx: Ctx, root: str) -> Node:
    name = session_name(s, ctx)
    return reference(root, "CdpReplicaSession", "cdpReplicaSessions", s.id, name,
                     _session_links(s, ctx, alternate_to_entity(
                         "CdpReplicaSession", "cdpReplicaSessions", s.id, name, ctx)), ctx)


def _session_entity(s: CdpSession, ctx: Ctx) -> Node:
    name = session_name(s, ctx)
    own = Layer(elems=[
        ("PolicyUid", urn("CdpPolicy", s.policy.id)), ("PolicyName", s.policy.name),
        ("PolicyType", "CdpReplica"), ("CreationTimeUTC", ctx.time(s.creation_ms)),
        ("EndTimeUTC", ctx.time(s.end_ms)), ("State", s.state), ("Result", s.result),
        ("Progress", s.progress), ("FailureMessage", s.failure_message),
        ("IsRetry", s.is_retry)])
    return entity("CdpReplicaSession", "cdpReplicaSessions", s.id, name,
                  _session_links(s, ctx, alternate_to_reference(
                      "CdpReplicaSession", "cdpReplicaSessions", s.id, name, ctx)), [own], ctx)


CDP_REPLICA_SESSION = ResourceType("CdpReplicaSession", "cdpReplicaSessions",
                                   "CdpReplicaSessions", _session_ref, _session_entity)


def _task_links(t: CdpTaskSession, ctx: Ctx, alternate: Node) -> list[Node]:
    s = t.session
    return [server_up(s.policy.backup_server, ctx),
            link("Up", ctx.api(f"cdpReplicaSessions/{s.id}"), "CdpReplicaSessionReference",
                 session_name(s, ctx)), alternate]


def _task_ref(t: CdpTaskSession, ctx: Ctx, root: str) -> Node:
    name = task_name(t, ctx)
    return reference(root, "CdpReplicaTaskSession", "cdpReplicaTaskSessions", t.id, name,
                     _task_links(t, ctx, alternate_to_entity(
                         "CdpReplicaTaskSession", "cdpReplicaTaskSessions", t.id, name, ctx)),
                     ctx)


def _task_entity(t: CdpTaskSession, ctx: Ctx) -> Node:
    name = task_name(t, ctx)
    own = Layer(elems=[
        ("PolicySessionUid", urn("CdpReplicaSession", t.session.id)),
        ("CreationTimeUTC", ctx.time(t.creation_ms)), ("EndTimeUTC", ctx.time(t.end_ms)),
        ("State", t.state), ("Result", t.result), ("Reason", t.reason),
        ("TotalSize", t.total_size)])
    return entity("CdpReplicaTaskSession", "cdpReplicaTaskSessions", t.id, name,
                  _task_links(t, ctx, alternate_to_reference(
                      "CdpReplicaTaskSession", "cdpReplicaTaskSessions", t.id, name, ctx)),
                  [own], ctx)


CDP_REPLICA_TASK_SESSION = ResourceType("CdpReplicaTaskSession", "cdpReplicaTaskSessions",
                                        "CdpReplicaTaskSessions", _task_ref, _task_entity)


register_resources(CDP_POLICY, CDP_REPLICA, CDP_REPLICA_VM, VAPP_CDP_REPLICA,
                   CDP_REPLICA_SESSION, CDP_REPLICA_TASK_SESSION)
