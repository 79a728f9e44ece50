"""The ``em-mock`` command: ``serve`` the mock (the default), ``export`` its data set as a
fixture file, or ask a running one for its ``health``."""

from __future__ import annotations

import asyncio
import dataclasses
import errno
import ipaddress
import logging
import os
import signal
import socket
import ssl
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from em_mock.core.clock import Clock
from em_mock.core.fixtures import FixtureError, dumps
from em_mock.core.registry import HEADLINES
from em_mock.core.runtime import Runtime, build_data
from em_mock.core.server import server_options
from em_mock.core.tls import default_tls_dir, ensure_certificate, fingerprint
from em_mock.factory import create_app
from em_mock.settings import (
    COMMANDS,
    Settings,
    SettingsError,
    build_parser,
    check_serving,
    from_values,
    split_command,
)

READY = "em-mock ready: listening on {urls}"
log = logging.getLogger("em_mock")


HEALTH_PATH = "/mock/health"


class BindError(OSError):
    """A listener that cannot be opened; the message says where and what to do."""


def _export(settings: Settings, path: str | None) -> int:
    clock = Clock(settings.epoch, frozen=True)
    text = dumps(build_data(settings, clock.start_ms), clock.now_ms())
    if path:
        Path(path).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def bind(host: str, port: int, what: str = "HTTP") -> socket.socket:
    """A socket bound to ``host:port`` (port 0 picks a free one).

    ``what`` (``HTTP`` or ``HTTPS``) names the listener in the :class:`BindError` raised
    when the address cannot be used.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio turns TCP_NODELAY on only for sockets that say so,
    # and without it a small answer waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        flag, variable = (("--port", "EM_MOCK_PORT") if what == "HTTP"
                          else ("--https-port", "EM_MOCK_HTTPS_PORT"))
        shown = f"[{host}]" if ":" in host else host
        if exc.errno == errno.EADDRINUSE:
            why = (f"port {port} is already in use (another em-mock, or another program, "
                   "listens there)")
        elif exc.errno == errno.EACCES:
            why = f"port {port} needs privileges this user does not have"
        else:
            why = exc.strerror or str(exc)
        raise BindError(exc.errno, f"cannot listen for {what} on {shown}:{port}: {why}. "
                        f"Choose another port with {flag} N (or the {variable} variable), "
                        f"or {flag} 0 for a free one; --host (EM_MOCK_HOST) sets the "
                        "address.") from None
    sock.set_inheritable(True)
    return sock


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guard_control(settings: Settings) -> Settings:
    """Switch the control API off when it would be reachable beyond loopback unprotected."""
    if settings.no_control or settings.control_token or is_loopback(settings.host):
        return settings
    log.warning("!!! em-mock listens on %s, beyond loopback, without --control-token: the "
                "control API (/mock/) is OFF. Set --control-token to use it.", settings.host)
    return dataclasses.replace(settings, no_control=True)


def _url(scheme: str, sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port}/api/"


def _server_log_level(level: str) -> str:
    """uvicorn's own level: its start-up and shutdown notes only at ``debug``, so at the
    default level the ready line is the one line em-mock prints; warnings and errors show."""
    return level if level in ("debug", "error", "critical") else "warning"


def _serve(settings: Settings) -> int:
    check_serving(settings)
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = _guard_control(settings)
    runtime = Runtime.create(settings, settle_heap=True)
    app = create_app(runtime=runtime)
    common = {**server_options(settings), "log_level": _server_log_level(settings.log_level),
              "log_config": None, "access_log": False, "lifespan": "off"}
    servers: list[tuple[uvicorn.Server, socket.socket]] = []
    urls: list[str] = []
    notes: list[str] = []
    if not settings.no_http:
        sock = bind(settings.host, settings.port)
        servers.append((uvicorn.Server(uvicorn.Config(app, **common)), sock))
        urls.append(_url("http", sock))
    if not settings.no_https:
        if settings.tls_cert and settings.tls_key:
            cert, key = settings.tls_cert, settings.tls_key
        else:
            cert, key = ensure_certificate(settings.tls_dir or default_tls_dir())
        sock = bind(settings.host, settings.https_port, "HTTPS")
        config = uvicorn.Config(app, ssl_certfile=str(cert), ssl_keyfile=str(key),
                                **common)
        servers.append((uvicorn.Server(config), sock))
        urls.append(_url("https", sock))
        notes.append(f"TLS certificate {cert}, SHA-256 {fingerprint(cert)}")

    async def run() -> None:
        loop = asyncio.get_running_loop()

        def stop() -> None:
            for server, _ in servers:
                server.should_exit = True

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop)
        tasks = [asyncio.create_task(server._serve(sockets=[sock])) for server, sock in servers]
        while not all(server.started for server, _ in servers):
            if any(task.done() for task in tasks):
                stop()
                break
            await asyncio.sleep(0.01)
        else:
            data = runtime.store.data
            notes.append(", ".join(f"{h.count(data)} {h.label}" for h in HEADLINES))
            notes.append("control API " + ("off" if settings.no_control else "on /mock/"))
            print(READY.format(urls=" and ".join(urls)) + " (" + "; ".join(notes) + ")",
                  flush=True)
        await asyncio.gather(*tasks)

    asyncio.run(run())
    return 0


def _probe_host(host: str) -> str:
    """Where to reach a server listening on ``host`` from this machine."""
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def health_url(settings: Settings) -> str:
    """The health URL of the em-mock ``settings`` describe: HTTP unless it is off."""
    scheme, port = ("https", settings.https_port) if settings.no_http else ("http", settings.port)
    if port == 0:
        raise SettingsError(f"{'--https-port' if settings.no_http else '--port'} is 0 (a free "
                            "port picked at start-up): give the port the server printed in its "
                            "ready line")
    return f"{scheme}://{_probe_host(settings.host)}:{port}{HEALTH_PATH}"


def _health(settings: Settings, timeout: float = 3.0) -> int:
    url = health_url(settings)
    # The self-signed certificate is em-mock's own: liveness needs no verification.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=context) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        print(f"em-mock health: {url}: no answer ({reason})", file=sys.stderr)
        return 1
    if status != 200:
        print(f"em-mock health: {url}: answered {status}", file=sys.stderr)
        return 1
    print(f"em-mock health: {url}: ok")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``em-mock`` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        command, rest = split_command(args)
    except SettingsError as exc:
        build_parser().error(str(exc))
    if command == "capture":
        from em_mock.capture.command import main as capture
        return capture(rest)
    parser = build_parser(command=command)
    namespace = parser.parse_intermixed_args(rest)
    try:
        settings = from_values(vars(namespace), os.environ)
        if command == "export":
            return _export(settings, namespace.path)
        if command == "health":
            return _health(settings)
        return _serve(settings)
    except SettingsError as exc:
        parser.error(str(exc))
    except FixtureError as exc:
        print("em-mock: the fixture data cannot be served:", file=sys.stderr)
        for line in exc.errors:
            print(f"  {line}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"em-mock: {exc.strerror if isinstance(exc, BindError) else exc}",
              file=sys.stderr)
        return 2
    return 0


__all__ = ["COMMANDS", "bind", "health_url", "is_loopback", "main"]
