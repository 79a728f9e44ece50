"""What a CDP replica can be restored to: the intervals its replication covered and the
long-term restore points inside them (``CdpReplicaIntervals``).

A session covers a set of VMs from the latest start to the earliest end of their tasks
(a session still working covers up to now), unless one of those tasks failed. Long-term
points fall every ``LongTermRetentionHours`` from the start of each covered span; they are
application-consistent when an include of those VMs uses VSS.
"""

from __future__ import annotations

from dataclasses import dataclass

from em_mock.core.ids import derived_id
from em_mock.core.tables import Store
from em_mock.core.times import format_instant
from em_mock.core.wire.tree import Layer, ListOf, Node
from em_mock.families.cdp.model import CDP_SESSIONS, CdpPolicy

HOUR_MS = 3_600_000


@dataclass(frozen=True, slots=True)
class Availability:
    """The covered spans and the restore points ``(id, instant)`` of some VMs of a policy."""

    spans: list[tuple[int, int]]
    points: list[tuple[str, int]]
    consistent: bool
    rpo_seconds: int

    def covers(self, ms: int) -> bool:
        """True when a restore to ``ms`` is possible."""
        return any(lo <= ms <= hi for lo, hi in self.spans)


def availability(store: Store, policy: CdpPolicy, refs: list[str], now_ms: int) -> Availability:
    """Where the VMs ``refs`` of ``policy`` can be restored to."""
    wanted = {r.lower() for r in refs}
    spans: list[tuple[int, int]] = []
    for s in CDP_SESSIONS.rows(store):
        tasks = [t for t in s.tasks if t.vm_ref.lower() in wanted] if s.policy is policy else []
        if not tasks or any(t.result == "Failed" for t in tasks):
            continue
        # Whole seconds, as the intervals are written.
        lo = -(-max(t.creation_ms for t in tasks) // 1000) * 1000
        hi = min(now_ms if t.end_ms is None else t.end_ms for t in tasks) // 1000 * 1000
        if hi > lo:
            spans.append((lo, hi))
    spans.sort()
    period = max(1, policy.options.long_term_hours) * HOUR_MS
    key = " ".join(sorted(wanted))
    points = [(derived_id("CdpRestorePoint", f"{policy.id} {key} {at}"), at)
              for lo, hi in spans for at in range(lo, hi, period)]
    consistent = any(inc.vss_mode != "Disabled" for inc in policy.includes
                     if any(vm.ref.lower() in wanted for vm in inc.vms))
    return Availability(spans, points, consistent, policy.options.rpo_ms // 1000)


def _when(ms: int) -> str:
    # As the vendor's example writes these: whole seconds, no zone designator.
    return format_instant(ms, 0).removesuffix("Z")


def intervals_node(a: Availability, start_ms: int, end_ms: int) -> Node:
    """``CdpReplicaIntervals`` for the window ``start_ms`` .. ``end_ms``."""
    spans = [(max(lo, start_ms), min(hi, end_ms)) for lo, hi in a.spans
             if min(hi, end_ms) > max(lo, start_ms)]
    points = [(pid, at) for pid, at in a.points if start_ms <= at <= end_ms]
    return Node("CdpReplicaIntervals", [Layer(elems=[
        ("StartDate", _when(start_ms)), ("EndDate", _when(end_ms)),
        ("HasApplicationConsistentState", a.consistent and bool(points)),
        ("Intervals", ListOf([Node("Interval", [Layer(elems=[
            ("StartDate", _when(lo)), ("EndDate", _when(hi)), ("Rpo", a.rpo_seconds),
            ("IntervalType", "RestoreAvailable")])]) for lo, hi in spans])),
        ("RestorePoints", ListOf([Node("RestorePoint", [Layer(elems=[
            ("Id", pid), ("Date", _when(at)), ("IsApplicationConsistent", a.consistent)])])
            for pid, at in points])),
    ])])
