"""Fixture files: the JSON format the data set is loaded from and exported to.

A fixture document is an object with any of the sections ``BackupServers``,
``CloudTenants``, ``CloudFailoverPlans`` and ``CloudFailoverSessions`` (see the
README for every key). A directory of ``*.json`` files is read in name order as one
document, so sections may be split across files. Every file is validated in full
before anything is served; errors name the file, the JSON path and the reason.

When the document has an ``Anchor`` instant, every time in it is shifted by
``clock - Anchor`` at load (the clock's start at start-up, its current time for
``PUT /mock/state``), so the data keeps its age relative to the mock's clock. An export
writes the clock's current time as ``Anchor``, in the frame of the data's source, so
export, load and export again gives the same bytes. Without ``Anchor`` the times are
served as written.

A session with a ``Run`` is a run in flight (started through an action): the clock
drives it on from its ``CreationTimeUTC``, after a restart too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from em_mock.domain.model import (
    SESSION_RESULTS,
    SESSION_STATES,
    BackupServer,
    CloudFailoverPlan,
    CloudFailoverSession,
    CloudFailoverTask,
    CloudTenant,
    CloudVmReplicaPoint,
    PlanVm,
    Run,
    urn,
)
from em_mock.domain.times import parse_instant_ms
from em_mock.store import fixtures_infra as infra
from em_mock.store.memory import DataSet
from em_mock.store.validate import (
    FixtureError,
    Reader,
    Source,
    TimeWriter,
    claim,
    items,
    read_run,
    time_writer,
)

__all__ = ["FORMAT", "SECTIONS", "FixtureError", "dumps", "load_documents", "load_path",
           "to_document"]

FORMAT = "em-mock-fixture/1"
SECTIONS = ("BackupServers", "CloudTenants", "CloudFailoverPlans", "CloudFailoverSessions",
            *infra.SECTIONS)
OUTCOMES = ("Success", "Warning", "Failed")


_SERVER_KEYS = ("UID", "Name", "Description", "Port", "Version", "WcfPort",
                "VbrCertificateThumbprint", "IpOrDnsName")
_TENANT_KEYS = ("UID", "Name")
_PLAN_KEYS = ("UID", "Name", "TenantUid", "BackupServerUid", "Description",
              "PreFailoverPlanCommandEnabled", "PreFailoverPlanCommand",
              "PostFailoverPlanCommandEnabled", "PostFailoverPlanCommand", "Outcome", "Vms")
_SESSION_KEYS = ("UID", "CloudFailoverPlanUid", "CreationTimeUTC", "EndTimeUTC", "State",
                 "Result", "Progress", "FailureMessage", "Tasks", "Run")
_TASK_KEYS = ("VmName", "VmReplicaPointUid", "CreationTimeUTC", "EndTimeUTC", "State",
              "Result", "Progress", "FailureMessage")


def _read_servers(reader: Reader, docs: list[tuple[str, Any]], data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "BackupServers"):
        reader.unknown_keys(src, _SERVER_KEYS)
        guid = reader.uid(src, "UID", "BackupServer")
        name = reader.value(src, "Name", str, required=True, default="")
        server = BackupServer(
            id=guid or "", name=name,
            description=reader.value(src, "Description", str, default=""),
            port=reader.value(src, "Port", int, default=9392),
            version=reader.value(src, "Version", str, default="12.3.2.4465"),
            wcf_port=reader.value(src, "WcfPort", int, default=9405),
            certificate_thumbprint=reader.value(src, "VbrCertificateThumbprint", str, default=""),
            ip_or_dns_name=reader.value(src, "IpOrDnsName", str, default=name),
        )
        if claim(reader, seen, src, guid):
            data.backup_servers[server.id] = server


def _read_tenants(reader: Reader, docs: list[tuple[str, Any]], data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "CloudTenants"):
        reader.unknown_keys(src, _TENANT_KEYS)
        guid = reader.uid(src, "UID", "CloudTenant")
        name = reader.value(src, "Name", str, required=True, default="")
        if claim(reader, seen, src, guid):
            data.tenants[guid or ""] = CloudTenant(guid or "", name)


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


def _read_plans(reader: Reader, docs: list[tuple[str, Any]], data: DataSet) -> None:
    seen: dict[str, str] = {}
    points_seen: dict[str, str] = {}
    for src in items(reader, docs, "CloudFailoverPlans"):
        reader.unknown_keys(src, _PLAN_KEYS)
        guid = reader.uid(src, "UID", "CloudFailoverPlan")
        name = reader.value(src, "Name", str, required=True, default="")
        tenant_id = reader.uid(src, "TenantUid", "CloudTenant")
        server_id = reader.uid(src, "BackupServerUid", "BackupServer")
        tenant = data.tenants.get(tenant_id or "")
        server = data.backup_servers.get(server_id or "")
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
            data.plans[plan.id] = plan
    data.index_replica_points()


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


def _read_sessions(reader: Reader, docs: list[tuple[str, Any]], data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "CloudFailoverSessions"):
        reader.unknown_keys(src, _SESSION_KEYS)
        guid = reader.uid(src, "UID", "CloudFailoverSession")
        plan_id = reader.uid(src, "CloudFailoverPlanUid", "CloudFailoverPlan")
        plan = data.plans.get(plan_id or "")
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
            point = data.replica_points.get(point_id or "")
            if point_id and point is None:
                reader.error(t_src, "VmReplicaPointUid",
                             f"no replica point has the UID {point_id}")
            tasks.append(CloudFailoverTask(vm_name, point, *_run_fields(reader, t_src)))
        run = read_run(reader, src, src.item.get("State"), "Stopped", "FailureMessage",
                       len(plan.vms) if plan else 0)
        if plan is not None and claim(reader, seen, src, guid):
            data.sessions[guid or ""] = CloudFailoverSession(
                guid or "", plan, created, ended, state, result, progress, message, tasks)
            if run is not None:
                data.plan_runs[guid or ""] = Run(guid or "", plan.id, created, *run)


def _documents(path: Path) -> list[tuple[str, Any]]:
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files:
        raise FixtureError([f"{path}: no *.json fixture files in this directory"])
    documents = []
    errors = []
    for file in files:
        try:
            doc = json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            errors.append(f"{file}: no such file")
            continue
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(f"{file}: cannot be read: {exc}")
            continue
        except json.JSONDecodeError as exc:
            errors.append(f"{file}: $: not valid JSON: {exc.msg} at line {exc.lineno} "
                          f"column {exc.colno}")
            continue
        documents.append((str(file), doc))
    if errors:
        raise FixtureError(errors)
    return documents


def load_documents(documents: list[tuple[str, Any]], clock_start_ms: int) -> DataSet:
    """Validate parsed fixture documents and build the data set (all errors at once).

    ``clock_start_ms`` is the instant an ``Anchor`` stands for.
    """
    reader = Reader()
    anchors = set()
    for file, doc in documents:
        if not isinstance(doc, dict):
            reader.errors.append(f"{file}: $: must be a JSON object")
            continue
        for key in doc:
            if key not in (*SECTIONS, "Format", "Anchor"):
                reader.errors.append(f"{file}: $.{key}: unknown section "
                                     f"(known: Format, Anchor, {', '.join(SECTIONS)})")
        if doc.get("Format", FORMAT) != FORMAT:
            reader.errors.append(f"{file}: $.Format: {doc['Format']!r} is not {FORMAT!r}")
        if "Anchor" in doc:
            anchor = parse_instant_ms(doc["Anchor"]) if isinstance(doc["Anchor"], str) else None
            if anchor is None:
                reader.errors.append(f"{file}: $.Anchor: must be a UTC date-time")
            else:
                anchors.add(anchor)
    if len(anchors) > 1:
        reader.errors.append("fixture files name different Anchor instants; use one")
    documents = [(f, d) for f, d in documents if isinstance(d, dict)]
    data = DataSet()
    if anchors and not reader.errors:
        data.source_anchor_ms = anchors.pop()
        reader.shift_ms = clock_start_ms - data.source_anchor_ms
        data.anchor_ms = clock_start_ms
    _read_servers(reader, documents, data)
    _read_tenants(reader, documents, data)
    _read_plans(reader, documents, data)
    _read_sessions(reader, documents, data)
    infra.read_sections(reader, documents, data)
    if reader.errors:
        raise FixtureError(reader.errors)
    return data


def load_path(path: Path, clock_start_ms: int) -> DataSet:
    """Load a fixture file or a directory of them."""
    return load_documents(_documents(path), clock_start_ms)


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


def _session(s: CloudFailoverSession, run: Run | None, time: TimeWriter) -> dict[str, Any]:
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


def to_document(data: DataSet, now_ms: int | None = None, *, served: bool = False
                ) -> dict[str, Any]:
    """The fixture document for ``data`` with the mock's clock at ``now_ms``.

    ``Anchor`` stands for ``now_ms`` (default: the instant the data was anchored at), so
    the data comes back as old as it is at ``now_ms``. Times are written in the frame of
    the data's source (the file it was loaded from; one fixed frame for generated data),
    so the same data exports the same bytes at any clock; with ``served`` they are
    written as the API serves them instead.
    """
    shift = 0 if served else data.frame_shift_ms
    time = time_writer(shift)
    doc: dict[str, Any] = {"Format": FORMAT}
    if data.anchor_ms is not None:
        doc["Anchor"] = time(data.anchor_ms if now_ms is None else now_ms)
    doc["BackupServers"] = [{
        "UID": urn("BackupServer", s.id), "Name": s.name, "Description": s.description,
        "Port": s.port, "Version": s.version, "WcfPort": s.wcf_port,
        "VbrCertificateThumbprint": s.certificate_thumbprint, "IpOrDnsName": s.ip_or_dns_name,
    } for s in data.backup_servers.values()]
    doc["CloudTenants"] = [{"UID": urn("CloudTenant", t.id), "Name": t.name}
                           for t in data.tenants.values()]
    doc["CloudFailoverPlans"] = [{
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
    } for p in data.plans.values()]
    doc["CloudFailoverSessions"] = [_session(s, data.plan_runs.get(s.id), time)
                                    for s in data.sessions.values()]
    doc.update(infra.write_sections(data, time))
    return doc


def dumps(data: DataSet, now_ms: int | None = None) -> str:
    """The fixture file text for ``data`` (stable: export, load, export is byte-identical)."""
    return json.dumps(to_document(data, now_ms), indent=1, ensure_ascii=False) + "\n"
