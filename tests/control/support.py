"""Helpers shared by the control-API tests: extra apps, the clock, snapshots of EM answers."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from em_mock import Settings, create_app
from em_mock.core.clock import Clock
from em_mock.core.runtime import Runtime, build_data
from tests.conftest import EPOCH_MS
from tests.helpers import JSON

EPOCH_DT = datetime.fromtimestamp(EPOCH_MS / 1000, UTC)
XML_SPEC = (b'<CloudFailoverPlanManagementSpec xmlns="http://www.veeam.com/ent/v1.0">'
            b"<StartNow>true</StartNow></CloudFailoverPlanManagementSpec>")
XML_BODY = {"Content-Type": "application/xml"}


_BUILT: dict[tuple[Any, ...], bytes] = {}


def fresh_runtime(settings: Settings) -> Runtime:
    """``Runtime.create(settings)`` with the data set built once per data settings."""
    clock = Clock(settings.epoch, frozen=settings.frozen_clock)
    key = (settings.fixtures, settings.seed, settings.backup_servers, settings.failover_plans,
           settings.sessions, clock.start_ms)
    if settings.epoch is None:
        return Runtime.create(settings, clock=clock)
    if key not in _BUILT:
        _BUILT[key] = pickle.dumps(build_data(settings, clock.start_ms))
    return Runtime.create(settings, clock=clock, data=pickle.loads(_BUILT[key]))


@contextmanager
def app_client(**options: Any) -> Iterator[TestClient]:
    """An in-process client of an app on a pinned, frozen clock with extra settings."""
    settings = Settings(epoch=EPOCH_MS, frozen_clock=True, **options)
    app = create_app(runtime=fresh_runtime(settings))
    with TestClient(app, base_url="http://testserver") as client:
        yield client


def iso(moment: datetime) -> str:
    """A UTC instant as the control API accepts it, with milliseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{moment.microsecond // 1000:03d}Z"


def parse(text: str) -> datetime:
    """An EM date-time (``...Z``, 0-3 fractional digits) as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def at(seconds: float) -> str:
    """The instant ``seconds`` after the pinned epoch."""
    return iso(EPOCH_DT + timedelta(seconds=seconds))


def move_clock(client: TestClient, **change: Any) -> dict[str, Any]:
    """POST /mock/clock and return the clock it reports."""
    response = client.post("/mock/clock", json=change)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def snapshot(client: TestClient, auth: dict[str, str], session_id: str) -> dict[str, bytes]:
    """Raw bodies of a set of EM answers, in XML and in JSON."""
    urls = [
        "/api/query?type=CloudFailoverSession&format=Entities&sortDesc=CreationTime&pageSize=60",
        "/api/query?type=CloudFailoverSession&filter=Result==Failed&pageSize=25&page=2",
        "/api/query?type=BackupServer&format=Entities",
        "/api/query?type=CloudFailoverPlan&format=Entities",
        f"/api/cloud/failoverSessions/{session_id}?format=Entity",
        f"/api/cloud/failoverSessions/{session_id}",
        "/api/cloud/failoverSessions",
        "/api/backupServers?format=Entity",
        "/api/cloud/cloudFailoverPlans?format=Entity",
    ]
    out = {}
    for url in urls:
        for label, extra in (("xml", {}), ("json", JSON)):
            response = client.get(url, headers={**auth, **extra})
            assert response.status_code == 200, (url, response.text)
            out[f"{label} {url}"] = response.content
    return out


def state(client: TestClient) -> dict[str, Any]:
    """GET /mock/state."""
    response = client.get("/mock/state")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def guid(uid: str) -> str:
    """The bare GUID of a URN."""
    return uid.rsplit(":", 1)[-1]


_IDLE: list[dict[str, Any]] = []


def idle_plans(client: TestClient) -> list[dict[str, Any]]:
    """Fixture items of the default data's plans that have no running session.

    Read once through GET /mock/state of the default data (every test app starts from
    the same data), then copied for each caller.
    """
    if not _IDLE:
        doc = state(client)
        busy = {s["CloudFailoverPlanUid"] for s in doc["CloudFailoverSessions"]
                if s["State"] != "Stopped"}
        _IDLE.extend(p for p in doc["CloudFailoverPlans"] if p["UID"] not in busy)
    return copy.deepcopy(_IDLE)
