"""Runs in flight survive an export and a restart, and come back as old as they were.

A plan run and a job run started through actions are exported (``GET /mock/state``) after
the clock was moved, then served by a new app from that file on another clock: they
continue where they were, finish, and the plan can be started again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from em_mock import Settings, create_app
from em_mock.core.runtime import Runtime
from tests.conftest import EPOCH_MS
from tests.control.support import EPOCH_DT, guid, idle_plans, move_clock, parse, state
from tests.helpers import JSON, logon

PLANS = "/api/cloud/cloudFailoverPlans"
DAY = 86_400
# The second server starts 40 days after the first, as an unpinned restart would.
LATER_MS = EPOCH_MS + 40 * DAY * 1000


@contextmanager
def _served(path: Path, start_ms: int) -> Iterator[TestClient]:
    settings = Settings(fixtures=path, epoch=start_ms, frozen_clock=True)
    with TestClient(create_app(runtime=Runtime.create(settings)),
                    base_url="http://testserver") as client:
        yield client


def _entity(client: TestClient, auth: dict[str, str], path: str) -> dict[str, Any]:
    response = client.get(f"{path}?format=Entity", headers={**auth, **JSON})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _related(client: TestClient, auth: dict[str, str], task_id: str) -> str:
    """The path of the session a finished ``Task`` links to."""
    task = _entity(client, auth, f"/api/tasks/{task_id}")
    assert task["State"] == "Finished", task
    href = next(link["Href"] for link in task["Links"] if link["Rel"] == "Related")
    return "/api/" + str(href).split("/api/", 1)[1].split("?", 1)[0]


def _idle_job(client: TestClient, auth: dict[str, str]) -> str:
    """The id of a backup job of the second server (none of its jobs is running)."""
    response = client.get("/api/query", params={
        "type": "Job", "format": "Entities", "filter": 'Name=="vbr02 Backup Job 1"'},
        headers={**auth, **JSON})
    jobs = response.json()["Entities"]["Jobs"]["Jobs"]
    return guid(jobs[0]["UID"])


def _start_runs(client: TestClient, tmp_path: Path, later_s: int
                ) -> tuple[Path, str, str, str, int]:
    """Start a plan and a job, move the clock 25 s, then ``later_s`` more, and export.

    Returns the exported file, the plan id, the paths of the failover session and the job
    session, and the failover session's progress 25 s after its start.
    """
    auth = {"X-RestSvcSessionId": logon(client)}
    plan = guid(idle_plans(client)[0]["UID"])
    task = client.post(f"{PLANS}/{plan}?action=start", headers={**auth, **JSON},
                       json={"StartNow": True})
    assert task.status_code == 202, task.text
    job = client.post(f"/api/jobs/{_idle_job(client, auth)}?action=start",
                      headers={**auth, **JSON})
    assert job.status_code == 202, job.text
    move_clock(client, action="advance", seconds=25)
    session_path = _related(client, auth, task.json()["TaskId"])
    job_path = _related(client, auth, job.json()["TaskId"])
    at_25s = _entity(client, auth, session_path)
    assert at_25s["State"] == "Working" and 5 < at_25s["Progress"] < 95
    assert _entity(client, auth, job_path)["State"] == "Working"
    if later_s:
        move_clock(client, action="advance", seconds=later_s)
    exported = tmp_path / "exported.json"
    exported.write_text(json.dumps(state(client)), encoding="utf-8")
    return exported, plan, session_path, job_path, at_25s["Progress"]


def test_a_running_plan_session_continues_after_a_restart(client, tmp_path):
    exported, plan, session_path, _, progress = _start_runs(client, tmp_path, 0)
    doc = json.loads(exported.read_text(encoding="utf-8"))
    running = [s for s in doc["CloudFailoverSessions"] if "Run" in s]
    assert len(running) == 1 and running[0]["State"] == "Working"
    assert set(running[0]["Run"]) == {"Outcome", "FailureMessage", "Culprit"}
    with _served(exported, LATER_MS) as again:
        auth = {"X-RestSvcSessionId": logon(again)}
        resumed = _entity(again, auth, session_path)
        assert (resumed["State"], resumed["Progress"], resumed["EndTimeUTC"]) == \
            ("Working", progress, None)
        move_clock(again, action="advance", seconds=5)
        assert _entity(again, auth, session_path)["Progress"] > progress
        move_clock(again, action="advance", seconds=600)
        finished = _entity(again, auth, session_path)
        assert finished["State"] == "Stopped" and finished["Progress"] == 100
        assert finished["Result"] in ("Success", "Warning", "Failed")
        assert parse(finished["EndTimeUTC"]) > parse(finished["CreationTimeUTC"])
        # The plan is free again.
        restarted = again.post(f"{PLANS}/{plan}?action=start", headers={**auth, **JSON},
                               json={"StartNow": True})
        assert restarted.status_code == 202, restarted.text


def test_a_running_job_session_continues_after_a_restart(client, tmp_path):
    exported, _, _, job_path, _ = _start_runs(client, tmp_path, 0)
    doc = json.loads(exported.read_text(encoding="utf-8"))
    running = [s for s in doc["JobSessions"] if "Run" in s]
    assert len(running) == 1 and set(running[0]["Run"]) == {"Outcome", "Reason", "Culprit"}
    with _served(exported, LATER_MS) as again:
        auth = {"X-RestSvcSessionId": logon(again)}
        assert _entity(again, auth, job_path)["State"] == "Working"
        move_clock(again, action="advance", seconds=600)
        finished = _entity(again, auth, job_path)
        assert finished["State"] == "Stopped" and finished["Result"] != "None"
        tasks = again.get(f"{job_path}/taskSessions?format=Entity", headers={**auth, **JSON})
        assert {t["State"] for t in tasks.json()["BackupTaskSessions"]} == {"Completed"}


def test_the_export_anchor_is_the_clock_now_so_nothing_comes_back_in_the_future(
        client, tmp_path):
    exported, _, session_path, _, _ = _start_runs(client, tmp_path, 2 * DAY)
    doc = json.loads(exported.read_text(encoding="utf-8"))
    moved = EPOCH_DT + timedelta(seconds=2 * DAY + 25)
    assert parse(doc["Anchor"]) == moved
    with _served(exported, LATER_MS) as again:
        auth = {"X-RestSvcSessionId": logon(again)}
        later = parse(again.get("/mock/clock").json()["now"])
        session = _entity(again, auth, session_path)
        # Started 2 days and 25 s before the export: as old after the restart.
        assert parse(session["CreationTimeUTC"]) == later - timedelta(seconds=2 * DAY + 25)
        newest = again.get("/api/query", params={
            "type": "CloudFailoverSession", "format": "Entities", "sortDesc": "CreationTime",
            "pageSize": "1"}, headers={**auth, **JSON}).json()
        first = newest["Entities"]["CloudFailoverSessions"]["CloudFailoverSessions"][0]
        assert parse(first["CreationTimeUTC"]) <= later
        # Two days on, the run is long over.
        assert (session["State"], session["Progress"]) == ("Stopped", 100)


def test_state_put_back_at_a_moved_clock_is_the_same_bytes(client, tmp_path):
    """GET, PUT and GET again after the clock moved, with a run in flight: identical."""
    auth = {"X-RestSvcSessionId": logon(client)}
    plan = guid(idle_plans(client)[0]["UID"])
    client.post(f"{PLANS}/{plan}?action=start", headers={**auth, **JSON},
                json={"StartNow": True})
    move_clock(client, action="advance", seconds=3 * DAY)
    auth = {"X-RestSvcSessionId": logon(client)}  # the first logon session has expired
    again = client.post(f"{PLANS}/{plan}?action=start", headers={**auth, **JSON},
                        json={"StartNow": True})
    assert again.status_code == 202, again.text
    move_clock(client, action="advance", seconds=20)
    first = client.get("/mock/state").content
    assert client.put("/mock/state", content=first,
                      headers={"Content-Type": "application/json"}).status_code == 200
    assert client.get("/mock/state").content == first
    assert sum("Run" in s for s in json.loads(first)["CloudFailoverSessions"]) == 1
