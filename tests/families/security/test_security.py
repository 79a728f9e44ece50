"""Enterprise Manager security: the settings hub, accounts with their roles and scopes,
roles, the logon link, and the fixture sections."""

from __future__ import annotations

import json

import pytest

from em_mock.core.fixtures import FixtureError, load_documents
from em_mock.families.security.model import ACCOUNTS, ROLES
from tests.conftest import EPOCH_MS
from tests.helpers import JSON, Q, basic, xml


def test_logon_links_security_where_a_real_server_does(client):
    body = client.post("/api/sessionMngr/?v=latest",
                       headers={"Authorization": basic(), **JSON}).json()
    paths = [lk["Href"].split("/api/")[1] for lk in body["Links"]]
    index = paths.index("security")
    assert body["Links"][index]["Type"] == "EnterpriseSecuritySettings"
    assert paths[index - 1] == "replicaTaskSessions" and paths[index + 1] == "wanAccelerators"


def test_security_hub_links_accounts_and_roles(client, auth):
    root = xml(client.get("/api/security", headers=auth).content)
    assert root.tag == Q + "EnterpriseSecuritySettings"
    got = [(lk.get("Rel"), lk.get("Href").split("/api/")[1], lk.get("Type"))
           for lk in root.iter(Q + "Link")]
    assert got == [("Down", "security/accounts", "EnterpriseAccountReferenceList"),
                   ("Down", "security/roles", "EnterpriseRoleReferenceList"),
                   ("Create", "security/accounts", None),
                   ("Start", "security/accounts?action=rebuildScope", None)]


def test_account_entity_has_its_settings_and_links(client, auth, runtime):
    account = ACCOUNTS.rows(runtime.store)[1]
    body = client.get(f"/api/security/accounts/{account.id}?format=Entity",
                      headers={**auth, **JSON}).json()
    assert list(body)[:4] == ["AccountType", "AllowRestoreAllVms", "FlrSettings", "SqlSettings"]
    assert body["AccountType"] == "Group"
    assert body["FlrSettings"] == {"FlrInplaceOnly": True,
                                   "FlrExtentionRestrictions": "*.exe,*.bat"}
    assert [lk["Rel"] for lk in body["Links"]] == [
        "Alternate", "Down", "Create", "Down", "Create", "Delete", "ToggleRestoreScopesEnabled"]
    roles = client.get(body["Links"][1]["Href"], headers=auth)
    items = xml(roles.content)
    assert items.tag == Q + "EnterpriseAccountInRoleList"
    names = [i.findtext(Q + "RoleName") for i in items.findall(Q + "EnterpriseAccountInRole")]
    assert names == [r.name for r in account.roles]
    one = xml(client.get(items[0].get("Href"), headers=auth).content)
    assert one.tag == Q + "EnterpriseAccountInRole"
    scopes = xml(client.get(body["Links"][3]["Href"], headers=auth).content)
    assert scopes.tag == Q + "EnterpriseAccountHierarchyScopes" and len(scopes) == 0


@pytest.mark.parametrize("as_json", [False, True])
def test_default_accounts_limited_to_a_scope_have_scope_objects(client, auth, runtime,
                                                               as_json):
    """An account of the default data that may not restore all VMs lists processed scope
    objects (VMs one backup job protects, under its hierarchy root), each readable by its
    link, in XML and JSON alike."""
    from em_mock.families.jobs.model import JOBS
    limited = [a for a in ACCOUNTS.rows(runtime.store) if not a.allow_restore_all_vms]
    assert limited
    for account in limited:
        path = f"/api/security/accounts/{account.id}/scopes"
        if as_json:
            items = client.get(path, headers={**auth, **JSON}).json()[
                "EnterpriseAccountHierarchyScopes"]
            got = [(i["Name"], i["HierarchyRootName"], i["Platform"], i["HierarchyObjectType"],
                    i["State"]) for i in items]
            hrefs = [i["Href"] for i in items]
        else:
            root = xml(client.get(path, headers=auth).content)
            assert root.tag == Q + "EnterpriseAccountHierarchyScopes"
            got = [tuple(i.findtext(Q + k) for k in ("Name", "HierarchyRootName", "Platform",
                                                     "HierarchyObjectType", "State"))
                   for i in root]
            hrefs = [i.get("Href") for i in root]
        assert got and all(g[1] and g[2:] == ("VMware", "Vm", "Processed") for g in got)
        names = [g[0] for g in got]
        assert any(names == [vm.name for vm in j.vms] for j in JOBS.rows(runtime.store))
        for href in hrefs:
            assert client.get(href, headers=auth).status_code == 200


def test_roles_list_and_reference(client, auth, runtime):
    refs = xml(client.get("/api/security/roles", headers=auth).content)
    assert refs.tag == Q + "EntityReferences"
    assert [r.get("Name") for r in refs] == [r.name for r in ROLES.rows(runtime.store)]
    role = ROLES.rows(runtime.store)[0]
    one = xml(client.get(f"/api/security/roles/{role.id}", headers=auth).content)
    assert one.tag == Q + "EntityRef" and one.get("Type") == "EnterpriseRoleReference"
    entity = client.get(f"/api/security/roles/{role.id}?format=Entity",
                        headers={**auth, **JSON}).json()
    assert entity["UID"] == f"urn:veeam:EnterpriseRole:{role.id}"


def test_unknown_account_role_or_scope_owner_is_404(client, auth, runtime):
    account = ACCOUNTS.rows(runtime.store)[0]
    other = next(r for r in ROLES.rows(runtime.store) if r not in account.roles)
    for path in (f"/api/security/accounts/{account.id}/roles/{other.id}",
                 "/api/security/accounts/nope/roles", "/api/security/accounts/nope/scopes",
                 "/api/security/roles/nope"):
        response = client.get(path, headers=auth)
        assert response.status_code == 404, path
        assert xml(response.content).tag == Q + "Error"


def test_an_account_naming_an_unknown_role_is_refused():
    doc = {"EnterpriseRoles": [{"UID": "11111111-1111-1111-1111-111111111111", "Name": "R"}],
           "EnterpriseAccounts": [{"UID": "22222222-2222-2222-2222-222222222222", "Name": "A",
                                   "RoleUids": ["33333333-3333-3333-3333-333333333333"]}]}
    with pytest.raises(FixtureError, match="RoleUids"):
        load_documents([("f.json", json.loads(json.dumps(doc)))], EPOCH_MS)
