"""The ``em-mock`` command as a user runs it: subcommands, their help, flags in any order,
what it prints at start-up, and what it says when its port is taken.

Help and export run the command's ``main`` in this process (the same output, captured,
without starting an interpreter each); serving runs real processes.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from em_mock.cli import main
from em_mock.core.fixtures import dumps, load_path
from tests.conftest import EPOCH, EPOCH_MS, ROOT, LiveServer

EXAMPLE = ROOT / "examples" / "small-fixture.json"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m em_mock ARGS`` with no ``EM_MOCK_*`` variable but those in ``env``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("EM_MOCK_")}
    return subprocess.run([sys.executable, "-m", "em_mock", *args], cwd=ROOT,
                          env={**clean, **(env or {})}, capture_output=True, text=True,
                          timeout=60, check=False)


class Done:
    """What ``em-mock ARGS`` printed and its exit status."""

    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def em_mock_cli(capsys, monkeypatch):
    """``em-mock ARGS`` in this process, with no ``EM_MOCK_*`` variable but those given."""
    for name in [n for n in os.environ if n.startswith("EM_MOCK_")]:
        monkeypatch.delenv(name)

    def call(*args: str, env: dict[str, str] | None = None) -> Done:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return Done(code, out, err)

    return call


# --- subcommands and their help --------------------------------------------------------------


def test_the_top_level_usage_names_every_command(em_mock_cli):
    done = em_mock_cli("--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: em-mock [serve | export [PATH] | capture --from URL | "
                                  "health] [options]")
    for command in ("serve", "export", "capture", "health"):
        assert f"\n  {command} " in done.stdout, command


@pytest.mark.parametrize("command, usage, says", [
    ("serve", "usage: em-mock [serve] [options]", "Serve a stand-in"),
    ("export", "usage: em-mock export [PATH] [options]", "as a fixture file"),
    ("health", "usage: em-mock health [options]", "GET /mock/health"),
])
def test_each_command_has_its_own_help(em_mock_cli, command, usage, says):
    done = em_mock_cli(command, "--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(usage)
    assert says in done.stdout.replace("\n", " ")
    assert "--fixtures" in done.stdout and "EM_MOCK_FIXTURES" in done.stdout


def test_capture_has_its_own_help_naming_every_flag_and_variable(em_mock_cli):
    from em_mock.capture.command import OPTIONS

    done = em_mock_cli("capture", "--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: em-mock capture --from URL [--out PATH] [options]")
    assert "run the same command again" in done.stdout.replace("\n", " ")
    for option in OPTIONS:
        assert option.flag in done.stdout and option.env in done.stdout, option.flag


def test_capture_without_a_server_says_what_is_missing(em_mock_cli):
    done = em_mock_cli("capture", "--user", "u", "--password", "p")
    assert done.returncode == 2
    assert "--from URL is required" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unknown_command_is_named_with_the_known_ones(em_mock_cli):
    done = em_mock_cli("exprot", "out.json")
    assert done.returncode == 2
    assert "unknown command 'exprot' (commands: serve, export, capture, health)" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("order", [
    ("--fixtures", "{fixture}", "export", "{out}"),
    ("export", "--fixtures", "{fixture}", "{out}"),
    ("export", "{out}", "--fixtures", "{fixture}"),
    ("--epoch", EPOCH, "export", "{out}", "--fixtures={fixture}"),
], ids=["flags-first", "flags-between", "flags-last", "mixed"])
def test_export_takes_its_flags_in_any_order(em_mock_cli, tmp_path: Path, order):
    out = tmp_path / "out.json"
    args = [a.format(fixture=EXAMPLE, out=out) for a in order]
    done = em_mock_cli(*args)
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8") == dumps(load_path(EXAMPLE, EPOCH_MS))


def test_export_flags_also_come_from_the_variables(em_mock_cli, tmp_path: Path):
    out = tmp_path / "out.json"
    done = em_mock_cli("export", str(out), env={"EM_MOCK_FIXTURES": str(EXAMPLE)})
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8") == dumps(load_path(EXAMPLE, EPOCH_MS))


def test_export_without_a_path_writes_to_standard_output(em_mock_cli):
    done = em_mock_cli("--fixtures", str(EXAMPLE), "export")
    assert done.returncode == 0, done.stderr
    assert done.stdout == dumps(load_path(EXAMPLE, EPOCH_MS))


def test_export_load_export_is_the_same_bytes_unpinned(tmp_path: Path):
    """Two runs of the command at two real clocks, neither pinned, the second loading the
    first's output: the same bytes (the default data, every section)."""
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert run("export", str(first)).returncode == 0
    assert run("export", str(second), "--fixtures", str(first)).returncode == 0
    assert second.read_bytes() == first.read_bytes()
    assert first.read_bytes() == (ROOT / "fixtures" / "default.json").read_bytes()


def test_serve_is_the_default_command():
    for args in (("serve",), ()):
        server = LiveServer(*args, "--no-https")
        try:
            assert server.ready.startswith("em-mock ready: listening on http://127.0.0.1:")
        finally:
            server.stop()


def test_serve_takes_flags_before_the_command_too():
    server = LiveServer("--no-https", "serve", "--journal-size", "5")
    try:
        assert "https://" not in server.ready
    finally:
        server.stop()


# --- start-up output -------------------------------------------------------------------------


def test_the_ready_line_is_the_only_line_at_the_default_level():
    server = LiveServer()
    try:
        assert server.ready.startswith("em-mock ready: listening on http://127.0.0.1:")
    finally:
        server.stop()
    # Nothing before it, nothing after it, not even on the way out.
    assert [line.rstrip("\n") for line in server.lines] == [server.ready]


def test_at_debug_level_the_http_server_speaks_too():
    server = LiveServer("--log-level", "debug")
    try:
        output = "".join(server.lines)
    finally:
        server.stop()
    assert "Started server process" in output


@pytest.fixture
def taken_port():
    """A loopback port something else listens on."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    yield holder.getsockname()[1]
    holder.close()


def test_a_taken_http_port_is_named_with_what_to_do(taken_port: int):
    done = run("--port", str(taken_port), "--no-https")
    assert done.returncode != 0
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    message = done.stderr.strip()
    assert message.startswith(f"em-mock: cannot listen for HTTP on 127.0.0.1:{taken_port}: "
                              f"port {taken_port} is already in use")
    assert "--port 0" in message and "EM_MOCK_PORT" in message
    assert len(done.stderr.splitlines()) == 1


def test_a_taken_https_port_names_its_own_flag_and_variable(taken_port: int, tmp_path: Path):
    done = run("--port", "0", "--https-port", str(taken_port), "--tls-dir", str(tmp_path))
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert f"cannot listen for HTTPS on 127.0.0.1:{taken_port}" in done.stderr
    assert "--https-port 0" in done.stderr and "EM_MOCK_HTTPS_PORT" in done.stderr
