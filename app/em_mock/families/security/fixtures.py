"""Fixture sections ``EnterpriseRoles``, ``EnterpriseAccounts`` and
``EnterpriseAccountScopes`` (the objects of the accounts' restore scopes)."""

from __future__ import annotations

from typing import Any

from em_mock.core.fixtures import Documents, Section, register_sections
from em_mock.core.ids import urn
from em_mock.core.tables import DataSet
from em_mock.core.validate import Reader, TimeWriter, claim, items
from em_mock.families.security.capture import capture_accounts, capture_roles, capture_scopes
from em_mock.families.security.model import (
    ACCOUNT_TYPES,
    ACCOUNTS,
    ROLES,
    SCOPE_PLATFORMS,
    SCOPE_STATES,
    EnterpriseAccount,
    EnterpriseRole,
    HierarchyScope,
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


_SCOPE_KEYS = ("ID", "AccountUid", "Name", "HierarchyObjRef", "HierarchyRootName", "Platform",
               "HierarchyObjectType", "State")


def _read_scopes(reader: Reader, docs: Documents, data: DataSet) -> None:
    accounts = ACCOUNTS.of(data)
    seen: dict[str, str] = {}
    for src in items(reader, docs, "EnterpriseAccountScopes"):
        reader.unknown_keys(src, _SCOPE_KEYS)
        guid = reader.uid(src, "ID", "EnterpriseAccountHierarchyScope")
        account_id = reader.uid(src, "AccountUid", "EnterpriseAccount")
        account = accounts.get(account_id or "")
        if account_id and account is None:
            reader.error(src, "AccountUid", f"no enterprise account has the UID {account_id}")
        scope = HierarchyScope(
            guid or "", reader.value(src, "Name", str, required=True, default=""),
            reader.value(src, "HierarchyObjRef", str, required=True, default=""),
            reader.value(src, "HierarchyRootName", str, default=""),
            reader.choice(src, "Platform", SCOPE_PLATFORMS) or "VMware",
            reader.value(src, "HierarchyObjectType", str, default="Vm"),
            reader.choice(src, "State", SCOPE_STATES) or "Unprocessed")
        if account is not None and claim(reader, seen, src, guid):
            account.scopes.append(scope)


def _write_scopes(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{
        "ID": s.id, "AccountUid": urn("EnterpriseAccount", a.id), "Name": s.name,
        "HierarchyObjRef": s.obj_ref, "HierarchyRootName": s.hierarchy_root_name,
        "Platform": s.platform, "HierarchyObjectType": s.object_type, "State": s.state,
    } for a in ACCOUNTS.of(data).values() for s in a.scopes]


register_sections(
    Section("EnterpriseRoles", 100, _read_roles, _write_roles, capture=capture_roles),
    Section("EnterpriseAccounts", 110, _read_accounts, _write_accounts,
            capture=capture_accounts),
    Section("EnterpriseAccountScopes", 241, _read_scopes, _write_scopes,
            capture=capture_scopes),
)
