"""NAS backup on the wire: the /nas hub, NAS jobs, their includes and sessions, file
servers, and the NasJob, NasObject and FileServer query types."""

from __future__ import annotations

from em_mock.core.times import parse_instant_ms
from tests.helpers import JSON, Q, basic, error_of, xml

DAY_MS = 86_400_000


def _get(client, auth, path: str, **params):
    response = client.get(path, params=params or None, headers={**auth, **JSON})
    assert response.status_code == 200, (path, response.text[:300])
    return response.json()


def _api(href: str) -> str:
    return "/api/" + href.split("/api/", 1)[1]


def _jobs(client, auth) -> list[dict]:
    body = _get(client, auth, "/api/nas/jobs", format="Entity")
    return list(body["NASJobs"])


def test_hub_links_its_collections_references_first_then_entities(client, auth):
    root = xml(client.get("/api/nas", headers=auth).content)
    assert root.tag == Q + "NASService"
    got = [(lk.get("Rel"), lk.get("Href").split("/api/", 1)[1], lk.get("Type"))
           for lk in root.iter(Q + "Link")]
    assert got == [
        ("Down", "nas/jobs", "JobReferenceList"),
        ("Down", "nas/fileServers", "FileServerReferenceList"),
        ("Down", "nas/backupSessions", "BackupJobSessionReferenceList"),
        ("Down", "nas/jobs?format=Entity", "JobList"),
        ("Down", "nas/fileServers?format=Entity", "FileServerList"),
        ("Down", "nas/backupSessions?format=Entity", "BackupJobSessionList"),
    ]
    body = _get(client, auth, "/api/nas")
    assert [lk["Href"] for lk in body["Links"]] == [lk.get("Href") for lk in root.iter(Q + "Link")]
    for _, path, _ in got:
        assert client.get(f"/api/{path}", headers=auth).status_code == 200


def test_logon_session_offers_the_hub_where_a_v12_server_does(client):
    body = client.post("/api/sessionMngr/?v=latest",
                       headers={"Authorization": basic(), **JSON}).json()
    client.cookies.clear()
    downs = [(lk["Href"].split("/api/", 1)[1], lk["Type"]) for lk in body["Links"]
             if lk["Rel"] == "Down"]
    at = downs.index(("nas", "NasService"))
    assert downs[at - 1][0] == "externalRepositories?format=Entity"


def test_jobs_list_references_and_entities_of_every_server(client, auth):
    root = xml(client.get("/api/nas/jobs", headers=auth).content)
    assert root.tag == Q + "EntityReferences"
    refs = root.findall(Q + "Ref")
    assert refs and {r.get("Type") for r in refs} == {"NasJobReference"}
    names = {r.get("Name") for r in refs}
    assert {"vbr01 File Share Backup 1", "vbr01 File Share Backup 2"} <= names
    entities = xml(client.get("/api/nas/jobs?format=Entity", headers=auth).content)
    assert entities.tag == Q + "NASJobs"
    assert [e.tag for e in entities] == [Q + "NASJob"] * len(refs)
    assert {e.get("Type") for e in entities} == {"NasJob"}
    assert all(e.get("UID").startswith("urn:veeam:NasJob:") for e in entities)


def test_job_entity_has_the_documented_fields_and_links_in_order(client, auth):
    job_id = _jobs(client, auth)[0]["UID"].split(":")[-1]
    root = xml(client.get(f"/api/nas/jobs/{job_id}?format=Entity", headers=auth).content)
    assert root.tag == Q + "NASJob" and root.get("Type") == "NasJob"
    assert [c.tag.replace(Q, "") for c in root] == [
        "Links", "Description", "Includes", "StorageOptions", "ScheduleConfigured",
        "ScheduleEnabled"]
    base = f"nas/jobs/{job_id}"
    got = [(lk.get("Rel"), lk.get("Href").split("/api/", 1)[1], lk.get("Type"))
           for lk in root.find(Q + "Links")]
    lk_up = got[0][1]
    assert got == [
        ("Up", lk_up, "BackupServerReference"),
        ("Alternate", base, "JobReference"),
        ("Down", f"{base}/includes", "NasObjectList"),
        ("ToggleScheduleEnabled", f"{base}/toggleScheduleEnabled", None),
        ("Down", f"{base}/backupSessions", "BackupJobSessionReferenceList"),
        ("Start", f"{base}/Start", None), ("Stop", f"{base}/Stop", None),
        ("Retry", f"{base}/Retry", None)]
    assert lk_up.startswith("backupServers/")
    storage = root.find(Q + "StorageOptions")
    assert [c.tag.replace(Q, "") for c in storage][:4] == [
        "BackupRepositoryUid", "ShorttermRetentionType", "ShorttermRetentionPeriod",
        "LongtermRetentionEnabled"]
    repo = storage.findtext(Q + "BackupRepositoryUid").split(":")[-1]
    assert client.get(f"/api/repositories/{repo}", headers=auth).status_code == 200
    acl = storage.find(f"{Q}NASJobAdvancedStorageOptions/{Q}ACL")
    assert acl.findtext(Q + "FileAttributesChangeTrackingMode") in (
        "TrackOnlyFolderAttributesChanges", "TrackEverythingAttributesChanges")


def test_job_entity_in_json_keeps_the_nested_storage_options(client, auth):
    jobs = _jobs(client, auth)
    archived = [j for j in jobs if j["StorageOptions"]["LongtermRetentionEnabled"]]
    plain = [j for j in jobs if not j["StorageOptions"]["LongtermRetentionEnabled"]]
    assert archived and plain
    history = archived[0]["StorageOptions"]["KeepFileVersionsHistoryOptions"]
    assert history["LongtermRetentionType"] in ("Month", "Year")
    assert history["BackupRepositoryUid"] != archived[0]["StorageOptions"]["BackupRepositoryUid"]
    assert plain[0]["StorageOptions"]["KeepFileVersionsHistoryOptions"] is None
    assert plain[0]["JobScheduleOptions"] is None


def test_includes_list_the_shares_and_each_include_answers_alone(client, auth):
    job = _jobs(client, auth)[1]
    job_id = job["UID"].split(":")[-1]
    root = xml(client.get(f"/api/nas/jobs/{job_id}/includes", headers=auth).content)
    assert root.tag == Q + "NASObjects"
    items = root.findall(Q + "NASObject")
    assert len(items) == len(job["Includes"]) >= 2
    first = items[0]
    assert first.get("Type") == "NasObject"
    assert [c.tag.replace(Q, "") for c in first] == [
        "Links", "HierarchyObjRef", "ObjectInJobId", "FileOrFolder", "FileServerUid",
        "InclusionMask", "ExclusionMask"]
    object_id = first.findtext(Q + "ObjectInJobId")
    alone = client.get(f"/api/nas/jobs/{job_id}/includes/{object_id.upper()}", headers=auth)
    assert alone.status_code == 200 and xml(alone.content).tag == Q + "NASObject"
    assert first.get("Href").endswith(f"/api/nas/jobs/{job_id}/includes/{object_id}")
    up, related = first.iter(Q + "Link")
    assert (up.get("Rel"), up.get("Type"), up.get("Name")) == ("Up", "Job", job["Name"])
    assert (related.get("Rel"), related.get("Type")) == ("Related", "FileServer")
    share = _get(client, auth, _api(related.get("Href")))
    assert share["UID"] == first.findtext(Q + "FileServerUid")
    assert share["Name"] == related.get("Name")


def test_file_servers_carry_the_options_of_their_type(client, auth):
    servers = _get(client, auth, "/api/nas/fileServers", format="Entity")["FileServers"]
    by_type: dict[str, list[dict]] = {}
    for s in servers:
        by_type.setdefault(s["ServerType"], []).append(s)
    assert set(by_type) == {"SmbServer", "NfsServer", "FileServer"}
    smb = by_type["SmbServer"][0]
    assert smb["Name"].startswith("\\\\vbr01-nas01.example.local\\")
    assert smb["SmbServerOptions"]["Path"] == smb["Name"] and smb["NfsServerOptions"] is None
    assert by_type["NfsServer"][0]["NfsServerOptions"]["Path"].endswith(":/export/data")
    for managed in by_type["FileServer"]:
        host = managed["FileServerOptions"]["ServerUid"].split(":")[-1]
        assert _get(client, auth, f"/api/managedServers/{host}")["Name"] == managed["Name"]
    assert list(smb)[:9] == ["ServerType", "HierarchyObjRef", "SmbServerOptions",
                             "NfsServerOptions", "FileServerOptions", "ProcessingOptions",
                             "NASServerAdvancedOptions", "Name", "UID"]
    root = xml(client.get(f"/api/nas/fileServers/{smb['UID'].split(':')[-1]}",
                          headers=auth).content)
    assert root.tag == Q + "EntityRef" and root.get("Type") == "FileServerReference"
    assert [lk.get("Rel") for lk in root.iter(Q + "Link")] == ["Up", "Alternate"]


def test_nas_sessions_are_backup_job_sessions_of_the_last_30_days(client, auth, runtime):
    sessions = _get(client, auth, "/api/nas/backupSessions",
                    format="Entity")["BackupJobSessions"]
    assert sessions and {s["JobType"] for s in sessions} == {"NasBackup"}
    since = runtime.clock.now_ms() - 30 * DAY_MS
    assert all(parse_instant_ms(s["CreationTimeUTC"]) >= since for s in sessions)
    assert {s["Result"] for s in sessions} >= {"Success"}
    one = sessions[0]
    alone = _get(client, auth, _api(one["Href"]))
    assert alone["UID"] == one["UID"]
    job_link = next(lk for lk in one["Links"] if lk["Type"] == "JobReference")
    job = _get(client, auth, _api(job_link["Href"]), format="Entity")
    assert job["Name"] == one["JobName"] == job_link["Name"]
    of_job = _get(client, auth, f"/api/nas/jobs/{job['UID'].split(':')[-1]}/backupSessions")
    assert one["UID"] in {r["UID"] for r in of_job["Refs"]}
    assert len(of_job["Refs"]) < len(sessions)
    everything = _get(client, auth, "/api/query", type="BackupJobSession",
                      filter="JobType==NasBackup", pageSize=1000)
    assert {r["UID"] for r in everything["Refs"]["Refs"]} >= {s["UID"] for s in sessions}


def test_query_types_filter_by_the_documented_fields(client, auth):
    jobs = _get(client, auth, "/api/query", type="NasJob",
                filter='BackupServerName=="vbr02.example.local"', format="Entities")
    got = jobs["Entities"]["NASJobs"]["NASJobs"]
    assert sorted(j["Name"] for j in got) == ["vbr02 File Share Backup 1",
                                             "vbr02 File Share Backup 2"]
    job = got[0]
    objects = _get(client, auth, "/api/query", type="NasObject", filter=f"JobUid=={job['UID']}",
                   format="Entities")["Entities"]["NASObjects"]["NASObjects"]
    assert sorted(o["ObjectInJobId"] for o in objects) == sorted(
        o["ObjectInJobId"] for o in job["Includes"])
    refs = _get(client, auth, "/api/query", type="NasObject",
                filter=f"JobUid=={job['UID']}")["Refs"]["Refs"]
    for ref in refs:
        assert ref["Type"] == "NasObjectReference"
        assert client.get(_api(ref["Href"]), headers=auth).status_code == 200
    shares = _get(client, auth, "/api/query", type="FileServer", sortDesc="Name",
                  filter="BackupServerName==vbr01.example.local")["Refs"]["Refs"]
    assert [s["Name"] for s in shares] == [
        "vbr01-repo01.example.local", "vbr01-proxy01.example.local",
        "vbr01-nfs01.example.local:/export/data", "\\\\vbr01-nas01.example.local\\projects",
        "\\\\vbr01-nas01.example.local\\home"]
    enabled = _get(client, auth, "/api/query", type="NasJob", filter="ScheduleEnabled==True")
    assert len(enabled["Refs"]["Refs"]) == len(_jobs(client, auth))


def test_unknown_ids_get_404_in_either_format(client, auth):
    job_id = _jobs(client, auth)[0]["UID"].split(":")[-1]
    unknown = "00000000-0000-0000-0000-000000000000"
    for path in (f"/api/nas/jobs/{unknown}", f"/api/nas/fileServers/{unknown}",
                 f"/api/nas/jobs/{unknown}/includes", f"/api/nas/jobs/{unknown}/backupSessions",
                 f"/api/nas/jobs/{job_id}/includes/{unknown}", "/api/nas/jobs/not-a-guid"):
        for accept in ({}, JSON):
            response = client.get(path, headers={**auth, **accept})
            assert response.status_code == 404, path
            assert error_of(response)["StatusCode"] == 404
