"""The guest file catalog: VMs with restore points, their points, and guest file browse."""

from __future__ import annotations

from tests.helpers import JSON, Q, xml


def test_catalog_vms_their_points_and_guest_files(client, auth):
    refs = xml(client.get("/api/catalog/vms", headers=auth).content)
    assert refs.tag == Q + "EntityReferences" and len(refs) > 0
    vm = refs[0]
    assert vm.get("Type") == "CatalogVmReference"
    entity = client.get(vm.get("Href") + "?format=Entity", headers={**auth, **JSON}).json()
    assert entity["Name"] == vm.get("Name")
    down = next(lk["Href"] for lk in entity["Links"] if lk["Rel"] == "Down")
    points = xml(client.get(down, headers=auth).content)
    assert points.tag == Q + "EntityReferences" and len(points) > 0
    point = client.get(points[0].get("Href") + "?format=Entity", headers={**auth, **JSON}).json()
    assert [lk["Rel"] for lk in point["Links"]] == ["Alternate", "Up", "Related", "Down"]
    related = client.get(point["Links"][2]["Href"], headers={**auth, **JSON}).json()
    assert related["Name"] == point["Name"]
    top = xml(client.get(point["Links"][3]["Href"], headers=auth).content)
    assert top.tag == Q + "FileSystemEntry"
    assert [d.findtext(Q + "Name") for d in top.find(Q + "Directories")] == ["Users", "Windows"]
    win = client.get(point["Links"][3]["Href"] + "/C:/Windows", headers={**auth, **JSON}).json()
    assert [f["Name"] for f in win["Files"]] == ["win.ini"]
    assert [d["Name"] for d in win["Directories"]] == ["System32"]


def test_catalog_unknowns_are_404(client, auth):
    assert client.get("/api/catalog/vms/no-such-vm", headers=auth).status_code == 404
    first = xml(client.get("/api/catalog/vms", headers=auth).content)[0].get("Href")
    response = client.get(first + "/vmRestorePoints/nope", headers=auth)
    assert response.status_code == 404 and xml(response.content).tag == Q + "Error"
