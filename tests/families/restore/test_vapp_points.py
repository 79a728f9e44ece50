"""vApp restore and replica points: lists, entities, sub-collections, query types, and
their actions (vApp restore, vApp and VM replica failover) on the mock's clock, in XML
and JSON; hypothesis sends vApp RestoreSpec bodies and checks that a bad one is a 400
that changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from em_mock.core.runtime import Runtime
from em_mock.families.infrastructure.model import HIERARCHY_ROOTS
from em_mock.families.infrastructure.shapes import root_id
from em_mock.families.restore.model import RESTORE_SESSIONS, VAPPS
from em_mock.families.restore.points import (
    vapp_point_id,
    vapp_restore_points,
    vm_restore_point_id,
)
from tests.helpers import JSON, NS, Q, error_of, xml


def _advance(client: Any, seconds: float) -> None:
    response = client.post("/mock/clock", json={"action": "advance", "seconds": seconds})
    assert response.status_code == 200, response.text


def _first(client: Any, auth: dict[str, str], path: str) -> dict[str, Any]:
    body = client.get(f"/api/{path}?format=Entity", headers={**auth, **JSON}).json()
    items: list[dict[str, Any]] = next(iter(body.values()))
    assert items, path
    return items[0]


def _root_uid(runtime: Runtime) -> str:
    return f"urn:veeam:HierarchyRoot:{root_id(HIERARCHY_ROOTS.rows(runtime.store)[0])}"


@pytest.mark.parametrize("path,root,plural,kind", [
    ("vAppRestorePoints", "VAppRestorePoint", "VAppRestorePoints", "VAppRestorePointReference"),
    ("vAppReplicaPoints", "VAppReplicaPoint", "VAppReplicaPoints", "VAppReplicaPointReference"),
])
def test_vapp_point_lists_and_entities(client, auth, path, root, plural, kind):
    refs = xml(client.get(f"/api/{path}", headers=auth).content)
    assert refs.tag == Q + "EntityReferences" and len(refs) > 0
    assert refs[0].get("Type") == kind and refs[0].get("Name").split("@")[0].endswith(
        ("vapp01", "vapp02"))
    entity = xml(client.get(refs[0].get("Href") + "?format=Entity", headers=auth).content)
    assert entity.tag == Q + root
    body = client.get(f"/api/{path}?format=Entity", headers={**auth, **JSON}).json()
    assert list(body) == [plural] and len(body[plural]) == len(refs)
    assert client.get(f"/api/{path}/nope", headers=auth).status_code == 404


def test_vapp_restore_point_fields_links_and_restore_point(client, auth):
    point = _first(client, auth, "vAppRestorePoints")
    assert list(point)[:4] == ["CreationTimeUTC", "Algorithm", "PointType", "HierarchyObjRef"]
    assert point["HierarchyObjRef"].startswith("urn:vCloud:Vapp:")
    rels = [(lk["Rel"], lk["Type"]) for lk in point["Links"]]
    assert rels == [("Restore", None), ("Up", "BackupServerReference"),
                    ("Up", "RestorePointReference"), ("Alternate", "VAppRestorePointReference")]
    assert point["Links"][0]["Href"].endswith("?action=restore")
    # The restore point lists it among its vApp restore points.
    rp = point["Links"][2]["Href"]
    below = xml(client.get(rp + "/vAppRestorePoints", headers=auth).content)
    assert point["UID"].rsplit(":", 1)[1] in [r.get("UID").rsplit(":", 1)[1] for r in below]


def test_vapp_replica_point_links_its_vm_replica_points(client, auth):
    point = _first(client, auth, "vAppReplicaPoints")
    assert point["PointType"] == "Snapshot" and point["VAppName"] in point["Name"]
    rels = [lk["Rel"] for lk in point["Links"]]
    assert rels[:4] == ["Failover", "Up", "Up", "Alternate"] and rels.count("Down") >= 2
    for down in (lk for lk in point["Links"] if lk["Rel"] == "Down"):
        vm = client.get(down["Href"] + "?format=Entity", headers={**auth, **JSON})
        assert vm.status_code == 200 and vm.json()["CreationTimeUTC"]


@pytest.mark.parametrize("qtype,plural", [("vAppRestorePoint", "VAppRestorePoints"),
                                          ("vAppReplicaPoint", "VAppReplicaPoints")])
def test_vapp_query_types_filter_by_server(client, auth, qtype, plural):
    everything = client.get(f"/api/query?type={qtype}&format=Entities",
                            headers={**auth, **JSON}).json()
    items = everything["Entities"][plural][plural]
    assert items
    server = next(lk["Name"] for lk in items[0]["Links"] if lk["Type"] == "BackupServerReference")
    some = client.get("/api/query", params={"type": qtype, "format": "Entities",
                                            "filter": f'BackupServerName=="{server}"'},
                      headers={**auth, **JSON}).json()["Entities"][plural][plural]
    assert 0 < len(some) < len(items)


def _spec(runtime: Runtime, **extra: Any) -> dict[str, Any]:
    return {"PowerOnAfter": "true", "HierarchyRoot": _root_uid(runtime),
            "OrgVdcRef": "urn:vCloud:OrgVdc:example", **extra}


def _xml(root: str, fields: dict[str, Any]) -> bytes:
    def render(value: Any) -> str:
        if isinstance(value, dict):
            return "".join(f"<{k}>{render(v)}</{k}>" for k, v in value.items())
        return str(value)
    return f'<{root} xmlns="{NS}">{render(fields)}</{root}>'.encode()


@pytest.mark.parametrize("as_json", [False, True], ids=["xml", "json"])
def test_vapp_restore_runs_on_the_clock_and_leaves_a_restore_session(client, auth, runtime,
                                                                     as_json):
    point = _first(client, auth, "vAppRestorePoints")
    href = point["Href"].split("?")[0]
    p = next(p for p in vapp_restore_points(runtime.store)
             if point["UID"].endswith(vapp_point_id(p)))
    vm_point = f"urn:veeam:VmRestorePoint:{vm_restore_point_id(p.tasks[-1])}"
    spec = _spec(runtime, vAppNewName="restored",
                 VmsRestoreParameters={"VmRestoreParameters": {"VmRestorePointUid": vm_point}})
    body = json.dumps(spec) if as_json else _xml("RestoreSpec", spec)
    kind = "application/json" if as_json else "application/xml"
    response = client.post(href + "?action=restore", content=body,
                           headers={**auth, "Content-Type": kind})
    assert response.status_code == 202, response.text
    task = xml(response.content)
    assert task.tag == Q + "Task" and task.findtext(Q + "State") == "Running"
    _advance(client, 15)
    done = client.get(task.get("Href"), headers={**auth, **JSON}).json()
    assert done["State"] == "Finished" and "vApp" in done["Result"]["Message"]
    related = next(lk for lk in done["Links"] if lk["Rel"] == "Related")
    session = client.get(related["Href"], headers={**auth, **JSON}).json()
    assert session["JobType"] == "RestoreVm" and session["State"] in ("Starting", "Working")
    _advance(client, 120)
    session = client.get(related["Href"], headers={**auth, **JSON}).json()
    assert (session["State"], session["Result"]) == ("Stopped", "Success")


@pytest.mark.parametrize("path", ["vmReplicaPoints", "vAppReplicaPoints"])
def test_failover_answers_a_task_that_finishes_on_the_clock(client, auth, path):
    point = _first(client, auth, path)
    failover = next(lk["Href"] for lk in point["Links"] if lk["Rel"] == "Failover")
    assert client.post(failover.replace("failover", "explode"), headers=auth).status_code == 400
    response = client.post(failover, headers={**auth, **JSON})
    assert response.status_code == 202, response.text
    task = response.json()
    assert task["State"] == "Running" and task["Operation"].startswith("Failover")
    _advance(client, 5)
    done = client.get(task["Href"], headers={**auth, **JSON}).json()
    assert done["State"] == "Finished" and done["Result"]["Success"] is True
    related = next(lk["Href"] for lk in done["Links"] if lk["Rel"] == "Related")
    assert client.get(related, headers=auth).status_code == 200
    missing = client.post(f"/api/{path}/nope?action=failover", headers=auth)
    assert missing.status_code == 404 and xml(missing.content).tag == Q + "Error"


BAD_SPECS = [
    ({"PowerOnAfter": None}, "PowerOnAfter is required"),
    ({"PowerOnAfter": "maybe"}, "true or false"),
    ({"HierarchyRoot": "urn:veeam:HierarchyRoot:nope"}, "no hierarchy root"),
    ({"OrgVdcRef": None}, "OrgVdcRef is required"),
    ({"Colour": "blue"}, "no field 'Colour'"),
    ({"VmsRestoreParameters": {"VmRestoreParameters": {"VmRestorePointUid": "x"}}},
     "not a VM restore point of this vApp"),
]


def test_bad_vapp_restore_specs_are_400s_that_name_the_problem(client, auth, runtime):
    href = f"/api/vAppRestorePoints/{vapp_point_id(vapp_restore_points(runtime.store)[0])}"
    before = len(RESTORE_SESSIONS.of(runtime.store.data))
    for change, words in BAD_SPECS:
        spec = {k: v for k, v in {**_spec(runtime), **change}.items() if v is not None}
        response = client.post(href + "?action=restore", content=_xml("RestoreSpec", spec),
                               headers={**auth, "Content-Type": "application/xml"})
        assert response.status_code == 400, response.text
        assert words in error_of(response)["Message"]
    assert len(RESTORE_SESSIONS.of(runtime.store.data)) == before


_values = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8),
                    st.lists(st.text(max_size=4), max_size=2),
                    st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=2))


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=st.dictionaries(
    st.sampled_from(["PowerOnAfter", "HierarchyRoot", "OrgVdcRef", "vAppNewName",
                     "VmsRestoreParameters", "Other"]), _values, max_size=6))
def test_any_json_vapp_restore_spec_is_a_202_or_a_400_that_changes_nothing(client, auth,
                                                                           runtime, fields):
    href = f"/api/vAppRestorePoints/{vapp_point_id(vapp_restore_points(runtime.store)[0])}"
    before = len(RESTORE_SESSIONS.of(runtime.store.data))
    response = client.post(href + "?action=restore", content=json.dumps(fields),
                           headers={**auth, **JSON, "Content-Type": "application/json"})
    assert response.status_code in (202, 400), response.text
    after = len(RESTORE_SESSIONS.of(runtime.store.data))
    if response.status_code == 400:
        assert after == before and response.json()["StatusCode"] == 400
    else:
        assert after == before + 1


def test_vapps_come_from_the_fixture_and_name_their_jobs_vms(runtime):
    vapps = list(VAPPS.of(runtime.store.data).values())
    assert vapps
    for vapp in vapps:
        assert set(vapp.vm_uids) <= {vm.uid for vm in vapp.job.vms}
