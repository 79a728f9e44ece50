"""The entry point and logon sessions: ``/api/``, ``/api/sessionMngr/``, ``/api/logonSessions``."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from fastapi import APIRouter, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from em_mock.core.errors import EMError, bad_request
from em_mock.core.http.deps import (
    TOKEN,
    CurrentSession,
    RuntimeDep,
    Wire,
    WireDep,
    query_params,
    runtime,
    wire,
)
from em_mock.core.journal import Entry
from em_mock.core.logon import LogonSession
from em_mock.core.registry import LOGON_LINKS, LogonLink, register_logon_links
from em_mock.core.runtime import Runtime
from em_mock.core.times import format_instant_ms
from em_mock.core.wire import documents as docs
from em_mock.core.wire.documents import Ctx
from em_mock.core.wire.negotiate import JSON, XML, wants_json
from em_mock.core.wire.tree import Node, link

router = APIRouter()

_VERSION = re.compile(r"^v1_\d{1,3}$", re.IGNORECASE)
# The query service is the core's own; families offer their collections.
register_logon_links(LogonLink(310, "querySvc", "QueryService"))


def logon_body(ctx: Ctx, session: LogonSession) -> Node:
    """The ``LogonSession`` document of ``session``."""
    down = [link(offered.rel, ctx.api(offered.path), offered.type_name, offered.name)
            for offered in LOGON_LINKS]
    return docs.logon_session(ctx, session.id, session.user, down)


@router.get("/api")
async def entry_point(request: Request) -> Response:
    """``GET /api/``: supported versions and the logon link; no session needed.

    The document depends only on the negotiated output (format, base URL, profile, byte
    order mark): kept in the cache of whole answers. The hottest route reads the runtime
    and the output from the request itself: FastAPI's dependency solving was a third of
    its time."""
    rt = runtime(request)
    out = wire(request)
    key = ("entry", out)
    version = rt.store.version
    kept = rt.render.answers.get(version, key)
    if kept is None:
        response = out.send(docs.enterprise_manager(out.ctx))
        rt.render.answers.put(version, key, bytes(response.body))
        return response
    return Response(kept, 200, media_type=JSON if out.json else XML)


@router.post("/api/sessionmngr")
async def logon(request: Request, rt: RuntimeDep, out: WireDep) -> Response:
    """Log on with Basic credentials: 201, the token header and cookie, the session body."""
    version = query_params(request).get("v")
    if version is not None and version.lower() != "latest" and not _VERSION.match(version):
        raise bad_request(f"Unsupported API version {version!r}: use latest or v1_5, v1_6, v1_7.")
    session = rt.logons.logon(request.headers.get("authorization"))
    href = out.ctx.api(f"logonSessions/{session.id}")
    headers = {
        TOKEN: session.token,
        "Set-Cookie": f"{TOKEN}={session.token}; Path=/api",
        "Location": href,
    }
    return out.send(logon_body(out.ctx, session), 201, headers)


@router.get("/api/logonsessions")
async def list_logon_sessions(me: CurrentSession, rt: RuntimeDep, out: WireDep) -> Response:
    """The caller's live logon sessions: the one making the request first (clients take
    index 0 as their own), then the user's others, newest first."""
    others = [s for s in reversed(rt.logons.of_user(me.user)) if s is not me]
    items = [logon_body(out.ctx, s) for s in (me, *others)]
    return out.send(docs.logon_sessions(items))


def _own(rt: RuntimeDep, me: LogonSession, session_id: str) -> LogonSession:
    session = rt.logons.find(session_id)
    if session is None:
        raise EMError(404, f"No logon session has the id {session_id!r}.")
    if session.user != me.user:
        raise EMError(403, "That logon session belongs to another user.")
    return session


@router.get("/api/logonsessions/{session_id}")
async def get_logon_session(session_id: str, me: CurrentSession, rt: RuntimeDep,
                            out: WireDep) -> Response:
    """One of the caller's logon sessions."""
    return out.send(logon_body(out.ctx, _own(rt, me, session_id)))


@router.delete("/api/logonsessions/{session_id}")
async def logoff(session_id: str, me: CurrentSession, rt: RuntimeDep) -> Response:
    """Log off: 204, and the session's token stops working."""
    rt.logons.end(_own(rt, me, session_id))
    return Response(status_code=204)


class EntryFastPath:
    """``GET``/``HEAD /api/`` answered from the cache of whole answers, ahead of the
    framework's routing, dependencies and middlewares (``em_mock.factory`` asks it first).

    It answers only the plain case, with exactly the bytes and the effects of the normal
    path: the path spelled ``/api/`` or ``/api``, no request body announced, no fault rule
    set, the request line and headers within the limit, a ``Host`` that is valid (when
    Hrefs are built from it) and the document already in the cache. The simulation
    catches up, the request is journaled and the headers carry the vendor's spelling, as
    on the normal path. Anything else, a cache miss included (the normal path then fills
    the cache), is left to the normal path. On ``GET /api/`` the framework's routing and
    the middlewares were four fifths of the answer's cost.
    """

    def __init__(self, runtime: Runtime, max_header: int, check_host: bool,
                 valid_host: Callable[[str], bool]) -> None:
        self.runtime = runtime
        self.max_header = max_header
        self.check_host = check_host
        self.valid_host = valid_host

    async def answer(self, scope: Scope, receive: Receive, send: Send) -> bool:
        """Answer the request if it is the plain case; false (nothing done that the normal
        path would not do again) when it is not."""
        rt = self.runtime
        if (scope["type"] != "http" or scope["path"] not in _ENTRY_PATHS
                or scope["method"] not in ("GET", "HEAD") or rt.faults.rules):
            return False
        started = time.perf_counter()
        host = accept = None
        head = 0
        for name, value in scope["headers"]:
            head += len(name) + len(value) + 4
            if name == b"host":
                if host is None:
                    host = value.decode("latin-1")
            elif name == b"accept":
                if accept is None:
                    accept = value.decode("latin-1")
            elif name in _BODY_HEADERS:
                return False  # a body is announced: the normal path reads and checks it
        line = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
        if (head > self.max_header or line > self.max_header or host is None
                or (self.check_host and not self.valid_host(host))):
            return False
        rt.simulation.advance(rt.store, rt.clock.now_ms())
        base = rt.settings.public_url or f"{scope.get('scheme', 'http')}://{host}"
        json = wants_json(accept)
        out = Wire(Ctx(base, rt.settings.em_version), json, rt.settings.json_bom)
        body = rt.render.answers.get(rt.store.version, ("entry", out))
        if body is None:
            return False
        if (await receive())["type"] != "http.request":
            return True  # the client went away: the normal path answers nothing either
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"Content-Length", str(len(body)).encode()),
                                (b"Content-Type", _JSON_TYPE if json else _XML_TYPE)]})
        await send({"type": "http.response.body",
                    "body": b"" if scope["method"] == "HEAD" else body})
        query = scope.get("query_string", b"")
        rt.journal.add(Entry(
            time=format_instant_ms(rt.clock.now_ms()), method=scope["method"],
            path=scope["path"], query=query.decode("latin-1"), status=200,
            duration_ms=round((time.perf_counter() - started) * 1000, 3)))
        return True


_ENTRY_PATHS = frozenset(("/api/", "/api"))
_BODY_HEADERS = frozenset((b"content-length", b"transfer-encoding"))
_JSON_TYPE = JSON.encode()
_XML_TYPE = XML.encode()
