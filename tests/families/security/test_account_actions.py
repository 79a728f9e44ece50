"""Changing Enterprise Manager accounts on the wire, in XML and JSON: add, toggle the
restore-all setting, give and take roles, add and remove scope objects, rebuild scopes,
delete; hypothesis sends account specs and checks that a bad one is a 400 that changes
nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from em_mock import Settings, create_app
from em_mock.core.runtime import Runtime
from em_mock.families.security.model import ACCOUNTS, ROLES
from tests.conftest import EPOCH_MS
from tests.helpers import JSON, NS, Q, error_of, logon, xml

VM_REF = "urn:VMware:Vm:3986a06e-0598-4451-a05e-44950e536319.vm-1001"


def _role_uids(runtime: Any) -> list[str]:
    return [f"urn:veeam:EnterpriseRole:{r.id}" for r in ROLES.of(runtime.store.data).values()]


def _xml(root: str, body: str) -> bytes:
    return f'<{root} xmlns="{NS}">{body}</{root}>'.encode()


def _post(client: Any, auth: dict[str, str], path: str, body: Any, as_json: bool) -> Any:
    kind = "application/json" if as_json else "application/xml"
    content = json.dumps(body) if as_json else body
    accept = JSON if as_json else {}
    return client.post(path, content=content, headers={**auth, **accept, "Content-Type": kind})


@pytest.mark.parametrize("as_json", [False, True], ids=["xml", "json"])
def test_account_lifecycle(client, auth, runtime, as_json):
    role, other = _role_uids(runtime)[:2]
    if as_json:
        spec: Any = {"AccountType": "User", "AccountName": "EXAMPLE\\new.user",
                     "Roles": {"EnterpriseRoles": [{"EnterpriseRoleUid": role}]},
                     "AllowRestoreAllVms": False,
                     "HierarchyScopeObjects": {"HierarchyScopeItems": [
                         {"HierarchyObjRef": VM_REF, "ObjectName": "vbr01-vm01"}]},
                     "FlrSettings": {"FlrInplaceOnly": "true",
                                     "FlrExtentionRestrictions": "doc,pdf"},
                     "SqlSettings": {"DenyInPlaceRestore": "True"}}
    else:
        spec = _xml("EnterpriseAccountCreateSpec",
                    "<AccountType>User</AccountType><AccountName>EXAMPLE\\new.user</AccountName>"
                    f"<Roles><EnterpriseRole><EnterpriseRoleUid>{role}</EnterpriseRoleUid>"
                    "</EnterpriseRole></Roles><AllowRestoreAllVms>false</AllowRestoreAllVms>"
                    "<HierarchyScopeObjects><HierarchyScopeItem>"
                    f"<HierarchyObjRef>{VM_REF}</HierarchyObjRef>"
                    "</HierarchyScopeItem></HierarchyScopeObjects>"
                    "<FlrSettings><FlrInplaceOnly>true</FlrInplaceOnly>"
                    "<FlrExtentionRestrictions>doc,pdf</FlrExtentionRestrictions></FlrSettings>"
                    "<SqlSettings><DenyInPlaceRestore>True</DenyInPlaceRestore></SqlSettings>")
    created = _post(client, auth, "/api/security/accounts", spec, as_json)
    assert created.status_code == 201, created.text
    assert created.content == b""
    href = created.headers["Location"]
    account = client.get(href + "?format=Entity", headers={**auth, **JSON}).json()
    assert account["Name"] == "EXAMPLE\\new.user" and account["AllowRestoreAllVms"] is False
    assert account["FlrSettings"]["FlrExtentionRestrictions"] == "doc,pdf"
    assert account["SqlSettings"]["DenyInPlaceRestore"] is True
    again = _post(client, auth, "/api/security/accounts", spec, as_json)
    assert again.status_code == 400 and "exists already" in error_of(again)["Message"]

    # Toggle "restore all VMs".
    assert client.post(href, headers=auth).status_code == 204
    assert client.get(href + "?format=Entity", headers={**auth, **JSON}).json()[
        "AllowRestoreAllVms"] is True

    # Roles: add one, refuse a duplicate, remove it, keep the last.
    body = ({"EnterpriseRoleUid": other} if as_json else
            _xml("EnterpriseAccountInRoleCreateSpec",
                 f"<EnterpriseRoleUid>{other}</EnterpriseRoleUid>"))
    added = _post(client, auth, href + "/roles", body, as_json)
    assert added.status_code == 201, added.text
    in_role = added.json() if as_json else None
    if not as_json:
        assert xml(added.content).tag == Q + "EnterpriseAccountInRole"
    else:
        assert in_role["RoleName"]
    assert _post(client, auth, href + "/roles", body, as_json).status_code == 400
    roles = xml(client.get(href + "/roles", headers=auth).content)
    assert len(roles) == 2
    other_id = other.rsplit(":", 1)[1]
    assert client.delete(f"{href}/roles/{other_id}", headers=auth).status_code == 204
    last = client.delete(f"{href}/roles/{role.rsplit(':', 1)[1]}", headers=auth)
    assert last.status_code == 400 and "last" in error_of(last)["Message"]

    # Scopes: the one from the create spec, then one more through its own request.
    scopes = client.get(href + "/scopes", headers={**auth, **JSON}).json()[
        "EnterpriseAccountHierarchyScopes"]
    assert [(s["Name"], s["Platform"], s["HierarchyObjectType"], s["State"]) for s in scopes] \
        == [("vbr01-vm01", "VMware", "Vm", "Unprocessed")]
    ref2 = "urn:VMware:Folder:3986a06e-0598-4451-a05e-44950e536319.group-v4"
    scope_body = ({"HierarchyObjRef": ref2, "ObjectName": "Production"} if as_json else
                  _xml("HierarchyScopeCreateSpec",
                       f"<HierarchyObjRef>{ref2}</HierarchyObjRef>"
                       "<ObjectName>Production</ObjectName>"))
    task = _post(client, auth, href + "/scopes", scope_body, as_json)
    assert task.status_code == 202, task.text
    listed = xml(client.get(href + "/scopes", headers=auth).content)
    assert listed.tag == Q + "EnterpriseAccountHierarchyScopes" and len(listed) == 2
    scope_href = listed[1].get("Href")
    assert xml(client.get(scope_href, headers=auth).content).findtext(Q + "Name") == "Production"

    # Rebuild processes them.
    rebuild = (({"RebuildUnprocessed": True}) if as_json else
               _xml("RebuildScopeJobSpec", "<RebuildUnprocessed/>"))
    done = _post(client, auth, "/api/security/accounts?action=rebuildScope", rebuild, as_json)
    assert done.status_code == 201, done.text
    states = {s["State"] for s in client.get(href + "/scopes", headers={**auth, **JSON}).json()[
        "EnterpriseAccountHierarchyScopes"]}
    assert states == {"Processed"}

    assert client.delete(scope_href, headers=auth).status_code == 204
    assert client.get(scope_href, headers=auth).status_code == 404
    assert client.delete(href, headers=auth).status_code == 204
    assert client.get(href, headers=auth).status_code == 404
    assert client.post(href, headers=auth).status_code == 404


def test_unknown_accounts_roles_and_scopes_are_404(client, auth, runtime):
    account = next(iter(ACCOUNTS.of(runtime.store.data).values()))
    base = f"/api/security/accounts/{account.id}"
    for method, path in (("DELETE", "/api/security/accounts/nope"),
                         ("DELETE", f"{base}/roles/nope"), ("DELETE", f"{base}/scopes/nope"),
                         ("GET", f"{base}/scopes/nope"), ("POST", "/api/security/accounts/x")):
        response = client.request(method, path, headers=auth)
        assert response.status_code == 404, (method, path)
        assert xml(response.content).tag == Q + "Error"


BAD_SPECS = [
    ({"AccountType": "Robot"}, "AccountType must be one of"),
    ({"AccountName": "nodomain"}, "DOMAIN\\Name"),
    ({"Roles": {"EnterpriseRoles": []}}, "at least one EnterpriseRoleUid"),
    ({"Roles": {"EnterpriseRoles": [{"EnterpriseRoleUid": "urn:veeam:EnterpriseRole:x"}]}},
     "no enterprise role"),
    ({"AllowRestoreAllVms": False}, "needs HierarchyScopeObjects"),
    ({"AllowRestoreAllVms": "sometimes"}, "true or false"),
    ({"FlrSettings": {}}, "FlrInplaceOnly"),
    ({"HierarchyScopeObjects": {"HierarchyScopeItems": [{"HierarchyObjRef": "vm-1"}]}},
     "not a hierarchy reference"),
    ({"Favourite": "yes"}, "no field 'Favourite'"),
]


def test_bad_account_specs_are_400s_that_name_the_problem(client, auth, runtime):
    before = len(ACCOUNTS.of(runtime.store.data))
    for body, words in BAD_SPECS:
        spec = {"AccountType": "User", "AccountName": "EXAMPLE\\someone",
                "Roles": {"EnterpriseRoles": [{"EnterpriseRoleUid": _role_uids(runtime)[0]}]},
                "AllowRestoreAllVms": True, **body}
        response = _post(client, auth, "/api/security/accounts", spec, True)
        assert response.status_code == 400, response.text
        assert words in error_of(response)["Message"]
    assert len(ACCOUNTS.of(runtime.store.data)) == before


def test_rebuild_and_action_parameters_are_checked(client, auth):
    for body in ({}, {"RebuildAll": True, "RebuildUnprocessed": True}, {"Now": True}):
        response = _post(client, auth, "/api/security/accounts?action=rebuildScope", body, True)
        assert response.status_code == 400, body
    response = _post(client, auth, "/api/security/accounts?action=explode", {}, True)
    assert response.status_code == 400 and "rebuildScope" in error_of(response)["Message"]


_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8))


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=st.dictionaries(
    st.sampled_from(["AccountType", "AccountName", "Roles", "AllowRestoreAllVms",
                     "HierarchyScopeObjects", "FlrSettings", "SqlSettings", "Other"]),
    st.one_of(_leaf, st.sampled_from(["User", "Group", "EXAMPLE\\x", "true"]),
              st.dictionaries(st.sampled_from(["EnterpriseRoles", "FlrInplaceOnly",
                                               "DenyInPlaceRestore", "HierarchyScopeItem"]),
                              _leaf, max_size=2)),
    max_size=8))
def test_any_json_account_spec_is_a_201_or_a_400_that_changes_nothing(client, auth, runtime,
                                                                     fields):
    before = {a.id: (a.name, len(a.roles)) for a in ACCOUNTS.of(runtime.store.data).values()}
    response = _post(client, auth, "/api/security/accounts", fields, True)
    assert response.status_code in (201, 400), response.text
    after = {a.id: (a.name, len(a.roles)) for a in ACCOUNTS.of(runtime.store.data).values()}
    if response.status_code == 400:
        assert after == before
    else:
        assert len(after) == len(before) + 1


def test_scope_objects_and_vapps_round_trip_through_the_state():
    runtime = Runtime.create(Settings(epoch=EPOCH_MS, frozen_clock=True, backup_servers=1,
                                      sessions=10))
    with TestClient(create_app(runtime=runtime), base_url="http://testserver") as client:
        _round_trip(client, {"X-RestSvcSessionId": logon(client)}, runtime)


def _round_trip(client: Any, auth: dict[str, str], runtime: Runtime) -> None:
    account = next(iter(ACCOUNTS.of(runtime.store.data).values()))
    body = {"HierarchyObjRef": VM_REF, "ObjectName": "vbr01-vm01"}
    response = _post(client, auth, f"/api/security/accounts/{account.id}/scopes", body, True)
    assert response.status_code == 202, response.text
    state = client.get("/mock/state")
    assert state.status_code == 200
    document = state.json()
    [scope] = [s for s in document["EnterpriseAccountScopes"]
               if s["AccountUid"] == f"urn:veeam:EnterpriseAccount:{account.id}"]
    assert scope["HierarchyObjRef"] == VM_REF and scope["State"] == "Unprocessed"
    assert document["VApps"]
    assert client.put("/mock/state", content=state.content,
                      headers={"Content-Type": "application/json"}).status_code == 200
    assert client.get("/mock/state").content == state.content
    listed = client.get(f"/api/security/accounts/{account.id}/scopes", headers={**auth, **JSON})
    assert [s["Name"] for s in listed.json()["EnterpriseAccountHierarchyScopes"]] == [
        "vbr01-vm01"]
