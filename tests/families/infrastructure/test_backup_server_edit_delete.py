"""Editing a backup server (``PUT``) and disconnecting it (``DELETE``, refused with 409
while anything refers to the server), in XML and JSON; hypothesis sends edit specs and
checks that a bad one is a 400 that changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from em_mock.families.infrastructure.model import SERVERS
from tests.helpers import JSON, NS, Q, error_of, xml


def _spec(fields: dict[str, str], as_json: bool) -> tuple[bytes, str]:
    if as_json:
        return json.dumps(fields).encode(), "application/json"
    inner = "".join(f"<{k}>{v}</{k}>" for k, v in fields.items())
    return f'<BackupServerSpec xmlns="{NS}">{inner}</BackupServerSpec>'.encode(), \
        "application/xml"


def _server(runtime: Any) -> Any:
    return next(iter(SERVERS.of(runtime.store.data).values()))


@pytest.mark.parametrize("as_json", [False, True], ids=["xml", "json"])
def test_edit_changes_what_the_server_shows(client, auth, runtime, as_json):
    server = _server(runtime)
    body, kind = _spec({"Description": "Edited", "DnsNameOrIpAddress": "vbr99.example.local",
                        "Port": "10392", "WcfPort": "10405",
                        "VbrCertificateThumbprint": "AB" * 20}, as_json)
    response = client.put(f"/api/backupServers/{server.id}", content=body,
                          headers={**auth, "Content-Type": kind})
    assert response.status_code == 204, response.text
    shown = client.get(f"/api/backupServers/{server.id}?format=Entity",
                       headers={**auth, **JSON}).json()
    assert (shown["Name"], shown["Description"], shown["Port"], shown["WcfPort"]) == (
        "vbr99.example.local", "Edited", 10392, 10405)
    assert shown["VbrCertificateThumbprint"] == "AB" * 20


BAD_EDITS = [
    ({"Description": "x"}, "needs DnsNameOrIpAddress"),
    ({"DnsNameOrIpAddress": "a", "Port": "0"}, "not a port number"),
    ({"DnsNameOrIpAddress": "a", "Colour": "red"}, "no field 'Colour'"),
    ({"DnsNameOrIpAddress": "two words"}, "not a DNS name"),
]


def test_bad_edits_are_400s(client, auth, runtime):
    server = _server(runtime)
    before = (server.name, server.port)
    for fields, words in BAD_EDITS:
        response = client.put(f"/api/backupServers/{server.id}",
                              content=_spec(fields, True)[0],
                              headers={**auth, **JSON, "Content-Type": "application/json"})
        assert response.status_code == 400 and words in error_of(response)["Message"]
    assert (server.name, server.port) == before


def test_edit_refuses_another_servers_address(client, auth, runtime):
    first, second = list(SERVERS.of(runtime.store.data).values())[:2]
    body, kind = _spec({"DnsNameOrIpAddress": second.name.upper()}, False)
    response = client.put(f"/api/backupServers/{first.id}", content=body,
                          headers={**auth, "Content-Type": kind})
    assert response.status_code == 400 and "already connected" in error_of(response)["Message"]


def test_delete_refuses_a_server_with_dependants_and_removes_an_empty_one(client, auth, runtime):
    server = _server(runtime)
    refused = client.delete(f"/api/backupServers/{server.id}", headers=auth)
    assert refused.status_code == 409
    assert "jobs" in error_of(refused)["Message"]
    assert client.get(f"/api/backupServers/{server.id}", headers=auth).status_code == 200
    body, kind = _spec({"Description": "new", "DnsNameOrIpAddress": "vbr77.example.local",
                        "Port": "9392", "Username": "u", "Password": "p"}, False)
    task = client.post("/api/backupServers?action=create", content=body,
                       headers={**auth, "Content-Type": kind})
    assert task.status_code == 202
    made = next(s for s in SERVERS.of(runtime.store.data).values()
                if s.name == "vbr77.example.local")
    assert client.delete(f"/api/backupServers/{made.id}", headers=auth).status_code == 204
    gone = client.get(f"/api/backupServers/{made.id}", headers=auth)
    assert gone.status_code == 404 and xml(gone.content).tag == Q + "Error"
    assert client.delete(f"/api/backupServers/{made.id}", headers=auth).status_code == 404
    assert client.put(f"/api/backupServers/{made.id}", content=body,
                      headers={**auth, "Content-Type": kind}).status_code == 404


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=st.dictionaries(
    st.sampled_from(["Description", "DnsNameOrIpAddress", "Port", "WcfPort", "Username",
                     "Password", "VbrCertificateThumbprint", "Other"]),
    st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), st.text(max_size=8)),
    max_size=6))
def test_any_json_edit_is_a_204_or_a_400_that_changes_nothing(client, auth, runtime, fields):
    server = _server(runtime)
    before = (server.name, server.description, server.port, server.wcf_port,
              server.certificate_thumbprint)
    response = client.put(f"/api/backupServers/{server.id}", content=json.dumps(fields),
                          headers={**auth, **JSON, "Content-Type": "application/json"})
    assert response.status_code in (204, 400), response.text
    if response.status_code == 400:
        assert (server.name, server.description, server.port, server.wcf_port,
                server.certificate_thumbprint) == before
