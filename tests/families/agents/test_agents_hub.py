"""The agents hub: the documented root element, its type, and links that answer."""

from __future__ import annotations

from tests.helpers import JSON, Q, xml


def test_the_agents_hub_answers_its_documented_root_with_the_service_type(client, auth):
    root = xml(client.get("/api/agents", headers=auth).content)
    assert root.tag == Q + "Agents"
    assert root.get("Type") == "AgentsService"
    assert root.get("Href").endswith("/api/agents")
    downs = [link.get("Href").split("/api/", 1)[1]
             for link in root.iter(Q + "Link") if link.get("Rel") == "Down"]
    assert downs == ["agents/discoveredComputers", "agents/protectionGroups", "agents/jobs",
                     "agents/agentRestorePoints", "agents/backups", "agents/backupFiles",
                     "agents/backupSessions", "agents/restorePoints",
                     "agents/discoveredComputers?format=Entity"]
    for path in downs:
        assert client.get(f"/api/{path}", headers=auth).status_code == 200


def test_the_agents_hub_in_json_is_its_links_href_and_type(client, auth):
    body = client.get("/api/agents", headers={**auth, **JSON}).json()
    assert list(body) == ["Links", "Href", "Type"]
    assert body["Type"] == "AgentsService"
