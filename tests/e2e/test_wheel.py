"""em-mock installed as a user installs it, with the system's Python (Debian's
``/usr/bin/python3`` when there is one, as on a stock Debian 12 or Ubuntu 24.04; no pyenv).

- The README's one start command runs as written in a copy of the checkout: it makes a
  venv, installs em-mock from the registry and starts it, which prints its ready line.
- em-mock's wheel (built once) is installed there with ``em-mock[pytest]``, beside a
  project of the user's own that has its own ``app`` package. The project's suite runs
  with every warning an error: it collects, its ``from app import X`` is its own
  package, and the em-mock fixtures work.
- The README's veeam-exporter lines install without pip's resolver error.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
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
    assert em_mock_client.get("/mock/ready").json()["failoverPlans"] == 12
'''


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600,
                          check=False, env=env)
    assert done.returncode == 0, f"{cmd}:\n{done.stdout}\n{done.stderr}"
    return done


def _system_path() -> str:
    """A ``PATH`` whose ``python3`` is Debian's (no pyenv shims), or this Python's."""
    if SYSTEM_PYTHON.exists():
        return "/usr/bin:/bin"
    return f"{Path(sys.executable).parent}:/usr/bin:/bin"


def _readme_block(heading: str, fence: str = "bash") -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index(heading):]
    start = section.index(f"```{fence}\n") + len(f"```{fence}\n")
    return section[start:section.index("```", start)]


def _pip_noise(text: str) -> str:
    """pip's output without this machine's notes about configured local indexes."""
    return "\n".join(line for line in text.splitlines() if "Location 'file:" not in line)


def _once(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """``build(path)`` once per test run, shared by every xdist worker (under a lock in
    the run's common temporary directory); the path of what it built."""
    root = factory.getbasetemp().parent
    path, done = root / name, root / f"{name}.done"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(path, ignore_errors=True)
            path.mkdir()
            build(path)
            done.touch()
    return path


@contextlib.contextmanager
def _venv_lock(factory: pytest.TempPathFactory) -> Iterator[None]:
    """Held while a test installs into the shared venv (workers may share it)."""
    with open(factory.getbasetemp().parent / "user-venv-pip.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """em-mock's wheel, built once."""
    def build(out: Path) -> None:
        _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out),
              str(ROOT)], cwd=out)

    (built,) = _once(tmp_path_factory, "wheel", build).glob("em_mock-*.whl")
    return built


@pytest.fixture(scope="session")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of this checkout's files, as a fresh clone has them, in which the README's
    start command has been run (see :func:`_run_readme_setup`)."""
    def build(target: Path) -> None:
        files = _run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                     cwd=ROOT).stdout.split("\n")
        for name in filter(None, files):
            source = ROOT / name
            if source.is_file():
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / name)
        _run_readme_setup(target, tmp_path_factory.getbasetemp().parent / "tls")

    return _once(tmp_path_factory, "em-mock-clone", build)


def _run_readme_setup(clone: Path, tls: Path) -> None:
    """The README's one start command, run as written in ``clone`` with the system's
    ``python3``: it makes ``.venv``, installs em-mock and starts it. The server's output is
    checked (the ready line, nothing else), then it is stopped."""
    command = _readme_block("## Set-up: two commands").strip()
    assert command == "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/em-mock"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("EM_MOCK_", "PYTHON", "VIRTUAL_ENV", "PYTEST"))}
    # Free ports: the machine may serve something on 9398/9399 already.
    env.update(PATH=_system_path(), EM_MOCK_PORT="0", EM_MOCK_HTTPS_PORT="0",
               EM_MOCK_TLS_DIR=str(tls))
    errors = clone.parent / "setup-stderr.txt"
    with open(errors, "w") as stderr:
        proc = subprocess.Popen(["bash", "-c", command], cwd=clone, env=env, text=True,
                                stdout=subprocess.PIPE, stderr=stderr,
                                start_new_session=True)
    before: list[str] = []
    try:
        assert proc.stdout is not None
        # pip's report of what it installed, then the server's one line.
        for line in proc.stdout:
            if line.startswith("em-mock ready: "):
                break
            before.append(line)
        else:
            pytest.fail("no ready line:\n" + "".join(before) + errors.read_text())
        assert line.startswith("em-mock ready: listening on http://127.0.0.1:"), line
        assert "Successfully installed" in "".join(before)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    # After the ready line the server printed nothing, not even when it was stopped.
    assert out == "", out
    err = errors.read_text()
    assert "Traceback" not in err and "Started server process" not in err, err


@pytest.fixture(scope="session")
def user_venv(clone: Path) -> Path:
    """The venv the README's start command made (em-mock installed, no site packages)."""
    return clone / ".venv"


def test_the_wheel_installs_em_mock_and_no_generic_top_level_name(wheel: Path):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/", 1)[0] for name in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"em_mock"}
    assert "em_mock/_fixtures/default.json" in names
    assert "em_mock/pytest_plugin.py" in names


def test_a_users_project_with_its_own_app_package_runs_with_the_plugin(
        user_venv: Path, wheel: Path, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory):
    with _venv_lock(tmp_path_factory):
        _run([str(user_venv / "bin" / "pip"), "install", "--quiet",
              f"em-mock[pytest] @ {wheel.as_uri()}"], cwd=tmp_path)
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


def test_the_readme_installs_veeam_exporter_without_a_resolver_error(
        user_venv: Path, clone: Path, tmp_path_factory: pytest.TempPathFactory):
    """The README's exporter lines, as written: quiet, because the exporter comes last and
    without its dependencies, so pip checks none of its old pins."""
    block = _readme_block("## Real monitoring clients against em-mock")
    installs = [line for line in block.splitlines() if line.startswith(".venv/bin/pip ")]
    assert installs[-1] == ".venv/bin/pip install --no-deps veeam-exporter==1.1.0"
    for line in installs:
        with _venv_lock(tmp_path_factory):
            done = subprocess.run(["bash", "-c", line], cwd=clone, capture_output=True,
                                  text=True, timeout=600, check=False)
        output = _pip_noise(done.stdout + done.stderr)
        assert done.returncode == 0, output
        assert "ERROR" not in output and "dependency resolver" not in output, output
    _run([str(user_venv / "bin" / "python"), "-c", "import veeam_exporter.veeam_exporter"],
         cwd=clone)


def test_the_installed_command_starts_and_exports(user_venv: Path, tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("EM_MOCK_")}
    out = tmp_path / "default.json"
    _run([str(user_venv / "bin" / "em-mock"), "export", str(out)], cwd=tmp_path, env=env)
    assert out.read_bytes() == (ROOT / "fixtures" / "default.json").read_bytes()
