"""The seeded generator of the default data set (spec section 7.6)."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from em_mock.core.fixtures import dumps, load_documents
from em_mock.core.generate import DEFAULT_SEED, Sizes, generate
from em_mock.core.runtime import build_data
from em_mock.core.tables import DataSet
from em_mock.core.times import format_instant, parse_instant_ms
from em_mock.families.agents.model import AGENT_JOBS
from em_mock.families.cdp.model import CDP_POLICIES, CDP_SESSIONS
from em_mock.families.cloud.model import (
    PLANS,
    REPLICA_POINTS,
    SESSIONS,
    TENANTS,
    CloudFailoverSession,
)
from em_mock.families.infrastructure.model import PASSWORD_KEYS, SERVERS
from em_mock.families.jobs.model import JOB_SESSIONS, JOBS, SYSTEM_SESSIONS
from em_mock.families.jobs.runs import FAILOVER_RUNS
from em_mock.families.nas.model import NAS_JOBS
from em_mock.families.restore.model import RESTORE_SESSIONS
from em_mock.settings import from_args

DAY_MS = 86_400_000
NOW_MS = 1_781_524_800_123  # 2026-06-15T12:00:00.123Z: a clock with a millisecond part
RUNNING = ("Starting", "Working", "Stopping")
SEEDS = (DEFAULT_SEED, 2, 7, 42)


@pytest.fixture(scope="module")
def default_data() -> DataSet:
    return generate(DEFAULT_SEED, Sizes(), NOW_MS)


def sessions(data: DataSet) -> list[CloudFailoverSession]:
    return list(SESSIONS.of(data).values())


def running(data: DataSet) -> list[CloudFailoverSession]:
    return [s for s in sessions(data) if s.state != "Stopped"]


# --- determinism ---------------------------------------------------------------------------


def test_same_seed_sizes_and_clock_give_identical_data():
    sizes = Sizes(backup_servers=2, failover_plans=4, sessions=60)
    assert dumps(generate(5, sizes, NOW_MS)) == dumps(generate(5, sizes, NOW_MS))
    assert dumps(generate(DEFAULT_SEED, Sizes(), NOW_MS)) == dumps(
        generate(DEFAULT_SEED, Sizes(), NOW_MS))


def test_a_different_seed_gives_different_data():
    a = generate(1, Sizes(), NOW_MS)
    b = generate(2, Sizes(), NOW_MS)
    assert dumps(a) != dumps(b)
    assert set(SESSIONS.of(a)).isdisjoint(SESSIONS.of(b))
    assert [s.creation_ms for s in sessions(a)] != [s.creation_ms for s in sessions(b)]


def test_a_later_clock_shifts_the_same_data():
    """Same seed, later start: the same items, every instant moved by the difference."""
    later = NOW_MS + 17 * DAY_MS + 4_321
    earlier_text = dumps(generate(3, Sizes(sessions=80), NOW_MS))
    shifted = load_documents([("generated", json.loads(earlier_text))], later)
    assert dumps(shifted) == dumps(generate(3, Sizes(sessions=80), later))


# --- sizes and names -----------------------------------------------------------------------


def test_default_sizes_match_the_spec(default_data):
    assert len(SERVERS.of(default_data)) == 3
    assert len(PLANS.of(default_data)) == 12
    assert len([t for t in TENANTS.of(default_data).values() if t.plans]) == 12
    assert [t.tenant_type for t in TENANTS.of(default_data).values() if not t.plans] == ["vCD"]
    assert len(SESSIONS.of(default_data)) == 500


@pytest.mark.parametrize("servers, plans, count", [(1, 1, 1), (2, 5, 40), (4, 9, 250)])
def test_sizes_are_honoured(servers, plans, count):
    data = generate(11, Sizes(backup_servers=servers, failover_plans=plans, sessions=count),
                    NOW_MS)
    assert len(SERVERS.of(data)) == servers
    assert len(PLANS.of(data)) == plans
    assert len([t for t in TENANTS.of(data).values() if t.tenant_type == "Standalone"]) == plans
    assert len(SESSIONS.of(data)) == count
    assert {p.backup_server.id for p in PLANS.of(data).values()} <= set(SERVERS.of(data))
    assert {s.plan.id for s in sessions(data)} <= set(PLANS.of(data))


def test_sizes_are_honoured_through_the_options():
    settings = from_args(["--backup-servers", "2", "--failover-plans", "5", "--sessions", "40"],
                         environ={})
    data = build_data(settings, NOW_MS)
    assert (len(SERVERS.of(data)), len(PLANS.of(data)), len(SESSIONS.of(data))) == (2, 5, 40)
    assert dumps(data) == dumps(generate(DEFAULT_SEED, Sizes(2, 5, 40), NOW_MS))


@pytest.mark.parametrize("sizes", [Sizes(sessions=0), Sizes(failover_plans=0),
                                   Sizes(backup_servers=0)])
def test_zero_sizes_give_no_sessions(sizes):
    data = generate(DEFAULT_SEED, sizes, NOW_MS)
    assert SESSIONS.of(data) == {}
    assert len(PLANS.of(data)) == (sizes.failover_plans if sizes.backup_servers else 0)


def test_names_are_predictable(default_data):
    assert [s.name for s in SERVERS.of(default_data).values()] == [
        "vbr01.example.local", "vbr02.example.local", "vbr03.example.local"]
    plans = list(PLANS.of(default_data).values())
    assert [p.name for p in plans] == [f"Tenant{i:02d} Failover Plan" for i in range(1, 13)]
    assert [p.tenant.name for p in plans] == [f"Tenant{i:02d}" for i in range(1, 13)]
    third = plans[2]
    assert third.name == "Tenant03 Failover Plan"
    assert third.tenant.name == "Tenant03"
    assert [vm.name for vm in third.vms] == [
        f"tenant03-vm{v:02d}" for v in range(1, len(third.vms) + 1)]
    assert len(third.vms) >= 2
    for server in SERVERS.of(default_data).values():
        assert server.ip_or_dns_name == server.name
        assert server.port == 9392


def test_every_session_is_named_after_its_plan(default_data):
    for s in sessions(default_data):
        assert s.name == s.plan.name
        assert re.fullmatch(r"Tenant\d\d Failover Plan", s.name)
        assert s.job_type == "FailoverPlan"


# --- the mix -------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_the_mix_of_states_and_results(seed):
    data = generate(seed, Sizes(), NOW_MS)
    mix = Counter((s.state, s.result) for s in sessions(data))
    total = len(SESSIONS.of(data))
    success = mix["Stopped", "Success"]
    warning = mix["Stopped", "Warning"]
    failed = mix["Stopped", "Failed"]
    live = len(running(data))
    assert success > total * 0.6, mix
    assert 0 < warning < success, mix
    assert 0 < failed < success, mix
    assert 1 <= live <= 10, mix
    assert success + warning + failed + live == total, mix


@pytest.mark.parametrize("seed", SEEDS)
def test_finished_sessions_are_complete(seed):
    for s in sessions(generate(seed, Sizes(), NOW_MS)):
        if s.state != "Stopped":
            continue
        assert s.result in ("Success", "Warning", "Failed")
        assert s.progress == 100
        assert s.end_ms is not None and s.creation_ms <= s.end_ms <= NOW_MS
        if s.result == "Failed":
            assert s.failure_message
        if s.result == "Success":
            assert s.failure_message is None


@pytest.mark.parametrize("seed", SEEDS)
def test_running_sessions_have_no_end_and_no_result(seed):
    live = running(generate(seed, Sizes(), NOW_MS))
    assert live
    for s in live:
        assert s.state in RUNNING
        assert s.end_ms is None
        assert s.result == "None"
        assert s.failure_message is None
        assert 0 < s.progress < 100 or (s.progress == 0 and s.state == "Starting"), s
        assert s.creation_ms <= NOW_MS


@pytest.mark.parametrize("seed", [*SEEDS, 3, 4, 5, 6])
def test_at_most_one_running_session_per_plan(seed):
    data = generate(seed, Sizes(sessions=1000, failover_plans=6), NOW_MS)
    plans = Counter(s.plan.id for s in running(data))
    assert plans
    assert max(plans.values()) == 1


# --- per-VM tasks ----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_tasks_are_one_per_plan_vm_inside_their_session(seed):
    for s in sessions(generate(seed, Sizes(), NOW_MS)):
        assert [t.vm_name for t in s.tasks] == [vm.name for vm in s.plan.vms]
        for t in s.tasks:
            assert t.creation_ms >= s.creation_ms
            assert t.creation_ms <= (s.end_ms if s.end_ms is not None else NOW_MS)
            if t.end_ms is not None:
                assert t.creation_ms <= t.end_ms
                assert t.end_ms <= (s.end_ms if s.end_ms is not None else NOW_MS)


@pytest.mark.parametrize("seed", SEEDS)
def test_task_outcomes_agree_with_their_session(seed):
    seen = Counter()
    for s in sessions(generate(seed, Sizes(), NOW_MS)):
        results = [t.result for t in s.tasks]
        seen[s.result] += 1
        if s.state == "Stopped":
            assert all(t.state == "Stopped" and t.progress == 100 for t in s.tasks)
            assert all(t.end_ms is not None for t in s.tasks)
        if s.result == "Success":
            assert set(results) == {"Success"}
        elif s.result == "Warning":
            assert "Warning" in results and "Failed" not in results
        elif s.result == "Failed":
            failed = [t for t in s.tasks if t.result == "Failed"]
            assert failed
            assert all(t.failure_message for t in failed)
            assert s.failure_message in {t.failure_message for t in failed}
        else:  # running
            for t in s.tasks:
                if t.state == "Stopped":
                    assert t.end_ms is not None and t.result == "Success" and t.progress == 100
                else:
                    assert t.end_ms is None and t.result == "None"
                    assert 0 <= t.progress < 100
                    if t.state == "Starting":
                        assert t.progress == 0
        for t in s.tasks:
            if t.result == "Success":
                assert t.failure_message is None
    assert seen["Success"] and seen["Warning"] and seen["Failed"] and seen["None"]


@pytest.mark.parametrize("seed", SEEDS)
def test_replica_points_used_by_tasks_are_older_than_the_session(seed):
    data = generate(seed, Sizes(), NOW_MS)
    for s in sessions(data):
        for t in s.tasks:
            rp = t.replica_point
            assert rp is not None
            assert REPLICA_POINTS.of(data)[rp.id] is rp
            assert rp.vm_name == t.vm_name
            assert rp.plan is s.plan
            assert rp.creation_ms < s.creation_ms


def test_replica_points_are_indexed_and_in_the_past(default_data):
    points = [rp for p in PLANS.of(default_data).values() for vm in p.vms
              for rp in vm.replica_points]
    assert len(points) == len(REPLICA_POINTS.of(default_data))
    assert all(rp.creation_ms < NOW_MS for rp in points)
    for plan in PLANS.of(default_data).values():
        for vm in plan.vms:
            assert vm.replica_points
            times = [rp.creation_ms for rp in vm.replica_points]
            assert times == sorted(times)


# --- time spread ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_creation_times_spread_over_sixty_days(seed):
    data = generate(seed, Sizes(), NOW_MS)
    created = [s.creation_ms for s in sessions(data)]
    assert all(NOW_MS - 60 * DAY_MS <= c <= NOW_MS for c in created)
    assert min(created) < NOW_MS - 55 * DAY_MS
    assert max(created) > NOW_MS - DAY_MS
    cut = NOW_MS - 30 * DAY_MS
    older = sum(c < cut for c in created)
    assert 0.3 * len(created) < older < 0.7 * len(created)
    for tenth in range(6):  # no empty 10-day stretch
        low = NOW_MS - (60 - 10 * tenth) * DAY_MS
        assert any(low <= c < low + 10 * DAY_MS for c in created), tenth


def all_instants(data: DataSet) -> list[int]:
    out: list[int] = [data.anchor_ms] if data.anchor_ms is not None else []
    out += [rp.creation_ms for rp in REPLICA_POINTS.of(data).values()]
    out += [t.last_active_ms for t in TENANTS.of(data).values() if t.last_active_ms is not None]
    for s in sessions(data):
        out += [s.creation_ms] + ([s.end_ms] if s.end_ms is not None else [])
        for t in s.tasks:
            out += [t.creation_ms] + ([t.end_ms] if t.end_ms is not None else [])
    out += [j.next_run_ms for j in JOBS.of(data).values() if j.next_run_ms is not None]
    out += [j.next_run_ms for j in NAS_JOBS.of(data).values() if j.next_run_ms is not None]
    out += [j.next_run_ms for j in AGENT_JOBS.of(data).values() if j.next_run_ms is not None]
    for js in JOB_SESSIONS.of(data).values():
        out += [js.creation_ms] + ([js.end_ms] if js.end_ms is not None else [])
        for jt in js.tasks:
            out += [jt.creation_ms] + ([jt.end_ms] if jt.end_ms is not None else [])
    for rs in RESTORE_SESSIONS.of(data).values():
        out += [rs.creation_ms] + ([rs.end_ms] if rs.end_ms is not None else [])
    out += [p.modified_ms for p in PASSWORD_KEYS.of(data).values()]
    out += [p.next_run_ms for p in CDP_POLICIES.of(data).values() if p.next_run_ms is not None]
    for cs in CDP_SESSIONS.of(data).values():
        out += [cs.creation_ms] + ([cs.end_ms] if cs.end_ms is not None else [])
        for ct in cs.tasks:
            out += [ct.creation_ms] + ([ct.end_ms] if ct.end_ms is not None else [])
    for ss in SYSTEM_SESSIONS.of(data).values():
        out += [ss.creation_ms] + ([ss.end_ms] if ss.end_ms is not None else [])
        out += [e.time_ms for e in ss.events]
    out += [run.start_ms for run in FAILOVER_RUNS.of(data).values()]
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_every_instant_is_a_whole_millisecond(seed):
    data = generate(seed, Sizes(), NOW_MS)
    instants = all_instants(data)
    assert all(type(ms) is int for ms in instants)
    for ms in instants:
        text = format_instant(ms, 3)
        assert parse_instant_ms(text) == ms, text
        assert format_instant(ms, 6) == text  # v13's 6 digits add nothing
    text = dumps(data)
    stamps = re.findall(r'"(\d{4}-\d\d-\d\dT[^"]*Z)"', text)
    assert len(stamps) == len(instants)
    assert all(re.fullmatch(r"[\d\-T:]{19}(\.\d{1,3})?Z", st) for st in stamps)
    # Some instants carry milliseconds, so the check above is not vacuous.
    assert any(ms % 1000 for ms in instants)
