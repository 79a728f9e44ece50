"""The demo console: one page, served by em-mock itself at ``/mock/console``.

``mount_console(app)`` adds to the ``/mock`` application:

- ``GET /console``: the page (``em_mock/console/static/index.html``, with the mount point
  and the control token filled in);
- ``/console/static/...``: its script and style sheet;
- ``GET /registry``: the query types and their fields, which drive the query builder;
- ``POST /console/logon``: a new EM logon session for the first configured account,
  which the dashboard uses (its token, never the password).

All four follow the control token rule: with ``--control-token`` set, a call needs the
token in the ``X-Mock-Token`` header. A browser cannot send a header when it opens a
page, so the page also takes it once as ``?token=``; it then sets a cookie (scoped to
the console's own path, so it only opens the page and its static files) and hands the
token to the script, which sends it as ``X-Mock-Token`` on every control call.
"""

from __future__ import annotations

import base64
import hmac
import html
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from em_mock.core.registry import QUERY_TYPES, Kind

STATIC = Path(__file__).resolve().parent.parent / "console" / "static"
TOKEN_HEADER = "X-Mock-Token"
TOKEN_COOKIE = "em_mock_console_token"
_BASE_MARK = "__EM_MOCK_BASE__"
_TOKEN_MARK = "__EM_MOCK_TOKEN__"
_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def registry_document() -> dict[str, Any]:
    """The query types, in the server's order, with their fields' names, kinds and values."""
    return {"types": [
        {"name": qtype.name, "plural": qtype.plural,
         "fields": [{"name": f.name, "kind": f.kind.value,
                     "values": list(f.values) if f.kind is Kind.ENUM else []}
                    for f in qtype.fields]}
        for qtype in QUERY_TYPES.values()
    ]}


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def _refused() -> JSONResponse:
    return JSONResponse({"error": f"This control call needs the {TOKEN_HEADER} header with the "
                                  "server's control token.", "errors": []}, 401)


class _TokenGuard:
    """Lets a request through to ``inner`` only with the control token (header or cookie)."""

    def __init__(self, inner: ASGIApp, control: FastAPI) -> None:
        self.inner = inner
        self.control = control

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        expected = _expected_token(self.control)
        request = Request(scope)
        if expected and not (_same(request.headers.get(TOKEN_HEADER), expected)
                             or _same(request.cookies.get(TOKEN_COOKIE), expected)):
            await _refused()(scope, receive, send)
            return
        await self.inner(scope, receive, send)


def _expected_token(control: FastAPI) -> str | None:
    token: str | None = control.state.runtime.settings.control_token
    return token or None


def _locked_page() -> HTMLResponse:
    body = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>em-mock console: control token needed</title></head><body><main>"
        "<h1>The control token is needed</h1><p>This em-mock was started with "
        "<code>--control-token</code>. Open the console as <code>/mock/console?token=</code>"
        "<var>your token</var>; the page keeps it for its own calls.</p></main></body></html>")
    return HTMLResponse(body, 401, headers=_PAGE_HEADERS)


def mount_console(app: FastAPI) -> None:
    """Add the console page, its static files and ``GET /registry`` to the ``/mock`` app."""
    template = (STATIC / "index.html").read_text(encoding="utf-8")

    @app.get("/console", summary="The demo console (a page for a browser)",
             response_class=HTMLResponse)
    async def console(request: Request) -> Response:
        """The single-page console; with a control token set, open it with ``?token=``."""
        expected = _expected_token(app)
        from_query = request.query_params.get("token")
        if expected and not (_same(request.headers.get(TOKEN_HEADER), expected)
                             or _same(request.cookies.get(TOKEN_COOKIE), expected)
                             or _same(from_query, expected)):
            return _locked_page()
        base = request.scope.get("root_path", "")
        page = (template.replace(_BASE_MARK, html.escape(base, quote=True))
                .replace(_TOKEN_MARK, html.escape(expected or "", quote=True)))
        response = HTMLResponse(page, headers=_PAGE_HEADERS)
        if expected and _same(from_query, expected):
            response.set_cookie(TOKEN_COOKIE, expected, path=f"{base}/console", httponly=True,
                                samesite="strict")
        return response

    @app.get("/registry", summary="The query types and their fields (for the query builder)")
    async def registry(request: Request) -> Response:
        """Each query type with its fields: ``name``, ``kind`` and, for enums, ``values``."""
        expected = _expected_token(app)
        if expected and not _same(request.headers.get(TOKEN_HEADER), expected):
            return _refused()
        return JSONResponse(registry_document())

    @app.post("/console/logon", summary="A logon session for the dashboard")
    async def console_logon(request: Request) -> Response:
        """Log the first configured EM account on, as ``POST /api/sessionMngr/`` would:
        the dashboard uses the session's token and says as whom, and never sees the
        account's password."""
        expected = _expected_token(app)
        if expected and not _same(request.headers.get(TOKEN_HEADER), expected):
            return _refused()
        runtime = app.state.runtime
        users = runtime.settings.users
        if not users:
            return JSONResponse({"error": "No EM account is configured.", "errors": []}, 404)
        user, password = users[0]
        basic = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        session = runtime.logons.logon(f"Basic {basic}")
        return JSONResponse({"user": user, "token": session.token,
                             "sessionUrl": f"/api/logonSessions/{session.id}"}, 201)

    app.mount("/console/static", _TokenGuard(StaticFiles(directory=STATIC), app),
              name="console-static")
