"""The ``AgentJobs`` and ``AgentJobSessions`` fixture sections: they round-trip, carry a
run in flight across an export, and name what is wrong in a bad file."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from em_mock import Settings, create_app
from em_mock.core.fixtures import FixtureError, dumps, load_documents
from em_mock.core.generate import Sizes, generate
from em_mock.core.runtime import Runtime
from em_mock.families.agents.model import AGENT_JOBS
from em_mock.families.jobs.model import JOB_SESSIONS
from em_mock.families.jobs.runs import JOB_RUNS
from tests.conftest import EPOCH_MS
from tests.helpers import logon

SMALL = Sizes(backup_servers=1, failover_plans=2, sessions=10)


@pytest.fixture(scope="module")
def exported() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(dumps(generate(3, SMALL, EPOCH_MS)))
    return data


def test_agent_sections_round_trip_and_hold_every_agent_session(exported):
    assert exported["AgentJobs"] and exported["AgentJobSessions"]
    agent_jobs = {j["UID"] for j in exported["AgentJobs"]}
    assert {s["JobUid"].replace(":Job:", ":AgentBackupJob:")
            for s in exported["AgentJobSessions"]} <= agent_jobs
    assert all(s["JobType"] == "AgentBackup" for s in exported["AgentJobSessions"])
    assert all(s["JobType"] != "AgentBackup" for s in exported["JobSessions"])
    data = load_documents([("export", exported)], EPOCH_MS)
    assert json.loads(dumps(data)) == exported


def test_a_started_agent_run_survives_an_export(exported):
    rt = Runtime.create(Settings(epoch=EPOCH_MS, frozen_clock=True),
                        data=load_documents([("export", exported)], EPOCH_MS))
    job = next(iter(AGENT_JOBS.of(rt.store.data).values()))
    with TestClient(create_app(runtime=rt), base_url="http://testserver") as client:
        auth = {"X-RestSvcSessionId": logon(client)}
        assert client.post(f"/api/agents/jobs/{job.id}?action=start",
                           headers=auth).status_code == 202
    again = json.loads(dumps(rt.store.data))
    [running] = [s for s in again["AgentJobSessions"] if s.get("Run")]
    session_id = running["UID"].rpartition(":")[2]
    reloaded = load_documents([("export", again)], EPOCH_MS)
    assert list(JOB_RUNS.of(reloaded)) == [session_id]
    assert JOB_SESSIONS.of(reloaded)[session_id].job.name == job.name
    assert json.loads(dumps(reloaded)) == again


@pytest.mark.parametrize("mutate,where", [
    (lambda d: d["AgentJobs"][0]["Computers"][0].update(ComputerUid="urn:veeam:Discovered"
                                                        "Computer:" + "1" * 32),
     "$.AgentJobs[0].Computers[0].ComputerUid"),
    (lambda d: d["AgentJobs"][0].update(ProtectionGroupUid="nope"),
     "$.AgentJobs[0].ProtectionGroupUid"),
    (lambda d: d["AgentJobs"][0].update(Platform="VMware"), "$.AgentJobs[0].Platform"),
    (lambda d: d["AgentJobSessions"][0].update(JobUid=d["Jobs"][0]["UID"]),
     "$.AgentJobSessions[0].JobUid"),
    (lambda d: d["AgentJobSessions"][0].update(State="Exploded"),
     "$.AgentJobSessions[0].State"),
])
def test_bad_agent_items_are_named_in_the_error(exported, mutate, where):
    doc = json.loads(json.dumps(exported))
    mutate(doc)
    with pytest.raises(FixtureError) as info:
        load_documents([("bad.json", doc)], EPOCH_MS)
    assert any(where in e for e in info.value.errors), info.value.errors
