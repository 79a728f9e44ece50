"""Logon sessions: Basic credentials in, a session token out, idle expiry on the mock clock."""

from __future__ import annotations

import base64
import binascii
import hmac
import uuid
from collections import OrderedDict
from dataclasses import dataclass

from em_mock.core.clock import Clock
from em_mock.core.errors import EMError

REALM_HEADER = {"WWW-Authenticate": "Basic Realm=RestSvc"}


@dataclass(slots=True, eq=False)
class LogonSession:
    """One logged-on client."""

    id: str
    user: str
    last_used_ms: int

    @property
    def token(self) -> str:
        """The ``X-RestSvcSessionId`` value: base64 of the ``SessionId`` text."""
        return base64.b64encode(self.id.encode("ascii")).decode("ascii")


def _unauthorized(message: str) -> EMError:
    return EMError(401, message, REALM_HEADER)


def parse_basic(header: str | None) -> tuple[str, str]:
    """``(user, password)`` from a ``Basic`` ``Authorization`` header, or a 401."""
    if not header:
        raise _unauthorized("Logon requires an Authorization header with Basic credentials.")
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        raise _unauthorized("The Authorization header must use the Basic scheme.")
    try:
        text = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise _unauthorized("The Basic credentials are not valid base64-encoded UTF-8.") from None
    user, colon, password = text.partition(":")
    if not colon:
        raise _unauthorized("The Basic credentials must have the form user:password.")
    return user, password


class LogonSessions:
    """The live logon sessions, keyed by token, least recently used first.

    At most ``max_per_user`` sessions per user and ``max_total`` in all: a new logon
    past either bound ends the longest-idle session that stands in the way.
    """

    def __init__(self, clock: Clock, users: dict[str, str], timeout_s: float,
                 max_per_user: int = 1000, max_total: int = 10_000) -> None:
        self.clock = clock
        self.users = users
        self.timeout_ms = int(timeout_s * 1000)
        self.max_per_user = max_per_user
        self.max_total = max_total
        self._by_token: OrderedDict[str, LogonSession] = OrderedDict()

    def clear(self) -> None:
        """End every session."""
        self._by_token.clear()

    def _check_password(self, user: str, password: str) -> bool:
        expected = self.users.get(user)
        # Compare against something of the same shape when the user is unknown, so the
        # answer takes as long and says as little either way.
        ok = hmac.compare_digest((expected or "\x00" + password).encode(), password.encode())
        return expected is not None and ok

    def logon(self, authorization: str | None) -> LogonSession:
        """A new session for valid Basic credentials; 401 otherwise."""
        user, password = parse_basic(authorization)
        if not self._check_password(user, password):
            raise _unauthorized("Logon failed: the user name or password is not valid.")
        now = self.clock.now_ms()
        for stale in [s for s in self._by_token.values() if self._expired(s, now)]:
            del self._by_token[stale.token]
        mine = [s for s in self._by_token.values() if s.user == user]
        while len(mine) >= self.max_per_user:
            self.end(mine.pop(0))
        while len(self._by_token) >= self.max_total:
            self._by_token.popitem(last=False)
        session = LogonSession(str(uuid.uuid4()), user, now)
        self._by_token[session.token] = session
        return session

    def _expired(self, session: LogonSession, now: int) -> bool:
        return now - session.last_used_ms >= self.timeout_ms

    def authenticate(self, token: str | None) -> LogonSession:
        """The live session for ``token`` (renewed), or 401."""
        if not token:
            raise _unauthorized("This request needs a logon session: send the X-RestSvcSessionId "
                                "header (or cookie) from POST /api/sessionMngr/.")
        session = self._by_token.get(token.strip())
        now = self.clock.now_ms()
        if session is None:
            raise _unauthorized("The logon session is not valid: unknown, ended or expired token.")
        if self._expired(session, now):
            del self._by_token[session.token]
            raise _unauthorized("The logon session has expired after "
                                f"{self.timeout_ms // 1000} seconds without a request.")
        session.last_used_ms = now
        self._by_token.move_to_end(session.token)
        return session

    def of_user(self, user: str) -> list[LogonSession]:
        """The live sessions of ``user``, oldest first."""
        now = self.clock.now_ms()
        return [s for s in self._by_token.values() if s.user == user and not self._expired(s, now)]

    def find(self, session_id: str) -> LogonSession | None:
        """The live session with ``session_id``."""
        now = self.clock.now_ms()
        for s in self._by_token.values():
            if s.id == session_id.lower() and not self._expired(s, now):
                return s
        return None

    def end(self, session: LogonSession) -> None:
        """Log ``session`` off: its token stops working."""
        self._by_token.pop(session.token, None)
