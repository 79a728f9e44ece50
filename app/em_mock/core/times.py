"""Date-time text: how the EM API writes instants and which forms a filter accepts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)  # UTC, without a zone: isoformat then writes no offset

_ACCEPTED = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)


def _fraction(us_part: int, digits: int) -> str:
    text = f"{us_part:06d}"[:digits].rstrip("0")
    return "." + text if text else ""


def _split(ms: int) -> tuple[datetime, int]:
    seconds, millis = divmod(ms, 1000)
    return _NAIVE_EPOCH + timedelta(seconds=seconds), millis * 1000


def _whole(moment: datetime, sep: str) -> str:
    # isoformat, not strftime("%Y"): the C library writes year 1 as "1", not "0001".
    return moment.isoformat(sep=sep, timespec="seconds")


# Instants are written from tables: the date of a day number (kept once seen, up to a
# bound), ``HH:MM:`` of a minute of the day, ``SS`` of a second, and the fraction of a
# millisecond (what a page of thousands of sessions spends much of its time on).
_DATES: dict[int, str] = {}
_DATES_KEPT = 50_000
_HOURS_MINUTES = [f"{h:02d}:{m:02d}:" for h in range(24) for m in range(60)]
_SECONDS = [f"{s:02d}" for s in range(60)]
_MILLIS = ["." + f"{ms:03d}".rstrip("0") if ms else "" for ms in range(1000)]


def _date(days: int) -> str:
    text = _DATES.get(days)
    if text is None:
        # isoformat, not strftime("%Y"): the C library writes year 1 as "1", not "0001".
        text = (_NAIVE_EPOCH + timedelta(days=days)).date().isoformat()
        if len(_DATES) < _DATES_KEPT:
            _DATES[days] = text
    return text


def _clock(seconds: int, sep: str) -> str:
    days, second = divmod(seconds, 86_400)
    minute, second = divmod(second, 60)
    return _date(days) + sep + _HOURS_MINUTES[minute] + _SECONDS[second]


def format_instant(ms: int, digits: int = 3) -> str:
    """``2025-01-13T16:21:35.74Z``: UTC, up to ``digits`` fractional digits, zeros trimmed."""
    seconds, millis = divmod(ms, 1000)
    days, second = divmod(seconds, 86_400)  # _clock, inlined: the most frequent call of all
    minute, second = divmod(second, 60)
    whole = ((_DATES.get(days) or _date(days)) + "T" + _HOURS_MINUTES[minute]
             + _SECONDS[second])
    if not millis:
        return whole + "Z"
    if digits >= 3:  # whole milliseconds: 3 digits at most
        return whole + _MILLIS[millis] + "Z"
    fraction = f"{millis:03d}"[:digits].rstrip("0")
    return whole + "." + fraction + "Z" if fraction else whole + "Z"


def format_instant_ms(ms: int) -> str:
    """``2025-01-13T16:21:35.740Z``: UTC, always three fractional digits.

    How em-mock writes its own times (fixture files, the journal, the control API); the
    EM API itself writes :func:`format_instant`, as the vendor does.
    """
    whole, micros = _split(ms)
    return _whole(whole, "T") + f".{micros // 1000:03d}Z"


def name_suffix(ms: int, digits: int = 0) -> str:
    """The ``yyyy-MM-dd HH:mm:ss`` suffix of a session name; v13 adds the fraction."""
    seconds, millis = divmod(ms, 1000)
    whole = _clock(seconds, " ")
    if not digits or not millis:
        return whole
    if digits >= 3:
        return whole + _MILLIS[millis]
    return whole + _fraction(millis * 1000, digits)


def parse_instant_us(text: str) -> int | None:
    """Microseconds since the epoch for an accepted date-time text, or ``None``.

    Accepted: a date alone (midnight UTC), or date and time with or without seconds,
    0-7 fractional digits (the seventh is dropped), and an optional ``Z`` or offset.
    """
    match = _ACCEPTED.match(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, frac, zone = match.groups()
    try:
        moment = datetime(
            int(year), int(month), int(day),
            int(hour or 0), int(minute or 0), int(second or 0), tzinfo=UTC,
        )
    except ValueError:
        return None
    micros = int((frac or "").ljust(7, "0")[:6]) if frac else 0
    offset_s = 0
    if zone and zone.upper() != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset_s = sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds - offset_s) * 1_000_000 + micros


def parse_instant_ticks(text: str) -> int | None:
    """Like :func:`parse_instant_us`, in 100-nanosecond ticks, so a seventh fractional
    digit counts (filters compare at the full precision a client writes)."""
    match = _ACCEPTED.match(text.strip())
    if not match:
        return None
    us = parse_instant_us(text)
    if us is None:
        return None
    frac = match.group(7) or ""
    seventh = int(frac[6]) if len(frac) == 7 else 0
    return us * 10 + seventh


def parse_instant_ms(text: str) -> int | None:
    """Like :func:`parse_instant_us`, but only for whole milliseconds (fixture files)."""
    us = parse_instant_us(text)
    if us is None or us % 1000:
        return None
    return us // 1000
