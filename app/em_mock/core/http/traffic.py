"""What happens around every EM API request: the clock-driven simulation catches up,
fault rules get their chance, and the request is written to the journal."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from em_mock.core.faults import FaultRule
from em_mock.core.http.deps import collapse_slashes
from em_mock.core.journal import Entry
from em_mock.core.runtime import Runtime
from em_mock.core.server import abort_connection
from em_mock.core.times import format_instant_ms
from em_mock.core.wire.errors import error_node
from em_mock.core.wire.negotiate import render, wants_json


class FaultInjected(Exception):
    """Raised where a dropped connection cannot be cut for real (in-process clients)."""


def _query_type(query_string: bytes) -> str | None:
    for key, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        if key.lower() == "type":
            return value
    return None


class Traffic:
    """ASGI middleware for ``/api`` requests: simulation tick, faults, journal."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = collapse_slashes(scope.get("path", "")) if scope["type"] == "http" else ""
        if not path.lower().startswith("/api"):
            await self.app(scope, receive, send)
            return
        rt = self.runtime
        started = time.perf_counter()
        rt.simulation.advance(rt.store, rt.clock.now_ms())
        rule = None
        if rt.faults.rules:
            query_type = _query_type(scope.get("query_string", b""))
            rule = rt.faults.pick(scope["method"], path, query_type)
        status = {"code": 0}

        async def record(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            if rule is None:
                await self.app(scope, receive, record)
            else:
                await self._fault(rule, scope, receive, record, status)
        finally:
            rt.journal.add(Entry(
                time=format_instant_ms(rt.clock.now_ms()), method=scope["method"], path=path,
                query=scope.get("query_string", b"").decode("latin-1"), status=status["code"],
                duration_ms=round((time.perf_counter() - started) * 1000, 3),
                fault=rule.action if rule else None))

    async def _fault(self, rule: FaultRule, scope: Scope, receive: Receive, send: Send,
                     status: dict[str, int]) -> None:
        if rule.action == "error":
            accept = Request(scope).headers.get("accept")
            response = render(error_node(rule.status, rule.message), json=wants_json(accept),
                              status=rule.status)
            await response(scope, receive, send)
        elif rule.action == "latency":
            jitter = self.runtime.faults.rng.uniform(0, rule.jitter_ms) if rule.jitter_ms else 0
            await asyncio.sleep((rule.latency_ms + jitter) / 1000)
            await self.app(scope, receive, send)
        elif rule.action == "drop":
            if not abort_connection(scope.get("client")):
                raise FaultInjected("connection dropped by a fault rule")
        else:
            await self._truncate(scope, receive, send)

    async def _truncate(self, scope: Scope, receive: Receive, send: Send) -> None:
        start: dict[str, Any] = {}
        body = bytearray()

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))

        await self.app(scope, receive, capture)
        await send(start)
        await send({"type": "http.response.body", "body": bytes(body[: len(body) // 2]),
                    "more_body": True})
        if not abort_connection(scope.get("client")):
            raise FaultInjected("response truncated by a fault rule")
