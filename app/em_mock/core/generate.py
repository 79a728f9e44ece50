"""The seeded generator: families contribute seeders, run in rank order on one context.

Everything is drawn from seeded ``random.Random`` streams and placed relative to
``now_ms``, so the same seed and sizes give the same data, shifted with the clock;
exported, it is written relative to one fixed ``GENERATED_ANCHOR_MS`` whatever the clock.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from em_mock.core.tables import DataSet

DEFAULT_SEED = 1
# The Anchor generated data is exported at (2026-01-01T00:00:00.000Z), whatever the clock:
# the same seed and sizes always export the same bytes.
GENERATED_ANCHOR_MS = 1_767_225_600_000


@dataclass(frozen=True, slots=True)
class Sizes:
    """How much data to generate (the CLI's size options)."""

    backup_servers: int = 3
    failover_plans: int = 12
    sessions: int = 500


@dataclass(slots=True)
class SeedContext:
    """What seeders share: the seed, the sizes, the clock's now, the data being built and
    the main random stream (seeders that draw from it must keep their order)."""

    seed: int
    sizes: Sizes
    now_ms: int
    data: DataSet
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)


@dataclass(frozen=True, slots=True)
class Seeder:
    """One step of generation; steps run in rank order."""

    rank: int
    run: Callable[[SeedContext], None]


SEEDERS: list[Seeder] = []


def register_seeders(*seeders: Seeder) -> None:
    """Add generation steps (kept in rank order)."""
    SEEDERS.extend(seeders)
    SEEDERS.sort(key=lambda seeder: seeder.rank)


def new_guid(rng: random.Random) -> str:
    """A random (version 4) GUID drawn from ``rng``."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def generate(seed: int, sizes: Sizes, now_ms: int) -> DataSet:
    """A data set for ``seed`` and ``sizes``, with times relative to ``now_ms``."""
    ctx = SeedContext(seed, sizes, now_ms,
                      DataSet(anchor_ms=now_ms, source_anchor_ms=GENERATED_ANCHOR_MS))
    for seeder in SEEDERS:
        seeder.run(ctx)
    return ctx.data
