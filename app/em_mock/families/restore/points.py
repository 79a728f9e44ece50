"""What the mock derives about restore and replica points from the tasks that made them:
their ids, names, and whether a point is a full one."""

from __future__ import annotations

from em_mock.core.clock import ms_to_datetime
from em_mock.core.wire.documents import Ctx
from em_mock.families.jobs.model import TaskSession

DAY_MS = 86_400_000


def sql_short_date(ms: int) -> str:
    """SQL Server's short date style, ``Jun 15 2026  5:34AM`` (day and hour space-padded)."""
    moment = ms_to_datetime(ms)
    hour = moment.hour % 12 or 12
    return (f"{moment.strftime('%b')} {moment.day:>2} {moment.year} "
            f"{hour:>2}:{moment.minute:02d}{'AM' if moment.hour < 12 else 'PM'}")


def restore_point_name(t: TaskSession, ctx: Ctx) -> str:
    """The restore point's name: SQL short date in EM 12, ``yyyy-MM-dd HH:mm:ss.ffffff`` in 13."""
    return ctx.suffix(t.creation_ms) if ctx.profile >= 13 else sql_short_date(t.creation_ms)


def is_full(t: TaskSession) -> bool:
    """The mock calls every point made on a Sunday (UTC) a full one; the rest are increments."""
    return ((t.creation_ms // DAY_MS) + 3) % 7 == 6  # 1970-01-01 was a Thursday
