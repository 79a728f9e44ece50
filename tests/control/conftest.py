"""Faster runtimes for the control tests.

``Runtime.create`` parses and validates the default fixture file (a few MB) for every
test. Here the data set it would build is built once per settings and each test gets
its own unpickled copy, handed to ``Runtime.create(settings, data=...)``; everything
else (clock, logon sessions, simulation, faults, journal, and ``reset``, which still
rebuilds from the settings) is the real thing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from em_mock import Settings
from em_mock.core.runtime import Runtime
from tests.conftest import EPOCH
from tests.control.support import app_client, fresh_runtime
from tests.helpers import logon


@pytest.fixture
def runtime(settings: Settings) -> Runtime:
    return fresh_runtime(settings)


@pytest.fixture(scope="module")
def shared_client() -> Iterator[TestClient]:
    """One app for a module's tests whose requests should change nothing."""
    with app_client() as client:
        yield client


@pytest.fixture
def steady(shared_client: TestClient) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """``(client, auth)`` on the shared app, for tests of refused requests.

    Whatever such a test changed anyway (a defect) is undone afterwards, so one failure
    does not spill into the next test.
    """
    client = shared_client
    yield client, {"X-RestSvcSessionId": logon(client)}
    client.delete("/mock/faults")
    ready = client.get("/mock/ready").json()
    if ready["clock"] != EPOCH or ready["failoverSessions"] != 500 or \
            ready["backupServers"] != 3 or ready["failoverPlans"] != 12:
        client.post("/mock/reset")
