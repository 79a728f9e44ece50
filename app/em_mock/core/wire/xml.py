"""The XML writer: one function from a :class:`Node` to an EM XML document."""

from __future__ import annotations

import re

from lxml import etree

from em_mock.core.wire.tree import ListOf, Node, Raw, Scalar

NS = "http://www.veeam.com/ent/v1.0"
NSMAP = {
    None: NS,
    "xsd": "http://www.w3.org/2001/XMLSchema",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
_Q = "{" + NS + "}"


# Characters XML 1.0 cannot carry (controls, lone surrogates): written as U+FFFD, so a
# path or name full of them still gets a well-formed answer.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("\ufffd", str(value))


# Where a pre-rendered fragment goes: a comment no text can produce (a ``<`` in text or
# in an attribute is always written escaped), replaced after serialising.
_MARK = " em-raw "
_MARK_BYTES = b"<!--" + _MARK.encode() + b"-->"


def _fill(element: etree._Element, node: Node, raws: list[bytes]) -> None:
    for layer in node.layers:
        for key, value in layer.attrs:
            if value is not None:
                element.set(key, _text(value))
    for layer in node.layers:
        for key, member in layer.elems:
            if member is None:
                continue
            if isinstance(member, ListOf):
                parent = element if member.inline else etree.SubElement(element, _Q + key)
                for item in member.items:
                    if isinstance(item, Raw):
                        parent.append(etree.Comment(_MARK))
                        raws.append(item.data)
                    else:
                        _fill(etree.SubElement(parent, _Q + item.name), item, raws)
            elif isinstance(member, Node):
                _fill(etree.SubElement(element, _Q + key), member, raws)
            else:
                etree.SubElement(element, _Q + key).text = _text(member)


def to_xml(node: Node) -> bytes:
    """Render ``node`` as a UTF-8 XML document in the EM namespace."""
    root = etree.Element(_Q + node.name, nsmap=NSMAP)  # type: ignore[arg-type]
    raws: list[bytes] = []
    _fill(root, node, raws)
    body: bytes = etree.tostring(root, encoding="utf-8", xml_declaration=False)
    if raws:
        parts = body.split(_MARK_BYTES)
        joined = [parts[0]]
        for raw, part in zip(raws, parts[1:], strict=True):
            joined += (raw, part)
        body = b"".join(joined)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


_DEFAULT_NS = b' xmlns="' + NS.encode() + b'"'


def to_xml_fragment(node: Node) -> bytes:
    """``node`` as it is written inside a document (no declaration, no namespace
    declarations: the document's root holds them), for splicing in as a :class:`Raw`."""
    root = etree.Element(_Q + node.name, nsmap={None: NS})  # type: ignore[dict-item]
    raws: list[bytes] = []
    _fill(root, node, raws)
    body: bytes = etree.tostring(root, encoding="utf-8", xml_declaration=False)
    head = body.index(b">")  # the declaration sits in the root's start tag, before its end
    start = body.index(_DEFAULT_NS, 0, head)
    return body[:start] + body[start + len(_DEFAULT_NS):]
