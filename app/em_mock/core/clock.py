"""The mock's clock. Everything that needs the time asks this object.

Times are integers: milliseconds since the Unix epoch, UTC. The clock starts at an
epoch (the real time at start-up unless pinned), then either follows real time or
stands still; tests move it instead of sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

# Every writer formats years 0001..9999 only. The clock keeps a year clear of both ends,
# so what is computed relative to it (the generator's weeks of history before it, plan
# runs, task delays and logon expiry after it) stays writable too.
MIN_MS = int((datetime(2, 1, 1, tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds()
             * 1000)
MAX_MS = int((datetime(9998, 12, 31, 23, 59, 59, tzinfo=UTC)
              - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() * 1000) + 999


class ClockRangeError(ValueError):
    """A clock instant or move that would leave the range every writer can format."""

    def __init__(self, ms: int) -> None:
        super().__init__("the mock's clock must stay between 0002-01-01T00:00:00Z and "
                         "9998-12-31T23:59:59.999Z (a year clear of what dates can be "
                         f"written); {'before' if ms < MIN_MS else 'after'} that is refused")


def check_range(ms: int) -> int:
    """``ms`` if the clock may stand there; raises :class:`ClockRangeError` otherwise."""
    if not MIN_MS <= ms <= MAX_MS:
        raise ClockRangeError(ms)
    return ms


def real_now_ms() -> int:
    """The machine's wall clock in whole milliseconds (the one place that reads it)."""
    return time.time_ns() // 1_000_000


class Clock:
    """A movable clock: ``now_ms()`` is ``start + elapsed real time + shifts``."""

    def __init__(
        self,
        start_ms: int | None = None,
        *,
        frozen: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._monotonic = monotonic
        self.start_ms = check_range(start_ms if start_ms is not None else real_now_ms())
        self._base_ms = self.start_ms
        self._mono0 = monotonic()
        self.frozen = frozen

    def now_ms(self) -> int:
        """The current instant in milliseconds."""
        if self.frozen:
            return self._base_ms
        return self._base_ms + int((self._monotonic() - self._mono0) * 1000)

    def _rebase(self, ms: int) -> None:
        self._base_ms = ms
        self._mono0 = self._monotonic()

    def freeze(self) -> None:
        """Stop the clock at the current instant."""
        self._rebase(self.now_ms())
        self.frozen = True

    def resume(self) -> None:
        """Let the clock follow real time again from the current instant."""
        self._rebase(self.now_ms())
        self.frozen = False

    def advance(self, seconds: float) -> None:
        """Move the clock forward (or back, with a negative value); refused (raises
        :class:`ClockRangeError`, the clock unmoved) if that leaves the allowed range."""
        self._rebase(check_range(self.now_ms() + round(seconds * 1000)))

    def set(self, ms: int) -> None:
        """Jump to an instant; refused like :meth:`advance` outside the allowed range."""
        self._rebase(check_range(ms))

    def reset(self) -> None:
        """Back to the start instant; stays frozen or running as it is."""
        self._rebase(self.start_ms)


def ms_to_datetime(ms: int) -> datetime:
    """The UTC datetime for a millisecond instant."""
    return datetime.fromtimestamp(ms / 1000, UTC).replace(microsecond=(ms % 1000) * 1000)
