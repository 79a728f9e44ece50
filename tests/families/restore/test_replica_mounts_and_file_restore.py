"""Mounts of VM replica points (as of VM restore points), file-level restore from both,
and the catalog's browse and guest file restore actions, in XML and JSON; hypothesis
sends FileRestoreSpec bodies and checks that a bad one is a 400 that changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from em_mock.families.restore.model import MOUNTS, RESTORE_SESSIONS
from em_mock.families.restore.points import vm_restore_point_id
from tests.helpers import JSON, NS, Q, error_of, xml

ORIGINAL = (f'<FileRestoreSpec xmlns="{NS}"><ToOriginalLocation><Overwrite>true</Overwrite>'
            "<GuestCredentials><Username>EXAMPLE\\admin</Username><Password>p</Password>"
            "</GuestCredentials></ToOriginalLocation></FileRestoreSpec>").encode()
XML_BODY = {"Content-Type": "application/xml"}


def _advance(client: Any, seconds: float) -> None:
    assert client.post("/mock/clock", json={"action": "advance", "seconds": seconds}
                       ).status_code == 200


def _mount(client: Any, auth: dict[str, str], path: str) -> tuple[str, str]:
    """Mount the first point of ``path``: (the mounts list href, the mount's href)."""
    point = client.get(f"/api/{path}?format=Entity", headers={**auth, **JSON}).json()
    first = next(iter(point.values()))[0]
    mounts = next(lk["Href"] for lk in first["Links"] if (lk["Type"] or "").endswith("MountList"))
    response = client.post(mounts, headers=auth)
    assert response.status_code == 202, response.text
    task_href = xml(response.content).get("Href")
    _advance(client, 5)
    task = client.get(task_href, headers={**auth, **JSON}).json()
    related = next(lk["Href"] for lk in task["Links"] if lk["Rel"] == "Related")
    return mounts, related.split("?")[0]


def test_replica_point_mount_browse_download_restore_unmount(client, auth, runtime):
    sessions_before = len(RESTORE_SESSIONS.of(runtime.store.data))
    mounts, mount = _mount(client, auth, "vmReplicaPoints")
    assert "/vmReplicaPoints/" in mount
    listed = xml(client.get(mounts, headers=auth).content)
    assert listed.tag == Q + "VmReplicaPointMounts" and len(listed) == 1
    one = xml(client.get(mount, headers=auth).content)
    assert one.tag == Q + "VmReplicaPointMount"
    assert [lk.get("Rel") for lk in one.iter(Q + "Link")] == ["Delete"]
    top = xml(client.get(mount + "/C:", headers=auth).content)
    assert top.tag == Q + "FileSystemEntry"
    assert [d.findtext(Q + "Name") for d in top.find(Q + "Directories")] == ["Users", "Windows"]
    docs = client.get(mount + "/C:/Windows", headers={**auth, **JSON}).json()
    ini = next(f for f in docs["Files"] if f["Name"] == "win.ini")
    rels = [lk["Rel"] for lk in ini["Actions"]]
    assert rels == ["Download", "Restore"]
    assert client.get(ini["Actions"][0]["Href"], headers=auth).content.startswith(b"win.ini")
    restore = client.post(ini["Actions"][1]["Href"], content=ORIGINAL,
                          headers={**auth, **XML_BODY})
    assert restore.status_code == 202, restore.text
    assert xml(restore.content).findtext(Q + "Operation") == "RestoreFiles"
    # Replica points have no restore sessions.
    assert len(RESTORE_SESSIONS.of(runtime.store.data)) == sessions_before
    assert client.delete(mount, headers=auth).status_code == 204
    assert client.get(mount, headers=auth).status_code == 404
    assert client.get(mounts.replace("/mounts", "x/mounts"), headers=auth).status_code == 404


@pytest.mark.parametrize("as_json", [False, True], ids=["xml", "json"])
def test_file_restore_from_a_restore_point_mount_runs_a_session(client, auth, as_json):
    _, mount = _mount(client, auth, "vmRestorePoints")
    target = mount + "/C:/Users/Administrator/Documents"
    if as_json:
        response = client.post(target + "?action=restore",
                               content=json.dumps({"ForDirectDownload": {}}),
                               headers={**auth, **JSON, "Content-Type": "application/json"})
    else:
        response = client.post(target + "?action=restore", content=ORIGINAL,
                               headers={**auth, **XML_BODY})
    assert response.status_code == 202, response.text
    _advance(client, 5)
    task_href = (response.json()["Href"] if as_json else xml(response.content).get("Href"))
    task = client.get(task_href, headers={**auth, **JSON}).json()
    related = next(lk["Href"] for lk in task["Links"] if lk["Rel"] == "Related")
    session = client.get(related, headers={**auth, **JSON}).json()
    assert session["JobType"] == "FileLevelRestore"
    _advance(client, 120)
    assert client.get(related, headers={**auth, **JSON}).json()["State"] == "Stopped"
    missing = client.post(mount + "/C:/nowhere?action=restore", content=ORIGINAL,
                          headers={**auth, **XML_BODY})
    assert missing.status_code == 404
    wrong = client.post(target + "?action=browse", content=ORIGINAL,
                        headers={**auth, **XML_BODY})
    assert wrong.status_code == 400


def test_catalog_browse_and_guest_file_restore(client, auth):
    vms = xml(client.get("/api/catalog/vms", headers=auth).content)
    points = xml(client.get(vms[0].get("Href") + "/vmRestorePoints", headers=auth).content)
    point = points[0].get("Href")
    browse = client.post(point + "?action=browse", headers={**auth, **JSON})
    assert browse.status_code == 200, browse.text
    assert browse.json()["Operation"] == "BrowseGuestFileSystem"
    _advance(client, 5)
    done = client.get(browse.json()["Href"], headers={**auth, **JSON}).json()
    guestfs = next(lk for lk in done["Links"] if lk["Rel"] == "Related")
    assert guestfs["Type"] == "FileSystemEntry"
    assert client.get(guestfs["Href"], headers=auth).status_code == 200
    restored = client.post(point + "/guestfs/C:/Windows/win.ini?action=restore", headers=auth)
    assert restored.status_code == 202, restored.text
    assert xml(restored.content).tag == Q + "Task"
    assert client.post(point + "?action=nope", headers=auth).status_code == 400
    assert client.post(point + "/guestfs/C:/nope?action=restore",
                       headers=auth).status_code == 404
    bad = client.post(point + "/guestfs/C:/Windows?action=restore", content=b"<Wrong/>",
                      headers={**auth, **XML_BODY})
    assert bad.status_code == 400 and "FileRestoreSpec" in error_of(bad)["Message"]


BAD_SPECS = [
    (b"<FileRestoreSpec/>", "exactly one of"),
    (f'<FileRestoreSpec xmlns="{NS}"><ToOriginalLocation/><ForDirectDownload/>'
     "</FileRestoreSpec>".encode(), "exactly one of"),
    (f'<FileRestoreSpec xmlns="{NS}"><ToOriginalLocation><Overwrite>perhaps</Overwrite>'
     "</ToOriginalLocation></FileRestoreSpec>".encode(), "true or false"),
    (f'<FileRestoreSpec xmlns="{NS}"><ToOriginalLocation><GuestCredentials><Username>u'
     "</Username></GuestCredentials></ToOriginalLocation></FileRestoreSpec>".encode(),
     "needs a Password"),
    (f'<FileRestoreSpec xmlns="{NS}"><Elsewhere/></FileRestoreSpec>'.encode(),
     "no field 'Elsewhere'"),
]


def test_bad_file_restore_specs_are_400s_that_name_the_problem(client, auth, runtime):
    _, mount = _mount(client, auth, "vmRestorePoints")
    before = len(RESTORE_SESSIONS.of(runtime.store.data))
    for body, words in BAD_SPECS:
        response = client.post(mount + "/C:/Windows?action=restore", content=body,
                               headers={**auth, **XML_BODY})
        assert response.status_code == 400, response.text
        assert words in error_of(response)["Message"]
    assert len(RESTORE_SESSIONS.of(runtime.store.data)) == before


_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=6))
_options = st.dictionaries(st.sampled_from(["Overwrite", "PermissionsOnly", "GuestCredentials",
                                            "Other"]),
                           st.one_of(_leaf, st.dictionaries(
                               st.sampled_from(["Username", "Password", "Domain"]), _leaf,
                               max_size=3)), max_size=4)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=st.dictionaries(st.sampled_from(["ToOriginalLocation", "ForDirectDownload",
                                             "Other"]),
                            st.one_of(_leaf, _options), max_size=3))
def test_any_json_file_restore_spec_is_a_202_or_a_400_that_changes_nothing(client, auth,
                                                                          runtime, spec):
    mount = next(iter(MOUNTS.of(runtime.store.data).values()), None)
    if mount is None:
        _mount(client, auth, "vmRestorePoints")
        mount = next(iter(MOUNTS.of(runtime.store.data).values()))
    href = f"/api/vmRestorePoints/{vm_restore_point_id(mount.point)}/mounts/{mount.id}"
    before = len(RESTORE_SESSIONS.of(runtime.store.data))
    response = client.post(href + "/C:/Windows?action=restore", content=json.dumps(spec),
                           headers={**auth, **JSON, "Content-Type": "application/json"})
    assert response.status_code in (202, 400), response.text
    after = len(RESTORE_SESSIONS.of(runtime.store.data))
    assert after == before + (response.status_code == 202)
