"""Enterprise Manager roles and the accounts that hold them. Plain objects."""

from __future__ import annotations

from dataclasses import dataclass, field

from em_mock.core.tables import Table

ACCOUNT_TYPES = ("User", "Group", "ExternalUser", "ExternalGroup")
SCOPE_PLATFORMS = ("VMware", "Hyperv", "vCloud")
SCOPE_STATES = ("Unprocessed", "Processed", "Removing")


@dataclass(slots=True, eq=False)
class HierarchyScope:
    """An object of the virtual infrastructure an account may restore from (its restore
    scope): ``Unprocessed`` until a scope rebuild processes it."""

    id: str
    name: str
    obj_ref: str
    hierarchy_root_name: str = ""
    platform: str = "VMware"
    object_type: str = "Vm"
    state: str = "Unprocessed"


@dataclass(slots=True, eq=False)
class EnterpriseRole:
    """A role of Enterprise Manager (Portal Administrator, Restore Operator, ...)."""

    id: str
    name: str


@dataclass(slots=True, eq=False)
class EnterpriseAccount:
    """A user or group with roles, and its restore settings."""

    id: str
    name: str
    account_type: str = "User"
    roles: list[EnterpriseRole] = field(default_factory=list)
    allow_restore_all_vms: bool = True
    flr_inplace_only: bool = False
    flr_extension_restrictions: str = ""
    deny_in_place_restore: bool = False
    scopes: list[HierarchyScope] = field(default_factory=list)


ROLES: Table[EnterpriseRole] = Table("enterprise_roles")
ACCOUNTS: Table[EnterpriseAccount] = Table("enterprise_accounts")
