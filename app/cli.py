"""The ``em-mock`` command: serve the mock, or export its data set as a fixture file."""

from __future__ import annotations

import asyncio
import logging
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from app.factory import create_app
from app.infra.clock import Clock
from app.infra.server import Protocol
from app.runtime import Runtime, build_data
from app.settings import SettingsError, build_parser, from_args
from app.store.fixtures import FixtureError, dumps

READY = "em-mock ready: listening on {url}"
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
    """A listening-ready socket bound to ``host:port`` (port 0 picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def _serve(argv: Sequence[str]) -> int:
    settings = from_args(argv)
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    runtime = Runtime.create(settings)
    app = create_app(runtime=runtime)
    sock = bind(settings.host, settings.port)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    config = uvicorn.Config(app, http=Protocol, log_level=settings.log_level, access_log=False,
                            server_header=False,
                            h11_max_incomplete_event_size=max(4 * settings.max_header_size,
                                                              1 << 20))
    server = uvicorn.Server(config)

    async def run() -> None:
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not task.done():
            await asyncio.sleep(0.01)
        if server.started:
            data = runtime.store.data
            print(READY.format(url=f"http://{shown}:{port}/api/")
                  + f" ({len(data.backup_servers)} backup servers, {len(data.plans)} failover "
                  f"plans, {len(data.sessions)} failover sessions)", flush=True)
        await task

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
