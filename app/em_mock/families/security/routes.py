"""Routes of ``/security``: the settings hub, accounts (with the roles they hold and their
restore scopes) and roles. What changes them is in ``actions.py``."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from em_mock.core.errors import EMError
from em_mock.core.http.collections import Collection, serve, table_items
from em_mock.core.http.deps import CurrentSession, RuntimeDep, WireDep, find
from em_mock.core.registry import LogonLink, register_logon_links, register_router
from em_mock.core.runtime import Runtime
from em_mock.core.wire import documents as docs
from em_mock.families.security.model import ACCOUNTS, ROLES, EnterpriseAccount, HierarchyScope
from em_mock.families.security.shapes import (
    ENTERPRISE_ACCOUNT,
    ENTERPRISE_ROLE,
    account_in_role,
    account_scope,
    security_settings,
)

router = register_router(APIRouter())


@router.get("/api/security")
async def security(_: CurrentSession, out: WireDep) -> Response:
    """``EnterpriseSecuritySettings``: links to accounts and roles."""
    return out.send(security_settings(out.ctx))


serve(router, Collection(ENTERPRISE_ACCOUNT, "enterprise account", table_items(ACCOUNTS)))
serve(router, Collection(ENTERPRISE_ROLE, "enterprise role", table_items(ROLES)))


def account_of(rt: Runtime, account_id: str) -> EnterpriseAccount:
    """The account ``account_id``, or a 404."""
    found: EnterpriseAccount = find(ACCOUNTS.of(rt.store.data), account_id, "enterprise account")
    return found


@router.get("/api/security/accounts/{account_id}/roles")
async def account_roles(account_id: str, _: CurrentSession, rt: RuntimeDep, out: WireDep
                        ) -> Response:
    """The roles an account holds: ``EnterpriseAccountInRoleList``."""
    account = account_of(rt, account_id)
    return out.send(docs.entity_list("EnterpriseAccountInRoleList", [
        account_in_role(account, r, out.ctx) for r in account.roles]))


@router.get("/api/security/accounts/{account_id}/roles/{role_id}")
async def account_role(account_id: str, role_id: str, _: CurrentSession, rt: RuntimeDep,
                       out: WireDep) -> Response:
    """One role an account holds: ``EnterpriseAccountInRole``."""
    account = account_of(rt, account_id)
    for role in account.roles:
        if role.id == role_id.lower():
            return out.send(account_in_role(account, role, out.ctx))
    raise EMError(404, f"The account {account.name!r} holds no role with the id {role_id!r}.")


@router.get("/api/security/accounts/{account_id}/scopes")
async def account_scopes(account_id: str, _: CurrentSession, rt: RuntimeDep, out: WireDep
                         ) -> Response:
    """An account's restore scope: ``EnterpriseAccountHierarchyScopes``."""
    account = account_of(rt, account_id)
    return out.send(docs.entity_list("EnterpriseAccountHierarchyScopes", [
        account_scope(account, s, out.ctx) for s in account.scopes]))


def scope_of(account: EnterpriseAccount, scope_id: str) -> HierarchyScope:
    """The object ``scope_id`` of the account's restore scope, or a 404."""
    for scope in account.scopes:
        if scope.id == scope_id.lower():
            return scope
    raise EMError(404, f"The account {account.name!r} has no scope object with the id "
                       f"{scope_id!r}.")


@router.get("/api/security/accounts/{account_id}/scopes/{scope_id}")
async def account_scope_item(account_id: str, scope_id: str, _: CurrentSession,
                             rt: RuntimeDep, out: WireDep) -> Response:
    """One object of an account's restore scope: ``EnterpriseAccountHierarchyScope``."""
    account = account_of(rt, account_id)
    return out.send(account_scope(account, scope_of(account, scope_id), out.ctx))


register_logon_links(LogonLink(190, "security", "EnterpriseSecuritySettings"))
