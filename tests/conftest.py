"""Shared fixtures: an in-process app on a frozen clock, and a live uvicorn server."""

from __future__ import annotations

import os
import pickle
import queue
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from em_mock import Settings, create_app
from em_mock.core.runtime import Runtime, build_data
from em_mock.core.times import parse_instant_ms
from tests.helpers import logon

ROOT = Path(__file__).resolve().parent.parent
EPOCH = "2026-06-15T12:00:00.000Z"  # as the control API writes it
EPOCH_MS = parse_instant_ms(EPOCH)
assert EPOCH_MS is not None


@pytest.fixture
def settings() -> Settings:
    """Default data on a clock pinned at ``EPOCH`` and standing still."""
    return Settings(epoch=EPOCH_MS, frozen_clock=True)


@pytest.fixture(scope="session")
def _default_data_blob() -> bytes:
    """The default data set at ``EPOCH``, pickled once: unpickling beats reloading the file."""
    defaults = Settings(epoch=EPOCH_MS, frozen_clock=True)
    return pickle.dumps(build_data(defaults, EPOCH_MS))


@pytest.fixture
def runtime(settings: Settings, _default_data_blob: bytes) -> Runtime:
    """A fresh runtime on ``settings``; the default data comes from the session's copy."""
    if settings.fixtures is None and not settings.generated and settings.epoch == EPOCH_MS:
        return Runtime.create(settings, data=pickle.loads(_default_data_blob))
    return Runtime.create(settings)


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    """An in-process client of the app."""
    with TestClient(create_app(runtime=runtime), base_url="http://testserver") as c:
        yield c


@pytest.fixture
def token(client: TestClient) -> str:
    """A fresh logon session's token for the default user."""
    return logon(client)


@pytest.fixture
def auth(token: str) -> dict[str, str]:
    """Headers that carry ``token``."""
    return {"X-RestSvcSessionId": token}


READY_PREFIX = "em-mock ready:"
# One directory per test worker, so parallel workers never write the certificate at once.
TLS_DIR = Path(tempfile.gettempdir()) / (
    "em-mock-tests-tls-" + os.environ.get("PYTEST_XDIST_WORKER", "main"))


class LiveServer:
    """A real ``em-mock`` process on free loopback ports (HTTP and HTTPS).

    Its output is read all along by a thread (kept in ``lines``), so a chatty server
    never blocks on a full pipe; ``ready`` is its ready line, ``urls`` maps each scheme
    it serves to its base URL.
    """

    def __init__(self, *args: str, tls_dir: Path = TLS_DIR) -> None:
        cmd = [sys.executable, "-m", "em_mock", "--port", "0", "--https-port", "0",
               "--epoch", EPOCH, "--tls-dir", str(tls_dir), *args]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        found: queue.Queue[str | None] = queue.Queue()

        def pump() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                self.lines.append(line)
                if line.startswith(READY_PREFIX):
                    found.put(line)
            found.put(None)

        self._pumper = threading.Thread(target=pump, daemon=True)
        self._pumper.start()
        try:
            ready = found.get(timeout=30)
        except queue.Empty:
            ready = None
        if ready is None:
            self.stop()
            raise RuntimeError("em-mock did not start:\n" + "".join(self.lines))
        self.ready = ready.strip()
        self.urls = {scheme: f"{scheme}://{where}"
                     for scheme, where in re.findall(r"(https?)://(\S+?)/api/", self.ready)}

    @property
    def url(self) -> str:
        """The HTTP base URL (``http://127.0.0.1:<port>``)."""
        return self.urls["http"]

    @property
    def https_url(self) -> str:
        """The HTTPS base URL."""
        return self.urls["https"]

    def stop(self) -> None:
        """Terminate the process and wait for it."""
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self._pumper.join(10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture(scope="session")
def live() -> Iterator[LiveServer]:
    """One live server for the whole test session (default data, real clock from EPOCH)."""
    server = LiveServer()
    yield server
    server.stop()


@pytest.fixture
def live_client(live: LiveServer) -> Iterator[httpx.Client]:
    """A real HTTP client of the live server."""
    with httpx.Client(base_url=live.url, timeout=10) as c:
        yield c
pytest_plugins = ["pytester"]
