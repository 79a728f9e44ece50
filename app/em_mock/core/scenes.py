"""Scenes: one-call demo scenarios the control API plays (``POST /mock/scenes/{name}``).

A scene is a small, named change to the running mock (a job's next run fails, a
repository fills up, a plan starts, time moves on) with a few parameters. Families
register the scenes about their own data; the core registers "time flies", which moves
the clock and lets every family start the runs its schedules hold (``register_scheduler``).

Parameters are checked here, against their declarations, so a bad body is one 400 with
every reason, whatever the scene.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from em_mock.core.clock import ClockRangeError, check_range
from em_mock.core.runtime import Runtime
from em_mock.core.times import format_instant_ms

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS


class SceneError(Exception):
    """A scene that cannot be played: ``status`` (400, 404) and every reason."""

    def __init__(self, status: int, message: str, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or []


@dataclass(frozen=True, slots=True)
class SceneParam:
    """One parameter of a scene: ``kind`` is ``string`` or ``integer``; ``lookup`` names
    the query type whose entities' names (or UIDs) the value picks from; ``presets`` are
    the values a console offers first."""

    name: str
    kind: str
    description: str
    default: Any = None
    minimum: int | None = None
    maximum: int | None = None
    lookup: str = ""
    presets: tuple[Any, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "description": self.description,
                "default": self.default, "minimum": self.minimum, "maximum": self.maximum,
                "lookup": self.lookup or None, "presets": list(self.presets)}


Play = Callable[[Runtime, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Scene:
    """A demo scenario: ``play(runtime, params)`` does it and says what it did."""

    name: str
    title: str
    description: str
    params: tuple[SceneParam, ...]
    play: Play
    rank: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "description": self.description,
                "params": [p.to_json() for p in self.params]}


SCENES: dict[str, Scene] = {}

# Whoever keeps a schedule (the jobs family): ``scheduler(runtime, from_ms, to_ms)`` puts
# the runs due in ``(from_ms, to_ms]`` on the simulation's calendar.
Scheduler = Callable[[Runtime, int, int], None]
SCHEDULERS: list[Scheduler] = []


def register_scene(scene: Scene) -> Scene:
    """Add ``scene``; scenes list by rank."""
    if scene.name in SCENES:
        raise ValueError(f"scene {scene.name!r} registered twice")
    SCENES[scene.name] = scene
    return scene


def register_scheduler(scheduler: Scheduler) -> Scheduler:
    """Add a keeper of schedules for "time flies"."""
    SCHEDULERS.append(scheduler)
    return scheduler


def scenes() -> list[Scene]:
    """Every scene, by rank."""
    return sorted(SCENES.values(), key=lambda s: (s.rank, s.name))


def _value(param: SceneParam, raw: Any, errors: list[str]) -> Any:
    if param.kind == "integer":
        if isinstance(raw, bool) or not isinstance(raw, int):
            errors.append(f"{param.name}: must be a whole number")
            return None
        low, high = param.minimum, param.maximum
        if (low is not None and raw < low) or (high is not None and raw > high):
            errors.append(f"{param.name}: must be between {low} and {high}")
            return None
        return raw
    if not isinstance(raw, str) or not raw.strip():
        errors.append(f"{param.name}: must be a non-empty string")
        return None
    if len(raw) > 500:
        errors.append(f"{param.name}: must be at most 500 characters")
        return None
    return raw.strip()


def parameters(scene: Scene, body: Any) -> dict[str, Any]:
    """The scene's parameters from a JSON body (``None``: all defaults); raises
    :class:`SceneError` (400) with every reason."""
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise SceneError(400, f"The body of scene {scene.name!r} must be a JSON object of "
                              "its parameters.")
    known = {p.name: p for p in scene.params}
    errors = [f"{key}: not a parameter of this scene (it takes: "
              f"{', '.join(known) or 'none'})" for key in body if key not in known]
    values: dict[str, Any] = {}
    for param in scene.params:
        raw = body.get(param.name)
        values[param.name] = param.default if raw is None else _value(param, raw, errors)
    if errors:
        raise SceneError(400, f"The parameters of scene {scene.name!r} are not valid; nothing "
                              "was changed.", errors)
    return values


def play(rt: Runtime, name: str, body: Any) -> dict[str, Any]:
    """Play scene ``name`` with ``body``; what it did, with the clock's time after it."""
    scene = SCENES.get(name)
    if scene is None:
        raise SceneError(404, f"No scene {name!r}; these can be played: "
                              f"{', '.join(s.name for s in scenes())}.")
    values = parameters(scene, body)
    rt.simulation.advance(rt.store, rt.clock.now_ms())
    done = scene.play(rt, values)
    now = rt.clock.now_ms()
    rt.simulation.advance(rt.store, now)
    return {"scene": scene.name, **done, "clock": format_instant_ms(now)}


def pick(rows: list[Any], wanted: str | None, what: str, name: Callable[[Any], str],
         uid: Callable[[Any], str]) -> Any:
    """The row whose name (any case) or UID (URN or bare GUID) is ``wanted``; 404 if
    none is."""
    assert wanted is not None
    text = wanted.strip()
    guid = text.rsplit(":", 1)[-1].lower()
    for row in rows:
        if name(row).lower() == text.lower() or uid(row).lower() == guid:
            return row
    raise SceneError(404, f"No {what} is named {wanted!r} or has that UID.")


# --- time flies ---------------------------------------------------------------------------


def time_flies(rt: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    """Move the clock on by ``hours``, a day at most per step, and let the schedules start
    every run due on the way (at its own time)."""
    hours: int = params["hours"]
    start = rt.clock.now_ms()
    target = start + hours * HOUR_MS
    try:
        check_range(target)
    except ClockRangeError as exc:
        raise SceneError(400, f"The clock was not moved: {exc}.") from None
    here = start
    while here < target:
        step_end = min(here + DAY_MS, target)
        for scheduler in SCHEDULERS:
            scheduler(rt, here, step_end)
        rt.clock.set(step_end)
        rt.simulation.advance(rt.store, step_end)
        here = step_end
    return {"hours": hours, "from": format_instant_ms(start)}


register_scene(Scene(
    "time-flies", "Time flies",
    "Move the mock's clock on by some hours; the jobs whose schedule falls on the way run "
    "then, and runs in flight move on (a running clock keeps running).",
    (SceneParam("hours", "integer", "how far to move the clock, in hours", 1, 1, 168,
                presets=(1, 24)),),
    time_flies, 90))

