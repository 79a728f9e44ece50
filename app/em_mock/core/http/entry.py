"""The entry point and logon sessions: ``/api/``, ``/api/sessionMngr/``, ``/api/logonSessions``."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from starlette.responses import Response

from em_mock.core.errors import EMError, bad_request
from em_mock.core.http.deps import (
    TOKEN,
    CurrentSession,
    RuntimeDep,
    WireDep,
    query_params,
    runtime,
    wire,
)
from em_mock.core.logon import LogonSession
from em_mock.core.registry import LOGON_LINKS, LogonLink, register_logon_links
from em_mock.core.wire import documents as docs
from em_mock.core.wire.documents import Ctx
from em_mock.core.wire.negotiate import JSON, XML
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
