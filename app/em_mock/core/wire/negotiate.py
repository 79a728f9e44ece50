"""Content negotiation and the response object every route returns."""

from __future__ import annotations

from starlette.responses import Response

from em_mock.core.wire.json import to_json
from em_mock.core.wire.tree import Node
from em_mock.core.wire.xml import to_xml

XML = "application/xml; charset=utf-8"
JSON = "application/json; charset=utf-8"


# Header names as the vendor spells them: HTTP ignores case, shell scripts grepping
# the headers do not. Applied as the response leaves (see ``em_mock.factory``), so
# everything inside the app still sees Starlette's lower-case names.
SPELLING = {
    name.lower().encode("latin-1"): name.encode("latin-1")
    for name in ("Content-Type", "Content-Length", "Location", "Set-Cookie",
                 "WWW-Authenticate", "X-RestSvcSessionId")
}


def wants_json(accept: str | None) -> bool:
    """JSON when ``application/json`` appears anywhere in ``Accept``; XML otherwise."""
    return accept is not None and "application/json" in accept.lower()


def render(
    node: Node,
    *,
    json: bool,
    status: int = 200,
    headers: dict[str, str] | None = None,
    camel: bool = False,
    bom: bool = False,
) -> Response:
    """The HTTP response for ``node`` in the negotiated format."""
    if json:
        response = Response(to_json(node, camel=camel, bom=bom), status, headers, media_type=JSON)
    else:
        response = Response(to_xml(node), status, headers, media_type=XML)
    return response
