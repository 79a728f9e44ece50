"""The mock's own API under ``/mock/``: health, reset, data, clock, faults and the journal.

None of this exists on a real Enterprise Manager; it is how a test steers em-mock.
Errors here are JSON objects ``{"error": "...", "errors": [...]}``.
"""

from __future__ import annotations

import hmac
import html
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, JSONResponse, Response

from em_mock.control.console import mount_console
from em_mock.core.clock import ClockRangeError
from em_mock.core.faults import FaultRuleError
from em_mock.core.fixtures import SECTIONS, FixtureError, load_documents, to_document
from em_mock.core.generate import DEFAULT_SEED, Sizes, new_guid
from em_mock.core.http.deps import runtime, runtime_dependency
from em_mock.core.http.recorded import is_modelled
from em_mock.core.recorded import RECORDED, RecordedAnswer, answer_key, from_json, to_json
from em_mock.core.registry import HEADLINES
from em_mock.core.runtime import Runtime
from em_mock.core.scenes import SceneError, play, scenes
from em_mock.core.times import format_instant_ms, parse_instant_ms

TOKEN_HEADER = "X-Mock-Token"


class ControlError(Exception):
    """A control call that cannot be done: ``status`` and every reason."""

    def __init__(self, status: int, message: str, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or []


RT = Annotated[Runtime, Depends(runtime_dependency)]


async def _check_token(request: Request,
                 x_mock_token: Annotated[str | None, Header(alias=TOKEN_HEADER)] = None) -> None:
    expected = runtime(request).settings.control_token
    if expected and not hmac.compare_digest((x_mock_token or "").encode(), expected.encode()):
        raise ControlError(401, f"This control call needs the {TOKEN_HEADER} header with the "
                                "server's control token.")


public = APIRouter()
router = APIRouter(dependencies=[Depends(_check_token)])


@public.get("/health", summary="Liveness: answers while the process serves requests")
async def health() -> dict[str, str]:
    """Always ``{"status": "ok"}``; this path never changes. It needs no token, is never
    journaled or faulted, and answers with ``--no-control`` too."""
    return {"status": "ok"}


@router.get("/ready", summary="Readiness, with the size of the data set")
async def ready(rt: RT) -> dict[str, Any]:
    """Ready to serve, and what is loaded."""
    counts = {h.key: h.count(rt.store.data) for h in HEADLINES}
    return {"ready": True, **counts, "clock": format_instant_ms(rt.clock.now_ms())}


@router.post("/reset", summary="Back to the start-up baseline")
async def reset(rt: RT) -> dict[str, Any]:
    """Data, logon sessions, clock, fault rules and journal as they were at start-up."""
    rt.reset()
    return await ready(rt)


class SeedSpec(BaseModel):
    """What to generate; unset sizes take the defaults (3, 12, 500)."""

    seed: int = DEFAULT_SEED
    backupServers: int = Field(3, ge=0, le=1000)
    failoverPlans: int = Field(12, ge=0, le=10_000)
    sessions: int = Field(500, ge=0, le=2_000_000)


@router.post("/seed", summary="Replace the data with a generated set")
async def seed(spec: SeedSpec, rt: RT) -> dict[str, Any]:
    """Generate data for ``seed`` and the sizes, relative to the clock's current time."""
    rt.reseed(spec.seed, Sizes(spec.backupServers, spec.failoverPlans, spec.sessions))
    return await ready(rt)


@router.get("/state", summary="The whole data set in the fixture format")
async def get_state(rt: RT) -> dict[str, Any]:
    """The data set as the API serves it now; ``Anchor`` is the clock's current time."""
    return _document(rt)


def _document(rt: Runtime) -> dict[str, Any]:
    now = rt.clock.now_ms()
    rt.simulation.advance(rt.store, now)
    return to_document(rt.store.data, now, served=True)


def _replace_from(rt: Runtime, document: Any, label: str) -> None:
    try:
        data = load_documents([(label, document)], rt.clock.now_ms())
    except FixtureError as exc:
        raise ControlError(400, "The data is not valid; nothing was changed.", exc.errors) from None
    rt.store.replace(data)


@router.put("/state", summary="Replace the whole data set (validated like a fixture file)")
async def put_state(rt: RT, document: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    """Validate ``document`` as a fixture file and serve it; 400 with every reason if not.

    An ``Anchor`` in the document stands for the clock's current time, as in what
    ``GET /mock/state`` returns, so that comes back unchanged.
    """
    _replace_from(rt, document, "request body")
    return await ready(rt)


def _editable(collection: str) -> tuple[str, str]:
    """The fixture section and item type behind ``/data/<collection>``."""
    for section in SECTIONS:
        if section.control is not None and section.control[0] == collection:
            return section.name, section.control[1]
    known = ", ".join(s.control[0] for s in SECTIONS if s.control is not None)
    raise ControlError(404, f"No collection {collection!r}; these can be edited: {known}.")


def _guid(text: str) -> str:
    return text.rsplit(":", 1)[-1].lower()


def _edit(rt: Runtime, collection: str, guid: str | None, item: dict[str, Any] | None
          ) -> dict[str, Any] | None:
    section, type_name = _editable(collection)
    document = _document(rt)
    items: list[dict[str, Any]] = document[section]
    if guid is None:
        assert item is not None
        if "UID" not in item:
            new = new_guid(rt.simulation.rng)
            item = {"UID": f"urn:veeam:{type_name}:{new}", **item}
        items.append(item)
    else:
        positions = [i for i, it in enumerate(items) if _guid(it["UID"]) == _guid(guid)]
        if not positions:
            raise ControlError(404, f"No {type_name} has the UID {guid}.")
        if item is None:
            del items[positions[0]]
        else:
            if "UID" in item and _guid(str(item["UID"])) != _guid(guid):
                raise ControlError(400, "The UID in the body differs from the one in the path.")
            items[positions[0]] = {"UID": items[positions[0]]["UID"], **item}
    _replace_from(rt, document, "request body")
    return item


@router.post("/data/{collection}", status_code=201,
             summary="Add a backup server, tenant, failover plan or failover session")
async def create_item(collection: str, rt: RT,
                      item: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    """Add one item written in the fixture format (a UID is made up when none is given)."""
    created = _edit(rt, collection, None, item)
    assert created is not None
    return created


@router.put("/data/{collection}/{uid}", summary="Replace one item")
async def replace_item(collection: str, uid: str, rt: RT,
                       item: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    """Replace the item with ``uid`` (URN or bare GUID) by ``item``."""
    replaced = _edit(rt, collection, uid, item)
    assert replaced is not None
    return replaced


@router.delete("/data/{collection}/{uid}", status_code=204, summary="Delete one item")
async def delete_item(collection: str, uid: str, rt: RT) -> Response:
    """Delete the item; refused with 400 while other items refer to it."""
    _edit(rt, collection, uid, None)
    return Response(status_code=204)


def _recorded(answer: RecordedAnswer) -> dict[str, Any]:
    out = {**to_json(answer), "Modelled": is_modelled(answer.path)}
    if out["Modelled"]:
        out["Warning"] = (f"em-mock models GET /api{answer.path.partition('?')[0]}: this "
                          "recorded answer is kept (and exported) but never served.")
    return out


@router.get("/recorded", summary="The recorded answers")
async def list_recorded(rt: RT) -> list[dict[str, Any]]:
    """Every recorded answer in the fixture format, with ``Modelled`` (true: em-mock
    models the path, so the answer is never served)."""
    return [_recorded(answer) for answer in RECORDED.of(rt.store.data).values()]


@router.post("/recorded", status_code=201, summary="Add or replace a recorded answer")
async def add_recorded(rt: RT, item: Annotated[Any, Body(examples=[{
        "Path": "/reports/summary/custom", "BaseUrl": "https://em.example:9398",
        "Xml": {"Status": 200, "Body": "<Custom/>"}}])] = None) -> JSONResponse:
    """Add an answer written in the fixture format (201), or replace the one for the same
    request (200); served at once. ``Modelled`` and ``Warning`` say when em-mock models
    the path, so the answer is kept but never served."""
    if isinstance(item, dict):  # what GET /mock/recorded adds may come back as it was
        item = {k: v for k, v in item.items() if k not in ("Modelled", "Warning")}
    try:
        answer = from_json(item)
    except FixtureError as exc:
        raise ControlError(400, "The recorded answer is not valid; nothing was changed.",
                           exc.errors) from None
    table = RECORDED.of(rt.store.data)
    replaced = answer.key in table
    table[answer.key] = answer
    return JSONResponse(_recorded(answer), 200 if replaced else 201)


@router.delete("/recorded", status_code=204, summary="Remove a recorded answer")
async def remove_recorded(rt: RT, path: Annotated[str, Query(
        description="the answer's Path (relative to /api, with its query string)")]
                          ) -> Response:
    """Remove the answer for ``path`` (matched as requests are: any case, parameters in
    any order)."""
    if RECORDED.of(rt.store.data).pop(answer_key(path), None) is None:
        raise ControlError(404, f"No recorded answer has the path {path!r}.")
    return Response(status_code=204)


def _clock(rt: Runtime) -> dict[str, Any]:
    return {"now": format_instant_ms(rt.clock.now_ms()), "frozen": rt.clock.frozen,
            "start": format_instant_ms(rt.clock.start_ms)}


class ClockChange(BaseModel):
    """``freeze``, ``resume``, ``advance`` (by ``seconds``) or ``set`` (to ``instant``)."""

    action: Literal["freeze", "resume", "advance", "set"]
    seconds: float | None = Field(None, ge=-1e10, le=1e10)
    instant: str | None = None


@router.get("/clock", summary="The mock's clock")
async def get_clock(rt: RT) -> dict[str, Any]:
    """Now, whether the clock stands still, and where it started."""
    return _clock(rt)


@router.post("/clock", summary="Freeze, resume, advance or set the clock")
async def change_clock(change: ClockChange, rt: RT) -> dict[str, Any]:
    """Move the clock; logon expiry, the 30-day window and running sessions follow it."""
    if change.action == "freeze":
        rt.clock.freeze()
    elif change.action == "resume":
        rt.clock.resume()
    elif change.action == "advance":
        if change.seconds is None:
            raise ControlError(400, "advance needs seconds")
        try:
            rt.clock.advance(change.seconds)
        except ClockRangeError as exc:
            raise ControlError(400, f"The clock was not moved: {exc}.") from None
    else:
        moment = parse_instant_ms(change.instant or "")
        if moment is None:
            raise ControlError(400, "set needs instant, a UTC date-time such as "
                                    "2026-06-15T12:00:00Z")
        try:
            rt.clock.set(moment)
        except ClockRangeError as exc:
            raise ControlError(400, f"The clock was not moved: {exc}.") from None
    rt.simulation.advance(rt.store, rt.clock.now_ms())
    return _clock(rt)


@router.get("/scenes", summary="The demo scenes and their parameters")
async def list_scenes() -> list[dict[str, Any]]:
    """Each scene: ``name``, ``title``, ``description`` and ``params`` (``name``, ``kind``
    ``string`` or ``integer``, ``default``, ``minimum``/``maximum``, ``lookup``: the query
    type whose entities a value names, ``presets``)."""
    return [scene.to_json() for scene in scenes()]


@router.post("/scenes/{name}", summary="Play a demo scene")
async def play_scene(name: str, rt: RT, body: Annotated[Any, Body(examples=[
        {"job": "vbr01 Backup Job 1"}, {"hours": 24}])] = None) -> dict[str, Any]:
    """Play scene ``name`` with its parameters in a JSON object (none: the defaults); what
    it did. 404 for an unknown scene or entity, 400 with every reason for bad parameters."""
    try:
        return play(rt, name, body)
    except SceneError as exc:
        raise ControlError(exc.status, exc.message, exc.errors) from None


@router.get("/faults", summary="The active fault rules")
async def list_faults(rt: RT) -> list[dict[str, Any]]:
    """Every rule, with how often it matched and fired."""
    return [r.to_json() for r in rt.faults.rules]


@router.post("/faults", status_code=201, summary="Add a fault rule")
async def add_fault(rt: RT, rule: Annotated[dict[str, Any], Body(examples=[{
        "action": "error", "method": "POST", "path": "/api/sessionmngr*", "status": 503,
        "count": 2}])]) -> dict[str, Any]:
    """Add a rule: ``action`` is ``error``, ``latency``, ``drop`` or ``truncate``."""
    try:
        return rt.faults.add(rule).to_json()
    except FaultRuleError as exc:
        raise ControlError(400, f"The fault rule is not valid: {exc}") from None


@router.delete("/faults", status_code=204, summary="Remove every fault rule")
async def clear_faults(rt: RT) -> Response:
    """No rule is left."""
    rt.faults.clear()
    return Response(status_code=204)


@router.delete("/faults/{rule_id}", status_code=204, summary="Remove one fault rule")
async def remove_fault(rule_id: int, rt: RT) -> Response:
    """Remove the rule with ``rule_id``."""
    if not rt.faults.remove(rule_id):
        raise ControlError(404, f"No fault rule has the id {rule_id}.")
    return Response(status_code=204)


@router.get("/requests", summary="The request journal, newest first")
async def journal(rt: RT, method: str | None = None, path: str | None = None,
                  status: Annotated[int | None, Query(ge=100, le=599)] = None
                  ) -> list[dict[str, Any]]:
    """EM API requests the mock answered; filter by method, path substring and status."""
    return [e.to_json() for e in rt.journal.newest_first(method, path, status)]


@router.delete("/requests", status_code=204, summary="Clear the request journal")
async def clear_journal(rt: RT) -> Response:
    """Forget every journal entry."""
    rt.journal.clear()
    return Response(status_code=204)


def _docs_page(schema: dict[str, Any]) -> str:
    rows = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            rows.append(f"<tr><td><code>{method.upper()}</code></td>"
                        f"<td><code>/mock{html.escape(path)}</code></td>"
                        f"<td>{html.escape(op.get('summary', ''))}</td>"
                        f"<td>{html.escape(op.get('description', ''))}</td></tr>")
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>em-mock control API</title></head><body>"
        "<h1>em-mock control API</h1><p>Everything under <code>/mock/</code> steers the mock; "
        f"when a control token is set, send it in the <code>{TOKEN_HEADER}</code> header. "
        "The machine-readable description is <a href='/mock/openapi.json'>/mock/openapi.json"
        "</a>.</p><table><thead><tr><th>Method</th><th>Path</th><th>What</th><th>Details</th>"
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></body></html>")


def create_control_app(runtime: Runtime) -> FastAPI:
    """The ``/mock`` application."""
    app = FastAPI(title="em-mock control API", docs_url=None, redoc_url=None, openapi_url=None,
                  description="Steer em-mock: reset, data, clock, scenes, faults, journal.")
    app.state.runtime = runtime
    app.include_router(public)
    app.include_router(router)
    mount_console(app)

    @app.get("/openapi.json", include_in_schema=False, dependencies=[Depends(_check_token)])
    async def openapi(request: Request) -> JSONResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return JSONResponse({**app.openapi(), **({"servers": [{"url": root}]} if root else {})})

    @app.get("/docs", include_in_schema=False, dependencies=[Depends(_check_token)])
    async def docs() -> HTMLResponse:
        return HTMLResponse(_docs_page(app.openapi()))

    async def control_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ControlError)
        return JSONResponse({"error": exc.message, "errors": exc.errors}, exc.status)

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        reasons = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return JSONResponse({"error": "The request is not valid.", "errors": reasons}, 400)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return JSONResponse({"error": str(exc.detail), "errors": []}, exc.status_code)

    app.add_exception_handler(ControlError, control_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(HTTPException, http_error)
    return app

