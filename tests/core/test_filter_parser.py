"""The filter language (spec 6.2, fields of 7.4): syntax, typed literals and errors.

ASTs are compared with ASTs of equivalent filters wherever the literal's internal
representation is not the point; where it is (strings, UIDs, integers), the typed
value is asserted directly. Semantic checks run the compiled predicate on hand-made
sessions so that a literal is shown to mean the instant, name or GUID it should.
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from em_mock.core.filter import And, Comparison, FilterError, Or, compile_predicate, parse_filter
from em_mock.core.filter.parser import typed_literal
from em_mock.core.registry import Kind, QueryField
from em_mock.families.cloud.model import CloudFailoverPlan, CloudFailoverSession, CloudTenant
from em_mock.families.cloud.queries import CLOUD_FAILOVER_SESSION
from em_mock.families.infrastructure.model import BackupServer
from em_mock.families.infrastructure.queries import BACKUP_SERVER

T = CLOUD_FAILOVER_SESSION
GUID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
SERVER_GUID = "0b6e7a52-55c1-4a61-8d1a-6f0f3c1a9e21"
OPS = ("==", "!=", "<", "<=", ">", ">=")


def p(text: str):
    return parse_filter(text, T)


def cmp(field: str, op: str, value: object) -> Comparison:
    return Comparison(field, op, value)


def ms(text: str) -> int:
    """Milliseconds since the epoch of an ISO instant written with ``Z``."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return round(moment.timestamp() * 1000)


def session(*, name: str = "Tenant01 Failover Plan", sid: str = GUID,
            created: str | int = "2025-08-14T12:31:30.389Z", ended: str | None = None,
            state: str = "Stopped", result: str = "Success",
            failure: str | None = None, server_name: str = "vbr01.example.local",
            server_id: str = SERVER_GUID) -> CloudFailoverSession:
    server = BackupServer(server_id, server_name)
    plan = CloudFailoverPlan("a0000000-0000-4000-8000-000000000001", name,
                             CloudTenant("b0000000-0000-4000-8000-000000000001", "Tenant01"),
                             server)
    start = created if isinstance(created, int) else ms(created)
    return CloudFailoverSession(sid, plan, start, None if ended is None else ms(ended),
                                state, result, 100 if state == "Stopped" else 50, failure)


def matches(text: str, obj: object, qtype=T) -> bool:
    return compile_predicate(parse_filter(text, qtype), qtype)(obj)


def error_of(text: str, qtype=T) -> str:
    with pytest.raises(FilterError) as info:
        parse_filter(text, qtype)
    return str(info.value)


def position_in(message: str) -> int:
    found = re.search(r"position (\d+)", message)
    assert found, f"no position in {message!r}"
    return int(found.group(1))


# --- operators ------------------------------------------------------------------------


@pytest.mark.parametrize("op", OPS)
def test_filter_each_operator_parses_to_a_comparison_with_that_operator(op):
    assert p(f"Name{op}abc") == cmp("Name", op, "abc")


@pytest.mark.parametrize("op", OPS)
def test_filter_operator_may_be_surrounded_by_spaces(op):
    assert p(f"Name {op} abc") == p(f"Name{op}abc")


@pytest.mark.parametrize(("op", "selected"), [
    ("==", ["b"]), ("!=", ["a", "c"]), ("<", ["a"]), ("<=", ["a", "b"]),
    (">", ["c"]), (">=", ["b", "c"]),
])
def test_filter_each_operator_compares_as_its_name_says(op, selected):
    names = ["a", "b", "c"]
    assert [n for n in names if matches(f"Name{op}B", session(name=n))] == selected


def test_filter_equality_operator_wins_over_a_value_starting_with_equals():
    # "===x" is "==" followed by the value "=x".
    assert p("Name===x") == cmp("Name", "==", "=x")


# --- precedence and parentheses -------------------------------------------------------


def test_filter_or_binds_looser_than_and():
    a, b, c = (cmp("Name", "==", x) for x in "abc")
    assert p("Name==a;Name==b,Name==c") == Or((And((a, b)), c))
    assert p("Name==a,Name==b;Name==c") == Or((a, And((b, c))))


def test_filter_or_binds_looser_than_and_when_evaluated():
    # A working session that did not fail: (Failed AND Stopped) OR Working is true;
    # the wrong grouping Failed AND (Stopped OR Working) would be false.
    running = session(state="Working", result="None")
    assert matches("Result==Failed;State==Stopped,State==Working", running)
    assert not matches("Result==Failed;(State==Stopped,State==Working)", running)


def test_filter_chains_of_one_connective_are_flat():
    a, b, c = (cmp("Name", "==", x) for x in "abc")
    assert p("Name==a;Name==b;Name==c") == And((a, b, c))
    assert p("Name==a,Name==b,Name==c") == Or((a, b, c))


def test_filter_parentheses_override_precedence():
    a, b, c = (cmp("Name", "==", x) for x in "abc")
    assert p("Name==a;(Name==b,Name==c)") == And((a, Or((b, c))))
    assert p("(Name==a,Name==b);Name==c") == And((Or((a, b)), c))


def test_filter_parenthesised_group_of_the_same_connective_stays_nested():
    a, b, c = (cmp("Name", "==", x) for x in "abc")
    assert p("Name==a;(Name==b;Name==c)") == And((a, And((b, c))))
    assert p("(Name==a,Name==b),Name==c") == Or((Or((a, b)), c))


def test_filter_redundant_parentheses_are_transparent():
    assert p("((Name==a))") == cmp("Name", "==", "a")
    assert p("( ( Name==a ) ; (Name==b) )") == And((cmp("Name", "==", "a"),
                                                    cmp("Name", "==", "b")))


def test_filter_spec_example_with_quoted_server_and_grouped_results():
    expr = p('BackupServerName=="172.24.31.67";(Result==Warning,Result==Failed)')
    assert expr == And((cmp("BackupServerName", "==", "172.24.31.67"),
                        Or((p("Result==Warning"), p("Result==Failed")))))
    assert matches('BackupServerName=="172.24.31.67";(Result==Warning,Result==Failed)',
                   session(server_name="172.24.31.67", result="Failed"))
    assert not matches('BackupServerName=="172.24.31.67";(Result==Warning,Result==Failed)',
                       session(server_name="172.24.31.68", result="Failed"))


# --- values: quoted and bare ----------------------------------------------------------


def test_filter_doubled_quote_inside_a_quoted_value_is_one_literal_quote():
    assert p('Name=="ABC ""Gold"" Plan"') == cmp("Name", "==", 'abc "gold" plan')
    assert matches('Name=="ABC ""Gold"" Plan"', session(name='ABC "Gold" Plan'))
    assert not matches('Name=="ABC ""Gold"" Plan"', session(name="ABC Gold Plan"))


def test_filter_quoted_value_keeps_spaces_and_delimiters():
    assert p('Name==" a;b,c)(d "') == cmp("Name", "==", " a;b,c)(d ")


def test_filter_quoted_value_may_be_empty_or_just_a_quote():
    assert p('Name==""') == cmp("Name", "==", "")
    assert p('Name==""""') == cmp("Name", "==", '"')


def test_filter_quoted_value_may_be_followed_by_spaces_and_more_terms():
    assert p('Name=="a b"  ;  Name=="c"') == And((cmp("Name", "==", "a b"),
                                                 cmp("Name", "==", "c")))


def test_filter_bare_value_drops_its_spaces():
    assert p("Name==ABC Company Failover Plan") == cmp("Name", "==", "abccompanyfailoverplan")
    assert p("Name==ABC Company Failover Plan") == p('Name=="ABCCompanyFailoverPlan"')


def test_filter_bare_value_with_spaces_matches_the_name_without_them():
    assert matches("Name==ABC Company Failover Plan", session(name="ABCCompanyFailoverPlan"))
    assert not matches("Name==ABC Company Failover Plan",
                       session(name="ABC Company Failover Plan"))


def test_filter_bare_value_runs_to_the_next_delimiter():
    assert p("(Name== a b );Name==c d,Name==e") == Or((
        And((cmp("Name", "==", "ab"), cmp("Name", "==", "cd"))), cmp("Name", "==", "e")))


def test_filter_bare_value_may_contain_quotes_and_parentheses_after_its_start():
    assert p('Name==a"b(c') == cmp("Name", "==", 'a"b(c')


def test_filter_strings_compare_case_insensitively():
    assert matches('Name=="TENANT01 failover PLAN"', session(name="Tenant01 Failover Plan"))
    assert matches('FailureMessage=="X Y"', session(failure="x y"))
    assert not matches('FailureMessage=="X Y"', session(failure="x z"))
    assert matches("BackupServerName==VBR01.EXAMPLE.LOCAL", session())


def test_filter_string_order_is_by_lower_cased_text():
    # By raw code points "Z" < "a"; lower-cased, "a" < "z".
    assert matches("Name<Zulu", session(name="alpha"))
    assert not matches("Name>Zulu", session(name="alpha"))
    assert matches("Name>ALPHA", session(name="beta"))


# --- field names and enum literals: case-insensitive ----------------------------------


@pytest.mark.parametrize("spelling", ["name", "NAME", "nAmE", "Name"])
def test_filter_field_names_are_case_insensitive(spelling):
    assert p(f"{spelling}==x") == cmp("Name", "==", "x")


def test_filter_comparison_carries_the_declared_field_spelling():
    assert p("backupserveruid==" + GUID).field == "BackupServerUid"
    assert p("ENDTIME>2025-01-01").field == "EndTime"
    assert p("failuremessage==x").field == "FailureMessage"


@pytest.mark.parametrize("literal", ["FAILED", "failed", "fAiLeD", "Failed", '"FAILED"'])
def test_filter_enum_literals_are_case_insensitive(literal):
    assert p(f"result=={literal}") == p("Result==Failed")
    assert matches(f"result=={literal}", session(result="Failed"))
    assert not matches(f"result=={literal}", session(result="Warning"))


def test_filter_every_declared_enum_value_is_accepted():
    for value in ("Starting", "Stopping", "Working", "Stopped"):
        assert matches(f"State=={value.upper()}", session(state=value))
    for value in ("None", "Success", "Warning", "Failed"):
        assert matches(f"Result=={value.lower()}", session(result=value))
    assert matches("Type==failoverplan", session())


def test_filter_enum_order_is_the_declared_order_with_none_first():
    results = ["None", "Success", "Warning", "Failed"]
    assert [r for r in results if matches("Result>Success", session(result=r))] == [
        "Warning", "Failed"]
    assert [r for r in results if matches("Result<Success", session(result=r))] == ["None"]
    states = ["Starting", "Stopping", "Working", "Stopped"]
    assert [s for s in states if matches("State<=Stopping", session(state=s))] == [
        "Starting", "Stopping"]


def test_filter_bare_enum_literal_drops_spaces():
    assert p("Result==Fai led") == p("Result==Failed")


# --- DateTime literals ----------------------------------------------------------------


@pytest.mark.parametrize("literal", [
    '"2025-08-14T12:31:30.389954Z"',
    "2025-08-14T12:31:30.389954Z",
    "2025-08-14T12:31:30.389954",
    '"2025-08-14T12:31:30.389954"',
    "2025-08-14T12:31:30.3899540Z",
    "2025-08-14T12:31:30.3899540",
])
def test_filter_datetime_forms_with_and_without_z_mean_the_same_instant(literal):
    assert p(f"CreationTime>={literal}") == p('CreationTime>="2025-08-14T12:31:30.389954Z"')


@pytest.mark.parametrize("digits", range(8))
@pytest.mark.parametrize("zone", ["Z", ""])
@pytest.mark.parametrize("quoted", [True, False])
def test_filter_datetime_accepts_zero_to_seven_fraction_digits(digits, zone, quoted):
    fraction = ("." + "389"[:digits].ljust(digits, "0")) if digits else ""
    text = f"2025-08-14T12:31:30{fraction}{zone}"
    literal = f'"{text}"' if quoted else text
    exact = ms("2025-08-14T12:31:30Z") + (0, 300, 380, 389, 389, 389, 389, 389)[digits]
    assert matches(f"CreationTime=={literal}", session(created=exact))
    assert not matches(f"CreationTime!={literal}", session(created=exact))
    assert not matches(f"CreationTime=={literal}", session(created=exact + 1))
    assert not matches(f"CreationTime=={literal}", session(created=exact - 1))
    assert matches(f"CreationTime>{literal}", session(created=exact + 1))


def test_filter_datetime_date_alone_is_midnight_utc():
    assert p('CreationTime<"2021-06-15"') == p("CreationTime<2021-06-15T00:00:00Z")
    assert matches('CreationTime=="2021-06-15"', session(created="2021-06-15T00:00:00Z"))
    assert not matches('CreationTime=="2021-06-15"', session(created="2021-06-15T00:00:00.001Z"))


def test_filter_datetime_without_z_is_utc():
    assert matches("CreationTime==2024-05-01T12:00:00", session(created="2024-05-01T12:00:00Z"))


def test_filter_datetime_spec_range_example_selects_by_instant():
    text = 'CreationTime>="2025-08-14T12:31:30.389954Z";CreationTime<"2025-08-15"'
    assert not matches(text, session(created="2025-08-14T12:31:30.389Z"))
    assert matches(text, session(created="2025-08-14T12:31:30.390Z"))
    assert matches(text, session(created="2025-08-14T23:59:59.999Z"))
    assert not matches(text, session(created="2025-08-15T00:00:00Z"))


def test_filter_datetime_compares_at_microsecond_precision():
    at = session(created="2025-08-14T12:31:30.389Z")
    assert matches('CreationTime<"2025-08-14T12:31:30.389001Z"', at)
    assert not matches('CreationTime=="2025-08-14T12:31:30.389001Z"', at)
    assert matches('CreationTime>"2025-08-14T12:31:30.388999Z"', at)


def test_filter_datetime_compares_at_full_seven_digit_precision():
    # Spec 6.2: "Comparison is on the instant, at full precision" -- 0.1 microsecond
    # after the session's start is after it.
    at = session(created="2025-08-14T12:31:30.389Z")
    assert not matches('CreationTime=="2025-08-14T12:31:30.3890001Z"', at)
    assert matches('CreationTime<"2025-08-14T12:31:30.3890001Z"', at)
    assert not matches('CreationTime>="2025-08-14T12:31:30.3890001Z"', at)


@pytest.mark.parametrize("literal", [
    "yesterday", "2025-13-01", "2025-02-30", "2025-08-14T25:00:00", "2025-08-14T12:61:00",
    "2025-08-14T12:31:30.", "14/08/2025", "2025", '""', "2025-08-14TZ",
])
def test_filter_bad_datetime_literal_is_rejected_naming_it(literal):
    message = error_of(f"CreationTime>={literal}")
    assert position_in(message) >= len("CreationTime>=")
    shown = literal.strip('"')
    assert repr(shown) in message


# --- UID literals ---------------------------------------------------------------------


@pytest.mark.parametrize("literal", [
    GUID, GUID.upper(), f"urn:veeam:CloudFailoverSession:{GUID}",
    f"URN:VEEAM:CLOUDFAILOVERSESSION:{GUID.upper()}", f"Urn:Veeam:cloudfailoversession:{GUID}",
    f'"urn:veeam:CloudFailoverSession:{GUID}"', f'"{GUID}"',
])
def test_filter_uid_accepts_urn_any_case_or_bare_guid(literal):
    assert p(f"UID=={literal}") == cmp("UID", "==", GUID)
    assert matches(f"UID=={literal}", session())
    assert not matches(f"UID=={literal}", session(sid="3f2504e0-4f89-41d3-9a0c-0305e82c3302"))


def test_filter_backup_server_uid_takes_a_backup_server_urn():
    literal = f"urn:veeam:BackupServer:{SERVER_GUID.upper()}"
    assert p(f"BackupServerUid=={literal}") == cmp("BackupServerUid", "==", SERVER_GUID)
    assert matches(f"BackupServerUid=={literal}", session())


@pytest.mark.parametrize(("field", "literal"), [
    ("UID", f"urn:veeam:BackupServer:{GUID}"),
    ("UID", f"urn:veeam:CloudFailoverPlan:{GUID}"),
    ("BackupServerUid", f"urn:veeam:CloudFailoverSession:{GUID}"),
    ("UID", f"urn:other:CloudFailoverSession:{GUID}"),
    ("UID", f"urn:veeam:CloudFailoverSession:{GUID}:extra"),
    ("UID", f"urn:veeam:{GUID}"),
])
def test_filter_uid_urn_of_another_type_or_shape_is_rejected(field, literal):
    message = error_of(f"{field}=={literal}")
    assert position_in(message) == len(field) + 3
    assert literal in message


@pytest.mark.parametrize("literal", [
    "1234", "not-a-guid", GUID[:-1], GUID + "0", GUID.replace("a", "g"),
    "{" + GUID + "}", GUID.replace("-", ""), GUID.replace("-", "", 1) + "-",
    f"urn:veeam:CloudFailoverSession:{GUID[:-1]}",
])
def test_filter_uid_that_is_not_a_guid_is_rejected(literal):
    message = error_of(f"UID=={literal}")
    assert position_in(message) == len("UID==") + 1
    assert literal in message


@pytest.mark.parametrize("suffix", ["\n", "\r\n"])
def test_filter_uid_with_a_trailing_line_break_is_not_a_guid(suffix):
    # Spec 6.2: a GUID that is not 8-4-4-4-12 hex digits is a bad literal. A value
    # with a line break after the GUID is not one (%0A at the end of a URL).
    with pytest.raises(FilterError):
        parse_filter(f'UID=="{GUID}{suffix}"', T)
    with pytest.raises(FilterError):
        parse_filter(f"UID=={GUID}{suffix}", T)


# --- Int and Boolean ------------------------------------------------------------------


@pytest.mark.parametrize(("literal", "value"), [
    ("9392", 9392), ("+10", 10), ("-1", -1), ('"443"', 443), ("0", 0), ("9 392", 9392),
])
def test_filter_int_literal_is_an_integer(literal, value):
    assert parse_filter(f"Port>={literal}", BACKUP_SERVER) == Comparison("Port", ">=", value)


def test_filter_int_literal_compares_numerically():
    server = BackupServer(SERVER_GUID, "vbr01", port=9392)
    assert matches("Port>10000", server, BACKUP_SERVER) is False
    assert matches("Port>900", server, BACKUP_SERVER) is True  # not text order
    assert matches("port==9392", server, BACKUP_SERVER) is True


@pytest.mark.parametrize("literal", ["abc", "1.5", "0x10", "1e3", "--1", '""', "12a"])
def test_filter_bad_int_literal_is_rejected(literal):
    message = error_of(f"Port=={literal}", BACKUP_SERVER)
    assert "position" in message
    assert repr(literal.strip('"')) in message


BOOL_FIELD = QueryField("Enabled", Kind.BOOL, lambda o: o)


@pytest.mark.parametrize(("text", "value"), [
    ("true", True), ("TRUE", True), ("True", True), ("false", False), ("FaLsE", False),
])
def test_filter_boolean_literal_is_true_or_false_in_any_case(text, value):
    assert typed_literal(BOOL_FIELD, text, 1) is value


@pytest.mark.parametrize("text", ["yes", "1", "0", "", "truee", "t"])
def test_filter_bad_boolean_literal_is_rejected(text):
    with pytest.raises(FilterError, match="position 7") as info:
        typed_literal(BOOL_FIELD, text, 7)
    assert repr(text) in str(info.value)


# --- errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "position", "fragment"), [
    # unknown field
    ("Bogus==1", 1, "'Bogus'"),
    ("Result==Failed;Nmae==x", 16, "'Nmae'"),
    ("JobName==x", 1, "'JobName'"),
    # bad literal / unknown enum value
    ("Result==Crashed", 9, "'Crashed'"),
    ("State==Running", 8, "'Running'"),
    ("Type==BackupJob", 7, "'BackupJob'"),
    ("CreationTime>=yesterday", 15, "'yesterday'"),
    # unbalanced parentheses, both ways
    ("(Result==Failed", 16, "')'"),
    ("((Result==Failed)", 18, "')'"),
    ("Result==Failed)", 15, "')'"),
    ("(Result==Failed))", 17, "')'"),
    # missing operator
    ("Result", 7, "operator"),
    ("Result Failed", 8, "operator"),
    ("(Result)", 8, "operator"),
    ("Result=Failed", 7, "operator"),
    ("Result!Failed", 7, "operator"),
    # missing value
    ("Result==", 9, "missing value"),
    ("Result==;State==Working", 9, "missing value"),
    ("Result==   ,State==Working", 9, "missing value"),
    ("Result==)", 9, "missing value"),
    # missing or misplaced terms
    ("Result==Failed;", 16, "end of the filter"),
    (",Result==Failed", 1, "','"),
    ("Result==Failed;;State==Working", 16, "';'"),
    ("()", 2, "')'"),
    # trailing input
    ('Result=="Failed" State==Working', 18, "'State'"),
    ("(Result==Failed) State==Working", 18, "'State'"),
    ('Name=="a"b', 10, "'b'"),
    ('Name=="a"(', 10, "'('"),
    # characters that are not part of the language
    ("Result==Failed;@", 16, "'@'"),
    ('"Name"==x', 1, "'\"'"),
    # unterminated quote
    ('Name=="abc', 7, "unterminated"),
])
def test_filter_error_names_the_position_and_the_offending_token(text, position, fragment):
    message = error_of(text)
    assert position_in(message) == position, message
    assert fragment in message


@pytest.mark.parametrize("text", ["", " ", "   \t "])
def test_filter_empty_filter_is_rejected(text):
    message = error_of(text)
    assert "position" in message
    assert "empty" in message


def test_filter_longer_than_64_kib_is_rejected_and_64_kib_is_accepted():
    limit = 64 * 1024
    at_limit = "Name==" + "a" * (limit - len("Name=="))
    assert len(at_limit) == limit
    assert p(at_limit) == cmp("Name", "==", "a" * (limit - 6))
    message = error_of(at_limit + "a")
    assert str(limit) in message
    assert "long" in message or "length" in message


def test_filter_nesting_of_100_levels_is_accepted_and_101_rejected():
    assert p("(" * 100 + "Result==Failed" + ")" * 100) == p("Result==Failed")
    message = error_of("(" * 101 + "Result==Failed" + ")" * 101)
    assert position_in(message) == 101
    assert "100" in message and "nest" in message


def test_filter_very_deep_nesting_is_a_filter_error_not_a_crash():
    depth = 30_000
    message = error_of("(" * depth + "Result==Failed" + ")" * depth)
    assert position_in(message) == 101
    message = error_of("(" * depth)
    assert position_in(message) == 101


def test_filter_long_flat_chains_parse_without_recursion_limits():
    count = 4_000
    expr = p(",".join(["Result==Failed"] * count))
    assert isinstance(expr, Or) and len(expr.items) == count
    expr = p(";".join(["Result!=Failed"] * count))
    assert isinstance(expr, And) and len(expr.items) == count


def test_filter_error_is_raised_again_for_the_same_text():
    # Parsing may be cached; a rejected filter must stay rejected.
    for _ in range(3):
        with pytest.raises(FilterError):
            parse_filter("Result==Crashed", T)
