"""Rendered bytes kept for reuse: entity fragments and whole answers.

An entity's wire form depends on the entity, the base URL, the profile and the format;
nothing else (a builder sees only the item and the :class:`Ctx`). Every change of the
data, in place (runs moved by the clock) or by replacement, bumps ``Store.version``,
so a fragment is kept per (data version, resource, form, entity identity, format, base
URL, profile) and a whole answer per (data version, route, normalised request, format,
base URL, profile, byte order mark). Nothing is ever looked up under another version
than the one being served, and what an older version left behind is dropped the first
time a newer version is seen. Both caches are bounded in bytes (settings
``render_cache_bytes`` and ``answer_cache_bytes``; 0 turns a cache off).

Entity identity is ``id(item)``: the item is alive as long as its data version is
served, and a version never comes back, so an id reused by a later object never meets
a key of an earlier version.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from em_mock.core.registry import ResourceType
from em_mock.core.wire.documents import Ctx
from em_mock.core.wire.json import to_json, to_json_fragment
from em_mock.core.wire.tree import Node, Raw
from em_mock.core.wire.xml import to_xml_fragment


class BoundedBytes:
    """A least-recently-used map of byte strings for one data version at a time, at most
    ``limit`` bytes of values in all. Safe to use from the query workers' threads."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.version = -1
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def _at(self, version: int) -> bool:
        """Move to ``version`` if it is newer (dropping everything); false if older."""
        if version > self.version:
            self._items.clear()
            self.size = 0
            self.version = version
        return version == self.version

    def get(self, version: int, key: Hashable) -> bytes | None:
        """The bytes kept for ``key`` at data ``version``, or ``None``."""
        with self._lock:
            if not self._at(version):
                return None
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, version: int, key: Hashable, value: bytes) -> None:
        """Keep ``value`` (unless it alone is over the bound), dropping the least recently
        used beyond the bound."""
        if len(value) > self.limit:
            return
        with self._lock:
            if not self._at(version):
                return
            old = self._items.pop(key, None)
            if old is not None:
                self.size -= len(old)
            self._items[key] = value
            self.size += len(value)
            while self.size > self.limit:
                _, dropped = self._items.popitem(last=False)
                self.size -= len(dropped)

    def clear(self) -> None:
        """Drop everything."""
        with self._lock:
            self._items.clear()
            self.size = 0


class RenderCache:
    """The runtime's rendered bytes: entity fragments and whole answers."""

    def __init__(self, fragment_bytes: int, answer_bytes: int) -> None:
        self.fragments = BoundedBytes(fragment_bytes)
        self.answers = BoundedBytes(answer_bytes)

    def clear(self) -> None:
        """Drop everything (the caches refill on use)."""
        self.fragments.clear()
        self.answers.clear()

    def _item(self, version: int, key: tuple[Any, ...], build: Callable[[], Node], json: bool,
              ctx: Ctx) -> Node:
        if self.fragments.limit <= 0:
            return build()
        data = self.fragments.get(version, key)
        if data is None:
            node = build()
            if not json:
                data = to_xml_fragment(node)
            elif ctx.profile >= 13:  # the direct writer saves the second pass over the keys
                data = to_json_fragment(node, camel=True)
            else:  # without key conversion, the dictionary and json's C encoder are faster
                data = to_json(node)
            self.fragments.put(version, key, data)
        return Raw("", [], data=data)

    def entity(self, version: int, resource: ResourceType, item: Any, ctx: Ctx, json: bool
               ) -> Node:
        """``resource.entity(item, ctx)``, as a fragment rendered once per data version."""
        return self._item(version, (resource.name, "", id(item), json, ctx),
                          lambda: resource.entity(item, ctx), json, ctx)

    def reference(self, version: int, resource: ResourceType, item: Any, ctx: Ctx, root: str,
                  json: bool) -> Node:
        """``resource.reference(item, ctx, root)``, as a fragment rendered once per data
        version."""
        return self._item(version, (resource.name, root, id(item), json, ctx),
                          lambda: resource.reference(item, ctx, root), json, ctx)
