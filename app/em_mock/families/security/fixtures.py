"""Fixture sections ``EnterpriseRoles`` and ``EnterpriseAccounts``."""

from __future__ import annotations

from typing import Any

from em_mock.core.fixtures import Documents, Section, register_sections
from em_mock.core.ids import urn
from em_mock.core.tables import DataSet
from em_mock.core.validate import Reader, TimeWriter, claim, items
from em_mock.families.security.model import (
    ACCOUNT_TYPES,
    ACCOUNTS,
    ROLES,
    EnterpriseAccount,
    EnterpriseRole,
)

_ROLE_KEYS = ("UID", "Name")
_ACCOUNT_KEYS = ("UID", "Name", "AccountType", "RoleUids", "AllowRestoreAllVms",
                 "FlrInplaceOnly", "FlrExtentionRestrictions", "DenyInPlaceRestore")


def _read_roles(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "EnterpriseRoles"):
        reader.unknown_keys(src, _ROLE_KEYS)
        guid = reader.uid(src, "UID", "EnterpriseRole")
        name = reader.value(src, "Name", str, required=True, default="")
        if claim(reader, seen, src, guid):
            ROLES.of(data)[guid or ""] = EnterpriseRole(guid or "", name)


def _write_roles(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{"UID": urn("EnterpriseRole", r.id), "Name": r.name}
            for r in ROLES.of(data).values()]


def _read_accounts(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    roles = ROLES.of(data)
    for src in items(reader, docs, "EnterpriseAccounts"):
        reader.unknown_keys(src, _ACCOUNT_KEYS)
        guid = reader.uid(src, "UID", "EnterpriseAccount")
        name = reader.value(src, "Name", str, required=True, default="")
        kind = reader.choice(src, "AccountType", ACCOUNT_TYPES, required=False,
                             default="User") or "User"
        held: list[EnterpriseRole] = []
        for raw in reader.value(src, "RoleUids", list, default=[]):
            role_id = str(raw).rsplit(":", 1)[-1].lower()
            if role_id not in roles:
                reader.error(src, "RoleUids", f"no enterprise role has the UID {raw}")
            else:
                held.append(roles[role_id])
        account = EnterpriseAccount(
            guid or "", name, kind, held,
            reader.value(src, "AllowRestoreAllVms", bool, default=True),
            reader.value(src, "FlrInplaceOnly", bool, default=False),
            reader.value(src, "FlrExtentionRestrictions", str, default=""),
            reader.value(src, "DenyInPlaceRestore", bool, default=False))
        if claim(reader, seen, src, guid):
            ACCOUNTS.of(data)[account.id] = account


def _write_accounts(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{
        "UID": urn("EnterpriseAccount", a.id), "Name": a.name, "AccountType": a.account_type,
        "RoleUids": [urn("EnterpriseRole", r.id) for r in a.roles],
        "AllowRestoreAllVms": a.allow_restore_all_vms, "FlrInplaceOnly": a.flr_inplace_only,
        "FlrExtentionRestrictions": a.flr_extension_restrictions,
        "DenyInPlaceRestore": a.deny_in_place_restore,
    } for a in ACCOUNTS.of(data).values()]


register_sections(
    Section("EnterpriseRoles", 100, _read_roles, _write_roles),
    Section("EnterpriseAccounts", 110, _read_accounts, _write_accounts),
)
