"""Managed servers and hierarchy roots: collections, items, links both ways, queries, fixtures."""

from __future__ import annotations

import copy
import json

import pytest

from em_mock.core.fixtures import FixtureError, dumps, load_documents
from em_mock.families.infrastructure.model import MANAGED_SERVERS, SERVERS
from tests.conftest import EPOCH_MS
from tests.helpers import JSON, Q, xml

KINDS_PER_SERVER = ["Local", "VC", "ESXi", "ESXi", "Windows", "Linux"]


def _refs(client, auth, path):
    response = client.get(path, headers=auth)
    assert response.status_code == 200, response.text
    root = xml(response.content)
    assert root.tag == Q + "EntityReferences"
    return root.findall(Q + "Ref")


def test_managed_servers_list_every_server_each_backup_server_manages(client, auth):
    refs = _refs(client, auth, "/api/managedServers")
    names = [r.get("Name") for r in refs]
    assert len(names) == 3 * len(KINDS_PER_SERVER)
    assert {"vcsa01.example.local", "esx011.example.local", "vbr02.example.local",
            "vbr03-repo01.example.local"} <= set(names)
    assert {r.get("Type") for r in refs} == {"ManagedServerReference"}


def test_a_backup_servers_managed_servers_are_its_own(client, auth, runtime):
    server = next(iter(SERVERS.of(runtime.store.data).values()))
    refs = _refs(client, auth, f"/api/backupServers/{server.id}/managedServers")
    assert [r.get("Name") for r in refs] == [
        "vbr01.example.local", "vcsa01.example.local", "esx011.example.local",
        "esx012.example.local", "vbr01-proxy01.example.local", "vbr01-repo01.example.local"]


def test_a_vcenter_entity_links_to_its_server_and_to_its_hierarchy_root(client, auth):
    body = client.get("/api/managedServers?format=Entity", headers=auth)
    vcenter = next(e for e in xml(body.content).iter(Q + "ManagedServer")
                   if e.get("Name") == "vcsa02.example.local")
    assert vcenter.findtext(Q + "ManagedServerType") == "VC"
    assert vcenter.findtext(Q + "Description") == "vCenter Server"
    links = {link.get("Rel"): link for link in vcenter.iter(Q + "Link")}
    assert links["Up"].get("Type") == "BackupServer"
    assert links["Up"].get("Name") == "vbr02.example.local"
    related = links["Related"]
    assert related.get("Type") == "HierarchyRoot"
    root = xml(client.get(related.get("Href"), headers=auth).content)
    assert root.tag == Q + "HierarchyRoot"
    assert root.findtext(Q + "HostType") == "VC"
    assert root.findtext(Q + "HierarchyRootId") == vcenter.get("UID").rsplit(":", 1)[1]
    assert root.findtext(Q + "UniqueId")
    back = next(link for link in root.iter(Q + "Link") if link.get("Rel") == "Related")
    assert back.get("Href").endswith(vcenter.get("UID").rsplit(":", 1)[1] + "?format=Entity")


def test_esxi_hosts_under_a_vcenter_are_not_hierarchy_roots(client, auth):
    refs = _refs(client, auth, "/api/hierarchyRoots")
    assert sorted(r.get("Name") for r in refs) == [
        "vcsa01.example.local", "vcsa02.example.local", "vcsa03.example.local"]
    esx = next(e for e in xml(client.get("/api/managedServers?format=Entity",
                                         headers=auth).content).iter(Q + "ManagedServer")
               if e.get("Name") == "esx011.example.local")
    assert "Related" not in {link.get("Rel") for link in esx.iter(Q + "Link")}


def test_managed_server_entity_in_json(client, auth):
    response = client.get("/api/managedServers?format=Entity", headers={**auth, **JSON})
    first = response.json()["ManagedServers"][0]
    # JSON lists the most-derived members first, as .NET writes them.
    assert list(first)[:2] == ["Description", "ManagedServerType"]
    assert first["ManagedServerType"] == "Local"
    assert first["UID"].startswith("urn:veeam:ManagedServer:")


@pytest.mark.parametrize(("query", "expected"), [
    ("type=ManagedServer&filter=ManagedServerType==ESXi", 6),
    ("type=ManagedServer&filter=ManagedServerType==VC,ManagedServerType==Local", 6),
    ("type=ManagedServer&filter=Name==vcsa03.example.local", 1),
    ("type=HierarchyRoot", 3),
    ("type=HierarchyRoot&filter=BackupServerName==vbr02.example.local", 1),
    ("type=HierarchyRoot&filter=HostType==ESXi", 0),
])
def test_the_query_service_filters_managed_servers_and_hierarchy_roots(client, auth, query,
                                                                       expected):
    response = client.get(f"/api/query?{query}&format=Entities", headers={**auth, **JSON})
    assert response.status_code == 200, response.text
    plural = "HierarchyRoots" if "HierarchyRoot" in query else "ManagedServers"
    assert len(response.json()["Entities"][plural][plural]) == expected


def test_hierarchy_roots_sort_by_name_descending(client, auth):
    response = client.get("/api/query?type=HierarchyRoot&sortDesc=Name", headers=auth)
    names = [r.get("Name") for r in xml(response.content).iter(Q + "Ref")]
    assert names == ["vcsa03.example.local", "vcsa02.example.local", "vcsa01.example.local"]


def test_the_logon_session_offers_both_collections_in_the_vendors_order(client, auth):
    session = client.get("/api/logonSessions", headers=auth)
    hrefs = [link.get("Href").split("/api/", 1)[1]
             for link in xml(session.content).iter(Q + "Link") if link.get("Rel") == "Down"]
    order = [h for h in hrefs if h.split("?")[0] in (
        "backupServers", "managedServers", "jobs", "hierarchyRoots", "repositories")]
    assert order[:5] == ["backupServers", "managedServers", "jobs", "hierarchyRoots",
                         "repositories"]


# --- fixtures -------------------------------------------------------------------------------


def _document(runtime):
    return json.loads(dumps(runtime.store.data))


def test_managed_servers_round_trip_through_a_fixture(runtime):
    document = _document(runtime)
    data = load_documents([("x.json", document)], EPOCH_MS)
    assert json.loads(dumps(data))["ManagedServers"] == document["ManagedServers"]
    esx = next(m for m in MANAGED_SERVERS.of(data).values() if m.server_type == "ESXi")
    assert esx.parent is not None and esx.parent.server_type == "VC"


@pytest.mark.parametrize(("change", "reason"), [
    ({"ManagedServerType": "Toaster"}, "'Toaster' is not one of"),
    ({"ParentUid": "urn:veeam:ManagedServer:00000000-0000-4000-8000-000000000000"},
     "no managed server has the UID"),
    ({"BackupServerUid": "urn:veeam:BackupServer:00000000-0000-4000-8000-000000000000"},
     "no backup server has the UID"),
])
def test_a_bad_managed_server_is_refused_with_its_path(runtime, change, reason):
    document = _document(runtime)
    broken = copy.deepcopy(document)
    broken["ManagedServers"][2].update(change)
    with pytest.raises(FixtureError) as caught:
        load_documents([("bad.json", broken)], EPOCH_MS)
    assert any(e.startswith("bad.json: $.ManagedServers[2].") and reason in e
               for e in caught.value.errors), caught.value.errors


def test_a_parent_on_another_backup_server_is_refused(runtime):
    document = _document(runtime)
    items = document["ManagedServers"]
    other_vcenter = next(m for m in items if m["Name"] == "vcsa02.example.local")
    items[2]["ParentUid"] = other_vcenter["UID"]
    with pytest.raises(FixtureError) as caught:
        load_documents([("bad.json", document)], EPOCH_MS)
    assert any("managed by another backup server" in e for e in caught.value.errors)
