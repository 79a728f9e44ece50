"""``create_app``: wires the runtime, the routers and the one place errors are rendered."""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api import actions, collections, entry, query
from app.api.traffic import Traffic
from app.control.router import create_control_app
from app.domain.errors import EMError
from app.representation.errors import error_node
from app.representation.negotiate import SPELLING, render, wants_json
from app.runtime import Runtime
from app.settings import Settings

log = logging.getLogger("em_mock")
_SLASHES = re.compile(r"/{2,}")


class NormalizePath:
    """Route paths case-insensitively and with runs of ``/`` collapsed, as EM does.

    The path is lower-cased for routing only; ids are GUIDs and compare the same in
    any case.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = _SLASHES.sub("/", scope["path"])
            if path.lower().startswith("/api"):
                path = path.lower()
                if len(path) > 1:
                    path = path.rstrip("/")
                scope = dict(scope, path=path)
        await self.app(scope, receive, send)


class RequestLimits:
    """Answer over-long request lines (414) and header sections (431) with an EM ``Error``,
    and write response header names in the vendor's spelling on the way out.

    The HTTP server's own hard limit is set well above ``max_bytes`` (see the CLI), so
    ordinary oversized requests reach this check and get a proper EM answer.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            send = _respelled(send)
            line = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
            head = sum(len(k) + len(v) + 4 for k, v in scope["headers"])
            status = 414 if line > self.max_bytes else 431 if head > self.max_bytes else 0
            if status:
                request = Request(scope)
                what = "request line" if status == 414 else "header section"
                response = error_response(request, status, f"The {what} is longer than "
                                          f"{self.max_bytes} bytes, the limit of this server.")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


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
            message = f"No resource at {request.url.path}."
        elif exc.status_code == 405:
            message = f"Method {request.method} is not allowed on {request.url.path}."
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


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """A ready-to-serve ASGI app for ``settings`` (or an existing ``runtime``)."""
    runtime = runtime or Runtime.create(settings or Settings())
    app = FastAPI(title="em-mock", docs_url=None, redoc_url=None, openapi_url=None,
                  redirect_slashes=False)
    app.state.runtime = runtime
    for module in (entry, query, collections, actions):
        app.include_router(module.router)
    if not runtime.settings.no_control:
        app.mount("/mock", create_control_app(runtime))
    _install_error_handlers(app)
    app.add_middleware(NormalizePath)
    app.add_middleware(Traffic, runtime=runtime)
    app.add_middleware(RequestLimits, max_bytes=runtime.settings.max_header_size)
    return app
