"""What the registry test of captured sections does not hold the backup-side sections to:
``--since`` bounds their sessions (and only those), the sessions come from the query
service (never one request per session), and a backed-up vApp's id, which the section
leaves out of the byte comparison, is read back exactly."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from em_mock.core.capture import Walk
from em_mock.core.fixtures import SECTIONS, Section, to_document
from em_mock.core.runtime import Runtime
from em_mock.core.times import parse_instant_ms
from em_mock.factory import create_app
from em_mock.settings import Settings
from tests.conftest import EPOCH_MS
from tests.helpers import fetch_of

DAY_MS = 86_400_000
SESSION_SECTIONS = ("JobSessions", "AgentJobSessions", "NasJobSessions", "CdpReplicaSessions",
                    "RestoreSessions")


def _section(name: str) -> Section:
    return next(s for s in SECTIONS if s.name == name)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[Runtime, Any, list[str]]]:
    """The default data served in process; ``fetch`` records every path it asks for."""
    runtime = Runtime.create(Settings(epoch=EPOCH_MS, frozen_clock=True))
    asked: list[str] = []
    with TestClient(create_app(runtime=runtime), base_url="http://testserver") as client:
        fetch = fetch_of(client, asked)

        yield runtime, fetch, asked


def _exported(runtime: Runtime) -> dict[str, Any]:
    return to_document(runtime.store.data, runtime.clock.now_ms(), served=True)


@pytest.mark.parametrize("name", SESSION_SECTIONS)
def test_since_keeps_exactly_the_newer_sessions(server: tuple[Runtime, Any, list[str]],
                                                name: str) -> None:
    runtime, fetch, _ = server
    exported = _exported(runtime)[name]
    times = sorted(s["CreationTimeUTC"] for s in exported)
    bound = times[len(times) // 2]  # half of them, give or take sessions of one instant
    since = parse_instant_ms(bound)
    assert since is not None
    walk = Walk(fetch, since_ms=since, page_size=250)
    section = _section(name)
    assert section.capture is not None
    captured = section.capture(walk)
    newer = sorted(s["UID"] for s in exported if s["CreationTimeUTC"] >= bound)
    assert 0 < len(newer) < len(exported)
    assert sorted(s["UID"] for s in captured) == newer
    # A kept session keeps all its tasks.
    tasks = {s["UID"]: s.get("Tasks") for s in exported}
    assert all(s.get("Tasks") == tasks[s["UID"]] for s in captured)
    assert walk.skipped == []


@pytest.mark.parametrize("name", ("Jobs", "AgentJobs", "NasJobs", "CdpPolicies", "VApps"))
def test_since_does_not_bound_what_is_not_a_session(server: tuple[Runtime, Any, list[str]],
                                                    name: str) -> None:
    runtime, fetch, _ = server
    section = _section(name)
    assert section.capture is not None
    walk = Walk(fetch, since_ms=runtime.clock.now_ms() - DAY_MS, page_size=250)
    assert len(section.capture(walk)) == len(_exported(runtime)[name])


@pytest.mark.parametrize("name", SESSION_SECTIONS)
def test_sessions_are_read_through_the_query_service(server: tuple[Runtime, Any, list[str]],
                                                     name: str) -> None:
    _, fetch, asked = server
    section = _section(name)
    assert section.capture is not None
    asked.clear()
    captured = section.capture(Walk(fetch, page_size=250))
    assert captured
    assert all(path.startswith("query?") or path.startswith("cdpReplica/vms?")
               for path in asked), asked
    assert len(asked) < max(len(captured) // 10, 3)


def test_a_backed_up_vapp_keeps_its_id(server: tuple[Runtime, Any, list[str]]) -> None:
    runtime, fetch, _ = server
    section = _section("VApps")
    assert section.capture is not None
    captured = {(v["Name"], v["JobUid"]): v for v in section.capture(Walk(fetch))}
    jobs = {j["UID"]: j for j in _exported(runtime)["Jobs"]}
    backed_up = [v for v in _exported(runtime)["VApps"] if jobs[v["JobUid"]]["JobType"] == "Backup"]
    assert backed_up
    for vapp in backed_up:
        assert captured[(vapp["Name"], vapp["JobUid"])] == vapp
