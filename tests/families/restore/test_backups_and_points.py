"""Backups, replicas, restore points, VM restore/replica points and backup files: lists,
items, links both ways, the repository sub-collections, queries and the data's rules."""

from __future__ import annotations

import pytest

from em_mock.families.agents.model import AGENT_JOBS
from em_mock.families.jobs.model import BACKUP_TASKS, JOBS, leaves_restore_point
from tests.helpers import JSON, Q, xml


def _get(client, auth, path, root="EntityReferences"):
    response = client.get(path, headers=auth)
    assert response.status_code == 200, (path, response.text)
    doc = xml(response.content)
    assert doc.tag == Q + root, path
    return doc


def _refs(client, auth, path):
    return _get(client, auth, path).findall(Q + "Ref")


def _links(node):
    return [(lk.get("Rel"), lk.get("Type")) for lk in node.find(Q + "Links")]


def _href(node, type_):
    return next(lk.get("Href") for lk in node.find(Q + "Links") if lk.get("Type") == type_)


def test_backups_are_one_per_backup_or_copy_job_with_their_repository(client, auth, runtime):
    refs = _refs(client, auth, "/api/backups")
    jobs = [j for j in JOBS.rows(runtime.store) if not j.is_replica]
    jobs += AGENT_JOBS.rows(runtime.store)  # Veeam Agent backup jobs have backups too
    assert sorted(r.get("Name") for r in refs) == sorted(j.name for j in jobs)
    assert {r.get("Type") for r in refs} == {"BackupReference"}
    backup = _get(client, auth, "/api/backups?format=Entity", "Backups").find(Q + "Backup")
    assert [c.tag for c in backup if c.tag != Q + "Links"] == [Q + "Platform", Q + "BackupType"]
    assert backup.findtext(Q + "BackupType") == "Standard"
    assert _links(backup) == [
        ("Up", "RepositoryReference"), ("Up", "BackupServerReference"),
        ("Alternate", "BackupReference"), ("Down", "RestorePointReferenceList"),
        ("Down", "BackupFileReferenceList")]
    repo = _get(client, auth, _href(backup, "RepositoryReference"), "EntityRef")
    mine = _refs(client, auth, _href(repo, "BackupReferenceList"))
    assert backup.get("UID") in {r.get("UID") for r in mine}
    assert _refs(client, auth, backup.get("Href").split("?")[0] + "/childBackups") == []


def test_every_job_sessions_restore_points_are_in_its_backup(client, auth, runtime):
    tasks = [t for t in BACKUP_TASKS.rows(runtime.store) if leaves_restore_point(t)]
    assert tasks
    job = tasks[0].session.job
    backup = next(r for r in _refs(client, auth, "/api/backups") if r.get("Name") == job.name)
    points = _refs(client, auth, _href(backup, "RestorePointReferenceList"))
    assert len(points) == sum(1 for t in tasks if t.session.job is job)
    files = _refs(client, auth, _href(backup, "BackupFileReferenceList"))
    assert len(files) == len(points)


def test_a_restore_point_lists_its_own_file_and_vm_point_and_they_link_back(client, auth):
    point = _get(client, auth, "/api/restorePoints?format=Entity", "RestorePoints")[0]
    assert point.tag == Q + "RestorePoint"
    assert _links(point) == [
        ("Up", "BackupReference"), ("Up", "BackupServerReference"),
        ("Alternate", "RestorePointReference"), ("Down", "VmRestorePointReferenceList"),
        ("Down", "BackupFileReferenceList")]
    [file_ref] = _refs(client, auth, _href(point, "BackupFileReferenceList"))
    file_ = _get(client, auth, file_ref.get("Href") + "?format=Entity", "BackupFile")
    assert [c.tag[len(Q):] for c in file_ if c.tag != Q + "Links"] == [
        "FilePath", "BackupSize", "DataSize", "DeduplicationRatio", "CompressRatio",
        "CreationTimeUtc", "FileType"]
    assert file_.findtext(Q + "FileType") in ("vbk", "vib")
    assert file_.get("Name").endswith("." + file_.findtext(Q + "FileType"))
    assert int(file_.findtext(Q + "BackupSize")) < int(file_.findtext(Q + "DataSize"))
    [back] = _refs(client, auth, _href(file_, "RestorePointReferenceList"))
    assert back.get("UID") == point.get("UID")
    [vm_ref] = _refs(client, auth, _href(point, "VmRestorePointReferenceList"))
    vm_point = _get(client, auth, vm_ref.get("Href") + "?format=Entity", "VmRestorePoint")
    assert [(rel, t) for rel, t in _links(vm_point)] == [
        ("Up", "BackupServerReference"), ("Up", "RestorePointReference"),
        ("Up", "BackupFileReference"), ("Alternate", "VmRestorePointReference"),
        ("Down", "VmRestorePointMountList")]
    assert _href(vm_point, "BackupFileReference") == file_ref.get("Href")
    full = vm_point.findtext(Q + "PointType") == "Full"
    assert (file_.findtext(Q + "FileType") == "vbk") == full


@pytest.mark.parametrize("path,type_", [
    ("restorePoints", "RestorePointReference"), ("vmRestorePoints", "VmRestorePointReference"),
    ("vmReplicaPoints", "VmReplicaPointReference"), ("backupFiles", "BackupFileReference"),
    ("replicas", "ReplicaReference")])
def test_collections_have_entries_in_xml_and_json(client, auth, path, type_):
    refs = _refs(client, auth, f"/api/{path}")
    assert refs and {r.get("Type") for r in refs} == {type_}
    body = client.get(f"/api/{path}", headers={**auth, **JSON}).json()
    assert len(body["Refs"]) == len(refs)
    assert body["Refs"][0]["Type"] == type_


def test_replicas_keep_their_points_and_live_in_their_servers_first_repository(client, auth):
    replica = _get(client, auth, "/api/replicas?format=Entity", "Replicas").find(Q + "Replica")
    assert replica.findtext(Q + "Platform") == "VMware"
    assert _links(replica) == [
        ("Up", "RepositoryReference"), ("Up", "BackupServerReference"),
        ("Alternate", "ReplicaReference"), ("Down", "VmReplicaPointReferenceList")]
    points = _refs(client, auth, _href(replica, "VmReplicaPointReferenceList"))
    assert points
    point = _get(client, auth, points[0].get("Href"), "EntityRef")
    assert _href(point, "ReplicaReference").endswith(replica.get("UID").rsplit(":", 1)[1])
    repo = _href(replica, "RepositoryReference")
    assert replica.get("UID") in {
        r.get("UID") for r in _refs(client, auth, repo + "/replicas")}


def test_backup_json_entity_and_unknown_ids(client, auth):
    body = client.get("/api/backupFiles?format=Entity", headers={**auth, **JSON}).json()
    first = body["BackupFiles"][0]
    assert first["FileType"] in ("vbk", "vib") and isinstance(first["BackupSize"], int)
    for path in ("backups", "replicas", "backupFiles", "restorePoints"):
        response = client.get(f"/api/{path}/nope", headers=auth)
        assert response.status_code == 404
        assert xml(response.content).tag == Q + "Error"


@pytest.mark.parametrize("qtype,filter_", [
    ("Backup", "Platform==VMware"), ("Replica", "Name==\"vbr01 Replica Job 1\""),
    ("RestorePoint", "BackupName==\"vbr01 Backup Job 1\""), ("BackupFile", "FileType==vbk"),
    ("VmRestorePoint", "Type==Full"), ("VmReplicaPoint", "Type==Snapshot")])
def test_query_types_filter(client, auth, qtype, filter_):
    response = client.get(f"/api/query?type={qtype}&format=Entities&filter={filter_}",
                          headers={**auth, **JSON})
    assert response.status_code == 200, response.text
    entities = response.json()["Entities"]
    items = next(v for k, v in entities.items() if v)
    assert items, qtype
