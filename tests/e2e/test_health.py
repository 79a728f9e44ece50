"""The health endpoint and ``em-mock health``, as a container's HEALTHCHECK uses them.

``GET /mock/health`` answers 200 on both listeners, never appears in the journal, never
meets a fault rule, and is served with ``--no-control`` and beyond loopback without a
token; ``em-mock health`` finds it from the same ``EM_MOCK_*`` variables as the server.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from em_mock import Settings
from tests.conftest import ROOT, LiveServer
from tests.control.support import app_client


def _health_command(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("EM_MOCK_")}
    return subprocess.run([sys.executable, "-m", "em_mock", "health"], cwd=ROOT,
                          env={**clean, **env}, capture_output=True, text=True, timeout=60,
                          check=False)


def _port(url: str) -> str:
    return url.rsplit(":", 1)[1]


# --- in process: journal and faults ---------------------------------------------------------


def test_health_is_not_journaled():
    with app_client() as client:
        assert client.get("/api/").status_code == 200
        for _ in range(3):
            assert client.get("/mock/health").json() == {"status": "ok"}
        journal = client.get("/mock/requests").json()
    assert [entry["path"] for entry in journal] == ["/api/"]


def test_health_answers_while_every_request_is_faulted():
    with app_client() as client:
        rule = client.post("/mock/faults", json={"action": "error", "status": 503,
                                                 "path": "*"})
        assert rule.status_code == 201
        assert client.get("/api/").status_code == 503
        health = client.get("/mock/health")
        assert (health.status_code, health.json()) == (200, {"status": "ok"})


def test_health_does_not_use_up_a_counted_fault():
    with app_client() as client:
        client.post("/mock/faults", json={"action": "error", "status": 503, "count": 1})
        for _ in range(3):
            assert client.get("/mock/health").status_code == 200
        # The one counted failure is still there for the client under test.
        assert client.get("/api/").status_code == 503
        assert client.get("/api/").status_code == 200


def test_health_is_served_without_the_control_api():
    with app_client(no_control=True) as client:
        assert client.get("/mock/health").json() == {"status": "ok"}
        assert client.get("/mock/ready").status_code == 404


def test_health_needs_no_token_and_is_not_in_the_docs_twice():
    with app_client(control_token="s3cret") as client:
        assert client.get("/mock/health").status_code == 200
        paths = client.get("/mock/openapi.json", headers={"X-Mock-Token": "s3cret"}).json()
    assert "/health" in paths["paths"]


# --- live: both listeners and the health command --------------------------------------------


@pytest.fixture(scope="module")
def closed_server() -> Iterator[LiveServer]:
    """A live server with --no-control, on both listeners."""
    server = LiveServer("--no-control")
    yield server
    server.stop()


def test_health_on_both_listeners_with_no_control(closed_server: LiveServer):
    with httpx.Client(timeout=10) as client:
        assert client.get(closed_server.url + "/mock/health").json() == {"status": "ok"}
        assert client.get(closed_server.url + "/mock/ready").status_code == 404
    with httpx.Client(timeout=10, verify=False) as client:
        assert client.get(closed_server.https_url + "/mock/health").json() == {"status": "ok"}


def test_health_command_follows_the_http_port(closed_server: LiveServer):
    port = _port(closed_server.url)
    done = _health_command({"EM_MOCK_PORT": port})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"em-mock health: http://127.0.0.1:{port}/mock/health: ok"


def test_health_command_follows_https_only(closed_server: LiveServer):
    """With EM_MOCK_NO_HTTP, HTTPS on EM_MOCK_HTTPS_PORT, self-signed: still healthy."""
    port = _port(closed_server.https_url)
    done = _health_command({"EM_MOCK_NO_HTTP": "1", "EM_MOCK_HTTPS_PORT": port,
                            "EM_MOCK_HOST": "0.0.0.0"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"em-mock health: https://127.0.0.1:{port}/mock/health: ok"


def test_health_command_fails_where_nothing_listens(closed_server: LiveServer):
    # The HTTPS port spoken to in plain HTTP does not answer 200; nor does a closed port.
    done = _health_command({"EM_MOCK_PORT": _port(closed_server.https_url)})
    assert done.returncode == 1
    assert "em-mock health: http://127.0.0.1:" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_dockerfile_health_check_runs_the_health_command():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    check = re.search(r"^HEALTHCHECK .*?\\\n\s+CMD (.+)$", dockerfile, re.MULTILINE)
    assert check is not None
    assert check.group(1).strip() == '["em-mock", "health"]'
    assert "9399/api" not in dockerfile


def test_the_default_health_url_is_the_default_http_listener():
    from em_mock.cli import health_url

    assert health_url(Settings()) == "http://127.0.0.1:9399/mock/health"
    assert health_url(Settings(no_http=True)) == "https://127.0.0.1:9398/mock/health"
    assert health_url(Settings(host="::", port=8080)) == "http://[::1]:8080/mock/health"
