"""The rest of the backup infrastructure: the backup server's whole link set, WAN
accelerators, external repositories, credentials and password keys, their queries and
logon links."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from em_mock.families.infrastructure.model import (
    CREDENTIALS,
    EXTERNAL_REPOSITORIES,
    PASSWORD_KEYS,
    SERVERS,
    WAN_ACCELERATORS,
)
from em_mock.families.jobs.model import JOBS
from tests.helpers import JSON, Q, basic, xml

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "em-json-samples"


def _server(runtime):
    return next(iter(SERVERS.of(runtime.store.data).values()))


def _path(href: str) -> str:
    parts = urlsplit(href)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_backup_server_entity_links_match_a_real_v12_server(client, auth, runtime):
    captured = json.loads((SAMPLES / "backup_servers_metrics_v12.json").read_text())
    real = captured["BackupServers"][0]
    real_id = real["UID"].rsplit(" ", 1)[-1].rsplit(":", 1)[-1]
    server = _server(runtime)
    body = client.get(f"/api/backupServers/{server.id}?format=Entity",
                      headers={**auth, **JSON}).json()
    got = [(lk["Rel"], _path(lk["Href"]).replace(server.id, "{id}"), lk["Type"])
           for lk in body["Links"]]
    want = [(lk["Rel"], _path(lk["Href"].replace(" ", "")).replace(real_id, "{id}"),
             lk["Type"]) for lk in real["Links"]]
    assert got == want
    assert [lk["Name"] for lk in body["Links"]][:2] == [server.name, None]


def test_every_down_link_of_a_backup_server_answers_its_root(client, auth, runtime):
    server = _server(runtime)
    root = xml(client.get(f"/api/backupServers/{server.id}?format=Entity",
                          headers=auth).content)
    roots = {}
    for lk in root.iter(Q + "Link"):
        if lk.get("Rel") == "Down":
            response = client.get(lk.get("Href"), headers=auth)
            assert response.status_code == 200, lk.get("Href")
            roots[lk.get("Href").rsplit("/", 1)[1]] = xml(response.content).tag[len(Q):]
    assert roots == {"jobs": "EntityReferences", "managedServers": "EntityReferences",
                     "repositories": "EntityReferences",
                     "externalRepositories": "EntityReferences",
                     "credentials": "CredentialsInfoList", "passwords": "PasswordKeyInfoList"}


def test_credentials_list_shows_records_without_passwords(client, auth, runtime):
    server = _server(runtime)
    mine = [c for c in CREDENTIALS.of(runtime.store.data).values() if c.backup_server is server]
    root = xml(client.get(f"/api/backupServers/{server.id}/credentials", headers=auth).content)
    items = root.findall(Q + "CredentialsInfo")
    assert [i.findtext(Q + "Username") for i in items] == [c.username for c in mine]
    first = items[0]
    assert [child.tag[len(Q):] for child in first] == ["Links", "Id", "Username",
                                                       "Description"]
    assert first.get("Type") == "CredentialsInfo"
    assert [lk.get("Rel") for lk in first.iter(Q + "Link")] == ["Up", "Edit", "Delete"]
    body = client.get(first.get("Href"), headers={**auth, **JSON}).json()
    assert list(body) == ["Id", "Username", "Description", "Links", "Href", "Type"]
    assert body["Id"] == mine[0].id and "Password" not in body
    listed = client.get(f"/api/backupServers/{server.id}/credentials",
                        headers={**auth, **JSON}).json()
    assert list(listed) == ["CredentialsInfoList"]


def test_password_keys_show_hint_and_last_change(client, auth, runtime):
    server = _server(runtime)
    key = next(p for p in PASSWORD_KEYS.of(runtime.store.data).values()
               if p.backup_server is server)
    body = client.get(f"/api/backupServers/{server.id}/passwords",
                      headers={**auth, **JSON}).json()
    first = body["PasswordKeyInfoList"][0]
    assert list(first)[:3] == ["ID", "Hint", "LastModificationDate"]
    assert first["ID"] == key.id and first["Hint"] == key.hint
    assert first["LastModificationDate"].endswith("Z")
    root = xml(client.get(first["Href"], headers=auth).content)
    assert root.tag == Q + "PasswordKeyInfo" and root.findtext(Q + "Hint") == key.hint


def test_a_record_of_another_server_is_404(client, auth, runtime):
    servers = list(SERVERS.of(runtime.store.data).values())
    other = next(c for c in CREDENTIALS.of(runtime.store.data).values()
                 if c.backup_server is servers[1])
    for path in (f"/api/backupServers/{servers[0].id}/credentials/{other.id}",
                 f"/api/backupServers/{servers[0].id}/passwords/{other.id}",
                 "/api/backupServers/nope/credentials"):
        response = client.get(path, headers=auth)
        assert response.status_code == 404
        assert xml(response.content).tag == Q + "Error"


def test_wan_accelerator_entity_has_the_documented_fields(client, auth, runtime):
    wan = next(iter(WAN_ACCELERATORS.of(runtime.store.data).values()))
    body = client.get(f"/api/wanAccelerators/{wan.id}?format=Entity",
                      headers={**auth, **JSON}).json()
    assert list(body)[:10] == ["Description", "OutOfDate", "Version", "Capacity", "TrafficPort",
                               "ConnectionsCount", "CachePath", "HighBandwidthModeEnabled",
                               "BackupServerUid", "BackupServerName"]
    assert body["BackupServerName"] == wan.backup_server.name
    assert body["UID"] == f"urn:veeam:WanAccelerator:{wan.id}"
    assert [lk["Rel"] for lk in body["Links"]] == ["Up", "Alternate"]
    refs = xml(client.get("/api/wanAccelerators", headers=auth).content)
    assert len(refs.findall(Q + "Ref")) == len(WAN_ACCELERATORS.of(runtime.store.data))


def test_external_repositories_and_their_backups(client, auth, runtime):
    repo = next(iter(EXTERNAL_REPOSITORIES.of(runtime.store.data).values()))
    root = xml(client.get(f"/api/externalRepositories/{repo.id}?format=Entity",
                          headers=auth).content)
    assert root.tag == Q + "ExternalRepository"
    assert [c.tag[len(Q):] for c in root][1:] == ["RepositoryType", "Path", "UsedSpace",
                                                  "Description"]
    rels = [(lk.get("Rel"), lk.get("Type")) for lk in root.iter(Q + "Link")]
    assert rels == [("Up", "BackupServerReference"), ("Alternate", "ExternalRepositoryReference"),
                    ("Down", "BackupReferenceList")]
    mine = xml(client.get(f"/api/backupServers/{repo.backup_server.id}/externalRepositories",
                          headers=auth).content)
    assert [r.get("Name") for r in mine.findall(Q + "Ref")] == [repo.name]


def test_an_external_repository_lists_its_servers_backup_copies(client, auth, runtime):
    for repo in EXTERNAL_REPOSITORIES.of(runtime.store.data).values():
        copies = sorted(j.name for j in JOBS.rows(runtime.store)
                        if j.is_copy and j.backup_server is repo.backup_server)
        assert copies, repo.name
        path = f"/api/externalRepositories/{repo.id}/backups"
        refs = xml(client.get(path, headers=auth).content)
        assert refs.tag == Q + "EntityReferences"
        assert sorted(r.get("Name") for r in refs.findall(Q + "Ref")) == copies
        assert {r.get("Type") for r in refs.findall(Q + "Ref")} == {"BackupReference"}
        entities = xml(client.get(f"{path}?format=Entity", headers=auth).content)
        assert entities.tag == Q + "Backups"
        assert sorted(b.get("Name") for b in entities.findall(Q + "Backup")) == copies
        body = client.get(f"{path}?format=Entity", headers={**auth, **JSON}).json()
        items = body["Backups"]
        assert sorted(b["Name"] for b in items) == copies
        for backup in entities.findall(Q + "Backup"):
            answer = client.get(_path(backup.get("Href")), headers=auth)
            assert answer.status_code == 200, backup.get("Href")
            same = xml(answer.content)
            assert same.tag == Q + "Backup" and same.get("UID") == backup.get("UID")
        listed = xml(client.get("/api/backups", headers=auth).content)
        assert {r.get("UID") for r in refs.findall(Q + "Ref")} <= {
            r.get("UID") for r in listed.findall(Q + "Ref")}


def test_new_query_types_filter_and_show_entities(client, auth, runtime):
    server = _server(runtime)
    body = client.get("/api/query", params={
        "type": "Credentials", "format": "Entities", "filter": f"BackupServerUid=={server.id}",
        "sortAsc": "Username"}, headers={**auth, **JSON}).json()
    items = body["Entities"]["CredentialsInfoList"]["CredentialsInfoList"]
    mine = sorted(c.username.lower() for c in CREDENTIALS.of(runtime.store.data).values()
                  if c.backup_server is server)
    assert [i["Username"].lower() for i in items] == mine
    body = client.get("/api/query",
                      params={"type": "Passwords", "filter": 'Hint=="Offsite copies"'},
                      headers={**auth, **JSON}).json()
    assert len(body["Refs"]["Refs"]) == len(SERVERS.of(runtime.store.data))
    body = client.get("/api/query", params={"type": "WanAccelerator",
                                            "filter": "HighBandwidthModeEnabled==true"},
                      headers={**auth, **JSON}).json()
    assert {r["Name"] for r in body["Refs"]["Refs"]} == {
        w.name for w in WAN_ACCELERATORS.of(runtime.store.data).values() if w.high_bandwidth}


def test_logon_offers_wan_accelerators_and_external_repositories_in_the_vendors_places(
        client):
    sample = json.loads((SAMPLES / "veeam_login_v12.json").read_text())
    vendor = [_path(lk["Href"]).split("/api/")[1] for lk in sample["Links"]]
    body = client.post("/api/sessionMngr/?v=latest",
                       headers={"Authorization": basic(), **JSON}).json()
    ours = [_path(lk["Href"]).split("/api/")[1] for lk in body["Links"]]
    for path in ("wanAccelerators", "externalRepositories", "wanAccelerators?format=Entity",
                 "externalRepositories?format=Entity"):
        assert path in ours
    common = [p for p in ours if p in vendor]
    assert common == [p for p in vendor if p in common]


def _refresh(client, auth, path):
    return client.get(path, headers={**auth, **JSON}).json()


def test_credentials_are_created_edited_and_deleted(client, auth, runtime):
    server = _server(runtime)
    base = f"/api/backupServers/{server.id}/credentials"
    before = len(_refresh(client, auth, base)["CredentialsInfoList"])
    xml_body = ('<CredentialsInfoSpec xmlns="http://www.veeam.com/ent/v1.0">'
                "<Username>EXAMPLE\\backup</Username><Description>new</Description>"
                "<Password>secret</Password></CredentialsInfoSpec>")
    made = client.post(f"{base}?action=create", content=xml_body,
                       headers={**auth, "Content-Type": "application/xml"})
    assert made.status_code == 201, made.text
    root = xml(made.content)
    assert root.tag == Q + "CredentialsInfo"
    assert root.findtext(Q + "Username") == "EXAMPLE\\backup"
    assert b"secret" not in made.content
    href = root.get("Href")
    assert made.headers["Location"] == href
    listed = _refresh(client, auth, base)["CredentialsInfoList"]
    assert len(listed) == before + 1 and listed[-1]["Href"] == href
    edit = client.put(href, json={"Description": "changed"}, headers=auth)
    assert edit.status_code == 204 and edit.content == b""
    assert _refresh(client, auth, href)["Description"] == "changed"
    assert client.delete(href, headers=auth).status_code == 204
    assert client.get(href, headers=auth).status_code == 404
    assert len(_refresh(client, auth, base)["CredentialsInfoList"]) == before


def test_password_key_creation_answers_a_task_that_links_to_the_key(client, auth, runtime):
    server = _server(runtime)
    base = f"/api/backupServers/{server.id}/passwords"
    made = client.post(f"{base}?action=create", json={"Hint": "New hint", "Password": "p"},
                       headers={**auth, **JSON})
    assert made.status_code == 202, made.text
    task = made.json()
    assert task["Type"] == "Task" and task["State"] == "Running"
    runtime.clock.advance(600)
    done = client.get(task["Href"], headers={**auth, **JSON}).json()
    related = next(lk for lk in done["Links"] if lk["Rel"] == "Related")
    key = client.get(related["Href"], headers={**auth, **JSON}).json()
    assert key["Hint"] == "New hint" and "Password" not in key
    assert client.put(key["Href"], json={"Hint": "Other"}, headers=auth).status_code == 204
    assert _refresh(client, auth, key["Href"])["Hint"] == "Other"
    assert client.delete(key["Href"], headers=auth).status_code == 204
    assert client.get(key["Href"], headers=auth).status_code == 404


def test_bad_credentials_and_password_bodies_are_em_errors(client, auth, runtime):
    server = _server(runtime)
    base = f"/api/backupServers/{server.id}"
    cases = [
        (f"{base}/credentials?action=create", {"Description": "no user"}),
        (f"{base}/credentials?action=create", {"Username": "u", "Colour": "red"}),
        (f"{base}/credentials?action=destroy", {"Username": "u"}),
        (f"{base}/passwords?action=create", {"Hint": "no password"}),
    ]
    for path, body in cases:
        response = client.post(path, json=body, headers={**auth, **JSON})
        assert response.status_code == 400, (path, body)
        assert response.json()["StatusCode"] == 400
    wrong_root = client.post(f"{base}/passwords?action=create", content="<Job/>",
                             headers={**auth, "Content-Type": "application/xml"})
    assert wrong_root.status_code == 400
    assert xml(wrong_root.content).tag == Q + "Error"
    missing = client.put(f"{base}/credentials/00000000-0000-0000-0000-000000000000",
                         json={}, headers=auth)
    assert missing.status_code == 404



def test_a_backup_server_is_connected_through_the_logons_create_link(client, runtime):
    body = client.post("/api/sessionMngr/?v=latest",
                       headers={"Authorization": basic(), **JSON}).json()
    auth = {"X-RestSvcSessionId": body["SessionId"]}
    paths = [(lk["Rel"], lk["Href"].split("/api/")[1]) for lk in body["Links"]]
    index = paths.index(("Create", "backupServers?action=create"))
    assert paths[index - 1][1] == "managedServers?format=Entity"
    assert paths[index + 1][1] == "jobs?format=Entity"
    spec = ('<BackupServerSpec xmlns="http://www.veeam.com/ent/v1.0">'
            "<Description>New one</Description><DnsNameOrIpAddress>vbr09.example.local"
            "</DnsNameOrIpAddress><Port>9392</Port><Username>EXAMPLE\\admin</Username>"
            "<Password>secret</Password></BackupServerSpec>")
    made = client.post(body["Links"][index]["Href"], content=spec,
                       headers={**auth, "Content-Type": "application/xml"})
    assert made.status_code == 202, made.text
    assert xml(made.content).tag == Q + "Task"
    runtime.clock.advance(600)
    task = client.get(xml(made.content).get("Href"), headers={**auth, **JSON}).json()
    related = next(lk for lk in task["Links"] if lk["Rel"] == "Related")
    server = client.get(related["Href"], headers={**auth, **JSON}).json()
    assert server["Name"] == "vbr09.example.local" and server["Description"] == "New one"
    again = client.post("/api/backupServers?action=create", content=spec,
                        headers={**auth, "Content-Type": "application/xml"})
    assert again.status_code == 400


def test_bad_backup_server_specs_are_em_errors(client, auth):
    good = {"Description": "d", "DnsNameOrIpAddress": "vbr10.example.local", "Port": "9392",
            "Username": "u", "Password": "p"}
    cases = [("create", {k: v for k, v in good.items() if k != "Password"}),
             ("create", {**good, "Port": "99999"}),
             ("create", {**good, "WcfPort": "x"}),
             ("create", {**good, "Colour": "red"}),
             ("destroy", good)]
    for action, spec in cases:
        response = client.post(f"/api/backupServers?action={action}", json=spec,
                               headers={**auth, **JSON})
        assert response.status_code == 400, spec
        assert response.json()["StatusCode"] == 400
