"""pytest fixtures for testing your own Enterprise Manager client against em-mock.

Installed with em-mock and loaded by pytest automatically (entry point ``pytest11``):

- ``em_mock_url``: the base URL (``http://127.0.0.1:<port>``) of a live em-mock that
  runs for the whole test session and is reset before each test;
- ``em_mock``: a handle on that server to move its clock, add faults and read its
  journal (also reset before each test);
- ``em_mock_client``: an in-process client (no network) of a fresh em-mock per test;
- ``em_mock_settings``: the settings both use; override it to change them.
"""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.request
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from em_mock.settings import Settings


class EmMock:
    """A handle on a live em-mock: its URL and its control API."""

    def __init__(self, url: str, token: str | None = None) -> None:
        self.url = url
        self.token = token

    def control(self, method: str, path: str, body: Any = None) -> Any:
        """Call ``/mock/<path>`` and return the decoded JSON answer (``None`` for 204)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}/mock/{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("X-Mock-Token", self.token)
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
        return json.loads(text) if text else None

    def reset(self) -> None:
        """Back to the start-up baseline."""
        self.control("POST", "reset")

    def advance(self, seconds: float) -> None:
        """Move the mock's clock forward by ``seconds``."""
        self.control("POST", "clock", {"action": "advance", "seconds": seconds})

    def set_clock(self, instant: str) -> None:
        """Jump the clock to a UTC instant such as ``2026-06-15T12:00:00Z``."""
        self.control("POST", "clock", {"action": "set", "instant": instant})

    def now(self) -> str:
        """The mock's current time."""
        return str(self.control("GET", "clock")["now"])

    def add_fault(self, **rule: Any) -> dict[str, Any]:
        """Add a fault rule (keys as in ``POST /mock/faults``)."""
        created: dict[str, Any] = self.control("POST", "faults", rule)
        return created

    def requests(self) -> list[dict[str, Any]]:
        """The request journal, newest first."""
        entries: list[dict[str, Any]] = self.control("GET", "requests")
        return entries


class _ThreadServer:
    """em-mock served by uvicorn in a background thread on a free loopback port."""

    def __init__(self, settings: Settings) -> None:
        import uvicorn

        from em_mock.cli import bind
        from em_mock.factory import create_app
        from em_mock.infra.server import server_options

        self.sock = bind(settings.host, settings.port)
        host, port = self.sock.getsockname()[:2]
        self.url = f"http://{host}:{port}"
        config = uvicorn.Config(create_app(settings), **server_options(settings),
                                log_level="warning", access_log=False, server_header=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self._run, name="em-mock", daemon=True)
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("em-mock did not start; see the log above")
            self.thread.join(0.01)

    def _run(self) -> None:
        asyncio.run(self.server.serve(sockets=[self.sock]))

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="session")
def em_mock_settings() -> Settings:
    """Settings for the em-mock fixtures: default data, a clock that stands still."""
    from em_mock.settings import Settings

    return Settings(port=0, frozen_clock=True)


@pytest.fixture(scope="session")
def _em_mock_server(em_mock_settings: Settings) -> Iterator[EmMock]:
    server = _ThreadServer(em_mock_settings)
    yield EmMock(server.url, em_mock_settings.control_token)
    server.stop()


@pytest.fixture
def em_mock(_em_mock_server: EmMock) -> EmMock:
    """The live em-mock, reset to its baseline before the test."""
    _em_mock_server.reset()
    return _em_mock_server


@pytest.fixture
def em_mock_url(em_mock: EmMock) -> str:
    """Base URL of the live em-mock (reset before the test); the API is under ``/api/``."""
    return em_mock.url


@pytest.fixture
def em_mock_client(em_mock_settings: Settings) -> Iterator[TestClient]:
    """An in-process client of a fresh em-mock; ``client.app.state.runtime`` is its state."""
    from fastapi.testclient import TestClient

    from em_mock.factory import create_app

    with TestClient(create_app(em_mock_settings), base_url="http://testserver") as client:
        yield client
