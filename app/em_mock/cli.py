"""The ``em-mock`` command: serve the mock, or export its data set as a fixture file."""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import logging
import signal
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from em_mock.factory import create_app
from em_mock.infra.clock import Clock
from em_mock.infra.server import server_options
from em_mock.infra.tls import default_tls_dir, ensure_certificate, fingerprint
from em_mock.runtime import Runtime, build_data
from em_mock.settings import Settings, SettingsError, build_parser, check_serving, from_args
from em_mock.store.fixtures import FixtureError, dumps

READY = "em-mock ready: listening on {urls}"
log = logging.getLogger("em_mock")


def _export(argv: Sequence[str]) -> int:
    path = argv[0] if argv and not argv[0].startswith("-") else None
    options = list(argv[1:] if path else argv)
    settings = from_args(options)
    clock = Clock(settings.epoch, frozen=True)
    text = dumps(build_data(settings, clock.start_ms))
    if path:
        Path(path).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (port 0 picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio turns TCP_NODELAY on only for sockets that say so,
    # and without it a small answer waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
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


def _serve(argv: Sequence[str]) -> int:
    settings = from_args(argv)
    check_serving(settings)
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = _guard_control(settings)
    runtime = Runtime.create(settings, settle_heap=True)
    app = create_app(runtime=runtime)
    common = {**server_options(settings), "log_level": settings.log_level,
              "access_log": False, "server_header": False, "lifespan": "off"}
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
        sock = bind(settings.host, settings.https_port)
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
            notes.append(f"{len(data.backup_servers)} backup servers, {len(data.plans)} "
                         f"failover plans, {len(data.sessions)} failover sessions")
            notes.append("control API " + ("off" if settings.no_control else "on /mock/"))
            print(READY.format(urls=" and ".join(urls)) + " (" + "; ".join(notes) + ")",
                  flush=True)
        await asyncio.gather(*tasks)

    asyncio.run(run())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``em-mock`` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args and args[0] == "export":
            return _export(args[1:])
        return _serve(args)
    except SettingsError as exc:
        build_parser().error(str(exc))
    except FixtureError as exc:
        print("em-mock: the fixture data cannot be served:", file=sys.stderr)
        for line in exc.errors:
            print(f"  {line}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"em-mock: {exc}", file=sys.stderr)
        return 2
    return 0
