"""The XML writer on small hand-built trees: what a client parsing the bytes sees."""

from __future__ import annotations

from em_mock.core.wire.tree import Layer, ListOf, Node, link, links, resource_layer
from em_mock.core.wire.xml import to_xml
from tests.helpers import NS, Q, xml

XSD = "http://www.w3.org/2001/XMLSchema"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'


def _children(element) -> list[str]:
    return [child.tag.removeprefix(Q) for child in element]


def test_document_starts_with_the_xml_declaration_line():
    body = to_xml(Node("Thing", [Layer(attrs=[("Name", "x")])]))
    assert body.startswith(DECLARATION)
    assert body.count(b"<?xml") == 1
    assert body[len(DECLARATION):].startswith(b"<Thing ")


def test_root_declares_the_default_namespace_and_xsd_xsi():
    body = to_xml(Node("Thing", [Layer()]))
    root = xml(body)
    assert root.tag == Q + "Thing"
    assert root.nsmap == {None: NS, "xsd": XSD, "xsi": XSI}
    assert f'xmlns="{NS}"'.encode() in body
    assert f'xmlns:xsd="{XSD}"'.encode() in body
    assert f'xmlns:xsi="{XSI}"'.encode() in body


def test_namespace_is_declared_once_on_the_root_only():
    node = Node("Thing", [Layer(elems=[("Links", links([link("Up", "http://h/api/")]))])])
    body = to_xml(node)
    assert body.count(b"xmlns=") == 1
    assert body.count(b"xmlns:xsd=") == 1
    root = xml(body)
    assert root.find(Q + "Links/" + Q + "Link") is not None


def test_attributes_are_attributes_and_elements_are_child_elements():
    node = Node("BackupServer", [Layer(
        attrs=[("Name", "srv"), ("Port", 9392)],
        elems=[("Description", "main"), ("WcfPort", 9393)],
    )])
    root = xml(to_xml(node))
    assert dict(root.attrib) == {"Name": "srv", "Port": "9392"}
    assert _children(root) == ["Description", "WcfPort"]
    assert root.findtext(Q + "Description") == "main"
    assert root.findtext(Q + "WcfPort") == "9393"
    # Elements carry no attributes of their own and attributes no children.
    assert root.find(Q + "Name") is None
    assert root.find(Q + "Description").attrib == {}


def test_absent_members_are_left_out():
    node = Node("Thing", [Layer(
        attrs=[("Href", None), ("Name", "kept"), ("Type", None)],
        elems=[("Description", None), ("Port", 1), ("Links", None), ("Paging", None)],
    )])
    body = to_xml(node)
    root = xml(body)
    assert dict(root.attrib) == {"Name": "kept"}
    assert _children(root) == ["Port"]
    assert b"Href" not in body
    assert b"Description" not in body
    assert b"nil" not in body


def test_ampersand_and_markup_are_escaped_in_attributes():
    href = "http://h/api/query?type=Job&filter=Name==\"a<b>\""
    node = Node("Thing", [Layer(attrs=[("Href", href)], elems=[("Text", "R&D <x>")])])
    body = to_xml(node)
    assert b"type=Job&amp;filter=" in body
    assert b"&quot;a&lt;b&gt;&quot;" in body
    assert b"R&amp;D &lt;x&gt;" in body
    root = xml(body)
    assert root.get("Href") == href
    assert root.findtext(Q + "Text") == "R&D <x>"


def test_booleans_are_written_true_and_false():
    node = Node("Thing", [Layer(
        attrs=[("Enabled", True), ("Hidden", False)],
        elems=[("IsRetry", False), ("IsCloud", True)],
    )])
    root = xml(to_xml(node))
    assert root.get("Enabled") == "true"
    assert root.get("Hidden") == "false"
    assert root.findtext(Q + "IsRetry") == "false"
    assert root.findtext(Q + "IsCloud") == "true"


def test_numbers_are_written_as_decimal_text():
    node = Node("Thing", [Layer(attrs=[("PageNum", 0)], elems=[("Size", 12345678901234)])])
    root = xml(to_xml(node))
    assert root.get("PageNum") == "0"
    assert root.findtext(Q + "Size") == "12345678901234"


def test_non_ascii_text_is_utf8():
    body = to_xml(Node("Thing", [Layer(attrs=[("Name", "Zürich ✓")])]))
    assert "Zürich ✓".encode() in body
    assert xml(body).get("Name") == "Zürich ✓"


def test_list_member_gets_a_wrapper_named_after_the_key():
    items = [Node("SupportedVersion", [Layer(attrs=[("Name", v)])]) for v in ("v1_5", "v1_6")]
    node = Node("Root", [Layer(elems=[("SupportedVersions", ListOf(items, json_key="X"))])])
    root = xml(to_xml(node))
    assert _children(root) == ["SupportedVersions"]
    wrapper = root.find(Q + "SupportedVersions")
    assert _children(wrapper) == ["SupportedVersion", "SupportedVersion"]
    assert [e.get("Name") for e in wrapper] == ["v1_5", "v1_6"]
    # json_key is a JSON matter only: no element of that name appears.
    assert root.find(".//" + Q + "X") is None


def test_inline_list_puts_items_directly_in_the_parent():
    refs = [Node("Ref", [Layer(attrs=[("Name", n)])]) for n in ("a", "b", "c")]
    node = Node("EntityReferences", [Layer(elems=[("Refs", ListOf(refs, inline=True))])])
    root = xml(to_xml(node))
    assert _children(root) == ["Ref", "Ref", "Ref"]
    assert [e.get("Name") for e in root] == ["a", "b", "c"]
    assert root.find(Q + "Refs") is None


def test_empty_lists_wrapper_stays_inline_vanishes():
    node = Node("Root", [Layer(elems=[
        ("Links", ListOf([])), ("Refs", ListOf([], inline=True)), ("Tail", "t"),
    ])])
    root = xml(to_xml(node))
    assert _children(root) == ["Links", "Tail"]
    assert len(root.find(Q + "Links")) == 0


def test_nested_node_is_named_after_its_member_key():
    paging = Node("PagingInfo", [Layer(attrs=[("PageNum", 1)])])
    node = Node("QueryResult", [Layer(elems=[("Paging", paging)])])
    root = xml(to_xml(node))
    assert _children(root) == ["Paging"]
    assert root.find(Q + "Paging").get("PageNum") == "1"


def test_list_items_are_named_after_the_item_node():
    node = Node("Root", [Layer(elems=[("Links", links([
        link("Up", "http://h/api/", "EnterpriseManager"),
        link("Delete", "http://h/api/logonSessions/1"),
    ]))])])
    root = xml(to_xml(node))
    found = root.findall(Q + "Links/" + Q + "Link")
    assert [dict(e.attrib) for e in found] == [
        {"Rel": "Up", "Href": "http://h/api/", "Type": "EnterpriseManager"},
        {"Rel": "Delete", "Href": "http://h/api/logonSessions/1"},
    ]


def test_link_attributes_keep_the_vendor_order():
    body = to_xml(Node("Link", link("Down", "http://h/x", "T", "N").layers))
    start = body.index(b"<Link ")
    tag = body[start:body.index(b"/>", start)].decode()
    positions = [tag.index(f'{name}="') for name in ("Rel", "Href", "Name", "Type")]
    assert positions == sorted(positions)


def test_layers_write_base_members_first():
    """XML follows the schema: inherited attributes and elements before the type's own."""
    node = Node("Derived", [
        resource_layer(links([link("Up", "http://h/api/")]), "http://h/api/d/1", "Derived"),
        Layer(attrs=[("Name", "n"), ("UID", "urn:veeam:Derived:1")]),
        Layer(attrs=[("Own", "o")], elems=[("First", 1), ("Second", 2)]),
    ])
    body = to_xml(node)
    root = xml(body)
    assert list(root.attrib) == ["Href", "Type", "Name", "UID", "Own"]
    assert _children(root) == ["Links", "First", "Second"]


def test_scalar_elements_of_several_layers_keep_layer_then_table_order():
    node = Node("R", [
        Layer(elems=[("A", "1"), ("B", "2")]),
        Layer(elems=[("C", "3")]),
    ])
    assert _children(xml(to_xml(node))) == ["A", "B", "C"]
