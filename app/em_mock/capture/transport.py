"""The capture's client side: one logon session on the server, polite GETs through it.

Standard library only (``http.client`` with an ``ssl`` context). Every request holds one
of ``concurrency`` slots and waits for its turn under the rate limit; a 5xx answer, a
timeout or a connection error is retried with exponential back-off; a 401 (the session
expired) logs on again once and repeats the request. Nothing but ``GET`` and the logon
and logoff is ever sent.
"""

from __future__ import annotations

import base64
import http.client
import json
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlsplit

from em_mock.core.capture import Answer, pascal_tree

__all__ = ["CaptureError", "Server", "Transport", "parse_base_url"]

LOGON_PATH = "/api/sessionMngr/?v=latest"
SESSION_HEADER = "X-RestSvcSessionId"


class CaptureError(Exception):
    """The capture cannot start or go on (bad URL, refused logon, unreachable server)."""


@dataclass(frozen=True, slots=True)
class Server:
    """Where the server is and how to reach it."""

    scheme: str
    host: str
    port: int
    insecure: bool = False
    ca_file: str | None = None
    timeout: float = 60.0

    @property
    def base_url(self) -> str:
        """``scheme://host:port``, as the server names itself in links."""
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{shown}:{self.port}"


def parse_base_url(url: str, *, insecure: bool = False, ca_file: str | None = None,
                   timeout: float = 60.0) -> Server:
    """The server of ``--from`` (``https://host:9398``, with or without ``/api``)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CaptureError(f"--from {url!r} is not a URL such as https://em.example:9398")
    if parts.path.rstrip("/") not in ("", "/api") or parts.query:
        raise CaptureError(f"--from {url!r}: give the server's base URL "
                           "(https://host:9398), not a path below it")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return Server(parts.scheme, parts.hostname, port, insecure, ca_file, timeout)


def _ssl_context(server: Server) -> ssl.SSLContext:
    if server.insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    try:
        return ssl.create_default_context(cafile=server.ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise CaptureError(f"--ca-file {server.ca_file}: cannot be used: {exc}") from None


class _RateLimit:
    """At most ``rate`` request starts per second, shared by every thread."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.next = 0.0
        self.lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next)
            self.next = start + self.interval
        if start > now:
            time.sleep(start - now)


@dataclass
class Transport:
    """GETs on one server through one logon session (see the module's doc)."""

    server: Server
    user: str
    password: str
    rate: float = 10.0
    concurrency: int = 2
    retries: int = 4
    backoff: float = 0.5
    on_request: Callable[[str, float], None] | None = None
    requests: int = 0
    token: str | None = None
    date_ms: int | None = None
    logon_answer: dict[str, Any] = field(default_factory=dict)
    _local: threading.local = field(default_factory=threading.local)
    _slots: threading.Semaphore = field(init=False)
    _limit: _RateLimit = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _logon_lock: threading.Lock = field(default_factory=threading.Lock)
    _context: ssl.SSLContext | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self._slots = threading.Semaphore(max(1, self.concurrency))
        self._limit = _RateLimit(self.rate)
        if self.server.scheme == "https":
            self._context = _ssl_context(self.server)

    # -- connections -------------------------------------------------------------------

    def _connection(self) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is None:
            if self._context is not None:
                conn = http.client.HTTPSConnection(self.server.host, self.server.port,
                                                   timeout=self.server.timeout,
                                                   context=self._context)
            else:
                conn = http.client.HTTPConnection(self.server.host, self.server.port,
                                                  timeout=self.server.timeout)
            self._local.conn = conn
        return conn

    def _drop_connection(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def _send(self, method: str, target: str, headers: dict[str, str]
              ) -> tuple[int, dict[str, str], bytes]:
        """One exchange, no retry; ``OSError``/``HTTPException`` on a broken one."""
        self._limit.wait()
        started = time.monotonic()
        conn = self._connection()
        try:
            conn.request(method, target, headers=headers)
            response = conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            self._drop_connection()
            raise
        with self._lock:
            self.requests += 1
        if self.on_request is not None:
            self.on_request(target, time.monotonic() - started)
        found = {k.lower(): v for k, v in response.getheaders()}
        if found.get("connection", "").lower() == "close":
            self._drop_connection()
        return response.status, found, body

    def _exchange(self, method: str, target: str, headers: dict[str, str]
                  ) -> tuple[int, dict[str, str], bytes]:
        """One exchange with retries on 5xx, timeouts and connection errors; the last
        failure's status (or ``CaptureError``) when every try failed."""
        last: Exception | None = None
        status_seen: tuple[int, dict[str, str], bytes] | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * (2 ** (attempt - 1)))
            try:
                with self._slots:
                    status, found, body = self._send(method, target, headers)
            except ssl.SSLCertVerificationError as exc:
                raise CaptureError(f"the server's certificate is not trusted ({exc.verify_message})"
                                   ": give its CA with --ca-file, or --insecure") from None
            except (OSError, http.client.HTTPException) as exc:
                last = exc
                continue
            if status >= 500:
                status_seen = (status, found, body)
                continue
            return status, found, body
        if status_seen is not None:
            return status_seen
        raise CaptureError(f"{method} {target}: no answer after {self.retries + 1} tries "
                           f"({last})")

    # -- the session ----------------------------------------------------------------

    def logon(self) -> None:
        """Open the logon session (Basic auth); the server's ``Date`` is kept."""
        credentials = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        try:
            status, headers, body = self._exchange(
                "POST", LOGON_PATH, {"Authorization": f"Basic {credentials}",
                                     "Accept": "application/json", "Content-Length": "0"})
        except CaptureError as exc:
            raise CaptureError(f"cannot reach {self.server.base_url}: {exc}") from None
        if status == 401:
            raise CaptureError(f"{self.server.base_url} refused the logon of {self.user!r} "
                               "(401): check --user and --password")
        token = headers.get(SESSION_HEADER.lower())
        if status != 201 or not token:
            raise CaptureError(f"{self.server.base_url}: the logon answered {status}, "
                               f"not 201 with a session: {body[:200]!r}")
        self.token = token
        self.date_ms = _date_ms(headers.get("date"))
        try:
            found = json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            found = None
        self.logon_answer = pascal_tree(found) if isinstance(found, dict) else {}

    def logoff(self) -> None:
        """Close the logon session (best effort)."""
        if not self.token:
            return
        try:
            session = str(self.logon_answer.get("SessionId") or "").rsplit(":", 1)[-1]
            if not session:
                session = base64.b64decode(self.token).decode("utf-8", "replace")
            self._exchange("DELETE", f"/api/logonSessions/{quote(session, safe='')}",
                           {SESSION_HEADER: self.token})
        except (CaptureError, ValueError):
            pass
        self.token = None

    def fetch(self, path: str, accept: str) -> Answer:
        """``GET /api/<path>`` with ``Accept``; a 401 logs on again once."""
        target = "/api/" + path.lstrip("/")
        for attempt in range(2):
            token = self.token or ""
            status, headers, body = self._exchange(
                "GET", target, {SESSION_HEADER: token, "Accept": accept})
            if status == 401 and attempt == 0:
                with self._logon_lock:
                    if self.token == token:  # not yet renewed by another thread
                        self.logon()
                continue
            return Answer(status, headers.get("content-type", ""), body)
        return Answer(status, headers.get("content-type", ""), body)

    def close(self) -> None:
        """Log off and close this thread's connection."""
        self.logoff()
        self._drop_connection()


def _date_ms(text: str | None) -> int | None:
    if not text:
        return None
    try:
        return int(parsedate_to_datetime(text).timestamp() * 1000)
    except (TypeError, ValueError):
        return None
