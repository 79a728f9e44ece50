"""``create_app``: wires the runtime, the routers and the one place errors are rendered."""

from __future__ import annotations

import hmac
import logging
import re
from email.utils import formatdate

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from em_mock import families
from em_mock.control.router import TOKEN_HEADER, create_control_app, health
from em_mock.core.clock import Clock
from em_mock.core.errors import EMError
from em_mock.core.http import entry
from em_mock.core.http.deps import collapse_slashes
from em_mock.core.http.recorded import api_routers, recorded_response
from em_mock.core.http.traffic import Traffic
from em_mock.core.runtime import Runtime
from em_mock.core.server import is_control
from em_mock.core.wire.errors import error_node
from em_mock.core.wire.negotiate import SPELLING, render, wants_json
from em_mock.settings import Settings

log = logging.getLogger("em_mock")

# Importing the families registers their types, data and routes with the core.
__all__ = ["create_app", "error_response", "families"]


class NormalizePath:
    """Route paths case-insensitively and with runs of ``/`` collapsed, as EM does.

    The path is lower-cased for routing only; ids are GUIDs and compare the same in
    any case.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = collapse_slashes(scope["path"])
            if path.lower().startswith("/api"):
                path = path.lower()
                if len(path) > 1:
                    path = path.rstrip("/")
                scope = dict(scope, path=path)
            if scope["method"] == "HEAD":
                # HEAD is GET without the body, wherever GET is served (the routes declare
                # GET only); the status and headers, Content-Length included, stay.
                scope = dict(scope, method="GET", em_mock_head=True)
                send = _without_body(send)
        await self.app(scope, receive, send)


def _without_body(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)
    return wrapped


def _method(request: Request) -> str:
    """The method the client sent (HEAD is routed as GET)."""
    return "HEAD" if request.scope.get("em_mock_head") else request.method


JSON_DEPTH = 64
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def too_deep(body: bytes | bytearray, limit: int = JSON_DEPTH) -> bool:
    """True when JSON ``body`` nests arrays and objects deeper than ``limit``.

    Parsers and the code that walks what they return recurse once per level; this
    counts levels without recursing: strings dropped, brackets kept, then the innermost
    pairs removed one level at a time (at most ``limit`` passes, each at C speed).
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    brackets = _JSON_STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    for _ in range(limit):
        shorter = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if not shorter:
            return False
        if shorter == brackets:  # unbalanced: what is left open is how deep a parser goes
            return shorter.count(b"[") + shorter.count(b"{") > limit
        brackets = shorter
    return bool(brackets)


_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?"
                   r"|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")


def _valid_host(host: str) -> bool:
    """``host[:port]`` with a DNS name, IPv4 or bracketed IPv6 address and a port <= 65535."""
    match = _HOST.match(host)
    if not match:
        return False
    port = host.rsplit(":", 1)[1] if host.rfind(":") > host.rfind("]") else None
    return port is None or int(port) <= 65535


class RequestGuard:
    """Refuse what no request may be, with an EM ``Error`` (the control API's JSON shape
    under ``/mock``); respell headers on the way out.

    - request line over ``max_header`` bytes: 414; header section over it: 431 (the
      HTTP server's own buffer limit is a little above, see ``infra.server``);
    - a ``Host`` that is not ``host[:port]`` when Hrefs are built from it: 400;
    - a control call with a body but without the control token: 401 before a byte of
      the body is read;
    - a body over ``max_body`` bytes (``control_max_body`` under ``/mock``): 413 (read
      at most that much, then stop);
    - a JSON body (or one without a content type) nesting deeper than ``JSON_DEPTH``: 400.
    """

    def __init__(self, app: ASGIApp, max_header: int, max_body: int, check_host: bool,
                 control_max_body: int | None = None, control_token: str | None = None
                 ) -> None:
        self.app = app
        self.max_header = max_header
        self.max_body = max_body
        self.check_host = check_host
        self.control_max_body = max_body if control_max_body is None else control_max_body
        self.control_token = control_token

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int,
                      message: str) -> None:
        if is_control(collapse_slashes(scope.get("path", ""))):
            response: Response = JSONResponse({"error": message, "errors": []}, status)
        else:
            response = error_response(Request(scope), status, message)
        await response(scope, receive, send)

    def _unauthorised(self, scope: Scope) -> bool:
        """A control call without the right control token in its header."""
        if not self.control_token:
            return False
        sent = Request(scope).headers.get(TOKEN_HEADER) or ""
        return not hmac.compare_digest(sent.encode(), self.control_token.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _respelled(send)
        line = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
        head = sum(len(k) + len(v) + 4 for k, v in scope["headers"])
        if line > self.max_header or head > self.max_header:
            status = 414 if line > self.max_header else 431
            what = "request line" if status == 414 else "header section"
            await self._refuse(scope, receive, send, status, f"The {what} is longer than "
                               f"{self.max_header} bytes, the limit of this server.")
            return
        headers = Request(scope).headers
        host = headers.get("host")
        if self.check_host and host is not None and not _valid_host(host):
            await self._refuse(scope, receive, send, 400,
                               "The Host header is not a valid host[:port].")
            return
        control = is_control(collapse_slashes(scope.get("path", "")))
        limit = self.max_body
        if control and self._unauthorised(scope):
            if scope["method"] not in ("GET", "HEAD", "OPTIONS"):
                await self._refuse(scope, receive, send, 401, f"This control call needs the "
                                   f"{TOKEN_HEADER} header with the server's control token.")
                return
            # A read without the header token (the console's page and files take it from
            # a cookie or the query): only the EM API's body limit, never the large one.
        elif control:
            limit = self.control_max_body
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away (or never finished): nothing to answer
            body.extend(message.get("body", b""))
            more = message.get("more_body", False)
            if len(body) > limit:
                await self._refuse(scope, receive, send, 413, "The request body is larger "
                                   f"than {limit} bytes, the limit of this server.")
                return
        kind = headers.get("content-type")
        if body and (kind is None or "json" in kind.lower()) and too_deep(body):
            await self._refuse(scope, receive, send, 400, "The request body nests arrays "
                               f"and objects deeper than {JSON_DEPTH} levels (or is not "
                               "valid JSON).")
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _respelled(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(SPELLING.get(k, k), v) for k, v in message.get("headers", [])]
            message = {**message, "headers": headers}
        await send(message)
    return wrapped


def error_response(request: Request, status: int, message: str,
                   headers: dict[str, str] | None = None) -> Response:
    """The EM ``Error`` document in the format the request negotiated."""
    return render(error_node(status, message), json=wants_json(request.headers.get("accept")),
                  status=status, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    async def em_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, EMError)
        return error_response(request, exc.status, exc.message, exc.headers)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            # No route models the path: a recorded answer may (behind the logon).
            try:
                answer = recorded_response(request)
            except EMError as error:
                return error_response(request, error.status, error.message, error.headers)
            if answer is not None:
                return answer
            message = f"No resource at {request.url.path}."
        elif exc.status_code == 405:
            message = f"Method {_method(request)} is not allowed on {request.url.path}."
        else:
            message = str(exc.detail)
        return error_response(request, exc.status_code, message, dict(exc.headers or {}))

    async def validation_error(request: Request, exc: Exception) -> Response:
        return error_response(request, 400, f"The request is not valid: {exc}")

    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(request, 500, "The mock server failed unexpectedly; "
                              "see its log for details.")

    app.add_exception_handler(EMError, em_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, unexpected)


def _dated(send: Send, clock: Clock) -> Send:
    """``send`` with a ``Date`` header on every answer, from the mock's clock (the server
    is started without its own), so a client (``em-mock capture``) reads the data's "now"
    from it as it reads a real server's."""

    async def dated(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != b"date"]
            stamp = formatdate(clock.now_ms() / 1000, usegmt=True).encode()
            message = {**message, "headers": [*headers, (b"date", stamp)]}
        await send(message)

    return dated


class EmMockApp(FastAPI):
    """FastAPI, with the entry point's fast path asked first (see ``EntryFastPath``)."""

    entry_fast_path: entry.EntryFastPath | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            send = _dated(send, self.state.runtime.clock)
        fast = self.entry_fast_path
        if fast is not None and await fast.answer(scope, receive, send):
            return
        await super().__call__(scope, receive, send)


# The EM API's routes as included into an app, kept from the first app made: FastAPI works
# out each included route's handling (signatures, dependencies) on its first request, some
# 0.3 s for all of them, and the result depends on the routers only (em-mock overrides no
# dependency), so every app of the process shares it instead of paying it again.
_INCLUDED_API: list[BaseRoute] = []


def _include_api(app: FastAPI) -> None:
    """Include every EM API router into ``app``, sharing the included routes."""
    if not _INCLUDED_API:
        # Included into a bare app: the shared routes keep a reference to the app they were
        # included into, and it must not be one holding a runtime and its data.
        holder = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
        before = len(holder.router.routes)
        for router in api_routers():
            holder.include_router(router)
        _INCLUDED_API.extend(holder.router.routes[before:])
    app.router.routes.extend(_INCLUDED_API)
    app.router._mark_routes_changed()


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """A ready-to-serve ASGI app for ``settings`` (or an existing ``runtime``)."""
    runtime = runtime or Runtime.create(settings or Settings())
    app = EmMockApp(title="em-mock", docs_url=None, redoc_url=None, openapi_url=None,
                  redirect_slashes=False)
    app.state.runtime = runtime
    _include_api(app)
    # Liveness outside the control API: served with --no-control too, and outside /api, so
    # the traffic middleware never journals or faults it.
    app.add_api_route("/mock/health", health, methods=["GET"], include_in_schema=False)
    if not runtime.settings.no_control:
        app.mount("/mock", create_control_app(runtime))
    _install_error_handlers(app)
    app.add_middleware(NormalizePath)
    app.add_middleware(Traffic, runtime=runtime)
    settings = runtime.settings
    app.add_middleware(RequestGuard, max_header=settings.max_header_size,
                       max_body=settings.max_body_size, check_host=settings.public_url is None,
                       control_max_body=settings.control_max_body_size,
                       control_token=None if settings.no_control else settings.control_token)
    app.entry_fast_path = entry.EntryFastPath(runtime, settings.max_header_size,
                                              settings.public_url is None, _valid_host)
    return app
