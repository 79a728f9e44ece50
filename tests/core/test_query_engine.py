"""The query engine (spec 6.1, 6.3): filtering, sorting and paging of query rows.

``run_query`` answers equality on enum and UID fields from value indexes and other
filters by scanning; both must select the same rows. Sorting is stable, puts absent
values first ascending and last descending, and orders strings by lower-cased text,
enums by declared order and date-times by instant.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from em_mock.core.filter import compile_predicate, parse_filter
from em_mock.core.generate import Sizes, generate
from em_mock.core.query import Sort, run_query
from em_mock.core.store import Store
from em_mock.core.tables import DataSet
from em_mock.core.times import format_instant
from em_mock.families.cloud.model import (
    PLANS,
    SESSIONS,
    CloudFailoverPlan,
    CloudFailoverSession,
    CloudTenant,
)
from em_mock.families.cloud.queries import CLOUD_FAILOVER_SESSION
from em_mock.families.infrastructure.model import SERVERS as SERVER_TABLE
from em_mock.families.infrastructure.model import BackupServer

T = CLOUD_FAILOVER_SESSION
NOW_MS = 1_781_524_800_000  # 2026-06-15T12:00:00Z
BASE = NOW_MS - 86_400_000


class RecordingStore(Store):
    """A store that remembers which derived structures a query asked for."""

    def __init__(self, data: DataSet) -> None:
        super().__init__(data)
        self.asked: list[tuple[Any, ...]] = []

    def get(self, key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
        self.asked.append(key)
        return super().get(key, build)


# --- a small hand-made data set ----------------------------------------------------------

SERVERS = (BackupServer("a1000000-0000-4000-8000-000000000001", "vbr02.example.local"),
           BackupServer("a2000000-0000-4000-8000-000000000002", "VBR01.example.local"))


def _plan(number: int, name: str, server: BackupServer) -> CloudFailoverPlan:
    return CloudFailoverPlan(f"b{number}000000-0000-4000-8000-00000000000{number}", name,
                             CloudTenant(f"c{number}000000-0000-4000-8000-00000000000{number}",
                                         f"Tenant{number}"), server)


# name, created (ms after BASE), ended, state, result, failure, server
SMALL = {
    "s1": ("beta", 3000, 10_000, "Stopped", "Success", None, 0),
    "s2": ("Alpha", 500, None, "Working", "None", None, 1),
    "s3": ("alpha", 2000, 5000, "Stopped", "Failed", "boom", 0),
    "s4": ("Gamma", 500, 5000, "Stopped", "Warning", None, 1),
    "s5": ("beta", 0, None, "Starting", "None", None, 0),
    "s6": ("_x", 1999, 7000, "Stopped", "Success", "Also Failed", 1),
}


def _guid(label: str) -> str:
    return f"{label[1]}0000000-0000-4000-8000-{label[1] * 12}"


def small_store() -> RecordingStore:
    data = DataSet()
    for server in SERVERS:
        SERVER_TABLE.of(data)[server.id] = server
    for number, (label, (name, created, ended, state, result, failure, server)) in enumerate(
            SMALL.items(), 1):
        plan = _plan(number, name, SERVERS[server])
        PLANS.of(data)[plan.id] = plan
        SESSIONS.of(data)[_guid(label)] = CloudFailoverSession(
            _guid(label), plan, BASE + created, None if ended is None else BASE + ended,
            state, result, 100 if ended else 50, failure)
    return RecordingStore(data)


LABEL = {_guid(label): label for label in SMALL}


def labels(filter_text: str | None = None, sort: Sort | None = None, *, page: int = 1,
           page_size: int = 100, store: Store | None = None) -> list[str]:
    store = store or small_store()
    expr = None if filter_text is None else parse_filter(filter_text, T)
    result = run_query(T, T.rows(store), store, expr=expr, sort=sort, page=page,
                       page_size=page_size)
    return [LABEL[row.id] for row in result.rows]


# --- sorting ------------------------------------------------------------------------------


def test_query_without_sort_keeps_creation_order():
    assert labels() == ["s1", "s2", "s3", "s4", "s5", "s6"]
    assert labels("Result!=Warning") == ["s1", "s2", "s3", "s5", "s6"]


def test_query_sorts_strings_by_lower_cased_text_stably():
    # "_" sorts after "A" but before "a": only the lower-cased order puts "_x" first.
    assert labels(sort=Sort("Name")) == ["s6", "s2", "s3", "s1", "s5", "s4"]


def test_query_sorts_descending_keeping_ties_in_creation_order():
    assert labels(sort=Sort("Name", descending=True)) == ["s4", "s1", "s5", "s2", "s3", "s6"]


def test_query_sorts_enums_by_declared_order_not_alphabetically():
    # Result: None < Success < Warning < Failed.
    assert labels(sort=Sort("Result")) == ["s2", "s5", "s1", "s6", "s4", "s3"]
    assert labels(sort=Sort("Result", descending=True)) == ["s3", "s4", "s1", "s6", "s2", "s5"]
    # State: Starting < Stopping < Working < Stopped.
    assert labels(sort=Sort("State")) == ["s5", "s2", "s1", "s3", "s4", "s6"]


def test_query_sorts_date_times_by_instant():
    # 00.000 < 00.500 < 01.999 < 02.000 < 03.000 (as text "…00Z" would sort after "…00.5Z").
    assert labels(sort=Sort("CreationTime")) == ["s5", "s2", "s4", "s6", "s3", "s1"]
    assert labels(sort=Sort("CreationTime", descending=True)) == [
        "s1", "s3", "s6", "s2", "s4", "s5"]


def test_query_sorts_absent_values_first_ascending_and_last_descending():
    assert labels(sort=Sort("EndTime")) == ["s2", "s5", "s3", "s4", "s6", "s1"]
    assert labels(sort=Sort("EndTime", descending=True)) == ["s1", "s6", "s3", "s4", "s2", "s5"]
    assert labels(sort=Sort("FailureMessage")) == ["s1", "s2", "s4", "s5", "s6", "s3"]
    assert labels(sort=Sort("FailureMessage", descending=True)) == [
        "s3", "s6", "s1", "s2", "s4", "s5"]


def test_query_sorts_server_names_case_insensitively():
    # "vbr02" (s1, s3, s5) and "VBR01" (s2, s4, s6): VBR01 first once lower-cased.
    assert labels(sort=Sort("BackupServerName")) == ["s2", "s4", "s6", "s1", "s3", "s5"]


def test_query_sort_applies_to_the_filtered_rows_only():
    assert labels("Result!=None", Sort("CreationTime", descending=True)) == [
        "s1", "s3", "s6", "s4"]


# --- paging -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big() -> Store:
    return Store(generate(3, Sizes(backup_servers=2, failover_plans=4, sessions=150), NOW_MS))


@pytest.mark.parametrize(("page_size", "pages"), [(1, 150), (40, 4), (50, 3), (149, 2),
                                                   (150, 1), (151, 1), (10_000, 1)])
def test_query_pages_count_is_total_over_page_size_rounded_up(big, page_size, pages):
    rows = T.rows(big)
    seen: list[Any] = []
    for number in range(1, pages + 1):
        page = run_query(T, rows, big, page=number, page_size=page_size)
        assert (page.total, page.page, page.page_size) == (150, number, page_size)
        assert page.pages_count == pages == math.ceil(150 / page_size)
        expected = min(page_size, 150 - (number - 1) * page_size)
        assert len(page.rows) == expected
        seen.extend(page.rows)
    assert seen == list(rows)


@pytest.mark.parametrize("past", [1, 2, 10**12])
def test_query_page_past_the_last_is_empty_but_keeps_its_counts(big, past):
    rows = T.rows(big)
    for sort in (None, Sort("Name")):
        page = run_query(T, rows, big, sort=sort, page=4 + past, page_size=40)
        assert page.rows == []
        assert (page.total, page.pages_count, page.page) == (150, 4, 4 + past)


def test_query_empty_result_has_no_pages(big):
    expr = parse_filter("UID==00000000-0000-4000-8000-000000000000", T)
    page = run_query(T, T.rows(big), big, expr=expr, page_size=10)
    assert (page.rows, page.total, page.pages_count) == ([], 0, 0)


def test_query_filtered_pages_cover_every_match_exactly_once(big):
    rows = T.rows(big)
    expr = parse_filter("Result!=Success", T)
    check = compile_predicate(expr, T)
    wanted = [row for row in rows if check(row)]
    first = run_query(T, rows, big, expr=expr, page_size=7)
    seen = [row for n in range(1, first.pages_count + 1)
            for row in run_query(T, rows, big, expr=expr, page=n, page_size=7).rows]
    assert first.total == len(wanted) and first.pages_count == math.ceil(len(wanted) / 7)
    assert seen == wanted


# --- index-backed and scan-backed evaluation agree ----------------------------------------


def _index_keys(store: RecordingStore) -> list[tuple[Any, ...]]:
    return [key for key in store.asked if "index" in key]


def _select(store: RecordingStore, text: str) -> list[str]:
    store.asked.clear()
    expr = parse_filter(text, T)
    return [row.id for row in run_query(T, T.rows(store), store, expr=expr,
                                        page_size=10_000).rows]


def _scan(store: Store, text: str) -> list[str]:
    check = compile_predicate(parse_filter(text, T), T)
    return [row.id for row in T.rows(store) if check(row)]


@pytest.fixture
def gen_store() -> RecordingStore:
    data = generate(5, Sizes(backup_servers=3, failover_plans=6, sessions=250), NOW_MS)
    return RecordingStore(data)


def _pairs(store: Store) -> list[tuple[str, str]]:
    rows = T.rows(store)
    sid = rows[17].id
    server = rows[3].plan.backup_server.id
    when = format_instant(rows[100].creation_ms)
    return [
        ("Result==Failed", "Result>=Failed;Result<=Failed"),
        ("result==failed", "Result>Warning"),
        ("Result==None", "Result<Success"),
        ("Result==Warning,Result==Failed", "Result>=Warning"),
        ("State==Working,State==Starting", "State>=Working;State<=Working,State<=Starting"),
        (f"UID=={sid.upper()}", f"UID>={sid};UID<={sid}"),
        (f"UID==urn:veeam:CloudFailoverSession:{sid}", f"UID>={sid};UID<={sid}"),
        (f"BackupServerUid=={server};Result==Success",
         f"BackupServerUid>={server};BackupServerUid<={server};Result>=Success;Result<=Success"),
        (f"Result==Success;CreationTime>={when}",
         f"Result>=Success;Result<=Success;CreationTime>={when}"),
        (f"(Result==Failed,UID=={sid});Type==FailoverPlan",
         f"(Result>Warning,UID>={sid};UID<={sid});Type>=FailoverPlan"),
        ("Type==FailoverPlan", "Type>=FailoverPlan"),
        ("UID==00000000-0000-4000-8000-000000000000",
         "UID>=00000000-0000-4000-8000-000000000000;UID<=00000000-0000-4000-8000-000000000000"),
    ]


@pytest.mark.parametrize("number", range(12))
def test_query_index_and_scan_select_the_same_rows(gen_store, number):
    indexed, scanned = _pairs(gen_store)[number]
    by_index = _select(gen_store, indexed)
    assert _index_keys(gen_store), f"{indexed!r} was expected to use an index"
    by_scan = _select(gen_store, scanned)
    assert not _index_keys(gen_store), f"{scanned!r} was expected to scan"
    assert by_index == by_scan == _scan(gen_store, indexed) == _scan(gen_store, scanned)


def test_query_index_answers_are_not_trivially_empty(gen_store):
    rows = T.rows(gen_store)
    assert 0 < len(_select(gen_store, "Result==Failed")) < len(rows)
    assert len(_select(gen_store, f"UID=={rows[17].id}")) == 1
    assert len(_select(gen_store, "Result==None")) == sum(s.result == "None" for s in rows)


def test_query_index_follows_a_data_change(gen_store):
    rows = T.rows(gen_store)
    before = _select(gen_store, "Result==Failed")
    target = next(row for row in rows if row.result == "Success")
    target.result = "Failed"
    gen_store.changed()
    after = _select(gen_store, "Result==Failed")
    assert set(after) == set(before) | {target.id}
    assert after == _scan(gen_store, "Result>=Failed")


def test_query_index_with_sort_matches_scan_with_sort(gen_store):
    rows = T.rows(gen_store)
    for sort in (Sort("CreationTime", True), Sort("Name"), Sort("EndTime")):
        for text, twin in (("Result==Failed", "Result>Warning"),
                           (f"UID=={rows[9].id}", f"UID>={rows[9].id};UID<={rows[9].id}"),
                           ("Result==Success", "Result>=Success;Result<=Success")):
            got = run_query(T, rows, gen_store, expr=parse_filter(text, T), sort=sort,
                            page_size=10_000).rows
            want = run_query(T, rows, gen_store, expr=parse_filter(twin, T), sort=sort,
                             page_size=10_000).rows
            assert [r.id for r in got] == [r.id for r in want]


# --- absent values ------------------------------------------------------------------------


@pytest.mark.parametrize(("op", "selects_running"), [
    ("==", False), ("!=", True), ("<", False), ("<=", False), (">", False), (">=", False)])
def test_query_absent_end_time_satisfies_only_not_equal(op, selects_running):
    # s2 and s5 are still running: no EndTime.
    for literal in ("2000-01-01", "2100-01-01"):
        got = labels(f"EndTime{op}{literal}")
        assert ("s2" in got) is selects_running and ("s5" in got) is selects_running


@pytest.mark.parametrize(("op", "selects_absent"), [
    ("==", False), ("!=", True), ("<", False), ("<=", False), (">", False), (">=", False)])
def test_query_absent_failure_message_satisfies_only_not_equal(op, selects_absent):
    for literal in ('""', "zzz", "boom"):
        got = labels(f"FailureMessage{op}{literal}")
        absent = [label for label in ("s1", "s2", "s4", "s5") if label in got]
        assert absent == (["s1", "s2", "s4", "s5"] if selects_absent else [])


# --- property: any filter, sort and page size against a reference -----------------------

ENUM_ORDER = {
    "Type": ("FailoverPlan",),
    "State": ("Starting", "Stopping", "Working", "Stopped"),
    "Result": ("None", "Success", "Warning", "Failed"),
}
SORT_KEYS: dict[str, Callable[[Any], Any]] = {
    "UID": lambda s: s.id.lower(),
    "Name": lambda s: s.plan.name.lower(),
    "Type": lambda s: ENUM_ORDER["Type"].index(s.job_type),
    "CreationTime": lambda s: s.creation_ms,
    "EndTime": lambda s: s.end_ms,
    "State": lambda s: ENUM_ORDER["State"].index(s.state),
    "Result": lambda s: ENUM_ORDER["Result"].index(s.result),
    "FailureMessage": lambda s: None if s.failure_message is None else s.failure_message.lower(),
    "BackupServerUid": lambda s: s.plan.backup_server.id.lower(),
    "BackupServerName": lambda s: s.plan.backup_server.name.lower(),
}


def reference_sorted(rows: list[Any], field: str, descending: bool) -> list[Any]:
    """Spec 6.1: stable (ties in creation order), absent first ascending, last descending."""
    position = {id(row): n for n, row in enumerate(rows)}
    key = SORT_KEYS[field]

    def compare(a: Any, b: Any) -> int:
        ka, kb = key(a), key(b)
        if ka == kb:
            order = 0
        elif ka is None:
            order = -1
        elif kb is None:
            order = 1
        else:
            order = -1 if ka < kb else 1
        if descending:
            order = -order
        return order or position[id(a)] - position[id(b)]

    return sorted(rows, key=functools.cmp_to_key(compare))


PROPERTY_STORE = Store(generate(11, Sizes(backup_servers=3, failover_plans=5, sessions=200),
                                NOW_MS))
PROPERTY_ROWS = T.rows(PROPERTY_STORE)
FILTERS = [
    None, "Result==Failed", "Result!=Success", "Result==None", "State==Working",
    f"UID=={PROPERTY_ROWS[42].id}", f"UID=={PROPERTY_ROWS[42].id},UID=={PROPERTY_ROWS[7].id}",
    f"BackupServerUid=={PROPERTY_ROWS[0].plan.backup_server.id}",
    f"BackupServerUid=={PROPERTY_ROWS[0].plan.backup_server.id};Result==Success",
    "Name<Tenant03", "EndTime!=2000-01-01", "FailureMessage!=x",
    "Result==Success;EndTime>2000-01-01",
]


@settings(max_examples=150, deadline=None)
@given(filter_text=st.sampled_from(FILTERS), field=st.sampled_from(sorted(SORT_KEYS)),
       descending=st.booleans(), sorted_=st.booleans(), page_size=st.integers(1, 220))
def test_query_every_page_is_the_reference_order_cut_into_pages(filter_text, field, descending,
                                                                 sorted_, page_size):
    expr = None if filter_text is None else parse_filter(filter_text, T)
    check = (lambda row: True) if expr is None else compile_predicate(expr, T)
    matching = [row for row in PROPERTY_ROWS if check(row)]
    want = reference_sorted(matching, field, descending) if sorted_ else matching
    sort = Sort(field, descending) if sorted_ else None
    pages = math.ceil(len(want) / page_size)
    got: list[Any] = []
    for number in range(1, pages + 2):
        page = run_query(T, PROPERTY_ROWS, PROPERTY_STORE, expr=expr, sort=sort, page=number,
                         page_size=page_size)
        assert page.total == len(want) and page.pages_count == pages
        if number > pages:
            assert page.rows == []
        got.extend(page.rows)
    assert [row.id for row in got] == [row.id for row in want]
