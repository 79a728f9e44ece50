"""The entry point's fast path answers exactly as the normal path does.

``GET``/``HEAD /api/`` may be answered ahead of the framework (``EntryFastPath``). Every
request here goes to one app twice: as it is, and with the fast path switched off. The
ASGI messages (status, header names as spelled, their order, body) must be equal, and so
must the journal entry each leaves (all but its time and duration) and the data version.
A counter shows which requests the fast path did answer, so a fast path that answers
nothing cannot pass.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from em_mock import Settings, create_app
from em_mock.core.http.entry import EntryFastPath
from em_mock.core.runtime import Runtime
from em_mock.factory import EmMockApp
from tests.conftest import EPOCH_MS
from tests.control.support import fresh_runtime

Messages = list[dict[str, Any]]

ACCEPT_PARTS = ("application/json", "application/xml", "APPLICATION/JSON", "text/html", "*/*",
                "application/json;q=0.1", "application/xml, application/json", "", "text/xml")
header_name = st.sampled_from(["User-Agent", "X-Trace", "Accept-Encoding", "Cookie",
                               "X-RestSvcSessionId", "Connection"])
header_value = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7e), max_size=40)
accept = st.lists(st.sampled_from(ACCEPT_PARTS), max_size=3).map(", ".join)
host = st.sampled_from(["testserver", "em.example.local:9399", "10.1.2.3", "[::1]:8080",
                        "127.0.0.1:18084", "bad host", "x:99999", "EM.Example.LOCAL"])
request = st.fixed_dictionaries({
    "method": st.sampled_from(["GET", "HEAD"]),
    "path": st.sampled_from(["/api/", "/api", "/API/", "//api/", "/api//"]),
    "query": st.sampled_from([b"", b"v=latest", b"a=1&b=%20"]),
    "scheme": st.sampled_from(["http", "https"]),
    "host": st.none() | host,
    "accepts": st.lists(accept, max_size=2),
    "extra": st.lists(st.tuples(header_name, header_value), max_size=3),
    "body_header": st.sampled_from([None, ("content-length", "0"),
                                    ("transfer-encoding", "chunked")]),
})


def _headers(req: dict[str, Any]) -> list[tuple[bytes, bytes]]:
    headers = [(b"host", req["host"].encode())] if req["host"] is not None else []
    headers += [(b"accept", value.encode()) for value in req["accepts"]]
    headers += [(name.lower().encode(), value.encode()) for name, value in req["extra"]]
    if req["body_header"] is not None:
        name, value = req["body_header"]
        headers.append((name.encode(), value.encode()))
    return headers


def _call(app: EmMockApp, req: dict[str, Any]) -> Messages:
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": req["method"], "scheme": req["scheme"], "path": req["path"],
             "raw_path": req["path"].encode(), "query_string": req["query"], "root_path": "",
             "headers": _headers(req), "client": ("127.0.0.1", 50000),
             "server": ("127.0.0.1", 18084)}
    sent: Messages = []
    received = False

    async def receive() -> dict[str, Any]:
        nonlocal received
        if received:
            await asyncio.sleep(3600)
        received = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


class Counting(EntryFastPath):
    """The fast path, counting the requests it answered."""

    answered = 0

    async def answer(self, *args: Any) -> bool:
        done = await super().answer(*args)
        self.answered += done
        return done


def _app(rt: Runtime) -> tuple[EmMockApp, Counting]:
    app = create_app(runtime=rt)
    assert isinstance(app, EmMockApp) and app.entry_fast_path is not None
    fast = app.entry_fast_path
    counting = Counting(fast.runtime, fast.max_header, fast.check_host, fast.valid_host)
    app.entry_fast_path = counting
    return app, counting


def _journal(rt: Runtime) -> dict[str, Any]:
    entry = rt.journal.newest_first()[0].to_json()
    del entry["time"], entry["duration_ms"]
    return entry


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[EmMockApp, Counting, Runtime]]:
    rt = fresh_runtime(Settings(epoch=EPOCH_MS, frozen_clock=True, sessions=20,
                                failover_plans=2, max_header_size=600))
    app, counting = _app(rt)
    yield app, counting, rt


def _both(pair: tuple[EmMockApp, Counting, Runtime], req: dict[str, Any]
          ) -> tuple[Messages, Messages, bool]:
    app, counting, rt = pair
    _call(app, req)  # fills the cache of whole answers where the answer is kept
    before = counting.answered
    fast = _call(app, req)
    answered = counting.answered > before
    fast_entry, fast_version = _journal(rt), rt.store.version
    kept, app.entry_fast_path = app.entry_fast_path, None
    try:
        normal = _call(app, req)
    finally:
        app.entry_fast_path = kept
    assert _journal(rt) == fast_entry
    assert rt.store.version == fast_version
    return fast, normal, answered


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(req=request)
def test_fast_path_answers_as_the_normal_path(pair: tuple[EmMockApp, Counting, Runtime],
                                              req: dict[str, Any]) -> None:
    fast, normal, _ = _both(pair, req)
    assert fast == normal


def test_the_fast_path_answers_the_plain_requests(pair: tuple[EmMockApp, Counting, Runtime]
                                                  ) -> None:
    plain = {"method": "GET", "path": "/api/", "query": b"", "scheme": "http",
             "host": "em.example.local:9399", "accepts": ["application/json"], "extra": [],
             "body_header": None}
    for variant in (plain, {**plain, "method": "HEAD"}, {**plain, "path": "/api"},
                    {**plain, "accepts": []}, {**plain, "query": b"v=1"}):
        fast, normal, answered = _both(pair, variant)
        assert answered, variant
        assert fast == normal
        assert [m["type"] for m in fast] == ["http.response.start", "http.response.body"]
        assert fast[0]["headers"][0][0] == b"Content-Length"  # the vendor's spelling
    # What it leaves to the normal path: a body announced, a bad Host, other spellings.
    for variant in ({**plain, "body_header": ("content-length", "0")},
                    {**plain, "host": "bad host"}, {**plain, "path": "/API/"},
                    {**plain, "host": "x" * 700}):
        fast, normal, answered = _both(pair, variant)
        assert not answered, variant
        assert fast == normal


def test_a_fault_rule_turns_the_fast_path_off(pair: tuple[EmMockApp, Counting, Runtime]
                                             ) -> None:
    app, counting, rt = pair
    plain = {"method": "GET", "path": "/api/", "query": b"", "scheme": "http",
             "host": "testserver", "accepts": [], "extra": [], "body_header": None}
    _call(app, plain)
    rt.faults.add({"path": "/api/", "action": "error", "status": 503, "count": 1})
    before = counting.answered
    answer = _call(app, plain)
    assert counting.answered == before
    assert answer[0]["status"] == 503
    assert _journal(rt)["fault"] == "error"
