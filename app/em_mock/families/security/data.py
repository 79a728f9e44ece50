"""Seeded roles (Enterprise Manager's built-in ones) and three accounts holding them, from a
stream of their own (so adding them moved none of the other data)."""

from __future__ import annotations

import random

from em_mock.core.generate import SeedContext, Seeder, new_guid, register_seeders
from em_mock.families.security.model import ACCOUNTS, ROLES, EnterpriseAccount, EnterpriseRole

ROLE_NAMES = ("Portal Administrator", "Portal User", "Restore Operator")


def _security(ctx: SeedContext) -> None:
    rng = random.Random(f"{ctx.seed} security")
    roles = [EnterpriseRole(new_guid(rng), name) for name in ROLE_NAMES]
    ROLES.of(ctx.data).update((r.id, r) for r in roles)
    accounts = [
        EnterpriseAccount(new_guid(rng), "EXAMPLE\\Administrator", "User", [roles[0]]),
        EnterpriseAccount(new_guid(rng), "EXAMPLE\\Backup Operators", "Group",
                          [roles[2], roles[1]], flr_inplace_only=True,
                          flr_extension_restrictions="*.exe,*.bat"),
        EnterpriseAccount(new_guid(rng), "EXAMPLE\\helpdesk", "User", [roles[1]],
                          allow_restore_all_vms=False, deny_in_place_restore=True),
    ]
    ACCOUNTS.of(ctx.data).update((a.id, a) for a in accounts)


register_seeders(Seeder(37, _security))
