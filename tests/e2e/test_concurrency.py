"""Many clients at once against a live em-mock while its data and clock keep changing.

Eight workers log on, run CloudFailoverSession queries (filters, sorts, both formats,
XML and JSON), follow every ``Next`` link and log out, over and over. Meanwhile one
worker replaces the data set with ``POST /mock/seed`` (seeds 11 and 22 in turn, same
sizes) and moves the clock with ``POST /mock/clock``; an idle worker holds a session
while the clock passes the idle timeout. No sleeps: the seeding worker waits until a
page has been served since its last change, the idle worker until the clock has moved.

What must hold:

- every response parses (XML or JSON, as its Content-Type says) and has an expected
  status: 201 logon, 200 reads, 204 logout, 200 control calls;
- 401 appears only where the clock may have moved past the idle timeout (900 s) since
  the session was last used, and never is missing where it certainly has: every
  advance is counted when it starts and when it completes, which gives for each
  request an upper and a lower bound of how far the clock moved since the previous one;
- every single page is byte for byte what ONE version of the data gives for the same
  request, and that version was current while the page was in flight (no stale
  caches): the versions are re-created in-process with ``generate(seed, sizes, now)``
  using the instant each ``/mock/seed`` answer reports, and asked the same URL.
"""

from __future__ import annotations

import asyncio
import json
import math
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from lxml import etree

from em_mock import Settings, create_app
from em_mock.core.generate import DEFAULT_SEED, Sizes, generate
from em_mock.core.runtime import Runtime
from em_mock.core.times import parse_instant_ms
from em_mock.families.cloud.model import SESSIONS
from tests.conftest import EPOCH_MS, LiveServer
from tests.helpers import NS, basic, logon

TOKEN = "X-RestSvcSessionId"
SIZES = Sizes(backup_servers=3, failover_plans=12, sessions=300)
SEEDS = (11, 22)
ROUNDS = 12
WORKERS = 8
ADVANCE_S = 400
IDLE_TIMEOUT_S = 900
XML, JSON_TYPE = "application/xml", "application/json"
QUERIES = [
    "/api/query?type=CloudFailoverSession&sortDesc=CreationTime&pageSize=50",
    "/api/query?type=CloudFailoverSession&format=Entities&filter=Result==Failed"
    "&sortAsc=Name&pageSize=7",
    "/api/query?type=cloudfailoversession&format=entities"
    "&filter=State==Stopped;(Result==Warning,Result==Failed)&sortDesc=EndTime&pageSize=10",
    "/api/query?type=CloudFailoverSession&filter=CreationTime>=%222026-05-01%22"
    "&sortAsc=CreationTime&pageSize=40",
    "/api/query?type=CloudFailoverSession&format=Entities&sortAsc=BackupServerName"
    "&pageSize=100",
    "/api/query?type=CloudFailoverSession&format=Entities&filter=Name!=x"
    "&sortdesc=creationtime&PageSize=60",
]


@dataclass
class Page:
    """One query page as served, and the data versions that were current while it was in
    flight: from the last one recorded when it was sent to the one after the last
    recorded when it came back (a seed call may have been applied but not yet recorded)."""

    url: str
    accept: str
    body: bytes
    first: int
    last: int


@dataclass
class Shared:
    """What the workers share (one event loop, so no locks beyond the condition)."""

    base: str
    versions: list[tuple[int, int]] = field(default_factory=lambda: [(DEFAULT_SEED, EPOCH_MS)])
    advances_started: int = 0
    advances_done: int = 0
    done: bool = False
    pages: list[Page] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    expired: int = 0
    idle_expired: int = 0
    cycles: dict[int, int] = field(default_factory=dict)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    async def wait_for(self, predicate: Any) -> None:
        async with self.changed:
            await self.changed.wait_for(predicate)


def parse(response: httpx.Response) -> Any:
    """The body as JSON or an XML element, per Content-Type; fails on anything malformed."""
    kind = response.headers.get("content-type", "")
    if kind.startswith("application/json"):
        return json.loads(response.content)
    if kind.startswith("application/xml"):
        return etree.fromstring(response.content, etree.XMLParser(resolve_entities=False))
    raise AssertionError(f"unexpected Content-Type {kind!r} on {response.request.url}")


def next_link(document: Any) -> str | None:
    if isinstance(document, dict):
        links = document["PagingInfo"]["Links"]
        found = [lk["Href"] for lk in links if lk["Rel"] == "Next"]
    else:
        found = [lk.get("Href") for lk in document.iter("{" + NS + "}Link")
                 if lk.get("Rel") == "Next"]
    return found[0] if found else None


def page_uids(body: bytes, accept: str) -> list[str]:
    if accept == JSON_TYPE:
        document = json.loads(body)
        if document["Refs"] is not None:
            items = document["Refs"]["Refs"]
        else:
            items = document["Entities"]["CloudFailoverSessions"]["CloudFailoverSessions"]
        return [item["UID"] for item in items]
    root = etree.fromstring(body)
    return [e.get("UID") for e in root.iter("{" + NS + "}Ref", "{" + NS + "}CloudFailoverSession")]


class Session:
    """One worker's logon session, with the bookkeeping that judges its 401s."""

    def __init__(self, shared: Shared, client: httpx.AsyncClient, name: str) -> None:
        self.shared, self.client, self.name = shared, client, name
        self.token = ""
        self.session_id = ""
        self.done_at_send = 0      # advances complete before the last good request left
        self.started_at_reply = 0  # advances begun before its answer came back

    def problem(self, text: str) -> None:
        self.shared.problems.append(f"{self.name}: {text}")

    async def logon(self) -> None:
        done_at_send = self.shared.advances_done
        response = await self.client.post("/api/sessionMngr/?v=latest",
                                          headers={"Authorization": basic(),
                                                   "Accept": JSON_TYPE})
        started_at_reply = self.shared.advances_started
        if response.status_code != 201:
            self.problem(f"logon answered {response.status_code}: {response.text[:200]}")
            raise AssertionError(self.shared.problems[-1])
        self.token = response.headers[TOKEN]
        self.session_id = parse(response)["SessionId"]
        self.done_at_send, self.started_at_reply = done_at_send, started_at_reply

    async def call(self, method: str, url: str, accept: str, ok: int = 200
                   ) -> tuple[httpx.Response | None, Any]:
        """``method url`` with the session; ``(None, None)`` when it had expired (401)."""
        done_at_send = self.shared.advances_done
        response = await self.client.request(method, url, headers={TOKEN: self.token,
                                                                   "Accept": accept})
        started_at_reply = self.shared.advances_started
        document = parse(response) if response.content else None
        at_most = (started_at_reply - self.done_at_send) * ADVANCE_S
        at_least = (done_at_send - self.started_at_reply) * ADVANCE_S
        if response.status_code == 401:
            if at_most < IDLE_TIMEOUT_S:
                self.problem(f"401 on {method} {url} although the clock moved at most "
                             f"{at_most}s since the session was last used")
            self.shared.expired += 1
            return None, None
        if response.status_code != ok:
            self.problem(f"{method} {url} answered {response.status_code}: "
                         f"{response.text[:300]}")
            return None, None
        if at_least >= IDLE_TIMEOUT_S:
            self.problem(f"{method} {url} succeeded although the session was idle for at "
                         f"least {at_least}s")
        self.done_at_send, self.started_at_reply = done_at_send, started_at_reply
        return response, document


async def client_worker(shared: Shared, number: int) -> None:
    accept = JSON_TYPE if number % 2 else XML
    async with httpx.AsyncClient(base_url=shared.base, timeout=30) as client:
        me = Session(shared, client, f"worker {number}")
        cycle = 0
        while not shared.done:
            await me.logon()
            url: str | None = QUERIES[(number + cycle) % len(QUERIES)]
            pages = 0
            while url is not None:
                first = len(shared.versions) - 1
                response, document = await me.call("GET", url, accept)
                last = len(shared.versions)
                if response is None:
                    await me.logon()        # a real client logs on again and carries on
                    continue
                relative = str(response.request.url).removeprefix(shared.base)
                shared.pages.append(Page(relative, accept, response.content, first, last))
                await shared.notify()
                url = next_link(document)
                pages += 1
                if url is not None and not url.startswith(shared.base + "/api/query?"):
                    me.problem(f"Next link {url!r} does not point back at the server")
                    url = None
                assert pages < 100, "paging does not end"
            _, listed = await me.call("GET", "/api/logonSessions", JSON_TYPE)
            if listed is not None:
                ids = [s["SessionId"] for s in listed["LogonSessions"]]
                if me.session_id not in ids:
                    me.problem("own session missing from /api/logonSessions")
                await me.call("DELETE", f"/api/logonSessions/{me.session_id}", JSON_TYPE, 204)
            cycle += 1
            shared.cycles[number] = cycle


async def idle_worker(shared: Shared) -> None:
    """Holds a session without using it until the clock has certainly passed the timeout."""
    async with httpx.AsyncClient(base_url=shared.base, timeout=30) as client:
        me = Session(shared, client, "idle worker")
        needed = math.ceil(IDLE_TIMEOUT_S / ADVANCE_S)
        for _ in range(3):
            await me.logon()
            mark = me.started_at_reply
            await shared.wait_for(
                lambda mark=mark: shared.done or shared.advances_done - mark >= needed)
            if shared.advances_done - mark < needed:
                return
            response, _ = await me.call("GET", "/api/logonSessions", JSON_TYPE)
            if response is None:
                shared.idle_expired += 1
            else:
                me.problem("the idle session still worked after the timeout")


async def seeding_worker(shared: Shared) -> None:
    async with httpx.AsyncClient(base_url=shared.base, timeout=60) as client:
        for round_ in range(ROUNDS):
            served = len(shared.pages)
            await shared.wait_for(lambda served=served: len(shared.pages) > served)
            seed = SEEDS[round_ % 2]
            seeded = await client.post("/mock/seed", json={
                "seed": seed, "backupServers": SIZES.backup_servers,
                "failoverPlans": SIZES.failover_plans, "sessions": SIZES.sessions})
            assert seeded.status_code == 200, seeded.text
            answer = seeded.json()
            assert answer["failoverSessions"] == SIZES.sessions
            now_ms = parse_instant_ms(answer["clock"])
            assert now_ms is not None
            shared.versions.append((seed, now_ms))
            shared.advances_started += 1
            moved = await client.post("/mock/clock", json={"action": "advance",
                                                           "seconds": ADVANCE_S})
            shared.advances_done += 1
            assert moved.status_code == 200, moved.text
            await shared.notify()
    shared.done = True
    await shared.notify()


async def run(base: str) -> Shared:
    shared = Shared(base)
    tasks = [seeding_worker(shared), idle_worker(shared),
             *(client_worker(shared, n) for n in range(WORKERS))]
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=60)
    return shared


class Oracle:
    """The data versions re-created in-process, answering the same requests."""

    def __init__(self, base: str, versions: list[tuple[int, int]]) -> None:
        self.base = base
        self.versions = versions
        self.clients: dict[int, tuple[TestClient, str]] = {}
        self.uids: dict[int, set[str]] = {}
        self.answers: dict[tuple[int, str, str], bytes] = {}

    def _client(self, index: int) -> tuple[TestClient, str]:
        if index not in self.clients:
            seed, now_ms = self.versions[index]
            data = generate(seed, SIZES, now_ms)
            self.uids[index] = {f"urn:veeam:CloudFailoverSession:{s}" for s in SESSIONS.of(data)}
            settings = Settings(epoch=now_ms, frozen_clock=True, sessions=SIZES.sessions)
            client = TestClient(create_app(runtime=Runtime.create(settings, data=data)),
                                base_url=self.base)
            self.clients[index] = (client, logon(client))
        return self.clients[index]

    def answer(self, index: int, page: Page) -> bytes:
        key = (index, page.url, page.accept)
        if key not in self.answers:
            client, token = self._client(index)
            response = client.get(page.url, headers={TOKEN: token, "Accept": page.accept})
            assert response.status_code == 200, response.text
            self.answers[key] = response.content
        return self.answers[key]

    def version_of(self, page: Page) -> int | None:
        """The version, current while the page was in flight, whose answer to the same
        request is the page byte for byte."""
        uids = set(page_uids(page.body, page.accept))
        for index in range(page.first, min(page.last, len(self.versions) - 1) + 1):
            self._client(index)
            if uids <= self.uids[index] and self.answer(index, page) == page.body:
                return index
        return None

    def close(self) -> None:
        for client, _ in self.clients.values():
            client.close()


@pytest.fixture(scope="module")
def busy() -> Any:
    server = LiveServer("--sessions", str(SIZES.sessions), "--frozen-clock")
    try:
        yield server
    finally:
        server.stop()


def test_pages_stay_consistent_while_data_and_clock_change(busy):
    shared = asyncio.run(run(busy.url))
    assert not shared.problems, "\n".join(shared.problems[:20])
    assert len(shared.versions) == ROUNDS + 1
    assert sorted(shared.cycles) == list(range(WORKERS)), shared.cycles
    assert shared.idle_expired >= 1

    oracle = Oracle(busy.url, shared.versions)
    try:
        seen_seeds: set[int] = set()
        for page in shared.pages:
            index = oracle.version_of(page)
            assert index is not None, (
                f"page {page.url} ({page.accept}) is not what any one version of the data "
                f"current at the time (versions {page.first}..{page.last}) gives:\n"
                f"{page.body[:600]!r}")
            seen_seeds.add(shared.versions[index][0])
    finally:
        oracle.close()
    assert seen_seeds >= set(SEEDS)
    with httpx.Client(base_url=busy.url, timeout=10) as client:
        assert client.get("/api/").status_code == 200
