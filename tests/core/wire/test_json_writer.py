"""The JSON writer on small hand-built trees: keys, key order, nulls, lists, camelCase, BOM."""

from __future__ import annotations

import json

import pytest

from em_mock.core.wire.json import camel_case, camel_case_tree, to_dict, to_json
from em_mock.core.wire.tree import Layer, ListOf, Node, link, links, resource_layer

BOM = b"\xef\xbb\xbf"


def _ordered(value):
    """``value`` with every object turned into its list of (key, value) pairs, so that
    comparing two of them compares key order too."""
    if isinstance(value, dict):
        return [(k, _ordered(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value


def _wire(node: Node, **kw) -> dict:
    """What a client decoding the bytes gets (order kept)."""
    body = to_json(node, **kw)
    return json.loads(body.decode("utf-8"))


def test_root_name_is_dropped_and_keys_are_pascal_case():
    data = _wire(Node("BackupServer", [Layer(attrs=[("Name", "srv")], elems=[("Port", 1)])]))
    assert data == {"Port": 1, "Name": "srv"}
    assert "BackupServer" not in data


def test_attributes_and_elements_both_become_plain_keys():
    node = Node("Thing", [Layer(attrs=[("Href", "http://h/x")], elems=[("Description", "d")])])
    assert list(_wire(node)) == ["Description", "Href"]


def test_absent_members_are_present_as_null():
    node = Node("Thing", [Layer(
        attrs=[("Href", None), ("Type", None)],
        elems=[("Description", None), ("Links", None), ("Paging", None)],
    )])
    body = to_json(node)
    assert json.loads(body) == {
        "Description": None, "Links": None, "Paging": None, "Href": None, "Type": None}
    assert body.count(b"null") == 5


def test_booleans_and_numbers_are_json_booleans_and_numbers():
    node = Node("Thing", [Layer(
        attrs=[("Enabled", True), ("Count", 0)],
        elems=[("IsRetry", False), ("Size", 12345678901234), ("Port", 443)],
    )])
    body = to_json(node)
    data = json.loads(body)
    assert data["Enabled"] is True
    assert data["IsRetry"] is False
    assert data["Size"] == 12345678901234
    assert isinstance(data["Port"], int)
    assert isinstance(data["Count"], int)
    assert b'"Enabled":true' in body.replace(b" ", b"")
    assert b'"IsRetry":false' in body.replace(b" ", b"")
    assert b'"Port":443' in body.replace(b" ", b"")


def test_strings_are_not_escaped_beyond_json_and_stay_utf8():
    node = Node("Thing", [Layer(attrs=[("Href", "http://h/q?a=1&b=2"), ("Name", "Zürich")])])
    body = to_json(node)
    assert "Zürich".encode() in body
    assert b"a=1&b=2" in body
    assert json.loads(body)["Href"] == "http://h/q?a=1&b=2"


def test_key_order_most_derived_layer_first_elements_before_attributes():
    node = Node("Derived", [
        Layer(attrs=[("Href", "h"), ("Type", "T")], elems=[("Links", ListOf([]))]),
        Layer(attrs=[("Name", "n"), ("UID", "u")]),
        Layer(attrs=[("OwnAttr", 1)], elems=[("OwnA", "a"), ("OwnB", "b")]),
    ])
    assert list(_wire(node)) == [
        "OwnA", "OwnB", "OwnAttr", "Name", "UID", "Links", "Href", "Type"]


def test_key_order_of_a_backup_server_like_entity():
    """The real v12 order: own fields, Name, UID, Links, Href, Type."""
    node = Node("BackupServer", [
        resource_layer(links([]), "http://h/api/backupServers/1?format=Entity", "BackupServer"),
        Layer(attrs=[("Name", "srv"), ("UID", "urn:veeam:BackupServer:1")]),
        Layer(elems=[("Description", None), ("Port", 9392), ("Version", "12"),
                     ("WcfPort", 9393), ("VbrCertificateThumbprint", None)]),
    ])
    assert list(_wire(node)) == [
        "Description", "Port", "Version", "WcfPort", "VbrCertificateThumbprint",
        "Name", "UID", "Links", "Href", "Type"]


def test_json_order_overrides_the_derived_order():
    node = Node("Ref", [
        resource_layer(links([]), "http://h/api/x/1", "XReference"),
        Layer(attrs=[("Name", "n"), ("UID", "urn:veeam:X:1")]),
    ], json_order=("Links", "UID", "Name", "Href", "Type"))
    assert list(_wire(node)) == ["Links", "UID", "Name", "Href", "Type"]


def test_json_order_names_a_missing_member_as_null():
    node = Node("Error", [Layer(attrs=[("Message", "m"), ("StatusCode", 400)])],
                json_order=("FirstChanceExceptionMessage", "Message", "StackTrace", "Status",
                            "StatusCode"))
    data = _wire(node)
    assert _ordered(data) == [
        ("FirstChanceExceptionMessage", None), ("Message", "m"), ("StackTrace", None),
        ("Status", None), ("StatusCode", 400)]


def test_json_order_applies_to_nested_nodes_too():
    inner = Node("Inner", [Layer(attrs=[("B", 2), ("A", 1)])], json_order=("A", "B"))
    outer = Node("Outer", [Layer(elems=[("Inner", inner)])])
    assert _ordered(_wire(outer)) == [("Inner", [("A", 1), ("B", 2)])]


def test_list_is_a_flat_array_without_json_key():
    node = Node("Root", [Layer(elems=[("Links", links([
        link("Up", "http://h/api/", "EnterpriseManager"),
        link("Delete", "http://h/api/logonSessions/1"),
    ]))])])
    data = _wire(node)
    assert data == {"Links": [
        {"Rel": "Up", "Href": "http://h/api/", "Name": None, "Type": "EnterpriseManager"},
        {"Rel": "Delete", "Href": "http://h/api/logonSessions/1", "Name": None, "Type": None},
    ]}
    assert [list(item) for item in data["Links"]] == [["Rel", "Href", "Name", "Type"]] * 2


def test_list_with_json_key_wraps_the_array_in_an_object():
    items = [Node("SupportedVersion", [Layer(attrs=[("Name", v)])]) for v in ("v1_5", "v1_6")]
    node = Node("Root", [Layer(elems=[
        ("SupportedVersions", ListOf(items, json_key="SupportedVersions")),
    ])])
    assert _wire(node) == {
        "SupportedVersions": {"SupportedVersions": [{"Name": "v1_5"}, {"Name": "v1_6"}]}}


def test_json_key_may_differ_from_the_member_key():
    items = [Node("CloudTenantResource", [Layer(attrs=[("Name", "r")])])]
    node = Node("Tenant", [Layer(elems=[
        ("Resources", ListOf(items, json_key="CloudTenantResources")),
    ])])
    assert _wire(node) == {"Resources": {"CloudTenantResources": [{"Name": "r"}]}}


def test_inline_list_is_a_flat_array_under_its_member_key():
    refs = [Node("Ref", [Layer(attrs=[("Name", n)])]) for n in ("a", "b")]
    node = Node("EntityReferences", [Layer(elems=[("Refs", ListOf(refs, inline=True))])])
    assert _wire(node) == {"Refs": [{"Name": "a"}, {"Name": "b"}]}


def test_empty_lists_are_empty_arrays():
    node = Node("Root", [Layer(elems=[
        ("Links", ListOf([])), ("Refs", ListOf([], inline=True)),
        ("Wrapped", ListOf([], json_key="Wrapped")),
    ])])
    assert _wire(node) == {"Links": [], "Refs": [], "Wrapped": {"Wrapped": []}}


def test_nested_node_becomes_an_object_under_its_member_key():
    paging = Node("PagingInfo", [Layer(attrs=[("PageNum", 1), ("PageSize", 100)],
                                       elems=[("Links", links([]))])])
    node = Node("QueryResult", [Layer(elems=[("Refs", None), ("PagingInfo", paging)])])
    assert _ordered(_wire(node)) == [
        ("Refs", None),
        ("PagingInfo", [("Links", []), ("PageNum", 1), ("PageSize", 100)]),
    ]


def test_to_dict_matches_the_bytes():
    node = Node("X", [Layer(attrs=[("A", 1)], elems=[("B", "b")])])
    assert _ordered(to_dict(node)) == _ordered(_wire(node))


# --- camelCase (EM 13 profile), em-api-clients.md section 19.1 ----------------------------

CAMEL_TABLE = [
    ("UID", "uid"),
    ("VmUid", "vmUid"),
    ("JobSessionUid", "jobSessionUid"),
    ("IsRetry", "isRetry"),
    ("CreationTimeUTC", "creationTimeUTC"),
    ("EndTimeUTC", "endTimeUTC"),
    ("NASJobs", "nasJobs"),
    ("VAppRestorePoints", "vAppRestorePoints"),
    ("VAppCdpReplicaVms", "vAppCdpReplicaVms"),
    ("VSphereSelfServiceConfigs", "vSphereSelfServiceConfigs"),
    ("VCloudOrganizationConfigs", "vCloudOrganizationConfigs"),
    ("EnterpiseRoles", "enterpiseRoles"),
    ("AgentBackupJob", "agentBackupJob"),
    ("Refs", "refs"),
    ("Entities", "entities"),
    ("PagingInfo", "pagingInfo"),
    ("PagesCount", "pagesCount"),
    ("Links", "links"),
    ("Rel", "rel"),
    ("Href", "href"),
    ("Name", "name"),
    ("Type", "type"),
    ("SupportedVersions", "supportedVersions"),
    ("SuccessfulVmLastestStates", "successfulVmLastestStates"),
    ("Periods", "periods"),
    ("BackupSize", "backupSize"),
    ("CapacityPlanningReportLink", "capacityPlanningReportLink"),
    # Predicted by the rule (section 19.1, no capture).
    ("HostStatus", "hostStatus"),
    ("AgentVersion", "agentVersion"),
    ("IpAddress", "ipAddress"),
    ("HierarchyObjRef", "hierarchyObjRef"),
    ("UserName", "userName"),
    ("SessionId", "sessionId"),
    ("LogonSessions", "logonSessions"),
    ("TaskId", "taskId"),
    ("Days", "days"),
    ("BackupedVms", "backupedVms"),
    ("Message", "message"),
    ("FirstChanceExceptionMessage", "firstChanceExceptionMessage"),
    ("StatusCode", "statusCode"),
]


@pytest.mark.parametrize(("pascal", "camel"), CAMEL_TABLE)
def test_camel_case_table(pascal, camel):
    assert camel_case(pascal) == camel


@pytest.mark.parametrize("key", ["uid", "vmUid", "links", "x", ""])
def test_camel_case_leaves_keys_that_start_lower_case(key):
    assert camel_case(key) == key


def test_camel_case_of_single_capitals():
    assert camel_case("X") == "x"
    assert camel_case("ID") == "id"


def test_camel_profile_converts_keys_at_every_depth_and_leaves_values():
    versions = [Node("SupportedVersion", [Layer(
        attrs=[("Name", "v1_7")],
        elems=[("Links", links([link("Create", "http://h/api/sessionMngr/?v=v1_7",
                                     "LogonSession")]))],
    )])]
    node = Node("EnterpriseManager", [
        resource_layer(links([link("Down", "http://h/api/logonSessions?format=Entity",
                                   "LogonSessionList")]), None, None),
        Layer(elems=[("SupportedVersions", ListOf(versions, json_key="SupportedVersions"))]),
    ])
    data = _wire(node, camel=True)
    assert _ordered(data) == [
        ("supportedVersions", [("supportedVersions", [[
            ("links", [[("rel", "Create"), ("href", "http://h/api/sessionMngr/?v=v1_7"),
                        ("name", None), ("type", "LogonSession")]]),
            ("name", "v1_7"),
        ]])]),
        ("links", [[("rel", "Down"), ("href", "http://h/api/logonSessions?format=Entity"),
                    ("name", None), ("type", "LogonSessionList")]]),
        ("href", None),
        ("type", None),
    ]


def test_camel_case_tree_does_not_touch_string_values():
    data = {"State": "Stopped", "Items": [{"Type": "BackupServerReference"}], "N": None}
    assert camel_case_tree(data) == {
        "state": "Stopped", "items": [{"type": "BackupServerReference"}], "n": None}


def test_pascal_case_is_the_default():
    node = Node("X", [Layer(attrs=[("UID", "u")])])
    assert _wire(node) == {"UID": "u"}


# --- BOM ---------------------------------------------------------------------------------

def test_no_bom_by_default():
    body = to_json(Node("X", [Layer(attrs=[("A", 1)])]))
    assert body.startswith(b"{")
    assert not body.startswith(BOM)


def test_bom_option_prefixes_the_utf8_bom_once():
    body = to_json(Node("X", [Layer(attrs=[("A", 1)])]), bom=True)
    assert body.startswith(BOM + b"{")
    assert body.count(BOM) == 1
    assert json.loads(body.decode("utf-8-sig")) == {"A": 1}


def test_bom_and_camel_combine():
    body = to_json(Node("X", [Layer(attrs=[("UID", "u")])]), bom=True, camel=True)
    assert json.loads(body.decode("utf-8-sig")) == {"uid": "u"}
    assert body.startswith(BOM)
