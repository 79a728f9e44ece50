"""Wire shapes of Enterprise Manager accounts and roles."""

from __future__ import annotations

from em_mock.core.registry import ResourceType, register_resources
from em_mock.core.wire.documents import (
    Ctx,
    alternate_to_entity,
    alternate_to_reference,
    entity,
    reference,
)
from em_mock.core.wire.tree import Layer, Node, link, links, resource_layer
from em_mock.families.security.model import EnterpriseAccount, EnterpriseRole, HierarchyScope

ACCOUNTS_PATH = "security/accounts"
ROLES_PATH = "security/roles"


def _account_ref(a: EnterpriseAccount, ctx: Ctx, root: str) -> Node:
    return reference(root, "EnterpriseAccount", ACCOUNTS_PATH, a.id, a.name,
                     [alternate_to_entity("EnterpriseAccount", ACCOUNTS_PATH, a.id, a.name, ctx)],
                     ctx)


def _account_entity(a: EnterpriseAccount, ctx: Ctx) -> Node:
    here = ctx.api(f"{ACCOUNTS_PATH}/{a.id}")
    link_nodes = [
        alternate_to_reference("EnterpriseAccount", ACCOUNTS_PATH, a.id, a.name, ctx),
        link("Down", f"{here}/roles", "EnterpriseAccountInRoleList"),
        link("Create", f"{here}/roles", "EnterpriseAccountInRole"),
        link("Down", f"{here}/scopes", "EnterpriseAccountHierarchyScopeList"),
        link("Create", f"{here}/scopes", "EnterpriseAccountHierarchyScope"),
        link("Delete", here),
        link("ToggleRestoreScopesEnabled", here),
    ]
    own = Layer(elems=[
        ("AccountType", a.account_type), ("AllowRestoreAllVms", a.allow_restore_all_vms),
        ("FlrSettings", Node("FlrSettings", [Layer(elems=[
            ("FlrInplaceOnly", a.flr_inplace_only),
            ("FlrExtentionRestrictions", a.flr_extension_restrictions)])])),
        ("SqlSettings", Node("SqlSettings", [Layer(elems=[
            ("DenyInPlaceRestore", a.deny_in_place_restore)])])),
    ])
    return entity("EnterpriseAccount", ACCOUNTS_PATH, a.id, a.name, link_nodes, [own], ctx)


ENTERPRISE_ACCOUNT = ResourceType("EnterpriseAccount", ACCOUNTS_PATH, "EnterpriseAccounts",
                                  _account_ref, _account_entity)


def _role_ref(r: EnterpriseRole, ctx: Ctx, root: str) -> Node:
    return reference(root, "EnterpriseRole", ROLES_PATH, r.id, r.name,
                     [alternate_to_entity("EnterpriseRole", ROLES_PATH, r.id, r.name, ctx)], ctx)


def _role_entity(r: EnterpriseRole, ctx: Ctx) -> Node:
    return entity("EnterpriseRole", ROLES_PATH, r.id, r.name,
                  [alternate_to_reference("EnterpriseRole", ROLES_PATH, r.id, r.name, ctx)],
                  [], ctx)


ENTERPRISE_ROLE = ResourceType("EnterpriseRole", ROLES_PATH, "EnterpriseRoles", _role_ref,
                               _role_entity)


def account_in_role(a: EnterpriseAccount, r: EnterpriseRole, ctx: Ctx) -> Node:
    """``EnterpriseAccountInRole``: a role an account holds (its id is the role's)."""
    href = ctx.api(f"{ACCOUNTS_PATH}/{a.id}/roles/{r.id}")
    return Node("EnterpriseAccountInRole", [
        resource_layer(links([link("Delete", href)]), href, "EnterpriseAccountInRole"),
        Layer(elems=[("RoleName", r.name)])])


def account_scope(a: EnterpriseAccount, s: HierarchyScope, ctx: Ctx) -> Node:
    """``EnterpriseAccountHierarchyScope``: an object of an account's restore scope."""
    href = ctx.api(f"{ACCOUNTS_PATH}/{a.id}/scopes/{s.id}")
    return Node("EnterpriseAccountHierarchyScope", [
        resource_layer(links([link("Delete", href)]), href, "EnterpriseAccountHierarchyScope"),
        Layer(elems=[("Name", s.name), ("HierarchyRootName", s.hierarchy_root_name),
                     ("Platform", s.platform), ("HierarchyObjectType", s.object_type),
                     ("State", s.state)])])


def security_settings(ctx: Ctx) -> Node:
    """``EnterpriseSecuritySettings``: the hub of accounts and roles."""
    api = ctx.api
    return Node("EnterpriseSecuritySettings", [resource_layer(links([
        link("Down", api(ACCOUNTS_PATH), "EnterpriseAccountReferenceList"),
        link("Down", api(ROLES_PATH), "EnterpriseRoleReferenceList"),
        link("Create", api(ACCOUNTS_PATH)),
        link("Start", api(f"{ACCOUNTS_PATH}?action=rebuildScope")),
    ]), api("security"), "EnterpriseSecuritySettings")])


register_resources(ENTERPRISE_ACCOUNT, ENTERPRISE_ROLE)
