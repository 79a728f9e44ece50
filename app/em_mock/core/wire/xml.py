"""The XML writer: one function from a :class:`Node` to an EM XML document."""

from __future__ import annotations

import re

from lxml import etree

from em_mock.core.wire.tree import ListOf, Node, Scalar

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


def _fill(element: etree._Element, node: Node) -> None:
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
                    _fill(etree.SubElement(parent, _Q + item.name), item)
            elif isinstance(member, Node):
                _fill(etree.SubElement(element, _Q + key), member)
            else:
                etree.SubElement(element, _Q + key).text = _text(member)


def to_xml(node: Node) -> bytes:
    """Render ``node`` as a UTF-8 XML document in the EM namespace."""
    root = etree.Element(_Q + node.name, nsmap=NSMAP)  # type: ignore[arg-type]
    _fill(root, node)
    body: bytes = etree.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body
