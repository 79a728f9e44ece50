"""Fixture sections of Cloud Connect: ``CloudTenants``, ``CloudFailoverPlans`` (with their
VMs and replica points) and ``CloudFailoverSessions`` (with their tasks)."""

from __future__ import annotations

from typing import Any

from em_mock.core.fixtures import Documents, Section, register_sections
from em_mock.core.ids import urn
from em_mock.core.tables import DataSet
from em_mock.core.validate import Reader, Source, TimeWriter, claim, items, read_run
from em_mock.families.cloud.model import (
    PLANS,
    REPLICA_POINTS,
    SESSION_RESULTS,
    SESSION_STATES,
    SESSIONS,
    TENANTS,
    CloudFailoverPlan,
    CloudFailoverSession,
    CloudFailoverTask,
    CloudTenant,
    CloudVmReplicaPoint,
    PlanVm,
    index_replica_points,
)
from em_mock.families.cloud.runs import PLAN_RUNS, PlanRun
from em_mock.families.infrastructure.model import SERVERS, BackupServer

OUTCOMES = ("Success", "Warning", "Failed")


_TENANT_KEYS = ("UID", "Name")
_PLAN_KEYS = ("UID", "Name", "TenantUid", "BackupServerUid", "Description",
              "PreFailoverPlanCommandEnabled", "PreFailoverPlanCommand",
              "PostFailoverPlanCommandEnabled", "PostFailoverPlanCommand", "Outcome", "Vms")
_SESSION_KEYS = ("UID", "CloudFailoverPlanUid", "CreationTimeUTC", "EndTimeUTC", "State",
                 "Result", "Progress", "FailureMessage", "Tasks", "Run")
_TASK_KEYS = ("VmName", "VmReplicaPointUid", "CreationTimeUTC", "EndTimeUTC", "State",
              "Result", "Progress", "FailureMessage")


def _read_tenants(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "CloudTenants"):
        reader.unknown_keys(src, _TENANT_KEYS)
        guid = reader.uid(src, "UID", "CloudTenant")
        name = reader.value(src, "Name", str, required=True, default="")
        if claim(reader, seen, src, guid):
            TENANTS.of(data)[guid or ""] = CloudTenant(guid or "", name)


def _read_vms(reader: Reader, src: Source, plan: CloudFailoverPlan,
              points_seen: dict[str, str]) -> None:
    vms = reader.value(src, "Vms", list, default=[])
    names: set[str] = set()
    for v, vm_item in enumerate(vms):
        vm_src = Source(src.file, f"{src.path}.Vms[{v}]", vm_item)
        if not isinstance(vm_item, dict):
            reader.error(vm_src, None, "must be an object")
            continue
        reader.unknown_keys(vm_src, ("FailoverPlanVMId", "Name", "ReplicaPoints"))
        vm_id = reader.uid(vm_src, "FailoverPlanVMId", "CloudFailoveredVm")
        vm = PlanVm(vm_id or "", reader.value(vm_src, "Name", str, required=True, default=""))
        if vm.name in names:
            reader.error(vm_src, "Name", f"duplicate VM name {vm.name!r} in this plan")
        names.add(vm.name)
        points = reader.value(vm_src, "ReplicaPoints", list, default=[])
        for p, point_item in enumerate(points):
            p_src = Source(src.file, f"{vm_src.path}.ReplicaPoints[{p}]", point_item)
            if not isinstance(point_item, dict):
                reader.error(p_src, None, "must be an object")
                continue
            reader.unknown_keys(p_src, ("UID", "CreationTimeUTC"))
            guid = reader.uid(p_src, "UID", "CloudVmReplicaPoint")
            moment = reader.time(p_src, "CreationTimeUTC")
            if claim(reader, points_seen, p_src, guid) and moment is not None:
                vm.replica_points.append(CloudVmReplicaPoint(guid or "", vm.name, moment, plan))
        vm.replica_points.sort(key=lambda rp: rp.creation_ms)
        plan.vms.append(vm)


def _read_plans(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    points_seen: dict[str, str] = {}
    for src in items(reader, docs, "CloudFailoverPlans"):
        reader.unknown_keys(src, _PLAN_KEYS)
        guid = reader.uid(src, "UID", "CloudFailoverPlan")
        name = reader.value(src, "Name", str, required=True, default="")
        tenant_id = reader.uid(src, "TenantUid", "CloudTenant")
        server_id = reader.uid(src, "BackupServerUid", "BackupServer")
        tenant = TENANTS.of(data).get(tenant_id or "")
        server = SERVERS.of(data).get(server_id or "")
        if tenant_id and tenant is None:
            reader.error(src, "TenantUid", f"no tenant has the UID {tenant_id}")
        if server_id and server is None:
            reader.error(src, "BackupServerUid", f"no backup server has the UID {server_id}")
        plan = CloudFailoverPlan(
            id=guid or "", name=name,
            tenant=tenant or CloudTenant("", ""),
            backup_server=server or BackupServer("", ""),
            description=reader.value(src, "Description", str, default=""),
            pre_command_enabled=reader.value(src, "PreFailoverPlanCommandEnabled", bool,
                                             default=False),
            pre_command=reader.value(src, "PreFailoverPlanCommand", str, default=""),
            post_command_enabled=reader.value(src, "PostFailoverPlanCommandEnabled", bool,
                                              default=False),
            post_command=reader.value(src, "PostFailoverPlanCommand", str, default=""),
            outcome=reader.choice(src, "Outcome", OUTCOMES, required=False, nullable=True),
        )
        _read_vms(reader, src, plan, points_seen)
        if claim(reader, seen, src, guid):
            PLANS.of(data)[plan.id] = plan
    index_replica_points(data)


def _run_fields(reader: Reader, src: Source) -> tuple[int, int | None, str, str, int, str | None]:
    created = reader.time(src, "CreationTimeUTC")
    ended = reader.time(src, "EndTimeUTC", required=False)
    # A value that cannot be read is reported once; the rules that tie State, EndTimeUTC
    # and Result together only judge values that could be read.
    has_end = src.item.get("EndTimeUTC") is not None
    state = reader.choice(src, "State", SESSION_STATES)
    result = reader.choice(src, "Result", SESSION_RESULTS)
    progress = reader.value(src, "Progress", int, required=False,
                            default=100 if state == "Stopped" else 0)
    message = reader.value(src, "FailureMessage", str, nullable=True)
    if not 0 <= progress <= 100:
        reader.error(src, "Progress", f"{progress} is outside 0..100")
    if created is not None and ended is not None and ended < created:
        reader.error(src, "EndTimeUTC", "is before CreationTimeUTC")
    if state == "Stopped" and not has_end:
        reader.error(src, "EndTimeUTC", "is required when State is Stopped")
    if state not in (None, "Stopped") and has_end:
        reader.error(src, "EndTimeUTC", f"must be null while State is {state}")
    if state == "Stopped" and result == "None":
        reader.error(src, "Result", "cannot be None when State is Stopped")
    if state not in (None, "Stopped") and result not in ("None", None):
        reader.error(src, "Result", f"must be None while State is {state}")
    return created or 0, ended, state or "Stopped", result or "Success", progress, message


def _read_sessions(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "CloudFailoverSessions"):
        reader.unknown_keys(src, _SESSION_KEYS)
        guid = reader.uid(src, "UID", "CloudFailoverSession")
        plan_id = reader.uid(src, "CloudFailoverPlanUid", "CloudFailoverPlan")
        plan = PLANS.of(data).get(plan_id or "")
        if plan_id and plan is None:
            reader.error(src, "CloudFailoverPlanUid",
                         f"no cloud failover plan has the UID {plan_id}")
        created, ended, state, result, progress, message = _run_fields(reader, src)
        tasks = []
        for t, task_item in enumerate(reader.value(src, "Tasks", list, default=[])):
            t_src = Source(src.file, f"{src.path}.Tasks[{t}]", task_item)
            if not isinstance(task_item, dict):
                reader.error(t_src, None, "must be an object")
                continue
            reader.unknown_keys(t_src, _TASK_KEYS)
            vm_name = reader.value(t_src, "VmName", str, required=True, default="")
            point_id = reader.uid(t_src, "VmReplicaPointUid", "CloudVmReplicaPoint",
                                  required=False, nullable=True)
            point = REPLICA_POINTS.of(data).get(point_id or "")
            if point_id and point is None:
                reader.error(t_src, "VmReplicaPointUid",
                             f"no replica point has the UID {point_id}")
            tasks.append(CloudFailoverTask(vm_name, point, *_run_fields(reader, t_src)))
        run = read_run(reader, src, src.item.get("State"), "Stopped", "FailureMessage",
                       len(plan.vms) if plan else 0)
        if plan is not None and claim(reader, seen, src, guid):
            SESSIONS.of(data)[guid or ""] = CloudFailoverSession(
                guid or "", plan, created, ended, state, result, progress, message, tasks)
            if run is not None:
                PLAN_RUNS.of(data)[guid or ""] = PlanRun(guid or "", plan.id, created, *run)


def _task(task: CloudFailoverTask, time: TimeWriter) -> dict[str, Any]:
    return {
        "VmName": task.vm_name,
        "VmReplicaPointUid": urn("CloudVmReplicaPoint", task.replica_point.id)
        if task.replica_point else None,
        "CreationTimeUTC": time(task.creation_ms),
        "EndTimeUTC": time(task.end_ms),
        "State": task.state,
        "Result": task.result,
        "Progress": task.progress,
        "FailureMessage": task.failure_message,
    }


def _write_tenants(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{"UID": urn("CloudTenant", t.id), "Name": t.name}
            for t in TENANTS.of(data).values()]


def _write_plans(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{
        "UID": urn("CloudFailoverPlan", p.id), "Name": p.name,
        "TenantUid": urn("CloudTenant", p.tenant.id),
        "BackupServerUid": urn("BackupServer", p.backup_server.id),
        "Description": p.description,
        "PreFailoverPlanCommandEnabled": p.pre_command_enabled,
        "PreFailoverPlanCommand": p.pre_command,
        "PostFailoverPlanCommandEnabled": p.post_command_enabled,
        "PostFailoverPlanCommand": p.post_command,
        "Outcome": p.outcome,
        "Vms": [{"FailoverPlanVMId": vm.id, "Name": vm.name, "ReplicaPoints": [
            {"UID": urn("CloudVmReplicaPoint", rp.id), "CreationTimeUTC": time(rp.creation_ms)}
            for rp in vm.replica_points]} for vm in p.vms],
    } for p in PLANS.of(data).values()]


def _session(s: CloudFailoverSession, run: PlanRun | None, time: TimeWriter
             ) -> dict[str, Any]:
    item: dict[str, Any] = {
        "UID": urn("CloudFailoverSession", s.id),
        "CloudFailoverPlanUid": urn("CloudFailoverPlan", s.plan.id),
        "CreationTimeUTC": time(s.creation_ms), "EndTimeUTC": time(s.end_ms),
        "State": s.state, "Result": s.result, "Progress": s.progress,
        "FailureMessage": s.failure_message, "Tasks": [_task(t, time) for t in s.tasks],
    }
    if run is not None:
        item["Run"] = {"Outcome": run.outcome, "FailureMessage": run.message,
                       "Culprit": run.culprit}
    return item


def _write_sessions(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    runs = PLAN_RUNS.of(data)
    return [_session(s, runs.get(s.id), time) for s in SESSIONS.of(data).values()]


register_sections(
    Section("CloudTenants", 20, _read_tenants, _write_tenants,
            control=("tenants", "CloudTenant")),
    Section("CloudFailoverPlans", 30, _read_plans, _write_plans,
            control=("failoverPlans", "CloudFailoverPlan")),
    Section("CloudFailoverSessions", 40, _read_sessions, _write_sessions,
            control=("failoverSessions", "CloudFailoverSession")),
)
