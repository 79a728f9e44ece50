"""The query service: ``GET /api/query`` and its hub ``GET /api/querySvc``."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from starlette.responses import Response

from em_mock.core.errors import bad_request
from em_mock.core.filter import FilterError, parse_filter
from em_mock.core.http.deps import CurrentSession, RuntimeDep, WireDep, query_params
from em_mock.core.query import Cache, Sort, count_comparisons, run_query
from em_mock.core.registry import QUERY_TYPES, RESOURCES, QueryType, query_type
from em_mock.core.wire import documents as docs
from em_mock.core.wire.documents import Ctx
from em_mock.core.wire.negotiate import JSON, XML
from em_mock.core.wire.tree import Node, link

router = APIRouter()

DEFAULT_PAGE_SIZE = 100
_NUMBER = re.compile(r"^\+?\d{1,18}$")
_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!*()")


def url_encode(text: str, upper: bool) -> str:
    """Form-encode as the vendor's stack does: space as ``+``, other bytes as ``%xx``
    (lower-case hex for EM 12, upper-case for EM 13)."""
    pattern = "%{:02X}" if upper else "%{:02x}"
    out = []
    for char in text:
        if char in _SAFE:
            out.append(char)
        elif char == " ":
            out.append("+")
        else:
            out.extend(pattern.format(b) for b in char.encode("utf-8"))
    return "".join(out)


def _positive(params: dict[str, str], name: str, spelled: str, default: int, limit: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not _NUMBER.match(raw.strip()) or int(raw) < 1:
        raise bad_request(f"Parameter {spelled} must be a whole number of at least 1, not {raw!r}.")
    value = int(raw)
    if value > limit:
        raise bad_request(f"Parameter {spelled} is {value}; the largest allowed is {limit}.")
    return value


def _paging_links(ctx: Ctx, raw_query: str, page: int, page_size: int, pages: int) -> list[Node]:
    kept: list[tuple[str, str]] = []
    seen: set[str] = set()
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        if key.lower() == "v" or key.lower() in seen:
            continue
        seen.add(key.lower())
        kept.append((key, value))
    upper = ctx.profile >= 13

    def href(number: int) -> str:
        pairs = []
        for key, value in kept:
            if key.lower() == "pagesize":
                value = str(page_size)
            elif key.lower() == "page":
                value = str(number)
            pairs.append((key, value))
        if "pagesize" not in seen:
            pairs.append(("pageSize", str(page_size)))
        if "page" not in seen:
            pairs.append(("page", str(number)))
        query = "&".join(f"{url_encode(k, upper)}={url_encode(v, upper)}" for k, v in pairs)
        return ctx.api("query") + "?" + query

    last = max(pages, 1)
    out = [link("First", href(1))]
    if page > 1:
        out.append(link("Previous", href(page - 1)))
    if page < pages:
        out.append(link("Next", href(page + 1)))
    out.append(link("Last", href(last)))
    return out


def _type_of(params: dict[str, str]) -> QueryType:
    known = ", ".join(sorted(t.name for t in QUERY_TYPES.values()))
    name = params.get("type")
    if not name:
        raise bad_request(f"Parameter type is required; this server answers: {known}.")
    qtype = query_type(name)
    if qtype is None:
        raise bad_request(f"Query type {name!r} is not supported; this server answers: {known}.")
    return qtype


def _sort_of(params: dict[str, str], qtype: QueryType) -> Sort | None:
    asc, desc = params.get("sortasc"), params.get("sortdesc")
    if asc is not None and desc is not None:
        raise bad_request("Give either sortAsc or sortDesc, not both.")
    name = asc if asc is not None else desc
    if name is None:
        return None
    field = qtype.field(name.strip())
    if field is None:
        known = ", ".join(f.name for f in qtype.fields)
        which = "sortAsc" if asc is not None else "sortDesc"
        raise bad_request(f"Parameter {which}: unknown field {name!r} for type {qtype.name} "
                          f"(known fields: {known}).")
    return Sort(field.name, descending=desc is not None)


# Work past these sizes is done in a worker thread, so the event loop keeps serving
# other clients meanwhile: entities rendered, comparisons to evaluate, rows to sort.
OFF_LOOP_ROWS = 500
OFF_LOOP_TERMS = 16
OFF_LOOP_TABLE = 50_000
OFF_LOOP_TRIES = 2
# Two at a time: they share the interpreter with the loop, more would only crowd it. A
# pool of its own (not the event loop's default one), shared by every app in the process.
_WORKERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="em-mock-query")


@router.get("/api/query")
async def query(request: Request, _: CurrentSession, rt: RuntimeDep, out: WireDep) -> Response:
    """Filter, sort and page the entities of one query type.

    Large pages, long filters and big tables are worked out in a worker thread on the
    data as it is when the request arrives; if the data changes meanwhile, the work is
    done again (the last time on the event loop itself), so a page always shows one
    version of the data.
    """
    # A whole answer depends on the request's query, the negotiated output (format, base
    # URL, profile, byte order mark) and the data version; not on the caller, nor on the
    # clock (what the clock moves is a data change: it bumps the version).
    key = (request.url.query, out)
    kept = rt.render.answers.get(rt.store.version, key)
    if kept is not None:
        return Response(kept, 200, media_type=JSON if out.json else XML)

    def keep(version: int, response: Response) -> Response:
        rt.render.answers.put(version, key, bytes(response.body))
        return response

    params = query_params(request)
    qtype = _type_of(params)
    fmt = params.get("format", "References")
    if fmt.lower() not in ("references", "entities"):
        raise bad_request(f"Parameter format must be References or Entities, not {fmt!r}.")
    entities = fmt.lower() == "entities"
    sort = _sort_of(params, qtype)
    page_size = _positive(params, "pagesize", "pageSize", DEFAULT_PAGE_SIZE,
                          rt.settings.max_page_size)
    page = _positive(params, "page", "page", 1, 10**15)
    expr = None
    terms = 0
    if "filter" in params:
        try:
            expr = parse_filter(params["filter"], qtype)
        except FilterError as exc:
            raise bad_request(f"Parameter filter: {exc}") from None
        terms = count_comparisons(expr)
        limit = rt.settings.max_filter_terms
        if terms > limit:
            raise bad_request(f"Parameter filter: the filter holds {terms} comparisons; the "
                              f"limit of this server is {limit}.")
    resource = RESOURCES[qtype.name]
    raw_query = request.url.query

    render = rt.render
    ctx = out.ctx

    def answer(rows: Sequence[Any], cache: Cache, version: int) -> Response:
        result = run_query(qtype, rows, cache, expr=expr, sort=sort, page=page,
                           page_size=page_size)
        paging = docs.paging_info(page, page_size, result.pages_count,
                                  _paging_links(out.ctx, raw_query, page, page_size,
                                                result.pages_count))
        if entities:
            items = [render.entity(version, resource, row, ctx, out.json)
                     for row in result.rows]
            node = docs.query_result(refs=None,
                                     plural=resource.query_plural or resource.plural,
                                     entities=items, paging=paging)
        else:
            refs = [render.reference(version, resource, row, ctx, "Ref", out.json)
                    for row in result.rows]
            node = docs.query_result(refs=refs, plural=None, entities=None, paging=paging)
        return out.send(node)

    rows = qtype.rows(rt.store)
    if page_size > OFF_LOOP_ROWS or terms > OFF_LOOP_TERMS or len(rows) > OFF_LOOP_TABLE:
        for _attempt in range(OFF_LOOP_TRIES):
            staged = rt.store.staged()
            try:
                response = await asyncio.get_running_loop().run_in_executor(
                    _WORKERS, answer, rows, staged, staged.version)
            except Exception:
                # Work on data that changed under it may have read a newer version's
                # caches against the older rows: that is no error, only outdated work.
                if staged.current:
                    raise
            else:
                if staged.current:
                    staged.commit()
                    return keep(staged.version, response)
            rows = qtype.rows(rt.store)
    return keep(rt.store.version, answer(rows, rt.store, rt.store.version))


def _sort_key(qtype: QueryType) -> str:
    """What a hub link sorts by: ``name``, or the first field of a type without one."""
    return "name" if qtype.field("name") else qtype.fields[0].name


@router.get("/api/querysvc")
async def query_service(_: CurrentSession, out: WireDep) -> Response:
    """The query service hub: one link per query type this server answers."""
    down = [
        link("Down", out.ctx.api(f"query?type={t.name}&format=Entities&sortAsc={_sort_key(t)}"
                                 "&pageSize=15&page=1"), f"{t.name}List")
        for t in sorted(QUERY_TYPES.values(), key=lambda t: t.name)
    ]
    return out.send(docs.hub("QuerySvc", "QueryService", out.ctx.api("querySvc"),
                             [link("Up", out.ctx.api(), "EnterpriseManager"), *down]))
