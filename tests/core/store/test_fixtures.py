"""Fixture files: the example, validation errors, directories, export round trips, the CLI."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from em_mock import Settings, create_app
from em_mock.core.fixtures import FORMAT, FixtureError, dumps, load_documents, load_path
from em_mock.core.generate import DEFAULT_SEED, Sizes, generate
from em_mock.core.runtime import Runtime, default_fixture_path
from em_mock.core.tables import DataSet
from em_mock.core.times import parse_instant_ms
from em_mock.families.cloud.model import PLANS, REPLICA_POINTS, SESSIONS, TENANTS
from em_mock.families.infrastructure.model import SERVERS
from tests.helpers import JSON, logon

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "small-fixture.json"
DEFAULT = ROOT / "fixtures" / "default.json"
START = "2026-06-15T12:00:00Z"


def ms(text: str) -> int:
    value = parse_instant_ms(text)
    assert value is not None, text
    return value


START_MS = ms(START)


def example() -> dict[str, Any]:
    """A fresh copy of the example document (a valid base to break in the error tests)."""
    doc: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return doc


def guid(uid: str) -> str:
    return uid.rsplit(":", 1)[-1].lower()


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def fixture_text(moment: datetime) -> str:
    """How em-mock writes its own times: UTC, always three fractional digits."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{moment.microsecond // 1000:03d}Z"


def em_time(moment: datetime) -> str:
    """Section 8: UTC, trailing Z, milliseconds without trailing zeros."""
    fraction = f"{moment.microsecond // 1000:03d}".rstrip("0")
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + ("." + fraction if fraction else "") + "Z"


# --- (1) the example file -------------------------------------------------------------------


def test_example_has_what_it_advertises():
    doc = example()
    assert doc["Format"] == FORMAT
    assert 1 <= len(doc["BackupServers"]) <= 2
    assert len(doc["CloudTenants"]) == 2
    assert len(doc["CloudFailoverPlans"]) == 2
    assert all(1 <= len(p["Vms"]) <= 2 for p in doc["CloudFailoverPlans"])
    sessions = doc["CloudFailoverSessions"]
    assert len(sessions) == 5
    failed = [s for s in sessions if s["Result"] == "Failed"]
    assert len(failed) == 1 and failed[0]["FailureMessage"]
    assert any(t.get("FailureMessage") for t in failed[0]["Tasks"])
    live = [s for s in sessions if s["State"] == "Working"]
    assert len(live) == 1
    assert live[0]["Result"] == "None" and "EndTimeUTC" not in live[0]
    anchor = when(doc["Anchor"])
    ages = [anchor - when(s["CreationTimeUTC"]) for s in sessions]
    assert any(age > timedelta(days=30) for age in ages)
    assert any(age < timedelta(days=30) for age in ages)


def check_data_matches(data: DataSet, doc: dict[str, Any], shift_ms: int) -> None:
    """Every value of the fixture document, as loaded into ``data``."""

    def at(text: str | None) -> int | None:
        return None if text is None else ms(text) + shift_ms

    assert list(SERVERS.of(data)) == [guid(s["UID"]) for s in doc["BackupServers"]]
    for raw in doc["BackupServers"]:
        server = SERVERS.of(data)[guid(raw["UID"])]
        assert server.name == raw["Name"]
        assert server.description == raw.get("Description", "")
        assert server.port == raw.get("Port", 9392)
        assert server.version == raw.get("Version", "12.3.2.4465")
        assert server.wcf_port == raw.get("WcfPort", 9405)
        assert server.certificate_thumbprint == raw.get("VbrCertificateThumbprint", "")
        assert server.ip_or_dns_name == raw.get("IpOrDnsName", raw["Name"])
    assert [(t.id, t.name) for t in TENANTS.of(data).values()] == [
        (guid(t["UID"]), t["Name"]) for t in doc["CloudTenants"]]
    assert list(PLANS.of(data)) == [guid(p["UID"]) for p in doc["CloudFailoverPlans"]]
    for raw in doc["CloudFailoverPlans"]:
        plan = PLANS.of(data)[guid(raw["UID"])]
        assert plan.name == raw["Name"]
        assert plan.tenant is TENANTS.of(data)[guid(raw["TenantUid"])]
        assert plan.backup_server is SERVERS.of(data)[guid(raw["BackupServerUid"])]
        assert plan.description == raw.get("Description", "")
        assert plan.pre_command_enabled == raw.get("PreFailoverPlanCommandEnabled", False)
        assert plan.pre_command == raw.get("PreFailoverPlanCommand", "")
        assert plan.post_command_enabled == raw.get("PostFailoverPlanCommandEnabled", False)
        assert plan.post_command == raw.get("PostFailoverPlanCommand", "")
        assert plan.outcome == raw.get("Outcome")
        assert [(vm.id, vm.name) for vm in plan.vms] == [
            (guid(v["FailoverPlanVMId"]), v["Name"]) for v in raw["Vms"]]
        for vm, raw_vm in zip(plan.vms, raw["Vms"], strict=True):
            assert [(rp.id, rp.creation_ms, rp.vm_name) for rp in vm.replica_points] == [
                (guid(p["UID"]), at(p["CreationTimeUTC"]), raw_vm["Name"])
                for p in raw_vm["ReplicaPoints"]]
            for rp in vm.replica_points:
                assert rp.plan is plan
                assert REPLICA_POINTS.of(data)[rp.id] is rp
    assert list(SESSIONS.of(data)) == [guid(s["UID"]) for s in doc["CloudFailoverSessions"]]
    for raw in doc["CloudFailoverSessions"]:
        s = SESSIONS.of(data)[guid(raw["UID"])]
        assert s.plan is PLANS.of(data)[guid(raw["CloudFailoverPlanUid"])]
        assert s.creation_ms == at(raw["CreationTimeUTC"])
        assert s.end_ms == at(raw.get("EndTimeUTC"))
        assert (s.state, s.result, s.progress) == (raw["State"], raw["Result"], raw["Progress"])
        assert s.failure_message == raw.get("FailureMessage")
        assert len(s.tasks) == len(raw["Tasks"])
        for task, raw_task in zip(s.tasks, raw["Tasks"], strict=True):
            assert task.vm_name == raw_task["VmName"]
            points = REPLICA_POINTS.of(data)
            assert task.replica_point is points[guid(raw_task["VmReplicaPointUid"])]
            assert task.creation_ms == at(raw_task["CreationTimeUTC"])
            assert task.end_ms == at(raw_task.get("EndTimeUTC"))
            assert (task.state, task.result, task.progress) == (
                raw_task["State"], raw_task["Result"], raw_task["Progress"])
            assert task.failure_message == raw_task.get("FailureMessage")


def test_example_loads_as_written_at_its_anchor():
    doc = example()
    data = load_path(EXAMPLE, ms(doc["Anchor"]))
    assert data.anchor_ms == ms(doc["Anchor"])
    check_data_matches(data, doc, shift_ms=0)


def test_example_times_move_with_the_clock_start():
    doc = example()
    shift = START_MS - ms(doc["Anchor"])
    assert shift > 0
    data = load_path(EXAMPLE, START_MS)
    assert data.anchor_ms == START_MS
    check_data_matches(data, doc, shift_ms=shift)


def test_without_an_anchor_times_are_served_as_written(tmp_path):
    doc = example()
    del doc["Anchor"]
    path = tmp_path / "absolute.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    data = load_path(path, START_MS)
    assert data.anchor_ms is None
    check_data_matches(data, doc, shift_ms=0)


@pytest.fixture
def example_client() -> Iterator[tuple[TestClient, dict[str, str]]]:
    runtime = Runtime.create(Settings(fixtures=EXAMPLE, epoch=START_MS, frozen_clock=True))
    with TestClient(create_app(runtime=runtime), base_url="http://testserver") as client:
        yield client, {**JSON, "X-RestSvcSessionId": logon(client)}


def test_example_served_through_the_api(example_client):
    client, headers = example_client
    doc = example()
    shift = when(START) - when(doc["Anchor"])
    plans = {guid(p["UID"]): p for p in doc["CloudFailoverPlans"]}
    servers = {guid(s["UID"]): s for s in doc["BackupServers"]}
    points = {guid(rp["UID"]): (vm["Name"], rp["CreationTimeUTC"])
              for p in doc["CloudFailoverPlans"] for vm in p["Vms"] for rp in vm["ReplicaPoints"]}

    def shifted(text: str | None) -> str | None:
        return None if text is None else em_time(when(text) + shift)

    for raw in doc["CloudFailoverSessions"]:
        sid = guid(raw["UID"])
        response = client.get(f"/api/cloud/failoverSessions/{sid}?format=Entity", headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        plan = plans[guid(raw["CloudFailoverPlanUid"])]
        server_id = guid(plan["BackupServerUid"])
        assert body["Type"] == "CloudFailoverSession"
        assert body["UID"] == f"urn:veeam:CloudFailoverSession:{sid}"
        assert body["Name"] == plan["Name"]
        assert body["JobType"] == "FailoverPlan"
        assert body["CreationTimeUTC"] == shifted(raw["CreationTimeUTC"])
        assert body["EndTimeUTC"] == shifted(raw.get("EndTimeUTC"))
        assert body["State"] == raw["State"]
        assert body["Result"] == raw["Result"]
        assert body["Progress"] == raw["Progress"]
        assert body["FailureMessage"] == raw.get("FailureMessage")
        up = body["Links"][0]
        assert up["Rel"] == "Up"
        assert up["Href"] == f"http://testserver/api/backupServers/{server_id}"
        assert up["Name"] == servers[server_id]["Name"]
        tasks = body["CloudFailoverTasks"]["CloudFailoverTasks"]
        assert len(tasks) == len(raw["Tasks"])
        for task, raw_task in zip(tasks, raw["Tasks"], strict=True):
            point_id = guid(raw_task["VmReplicaPointUid"])
            vm_name, point_time = points[point_id]
            point_at = when(point_time) + shift
            assert task["VmName"] == raw_task["VmName"]
            assert task["CreationTimeUTC"] == shifted(raw_task["CreationTimeUTC"])
            assert task["EndTimeUTC"] == shifted(raw_task.get("EndTimeUTC"))
            assert task["State"] == raw_task["State"]
            assert task["Result"] == raw_task["Result"]
            assert task["Progress"] == raw_task["Progress"]
            assert task["FailureMessage"] == raw_task.get("FailureMessage")
            link = task["VmReplicaPointLink"]
            assert link["Href"] == f"http://testserver/api/cloud/vmReplicaPoints/{point_id}"
            assert link["Name"] == f"{vm_name}@{point_at:%Y-%m-%d %H:%M:%S}"


def test_example_collection_keeps_the_30_day_window_relative(example_client):
    client, headers = example_client
    doc = example()
    anchor = when(doc["Anchor"])
    recent = [guid(s["UID"]) for s in doc["CloudFailoverSessions"]
              if anchor - when(s["CreationTimeUTC"]) <= timedelta(days=30)]
    response = client.get("/api/cloud/failoverSessions", headers=headers)
    assert response.status_code == 200
    assert [guid(r["UID"]) for r in response.json()["Refs"]] == recent
    assert 0 < len(recent) < len(doc["CloudFailoverSessions"])


# --- (2) validation errors ------------------------------------------------------------------


def errors_of(path: Path, doc: Any) -> list[str]:
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    with pytest.raises(FixtureError) as info:
        load_path(path, START_MS)
    assert str(info.value) == "\n".join(info.value.errors)
    return info.value.errors


def only_error(tmp_path: Path, doc: Any) -> tuple[str, str]:
    """The one error for ``doc`` written to a file: (JSON path, reason); checks the file."""
    path = tmp_path / "bad.json"
    errors = errors_of(path, doc)
    assert len(errors) == 1, errors
    prefix = f"{path}: "
    assert errors[0].startswith(prefix), errors[0]
    where, _, reason = errors[0][len(prefix):].partition(": ")
    return where, reason


UNKNOWN = "0badbeef-0000-4000-8000-00000000dead"


@pytest.mark.parametrize("value", [
    "5e000000-0000-4000-8000-00000000001",  # one digit short
    "urn:veeam:CloudFailoverSession:not-a-guid",
    "5e000000000040008000000000000001",  # no dashes
    "",
])
def test_malformed_uid(tmp_path, value):
    doc = example()
    doc["CloudFailoverSessions"][0]["UID"] = value
    where, reason = only_error(tmp_path, doc)
    assert where == "$.CloudFailoverSessions[0].UID"
    assert "is not a GUID" in reason
    assert repr(value) in reason


@pytest.mark.parametrize("section, index, key, value, expected", [
    ("CloudFailoverPlans", 0, "TenantUid",
     "urn:veeam:BackupServer:7e000000-0000-4000-8000-000000000001", "CloudTenant"),
    ("CloudFailoverSessions", 1, "UID",
     "urn:veeam:CloudFailoverPlan:5e000000-0000-4000-8000-000000000002", "CloudFailoverSession"),
    ("CloudFailoverSessions", 2, "CloudFailoverPlanUid",
     "urn:acme:CloudFailoverPlan:f1a00000-0000-4000-8000-000000000001", "CloudFailoverPlan"),
    ("CloudTenants", 1, "UID",
     "urn:veeam:CloudTenant:extra:7e000000-0000-4000-8000-000000000002", "CloudTenant"),
])
def test_uid_of_the_wrong_type(tmp_path, section, index, key, value, expected):
    doc = example()
    doc[section][index][key] = value
    if section == "CloudTenants":  # nothing may refer to the broken tenant
        doc["CloudFailoverPlans"][1]["TenantUid"] = doc["CloudTenants"][0]["UID"]
    where, reason = only_error(tmp_path, doc)
    assert where == f"$.{section}[{index}].{key}"
    assert repr(value) in reason
    assert f"urn:veeam:{expected}:<guid>" in reason


def _unknown_server(doc: dict[str, Any]) -> str:
    doc["CloudFailoverPlans"][1]["BackupServerUid"] = f"urn:veeam:BackupServer:{UNKNOWN}"
    return "$.CloudFailoverPlans[1].BackupServerUid"


def _unknown_tenant(doc: dict[str, Any]) -> str:
    doc["CloudFailoverPlans"][0]["TenantUid"] = UNKNOWN  # the bare GUID form is accepted too
    return "$.CloudFailoverPlans[0].TenantUid"


def _unknown_plan(doc: dict[str, Any]) -> str:
    doc["CloudFailoverSessions"][3]["CloudFailoverPlanUid"] = (
        f"urn:veeam:CloudFailoverPlan:{UNKNOWN}")
    return "$.CloudFailoverSessions[3].CloudFailoverPlanUid"


def _unknown_point(doc: dict[str, Any]) -> str:
    doc["CloudFailoverSessions"][2]["Tasks"][1]["VmReplicaPointUid"] = (
        f"urn:veeam:CloudVmReplicaPoint:{UNKNOWN}")
    return "$.CloudFailoverSessions[2].Tasks[1].VmReplicaPointUid"


@pytest.mark.parametrize("break_it, what", [
    (_unknown_server, "no backup server"),
    (_unknown_tenant, "no tenant"),
    (_unknown_plan, "no cloud failover plan"),
    (_unknown_point, "no replica point"),
])
def test_reference_to_an_unknown_item(tmp_path, break_it, what):
    doc = example()
    path = break_it(doc)
    where, reason = only_error(tmp_path, doc)
    assert where == path
    assert what in reason
    assert UNKNOWN in reason


@pytest.mark.parametrize("path, value, allowed", [
    (("CloudFailoverSessions", 0, "State"), "Finished", "Starting, Stopping, Working, Stopped"),
    (("CloudFailoverSessions", 1, "Result"), "Succeeded", "None, Success, Warning, Failed"),
    (("CloudFailoverPlans", 0, "Outcome"), "Maybe", "Success, Warning, Failed"),
])
def test_unknown_enum_value(tmp_path, path, value, allowed):
    section, index, key = path
    doc = example()
    doc[section][index][key] = value
    where, reason = only_error(tmp_path, doc)
    assert where == f"$.{section}[{index}].{key}"
    assert repr(value) in reason
    assert allowed in reason


def test_unknown_enum_value_in_a_task(tmp_path):
    doc = example()
    doc["CloudFailoverSessions"][0]["Tasks"][0]["State"] = "Done"
    where, reason = only_error(tmp_path, doc)
    assert where == "$.CloudFailoverSessions[0].Tasks[0].State"
    assert "'Done'" in reason and "Stopped" in reason


def test_end_time_before_creation_time(tmp_path):
    doc = example()
    doc["CloudFailoverSessions"][1]["EndTimeUTC"] = "2026-02-10T01:59:59.999Z"
    where, reason = only_error(tmp_path, doc)
    assert where == "$.CloudFailoverSessions[1].EndTimeUTC"
    assert "before CreationTimeUTC" in reason


def test_task_end_time_before_its_creation_time(tmp_path):
    doc = example()
    doc["CloudFailoverSessions"][2]["Tasks"][0]["EndTimeUTC"] = "2026-02-22T03:15:02Z"
    where, reason = only_error(tmp_path, doc)
    assert where == "$.CloudFailoverSessions[2].Tasks[0].EndTimeUTC"
    assert "before CreationTimeUTC" in reason


def _dup_server(doc: dict[str, Any]) -> tuple[str, str, str]:
    first = doc["BackupServers"][0]
    doc["BackupServers"].append({"UID": first["UID"], "Name": "copy.example.local"})
    return "$.BackupServers[2].UID", first["UID"], "$.BackupServers[0]"


def _dup_tenant(doc: dict[str, Any]) -> tuple[str, str, str]:
    second = doc["CloudTenants"][1]
    doc["CloudTenants"].append({"UID": second["UID"].upper().replace("URN:VEEAM:CLOUDTENANT",
                                                                     "urn:veeam:CloudTenant"),
                                "Name": "Initech"})
    return "$.CloudTenants[2].UID", second["UID"], "$.CloudTenants[1]"


def _dup_plan(doc: dict[str, Any]) -> tuple[str, str, str]:
    first = doc["CloudFailoverPlans"][0]
    doc["CloudFailoverPlans"].append(dict(first, Name="Another plan", Vms=[]))
    return "$.CloudFailoverPlans[2].UID", first["UID"], "$.CloudFailoverPlans[0]"


def _dup_point(doc: dict[str, Any]) -> tuple[str, str, str]:
    point = doc["CloudFailoverPlans"][0]["Vms"][1]["ReplicaPoints"][0]
    doc["CloudFailoverPlans"][1]["Vms"][0]["ReplicaPoints"].append(copy.deepcopy(point))
    return ("$.CloudFailoverPlans[1].Vms[0].ReplicaPoints[2].UID", point["UID"],
            "$.CloudFailoverPlans[0].Vms[1].ReplicaPoints[0]")


def _dup_session(doc: dict[str, Any]) -> tuple[str, str, str]:
    first = doc["CloudFailoverSessions"][0]
    doc["CloudFailoverSessions"].append(copy.deepcopy(first))
    return "$.CloudFailoverSessions[5].UID", first["UID"], "$.CloudFailoverSessions[0]"


@pytest.mark.parametrize("duplicate", [_dup_server, _dup_tenant, _dup_plan, _dup_point,
                                       _dup_session])
def test_duplicate_uid(tmp_path, duplicate):
    doc = example()
    path, uid, first_at = duplicate(doc)
    where, reason = only_error(tmp_path, doc)
    assert where == path
    assert "duplicate UID" in reason
    assert guid(uid) in reason
    assert f"{tmp_path / 'bad.json'}: {first_at}" in reason


@pytest.mark.parametrize("path, value, expected", [
    (("BackupServers", 0, "Port"), "9392", 'must be integer, not "9392"'),
    (("BackupServers", 1, "WcfPort"), 9405.5, "must be integer"),
    (("CloudFailoverSessions", 0, "Progress"), "100", 'must be integer, not "100"'),
    (("CloudFailoverSessions", 0, "Progress"), True, "must be integer, not true"),
    (("CloudTenants", 0, "Name"), 42, "must be string, not 42"),
    (("CloudFailoverPlans", 0, "PreFailoverPlanCommandEnabled"), "yes", "must be boolean"),
    (("BackupServers", 0, "Description"), ["London"], "must be string"),
    (("CloudFailoverSessions", 3, "Tasks"), "none", "must be array"),
    (("CloudFailoverSessions", 1, "CreationTimeUTC"), 1_770_688_800_000, "must be string"),
    (("CloudFailoverSessions", 0, "UID"), 5, "must be string"),
    (("CloudFailoverSessions", 2, "FailureMessage"), ["disk full"], "must be null or string"),
])
def test_wrong_json_type(tmp_path, path, value, expected):
    section, index, key = path
    doc = example()
    doc[section][index][key] = value
    where, reason = only_error(tmp_path, doc)
    assert where == f"$.{section}[{index}].{key}"
    assert expected in reason


def test_wrong_json_type_of_a_section_and_an_item(tmp_path):
    doc = example()
    doc["CloudFailoverSessions"] = {"UID": "x"}
    assert only_error(tmp_path, doc) == ("$.CloudFailoverSessions", "must be an array")
    doc = example()
    doc["CloudFailoverSessions"][4] = "running"
    assert only_error(tmp_path, doc) == ("$.CloudFailoverSessions[4]", "must be an object")
    assert only_error(tmp_path, [doc]) == ("$", "must be a JSON object")


@pytest.mark.parametrize("place, key", [
    (("CloudTenants", 0), "Colour"),
    (("BackupServers", 1), "Hostname"),
    (("CloudFailoverSessions", 4), "EndTime"),
])
def test_unknown_key(tmp_path, place, key):
    section, index = place
    doc = example()
    doc[section][index][key] = "x"
    where, reason = only_error(tmp_path, doc)
    assert where == f"$.{section}[{index}].{key}"
    assert reason.startswith("unknown key")
    assert "UID" in reason  # names the keys that are known


def test_unknown_key_deep_inside(tmp_path):
    doc = example()
    doc["CloudFailoverSessions"][2]["Tasks"][1]["VmId"] = 1
    doc["CloudFailoverPlans"][1]["Vms"][0]["ReplicaPoints"][0]["Size"] = 1
    errors = errors_of(tmp_path / "bad.json", doc)
    file = tmp_path / "bad.json"
    assert len(errors) == 2, errors
    assert errors[0].startswith(
        f"{file}: $.CloudFailoverPlans[1].Vms[0].ReplicaPoints[0].Size: unknown key")
    assert errors[1].startswith(f"{file}: $.CloudFailoverSessions[2].Tasks[1].VmId: unknown key")


def test_unknown_top_level_section(tmp_path):
    doc = example()
    doc["Sessions"] = []
    where, reason = only_error(tmp_path, doc)
    assert where == "$.Sessions"
    assert "unknown section" in reason and "CloudFailoverSessions" in reason


@pytest.mark.parametrize("text, line, column", [
    ('{\n "BackupServers": [\n  {"UID": }\n ]\n}\n', 3, 11),
    ('{"CloudTenants": [{"UID": "x", "Name": "y"},]}', 1, 45),
    ("", 1, 1),
])
def test_invalid_json(tmp_path, text, line, column):
    path = tmp_path / "broken.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FixtureError) as info:
        load_path(path, START_MS)
    assert len(info.value.errors) == 1
    error = info.value.errors[0]
    assert error.startswith(f"{path}: $: not valid JSON")
    assert error.endswith(f"at line {line} column {column}")


@pytest.mark.parametrize("path, key", [
    (("CloudFailoverSessions", 0), "CreationTimeUTC"),
    (("CloudFailoverSessions", 1), "State"),
    (("CloudFailoverSessions", 2), "UID"),
    (("BackupServers", 0), "Name"),
    (("CloudTenants", 1), "Name"),
    (("CloudFailoverPlans", 1), "TenantUid"),
])
def test_missing_required_key(tmp_path, path, key):
    section, index = path
    doc = example()
    del doc[section][index][key]
    where, reason = only_error(tmp_path, doc)
    assert where == f"$.{section}[{index}].{key}"
    assert reason == "is required"


def test_missing_required_key_in_a_task(tmp_path):
    doc = example()
    del doc["CloudFailoverSessions"][3]["Tasks"][0]["VmName"]
    assert only_error(tmp_path, doc) == ("$.CloudFailoverSessions[3].Tasks[0].VmName",
                                         "is required")


@pytest.mark.parametrize("path, value, expected", [
    (("CloudFailoverSessions", 0, "CreationTimeUTC"), "yesterday", "not a UTC date-time"),
    (("CloudFailoverSessions", 0, "CreationTimeUTC"), "2026-01-20T09:00:00.0005Z",
     "whole milliseconds"),
    (("CloudFailoverSessions", 0, "Progress"), 101, "outside 0..100"),
    (("CloudFailoverSessions", 1, "EndTimeUTC"), None, "required when State is Stopped"),
    (("CloudFailoverSessions", 4, "EndTimeUTC"), "2026-03-01T11:59:00Z",
     "must be null while State is Working"),
    (("CloudFailoverSessions", 4, "Result"), "Success", "must be None while State is Working"),
    (("CloudFailoverSessions", 2, "Result"), "None", "cannot be None when State is Stopped"),
])
def test_inconsistent_values(tmp_path, path, value, expected):
    section, index, key = path
    doc = example()
    doc[section][index][key] = value
    where, reason = only_error(tmp_path, doc)
    assert where == f"$.{section}[{index}].{key}"
    assert expected in reason


def _paused(item: dict[str, Any]) -> str:
    item["State"] = "Paused"
    return "State"


def _stateless(item: dict[str, Any]) -> str:
    del item["State"]
    return "State"


def _bad_result(item: dict[str, Any]) -> str:
    item["Result"] = "Pending"
    return "Result"


def _bad_end(item: dict[str, Any]) -> str:
    item["EndTimeUTC"] = "yesterday"
    return "EndTimeUTC"


@pytest.mark.parametrize("item, break_it", [
    ((4,), _paused),  # the running session
    ((4,), _stateless),
    ((4,), _bad_result),
    ((4, 1), _paused),  # its running task
    ((1,), _bad_end),  # a finished session
])
def test_one_bad_value_gives_one_error(tmp_path, item, break_it):
    """A value that cannot be read is reported once, not again as a broken State/Result rule."""
    doc = example()
    target = doc["CloudFailoverSessions"][item[0]]
    path = f"$.CloudFailoverSessions[{item[0]}]"
    if len(item) > 1:
        target = target["Tasks"][item[1]]
        path += f".Tasks[{item[1]}]"
    key = break_it(target)
    where, _ = only_error(tmp_path, doc)
    assert where == f"{path}.{key}"


@pytest.mark.parametrize("key, value", [("Format", "em-mock-fixture/2"), ("Anchor", "soon"),
                                        ("Anchor", 0)])
def test_bad_header(tmp_path, key, value):
    doc = example()
    doc[key] = value
    where, reason = only_error(tmp_path, doc)
    assert where == f"$.{key}"
    assert reason


def test_several_errors_are_reported_at_once(tmp_path):
    doc = example()
    doc["BackupServers"][0]["Port"] = "9392"
    doc["CloudTenants"][1]["Colour"] = "blue"
    doc["CloudFailoverPlans"][0]["BackupServerUid"] = UNKNOWN
    doc["CloudFailoverSessions"][0]["State"] = "Finished"
    doc["CloudFailoverSessions"][1]["EndTimeUTC"] = "2026-02-10T01:00:00Z"
    doc["CloudFailoverSessions"][3]["Tasks"][0]["Progress"] = "full"
    del doc["CloudFailoverSessions"][4]["CreationTimeUTC"]
    path = tmp_path / "bad.json"
    errors = errors_of(path, doc)
    wheres = [e[len(f"{path}: "):].partition(": ")[0] for e in errors]
    assert all(e.startswith(f"{path}: ") for e in errors)
    assert wheres == [
        "$.BackupServers[0].Port",
        "$.CloudTenants[1].Colour",
        "$.CloudFailoverPlans[0].BackupServerUid",
        "$.CloudFailoverSessions[0].State",
        "$.CloudFailoverSessions[1].EndTimeUTC",
        "$.CloudFailoverSessions[3].Tasks[0].Progress",
        "$.CloudFailoverSessions[4].CreationTimeUTC",
    ]


def test_invalid_json_in_several_files_is_reported_at_once(tmp_path):
    (tmp_path / "a.json").write_text("{", encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps(example()), encoding="utf-8")
    (tmp_path / "c.json").write_text('{"CloudTenants": [}', encoding="utf-8")
    with pytest.raises(FixtureError) as info:
        load_path(tmp_path, START_MS)
    errors = info.value.errors
    assert len(errors) == 2
    assert errors[0].startswith(f"{tmp_path / 'a.json'}: $: not valid JSON")
    assert errors[1].startswith(f"{tmp_path / 'c.json'}: $: not valid JSON")
    assert errors[1].endswith("line 1 column 19")


def test_missing_file(tmp_path):
    with pytest.raises(FixtureError) as info:
        load_path(tmp_path / "nowhere.json", START_MS)
    assert info.value.errors == [f"{tmp_path / 'nowhere.json'}: no such file"]


# --- (3) a directory of files ---------------------------------------------------------------


def split_example(folder: Path) -> None:
    """The example across four files; sessions come first and refer to plans further on."""
    doc = example()
    sessions = doc["CloudFailoverSessions"]
    parts = {
        "10-sessions.json": {"Format": FORMAT, "Anchor": doc["Anchor"],
                             "CloudFailoverSessions": sessions[:3]},
        "20-sessions.json": {"CloudFailoverSessions": sessions[3:]},
        "30-inventory.json": {"BackupServers": doc["BackupServers"],
                              "CloudTenants": doc["CloudTenants"]},
        "40-plans.json": {"Format": FORMAT, "CloudFailoverPlans": doc["CloudFailoverPlans"]},
    }
    folder.mkdir(exist_ok=True)
    for name, part in parts.items():
        (folder / name).write_text(json.dumps(part, indent=1), encoding="utf-8")
    (folder / "README.txt").write_text("not JSON, not read", encoding="utf-8")


def test_a_directory_loads_as_one_document(tmp_path):
    split_example(tmp_path / "fx")
    data = load_path(tmp_path / "fx", START_MS)
    check_data_matches(data, example(), shift_ms=START_MS - ms(example()["Anchor"]))
    assert dumps(data) == dumps(load_path(EXAMPLE, START_MS))


def test_errors_in_a_directory_name_the_file_and_its_own_path(tmp_path):
    folder = tmp_path / "fx"
    split_example(folder)
    part = json.loads((folder / "20-sessions.json").read_text(encoding="utf-8"))
    part["CloudFailoverSessions"][0]["State"] = "Paused"
    (folder / "20-sessions.json").write_text(json.dumps(part), encoding="utf-8")
    plans = json.loads((folder / "40-plans.json").read_text(encoding="utf-8"))
    plans["CloudFailoverPlans"][0]["TenantUid"] = UNKNOWN
    (folder / "40-plans.json").write_text(json.dumps(plans), encoding="utf-8")
    with pytest.raises(FixtureError) as info:
        load_path(folder, START_MS)
    errors = info.value.errors
    assert len(errors) == 2, errors
    assert errors[0].startswith(
        f"{folder / '40-plans.json'}: $.CloudFailoverPlans[0].TenantUid: no tenant")
    assert errors[1].startswith(
        f"{folder / '20-sessions.json'}: $.CloudFailoverSessions[0].State: 'Paused'")


def test_a_duplicate_across_files_names_both(tmp_path):
    folder = tmp_path / "fx"
    split_example(folder)
    part = json.loads((folder / "20-sessions.json").read_text(encoding="utf-8"))
    part["CloudFailoverSessions"].append(example()["CloudFailoverSessions"][0])
    (folder / "20-sessions.json").write_text(json.dumps(part), encoding="utf-8")
    with pytest.raises(FixtureError) as info:
        load_path(folder, START_MS)
    assert info.value.errors == [
        f"{folder / '20-sessions.json'}: $.CloudFailoverSessions[2].UID: duplicate UID "
        f"5e000000-0000-4000-8000-000000000001 (first used at "
        f"{folder / '10-sessions.json'}: $.CloudFailoverSessions[0])"]


def test_files_that_disagree_on_the_anchor(tmp_path):
    folder = tmp_path / "fx"
    split_example(folder)
    part = json.loads((folder / "40-plans.json").read_text(encoding="utf-8"))
    part["Anchor"] = "2026-03-02T12:00:00Z"
    (folder / "40-plans.json").write_text(json.dumps(part), encoding="utf-8")
    with pytest.raises(FixtureError) as info:
        load_path(folder, START_MS)
    assert len(info.value.errors) == 1
    assert "different Anchor" in info.value.errors[0]


def test_an_empty_directory_is_an_error(tmp_path):
    with pytest.raises(FixtureError) as info:
        load_path(tmp_path, START_MS)
    assert info.value.errors == [f"{tmp_path}: no *.json fixture files in this directory"]


# --- (4) export, load, export ---------------------------------------------------------------


@pytest.mark.parametrize("source", [DEFAULT, EXAMPLE], ids=["default", "example"])
@pytest.mark.parametrize("start", [START_MS, START_MS + 123_456_789])
def test_export_load_export_is_byte_identical(tmp_path, source, start):
    first = dumps(load_path(source, start))
    again = dumps(load_documents([("export", json.loads(first))], start))
    assert again == first
    exported = tmp_path / "export.json"
    exported.write_text(first, encoding="utf-8")
    assert dumps(load_path(exported, start)) == first
    # Written in the source's frame: the source's Anchor, whatever the clock.
    source_anchor = json.loads(source.read_text(encoding="utf-8"))["Anchor"]
    assert json.loads(first)["Anchor"] == fixture_text(when(source_anchor))


@pytest.mark.parametrize("source", [DEFAULT, EXAMPLE], ids=["default", "example"])
def test_export_is_the_same_bytes_at_any_clock(source):
    """Loaded at two different clock starts (as two unpinned runs are), the same file
    exports the same bytes, and loading that export at a third start changes nothing."""
    first = dumps(load_path(source, START_MS))
    later = dumps(load_path(source, START_MS + 86_400_000 * 40 + 1_234))
    assert later == first
    third = load_documents([("export", json.loads(first))], START_MS - 777_777)
    assert dumps(third) == first


def test_export_of_generated_data_round_trips():
    data = generate(7, Sizes(backup_servers=2, failover_plans=5, sessions=70), START_MS)
    first = dumps(data)
    assert dumps(load_documents([("export", json.loads(first))], START_MS)) == first


def test_export_without_an_anchor_round_trips(tmp_path):
    doc = example()
    del doc["Anchor"]
    first = dumps(load_documents([("absolute", doc)], START_MS))
    assert "Anchor" not in json.loads(first)
    assert dumps(load_documents([("export", json.loads(first))], START_MS)) == first
    assert [s["CreationTimeUTC"] for s in json.loads(first)["CloudFailoverSessions"]] == [
        fixture_text(when(s["CreationTimeUTC"])) for s in doc["CloudFailoverSessions"]]


# --- (5) the embedded default ---------------------------------------------------------------


def test_embedded_default_is_what_the_generator_produces():
    text = DEFAULT.read_text(encoding="utf-8")
    anchor = ms(json.loads(text)["Anchor"])
    assert text == dumps(generate(DEFAULT_SEED, Sizes(), anchor))


def test_the_default_data_is_the_embedded_file_at_the_clock():
    assert default_fixture_path().resolve() == DEFAULT.resolve()
    runtime = Runtime.create(Settings(epoch=START_MS, frozen_clock=True))
    assert dumps(runtime.store.data) == dumps(generate(DEFAULT_SEED, Sizes(), START_MS))


# --- (6) the command line -------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EM_MOCK_")}
    return subprocess.run([sys.executable, "-m", "em_mock", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_cli_export_writes_the_fixture_file(tmp_path):
    out = tmp_path / "seed7.json"
    result = run_cli("export", str(out), "--seed", "7", "--sessions", "20",
                     "--epoch", "2026-01-01T00:00:00Z")
    assert result.returncode == 0, result.stderr
    expected = dumps(generate(7, Sizes(sessions=20), ms("2026-01-01T00:00:00Z")))
    assert out.read_text(encoding="utf-8") == expected
    assert len(json.loads(expected)["CloudFailoverSessions"]) == 20


def test_cli_export_to_standard_output_of_a_fixture_file():
    result = run_cli("export", "--fixtures", str(EXAMPLE), "--epoch", START)
    assert result.returncode == 0, result.stderr
    assert result.stdout == dumps(load_path(EXAMPLE, START_MS))


def test_cli_refuses_bad_fixtures_and_names_the_file(tmp_path):
    doc = example()
    doc["CloudFailoverSessions"][0]["State"] = "Finished"
    doc["CloudTenants"][0]["Colour"] = "red"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    result = run_cli("--fixtures", str(bad), "--port", "0")
    assert result.returncode != 0
    assert "ready" not in result.stdout
    assert f"{bad}: $.CloudFailoverSessions[0].State: 'Finished'" in result.stderr
    assert f"{bad}: $.CloudTenants[0].Colour: unknown key" in result.stderr


def test_cli_refuses_invalid_json(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"BackupServers": [', encoding="utf-8")
    result = run_cli("--fixtures", str(bad), "--port", "0")
    assert result.returncode != 0
    assert f"{bad}: $: not valid JSON" in result.stderr
    assert "line 1 column 20" in result.stderr


# --- (7) runs in flight and how times are written -------------------------------------------


def _working(doc: dict[str, Any]) -> dict[str, Any]:
    session: dict[str, Any] = next(s for s in doc["CloudFailoverSessions"]
                                   if s["State"] == "Working")
    return session


def test_a_run_in_flight_loads_and_exports_unchanged():
    doc = example()
    _working(doc)["Run"] = {"Outcome": "Warning", "FailureMessage": "slow disk", "Culprit": 0}
    first = dumps(load_documents([("run", doc)], START_MS))
    assert _working(json.loads(first))["Run"] == {
        "Outcome": "Warning", "FailureMessage": "slow disk", "Culprit": 0}
    assert dumps(load_documents([("export", json.loads(first))], START_MS + 5_000)) == first


@pytest.mark.parametrize("run, where, reason", [
    ({"Outcome": "Great"}, "Run.Outcome", "'Great' is not one of Success, Warning, Failed"),
    ({"Outcome": "Failed", "Culprit": 9}, "Run.Culprit", "9 is not -1 or the index"),
    ({"Outcome": "Success", "Colour": "red"}, "Run.Colour", "unknown key"),
    ("soon", "Run", "must be null or object"),
])
def test_a_bad_run_is_refused_with_its_path(tmp_path, run, where, reason):
    doc = example()
    index = doc["CloudFailoverSessions"].index(_working(doc))
    _working(doc)["Run"] = run
    path, message = only_error(tmp_path, doc)
    assert path == f"$.CloudFailoverSessions[{index}].{where}"
    assert reason in message


def test_a_stopped_session_cannot_have_a_run(tmp_path):
    doc = example()
    stopped = next(s for s in doc["CloudFailoverSessions"] if s["State"] == "Stopped")
    stopped["Run"] = {"Outcome": "Success"}
    index = doc["CloudFailoverSessions"].index(stopped)
    path, message = only_error(tmp_path, doc)
    assert path == f"$.CloudFailoverSessions[{index}].Run"
    assert "must be null when State is Stopped" in message


def test_every_time_in_an_export_has_three_fraction_digits():
    """Whole seconds are written .000Z, tenths .500Z: never trimmed, never absent."""
    text = dumps(load_path(DEFAULT, START_MS + 500))
    written = re.findall(r'"(\d{4}-\d{2}-\d{2}T[^"]*)"', text)
    assert len(written) > 10_000
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", t) for t in written)
    assert json.loads(text)["Anchor"] == "2026-01-01T00:00:00.000Z"
