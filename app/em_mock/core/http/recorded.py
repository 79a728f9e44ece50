"""Serving recorded answers, and what em-mock models.

The app asks :func:`recorded_response` only where routing found no route for an
``/api`` path (the 404 handler), so a modelled path always wins over a recorded one; the
traffic middleware around it journals and faults the request like any other.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from em_mock.core.http import actions, entry, query
from em_mock.core.http.deps import base_url, collapse_slashes, current_session, runtime
from em_mock.core.recorded import RECORDED, answer_key, rewrite
from em_mock.core.registry import ROUTERS
from em_mock.core.wire.negotiate import wants_json


def api_routers() -> list[APIRouter]:
    """Every router of the EM API, in the order the app includes them."""
    return [entry.router, query.router, *ROUTERS, actions.router]


def _routes() -> list[BaseRoute]:
    return [route for router in api_routers() for route in router.routes]


def is_modelled(path: str) -> bool:
    """True when a route of em-mock serves ``path`` (relative to ``/api``, any method):
    a recorded answer for it is never served."""
    full = "/api" + answer_key(path.partition("?")[0])
    return any(route.path_regex.match(full) for route in _routes()
               if hasattr(route, "path_regex"))


def modelled_paths() -> list[tuple[str, tuple[str, ...]]]:
    """Every modelled path template with its methods (HEAD wherever GET), path order."""
    methods: dict[str, set[str]] = {}
    for route in _routes():
        path = getattr(route, "path", None)
        if path is not None:
            methods.setdefault(path, set()).update(getattr(route, "methods", None) or ())
    order = ("GET", "HEAD", "POST", "PUT", "DELETE")
    return [(path, tuple(m for m in order if m in found or (m == "HEAD" and "GET" in found)))
            for path, found in sorted(methods.items())]


def markdown_paths() -> str:
    """The README's table of modelled paths."""
    rows = ["| path | methods |", "|---|---|"]
    rows += [f"| `{path}` | {', '.join(methods)} |" for path, methods in modelled_paths()]
    return "\n".join(rows) + "\n"


def recorded_response(request: Request) -> Response | None:
    """The recorded answer for this ``GET`` (or ``HEAD``) request, or ``None``.

    Raises the 401 ``EMError`` when there is one but the caller has no logon session.
    """
    # The path as sent (routing sees it decoded and lower-cased): the key decodes it once.
    raw = request.scope.get("raw_path")
    path = collapse_slashes(raw.decode("latin-1") if raw else request.url.path)
    if request.method != "GET" or not path.lower().startswith("/api/"):
        return None
    rt = runtime(request)
    table = RECORDED.of(rt.store.data)
    if not table:
        return None
    query_string = request.url.query
    answer = table.get(answer_key(path[4:] + ("?" + query_string if query_string else "")))
    if answer is None:
        return None
    current_session(request)
    capture = answer.pick(wants_json(request.headers.get("accept")))
    body = rewrite(capture.body, answer.base_url, base_url(request, rt))
    return Response(body, capture.status, headers={"Content-Type": capture.content_type})
