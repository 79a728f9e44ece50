"""One app on the default data for a module's read-only tests (building a runtime per
test costs more than the requests)."""

from __future__ import annotations

import pickle
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from em_mock import Settings, create_app
from em_mock.core.runtime import Runtime
from tests.conftest import EPOCH_MS
from tests.helpers import logon


@pytest.fixture(scope="module")
def shared_app(_default_data_blob: bytes) -> Iterator[tuple[TestClient, Runtime]]:
    rt = Runtime.create(Settings(epoch=EPOCH_MS, frozen_clock=True),
                        data=pickle.loads(_default_data_blob))
    with TestClient(create_app(runtime=rt), base_url="http://testserver") as c:
        yield c, rt


@pytest.fixture
def reader(shared_app: tuple[TestClient, Runtime]) -> tuple[TestClient, dict[str, str]]:
    """``(client, auth)`` on the shared app: for tests that change nothing."""
    client, _ = shared_app
    return client, {"X-RestSvcSessionId": logon(client)}
