"""Demo scenes (``/mock/scenes``) as a client sees them: the control call, then the EM API.

Each scene's effect is read back through the query service and the entities, the way a
monitoring client would see it; bad parameter bodies are 400 with reasons, never 500.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import EPOCH
from tests.control.support import app_client, parse
from tests.helpers import JSON, logon

SCENES = ["job-fails", "repository-fills", "tenant-fails-over", "time-flies"]


def query(client: TestClient, qtype: str, filter_: str = "", extra: str = ""
          ) -> list[dict[str, Any]]:
    """Every entity of ``qtype`` matching ``filter_`` (one big page), through a fresh logon
    (the clock may have jumped past the last one's expiry)."""
    auth = {"X-RestSvcSessionId": logon(client)}
    url = f"/api/query?type={qtype}&format=Entities&pageSize=10000{extra}"
    if filter_:
        url += "&filter=" + quote(filter_)
    response = client.get(url, headers={**auth, **JSON})
    assert response.status_code == 200, response.text
    entities = response.json()["Entities"]
    plural = next(k for k, v in entities.items() if v is not None)
    rows: list[dict[str, Any]] = entities[plural][plural]
    return rows


def play(client: TestClient, name: str, body: Any = None) -> dict[str, Any]:
    response = client.post(f"/mock/scenes/{name}", json=body)
    assert response.status_code == 200, response.text
    done: dict[str, Any] = response.json()
    return done


def test_the_scenes_are_listed_with_their_parameters(client):
    listed = client.get("/mock/scenes").json()
    assert [s["name"] for s in listed] == SCENES
    flies = listed[-1]
    assert flies["title"] == "Time flies"
    assert flies["params"] == [{"name": "hours", "kind": "integer",
                                "description": "how far to move the clock, in hours",
                                "default": 1, "minimum": 1, "maximum": 168, "lookup": None,
                                "presets": [1, 24]}]
    assert {p["lookup"] for s in listed for p in s["params"]} >= {
        "Job", "Repository", "CloudFailoverPlan"}
    assert "/scenes/{name}" in client.get("/mock/openapi.json").json()["paths"]


def test_a_job_fails_tonight_once_the_clock_reaches_its_run(client):
    job = "vbr01 Backup Job 2"
    done = play(client, "job-fails", {"job": job, "reason": "The proxy ran out of memory."})
    assert done["job"] == job and done["clock"] == EPOCH
    assert done["reason"] == "Error: The proxy ran out of memory."
    run_at = done["runAt"]
    assert parse(run_at) > parse(EPOCH)
    since = f'JobName=="{job}";CreationTime>={run_at}'
    assert query(client, "BackupJobSession", since) == []
    [entity] = query(client, "Job", f'Name=="{job}"')
    assert parse(entity["NextRun"]) == parse(run_at)

    play(client, "time-flies", {"hours": 24})
    [session] = query(client, "BackupJobSession", since)
    assert session["Result"] == "Failed" and session["State"] == "Stopped"
    assert session["FailureMessage"] == "Error: The proxy ran out of memory."
    assert parse(session["CreationTimeUTC"]) == parse(run_at)
    tasks = query(client, "BackupTaskSession",
                  f'JobSessionUid=={session["UID"]}')
    assert [t["Reason"] for t in tasks if t["Result"] == "Failed"] == [
        "Error: The proxy ran out of memory."]
    # The schedule moved a day on.
    [entity] = query(client, "Job", f'Name=="{job}"')
    assert (parse(entity["NextRun"]) - parse(run_at)).days == 1


def test_time_flies_runs_every_scheduled_job_at_its_time(client):
    jobs = {j["Name"]: j for j in query(client, "Job")}
    busy = {s["JobName"] for s in query(client, "BackupJobSession", "State!=Stopped")}
    end = parse("2026-06-16T12:00:00Z")
    due = {name for name, j in jobs.items() if j["ScheduleEnabled"] and j["NextRun"]
           and parse(EPOCH) < parse(j["NextRun"]) <= end and name not in busy}
    done = play(client, "time-flies", {"hours": 24})
    assert done["hours"] == 24 and done["from"] == EPOCH
    assert client.get("/mock/clock").json()["now"] == "2026-06-16T12:00:00.000Z"
    new = query(client, "BackupJobSession", f"CreationTime>{EPOCH}")
    new += query(client, "ReplicaJobSession", f"CreationTime>{EPOCH}")
    assert new, "no run happened on schedule"
    assert {s["JobName"] for s in new} == due
    assert len(new) == len(due)
    for session in new:
        job = jobs[session["JobName"]]
        assert job["ScheduleEnabled"] is True
        assert parse(session["CreationTimeUTC"]) == parse(job["NextRun"])
        assert session["State"] == "Stopped" and session["Result"] in (
            "Success", "Warning", "Failed")
    # A disabled schedule runs nothing.
    assert all(jobs[s["JobName"]]["ScheduleEnabled"] for s in new)


def test_time_flies_an_hour_moves_the_clock_and_runs_in_flight(client):
    started = play(client, "tenant-fails-over", {"plan": "Tenant01 Failover Plan"})
    session = started["session"]
    [running] = query(client, "CloudFailoverSession", f"UID=={session}")
    assert running["State"] == "Starting" and running["Name"] == "Tenant01 Failover Plan"
    play(client, "time-flies")
    assert client.get("/mock/clock").json()["now"] == "2026-06-15T13:00:00.000Z"
    [ended] = query(client, "CloudFailoverSession", f"UID=={session}")
    assert ended["State"] == "Stopped" and ended["Progress"] == 100


def test_a_running_plan_cannot_fail_over_again(client):
    play(client, "tenant-fails-over", {"plan": "Tenant01 Failover Plan"})
    again = client.post("/mock/scenes/tenant-fails-over", json={"plan": "tenant01 failover plan"})
    assert again.status_code == 400
    assert "is already running" in again.json()["error"]


def test_a_repository_fills_up(client):
    repositories = query(client, "Repository")
    target = repositories[1]
    done = play(client, "repository-fills", {"repository": target["UID"], "percent": 99})
    assert done["repository"] == target["Name"]
    [after] = query(client, "Repository", f"UID=={target['UID']}")
    assert after["Capacity"] == target["Capacity"]
    assert after["FreeSpace"] == target["Capacity"] // 100
    assert after["FreeSpace"] < target["FreeSpace"]


@pytest.mark.parametrize(("name", "body", "status", "text"), [
    ("no-such-scene", {}, 404, "No scene 'no-such-scene'; these can be played: job-fails"),
    ("job-fails", {"job": "No Such Job"}, 404, "No job with VMs is named 'No Such Job'"),
    ("repository-fills", {"repository": "urn:veeam:Repository:0"}, 404, "No repository"),
    ("tenant-fails-over", {"plan": "nope"}, 404, "No cloud failover plan"),
    ("time-flies", {"hours": 0}, 400, "are not valid"),
    ("time-flies", {"hours": "24"}, 400, "are not valid"),
    ("time-flies", {"minutes": 5}, 400, "are not valid"),
    ("time-flies", [24], 400, "must be a JSON object"),
    ("job-fails", {"job": ""}, 400, "are not valid"),
    ("repository-fills", {"percent": 101}, 400, "are not valid"),
])
def test_bad_scenes_and_parameters_are_refused(steady, name, body, status, text):
    client, _auth = steady
    response = client.post(f"/mock/scenes/{name}", json=body)
    assert response.status_code == status, response.text
    assert text in response.json()["error"]
    assert client.get("/mock/clock").json()["now"] == EPOCH


def test_a_body_that_is_not_json_is_400(steady):
    client, _auth = steady
    response = client.post("/mock/scenes/time-flies", content=b"{hours: 1",
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"] == "The request is not valid."


def test_the_clock_range_bounds_time_flies(client):
    client.post("/mock/clock", json={"action": "set", "instant": "9998-12-31T20:00:00Z"})
    response = client.post("/mock/scenes/time-flies", json={"hours": 24})
    assert response.status_code == 400
    assert "The clock was not moved" in response.json()["error"]


@pytest.fixture(scope="module")
def scene_client() -> Iterator[TestClient]:
    with app_client() as client:
        yield client


_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                    st.text(max_size=12), st.floats(allow_nan=False),
                    st.lists(st.integers(), max_size=2))
_KEYS = st.sampled_from(["job", "reason", "repository", "percent", "plan", "hours", "x"])
_BODIES = st.one_of(st.dictionaries(_KEYS, _VALUES, max_size=3), _VALUES)


def _valid(scene: dict[str, Any], body: Any) -> bool:
    if body is None:
        return True
    if not isinstance(body, dict):
        return False
    params = {p["name"]: p for p in scene["params"]}
    for key, value in body.items():
        if key not in params:
            return False
        param = params[key]
        if value is None:
            continue
        if param["kind"] == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                return False
            if not param["minimum"] <= value <= param["maximum"]:
                return False
        elif not isinstance(value, str) or not value.strip():
            return False
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(SCENES), body=_BODIES)
@example(name="job-fails", body={"job": float("inf")})
@example(name="time-flies", body={"hours": float("nan")})
def test_any_parameter_body_is_played_or_refused_with_reasons(scene_client, name, body):
    client = scene_client
    scene = next(s for s in client.get("/mock/scenes").json() if s["name"] == name)
    before = client.get("/mock/clock").json()["now"]
    # Written by hand: json.dumps writes what a strict encoder refuses (Infinity, NaN), and
    # the server must refuse it too, with reasons.
    response = client.post(f"/mock/scenes/{name}", content=json.dumps(body),
                           headers={"Content-Type": "application/json"})
    if _valid(scene, body):
        assert response.status_code in (200, 400, 404), response.text
        if response.status_code != 200:
            assert "are not valid" not in response.json()["error"]
    else:
        assert response.status_code == 400, response.text
        reply = response.json()
        assert reply["error"] and isinstance(reply["errors"], list)
        assert client.get("/mock/clock").json()["now"] == before
