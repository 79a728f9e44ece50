"""The JSON writer: PascalCase keys, the vendor's key order, nulls kept.

Key order follows the .NET class hierarchy, most derived layer first; within a
layer, elements come before attributes. The EM 13 profile converts every key with
:func:`camel_case` over the finished tree.
"""

from __future__ import annotations

import json
import re
from typing import Any

from em_mock.core.wire.tree import ListOf, Node

JsonValue = Any


def _member(value: object) -> JsonValue:
    if isinstance(value, Node):
        return to_dict(value)
    if isinstance(value, ListOf):
        items = [to_dict(item) for item in value.items]
        return {value.json_key: items} if value.json_key else items
    return value


def to_dict(node: Node) -> dict[str, JsonValue]:
    """The JSON object for ``node`` (the root element's name is dropped)."""
    out: dict[str, JsonValue] = {}
    for layer in reversed(node.layers):
        for key, value in layer.elems:
            out[key] = _member(value)
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


def to_json(node: Node, *, camel: bool = False, bom: bool = False) -> bytes:
    """Render ``node`` as UTF-8 JSON."""
    data: JsonValue = to_dict(node)
    if camel:
        data = camel_case_tree(data)
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return b"\xef\xbb\xbf" + body if bom else body
