"""Reading roles, accounts and the accounts' restore scopes back from a live server
(``em-mock capture``).

No query type lists them: roles and accounts come from their lists (``format=Entity``);
the roles an account holds and its scope objects only from the account's own ``/roles``
and ``/scopes`` (one request each per account). A scope object's reference shows in no
answer about the account: the lookup service finds it by the object's name and type
under its hierarchy root (one request per scope object).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from em_mock.core.capture import Walk, guid_of, href_id
from em_mock.core.ids import urn

Item = dict[str, Any]


def capture_roles(walk: Walk) -> list[Item]:
    """``EnterpriseRoles`` from ``/security/roles``."""
    return [{"UID": e.get("UID"), "Name": e.get("Name")}
            for e in walk.entities("security/roles")]


def capture_accounts(walk: Walk) -> list[Item]:
    """``EnterpriseAccounts`` from ``/security/accounts``, the roles each holds from its
    ``/roles`` (the role's id ends each item's ``Href``)."""
    out = []
    for e in walk.entities("security/accounts"):
        flr, sql = e.get("FlrSettings") or {}, e.get("SqlSettings") or {}
        roles = walk.entities(f"security/accounts/{guid_of(e.get('UID'))}/roles")
        out.append({
            "UID": e.get("UID"), "Name": e.get("Name"), "AccountType": e.get("AccountType"),
            "RoleUids": [urn("EnterpriseRole", href_id(r) or "") for r in roles],
            "AllowRestoreAllVms": e.get("AllowRestoreAllVms"),
            "FlrInplaceOnly": flr.get("FlrInplaceOnly"),
            "FlrExtentionRestrictions": flr.get("FlrExtentionRestrictions") or "",
            "DenyInPlaceRestore": sql.get("DenyInPlaceRestore")})
    return out


class _Lookup:
    """Hierarchy references by root name, object name and type, through the lookup
    service; the roots (the ``HierarchyRoot`` query type) are read on first use."""

    def __init__(self, walk: Walk) -> None:
        self.walk = walk
        self.roots: dict[str, list[str]] | None = None

    def ref(self, root_name: str, name: str, object_type: str) -> str | None:
        if self.roots is None:
            self.roots = {}
            for root in self.walk.query("HierarchyRoot"):
                self.roots.setdefault(str(root.get("Name")).lower(), []).append(
                    str(root.get("UID")))
        found: set[str] = set()
        for host in self.roots.get(root_name.lower(), []):
            items = self.walk.entities(f"lookup?host={quote(host, safe='')}"
                                       f"&name={quote(name, safe='')}"
                                       f"&type={quote(object_type, safe='')}")
            found.update(str(i.get("ObjectRef")) for i in items if i.get("ObjectRef"))
        return found.pop() if len(found) == 1 else None


def capture_scopes(walk: Walk) -> list[Item]:
    """``EnterpriseAccountScopes`` from each account's ``/scopes``; each object's reference
    from the lookup service (left empty, and noted, where it finds none or several)."""
    lookup = _Lookup(walk)
    out = []
    for account in walk.entities("security/accounts"):
        uid = account.get("UID")
        for s in walk.entities(f"security/accounts/{guid_of(uid)}/scopes"):
            name, kind = str(s.get("Name") or ""), str(s.get("HierarchyObjectType") or "Vm")
            root = str(s.get("HierarchyRootName") or "")
            ref = lookup.ref(root, name, kind) if root and name else None
            if ref is None:
                walk.skip(f"reference of the scope object {name!r} of {account.get('Name')}",
                          f"the lookup service finds no single {kind} of that name under "
                          f"{root!r}")
            out.append({"ID": href_id(s), "AccountUid": uid, "Name": name,
                        "HierarchyObjRef": ref or "", "HierarchyRootName": root,
                        "Platform": s.get("Platform"), "HierarchyObjectType": kind,
                        "State": s.get("State")})
    return out
