"""The caches of rendered bytes never serve what a fresh render would not.

Random sequences of data edits (control API), whole-state replacement, reseeding, plan
and job actions, clock moves, logon and logoff run against one app; after every step
each answer of an EM read (queries and collection lists, XML and JSON, several Host
headers, both profiles) is taken twice: through the caches, then with every rendering
cache off (a fresh :class:`RenderCache` of size 0 swapped in for the one call). The two
must be equal byte for byte, status and headers included. The clock only moves when the
sequence moves it (frozen), so both renders see the same instant.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from em_mock import Settings, create_app
from em_mock.core.render import RenderCache
from em_mock.core.runtime import Runtime
from tests.conftest import EPOCH_MS
from tests.control.support import XML_BODY, XML_SPEC, fresh_runtime

HOSTS = ("testserver", "em.example.local:9399", "10.1.2.3")
ACCEPTS = ("application/json", "application/xml")
QUERIES = (
    "type=CloudFailoverSession&format=Entities&sortDesc=CreationTime&filter=Result==failed",
    "type=CloudFailoverSession&format=References&sortAsc=Name&pageSize=7&page=2",
    "type=CloudFailoverSession&format=Entities&filter=State==Working",
    "type=CloudFailoverPlan&format=Entities",
    "type=BackupServer&format=Entities&sortAsc=Name",
    "type=Job&format=Entities",
    "type=BackupJobSession&format=Entities&sortDesc=CreationTime&pageSize=5",
    "type=BackupTaskSession&format=References&pageSize=3",
)
COLLECTIONS = (
    "backupServers", "backupServers?format=Entity", "jobs?format=Entity", "backupSessions",
    "backupSessions?format=Entity", "cloud/cloudFailoverPlans?format=Entity",
    "cloud/failoverSessions", "cloud/failoverSessions?format=Entity",
    "replicaSessions?format=Entity", "backupTaskSessions",
)

read = st.tuples(
    st.sampled_from([f"/api/query?{q}" for q in QUERIES] + [f"/api/{c}" for c in COLLECTIONS]),
    st.sampled_from(ACCEPTS), st.sampled_from(HOSTS))
step = st.one_of(
    st.tuples(st.just("read"), read),
    st.tuples(st.just("add server"), st.integers(0, 99)),
    st.tuples(st.just("rename plan"), st.integers(0, 99)),
    st.tuples(st.just("delete session"), st.integers(0, 99)),
    st.tuples(st.just("put state"), st.booleans()),
    st.tuples(st.just("seed"), st.integers(1, 3)),
    st.tuples(st.just("plan action"), st.tuples(st.integers(0, 99),
                                                 st.sampled_from(["start", "test", "undo"]))),
    st.tuples(st.just("job action"), st.tuples(st.integers(0, 99),
                                                st.sampled_from(["start", "stop", "retry"]))),
    st.tuples(st.just("clock"), st.sampled_from([1, 3, 30, 600, 86_400, 31 * 86_400])),
    st.tuples(st.just("logon"), st.booleans()),
)


def _pick(items: list[Any], index: int) -> Any:
    return items[index % len(items)] if items else None


class Pair:
    """One app, read twice per request: with its caches, and with every cache off."""

    def __init__(self, em_version: int) -> None:
        # Logon sessions outlive every clock move, so a read never meets an expiry that
        # the first of its two requests caused.
        # One backup server: every family's data on it, a third of the default's bulk.
        settings_ = Settings(epoch=EPOCH_MS, frozen_clock=True, sessions=60, failover_plans=4,
                             backup_servers=1,
                             em_version=em_version, session_timeout=1e9)
        self.rt: Runtime = fresh_runtime(settings_)
        self.client = TestClient(create_app(runtime=self.rt), base_url="http://testserver")
        self.token = self.logon()

    def logon(self) -> str:
        answer = self.client.post("/api/sessionMngr/?v=latest", auth=("veeam", "veeam"))
        assert answer.status_code == 201
        return answer.headers["X-RestSvcSessionId"]

    def read(self, path: str, accept: str, host: str) -> None:
        headers = {"Accept": accept, "Host": host, "X-RestSvcSessionId": self.token}
        cached = self.client.get(path, headers=headers)
        kept = self.rt.render
        self.rt.render = RenderCache(0, 0)
        try:
            fresh = self.client.get(path, headers=headers)
        finally:
            self.rt.render = kept
        assert cached.status_code == fresh.status_code, (path, accept, host)
        assert cached.headers == fresh.headers, (path, accept, host)
        assert cached.content == fresh.content, (path, accept, host)

    def state(self) -> dict[str, Any]:
        document: dict[str, Any] = self.client.get("/mock/state").json()
        return document

    def items(self, section: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.state().get(section) or []
        return found

    def ids(self, path: str) -> list[str]:
        answer = self.client.get(f"/api/{path}", headers={
            "Accept": "application/json", "X-RestSvcSessionId": self.token})
        if answer.status_code != 200:
            return []
        refs = answer.json().get("Refs") or []
        return [str(ref["UID"]).rsplit(":", 1)[-1] for ref in refs]

    def apply(self, kind: str, arg: Any) -> None:
        c = self.client
        if kind == "read":
            self.read(*arg)
        elif kind == "add server":
            c.post("/mock/data/backupServers", json={"Name": f"vbr{arg}.example.local"})
        elif kind == "rename plan":
            plan = _pick(self.items("FailoverPlans"), arg)
            if plan is not None:
                c.put(f"/mock/data/failoverPlans/{plan['UID']}",
                      json={**{k: v for k, v in plan.items() if k != "UID"},
                            "Name": f"renamed {arg}"})
        elif kind == "delete session":
            session = _pick(self.items("FailoverSessions"), arg)
            if session is not None:
                c.delete(f"/mock/data/failoverSessions/{session['UID']}")
        elif kind == "put state":
            document = self.state()
            if arg:
                for server in document.get("BackupServers") or []:
                    server["Name"] = server["Name"] + "-x"
            c.put("/mock/state", json=document)
        elif kind == "seed":
            c.post("/mock/seed", json={"seed": arg, "backupServers": 1, "failoverPlans": 3,
                                       "sessions": 40})
        elif kind == "plan action":
            index, action = arg
            plan = _pick(self.ids("cloud/cloudFailoverPlans"), index)
            if plan is not None:
                c.post(f"/api/cloud/cloudFailoverPlans/{plan}?action={action}",
                       content=XML_SPEC, headers={**XML_BODY, "X-RestSvcSessionId": self.token})
        elif kind == "job action":
            index, action = arg
            job = _pick(self.ids("jobs"), index)
            if job is not None:
                c.post(f"/api/jobs/{job}?action={action}",
                       headers={"X-RestSvcSessionId": self.token})
        elif kind == "clock":
            c.post("/mock/clock", json={"action": "advance", "seconds": arg})
        elif kind == "logon":
            if arg:
                c.delete(f"/api/logonSessions/{self.token}",
                         headers={"X-RestSvcSessionId": self.token})
            self.token = self.logon()


@pytest.mark.parametrize("em_version", [12, 13])
def test_cached_answers_equal_fresh_renders(em_version: int) -> None:
    @settings(max_examples=10, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(step, min_size=1, max_size=10), st.lists(read, min_size=2, max_size=5))
    def run(steps: list[tuple[str, Any]], reads: list[tuple[str, str, str]]) -> None:
        pair = Pair(em_version)
        with pair.client:
            for path, accept, host in reads:  # warm the caches on the first version
                pair.read(path, accept, host)
            for kind, arg in steps:
                pair.apply(kind, arg)
                for path, accept, host in reads:  # the same reads after every step
                    pair.read(path, accept, host)

    run()
