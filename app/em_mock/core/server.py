"""The HTTP protocol em-mock runs on: uvicorn's h11 protocol, made safe to face any client.

On top of uvicorn's h11 protocol this adds:

- a request-read deadline: from the moment a connection opens, or its previous answer
  is sent, the client has ``request_timeout`` seconds to send a whole request (line,
  headers and body). Past it the server answers 408 and closes, or just closes when
  nothing of a request arrived. uvicorn's own timers do not cover this: its keep-alive
  timer starts only after a first answer and every byte received cancels it;
- a cap on open connections per listener: a request on a connection past the cap gets
  503 and the connection is closed;
- protocol errors h11 refuses (bad bytes in the request line or a header, two Host or
  Content-Length headers, a bad chunk size, a head over the size limit, ...) answered
  with an EM ``Error`` document (the control API's JSON shape under ``/mock``) and a
  close, not uvicorn's plain text;
- header names written as the application spells them (``X-RestSvcSessionId``), which
  the vendor's clients grep for; and open connections registered by peer address so a
  "drop" fault can cut one without sending a single byte.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import h11
from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from em_mock.core.wire.errors import error_node
from em_mock.core.wire.json import to_json
from em_mock.core.wire.negotiate import JSON, XML
from em_mock.core.wire.xml import to_xml
from em_mock.settings import Settings

_OPEN: dict[tuple[Any, ...], asyncio.Transport] = {}
LINGER_S = 2.0
_PHRASES = {400: "Bad Request", 408: "Request Timeout", 414: "URI Too Long",
            431: "Request Header Fields Too Large", 503: "Service Unavailable"}
_ACCEPTS_JSON = re.compile(rb"(?im)^accept[ \t]*:[^\r\n]*application/json")
_PRINTABLE = re.compile(r"[^\x20-\x7e]")


def _peer(transport: asyncio.BaseTransport) -> tuple[Any, ...] | None:
    peer = transport.get_extra_info("peername")
    return tuple(peer[:2]) if isinstance(peer, tuple) else None


def error_body(status: int, message: str, *, control: bool, as_json: bool) -> tuple[bytes, str]:
    """The body and content type of an error: the control API's JSON shape under /mock,
    the EM ``Error`` document (XML, or JSON when asked) elsewhere."""
    if control:
        return json.dumps({"error": message, "errors": []}).encode(), JSON
    node = error_node(status, message)
    return (to_json(node), JSON) if as_json else (to_xml(node), XML)


def is_control(path: str) -> bool:
    """True for the control API's paths (``/mock`` and below)."""
    return path == "/mock" or path.startswith("/mock/")


class _Connection(h11.Connection):
    """h11's connection, remembering the last protocol error the client caused."""

    last_error: h11.RemoteProtocolError | None = None

    def next_event(self) -> Any:
        try:
            return super().next_event()
        except h11.RemoteProtocolError as exc:
            self.last_error = exc
            raise


class Protocol(H11Protocol):
    """uvicorn's h11 protocol with a read deadline, a connection cap and EM errors."""

    request_timeout: float = 30.0
    max_connections: int = 1000

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        size = self.config.h11_max_incomplete_event_size
        self.conn = _Connection(h11.SERVER, size) if size else _Connection(h11.SERVER)
        self._deadline: asyncio.TimerHandle | None = None
        self._head: bytes | None = None
        self._draining = False

    def _unsupported_upgrade_warning(self) -> None:
        """An ``Upgrade`` request is served as plain HTTP, the way EM serves it: nothing to
        warn about (uvicorn's warning would suggest installing a WebSocket library)."""

    # -- connection life ---------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        peer = _peer(transport)
        if peer is not None and isinstance(transport, asyncio.Transport):
            _OPEN[peer] = transport
        if len(self.connections) > self.max_connections:
            self.app = _busy(self.max_connections)
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        peer = _peer(self.transport)
        if peer is not None:
            _OPEN.pop(peer, None)
        self._cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._draining:
            return  # refused already: what the client still sends is read and dropped
        if self._head is None:
            self._head = bytes(data[:4096])
        try:
            super().data_received(data)
        except Exception as exc:  # whatever the bytes: answer, never crash
            self._refuse(400, f"The request is not valid HTTP/1.1 ({_printable(exc)}).")
            return
        self._watch()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch()

    # -- the read deadline -------------------------------------------------------------

    def _watch(self) -> None:
        """Arm the deadline while a request is being read; drop it once one is in."""
        if self.transport is None or self.transport.is_closing():
            self._cancel()
            return
        if self.conn.their_state in (h11.IDLE, h11.SEND_BODY):
            if self._deadline is None:
                self._deadline = self.loop.call_later(self.request_timeout, self._expired)
        else:
            self._cancel()
            self._head = None

    def _cancel(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        state = self.conn.their_state
        cycle = self.cycle
        if state is h11.IDLE and not self.conn.trailing_data[0]:
            self._close()  # nothing of a request arrived: just close
            return
        if state is h11.SEND_BODY and cycle is not None:
            if cycle.response_started:
                self._close()  # this request is answered (say 413): no second answer
                return
            cycle.disconnected = True  # the application gets http.disconnect, sends nothing
            cycle.message_event.set()
        self._refuse(408, f"The request did not arrive in full within {self.request_timeout:g} "
                          "seconds; the connection is closed.")

    # -- refusing at the protocol level ----------------------------------------------

    def send_400_response(self, msg: str) -> None:
        """uvicorn calls this for requests h11 cannot parse: answer with an EM Error."""
        exc = getattr(self.conn, "last_error", None)
        status = exc.error_status_hint if exc is not None else 400
        if status != 431:
            status = 400  # h11 hints 501 for an unknown transfer coding: still the client's
        if status == 431 and b"\n" not in self.conn.trailing_data[0]:
            status, what = 414, "request line"
        else:
            what = "header section"
        if status in (414, 431):
            message = (f"The {what} is longer than the limit of this server "
                       f"({self.config.h11_max_incomplete_event_size} bytes).")
        else:
            message = (f"The request is not valid HTTP/1.1 ({_printable(exc or msg)}).")
        self._refuse(status, message)

    def _refuse(self, status: int, message: str) -> None:
        """Write ``status`` with an error body straight to the socket, then close."""
        self._cancel()
        if self.transport.is_closing():
            return
        head = self._head or b""
        line = head.split(b"\n", 1)[0].split(b" ")
        path = line[1].decode("latin-1") if len(line) > 1 else ""
        body, kind = error_body(status, message, control=is_control(path.split("?")[0]),
                                as_json=bool(_ACCEPTS_JSON.search(head)))
        self.transport.write(
            f"HTTP/1.1 {status} {_PHRASES[status]}\r\nContent-Type: {kind}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
        if not self.transport.can_write_eof():
            self._close()
            return
        # Closing with unread bytes in the socket would reset the connection, and the
        # client could lose the answer: end our side, read and drop what still comes for a
        # moment (the client's EOF closes at once), then close.
        try:
            self.transport.write_eof()
        except OSError:  # the client is gone already
            self._close()
            return
        self._draining = True
        self.flow.resume_reading()
        self.loop.call_later(LINGER_S, self._close)

    def _close(self) -> None:
        self._cancel()
        self.transport.close()


def _printable(exc: object) -> str:
    return _PRINTABLE.sub("?", str(exc))[:200] or type(exc).__name__


def _busy(limit: int) -> Any:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        accept = dict(scope.get("headers", [])).get(b"accept", b"")
        body, kind = error_body(503, f"The server already serves {limit} connections, its "
                                     "limit; try again later.", control=is_control(path),
                                as_json=b"application/json" in accept.lower())
        await send({"type": "http.response.start", "status": 503,
                    "headers": [(b"Content-Type", kind.encode()),
                                (b"Content-Length", str(len(body)).encode()),
                                (b"Connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
    return app


def server_options(settings: Settings) -> dict[str, Any]:
    """The uvicorn options for ``settings``: the protocol class and its limits.

    h11 buffers at most a little more than the header limit of an unfinished request
    head (the application refuses anything over the limit itself with 414/431), so an
    open connection holds a bounded amount of memory. Enterprise Manager speaks no
    WebSocket, so neither does em-mock: an ``Upgrade: websocket`` request is an ordinary
    HTTP request (uvicorn would otherwise hand it to a WebSocket library, whose refusals
    are plain text, not EM errors). uvicorn adds no ``Server`` header and no ``Date`` of
    its own: the app dates every answer by the mock's clock.
    """
    protocol = type("Protocol", (Protocol,), {"request_timeout": settings.request_timeout,
                                               "max_connections": settings.max_connections})
    return {"http": protocol, "ws": "none", "server_header": False, "date_header": False,
            "h11_max_incomplete_event_size": settings.max_header_size + 16 * 1024}


def abort_connection(client: Any) -> bool:
    """Close the connection of ``client`` (the ASGI ``scope["client"]``) at once."""
    transport = _OPEN.pop(tuple(client), None) if client else None
    if transport is None:
        return False
    transport.abort()
    return True
