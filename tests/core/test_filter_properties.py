"""Property tests of the filter language over ``type=CloudFailoverSession``.

1. A random filter tree, written out in any of the spellings the spec allows (field
   and enum case, quoting, redundant parentheses, spaces, percent-encoding), parses
   back to the same tree.
2. The parsed filter selects -- through ``compile_predicate`` and through
   ``run_query`` with its indexes -- exactly what a small reference evaluator written
   here from the spec's rules (6.2) selects.
3. Any text either parses or raises ``FilterError``; over HTTP it never gives a 5xx,
   and a 400 carries an EM ``Error`` document.
"""

from __future__ import annotations

import math
import operator
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, quote_plus, unquote_plus

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from em_mock import Settings, create_app
from em_mock.core.filter import (
    And,
    Comparison,
    Expr,
    FilterError,
    Or,
    compile_predicate,
    parse_filter,
)
from em_mock.core.generate import Sizes, generate
from em_mock.core.query import run_query
from em_mock.core.runtime import Runtime
from em_mock.core.store import Store
from em_mock.families.cloud.model import PLANS, SESSIONS
from em_mock.families.cloud.queries import CLOUD_FAILOVER_SESSION
from em_mock.families.infrastructure.model import SERVERS
from tests.helpers import JSON, logon

T = CLOUD_FAILOVER_SESSION
NOW_MS = 1_781_524_800_000  # 2026-06-15T12:00:00Z
TICKS = 10_000_000  # 100 ns ticks per second: the finest precision a literal can carry
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
OPS = ("==", "!=", "<", "<=", ">", ">=")
COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt,
    "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}

# Spec 7.4, written out here rather than read from the registry.
KINDS = {
    "UID": "uid", "Name": "string", "Type": "enum", "CreationTime": "datetime",
    "EndTime": "datetime", "State": "enum", "Result": "enum", "FailureMessage": "string",
    "BackupServerUid": "uid", "BackupServerName": "string",
}
ENUMS = {  # declared order; None (running) first for Result
    "Type": ("FailoverPlan",),
    "State": ("Starting", "Stopping", "Working", "Stopped"),
    "Result": ("None", "Success", "Warning", "Failed"),
}
URN_TYPES = {"UID": "CloudFailoverSession", "BackupServerUid": "BackupServer"}

PROPERTY = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


# --- a filter tree of our own -----------------------------------------------------------


@dataclass(frozen=True)
class Lit:
    """``field op value``. ``value`` is what the literal means: the effective text of a
    string (after a bare value's spaces are dropped), the declared spelling of an enum
    value, a lower-case GUID, or an instant in 100 ns ticks since the epoch."""

    field: str
    op: str
    value: Any
    quoted: bool  # for strings the quoting is part of the meaning; otherwise a style choice


@dataclass(frozen=True)
class AllOf:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Node, ...]


Node = Lit | AllOf | AnyOf


def bare_safe(text: str) -> bool:
    """Can ``text`` be written as a bare value and read back as itself?"""
    return (text != "" and " " not in text and not any(c in text for c in ";,)")
            and text[0] not in '"=')


def ticks_text(ticks: int, digits: int, zone: bool) -> str:
    seconds, fraction = divmod(ticks, TICKS)
    moment = EPOCH + timedelta(seconds=seconds)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if digits:
        text += "." + f"{fraction:07d}"[:digits]
    return text + ("Z" if zone else "")


def canonical_text(lit: Lit) -> str:
    """The plainest spelling of ``lit``'s value, quoted."""
    text = ticks_text(lit.value, 7, True) if KINDS[lit.field] == "datetime" else lit.value
    return '"' + text.replace('"', '""') + '"'


def expected_tree(node: Node) -> Expr:
    """The AST ``node`` must parse to: its shape, with each literal as the canonical
    spelling of the same value parses."""
    if isinstance(node, Lit):
        value = parse_filter(f"{node.field}=={canonical_text(node)}", T)
        assert isinstance(value, Comparison)
        return Comparison(node.field, node.op, value.value)
    items = tuple(expected_tree(item) for item in node.items)
    return And(items) if isinstance(node, AllOf) else Or(items)


# --- strategies -------------------------------------------------------------------------

FIELD_NAMES = tuple(KINDS)
STRING_ALPHABET = st.sampled_from(list("abcXYZ019 _-.:'\"();,=!<>&#%+/\\éßİ\t"))
DAY = 86_400 * TICKS
LOW, HIGH = 631_152_000 * TICKS, 3_786_912_000 * TICKS  # 1990 .. 2090
ANY_TICKS = st.one_of(
    st.integers(LOW, HIGH),
    st.integers(LOW // DAY, HIGH // DAY).map(lambda d: d * DAY),
    st.integers(LOW // TICKS, HIGH // TICKS).map(lambda s: s * TICKS),
    st.integers(LOW // 10_000, HIGH // 10_000).map(lambda m: m * 10_000),
)


def string_lit(field: str, op: str, texts: st.SearchStrategy[str]) -> st.SearchStrategy[Lit]:
    def build(text: str, want_bare: bool) -> Lit:
        squeezed = text.replace(" ", "")
        if want_bare and bare_safe(squeezed):
            return Lit(field, op, squeezed, quoted=False)
        return Lit(field, op, text, quoted=True)
    return st.builds(build, texts, st.booleans())


def lits(values: Callable[[str], st.SearchStrategy[Any]],
         ops: st.SearchStrategy[str]) -> st.SearchStrategy[Lit]:
    @st.composite
    def one(draw: st.DrawFn) -> Lit:
        field = draw(st.sampled_from(FIELD_NAMES))
        op = draw(ops)
        if KINDS[field] == "string":
            return draw(string_lit(field, op, values(field)))
        return Lit(field, op, draw(values(field)), quoted=draw(st.booleans()))
    return one()


def trees(leaf: st.SearchStrategy[Lit]) -> st.SearchStrategy[Node]:
    def extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
        group = st.lists(children, min_size=2, max_size=3).map(tuple)
        return st.one_of(group.map(AllOf), group.map(AnyOf))
    return st.recursive(leaf, extend, max_leaves=6)


def any_values(field: str) -> st.SearchStrategy[Any]:
    kind = KINDS[field]
    if kind == "string":
        return st.one_of(st.text(STRING_ALPHABET, max_size=12), st.text(max_size=6))
    if kind == "enum":
        return st.sampled_from(ENUMS[field])
    if kind == "uid":
        return st.uuids().map(str)
    return ANY_TICKS


# --- rendering ----------------------------------------------------------------------------


class Writer:
    """Writes a tree as filter text, taking every style choice from ``rnd``."""

    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd

    def space(self) -> str:
        return " " * self.rnd.choice((0, 0, 1, 2))

    def any_case(self, text: str) -> str:
        mask = self.rnd.getrandbits(len(text)) if text else 0
        return "".join(c.upper() if mask >> i & 1 and c.isascii() else c
                       for i, c in enumerate(text))

    def spaced(self, text: str) -> str:
        """A bare value with spaces sprinkled in (they are dropped when read)."""
        mask = self.rnd.getrandbits(len(text)) & self.rnd.getrandbits(len(text))
        return "".join(" " * (mask >> i & 1) + c for i, c in enumerate(text)) + self.space()

    def value(self, lit: Lit) -> str:
        kind = KINDS[lit.field]
        if kind in ("string", "enum"):
            text = self.any_case(lit.value)
        elif kind == "uid":
            text = self.any_case(lit.value)
            if self.rnd.random() < 0.5:
                text = self.any_case(f"urn:veeam:{URN_TYPES[lit.field]}:") + text
        else:
            fraction = lit.value % TICKS
            needed = len(f"{fraction:07d}".rstrip("0"))
            if lit.value % DAY == 0 and self.rnd.random() < 0.5:
                text = ticks_text(lit.value, 0, False)[:10]
            else:
                text = ticks_text(lit.value, self.rnd.randint(needed, 7),
                                  self.rnd.random() < 0.5)
        if lit.quoted:
            return '"' + text.replace('"', '""') + '"'
        return self.spaced(text)

    def node(self, node: Node, needs_parens: bool = False) -> str:
        if isinstance(node, Lit):
            body = (self.any_case(node.field) + self.space() + node.op + self.space()
                    + self.value(node))
        elif isinstance(node, AllOf):
            body = ";".join(self.node(item, isinstance(item, AllOf | AnyOf))
                            for item in node.items)
        else:
            body = ",".join(self.node(item, isinstance(item, AnyOf)) for item in node.items)
        extra = self.rnd.choice((0, 0, 0, 1, 2)) + (1 if needs_parens else 0)
        for _ in range(extra):
            body = "(" + self.space() + body + self.space() + ")"
        return self.space() + body + self.space()

    def encoded(self, text: str) -> str:
        """``text`` percent-encoded as a URL might carry it: fully, or only in part
        (``%`` and ``+`` always, since a decoder reads them)."""
        if self.rnd.random() < 0.5:
            return quote_plus(text, safe="")
        out = []
        for c in text:
            if c in "%+" or self.rnd.random() < 0.5:
                out.append(quote_plus(c, safe="") if c == " " and self.rnd.random() < 0.5
                           else quote(c, safe=""))
            else:
                out.append(c)
        return "".join(out)


# --- 1. any spelling parses back to the tree ------------------------------------------------


@PROPERTY
@given(tree=trees(lits(any_values, st.sampled_from(OPS))), rnd=st.randoms(),
       encode=st.booleans())
def test_filter_any_allowed_spelling_parses_back_to_the_same_tree(tree, rnd, encode):
    writer = Writer(rnd)
    text = writer.node(tree)
    note(f"filter: {text!r}")
    if encode:
        sent = writer.encoded(text)
        note(f"sent: {sent!r}")
        received = unquote_plus(sent)
        assert received == text
    else:
        received = text
    assert parse_filter(received, T) == expected_tree(tree)


# --- 2. selection agrees with a reference evaluator -------------------------------------------


def _data() -> Store:
    data = generate(7, Sizes(backup_servers=2, failover_plans=5, sessions=150), NOW_MS)
    plans = list(PLANS.of(data).values())
    plans[0].name = 'ABC "Gold" Plan'
    plans[1].name = "alpha"
    plans[2].name = "Beta"
    sessions = list(SESSIONS.of(data).values())
    # Turn a few sessions into running ones (no end, no result, no message yet).
    for session, state in zip(sessions[-4:], ("Starting", "Stopping", "Working", "Working"),
                              strict=True):
        session.state, session.result, session.end_ms = state, "None", None
        session.failure_message = None
    sessions[5].failure_message = "Network Re-mapping FAILED"
    return Store(data)


STORE = _data()
ROWS = T.rows(STORE)
SERVERS = list(SERVERS.of(STORE.data).values())
INSTANTS_MS = {
    "CreationTime": sorted(s.creation_ms for s in ROWS),
    "EndTime": sorted(s.end_ms for s in ROWS if s.end_ms is not None),
}
# Offsets in ticks from a stored instant: the same instant, 100 ns, 1 us, 1 ms, 1 s away.
NEAR = (0, 0, 1, -1, 1, -1, 10, -10, 10_000, -10_000, 10_000_000, -10_000_000)
COARSE_NEAR = tuple(n for n in NEAR if n % 10 == 0)  # whole microseconds only


RAW: dict[str, Callable[[Any], Any]] = {  # spec 7.4's "maps to" column
    "UID": lambda s: s.id,
    "Name": lambda s: s.plan.name,
    "Type": lambda s: s.job_type,
    "CreationTime": lambda s: s.creation_ms,
    "EndTime": lambda s: s.end_ms,
    "State": lambda s: s.state,
    "Result": lambda s: s.result,
    "FailureMessage": lambda s: s.failure_message,
    "BackupServerUid": lambda s: s.plan.backup_server.id,
    "BackupServerName": lambda s: s.plan.backup_server.name,
}


def reference(node: Node, session: Any) -> bool:
    """Spec 6.2 read directly: strings case-insensitively (lower-cased, by code point),
    enums by declared order, date-times as instants at full precision, UIDs on the
    GUID in any case; an absent value satisfies only ``!=``."""
    if isinstance(node, AllOf):
        return all(reference(item, session) for item in node.items)
    if isinstance(node, AnyOf):
        return any(reference(item, session) for item in node.items)
    value = RAW[node.field](session)
    if value is None:
        return node.op == "!="
    kind = KINDS[node.field]
    if kind in ("string", "uid"):
        left, right = value.lower(), node.value.lower()
    elif kind == "enum":
        order = ENUMS[node.field]
        left, right = order.index(value), order.index(node.value)
    else:
        left, right = value * (TICKS // 1000), node.value
    return COMPARE[node.op](left, right)


def data_values(field: str, near: tuple[int, ...] = NEAR) -> st.SearchStrategy[Any]:
    kind = KINDS[field]
    if field == "UID":
        return st.one_of(st.sampled_from([s.id for s in ROWS]), st.uuids().map(str))
    if field == "BackupServerUid":
        return st.one_of(st.sampled_from([s.id for s in SERVERS]), st.uuids().map(str))
    if kind == "enum":
        return st.sampled_from(ENUMS[field])
    if kind == "datetime":
        known = INSTANTS_MS[field]
        step = math.gcd(*near) or 1  # 1 tick, or 10 (a whole microsecond) for COARSE_NEAR
        return st.one_of(
            st.builds(lambda ms, offset: ms * 10_000 + offset,
                      st.sampled_from(known), st.sampled_from(near)),
            st.integers((known[0] * 10_000 - DAY) // step, (known[-1] * 10_000 + DAY) // step)
            .map(lambda n: n * step),
        )
    if field == "Name":
        known = sorted({s.plan.name for s in ROWS})
    elif field == "BackupServerName":
        known = [s.name for s in SERVERS]
    else:
        known = sorted({s.failure_message for s in ROWS if s.failure_message})
    return st.one_of(
        st.sampled_from(known),
        st.builds(lambda text, cut: text[:cut], st.sampled_from(known), st.integers(0, 12)),
        st.text(STRING_ALPHABET, max_size=8),
    )


# Mostly "==" so that many filters are answered from the value indexes.
DATA_OPS = st.one_of(st.just("=="), st.sampled_from(OPS))


def _ids(rows: Any) -> list[str]:
    return [row.id for row in rows]


def coarse_values(field: str) -> st.SearchStrategy[Any]:
    return data_values(field, COARSE_NEAR)


# Trees use whole-microsecond instants: sub-microsecond literals are the next test's job,
# where a failure shrinks to one comparison quickly.
@PROPERTY
@given(tree=trees(lits(coarse_values, DATA_OPS)), rnd=st.randoms())
def test_filter_selects_what_the_reference_evaluator_selects(tree, rnd):
    text = Writer(rnd).node(tree)
    note(f"filter: {text!r}")
    expr = parse_filter(text, T)
    expected = [row.id for row in ROWS if reference(tree, row)]
    check = compile_predicate(expr, T)
    assert [row.id for row in ROWS if check(row)] == expected
    page = run_query(T, ROWS, STORE, expr=expr, page_size=len(ROWS))
    assert page.total == len(expected)
    assert _ids(page.rows) == expected


@settings(max_examples=250, deadline=None)
@given(lit=lits(data_values, st.sampled_from(OPS)), rnd=st.randoms())
def test_filter_single_comparison_selects_what_the_reference_evaluator_selects(lit, rnd):
    # One comparison at a time, every operator equally likely: each literal's meaning
    # (case, enum order, instants at full precision, absent values) is checked often.
    text = Writer(rnd).node(lit)
    note(f"filter: {text!r}")
    expected = [row.id for row in ROWS if reference(lit, row)]
    check = compile_predicate(parse_filter(text, T), T)
    assert [row.id for row in ROWS if check(row)] == expected


def test_reference_data_has_absent_values_and_every_enum_value():
    # The property above is only as good as its data.
    assert any(s.end_ms is None for s in ROWS)
    assert any(s.failure_message is None for s in ROWS)
    assert any(s.failure_message is not None for s in ROWS)
    assert {s.result for s in ROWS} == set(ENUMS["Result"])
    assert {s.state for s in ROWS} == set(ENUMS["State"])


# --- 3. any text: parsed or rejected, never a crash -------------------------------------------

FILTERISH = st.sampled_from(list('();,"=!<> abXZ019-:.T\t\n%+'))
TOKENS = st.sampled_from([
    "Result", "result", "STATE", "Name", "UID", "uid", "CreationTime", "endtime",
    "BackupServerUid", "FailureMessage", "Type", "Bogus",
    "==", "!=", "<", "<=", ">", ">=", "=", "!", "(", ")", ";", ",", '"', '""', " ",
    "Failed", "failed", "None", "Working", "FailoverPlan", "Tenant01 Failover Plan",
    "2025-08-14", "2025-08-14T12:31:30.389954Z", "2025-13-45", "2026-06-15T11:00:00",
    "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "urn:veeam:CloudFailoverSession:",
    "urn:veeam:BackupServer:", "\n", "\x00", "é",
])
RANDOM_TEXT = st.one_of(
    st.text(FILTERISH, max_size=40),
    st.text(max_size=30),
    st.lists(st.one_of(TOKENS, st.text(FILTERISH, max_size=3)), max_size=14).map("".join),
)


def _parsed_or_rejected(text: str) -> Expr | None:
    try:
        return parse_filter(text, T)
    except FilterError as exc:
        assert str(exc)
        return None


@PROPERTY
@given(text=RANDOM_TEXT)
def test_filter_any_text_parses_or_raises_filter_error(text):
    expr = _parsed_or_rejected(text)
    if expr is not None:
        check = compile_predicate(expr, T)
        scanned = [row.id for row in ROWS if check(row)]
        assert _ids(run_query(T, ROWS, STORE, expr=expr, page_size=len(ROWS)).rows) == scanned


@pytest.fixture(scope="module")
def http() -> Iterator[tuple[TestClient, Runtime, dict[str, str]]]:
    runtime = Runtime.create(Settings(epoch=NOW_MS, frozen_clock=True))
    with TestClient(create_app(runtime=runtime), base_url="http://testserver") as client:
        yield client, runtime, {"X-RestSvcSessionId": logon(client), **JSON}


@PROPERTY
@given(text=RANDOM_TEXT)
def test_filter_any_text_over_http_is_answered_or_a_400_error_never_a_5xx(http, text):
    client, runtime, headers = http
    response = client.get("/api/query", headers=headers,
                          params={"type": "CloudFailoverSession", "filter": text})
    assert response.status_code < 500, response.text
    expr = _parsed_or_rejected(text)
    if expr is None:
        assert response.status_code == 400
        body = response.json()
        assert list(body) == ["FirstChanceExceptionMessage", "Message", "StackTrace",
                              "Status", "StatusCode"]
        assert body["StatusCode"] == 400
        assert "filter" in body["Message"]
        assert "position" in body["Message"] or "limit" in body["Message"]
    else:
        assert response.status_code == 200, response.text
        check = compile_predicate(expr, T)
        total = sum(1 for row in SESSIONS.rows(runtime.store) if check(row))
        assert response.json()["PagingInfo"]["PagesCount"] == math.ceil(total / 100)


def test_filter_percent_encoded_operators_are_decoded_over_http(http):
    client, runtime, headers = http
    failed_or_worse = sum(1 for s in SESSIONS.rows(runtime.store)
                          if s.result in ("Warning", "Failed"))
    query = "/api/query?type=CloudFailoverSession&pageSize=1000&filter=result%3E%3Dwarning"
    body = client.get(query, headers=headers).json()
    assert len(body["Refs"]["Refs"]) == failed_or_worse
    raw = client.get("/api/query?type=CloudFailoverSession&pageSize=1000&filter=Result>=Warning",
                     headers=headers).json()
    assert raw["Refs"] == body["Refs"]

