"""The lookup service: its hub, its logon link, and hierarchy objects by host and name or
by reference."""

from __future__ import annotations

from em_mock.core.ids import derived_id
from em_mock.families.infrastructure.model import HIERARCHY_ROOTS
from em_mock.families.jobs.model import JOBS
from tests.helpers import JSON, Q, basic, xml


def _root_and_vm(runtime):
    root = HIERARCHY_ROOTS.rows(runtime.store)[0]
    job = next(j for j in JOBS.rows(runtime.store)
               if j.backup_server is root.backup_server and j.vms)
    return root, job.vms[0]


def test_logon_links_the_lookup_service_and_it_answers(client):
    body = client.post("/api/sessionMngr/?v=latest",
                       headers={"Authorization": basic(), **JSON}).json()
    rels = [(lk["Rel"], lk["Href"].split("/api/")[1], lk["Type"]) for lk in body["Links"]]
    index = rels.index(("Down", "lookupSvc", "LookupService"))
    assert rels[index - 1][1] == "querySvc"
    token = body["SessionId"]
    hub = client.get("/api/lookupSvc", headers={"X-RestSvcSessionId": token})
    assert hub.status_code == 200
    root = xml(hub.content)
    assert root.tag == Q + "LookupSvc" and root.get("Type") == "LookupService"


def test_lookup_by_host_name_and_type_finds_a_jobs_vm(client, auth, runtime):
    root, vm = _root_and_vm(runtime)
    host = f"urn:veeam:HierarchyRoot:{derived_id('HierarchyRoot', root.id)}"
    response = client.get("/api/lookup", params={"host": host, "name": vm.name.upper(),
                                                 "type": "vm"}, headers=auth)
    assert response.status_code == 200
    items = xml(response.content)
    assert items.tag == Q + "HierarchyItems"
    [item] = items.findall(Q + "HierarchyItem")
    assert [c.tag[len(Q):] for c in item] == ["ObjectRef", "ObjectType", "ObjectName"]
    assert item.findtext(Q + "ObjectRef") == vm.uid
    assert item.findtext(Q + "ObjectType") == "Vm"
    body = client.get("/api/lookup", params={"hierarchyRef": vm.uid},
                      headers={**auth, **JSON}).json()
    assert [i["ObjectName"] for i in body["HierarchyItems"]] == [vm.name]


def test_lookup_finds_managed_esxi_hosts_under_the_vms_host_guid(client, auth, runtime):
    root, vm = _root_and_vm(runtime)
    host = derived_id("HierarchyRoot", root.id)
    name = root.name.replace("vcsa", "esx").replace(".example", "1.example")
    body = client.get("/api/lookup", params={"host": host, "name": name, "type": "Host"},
                      headers={**auth, **JSON}).json()
    [item] = body["HierarchyItems"]
    guid = vm.uid.split(":")[3].split(".")[0]
    assert item["ObjectRef"].startswith(f"urn:VMware:Host:{guid}.host-")


def test_lookup_mistakes_are_em_errors(client, auth):
    cases = [({}, 400), ({"host": "not-a-uid", "name": "x"}, 400),
             ({"host": "urn:veeam:HierarchyRoot:00000000-0000-0000-0000-000000000000",
               "name": "x"}, 404)]
    for params, status in cases:
        response = client.get("/api/lookup", params=params, headers=auth)
        assert response.status_code == status, params
        assert xml(response.content).tag == Q + "Error"
    none = client.get("/api/lookup", params={"hierarchyRef": "urn:VMware:Vm:nothing"},
                      headers=auth)
    assert none.status_code == 200 and len(xml(none.content)) == 0
