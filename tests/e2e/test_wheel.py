"""em-mock installed as a user installs it: the wheel, in a fresh virtual environment,
beside a project of the user's own that has its own ``app`` package.

The wheel is built once per test session and installed with ``em-mock[pytest]`` from the
package registry into a venv made by the system's Python (Debian's ``/usr/bin/python3``
when there is one, as on a stock Debian or Ubuntu machine). The project's own suite then
runs with every warning an error: it collects, its ``from app import X`` is its own
package, and the em-mock fixtures work.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

SYSTEM_PYTHON = Path("/usr/bin/python3")

PROJECT_APP = '''"""The user's own application package, as most web projects have."""

X = "the project's own app"
'''

PROJECT_TESTS = r'''import re

import httpx

import app
from app import X


def test_the_projects_own_app_package_is_imported():
    assert X == "the project's own app"
    assert app.__file__.startswith(PROJECT_DIR)


def test_a_live_em_mock(em_mock_url):
    response = httpx.post(f"{em_mock_url}/api/sessionMngr/?v=latest", auth=("veeam", "veeam"))
    assert response.status_code == 201


def test_the_control_handle(em_mock):
    em_mock.add_fault(action="error", path="/api/", status=503, count=1)
    assert httpx.get(f"{em_mock.url}/api/").status_code == 503
    assert httpx.get(f"{em_mock.url}/api/").status_code == 200
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", em_mock.now())


def test_the_in_process_client(em_mock_client):
    response = em_mock_client.get("/api/", headers={"Accept": "application/json"})
    assert response.json()["SupportedVersions"]["SupportedVersions"][-1]["Name"] == "v1_7"
    assert em_mock_client.app.state.runtime.store.data.plans
'''


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600,
                          check=False, env=env)
    assert done.returncode == 0, f"{cmd}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """em-mock's wheel, built once."""
    out = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out),
          str(ROOT)], cwd=out)
    (built,) = out.glob("em_mock-*.whl")
    return built


@pytest.fixture(scope="session")
def user_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh venv (no system site-packages) with ``em-mock[pytest]`` from the wheel."""
    python = str(SYSTEM_PYTHON) if SYSTEM_PYTHON.exists() else sys.executable
    venv = tmp_path_factory.mktemp("user-venv")
    _run([python, "-m", "venv", str(venv)], cwd=venv)
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
          f"em-mock[pytest] @ {wheel.as_uri()}"], cwd=venv)
    yield venv


def test_the_wheel_installs_em_mock_and_no_generic_top_level_name(wheel: Path):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/", 1)[0] for name in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"em_mock"}
    assert "em_mock/_fixtures/default.json" in names
    assert "em_mock/pytest_plugin.py" in names


def test_a_users_project_with_its_own_app_package_runs_with_the_plugin(
        user_venv: Path, tmp_path: Path):
    project = tmp_path / "project"
    (project / "app").mkdir(parents=True)
    (project / "tests").mkdir()
    (project / "app" / "__init__.py").write_text(PROJECT_APP, encoding="utf-8")
    (project / "tests" / "__init__.py").write_text("", encoding="utf-8")
    (project / "tests" / "test_with_em_mock.py").write_text(
        f"PROJECT_DIR = {str(project)!r}\n" + PROJECT_TESTS, encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("EM_MOCK_", "PYTHON", "VIRTUAL_ENV", "PYTEST"))}
    done = _run([str(user_venv / "bin" / "python"), "-m", "pytest", "-W", "error", "-q",
                 "-p", "no:cacheprovider"], cwd=project, env=env)
    assert "4 passed" in done.stdout, done.stdout
    assert "warning" not in done.stdout.lower(), done.stdout
    # The plugin came from the installed wheel, not from this checkout.
    where = _run([str(user_venv / "bin" / "python"), "-c",
                  "import em_mock.pytest_plugin as p; print(p.__file__)"], cwd=project, env=env)
    assert where.stdout.strip().startswith(str(user_venv))


def test_the_installed_command_starts_and_exports(user_venv: Path, tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("EM_MOCK_")}
    out = tmp_path / "default.json"
    _run([str(user_venv / "bin" / "em-mock"), "export", str(out)], cwd=tmp_path, env=env)
    assert out.read_bytes() == (ROOT / "fixtures" / "default.json").read_bytes()
