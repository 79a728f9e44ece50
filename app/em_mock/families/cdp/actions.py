"""CDP actions, each as its documentation page answers:

- ``POST /cdpPolicies/{id}?action=enable|disable`` and ``PUT /cdpPolicies/{id}`` (a
  ``CdpPolicy`` body): 202 and a ``Task``; the change is made at once.
- ``POST /cdpPolicies/{id}/includes`` (``CreateObjectInJobSpec``) and
  ``DELETE /cdpPolicies/{id}/includes/{id}``: 202 and a ``Task``.
- ``POST /cdpReplicas/{id}/vms/{id}`` and ``POST /cdpReplica/vApps/{id}``:
  ``?action=failover`` (``CdpFailoverStartSpec``) answers 202 and a ``Task``;
  ``?action=intervals`` (``CdpIntervalsSpec``) answers 200 and ``CdpReplicaIntervals``.

Bodies are XML or JSON; anything wrong in them is a 400 that names it.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from lxml import etree
from starlette.responses import Response

from em_mock.core.errors import bad_request
from em_mock.core.http.actions import no_body_action, spec_tree, task_node
from em_mock.core.http.deps import CurrentSession, RuntimeDep, WireDep
from em_mock.core.registry import register_router
from em_mock.core.runtime import Runtime
from em_mock.core.simulation import EmTask
from em_mock.core.times import parse_instant_us
from em_mock.families.cdp.intervals import availability, intervals_node
from em_mock.families.cdp.model import (
    CDP_SESSIONS,
    OPTION_PATHS,
    VSS_MODES,
    CdpInclude,
    CdpPolicy,
    CdpSession,
    CdpTaskSession,
    CdpVm,
    include_id,
    index_cdp_tasks,
)
from em_mock.families.cdp.routes import include_of, policy_of, replica_vm_of, vapp_of

router = register_router(APIRouter())

# Read-only members of a fetched entity a client may send back unchanged.
_ENTITY_ECHO = ("Links", "Href", "Type", "Name", "UID", "PolicyType", "Platform",
                "CdpPolicyInfo")
_EDITABLE = ("Description", "ScheduleConfigured", "ScheduleEnabled", "NextRun",
             "PolicyScheduleOptions")
# Blocks of the options that need their Enabled flag (the page's one required field).
_SWITCHED = ("RPOSchedule", "LongTermRetentionSchedule", "MarkAsWarning", "MarkAsFailed")
_SCHEDULE_CHILDREN = ("Enabled", "TimePeriods", "Schedule")
_MAX_INT = (1 << 63) - 1


def _body_tree(body: bytes, content_type: str, spec: str) -> dict[str, Any]:
    """The spec's members; XML ``Enabled`` attributes (``<RPOSchedule Enabled="true">``)
    count as members, as they are in JSON."""
    tree = spec_tree(body, content_type, spec)
    if "json" in content_type.lower():
        return tree
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(body, parser)  # spec_tree accepted it
    for element in root.iter():
        if (element is root or not isinstance(element.tag, str)
                or element.get("Enabled") is None):
            continue
        path = []
        node = element
        while node is not root:
            path.append(etree.QName(node).localname)
            node = node.getparent()
        holder: Any = tree
        for key in reversed(path[1:]):
            holder = holder.get(key) if isinstance(holder, dict) else None
        name = path[0]
        if isinstance(holder, dict):
            inner = holder.get(name)
            inner = inner if isinstance(inner, dict) else {}
            inner.setdefault("Enabled", element.get("Enabled", ""))
            holder[name] = inner
    return tree


def _text(value: Any, where: str) -> str:
    if isinstance(value, (dict, list)):
        raise bad_request(f"{where} must be a single value.")
    return str(value).strip()


def _flag(value: Any, where: str) -> bool:
    text = _text(value, where).lower()
    if text not in ("true", "false"):
        raise bad_request(f"{where} must be true or false, not {text!r}.")
    return text == "true"


def _count(value: Any, where: str) -> int:
    text = _text(value, where)
    if not text.isascii() or not text.isdigit() or int(text) > _MAX_INT:
        raise bad_request(f"{where} must be a whole number from 0, not {text!r}.")
    return int(text)


def _instant(value: Any, where: str) -> int:
    text = _text(value, where)
    us = parse_instant_us(text)
    if us is None:
        raise bad_request(f"{where} {text!r} is not a date-time.")
    return us // 1000


def _block(value: Any, where: str) -> dict[str, Any]:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise bad_request(f"{where} must be an element with fields.")
    return value


def _unknown(block: dict[str, Any], known: tuple[str, ...], where: str) -> None:
    extra = sorted(set(block) - set(known))
    if extra:
        raise bad_request(f"{where} has no field {extra[0]!r} (known: {', '.join(known)}).")


def _options(raw: Any) -> dict[str, bool | int]:
    """The options a ``PolicyScheduleOptions`` sets, by attribute name."""
    where = "PolicyScheduleOptions"
    block = _block(raw, where)
    if set(block) == {"CdpReplica"}:
        block, where = _block(block["CdpReplica"], f"{where}/CdpReplica"), f"{where}/CdpReplica"
    _unknown(block, tuple(dict.fromkeys(path[0] for path, _ in OPTION_PATHS)), where)
    reporting = _block(block.get("RPOReporting"), f"{where}/RPOReporting")
    _unknown(reporting, ("MarkAsWarning", "MarkAsFailed"), f"{where}/RPOReporting")
    for name in _SWITCHED:
        inner_where = f"{where}/{name}"
        inner = _block(reporting.get(name) if name.startswith("Mark") else block.get(name),
                       inner_where)
        if not inner:
            continue
        _unknown(inner, ("Enabled", "RPOThresholdSeconds", "RPOThresholdMinutes")
                 if name.startswith("Mark") else _SCHEDULE_CHILDREN, inner_where)
        if inner.get("Enabled") in (None, ""):
            raise bad_request(f"{inner_where}: Enabled is required.")
    out: dict[str, bool | int] = {}
    for path, attr in OPTION_PATHS:
        value: Any = block
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if value is None:
            continue
        name = f"{where}/{'/'.join(path)}"
        out[attr] = _flag(value, name) if attr.endswith("enabled") else _count(value, name)
    return out


def _stop_sessions(rt: Runtime, policy: CdpPolicy, now: int) -> None:
    """A disabled policy's working session stops, its tasks complete."""
    for s in CDP_SESSIONS.of(rt.store.data).values():
        if s.policy is policy and s.state != "Stopped":
            s.state, s.end_ms, s.progress = "Stopped", now, 100
            for t in s.tasks:
                t.state, t.end_ms = "Completed", now


def _start_session(rt: Runtime, policy: CdpPolicy, now: int) -> None:
    """An enabled policy starts replicating again: a new working session, a task per VM."""
    session = CdpSession(str(uuid.uuid4()), policy, now, None, "Working", "Success", 0)
    session.tasks = [CdpTaskSession(str(uuid.uuid4()), session, vm.name, vm.ref, now, None,
                                    "InProgress", "Success") for vm in policy.vms()]
    CDP_SESSIONS.of(rt.store.data)[session.id] = session
    index_cdp_tasks(rt.store.data)


def _task(rt: Runtime, me: str, operation: str, ok: bool, message: str,
          policy: CdpPolicy | None = None) -> EmTask:
    related = None if policy is None else ("CdpPolicy", f"cdpPolicies/{policy.id}")
    return rt.simulation.task(me, operation, rt.clock.now_ms(), ok, message, related,
                              None if policy is None else policy.name)


@router.post("/api/cdppolicies/{policy_id}")
async def enable_or_disable(policy_id: str, request: Request, me: CurrentSession,
                            rt: RuntimeDep, out: WireDep) -> Response:
    """Enable or disable a CDP policy: 202 and a ``Task``."""
    action = no_body_action(request, ("enable", "disable"))
    policy = policy_of(rt, policy_id)
    enable = action == "enable"
    operation = "EnableCdpPolicy" if enable else "DisableCdpPolicy"
    if policy.schedule_enabled == enable:
        task = _task(rt, me.id, operation, False,
                     f'CDP policy "{policy.name}" is already {action}d.', policy)
    else:
        now = rt.clock.now_ms()
        policy.schedule_enabled = enable
        policy.next_run_ms = now + policy.options.rpo_ms if enable else None
        if enable:
            _start_session(rt, policy, now)
        else:
            _stop_sessions(rt, policy, now)
        rt.store.changed()
        task = _task(rt, me.id, operation, True, f'CDP policy "{policy.name}" was {action}d.',
                     policy)
    return out.send(task_node(task, out.ctx, rt.clock.now_ms()), 202)


@router.put("/api/cdppolicies/{policy_id}")
async def edit_policy(policy_id: str, request: Request, me: CurrentSession, rt: RuntimeDep,
                      out: WireDep) -> Response:
    """Change a CDP policy's description, schedule and options: 202 and a ``Task``."""
    policy = policy_of(rt, policy_id)
    spec = _body_tree(await request.body(), request.headers.get("content-type", ""),
                      "CdpPolicy")
    _unknown(spec, (*_EDITABLE, *_ENTITY_ECHO), "The CdpPolicy")
    changes: dict[str, Any] = {}
    if "Description" in spec:
        changes["description"] = _text(spec["Description"], "Description")
    for key, attr in (("ScheduleConfigured", "schedule_configured"),
                      ("ScheduleEnabled", "schedule_enabled")):
        if key in spec:
            changes[attr] = _flag(spec[key], key)
    if spec.get("NextRun") not in (None, ""):
        changes["next_run_ms"] = _instant(spec["NextRun"], "NextRun")
    options = _options(spec.get("PolicyScheduleOptions"))
    rpo = (options.get("rpo_minutes", policy.options.rpo_minutes) * 60
           + options.get("rpo_seconds", policy.options.rpo_seconds))
    if rpo < 2:
        raise bad_request("PolicyScheduleOptions: the recovery point objective must be at "
                          "least 2 seconds.")
    for attr, value in changes.items():
        setattr(policy, attr, value)
    for attr, value in options.items():
        setattr(policy.options, attr, value)
    rt.store.changed()
    task = _task(rt, me.id, "EditCdpPolicy", True, f'CDP policy "{policy.name}" was changed.',
                 policy)
    return out.send(task_node(task, out.ctx, rt.clock.now_ms()), 202)


def _guest(raw: Any) -> tuple[str, bool, bool]:
    where = "GuestProcessingOptions"
    block = _block(raw, where)
    _unknown(block, ("VssSnapshotOptions", "WindowsCredentialsId", "LinuxCredentialsId"), where)
    vss = _block(block.get("VssSnapshotOptions"), f"{where}/VssSnapshotOptions")
    _unknown(vss, ("VssSnapshotMode", "IsCopyOnly", "UsePersistentGuestAgent"),
             f"{where}/VssSnapshotOptions")
    mode = _text(vss.get("VssSnapshotMode", "Disabled"), "VssSnapshotMode") or "Disabled"
    if mode not in VSS_MODES:
        raise bad_request(f"VssSnapshotMode must be one of {', '.join(VSS_MODES)}, not "
                          f"{mode!r}.")
    copy_only = vss.get("IsCopyOnly") in (None, "") or _flag(vss["IsCopyOnly"], "IsCopyOnly")
    persistent = (vss.get("UsePersistentGuestAgent") not in (None, "")
                  and _flag(vss["UsePersistentGuestAgent"], "UsePersistentGuestAgent"))
    return mode, copy_only, persistent


def _object_kind(ref: str, policy: CdpPolicy) -> str:
    """``Vm`` or ``Vapp``: what a hierarchy reference names, if the policy can protect it."""
    parts = ref.split(":")
    platform = "vCloud" if policy.platform == "vCloud" else "VMware"
    allowed = ("Vm", "Vapp") if platform == "vCloud" else ("Vm",)
    if (len(parts) < 4 or parts[0] != "urn" or parts[1] != platform or parts[2] not in allowed
            or not parts[3]):
        kinds = " or ".join(f"urn:{platform}:{k}:<id>" for k in allowed)
        raise bad_request(f"HierarchyObjRef {ref!r} is not an object this {policy.platform} "
                          f"policy can protect ({kinds}).")
    return parts[2]


@router.post("/api/cdppolicies/{policy_id}/includes")
async def add_include(policy_id: str, request: Request, me: CurrentSession, rt: RuntimeDep,
                      out: WireDep) -> Response:
    """Add a VM (or vApp) to a CDP policy: 202 and a ``Task``."""
    policy = policy_of(rt, policy_id)
    spec = spec_tree(await request.body(), request.headers.get("content-type", ""),
                     "CreateObjectInJobSpec")
    _unknown(spec, ("HierarchyObjRef", "HierarchyObjName", "GuestProcessingOptions"),
             "The CreateObjectInJobSpec")
    ref = _text(spec.get("HierarchyObjRef", ""), "HierarchyObjRef")
    name = _text(spec.get("HierarchyObjName", ""), "HierarchyObjName")
    if not ref or not name:
        raise bad_request("The CreateObjectInJobSpec needs HierarchyObjRef and "
                          "HierarchyObjName.")
    kind = _object_kind(ref, policy)
    mode, copy_only, persistent = _guest(spec.get("GuestProcessingOptions"))
    taken = {inc.ref.lower() for inc in policy.includes} | {
        vm.ref.lower() for vm in policy.vms()}
    if ref.lower() in taken:
        task = _task(rt, me.id, "AddObjectToCdpPolicy", False,
                     f'"{name}" is already protected by CDP policy "{policy.name}".', policy)
    else:
        vms = [CdpVm(name, ref)] if kind == "Vm" else []
        policy.includes.append(CdpInclude(include_id(policy, ref), name, ref, vms, mode,
                                          copy_only, persistent))
        rt.store.changed()
        task = _task(rt, me.id, "AddObjectToCdpPolicy", True,
                     f'"{name}" was added to CDP policy "{policy.name}".', policy)
    return out.send(task_node(task, out.ctx, rt.clock.now_ms()), 202)


@router.delete("/api/cdppolicies/{policy_id}/includes/{object_id}")
async def remove_include(policy_id: str, object_id: str, me: CurrentSession, rt: RuntimeDep,
                         out: WireDep) -> Response:
    """Remove an object from a CDP policy: 202 and a ``Task``."""
    policy = policy_of(rt, policy_id)
    inc = include_of(policy, object_id)
    policy.includes.remove(inc)
    rt.store.changed()
    task = _task(rt, me.id, "RemoveObjectFromCdpPolicy", True,
                 f'"{inc.name}" was removed from CDP policy "{policy.name}".', policy)
    return out.send(task_node(task, out.ctx, rt.clock.now_ms()), 202)


async def _replica_action(request: Request, rt: Runtime, me: str, out: WireDep,
                          policy: CdpPolicy, refs: list[str], name: str) -> Response:
    action = no_body_action(request, ("failover", "intervals"))
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    now = rt.clock.now_ms()
    found = availability(rt.store, policy, refs, now)
    if action == "intervals":
        spec = spec_tree(body, content_type, "CdpIntervalsSpec")
        _unknown(spec, ("StartDate", "EndDate"), "The CdpIntervalsSpec")
        if spec.get("StartDate") in (None, "") or spec.get("EndDate") in (None, ""):
            raise bad_request("The CdpIntervalsSpec needs StartDate and EndDate.")
        start, end = _instant(spec["StartDate"], "StartDate"), _instant(spec["EndDate"],
                                                                        "EndDate")
        if end < start:
            raise bad_request("EndDate is before StartDate.")
        return out.send(intervals_node(found, start, end))
    spec = spec_tree(body, content_type, "CdpFailoverStartSpec")
    _unknown(spec, ("RestoreCurrent", "RestoreCurrentVss", "RestoreAtInterval",
                    "RestoreAtPointinTime"), "The CdpFailoverStartSpec")
    for key in ("RestoreCurrent", "RestoreCurrentVss"):
        if spec.get(key) in (None, ""):
            raise bad_request(f"The CdpFailoverStartSpec: {key} is required.")
    chosen = [key for key in ("RestoreCurrent", "RestoreCurrentVss")
              if _flag(spec[key], key)]
    moments = {key: _instant(spec[key], key) for key in ("RestoreAtInterval",
                                                         "RestoreAtPointinTime")
               if spec.get(key) not in (None, "")}
    if len(chosen) + len(moments) != 1:
        raise bad_request("The CdpFailoverStartSpec must choose one state: RestoreCurrent, "
                          "RestoreCurrentVss, RestoreAtInterval or RestoreAtPointinTime.")
    if "RestoreCurrentVss" in chosen and not found.consistent:
        raise bad_request(f"{name} has no application-consistent state to fail over to.")
    for key, at in moments.items():
        if not found.covers(at):
            raise bad_request(f"{key}: {name} cannot be restored to that moment; ask "
                              "action=intervals for the available ones.")
    ok = bool(found.spans)
    message = (f'Failover of "{name}" started.' if ok
               else f'"{name}" has no replicated state to fail over to.')
    task = _task(rt, me, "CdpFailover", ok, message)
    return out.send(task_node(task, out.ctx, now), 202)


@router.post("/api/cdpreplicas/{replica_id}/vms/{vm_id}")
async def replica_vm_action(replica_id: str, vm_id: str, request: Request, me: CurrentSession,
                            rt: RuntimeDep, out: WireDep) -> Response:
    """Fail a replica VM over, or list the intervals it can be restored to."""
    vm = replica_vm_of(rt, replica_id, vm_id)
    return await _replica_action(request, rt, me.id, out, vm.replica.policy, [vm.vm.ref],
                                 vm.vm.name)


@router.post("/api/cdpreplica/vapps/{vapp_id}")
async def vapp_action(vapp_id: str, request: Request, me: CurrentSession, rt: RuntimeDep,
                      out: WireDep) -> Response:
    """Fail a vApp replica over, or list the intervals it can be restored to."""
    vapp = vapp_of(rt, vapp_id)
    return await _replica_action(request, rt, me.id, out, vapp.replica.policy,
                                 [v.vm.ref for v in vapp.vms], vapp.include.name)
