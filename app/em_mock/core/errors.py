"""Errors as values: raised anywhere, turned into the EM ``Error`` document in one place."""

from __future__ import annotations


class EMError(Exception):
    """A failure a client sees as an EM ``Error`` document with ``status``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def bad_request(message: str) -> EMError:
    """400 with ``message``."""
    return EMError(400, message)


def not_found(message: str) -> EMError:
    """404 with ``message``."""
    return EMError(404, message)
