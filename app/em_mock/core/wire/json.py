"""The JSON writer: PascalCase keys, the vendor's key order, nulls kept.

Key order follows the .NET class hierarchy, most derived layer first; within a
layer, elements come before attributes. The EM 13 profile converts every key with
:func:`camel_case` over the finished tree.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

from em_mock.core.wire.tree import Link, ListOf, Node, Raw

JsonValue = Any


# Where a pre-rendered fragment goes: a string value with a random token of this process,
# replaced after serialising (no data can spell it without knowing the token).
_TOKEN = secrets.token_hex(16)
_MARK = re.compile(('"\ue000' + _TOKEN + "-([0-9]+)\ue000\"").encode("utf-8"))


def _mark(item: Raw, raws: list[bytes] | None) -> str:
    if raws is None:
        raise ValueError("a pre-rendered fragment can only be written by to_json")
    raws.append(item.data)
    return f"\ue000{_TOKEN}-{len(raws) - 1}\ue000"


def _member(value: object, raws: list[bytes] | None) -> JsonValue:
    if isinstance(value, Node):
        return _to_dict(value, raws)
    if isinstance(value, ListOf):
        items = [_mark(item, raws) if isinstance(item, Raw) else _to_dict(item, raws)
                 for item in value.items]
        return {value.json_key: items} if value.json_key else items
    return value


def to_dict(node: Node) -> dict[str, JsonValue]:
    """The JSON object for ``node`` (the root element's name is dropped)."""
    return _to_dict(node, None)


def _to_dict(node: Node, raws: list[bytes] | None) -> dict[str, JsonValue]:
    if type(node) is Link:
        return {"Rel": node.rel, "Href": node.href, "Name": node.title, "Type": node.type_}
    out: dict[str, JsonValue] = {}
    for layer in reversed(node.layers):
        for key, value in layer.elems:
            kind = type(value)
            out[key] = value if kind is str or value is None or kind is int else _member(
                value, raws)
        for key, value in layer.attrs:
            out[key] = value
    if node.json_order is not None:
        out = {key: out.get(key) for key in node.json_order}
    return out


_LEADING_CAPS = re.compile(r"^[A-Z]+")


def camel_case(key: str) -> str:
    """.NET's camel-case rule: lower the leading capitals, keeping the last one when it
    starts the next word (``UID`` -> ``uid``, ``VAppRestorePoints`` -> ``vAppRestorePoints``,
    ``NASJobs`` -> ``nasJobs``)."""
    match = _LEADING_CAPS.match(key)
    if not match:
        return key
    run = match.group(0)
    if len(run) == len(key) or len(run) == 1:
        return run.lower() + key[len(run):]
    rest = key[len(run):]
    if rest[0].islower():
        return run[:-1].lower() + run[-1] + rest
    return run.lower() + rest


def camel_case_tree(value: JsonValue) -> JsonValue:
    """Convert every key at every depth; values stay as they are."""
    if isinstance(value, dict):
        return {camel_case(k): camel_case_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel_case_tree(v) for v in value]
    return value


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # what json.dumps makes


def to_json(node: Node, *, camel: bool = False, bom: bool = False) -> bytes:
    """Render ``node`` as UTF-8 JSON."""
    raws: list[bytes] = []
    data: JsonValue = _to_dict(node, raws)
    if camel:
        data = camel_case_tree(data)
    body = _ENCODER.encode(data).encode("utf-8")
    if raws:
        body = _MARK.sub(lambda m: raws[int(m.group(1))], body)
    return b"\xef\xbb\xbf" + body if bom else body


# The fragment writer: what ``to_json`` writes for a node without pre-rendered parts, the
# key order and the EM 13 key conversion included, without building the dictionaries
# and without the marks of spliced fragments (most of the cost of a large page rendered
# for the first time).
_string = json.encoder.encode_basestring
_CAMEL: dict[str, str] = {}
_KEYS: dict[str, str] = {}  # key -> its JSON text and the colon (keys come from the code)


def _camel(key: str) -> str:
    converted = _CAMEL.get(key)
    if converted is None:
        converted = _CAMEL[key] = camel_case(key)
    return converted


def _key(key: str) -> str:
    written = _KEYS.get(key)
    if written is None:
        written = _string(key) + ":"
        if len(_KEYS) < 4096:
            _KEYS[key] = written
    return written


def _scalar(value: object) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is str:
        return _string(value)
    if type(value) is int:
        return int.__repr__(value)
    return json.dumps(value, ensure_ascii=False)


def _object(pairs: dict[str, str], camel: bool) -> str:
    if camel:
        converted: dict[str, str] = {}
        for key, text in pairs.items():
            converted[_camel(key)] = text
        pairs = converted
    return "{" + ",".join([_key(key) + text for key, text in pairs.items()]) + "}"


def _written(value: object, camel: bool) -> str:
    if type(value) is str:
        return _string(value)
    if isinstance(value, Node):
        return _node_text(value, camel)
    if isinstance(value, ListOf):
        items = "[" + ",".join([item.data.decode("utf-8") if isinstance(item, Raw)
                                else _node_text(item, camel) for item in value.items]) + "]"
        return _object({value.json_key: items}, camel) if value.json_key else items
    return _scalar(value)


def _link_text(node: Link, camel: bool) -> str:
    rel, href, title, type_ = node.rel, node.href, node.title, node.type_
    return ('{"rel":' if camel else '{"Rel":') + (
        _string(rel) if type(rel) is str else _scalar(rel)) + (
        ',"href":' if camel else ',"Href":') + (
        _string(href) if type(href) is str else _scalar(href)) + (
        ',"name":' if camel else ',"Name":') + (
        _string(title) if type(title) is str else _scalar(title)) + (
        ',"type":' if camel else ',"Type":') + (
        _string(type_) if type(type_) is str else _scalar(type_)) + "}"


def _node_text(node: Node, camel: bool) -> str:
    if type(node) is Link:
        return _link_text(node, camel)
    out: dict[str, str] = {}
    for layer in reversed(node.layers):
        for key, value in layer.elems:
            out[key] = _string(value) if type(value) is str else _written(value, camel)
        for key, value in layer.attrs:
            out[key] = _string(value) if type(value) is str else _scalar(value)
    if node.json_order is not None:
        out = {key: out.get(key, "null") for key in node.json_order}
    return _object(out, camel)


def to_json_fragment(node: Node, *, camel: bool = False) -> bytes:
    """``to_json(node, camel=camel)``, written directly (for the cache of fragments)."""
    return _node_text(node, camel).encode("utf-8")
