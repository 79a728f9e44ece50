"""Routes of ``/security``: the settings hub, accounts (with the roles they hold and their
restore scopes) and roles."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from em_mock.core.errors import EMError
from em_mock.core.http.collections import Collection, serve, table_items
from em_mock.core.http.deps import CurrentSession, RuntimeDep, WireDep, find
from em_mock.core.registry import LogonLink, register_logon_links, register_router
from em_mock.core.wire import documents as docs
from em_mock.families.security.model import ACCOUNTS, ROLES, EnterpriseAccount
from em_mock.families.security.shapes import (
    ENTERPRISE_ACCOUNT,
    ENTERPRISE_ROLE,
    account_in_role,
    security_settings,
)

router = register_router(APIRouter())


@router.get("/api/security")
async def security(_: CurrentSession, out: WireDep) -> Response:
    """``EnterpriseSecuritySettings``: links to accounts and roles."""
    return out.send(security_settings(out.ctx))


serve(router, Collection(ENTERPRISE_ACCOUNT, "enterprise account", table_items(ACCOUNTS)))
serve(router, Collection(ENTERPRISE_ROLE, "enterprise role", table_items(ROLES)))


@router.get("/api/security/accounts/{account_id}/roles")
async def account_roles(account_id: str, _: CurrentSession, rt: RuntimeDep, out: WireDep
                        ) -> Response:
    """The roles an account holds: ``EnterpriseAccountInRoleList``."""
    account: EnterpriseAccount = find(ACCOUNTS.of(rt.store.data), account_id,
                                      "enterprise account")
    return out.send(docs.entity_list("EnterpriseAccountInRoleList", [
        account_in_role(account, r, out.ctx) for r in account.roles]))


@router.get("/api/security/accounts/{account_id}/roles/{role_id}")
async def account_role(account_id: str, role_id: str, _: CurrentSession, rt: RuntimeDep,
                       out: WireDep) -> Response:
    """One role an account holds: ``EnterpriseAccountInRole``."""
    account: EnterpriseAccount = find(ACCOUNTS.of(rt.store.data), account_id,
                                      "enterprise account")
    for role in account.roles:
        if role.id == role_id.lower():
            return out.send(account_in_role(account, role, out.ctx))
    raise EMError(404, f"The account {account.name!r} holds no role with the id {role_id!r}.")


@router.get("/api/security/accounts/{account_id}/scopes")
async def account_scopes(account_id: str, _: CurrentSession, rt: RuntimeDep, out: WireDep
                         ) -> Response:
    """An account's restore scopes: ``EnterpriseAccountHierarchyScopes`` (em-mock models
    none yet, so the list is empty)."""
    find(ACCOUNTS.of(rt.store.data), account_id, "enterprise account")
    return out.send(docs.entity_list("EnterpriseAccountHierarchyScopes", []))


register_logon_links(LogonLink(190, "security", "EnterpriseSecuritySettings"))
