"""The EM ``Error`` document."""

from __future__ import annotations

from em_mock.core.wire.tree import Layer, Node

ERROR_JSON_ORDER = ("FirstChanceExceptionMessage", "Message", "StackTrace", "Status", "StatusCode")


def error_node(status: int, message: str) -> Node:
    """``Error`` with ``Message``/``StatusCode`` attributes (JSON: five keys, nulls kept)."""
    return Node(
        "Error",
        [
            Layer(
                attrs=[("Message", message), ("StatusCode", status), ("Status", None)],
                elems=[("FirstChanceExceptionMessage", None), ("StackTrace", None)],
            )
        ],
        json_order=ERROR_JSON_ORDER,
    )
