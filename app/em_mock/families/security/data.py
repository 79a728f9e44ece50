"""Seeded roles (Enterprise Manager's built-in ones) and three accounts holding them, from a
stream of their own (so adding them moved none of the other data)."""

from __future__ import annotations

import random

from em_mock.core.generate import SeedContext, Seeder, new_guid, register_seeders
from em_mock.families.infrastructure.model import MANAGED_SERVERS
from em_mock.families.jobs.model import JOBS
from em_mock.families.security.model import (
    ACCOUNTS,
    ROLES,
    EnterpriseAccount,
    EnterpriseRole,
    HierarchyScope,
)

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


def _scopes(ctx: SeedContext) -> None:
    """Each account that may not restore all VMs gets a restore scope: the VMs of one
    backup job of the first backup server (processed), from a stream of its own seeded
    late (so no other data moves)."""
    rng = random.Random(f"{ctx.seed}-backupseed")
    jobs = [j for j in JOBS.of(ctx.data).values() if j.job_type == "Backup" and j.vms]
    if not jobs:
        return
    for account in ACCOUNTS.of(ctx.data).values():
        if account.allow_restore_all_vms or account.scopes:
            continue
        job = rng.choice([j for j in jobs if j.backup_server is jobs[0].backup_server])
        root = next((m for m in MANAGED_SERVERS.of(ctx.data).values()
                     if m.is_hierarchy_root and m.backup_server is job.backup_server), None)
        account.scopes += [HierarchyScope(new_guid(rng), vm.name, vm.uid,
                                          root.name if root is not None else "", "VMware",
                                          "Vm", "Processed") for vm in job.vms]


register_seeders(Seeder(37, _security), Seeder(62, _scopes))
