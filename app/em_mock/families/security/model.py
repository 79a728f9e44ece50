"""Enterprise Manager roles and the accounts that hold them. Plain objects."""

from __future__ import annotations

from dataclasses import dataclass, field

from em_mock.core.tables import Table

ACCOUNT_TYPES = ("User", "Group", "ExternalUser")


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


ROLES: Table[EnterpriseRole] = Table("enterprise_roles")
ACCOUNTS: Table[EnterpriseAccount] = Table("enterprise_accounts")
