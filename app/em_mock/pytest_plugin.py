"""pytest fixtures for testing your own Enterprise Manager client against em-mock.

Installed with em-mock and loaded by pytest automatically (entry point ``pytest11``):

- ``em_mock_url``: the base URL (``http://127.0.0.1:<port>``) of a live em-mock that
  runs for the whole test session and is reset before each test;
- ``em_mock``: a handle on that server to move its clock, add faults and read its
  journal (also reset before each test);
- ``em_mock_client``: an in-process client (no network) of a fresh em-mock per test;
- ``em_mock_settings``: the settings both use; override it to change them.

``pip install 'em-mock[pytest]'`` brings what they need (pytest and httpx). The plugin
adds no warning to a suite run with ``-W error``: the in-process client is an
``httpx.Client`` on a small transport of its own, not Starlette's test client.
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
    import httpx
    from starlette.types import ASGIApp

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
        from em_mock.core.server import server_options
        from em_mock.factory import create_app

        self.sock = bind(settings.host, settings.port)
        host, port = self.sock.getsockname()[:2]
        self.url = f"http://{host}:{port}"
        # log_config=None: leave the user's logging set-up alone. server_options turns
        # WebSocket off (em-mock serves none), so no WebSocket library is imported either,
        # and leaves the Date header to the app (the mock's clock).
        config = uvicorn.Config(create_app(settings), **server_options(settings),
                                log_level="warning", log_config=None, access_log=False,
                                lifespan="off")
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


def in_process_client(app: ASGIApp, base_url: str = "http://testserver") -> httpx.Client:
    """A synchronous ``httpx.Client`` that calls ``app`` in this process, no network.

    The app runs on an event loop of its own in a background thread; each request is
    handed to ``httpx.ASGITransport`` there and its whole answer read back. The client's
    ``app`` attribute is the app; closing the client stops the loop.
    """
    try:
        import httpx
    except ImportError:  # pragma: no cover - depends on what the user installed
        raise pytest.UsageError("em_mock_client needs httpx: pip install 'em-mock[pytest]'"
                                ) from None

    class Transport(httpx.BaseTransport):
        def __init__(self) -> None:
            self.inner = httpx.ASGITransport(app=app)
            self.loop = asyncio.new_event_loop()
            self.thread = threading.Thread(target=self.loop.run_forever,
                                           name="em-mock-client", daemon=True)
            self.thread.start()

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            body = request.read()

            async def call() -> httpx.Response:
                forwarded = httpx.Request(request.method, request.url,
                                          headers=request.headers, content=body,
                                          extensions=request.extensions)
                answer = await self.inner.handle_async_request(forwarded)
                content = await answer.aread()
                return httpx.Response(answer.status_code, headers=answer.headers,
                                      content=content, extensions=answer.extensions)

            return asyncio.run_coroutine_threadsafe(call(), self.loop).result()

        def close(self) -> None:
            if self.loop.is_closed():
                return
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop.close()

    client = httpx.Client(transport=Transport(), base_url=base_url)
    client.app = app  # type: ignore[attr-defined]
    return client


@pytest.fixture
def em_mock_client(em_mock_settings: Settings) -> Iterator[httpx.Client]:
    """An in-process ``httpx.Client`` of a fresh em-mock; ``client.app.state.runtime`` is
    its state."""
    from em_mock.factory import create_app

    with in_process_client(create_app(em_mock_settings)) as client:
        yield client
