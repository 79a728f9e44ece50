"""A neutral document tree that both the XML and the JSON writer render.

The Enterprise Manager's wire formats come from .NET classes: XML follows the
schema (base type's members first), JSON follows the class hierarchy with the most
derived members first. A :class:`Node` therefore keeps its members in *layers*, base
first; each writer derives its own order from the one table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

Scalar = str | int | bool
Value = "Scalar | Node | ListOf | None"


@dataclass(slots=True)
class ListOf:
    """A list member.

    XML writes a wrapper element named after the member key holding one element per
    item (named after the item node), or, when ``inline``, the items directly inside
    the parent. JSON writes a flat array, or ``{json_key: [...]}`` when ``json_key``
    is set (the vendor's list types).
    """

    items: Sequence[Node]
    json_key: str | None = None
    inline: bool = False


@dataclass(slots=True)
class Layer:
    """The members one class of the hierarchy adds: XML attributes and elements."""

    attrs: list[tuple[str, Scalar | None]] = field(default_factory=list)
    elems: list[tuple[str, Scalar | Node | ListOf | None]] = field(default_factory=list)


@dataclass(slots=True)
class Node:
    """An element (XML) or object (JSON).

    ``name`` is the element name when the node is a document root or a list item;
    as a member value the member key names it. ``json_order`` overrides the derived
    JSON key order for the few documents whose order follows no layering.
    """

    name: str
    layers: list[Layer]
    json_order: tuple[str, ...] | None = None

    def members(self) -> dict[str, Scalar | Node | ListOf | None]:
        """All members by key, for tests and for walking the tree."""
        out: dict[str, Scalar | Node | ListOf | None] = {}
        for layer in self.layers:
            out.update(layer.attrs)
            out.update(layer.elems)
        return out


class Link(Node):
    """A ``Link`` node: the attributes ``Rel``, ``Href``, ``Name``, ``Type`` (JSON keys in
    that order) and nothing else.

    The most common node of every page, so it keeps just its four values and the writers
    write it directly; :attr:`layers` shows it as the one layer any other node would have.
    """

    __slots__ = ("href", "rel", "title", "type_")

    def __init__(self, rel: str, href: str, type_: str | None = None,
                 title: str | None = None) -> None:
        self.name = "Link"
        self.json_order = None
        self.rel = rel
        self.href = href
        self.type_ = type_
        self.title = title

    @property
    def layers(self) -> list[Layer]:
        """The one layer of attributes (a new list: change a link by making another)."""
        return [Layer(attrs=[("Rel", self.rel), ("Href", self.href), ("Name", self.title),
                             ("Type", self.type_)])]

    @layers.setter
    def layers(self, value: list[Layer]) -> None:
        raise AttributeError("a Link is its four values; make a new one to change it")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Node):
            return NotImplemented
        return (other.name, other.layers, other.json_order) == ("Link", self.layers, None)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Link({self.rel!r}, {self.href!r}, {self.type_!r}, {self.title!r})"


def link(rel: str, href: str, type_: str | None = None, name: str | None = None) -> Node:
    """A ``Link`` node (JSON keys ``Rel, Href, Name, Type``)."""
    return Link(rel, href, type_, name)


def links(items: Sequence[Node]) -> ListOf:
    """The ``Links`` member: a flat JSON array, a ``Links`` wrapper in XML."""
    return ListOf(items)


def resource_layer(links_value: ListOf | None, href: str | None, type_: str | None) -> Layer:
    """The base layer every resource shares: ``Links`` element, ``Href``/``Type`` attributes."""
    return Layer(attrs=[("Href", href), ("Type", type_)], elems=[("Links", links_value)])


@dataclass(slots=True)
class Raw(Node):
    """An already rendered item (an entity's fragment in one format): the writers splice
    ``data`` in where the node stands instead of walking it. Only in the one format (and
    profile) it was rendered for; see :mod:`em_mock.core.wire.fragments`."""

    data: bytes = b""
