"""The XML writer: one function from a :class:`Node` to an EM XML document."""

from __future__ import annotations

import re

from lxml import etree

from em_mock.core.wire.tree import Link, ListOf, Node, Raw, Scalar

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


# The fragment writer below writes what lxml writes for the same node (its escapes, ``<X/>``
# for an element with neither text nor children), without building a tree: it is most of
# the cost of a large page rendered for the first time.
_TEXT_NEEDS = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ATTR_NEEDS = re.compile("[&<>\"\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _escaped_text(value: Scalar) -> str:
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    if _TEXT_NEEDS.search(text) is None:
        return text
    return (_NOT_XML.sub("\ufffd", text).replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace("\r", "&#13;"))


def _escaped_attr(value: Scalar) -> str:
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    if _ATTR_NEEDS.search(text) is None:
        return text
    return (_NOT_XML.sub("\ufffd", text).replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace('"', "&quot;").replace("\n", "&#10;")
            .replace("\r", "&#13;").replace("\t", "&#9;"))


def _link(name: str, node: Link) -> str:
    rel, href, title, type_ = node.rel, node.href, node.title, node.type_
    if (type(rel) is str and type(href) is str and type(title) is str and type(type_) is str
            and _ATTR_NEEDS.search(rel + href + title + type_) is None):
        return f'<{name} Rel="{rel}" Href="{href}" Name="{title}" Type="{type_}"/>'
    text = "<" + name
    for key, value in (("Rel", rel), ("Href", href), ("Name", title), ("Type", type_)):
        if value is not None:
            text += f' {key}="{_escaped_attr(value)}"'
    return text + "/>"


def _write(out: list[str], name: str, node: Node) -> None:
    if type(node) is Link:
        out.append(_link(name, node))
        return
    attrs: dict[str, Scalar] = {}  # set twice: the first place, the last value (as lxml)
    for layer in node.layers:
        for key, value in layer.attrs:
            if value is not None:
                attrs[key] = value
    head = "<" + name + "".join(f' {key}="{_escaped_attr(value)}"'
                                for key, value in attrs.items())
    out.append(head + ">")
    opened = len(out)
    for layer in node.layers:
        for key, member in layer.elems:
            if member is None:
                continue
            if isinstance(member, ListOf):
                if not member.inline:
                    out.append(f"<{key}>")
                    wrapper = len(out)
                for item in member.items:
                    if isinstance(item, Raw):
                        out.append(item.data.decode("utf-8"))
                    else:
                        _write(out, item.name, item)
                if not member.inline:
                    if len(out) == wrapper:
                        out[-1] = f"<{key}/>"
                    else:
                        out.append(f"</{key}>")
            elif isinstance(member, Node):
                _write(out, key, member)
            else:
                out.append(f"<{key}>{_escaped_text(member)}</{key}>")
    if len(out) == opened:
        out[-1] = head + "/>"
    else:
        out.append(f"</{name}>")


def _plain(value: Scalar) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _write_plain(out: list[str], texts: list[str], name: str, node: Node) -> None:
    """:func:`_write` without escaping: every text written (but numbers) also goes to
    ``texts``, and the result stands only if none of them needs an escape."""
    if type(node) is Link:
        rel, href, title, type_ = node.rel, node.href, node.title, node.type_
        if type(rel) is str and type(href) is str and type(title) is str and type(type_) is str:
            texts += (rel, href, title, type_)
            out.append(f'<{name} Rel="{rel}" Href="{href}" Name="{title}" Type="{type_}"/>')
            return
        head = "<" + name
        for key, part in (("Rel", rel), ("Href", href), ("Name", title), ("Type", type_)):
            if part is not None:
                texts.append(_plain(part))
                head += f' {key}="{texts[-1]}"'
        out.append(head + "/>")
        return
    layers = node.layers
    attrs: dict[str, Scalar] = {}  # set twice: the first place, the last value (as lxml)
    for layer in layers:
        for key, value in layer.attrs:
            if value is not None:
                attrs[key] = value
    head = "<" + name
    for key, value in attrs.items():
        texts.append(value if type(value) is str else _plain(value))
        head += f' {key}="{texts[-1]}"'
    out.append(head + ">")
    opened = len(out)
    for layer in layers:
        for key, member in layer.elems:
            if member is None:
                continue
            kind = type(member)
            if kind is str:
                texts.append(member)  # type: ignore[arg-type]
                out.append(f"<{key}>{member}</{key}>")
            elif kind is int:
                out.append(f"<{key}>{member}</{key}>")
            elif isinstance(member, ListOf):
                if not member.inline:
                    out.append(f"<{key}>")
                    wrapper = len(out)
                for item in member.items:
                    if isinstance(item, Raw):
                        out.append(item.data.decode("utf-8"))
                    else:
                        _write_plain(out, texts, item.name, item)
                if not member.inline:
                    if len(out) == wrapper:
                        out[-1] = f"<{key}/>"
                    else:
                        out.append(f"</{key}>")
            elif isinstance(member, Node):
                _write_plain(out, texts, key, member)
            else:
                text = _plain(member)
                texts.append(text)
                out.append(f"<{key}>{text}</{key}>")
    if len(out) == opened:
        out[-1] = head + "/>"
    else:
        out.append(f"</{name}>")


def to_xml_fragment(node: Node) -> bytes:
    """``node`` as it is written inside a document (no declaration, no namespace
    declarations: the document's root holds them), for splicing in as a :class:`Raw`.

    Written first without escapes, checking every text once at the end; only a node
    with a text that needs one is written again, escaping each."""
    out: list[str] = []
    texts: list[str] = []
    _write_plain(out, texts, node.name, node)
    if _ATTR_NEEDS.search("".join(texts)) is not None:
        out = []
        _write(out, node.name, node)
    return "".join(out).encode("utf-8")
