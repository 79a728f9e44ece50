"""The running mock's state: settings, clock, data store and logon sessions."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from em_mock.core import fixtures, recorded
from em_mock.core.clock import Clock
from em_mock.core.faults import Faults
from em_mock.core.generate import DEFAULT_SEED, Sizes, generate
from em_mock.core.journal import Journal
from em_mock.core.logon import LogonSessions
from em_mock.core.render import RenderCache
from em_mock.core.simulation import Simulation
from em_mock.core.store import Store
from em_mock.core.tables import DataSet
from em_mock.settings import Settings

_PACKAGE = Path(__file__).resolve().parents[1]


def default_fixture_path() -> Path:
    """The embedded default data set: packaged copy first, then the source tree's."""
    for candidate in (_PACKAGE / "_fixtures" / "default.json",
                      _PACKAGE.parents[1] / "fixtures" / "default.json"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("the embedded default fixture (fixtures/default.json) is missing")


def sizes_of(settings: Settings) -> Sizes:
    """The generator sizes the settings ask for (defaults where unset)."""
    base = Sizes()
    return Sizes(
        backup_servers=base.backup_servers if settings.backup_servers is None
        else settings.backup_servers,
        failover_plans=base.failover_plans if settings.failover_plans is None
        else settings.failover_plans,
        sessions=base.sessions if settings.sessions is None else settings.sessions,
    )


def build_data(settings: Settings, clock_start_ms: int) -> DataSet:
    """The data set to serve: a fixture path, the generator, or the embedded default;
    then the hand-written recorded answers (see :func:`recorded_directory`)."""
    if settings.fixtures is not None:
        data = fixtures.load_path(settings.fixtures, clock_start_ms)
    elif settings.generated:
        seed = DEFAULT_SEED if settings.seed is None else settings.seed
        data = generate(seed, sizes_of(settings), clock_start_ms)
    else:
        data = fixtures.load_path(default_fixture_path(), clock_start_ms)
    directory = recorded_directory(settings)
    if directory is not None:
        recorded.load_directory(directory, data)
    return data


def recorded_directory(settings: Settings) -> Path | None:
    """Where hand-written recorded answers are read from: ``--recorded``, else a
    ``recorded`` directory in the fixture directory or beside the fixture file."""
    if settings.recorded is not None:
        return settings.recorded
    if settings.fixtures is None:
        return None
    beside = (settings.fixtures if settings.fixtures.is_dir() else
              settings.fixtures.parent) / "recorded"
    return beside if beside.is_dir() else None


def _rng(settings: Settings) -> random.Random:
    # A stream of its own: seeded like the data, but never repeating the data's GUIDs.
    seed = DEFAULT_SEED if settings.seed is None else settings.seed
    return random.Random(f"em-mock runtime {seed}")


@dataclass
class Runtime:
    """Everything one server instance holds."""

    settings: Settings
    clock: Clock
    store: Store
    logons: LogonSessions
    simulation: Simulation
    faults: Faults
    journal: Journal
    render: RenderCache = field(default_factory=lambda: RenderCache(0, 0))

    @classmethod
    def create(cls, settings: Settings, clock: Clock | None = None,
               data: DataSet | None = None, *, settle_heap: bool = False) -> Runtime:
        """A runtime for ``settings`` (loading its data unless ``data`` is given).

        ``settle_heap`` keeps the data out of the garbage collector's way (see
        :func:`em_mock.core.store.settle_heap`): for a process that serves only this runtime.
        """
        clock = clock or Clock(settings.epoch, frozen=settings.frozen_clock)
        data = data if data is not None else build_data(settings, clock.start_ms)
        logons = LogonSessions(clock, dict(settings.users), settings.session_timeout,
                               settings.max_sessions_per_user, settings.max_sessions)
        rng = _rng(settings)
        return cls(settings, clock, Store(data, settle=settle_heap), logons,
                   Simulation(rng, int(settings.task_delay * 1000)), Faults(rng),
                   Journal(settings.journal_size),
                   RenderCache(settings.render_cache_bytes, settings.answer_cache_bytes))

    def reset(self) -> None:
        """Back to the start-up baseline: data, logon sessions, clock, faults, journal."""
        self.clock.frozen = self.settings.frozen_clock
        self.clock.reset()
        self.store.replace(build_data(self.settings, self.clock.start_ms))
        self.logons.clear()
        self.simulation.clear()
        self.faults.clear()
        self.journal.clear()
        rng = _rng(self.settings)
        self.simulation.rng = rng
        self.faults.rng = rng

    def reseed(self, seed: int, sizes: Sizes) -> None:
        """Replace the data with a generated set relative to the clock's current time
        (the recorded answers stay: they are not generated)."""
        data = generate(seed, sizes, self.clock.now_ms())
        recorded.RECORDED.replace(data, dict(recorded.RECORDED.of(self.store.data)))
        self.store.replace(data)
