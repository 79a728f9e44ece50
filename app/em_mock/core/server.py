"""The HTTP protocol em-mock runs on: uvicorn's h11 protocol, plus a way to drop a connection.

h11 writes header names as the application spells them (``X-RestSvcSessionId``), which
the vendor's clients grep for. Open connections are registered by peer address so a
"drop" fault can cut one without sending a single byte.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

_OPEN: dict[tuple[Any, ...], asyncio.Transport] = {}


def _peer(transport: asyncio.BaseTransport) -> tuple[Any, ...] | None:
    peer = transport.get_extra_info("peername")
    return tuple(peer[:2]) if isinstance(peer, tuple) else None


class Protocol(H11Protocol):
    """uvicorn's h11 protocol, registering each open connection."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        peer = _peer(transport)
        if peer is not None and isinstance(transport, asyncio.Transport):
            _OPEN[peer] = transport

    def connection_lost(self, exc: Exception | None) -> None:
        peer = _peer(self.transport)
        if peer is not None:
            _OPEN.pop(peer, None)
        super().connection_lost(exc)


def abort_connection(client: Any) -> bool:
    """Close the connection of ``client`` (the ASGI ``scope["client"]``) at once."""
    transport = _OPEN.pop(tuple(client), None) if client else None
    if transport is None:
        return False
    transport.abort()
    return True
