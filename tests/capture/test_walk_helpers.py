"""The walk's helpers the backup-side captures added: ``any_of``/``all_of`` build filters
the query service reads back as written (any text, quotes included), ``Walk.first`` costs
one request, and EM 13's keys with a leading run of capitals come back in EM 12's
spelling."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

import em_mock.factory  # noqa: F401  (registers the query types)
from em_mock.core.capture import Answer, Walk, all_of, any_of, pascal_tree
from em_mock.core.filter import And, Comparison, Or, parse_filter
from em_mock.core.registry import query_type
from em_mock.core.wire.json import camel_case

TASKS = query_type("BackupTaskSession")

names = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30)


@given(st.lists(names, min_size=1, max_size=5))
def test_any_of_matches_each_value_as_written(values: list[str]) -> None:
    assert TASKS is not None
    expr = parse_filter(any_of("VmDisplayName", values) or "", TASKS)
    items = expr.items if isinstance(expr, Or) else (expr,)
    assert [c.value for c in items if isinstance(c, Comparison)] == \
        [v.lower() for v in values]
    assert all(isinstance(c, Comparison) and c.field == "VmDisplayName" and c.op == "=="
               for c in items)


@given(st.lists(names, min_size=2, max_size=4))
def test_all_of_keeps_an_or_inside_an_and(values: list[str]) -> None:
    assert TASKS is not None
    expr = parse_filter(all_of(any_of("VmDisplayName", values), None, "TotalSize>0") or "",
                        TASKS)
    assert isinstance(expr, And)
    assert isinstance(expr.items[0], Or) and len(expr.items[0].items) == len(values)
    assert expr.items[1] == Comparison("TotalSize", ">", 0)


def test_no_values_no_filter() -> None:
    assert any_of("Name", []) is None
    assert all_of(None, None) is None


@pytest.mark.parametrize(("rows", "expected"), [([{"UID": "a"}], {"UID": "a"}), ([], None)])
def test_first_asks_once_for_one_row(rows: list[dict[str, str]],
                                     expected: dict[str, str] | None) -> None:
    asked: list[str] = []

    def fetch(path: str, accept: str) -> Answer:
        asked.append(path)
        body = {"Entities": {"BackupTaskSessions": {"BackupTaskSessions": rows}},
                "PagingInfo": {"Count": len(rows)}}
        return Answer(200, "application/json", json.dumps(body).encode())

    found = Walk(fetch).first("BackupTaskSession", 'JobUid=="x"', sort_desc="CreationTime")
    assert found == expected
    assert len(asked) == 1
    assert "pageSize=1" in asked[0] and "sortDesc=CreationTime" in asked[0]
    assert "filter=JobUid%3D%3D%22x%22" in asked[0]


@pytest.mark.parametrize("key", ["ACL", "NASJob", "NASJobAdvancedStorageOptions",
                                 "NASServerAdvancedOptions", "NASObjects", "FSRoots",
                                 "RPOReporting", "RPOSchedule", "RPOThresholdMinutes",
                                 "RPOThresholdSeconds", "UID", "NASJobs", "VAppName"])
def test_em13_keys_come_back_in_em12_spelling(key: str) -> None:
    assert camel_case(key) != key
    assert pascal_tree({camel_case(key): [{camel_case(key): 1}]}) == {key: [{key: 1}]}
