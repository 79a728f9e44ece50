"""Reading the ``CdpPolicies`` and ``CdpReplicaSessions`` sections back from a live server
(``em-mock capture``).

A policy's own fields and options come from the ``CdpPolicy`` query type, with its
includes; the VMs of an include from the replica VMs (``/cdpReplica/vms``: a VM include's
one VM) and, for a vCloud vApp, from its vApp replica's ``vms`` (one request per vApp: no
list shows which vApp a VM belongs to). Sessions come from the ``CdpReplicaSession`` query
type and their tasks from ``CdpReplicaTaskSession`` (filtered to ``--since``); a task
names its VM by display name only (its ``Name`` is ``<VM>@<time>``), and its VM reference
is the policy's VM of that name.
"""

from __future__ import annotations

from typing import Any

from em_mock.core.capture import Walk, guid_of, link_id, server_uid, time_of
from em_mock.core.ids import urn
from em_mock.families.cdp.model import OPTION_PATHS, option_key


def _options(p: dict[str, Any]) -> dict[str, Any]:
    root = (p.get("PolicyScheduleOptions") or {}).get("CdpReplica") or {}
    out = {}
    for path, _attr in OPTION_PATHS:
        value: Any = root
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if value is not None:
            out[option_key(path)] = value
    return out


def _policy_vms(walk: Walk) -> dict[str, list[dict[str, Any]]]:
    """Every policy's replica VMs (name and reference), by policy id, in its order."""
    by_policy: dict[str, list[dict[str, Any]]] = {}
    for vm in walk.entities("cdpReplica/vms"):
        by_policy.setdefault(guid_of(vm.get("PolicyUid")), []).append(
            {"Name": vm.get("Name"), "VmRef": vm.get("VmRef")})
    return by_policy


def _vapp_vms(walk: Walk) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Every vApp replica's VMs, by (policy id, vApp reference lower-cased)."""
    out = {}
    for vapp in walk.entities("cdpReplica/vApps"):
        vms = walk.entities(f"cdpReplica/vApps/{guid_of(vapp.get('UID'))}/vms")
        out[(guid_of(vapp.get("PolicyUid")), str(vapp.get("VAppRef")).lower())] = [
            {"Name": vm.get("Name"), "VmRef": vm.get("VmRef")} for vm in vms]
    return out


def _includes(p: dict[str, Any]) -> list[dict[str, Any]]:
    info = (p.get("CdpPolicyInfo") or {}).get("CdpReplicaPolicyInfo") or {}
    return [i for i in info.get("Includes") or () if isinstance(i, dict)]


def capture_policies(walk: Walk) -> list[dict[str, Any]]:
    """The ``CdpPolicies`` section."""
    policies = walk.query("CdpPolicy")
    vms = _policy_vms(walk)
    vapps = _vapp_vms(walk) if any(":vapp:" in str(i.get("HierarchyObjRef")).lower()
                                   for p in policies for i in _includes(p)) else {}
    out = []
    for p in policies:
        policy_id = guid_of(p.get("UID"))
        own = {str(vm["VmRef"]).lower(): vm for vm in vms.get(policy_id, [])}
        includes = []
        for inc in _includes(p):
            ref = str(inc.get("HierarchyObjRef"))
            vss = (inc.get("GuestProcessingOptions") or {}).get("VssSnapshotOptions") or {}
            members = vapps.get((policy_id, ref.lower())) if ":vapp:" in ref.lower() else \
                [own[ref.lower()]] if ref.lower() in own else []
            includes.append({
                "Name": inc.get("Name"), "HierarchyObjRef": ref,
                "VssSnapshotMode": vss.get("VssSnapshotMode"), "IsCopyOnly": vss.get("IsCopyOnly"),
                "UsePersistentGuestAgent": vss.get("UsePersistentGuestAgent"),
                "Vms": members or []})
        out.append({
            "UID": urn("CdpPolicy", policy_id), "Name": p.get("Name"),
            "BackupServerUid": server_uid(p), "Platform": p.get("Platform"),
            "Description": p.get("Description"),
            "ScheduleConfigured": p.get("ScheduleConfigured"),
            "ScheduleEnabled": p.get("ScheduleEnabled"), "NextRun": time_of(p.get("NextRun")),
            "Options": _options(p), "Includes": includes,
        })
    return out


def capture_sessions(walk: Walk) -> list[dict[str, Any]]:
    """The ``CdpReplicaSessions`` section."""
    since = walk.sessions_filter("CreationTimeUTC")
    sessions = walk.query("CdpReplicaSession", since)
    if not sessions:
        return []
    refs: dict[tuple[str, str], str] = {}
    for policy_id, members in _policy_vms(walk).items():
        refs.update({(policy_id, str(vm["Name"])): str(vm["VmRef"]) for vm in members})
    tasks: dict[str, list[dict[str, Any]]] = {}
    for t in walk.query("CdpReplicaTaskSession", since):
        tasks.setdefault(guid_of(t.get("PolicySessionUid")), []).append(t)
    out = []
    for s in sessions:
        policy_id = guid_of(s.get("PolicyUid")) or link_id(s, "CdpPolicyReference", "Up") or ""
        rows = []
        for t in tasks.get(guid_of(s.get("UID")), []):
            vm_name = str(t.get("Name") or "").rpartition("@")[0]
            rows.append({
                "UID": urn("CdpReplicaTaskSession", guid_of(t.get("UID"))), "VmName": vm_name,
                "VmRef": refs.get((policy_id, vm_name), ""),
                "CreationTimeUTC": time_of(t.get("CreationTimeUTC")),
                "EndTimeUTC": time_of(t.get("EndTimeUTC")), "State": t.get("State"),
                "Result": t.get("Result"), "Reason": t.get("Reason"),
                "TotalSize": t.get("TotalSize")})
        out.append({
            "UID": urn("CdpReplicaSession", guid_of(s.get("UID"))),
            "PolicyUid": urn("CdpPolicy", policy_id),
            "CreationTimeUTC": time_of(s.get("CreationTimeUTC")),
            "EndTimeUTC": time_of(s.get("EndTimeUTC")), "State": s.get("State"),
            "Result": s.get("Result"), "Progress": s.get("Progress"),
            "FailureMessage": s.get("FailureMessage"), "IsRetry": s.get("IsRetry"),
            "Tasks": rows})
    return out
