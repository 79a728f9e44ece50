"""Reading the backup infrastructure back from a live server (``em-mock capture``): each
function returns one fixture section's items as ``fixtures.py`` writes them.

What no answer shows: a backup server's ``IpOrDnsName`` (only its query type filters on it;
the capture writes the name, the reader's default), the passwords of credentials records
and password keys (never shown), and a managed server's parent: only its effect shows (a
hypervisor host with a parent is no hierarchy root), so a host that is not a root is given
the root on its backup server it was most likely added through (a vCenter first).
"""

from __future__ import annotations

from typing import Any

from em_mock.core.capture import Walk, server_uid, time_of


def capture_servers(walk: Walk) -> list[dict[str, Any]]:
    """``BackupServers``."""
    return [{
        "UID": e.get("UID"), "Name": e.get("Name"), "Description": e.get("Description"),
        "Port": e.get("Port"), "Version": e.get("Version"), "WcfPort": e.get("WcfPort"),
        "VbrCertificateThumbprint": e.get("VbrCertificateThumbprint"),
        "IpOrDnsName": e.get("Name"),
    } for e in walk.query("BackupServer")]


def capture_repositories(walk: Walk) -> list[dict[str, Any]]:
    """``Repositories``."""
    return [{
        "UID": e.get("UID"), "Name": e.get("Name"), "BackupServerUid": server_uid(e),
        "Kind": e.get("Kind"), "Capacity": e.get("Capacity"), "FreeSpace": e.get("FreeSpace"),
    } for e in walk.query("Repository")]


# The hosts a managed hypervisor host is added through, most likely first.
_PARENT_TYPES = ("VC", "Scvmm", "HvCluster", "VcdSystem", "ESX", "ESXi", "HvServer")
_HIERARCHY_TYPES = frozenset(_PARENT_TYPES)


def capture_managed_servers(walk: Walk) -> list[dict[str, Any]]:
    """``ManagedServers``, with the hierarchy roots' ``UniqueId``."""
    roots = {str(r.get("HierarchyRootId", "")).lower(): r for r in walk.query("HierarchyRoot")}
    items = []
    for e in walk.query("ManagedServer"):
        guid = str(e.get("UID") or "").rsplit(":", 1)[-1].lower()
        root = roots.get(guid)
        items.append({
            "UID": e.get("UID"), "Name": e.get("Name"),
            "BackupServerUid": server_uid(e, "BackupServer"),
            "ManagedServerType": e.get("ManagedServerType"), "Description": e.get("Description"),
            "ParentUid": None, "UniqueId": (root or {}).get("UniqueId") or "",
            "_root": root is not None,
        })
    for item in items:
        if item["ManagedServerType"] in _HIERARCHY_TYPES and not item["_root"]:
            parents = [p for p in items if p["_root"] and p is not item
                       and p["BackupServerUid"] == item["BackupServerUid"]]
            parents.sort(key=lambda p: _PARENT_TYPES.index(p["ManagedServerType"])
                         if p["ManagedServerType"] in _PARENT_TYPES else len(_PARENT_TYPES))
            if parents:
                item["ParentUid"] = parents[0]["UID"]
    for item in items:
        del item["_root"]
    return items


def capture_wan(walk: Walk) -> list[dict[str, Any]]:
    """``WanAccelerators``."""
    keys = ("Description", "OutOfDate", "Version", "Capacity", "TrafficPort",
            "ConnectionsCount", "CachePath", "HighBandwidthModeEnabled")
    return [{"UID": e.get("UID"), "Name": e.get("Name"),
             "BackupServerUid": e.get("BackupServerUid") or server_uid(e),
             **{k: e.get(k) for k in keys}} for e in walk.query("WanAccelerator")]


def capture_external(walk: Walk) -> list[dict[str, Any]]:
    """``ExternalRepositories`` (no query type: the collection's entity list)."""
    return [{
        "UID": e.get("UID"), "Name": e.get("Name"), "BackupServerUid": server_uid(e),
        "RepositoryType": e.get("RepositoryType"), "Path": e.get("Path"),
        "UsedSpace": e.get("UsedSpace"), "Description": e.get("Description"),
    } for e in walk.entities("externalRepositories")]


def capture_credentials(walk: Walk) -> list[dict[str, Any]]:
    """``Credentials`` (without passwords: no answer shows one)."""
    return [{"Id": e.get("Id") or e.get("ID"), "BackupServerUid": server_uid(e),
             "Username": e.get("Username"), "Description": e.get("Description")}
            for e in walk.query("Credentials")]


def capture_password_keys(walk: Walk) -> list[dict[str, Any]]:
    """``PasswordKeys`` (without passwords: no answer shows one)."""
    return [{"ID": e.get("ID") or e.get("Id"), "BackupServerUid": server_uid(e),
             "Hint": e.get("Hint"), "LastModificationDate": time_of(e.get("LastModificationDate"))}
            for e in walk.query("Passwords")]
