"""What changes Enterprise Manager accounts: add and remove accounts, toggle their
"restore all VMs" setting, give and take roles, add and remove restore scope objects,
and rebuild the scopes.

Statuses follow each action's page: adding an account answers 201 with no body (its
``Location`` names it); adding a role to an account 201 with the ``EnterpriseAccountInRole``;
adding a scope object 202 with a ``Task``; a scope rebuild 201 with a ``Task``; toggles
and removals 204. Bodies are XML or JSON; anything wrong in them is a 400 that names it.

Policies where the pages leave it open: account names are unique (any case); an account
keeps at least one role; a new scope object is ``Unprocessed`` until a rebuild
(``RebuildAll`` or ``RebuildUnprocessed``; ``RebuildForCurrentUser`` processes the
accounts named like the logged-on user) marks it ``Processed``.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from em_mock.core.errors import EMError, bad_request
from em_mock.core.http.actions import spec_items, spec_tree, task_node
from em_mock.core.http.deps import CurrentSession, RuntimeDep, WireDep, query_params
from em_mock.core.registry import register_router
from em_mock.core.runtime import Runtime
from em_mock.families.infrastructure.model import HIERARCHY_ROOTS
from em_mock.families.jobs.model import JOBS
from em_mock.families.security.model import (
    ACCOUNT_TYPES,
    ACCOUNTS,
    ROLES,
    EnterpriseAccount,
    EnterpriseRole,
    HierarchyScope,
)
from em_mock.families.security.routes import account_of, scope_of
from em_mock.families.security.shapes import ACCOUNTS_PATH, account_in_role

router = register_router(APIRouter())

CREATE_SPEC = "EnterpriseAccountCreateSpec"
_CREATE_FIELDS = ("AccountType", "AccountName", "Roles", "AllowRestoreAllVms",
                  "HierarchyScopeObjects", "FlrSettings", "SqlSettings")
ROLE_SPEC = "EnterpriseAccountInRoleCreateSpec"
SCOPE_SPEC = "HierarchyScopeCreateSpec"
REBUILD_SPEC = "RebuildScopeJobSpec"
_REBUILDS = ("RebuildAll", "RebuildUnprocessed", "RebuildForCurrentUser")
# urn:<Platform>:<ObjectType>:<host>.<object>, as hierarchy references are written.
_PLATFORMS = {"vmware": "VMware", "hyperv": "Hyperv", "vcloud": "vCloud"}


def _text(tree: dict[str, Any], name: str, spec: str, *, required: bool) -> str | None:
    raw = tree.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise bad_request(f"The {spec} needs {name}.")
        return None
    if not isinstance(raw, str):
        raise bad_request(f"{spec}: {name} must be a single value.")
    return raw.strip()


def _bool(tree: dict[str, Any], name: str, spec: str, *, required: bool) -> bool | None:
    raw = _text(tree, name, spec, required=required)
    if raw is None:
        return None
    if raw.lower() not in ("true", "false"):
        raise bad_request(f"{spec}: {name} must be true or false, not {raw!r}.")
    return raw.lower() == "true"


def _unknown(tree: dict[str, Any], known: tuple[str, ...], spec: str) -> None:
    extra = sorted(set(tree) - set(known))
    if extra:
        raise bad_request(f"The {spec} has no field {extra[0]!r} (known fields: "
                          f"{', '.join(known)}).")


def _role(rt: Runtime, raw: Any, spec: str) -> EnterpriseRole:
    if not isinstance(raw, str) or not raw.strip():
        raise bad_request(f"The {spec} needs an EnterpriseRoleUid.")
    role: EnterpriseRole | None = ROLES.of(rt.store.data).get(raw.strip().rsplit(":", 1)[-1]
                                                              .lower())
    if role is None:
        raise bad_request(f"{spec}: no enterprise role has the UID {raw.strip()!r}.")
    return role


def _scope(rt: Runtime, tree: Any, spec: str) -> HierarchyScope:
    """A scope object from ``HierarchyObjRef`` (required) and ``ObjectName``."""
    if not isinstance(tree, dict):
        raise bad_request(f"{spec}: a scope object needs a HierarchyObjRef.")
    _unknown(tree, ("HierarchyObjRef", "ObjectName"), spec)
    ref = _text(tree, "HierarchyObjRef", spec, required=True) or ""
    parts = ref.split(":", 3)
    if len(parts) != 4 or parts[0].lower() != "urn" or parts[1].lower() not in _PLATFORMS \
            or not parts[2] or not parts[3]:
        raise bad_request(f"{spec}: {ref!r} is not a hierarchy reference "
                          "(urn:<VMware|HyperV|vCloud>:<type>:<host>.<object>).")
    name = _text(tree, "ObjectName", spec, required=False) or parts[3].rsplit(".", 1)[-1]
    root_name = ""
    for job in JOBS.rows(rt.store):
        if any(vm.uid == ref for vm in job.vms):
            root = next((m for m in HIERARCHY_ROOTS.rows(rt.store)
                         if m.backup_server is job.backup_server), None)
            root_name = root.name if root is not None else ""
            name = _text(tree, "ObjectName", spec, required=False) or next(
                vm.name for vm in job.vms if vm.uid == ref)
            break
    return HierarchyScope(str(uuid.uuid4()), name, ref, root_name, _PLATFORMS[parts[1].lower()],
                          parts[2])


def _account_name(kind: str, name: str) -> None:
    if kind in ("User", "Group"):
        domain, _, user = name.partition("\\")
        if not domain or not user:
            raise bad_request(f"{CREATE_SPEC}: a {kind} account's name is DOMAIN\\Name, not "
                              f"{name!r}.")
    elif kind == "ExternalUser" and "@" not in name.strip("@"):
        raise bad_request(f"{CREATE_SPEC}: an ExternalUser account's name is user@suffix, not "
                          f"{name!r}.")


def new_account(rt: Runtime, tree: dict[str, Any]) -> EnterpriseAccount:
    """The account an ``EnterpriseAccountCreateSpec`` describes, checked (not stored)."""
    spec = CREATE_SPEC
    _unknown(tree, _CREATE_FIELDS, spec)
    kind = _text(tree, "AccountType", spec, required=True) or ""
    if kind not in ACCOUNT_TYPES:
        raise bad_request(f"{spec}: AccountType must be one of {', '.join(ACCOUNT_TYPES)}, not "
                          f"{kind!r}.")
    name = _text(tree, "AccountName", spec, required=True) or ""
    _account_name(kind, name)
    if any(a.name.lower() == name.lower() for a in ACCOUNTS.of(rt.store.data).values()):
        raise bad_request(f"{spec}: an account named {name!r} exists already.")
    raw_roles = tree.get("Roles")
    entries = spec_items(raw_roles, "EnterpriseRoles", "EnterpriseRole")
    if not entries:
        raise bad_request(f"The {spec} needs Roles with at least one EnterpriseRoleUid.")
    roles: list[EnterpriseRole] = []
    for entry in entries:
        uid = entry.get("EnterpriseRoleUid") if isinstance(entry, dict) else None
        role = _role(rt, uid, spec)
        if role not in roles:
            roles.append(role)
    allow_all = _bool(tree, "AllowRestoreAllVms", spec, required=True)
    scopes = [_scope(rt, item, spec) for item in spec_items(
        tree.get("HierarchyScopeObjects"), "HierarchyScopeItems", "HierarchyScopeItem")]
    if allow_all is False and not scopes:
        raise bad_request(f"{spec}: an account that may not restore all VMs needs "
                          "HierarchyScopeObjects.")
    flr = tree.get("FlrSettings")
    flr_only, flr_ext = False, ""
    if flr is not None:
        if not isinstance(flr, dict):
            raise bad_request(f"{spec}: FlrSettings needs FlrInplaceOnly.")
        _unknown(flr, ("FlrInplaceOnly", "FlrExtentionRestrictions"), "FlrSettings")
        flr_only = bool(_bool(flr, "FlrInplaceOnly", "FlrSettings", required=True))
        flr_ext = _text(flr, "FlrExtentionRestrictions", "FlrSettings", required=False) or ""
    sql = tree.get("SqlSettings")
    deny = False
    if sql is not None:
        if not isinstance(sql, dict):
            raise bad_request(f"{spec}: SqlSettings needs DenyInPlaceRestore.")
        _unknown(sql, ("DenyInPlaceRestore",), "SqlSettings")
        deny = bool(_bool(sql, "DenyInPlaceRestore", "SqlSettings", required=True))
    return EnterpriseAccount(str(uuid.uuid4()), name, kind, roles, bool(allow_all), flr_only,
                             flr_ext, deny, scopes)


def rebuild(rt: Runtime, tree: dict[str, Any], user: str) -> int:
    """Process the scope objects a ``RebuildScopeJobSpec`` names: how many it processed."""
    _unknown(tree, _REBUILDS, REBUILD_SPEC)
    chosen = [name for name in _REBUILDS if name in tree]
    if len(chosen) != 1:
        raise bad_request(f"The {REBUILD_SPEC} needs exactly one of {', '.join(_REBUILDS)}.")
    value = tree[chosen[0]]
    if isinstance(value, str) and value.strip().lower() == "false":
        raise bad_request(f"{REBUILD_SPEC}: {chosen[0]} is false; name the rebuild to run.")
    accounts = list(ACCOUNTS.of(rt.store.data).values())
    if chosen[0] == "RebuildForCurrentUser":
        accounts = [a for a in accounts if a.name.lower().rpartition("\\")[2] == user.lower()]
    done = 0
    for account in accounts:
        for scope in account.scopes:
            if chosen[0] != "RebuildUnprocessed" or scope.state == "Unprocessed":
                scope.state = "Processed"
                done += 1
    return done


@router.post("/api/security/accounts")
async def add_account_or_rebuild(request: Request, me: CurrentSession, rt: RuntimeDep,
                                 out: WireDep) -> Response:
    """Add an account (201, no body), or with ``?action=rebuildScope`` rebuild the restore
    scopes (201 and a ``Task``)."""
    action = (query_params(request).get("action") or "").lower()
    body, content_type = await request.body(), request.headers.get("content-type", "")
    if action == "rebuildscope":
        done = rebuild(rt, spec_tree(body, content_type, REBUILD_SPEC), me.user)
        rt.store.changed()
        now = rt.clock.now_ms()
        task = rt.simulation.task(me.id, "RebuildScope", now, True,
                                  f"Restore scopes rebuilt: {done} objects processed.")
        return out.send(task_node(task, out.ctx, now), 201)
    if action:
        raise bad_request("Parameter action must be rebuildScope (or left out to add an "
                          "account).")
    account = new_account(rt, spec_tree(body, content_type, CREATE_SPEC))
    ACCOUNTS.of(rt.store.data)[account.id] = account
    rt.store.changed()
    return Response(status_code=201,
                    headers={"Location": out.ctx.api(f"{ACCOUNTS_PATH}/{account.id}")})


@router.post("/api/security/accounts/{account_id}")
async def toggle_restore_all(account_id: str, request: Request, _: CurrentSession,
                             rt: RuntimeDep) -> Response:
    """Switch the account's "restore all VMs" scope on or off: 204 (no body taken)."""
    account = account_of(rt, account_id)
    if (await request.body()).strip():
        raise bad_request("This request takes no body: it toggles AllowRestoreAllVms.")
    account.allow_restore_all_vms = not account.allow_restore_all_vms
    rt.store.changed()
    return Response(status_code=204)


@router.delete("/api/security/accounts/{account_id}")
async def delete_account(account_id: str, _: CurrentSession, rt: RuntimeDep) -> Response:
    """Remove an account: 204."""
    account = account_of(rt, account_id)
    del ACCOUNTS.of(rt.store.data)[account.id]
    rt.store.changed()
    return Response(status_code=204)


@router.post("/api/security/accounts/{account_id}/roles")
async def add_role(account_id: str, request: Request, _: CurrentSession, rt: RuntimeDep,
                   out: WireDep) -> Response:
    """Give the account a role: 201 and the ``EnterpriseAccountInRole``."""
    account = account_of(rt, account_id)
    tree = spec_tree(await request.body(), request.headers.get("content-type", ""), ROLE_SPEC)
    _unknown(tree, ("EnterpriseRoleUid",), ROLE_SPEC)
    role = _role(rt, tree.get("EnterpriseRoleUid"), ROLE_SPEC)
    if role in account.roles:
        raise bad_request(f"The account {account.name!r} holds the role {role.name!r} already.")
    account.roles.append(role)
    rt.store.changed()
    href = out.ctx.api(f"{ACCOUNTS_PATH}/{account.id}/roles/{role.id}")
    return out.send(account_in_role(account, role, out.ctx), 201, {"Location": href})


@router.delete("/api/security/accounts/{account_id}/roles/{role_id}")
async def remove_role(account_id: str, role_id: str, _: CurrentSession, rt: RuntimeDep
                      ) -> Response:
    """Take a role from the account: 204 (its last role stays: 400)."""
    account = account_of(rt, account_id)
    role = next((r for r in account.roles if r.id == role_id.lower()), None)
    if role is None:
        raise EMError(404, f"The account {account.name!r} holds no role with the id "
                           f"{role_id!r}.")
    if len(account.roles) == 1:
        raise bad_request(f"The role {role.name!r} is the account's last one: an account "
                          "keeps at least one role.")
    account.roles.remove(role)
    rt.store.changed()
    return Response(status_code=204)


@router.post("/api/security/accounts/{account_id}/scopes")
async def add_scope(account_id: str, request: Request, me: CurrentSession, rt: RuntimeDep,
                    out: WireDep) -> Response:
    """Add an object to the account's restore scope: 202 and a ``Task``."""
    account = account_of(rt, account_id)
    tree = spec_tree(await request.body(), request.headers.get("content-type", ""), SCOPE_SPEC)
    scope = _scope(rt, tree, SCOPE_SPEC)
    if any(s.obj_ref == scope.obj_ref for s in account.scopes):
        raise bad_request(f"{scope.obj_ref!r} is in the account's restore scope already.")
    account.scopes.append(scope)
    rt.store.changed()
    now = rt.clock.now_ms()
    task = rt.simulation.task(
        me.id, "AddHierarchyScope", now, True, f'"{scope.name}" added to the restore scope.',
        ("EnterpriseAccountHierarchyScope", f"{ACCOUNTS_PATH}/{account.id}/scopes/{scope.id}"),
        scope.name)
    return out.send(task_node(task, out.ctx, now), 202)


@router.delete("/api/security/accounts/{account_id}/scopes/{scope_id}")
async def remove_scope(account_id: str, scope_id: str, _: CurrentSession, rt: RuntimeDep
                       ) -> Response:
    """Remove an object from the account's restore scope: 204."""
    account = account_of(rt, account_id)
    account.scopes.remove(scope_of(account, scope_id))
    rt.store.changed()
    return Response(status_code=204)
