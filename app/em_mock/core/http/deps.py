"""What routes share: the runtime, the negotiated wire format, the caller's logon session."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import Depends, Request
from starlette.responses import Response

from em_mock.core.errors import EMError, bad_request
from em_mock.core.logon import LogonSession
from em_mock.core.runtime import Runtime
from em_mock.core.wire.documents import Ctx
from em_mock.core.wire.negotiate import render, wants_json
from em_mock.core.wire.tree import Node

TOKEN = "X-RestSvcSessionId"


def runtime(request: Request) -> Runtime:
    """The app's :class:`Runtime`."""
    rt: Runtime = request.app.state.runtime
    return rt


def base_url(request: Request, rt: Runtime) -> str:
    """``scheme://host[:port]`` for absolute Hrefs: the public URL, else what the client used."""
    if rt.settings.public_url:
        return rt.settings.public_url
    host = request.headers.get("host")
    if not host:
        server = request.scope.get("server") or ("127.0.0.1", rt.settings.port)
        host = f"{server[0]}:{server[1]}"
    return f"{request.url.scheme}://{host}"


_SLASHES = re.compile(r"/{2,}")


def collapse_slashes(path: str) -> str:
    """Runs of ``/`` as one, as EM reads paths (``/api//sessionMngr``)."""
    return _SLASHES.sub("/", path)


def query_params(request: Request) -> dict[str, str]:
    """Query parameters by lower-cased name; the first occurrence of a repeated one wins."""
    out: dict[str, str] = {}
    for key, value in parse_qsl(request.url.query, keep_blank_values=True):
        out.setdefault(key.lower(), value)
    return out


@dataclass(frozen=True, slots=True)
class Wire:
    """The negotiated output: format, base URL and profile for one request."""

    ctx: Ctx
    json: bool
    bom: bool

    def send(self, node: Node, status: int = 200, headers: dict[str, str] | None = None
             ) -> Response:
        """Render ``node`` in the negotiated format."""
        return render(node, json=self.json, status=status, headers=headers,
                      camel=self.ctx.profile >= 13, bom=self.bom and self.json and status < 400)


def wire(request: Request) -> Wire:
    """The :class:`Wire` of this request."""
    rt = runtime(request)
    return Wire(Ctx(base_url(request, rt), rt.settings.em_version),
                wants_json(request.headers.get("accept")), rt.settings.json_bom)


def current_session(request: Request) -> LogonSession:
    """The caller's live logon session (cookie first, then header), or 401."""
    token = request.cookies.get(TOKEN) or request.headers.get(TOKEN)
    return runtime(request).logons.authenticate(token)


def entity_format(request: Request) -> bool:
    """True for ``format=Entity`` (any case); absent or ``References`` means references."""
    value = query_params(request).get("format")
    if value is None or value.lower() in ("references", "reference"):
        return False
    if value.lower() in ("entity", "entities"):
        return True
    raise bad_request(f"Unknown format {value!r}: use format=Entity or leave it out.")


def find(items: dict[str, Any], guid: str, what: str) -> Any:
    """The item with ``guid`` (any case), or a 404 naming ``what``."""
    item = items.get(guid.lower())
    if item is None:
        raise EMError(404, f"No {what} has the id {guid!r}.")
    return item


# The dependencies are coroutines so that FastAPI runs them on the event loop: it runs a
# plain function in a worker thread, where logging on would touch the logon sessions
# while the loop iterates over them.

async def runtime_dependency(request: Request) -> Runtime:
    """:func:`runtime`, as a dependency run on the event loop."""
    return runtime(request)


async def _wire(request: Request) -> Wire:
    return wire(request)


async def _current_session(request: Request) -> LogonSession:
    return current_session(request)


async def _entity_format(request: Request) -> bool:
    return entity_format(request)


RuntimeDep = Annotated[Runtime, Depends(runtime_dependency)]
WireDep = Annotated[Wire, Depends(_wire)]
CurrentSession = Annotated[LogonSession, Depends(_current_session)]
EntityFormat = Annotated[bool, Depends(_entity_format)]
