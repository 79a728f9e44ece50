"""The direct fragment writers write what the tree-building writers write.

Entity fragments are rendered once and spliced into pages; they are written straight to
text (``to_xml_fragment``, ``to_json_fragment``) instead of through lxml or a dictionary
and ``json.dumps``. For random trees (names, every kind of member, text with markup,
control characters, lone surrogates and non-ASCII, key orders, lists inline or wrapped)
the bytes must equal the reference: lxml's serialisation of the same element (as the
writer did before) and ``to_json`` with and without the EM 13 key conversion. Instants,
written for every time field, must read as they did before their writer was made cheaper.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from em_mock.core.times import format_instant, name_suffix
from em_mock.core.wire.json import to_json, to_json_fragment
from em_mock.core.wire.tree import Layer, Link, ListOf, Node
from em_mock.core.wire.xml import _Q, NS, _fill, to_xml_fragment

_DEFAULT_NS = b' xmlns="' + NS.encode() + b'"'


def reference_xml_fragment(node: Node) -> bytes:
    """The fragment as lxml writes it (the writer's former implementation)."""
    root = etree.Element(_Q + node.name, nsmap={None: NS})  # type: ignore[dict-item]
    raws: list[bytes] = []
    _fill(root, node, raws)
    body: bytes = etree.tostring(root, encoding="utf-8", xml_declaration=False)
    head = body.index(b">")
    start = body.index(_DEFAULT_NS, 0, head)
    return body[:start] + body[start + len(_DEFAULT_NS):]


NAMES = ["Name", "UID", "Href", "Type", "Links", "Link", "VmName", "NASJobs", "ID", "state",
         "CreationTimeUTC", "X"]
name = st.sampled_from(NAMES)
text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12) | st.text(
    alphabet="&<>\"'\r\n\t \x00\x01\x1f\ud800\udfff\ufffe\uffffé€𝄞]", max_size=12)
scalar = st.none() | st.booleans() | st.integers(-10**12, 10**12) | text


# A link keeps only its four values (most of a page's nodes): the writers write it directly.
links = st.builds(Link, text, text, st.none() | text, st.none() | text)


def nodes(depth: int) -> st.SearchStrategy[Node]:
    member: st.SearchStrategy[object] = scalar
    if depth > 0:
        child = nodes(depth - 1) | links
        member = st.one_of(
            scalar, child,
            st.builds(ListOf, st.lists(child, max_size=3), st.none() | name, st.booleans()))
    layer = st.builds(Layer, st.lists(st.tuples(name, scalar), max_size=3),
                      st.lists(st.tuples(name, member), max_size=3))
    return st.builds(Node, name, st.lists(layer, max_size=3),
                     st.none() | st.lists(name, max_size=4).map(tuple))


@settings(max_examples=200, deadline=None)
@given(node=nodes(3))
def test_the_xml_fragment_is_what_lxml_writes(node: Node) -> None:
    assert to_xml_fragment(node) == reference_xml_fragment(node)


@settings(max_examples=200, deadline=None)
@given(node=nodes(3), camel=st.booleans())
def test_the_json_fragment_is_what_to_json_writes(node: Node, camel: bool) -> None:
    try:
        expected = to_json(node, camel=camel)
    except UnicodeEncodeError:  # a lone surrogate: neither writer can encode it
        with pytest.raises(UnicodeEncodeError):
            to_json_fragment(node, camel=camel)
        return
    assert to_json_fragment(node, camel=camel) == expected


@settings(max_examples=200, deadline=None)
@given(item=links, camel=st.booleans())
def test_a_link_is_written_as_the_node_of_its_four_attributes(item: Link, camel: bool) -> None:
    generic = Node("Link", [Layer(attrs=[("Rel", item.rel), ("Href", item.href),
                                         ("Name", item.title), ("Type", item.type_)])])
    assert item.layers == generic.layers and item == generic and generic == item
    assert to_xml_fragment(item) == to_xml_fragment(generic) == reference_xml_fragment(generic)
    wrapped = Node("Links", [Layer(elems=[("Links", ListOf([item, item]))])])
    assert to_xml_fragment(wrapped) == reference_xml_fragment(wrapped)
    try:
        expected = to_json(generic, camel=camel)
    except UnicodeEncodeError:
        for writer in (to_json, to_json_fragment):
            with pytest.raises(UnicodeEncodeError):
                writer(item, camel=camel)
        return
    assert to_json(item, camel=camel) == to_json_fragment(item, camel=camel) == expected


def reference_instant(ms: int, digits: int) -> str:
    """``format_instant`` as it was written before it was made cheaper: aware datetimes."""
    seconds, millis = divmod(ms, 1000)
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    fraction = f"{millis * 1000:06d}"[:digits].rstrip("0")
    whole = moment.replace(tzinfo=None).isoformat(sep="T", timespec="seconds")
    return whole + ("." + fraction if fraction else "") + "Z"


@settings(max_examples=500, deadline=None)
@given(ms=st.integers(-62135596800000, 253402300799999) | st.integers(0, 10**13).map(
    lambda ms: ms - ms % 10), digits=st.integers(0, 6))
def test_instants_are_written_as_before(ms: int, digits: int) -> None:
    assert format_instant(ms, digits) == reference_instant(ms, digits)


def reference_suffix(ms: int, digits: int) -> str:
    """``name_suffix`` as it was written before it was made cheaper."""
    seconds, millis = divmod(ms, 1000)
    moment = datetime(1970, 1, 1) + timedelta(seconds=seconds)
    fraction = f"{millis * 1000:06d}"[:digits].rstrip("0")
    return moment.isoformat(sep=" ", timespec="seconds") + ("." + fraction if fraction else "")


@settings(max_examples=500, deadline=None)
@given(ms=st.integers(-62135596800000, 253402300799999) | st.integers(0, 10**13).map(
    lambda ms: ms - ms % 10), digits=st.integers(0, 6))
def test_name_suffixes_are_written_as_before(ms: int, digits: int) -> None:
    assert name_suffix(ms, digits) == reference_suffix(ms, digits)


@pytest.mark.parametrize("ms", [-62135596800001, 253402300800000])
def test_an_instant_out_of_range_is_refused_as_before(ms: int) -> None:
    for write in (format_instant, name_suffix):
        with pytest.raises(OverflowError):
            write(ms)
