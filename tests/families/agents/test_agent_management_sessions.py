"""``GET /backupSessions/{id}/agentManagementSessions``: one ``AgentManagement`` session per
computer of an agent backup session, derived from its tasks; each answers at its Href."""

from __future__ import annotations

from typing import Any

import pytest

from em_mock.core.http.collections import WINDOW_MS
from em_mock.core.ids import derived_id
from em_mock.families.agents.model import is_agent_job
from em_mock.families.jobs.model import BACKUP_SESSIONS, JobSession
from tests.helpers import JSON, Q, error_of, xml

MISSING = "00000000-0000-0000-0000-000000000000"


def _recent(shared_app: Any, agent: bool) -> JobSession:
    _, rt = shared_app
    since = rt.clock.now_ms() - WINDOW_MS
    return next(s for s in BACKUP_SESSIONS.rows(rt.store)
                if is_agent_job(s.job) == agent and s.tasks and s.creation_ms >= since)


def _path(s: JobSession) -> str:
    return f"/api/backupSessions/{s.id}/agentManagementSessions"


def test_an_agent_session_lists_one_management_session_per_computer(reader, shared_app):
    client, auth = reader
    session = _recent(shared_app, agent=True)
    body = client.get(_path(session), headers={**auth, **JSON})
    assert body.status_code == 200
    refs = body.json()["Refs"]
    assert [r["UID"] for r in refs] == [
        f"urn:veeam:BackupJobSession:{derived_id('AgentManagementSession', t.id)}"
        for t in session.tasks]
    for ref, task in zip(refs, session.tasks, strict=True):
        assert ref["Type"] == "BackupJobSessionReference"
        assert ref["Name"].startswith(f"{session.job_name} - {task.vm_name}@")
        assert ref["Href"].endswith(f"/api/backupSessions/{ref['UID'].rsplit(':', 1)[1]}")
        assert [(lk["Rel"], lk["Type"]) for lk in ref["Links"]] == [
            ("Up", "BackupServerReference"), ("Up", "JobReference"),
            ("Up", "BackupJobSessionReference"), ("Alternate", "BackupJobSession"),
            ("Down", "BackupTaskSessionReferenceList")]
        parent = ref["Links"][2]
        assert parent["Name"] == "Parent session"
        assert parent["Href"].endswith(f"/api/backupSessions/{session.id}")
        assert f"/api/agents/jobs/{session.job.id}" in ref["Links"][1]["Href"]
    root = xml(client.get(_path(session), headers=auth).content)
    assert root.tag == Q + "EntityReferences"
    assert [r.get("UID") for r in root] == [r["UID"] for r in refs]


def test_every_management_session_answers_at_its_href(reader, shared_app):
    client, auth = reader
    session = _recent(shared_app, agent=True)
    refs = client.get(_path(session), headers={**auth, **JSON}).json()["Refs"]
    assert refs
    for ref, task in zip(refs, session.tasks, strict=True):
        for link in ref["Links"]:
            assert client.get(link["Href"], headers=auth).status_code == 200, link["Href"]
        one = xml(client.get(ref["Href"], headers=auth).content)
        assert one.tag == Q + "EntityRef" and one.get("UID") == ref["UID"]
        entity = client.get(ref["Href"] + "?format=Entity", headers={**auth, **JSON}).json()
        assert entity["JobType"] == "AgentManagement"
        assert entity["Result"] == task.result
        assert entity["JobName"] == f"{session.job_name} - {task.vm_name}"
        # Derived: no stop action, no restore points, no sessions below it.
        assert [lk["Rel"] for lk in entity["Links"]] == ["Up", "Up", "Up", "Alternate", "Down"]
        entity_xml = xml(client.get(ref["Href"] + "?format=Entity", headers=auth).content)
        assert entity_xml.tag == Q + "BackupJobSession"
        assert entity_xml.findtext(Q + "JobType") == "AgentManagement"
        below = client.get(ref["Href"] + "/agentManagementSessions", headers={**auth, **JSON})
        assert below.json() == {"Refs": []}
        tasks = client.get(ref["Href"] + "/taskSessions", headers={**auth, **JSON})
        assert tasks.json() == {"Refs": []}


def test_management_sessions_stay_out_of_the_backup_session_list(reader, shared_app):
    client, auth = reader
    session = _recent(shared_app, agent=True)
    derived = {r["UID"] for r in client.get(_path(session), headers={**auth, **JSON}).json()[
        "Refs"]}
    listed = {r["UID"] for r in client.get("/api/backupSessions",
                                           headers={**auth, **JSON}).json()["Refs"]}
    assert derived and not derived & listed


@pytest.mark.parametrize("as_json", [False, True], ids=["xml", "json"])
def test_a_vm_job_session_has_none(reader, shared_app, as_json):
    client, auth = reader
    session = _recent(shared_app, agent=False)
    response = client.get(_path(session), headers={**auth, **(JSON if as_json else {})})
    assert response.status_code == 200
    if as_json:
        assert response.json() == {"Refs": []}
    else:
        root = xml(response.content)
        assert root.tag == Q + "EntityReferences" and len(root) == 0


@pytest.mark.parametrize("path", [
    f"/api/backupSessions/{MISSING}/agentManagementSessions", f"/api/backupSessions/{MISSING}",
    f"/api/backupSessions/{derived_id('AgentManagementSession', MISSING)}"])
def test_unknown_ids_are_404(reader, path):
    client, auth = reader
    response = client.get(path, headers=auth)
    assert response.status_code == 404
    assert error_of(response)["StatusCode"] == 404
