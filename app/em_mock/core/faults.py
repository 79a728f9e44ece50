"""Fault rules: make matching EM API requests fail, slow down, drop or arrive cut short."""

from __future__ import annotations

import fnmatch
import random
from dataclasses import dataclass, field
from typing import Any

ACTIONS = ("error", "latency", "drop", "truncate")


class FaultRuleError(ValueError):
    """A fault rule that cannot be used; the message says why."""


@dataclass
class FaultRule:
    """One rule. ``path`` is a glob over the request path (any case, ``*`` and ``?``)."""

    id: int
    action: str
    method: str = "*"
    path: str = "*"
    query_type: str | None = None
    probability: float = 1.0
    count: int | None = None
    status: int = 500
    message: str = "Fault injected by em-mock."
    latency_ms: int = 0
    jitter_ms: int = 0
    matched: int = 0
    fired: int = 0

    def matches(self, method: str, path: str, query_type: str | None) -> bool:
        """True when the request is one this rule is about."""
        if self.method != "*" and self.method != method.upper():
            return False
        if not fnmatch.fnmatchcase(path.lower(), self.path.lower()):
            return False
        return self.query_type is None or (query_type or "").lower() == self.query_type.lower()

    def to_json(self) -> dict[str, Any]:
        """The rule as the control API shows it."""
        return {
            "id": self.id, "action": self.action, "method": self.method, "path": self.path,
            "type": self.query_type, "probability": self.probability, "count": self.count,
            "status": self.status, "message": self.message, "latencyMs": self.latency_ms,
            "jitterMs": self.jitter_ms, "matched": self.matched, "fired": self.fired,
        }


def _number(spec: dict[str, Any], key: str, default: Any, low: float, high: float,
            whole: bool = True) -> Any:
    value = spec.get(key, default)
    if value is None:
        return None
    kinds = (int,) if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
        kind = "a whole number" if whole else "a number"
        raise FaultRuleError(f"{key} must be {kind} from {low:g} to {high:g}, not {value!r}")
    return value


def rule_from_json(rule_id: int, spec: Any) -> FaultRule:
    """Validate a rule written as JSON (see the README) and build it."""
    if not isinstance(spec, dict):
        raise FaultRuleError("a fault rule must be a JSON object")
    known = {"action", "method", "path", "type", "probability", "count", "status", "message",
             "latencyMs", "jitterMs"}
    unknown = sorted(set(spec) - known)
    if unknown:
        raise FaultRuleError(f"unknown keys {unknown}; known: {sorted(known)}")
    action = spec.get("action")
    if action not in ACTIONS:
        raise FaultRuleError(f"action must be one of {', '.join(ACTIONS)}, not {action!r}")
    for key in ("method", "path", "type", "message"):
        if key in spec and spec[key] is not None and not isinstance(spec[key], str):
            raise FaultRuleError(f"{key} must be a string")
    rule = FaultRule(
        id=rule_id, action=action,
        method=str(spec.get("method") or "*").upper(),
        path=str(spec.get("path") or "*"),
        query_type=spec.get("type"),
        probability=float(_number(spec, "probability", 1.0, 0, 1, whole=False)),
        count=_number(spec, "count", None, 1, 10**9),
        status=_number(spec, "status", 500, 400, 599),
        message=str(spec.get("message") or "Fault injected by em-mock."),
        latency_ms=_number(spec, "latencyMs", 0, 0, 600_000),
        jitter_ms=_number(spec, "jitterMs", 0, 0, 600_000),
    )
    if action == "latency" and rule.latency_ms == 0 and rule.jitter_ms == 0:
        raise FaultRuleError("a latency rule needs latencyMs or jitterMs")
    return rule


@dataclass
class Faults:
    """The active rules; chances are drawn from the mock's seeded generator."""

    rng: random.Random
    rules: list[FaultRule] = field(default_factory=list)
    _next_id: int = 1

    def add(self, spec: Any) -> FaultRule:
        """Validate and add a rule."""
        rule = rule_from_json(self._next_id, spec)
        self._next_id += 1
        self.rules.append(rule)
        return rule

    def remove(self, rule_id: int) -> bool:
        """Drop one rule; False if there was none with that id."""
        before = len(self.rules)
        self.rules = [r for r in self.rules if r.id != rule_id]
        return len(self.rules) != before

    def clear(self) -> None:
        """Drop every rule."""
        self.rules.clear()
        self._next_id = 1

    def pick(self, method: str, path: str, query_type: str | None) -> FaultRule | None:
        """The first rule that fires for this request (counting it), or ``None``."""
        for rule in self.rules:
            if not rule.matches(method, path, query_type):
                continue
            rule.matched += 1
            if rule.probability < 1 and self.rng.random() >= rule.probability:
                continue
            rule.fired += 1
            if rule.count is not None:
                rule.count -= 1
                if rule.count == 0:
                    self.rules.remove(rule)
            return rule
        return None
