"""Fixture sections ``CdpPolicies`` (with their includes and options) and
``CdpReplicaSessions`` (with their ``Tasks``). Replicas follow from the policies."""

from __future__ import annotations

from typing import Any

from em_mock.core.fixtures import Documents, Section, register_sections
from em_mock.core.ids import urn
from em_mock.core.tables import DataSet
from em_mock.core.validate import Reader, Source, TimeWriter, claim, items, sub_items
from em_mock.families.cdp.capture import capture_policies, capture_sessions
from em_mock.families.cdp.model import (
    CDP_POLICIES,
    CDP_SESSIONS,
    OPTION_PATHS,
    PLATFORMS,
    RESULTS,
    SESSION_STATES,
    TASK_STATES,
    VSS_MODES,
    CdpInclude,
    CdpOptions,
    CdpPolicy,
    CdpSession,
    CdpTaskSession,
    CdpVm,
    include_id,
    index_cdp_tasks,
    option_key,
)
from em_mock.families.infrastructure.fixtures import server_of
from em_mock.families.infrastructure.model import BackupServer

_POLICY_KEYS = ("UID", "Name", "BackupServerUid", "Platform", "Description",
                "ScheduleConfigured", "ScheduleEnabled", "NextRun", "Options", "Includes")
_INCLUDE_KEYS = ("Name", "HierarchyObjRef", "VssSnapshotMode", "IsCopyOnly",
                 "UsePersistentGuestAgent", "Vms")
_SESSION_KEYS = ("UID", "PolicyUid", "CreationTimeUTC", "EndTimeUTC", "State", "Result",
                 "Progress", "FailureMessage", "IsRetry", "Tasks")
_TASK_KEYS = ("UID", "VmName", "VmRef", "CreationTimeUTC", "EndTimeUTC", "State", "Result",
              "Reason", "TotalSize")
_DEFAULTS = CdpOptions()


def _read_options(reader: Reader, src: Source) -> CdpOptions:
    options = CdpOptions()
    raw = reader.value(src, "Options", dict, default={})
    opt = Source(src.file, f"{src.path}.Options", raw)
    reader.unknown_keys(opt, tuple(option_key(path) for path, _ in OPTION_PATHS))
    for path, attr in OPTION_PATHS:
        default = getattr(_DEFAULTS, attr)
        value = reader.value(opt, option_key(path), type(default), default=default)
        if not isinstance(value, bool) and value < 0:
            reader.error(opt, option_key(path), "must not be negative")
        setattr(options, attr, value)
    return options


def _read_includes(reader: Reader, src: Source, policy: CdpPolicy) -> None:
    seen: set[str] = set()
    for inc_src in sub_items(reader, src, "Includes"):
        reader.unknown_keys(inc_src, _INCLUDE_KEYS)
        ref = reader.value(inc_src, "HierarchyObjRef", str, required=True, default="")
        if any(inc.ref.lower() == ref.lower() for inc in policy.includes):
            reader.error(inc_src, "HierarchyObjRef", f"{ref} is included twice")
        vms = []
        for vm_src in sub_items(reader, inc_src, "Vms"):
            reader.unknown_keys(vm_src, ("Name", "VmRef"))
            vm_ref = reader.value(vm_src, "VmRef", str, required=True, default="")
            if vm_ref.lower() in seen:
                reader.error(vm_src, "VmRef", f"{vm_ref} is protected twice by the policy")
            seen.add(vm_ref.lower())
            vms.append(CdpVm(reader.value(vm_src, "Name", str, required=True, default=""),
                             vm_ref))
        policy.includes.append(CdpInclude(
            include_id(policy, ref), reader.value(inc_src, "Name", str, required=True,
                                                  default=""), ref, vms,
            reader.choice(inc_src, "VssSnapshotMode", VSS_MODES, required=False,
                          default="Disabled") or "Disabled",
            reader.value(inc_src, "IsCopyOnly", bool, default=True),
            reader.value(inc_src, "UsePersistentGuestAgent", bool, default=False)))


def _read_policies(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "CdpPolicies"):
        reader.unknown_keys(src, _POLICY_KEYS)
        guid = reader.uid(src, "UID", "CdpPolicy")
        server = server_of(reader, src, data)
        policy = CdpPolicy(
            guid or "", reader.value(src, "Name", str, required=True, default=""),
            server or BackupServer("", ""),
            reader.choice(src, "Platform", PLATFORMS, required=False, default="VMware")
            or "VMware",
            reader.value(src, "Description", str, default=""),
            reader.value(src, "ScheduleConfigured", bool, default=True),
            reader.value(src, "ScheduleEnabled", bool, default=True),
            reader.time(src, "NextRun", required=False), _read_options(reader, src))
        _read_includes(reader, src, policy)
        if claim(reader, seen, src, guid) and server is not None:
            CDP_POLICIES.of(data)[policy.id] = policy


def _check_times(reader: Reader, src: Source, state: str | None, created: int | None,
                 ended: int | None, done: str) -> None:
    if created is not None and ended is not None and ended < created:
        reader.error(src, "EndTimeUTC", "is before CreationTimeUTC")
    if (state == done) != (src.item.get("EndTimeUTC") is not None):
        reader.error(src, "EndTimeUTC", f"must be set exactly when State is {done}")


def _read_tasks(reader: Reader, src: Source, session: CdpSession, seen: dict[str, str]) -> None:
    for t_src in sub_items(reader, src, "Tasks"):
        reader.unknown_keys(t_src, _TASK_KEYS)
        guid = reader.uid(t_src, "UID", "CdpReplicaTaskSession")
        created = reader.time(t_src, "CreationTimeUTC")
        ended = reader.time(t_src, "EndTimeUTC", required=False)
        state = reader.choice(t_src, "State", TASK_STATES)
        _check_times(reader, t_src, state, created, ended, "Completed")
        task = CdpTaskSession(
            guid or "", session, reader.value(t_src, "VmName", str, required=True, default=""),
            reader.value(t_src, "VmRef", str, default=""), created or 0, ended,
            state or "Completed", reader.choice(t_src, "Result", RESULTS) or "Success",
            reader.value(t_src, "Reason", str, default=""),
            reader.value(t_src, "TotalSize", int, default=0))
        if claim(reader, seen, t_src, guid):
            session.tasks.append(task)


def _read_sessions(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    tasks_seen: dict[str, str] = {}
    for src in items(reader, docs, "CdpReplicaSessions"):
        reader.unknown_keys(src, _SESSION_KEYS)
        guid = reader.uid(src, "UID", "CdpReplicaSession")
        policy_id = reader.uid(src, "PolicyUid", "CdpPolicy")
        policy = CDP_POLICIES.of(data).get(policy_id or "")
        if policy_id and policy is None:
            reader.error(src, "PolicyUid", f"no CDP policy has the UID {policy_id}")
        created = reader.time(src, "CreationTimeUTC")
        ended = reader.time(src, "EndTimeUTC", required=False)
        state = reader.choice(src, "State", SESSION_STATES)
        _check_times(reader, src, state, created, ended, "Stopped")
        progress = reader.value(src, "Progress", int, default=100 if state == "Stopped" else 0)
        if not 0 <= progress <= 100:
            reader.error(src, "Progress", f"{progress} is outside 0..100")
        if policy is None:
            continue
        session = CdpSession(
            guid or "", policy, created or 0, ended, state or "Stopped",
            reader.choice(src, "Result", RESULTS) or "Success", progress,
            reader.value(src, "FailureMessage", str, default=""),
            reader.value(src, "IsRetry", bool, default=False))
        _read_tasks(reader, src, session, tasks_seen)
        if claim(reader, seen, src, guid):
            CDP_SESSIONS.of(data)[session.id] = session
    index_cdp_tasks(data)


def _write_policies(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{
        "UID": urn("CdpPolicy", p.id), "Name": p.name,
        "BackupServerUid": urn("BackupServer", p.backup_server.id), "Platform": p.platform,
        "Description": p.description, "ScheduleConfigured": p.schedule_configured,
        "ScheduleEnabled": p.schedule_enabled, "NextRun": time(p.next_run_ms),
        "Options": {option_key(path): getattr(p.options, attr) for path, attr in OPTION_PATHS},
        "Includes": [{
            "Name": inc.name, "HierarchyObjRef": inc.ref, "VssSnapshotMode": inc.vss_mode,
            "IsCopyOnly": inc.copy_only, "UsePersistentGuestAgent": inc.persistent_agent,
            "Vms": [{"Name": vm.name, "VmRef": vm.ref} for vm in inc.vms],
        } for inc in p.includes],
    } for p in CDP_POLICIES.of(data).values()]


def _task(t: CdpTaskSession, time: TimeWriter) -> dict[str, Any]:
    return {"UID": urn("CdpReplicaTaskSession", t.id), "VmName": t.vm_name, "VmRef": t.vm_ref,
            "CreationTimeUTC": time(t.creation_ms), "EndTimeUTC": time(t.end_ms),
            "State": t.state, "Result": t.result, "Reason": t.reason,
            "TotalSize": t.total_size}


def _write_sessions(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{
        "UID": urn("CdpReplicaSession", s.id), "PolicyUid": urn("CdpPolicy", s.policy.id),
        "CreationTimeUTC": time(s.creation_ms), "EndTimeUTC": time(s.end_ms),
        "State": s.state, "Result": s.result, "Progress": s.progress,
        "FailureMessage": s.failure_message, "IsRetry": s.is_retry,
        "Tasks": [_task(t, time) for t in s.tasks],
    } for s in CDP_SESSIONS.of(data).values()]


register_sections(
    Section("CdpPolicies", 210, _read_policies, _write_policies, capture=capture_policies),
    Section("CdpReplicaSessions", 211, _read_sessions, _write_sessions,
            capture=capture_sessions),
)

