"""Restore sessions (seeded and made by a VM restore) and the VM restore action, end to
end against a live server whose clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import LiveServer
from tests.helpers import JSON, Q, basic, error_of, xml

SPEC_XML = (b'<RestoreSpec xmlns="http://www.veeam.com/ent/v1.0"><VmRestoreSpec>'
            b"<PowerOnAfter>true</PowerOnAfter><QuickRollback>false</QuickRollback>"
            b"</VmRestoreSpec></RestoreSpec>")
XML_BODY = {"Content-Type": "application/xml"}


def test_seeded_restore_sessions_list_and_entity(client, auth):
    refs = xml(client.get("/api/restoreSessions", headers=auth).content)
    assert refs.tag == Q + "EntityReferences" and len(refs) > 0
    body = client.get("/api/restoreSessions?format=Entity", headers={**auth, **JSON}).json()
    first = body["RestoreSessions"][0]
    assert list(first)[:7] == ["JobType", "CreationTimeUTC", "EndTimeUTC", "State", "Result",
                               "Progress", "RestoredObjRef"]
    assert first["JobType"] in ("RestoreVm", "FileLevelRestore")
    rels = [(lk["Rel"], lk["Type"]) for lk in first["Links"]]
    assert rels == [("Up", "BackupServerReference"), ("Alternate", "RestoreSessionReference"),
                    ("Related", "VmRestorePointReference")]
    point = client.get(first["Links"][2]["Href"] + "?format=Entity", headers={**auth, **JSON})
    assert point.status_code == 200
    assert point.json()["HierarchyObjRef"] == first["RestoredObjRef"]


def test_restore_session_query(client, auth):
    response = client.get("/api/query?type=RestoreSession&format=Entities&filter=Type==RestoreVm",
                          headers={**auth, **JSON})
    assert response.status_code == 200, response.text
    items = response.json()["Entities"]["RestoreSessions"]["RestoreSessions"]
    assert items and {i["JobType"] for i in items} == {"RestoreVm"}


def _a_point(client, auth) -> str:
    refs = xml(client.get("/api/vmRestorePoints", headers=auth).content)
    return str(refs[0].get("Href"))


@pytest.mark.parametrize("body,content_type,words", [
    (b"", "application/xml", "PowerOnAfter and QuickRollback"),
    (b"<RestoreSpec><VmRestoreSpec><PowerOnAfter>true</PowerOnAfter></VmRestoreSpec>"
     b"</RestoreSpec>", "application/xml", "QuickRollback is required"),
    (b"<RestoreSpec><PowerOnAfter>yes</PowerOnAfter><QuickRollback>false</QuickRollback>"
     b"</RestoreSpec>", "application/xml", "true or false"),
    (b"<Other/>", "application/xml", "Expected a RestoreSpec"),
    (b"<RestoreSpec>", "application/xml", "not well-formed"),
    (b'{"VmRestoreSpec": 3}', "application/json", "VmRestoreSpec must be a JSON object"),
    (b"[1]", "application/json", "JSON object"),
])
def test_bad_restore_specs_get_a_400_that_names_the_problem(client, auth, body, content_type,
                                                            words):
    response = client.post(_a_point(client, auth) + "?action=restore", content=body,
                           headers={**auth, **JSON, "Content-Type": content_type})
    assert response.status_code == 400, response.text
    assert words in error_of(response)["Message"]


def test_restore_needs_the_restore_action_and_a_known_point(client, auth):
    response = client.post(_a_point(client, auth) + "?action=explode", content=SPEC_XML,
                           headers={**auth, **XML_BODY})
    assert response.status_code == 400
    response = client.post("/api/vmRestorePoints/nope?action=restore", content=SPEC_XML,
                           headers={**auth, **XML_BODY})
    assert response.status_code == 404
    assert xml(response.content).tag == Q + "Error"


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    live = LiveServer("--frozen-clock", "--no-https")
    yield live
    live.stop()


@pytest.fixture
def em(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as c:
        response = c.post("/api/sessionMngr/?v=latest", headers={"Authorization": basic()})
        assert response.status_code == 201
        c.headers["X-RestSvcSessionId"] = response.headers["X-RestSvcSessionId"]
        yield c


def _advance(em: httpx.Client, seconds: float) -> None:
    assert em.post("/mock/clock", json={"action": "advance", "seconds": seconds}
                   ).status_code == 200


def test_vm_restore_runs_on_the_clock_and_leaves_a_restore_session(em):
    point = em.get("/api/vmRestorePoints?format=Entity", headers=JSON).json()
    vm_point = point["VmRestorePoints"][0]
    href = vm_point["Href"].split("?")[0]
    response = em.post(href + "?action=restore", content=SPEC_XML, headers=XML_BODY)
    assert response.status_code == 202, response.text
    task = xml(response.content)
    assert task.tag == Q + "Task" and task.findtext(Q + "State") == "Running"
    task_href = task.get("Href")

    _advance(em, 15)
    done = em.get(task_href, headers=JSON).json()
    assert done["State"] == "Finished" and done["Result"]["Success"] is True
    related = next(lk for lk in done["Links"] if lk["Rel"] == "Related")
    assert related["Type"] == "RestoreSession"
    session = em.get(related["Href"], headers=JSON).json()
    assert session["JobType"] == "RestoreVm"
    assert session["State"] in ("Starting", "Working") and session["Result"] == "None"
    assert session["RestoredObjRef"] == vm_point["HierarchyObjRef"]

    _advance(em, 120)
    session = em.get(related["Href"], headers=JSON).json()
    assert (session["State"], session["Result"], session["Progress"]) == (
        "Stopped", "Success", 100)
    assert session["EndTimeUTC"]
    listed = em.get("/api/query", params={
        "type": "RestoreSession", "filter": f"UID=={session['UID']}"}, headers=JSON)
    assert listed.status_code == 200, listed.text
    # A JSON RestoreSpec (options at the top level) works too.
    response = em.post(href + "?action=restore", headers=JSON,
                       json={"PowerOnAfter": False, "QuickRollback": True})
    assert response.status_code == 202, response.text


def test_file_level_restore_mount_browse_download_unmount(em):
    vm_point = em.get("/api/vmRestorePoints?format=Entity", headers=JSON).json()[
        "VmRestorePoints"][1]
    mounts = next(lk["Href"] for lk in vm_point["Links"] if lk["Type"] == "VmRestorePointMountList")
    response = em.post(mounts)
    assert response.status_code == 202, response.text
    task_href = xml(response.content).get("Href")
    _advance(em, 15)
    task = em.get(task_href, headers=JSON).json()
    mount_href = next(lk["Href"] for lk in task["Links"] if lk["Rel"] == "Related")
    mount_href = mount_href.split("?")[0]

    listed = xml(em.get(mounts).content)
    assert listed.tag == Q + "VmRestorePointMounts" and len(listed) == 1
    mount = em.get(mount_href, headers=JSON).json()
    assert mount["FSRoots"] == [{"Path": "C:\\", "Name": "C:\\"}]
    assert [lk["Rel"] for lk in mount["Links"]] == ["Delete"]

    top = xml(em.get(mount_href + "/C:").content)
    assert top.tag == Q + "FileSystemEntries"
    assert [d.findtext(Q + "Name") for d in top.find(Q + "Directories")] == ["Users", "Windows"]
    docs = em.get(mount_href + "/C:/Users/Administrator/Documents", headers=JSON).json()
    notes = next(f for f in docs["Files"] if f["Name"] == "notes.txt")
    assert notes["Path"] == "C:\\Users\\Administrator\\Documents\\notes.txt"
    download = next(lk["Href"] for lk in notes["Actions"] if lk["Rel"] == "Download")
    body = em.get(download)
    assert body.status_code == 200
    assert body.headers["content-type"] == "application/octet-stream"
    assert len(body.content) == notes["Size"]
    assert vm_point["Name"].split("@")[0].encode() in body.content

    assert em.get(mount_href + "/C:/Users/Administrator/Documents/notes.txt").status_code == 400
    missing = em.get(mount_href + "/C:/nowhere", headers=JSON)
    assert missing.status_code == 404 and "nowhere" in missing.json()["Message"]

    flr = em.get("/api/query", params={
        "type": "RestoreSession", "format": "Entities",
        "filter": "Type==FileLevelRestore;State==Working"}, headers=JSON).json()
    [working] = flr["Entities"]["RestoreSessions"]["RestoreSessions"]
    assert em.delete(mount_href).status_code == 204
    assert em.get(mount_href).status_code == 404
    stopped = em.get(working["Href"].split("?")[0] + "?format=Entity", headers=JSON).json()
    assert (stopped["State"], stopped["Result"]) == ("Stopped", "Success")


def _protected_vm(em: httpx.Client) -> tuple[str, str, str]:
    """A backup server's href, one VM a backup job of it protects (a job not running: the
    data's running job is on the first server), and a repository UID."""
    job = next(j for j in em.get("/api/query", params={
        "type": "Job", "format": "Entities", "filter": 'Name=="vbr02 Backup Job 1"'},
        headers=JSON).json()["Entities"]["Jobs"]["Jobs"])
    server = next(lk["Href"] for lk in job["Links"] if lk["Type"] == "BackupServerReference")
    includes = xml(em.get(job["Href"].split("?")[0] + "/includes").content)
    vm_ref = next(e.findtext(Q + "HierarchyObjRef") for e in includes.iter(Q + "ObjectInJob"))
    repo = xml(em.get(server + "/repositories").content)[0].get("UID")
    return server, vm_ref, repo


def test_file_restore_from_a_mount_runs_a_session_on_the_clock(em):
    vm_point = em.get("/api/vmRestorePoints?format=Entity", headers=JSON).json()[
        "VmRestorePoints"][2]
    mounts = next(lk["Href"] for lk in vm_point["Links"] if lk["Type"] == "VmRestorePointMountList")
    mounted = em.post(mounts)
    assert mounted.status_code == 202, mounted.text
    _advance(em, 15)
    task = em.get(xml(mounted.content).get("Href"), headers=JSON).json()
    mount_href = next(lk["Href"] for lk in task["Links"] if lk["Rel"] == "Related").split("?")[0]
    folder = em.get(mount_href + "/C:/Users/Administrator/Documents", headers=JSON).json()
    restore = next(lk["Href"] for lk in folder["Links"] if lk["Rel"] == "Restore")
    started = em.post(restore, json={"ToOriginalLocation": {"Overwrite": "true"}},
                      headers=JSON)
    assert started.status_code == 202, started.text
    _advance(em, 120)
    done = em.get(started.json()["Href"], headers=JSON).json()
    assert done["State"] == "Finished" and done["Result"]["Success"] is True
    assert "original location" in done["Result"]["Message"]
    bad = em.post(restore, json={"ToOriginalLocation": {}, "ForDirectDownload": {}},
                  headers=JSON)
    assert bad.status_code == 400 and "exactly one" in bad.json()["Message"]
    assert em.delete(mount_href).status_code == 204


def test_agent_restore_point_mount_browse_restore_unmount(em):
    point = em.get("/api/agents/agentRestorePoints", headers=JSON).json()["Refs"][0]
    mounts = point["Href"].split("?")[0] + "/mounts"
    mounted = em.post(mounts)
    assert mounted.status_code == 202, mounted.text
    assert xml(mounted.content).findtext(Q + "Operation") == "MountAgentRestorePoint"
    _advance(em, 15)
    task = em.get(xml(mounted.content).get("Href"), headers=JSON).json()
    mount_href = next(lk["Href"] for lk in task["Links"] if lk["Rel"] == "Related").split("?")[0]
    assert xml(em.get(mount_href).content).tag == Q + "AgentRestorePointMount"
    dirs = em.get(mount_href + "/C:/Users/Administrator?action=listDirs", headers=JSON).json()
    assert dirs["Files"] == [] and dirs["Directories"]
    docs = em.get(mount_href + "/C:/Users/Administrator/Documents", headers=JSON).json()
    notes = next(f for f in docs["Files"] if f["Name"] == "notes.txt")
    download = next(lk["Href"] for lk in notes["Actions"] if lk["Rel"] == "Download")
    assert len(em.get(download).content) == notes["Size"]
    restore = next(lk["Href"] for lk in notes["Actions"] if lk["Rel"] == "Restore")
    started = em.post(restore, content=b"<FileRestoreSpec><ForDirectDownload/></FileRestoreSpec>",
                      headers={**XML_BODY, **JSON})
    assert started.status_code == 202, started.text
    _advance(em, 15)
    done = em.get(started.json()["Href"], headers=JSON).json()
    assert "direct download" in done["Result"]["Message"]
    assert em.delete(mount_href).status_code == 204
    assert em.get(mount_href).status_code == 404


def test_quick_backup_runs_the_vms_job_for_that_vm_and_leaves_a_restore_point(em):
    server, vm_ref, _ = _protected_vm(em)
    body = f"<QuickBackupStartupSpec><VmRef>{vm_ref}</VmRef></QuickBackupStartupSpec>"
    response = em.post(server + "?action=quickbackup", content=body, headers=XML_BODY)
    assert response.status_code == 202, response.text
    task_href = xml(response.content).get("Href")
    _advance(em, 120)
    task = em.get(task_href, headers=JSON).json()
    assert task["Result"]["Success"] is True
    related = next(lk for lk in task["Links"] if lk["Rel"] == "Related")
    assert related["Type"] == "BackupJobSession"
    session = em.get(related["Href"], headers=JSON).json()
    assert (session["State"], session["Result"]) == ("Stopped", "Success")
    tasks = em.get(related["Href"].split("?")[0] + "/taskSessions?format=Entity",
                   headers=JSON).json()["BackupTaskSessions"]
    assert len(tasks) == 1 and tasks[0]["VmUid"] == vm_ref
    point = next(lk["Href"] for lk in tasks[0]["Links"] if lk["Type"] == "VmRestorePoint")
    point_entity = em.get(point, headers=JSON).json()
    assert point_entity["HierarchyObjRef"] == vm_ref


def test_veeam_zip_checks_its_spec(em):
    server, vm_ref, repo = _protected_vm(em)
    good = {"VmRef": vm_ref, "RepositoryUid": repo, "CompressionLevel": 5,
            "BackupRetention": "In1Week"}
    response = em.post(server + "?action=veeamzip", json=good, headers=JSON)
    assert response.status_code == 202, response.text
    for change, words in [({"CompressionLevel": 9}, "CompressionLevel"),
                          ({"BackupRetention": "Forever"}, "BackupRetention"),
                          ({"RepositoryUid": "urn:veeam:Repository:nope"}, "no repository"),
                          ({"VmRef": "urn:VMware:Vm:nope"}, "protects the VM")]:
        bad = em.post(server + "?action=veeamzip", json={**good, **change}, headers=JSON)
        assert bad.status_code == 400, change
        assert words in bad.json()["Message"]
    assert em.post(server + "?action=quickbackup", headers=JSON).status_code == 400
    assert em.post(server + "?action=fly", headers=JSON).status_code == 400
