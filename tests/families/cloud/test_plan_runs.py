"""Plan actions on the wire: the Task they return and the session the mock clock drives."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from tests.control.support import (
    EPOCH_DT,
    XML_BODY,
    XML_SPEC,
    at,
    guid,
    idle_plans,
    move_clock,
    parse,
)
from tests.helpers import JSON, NS, Q, error_of, logon, xml

PLANS = "/api/cloud/cloudFailoverPlans"
BASE = "http://testserver"


def _plan(client, index: int = 0) -> dict:
    """An idle plan's fixture item (no session of it is running)."""
    return idle_plans(client)[index]


def _start(client, auth, plan_id: str, action: str = "start", json_body: bool = True):
    if json_body:
        return client.post(f"{PLANS}/{plan_id}?action={action}", headers={**auth, **JSON},
                           json={"StartNow": True})
    return client.post(f"{PLANS}/{plan_id}?action={action}", headers={**auth, **XML_BODY},
                       content=XML_SPEC)


def _open_sessions(client, auth, plan_name: str) -> list[dict]:
    """Entities of the plan's sessions that have not stopped, through the query service."""
    response = client.get("/api/query", params={
        "type": "CloudFailoverSession", "format": "Entities",
        "filter": f'Name=="{plan_name}";State!=Stopped'}, headers={**auth, **JSON})
    assert response.status_code == 200, response.text
    entities = response.json()["Entities"]["CloudFailoverSessions"]["CloudFailoverSessions"]
    return list(entities)


def _session(client, auth, session_uid: str) -> dict:
    """One session's entity through the query service (filtered by UID)."""
    response = client.get("/api/query", params={
        "type": "CloudFailoverSession", "format": "Entities", "filter": f"UID=={session_uid}"},
        headers={**auth, **JSON})
    assert response.status_code == 200, response.text
    entities = response.json()["Entities"]["CloudFailoverSessions"]["CloudFailoverSessions"]
    assert len(entities) == 1
    entity: dict = entities[0]
    return entity


def _vm_tasks(entity: dict) -> list[dict]:
    return list(entity["CloudFailoverTasks"]["CloudFailoverTasks"])


# --- the Task ------------------------------------------------------------------------------


def test_start_with_an_xml_spec_answers_202_and_a_running_task(client, auth):
    plan = _plan(client)
    response = _start(client, auth, guid(plan["UID"]), json_body=False)
    assert response.status_code == 202
    assert response.headers["content-type"].startswith("application/xml")
    root = xml(response.content)
    assert root.tag == Q + "Task"
    assert root.get("Type") == "Task"
    href = root.get("Href")
    assert href == f"{BASE}/api/tasks/task-1"
    assert root.findtext(Q + "TaskId") == "task-1"
    assert root.findtext(Q + "State") == "Running"
    assert root.findtext(Q + "Operation") == "StartCloudFailoverPlan"
    first = root.find(f"{Q}Links/{Q}Link")
    assert first is not None
    assert (first.get("Rel"), first.get("Href")) == ("Delete", href)
    assert root.find(Q + "Result") is None


def test_start_with_a_json_spec_answers_202_and_a_running_task(client, auth):
    plan = _plan(client)
    response = _start(client, auth, guid(plan["UID"]))
    assert response.status_code == 202
    assert response.headers["content-type"].startswith("application/json")
    task = response.json()
    assert (task["TaskId"], task["State"], task["Operation"]) == \
        ("task-1", "Running", "StartCloudFailoverPlan")
    assert task["Href"] == f"{BASE}/api/tasks/task-1"
    assert task["Type"] == "Task"
    assert task["Links"][0]["Rel"] == "Delete"
    assert task["Links"][0]["Href"] == task["Href"]
    second = _start(client, auth, guid(_plan(client, 1)["UID"]))
    assert second.status_code == 202
    assert second.json()["TaskId"] == "task-2"


def test_new_session_is_visible_to_the_query_service_at_once_as_starting(client, auth):
    plan = _plan(client)
    assert _open_sessions(client, auth, plan["Name"]) == []
    assert _start(client, auth, guid(plan["UID"]), json_body=False).status_code == 202
    [session] = _open_sessions(client, auth, plan["Name"])
    assert session["State"] == "Starting"
    assert session["Result"] == "None"
    assert session["Progress"] == 0
    assert session["EndTimeUTC"] is None
    assert session["JobType"] == "FailoverPlan"
    assert parse(session["CreationTimeUTC"]) == EPOCH_DT
    assert [t["VmName"] for t in _vm_tasks(session)] == [vm["Name"] for vm in plan["Vms"]]
    assert all(t["State"] == "Starting" for t in _vm_tasks(session))
    newest = client.get("/api/query?type=CloudFailoverSession&sortDesc=CreationTime&pageSize=1",
                        headers={**auth, **JSON}).json()["Refs"]["Refs"]
    assert newest[0]["UID"] == session["UID"]
    listed = client.get("/api/cloud/failoverSessions", headers={**auth, **JSON}).json()["Refs"]
    assert session["UID"] in [r["UID"] for r in listed]


def test_session_moves_with_the_clock_to_the_plans_outcome(client, auth):
    plan = _plan(client)
    plan_id = guid(plan["UID"])
    edited = client.put(f"/mock/data/failoverPlans/{plan_id}", json={**plan, "Outcome": "Failed"})
    assert edited.status_code == 200
    assert _start(client, auth, plan_id).status_code == 202
    [session] = _open_sessions(client, auth, plan["Name"])
    uid = session["UID"]

    samples = [session]
    elapsed = 0.0
    for step in (5, 7, 13, 20, 15, 30, 60, 120, 300):
        move_clock(client, action="advance", seconds=step)
        elapsed += step
        entity = _session(client, auth, uid)
        samples.append(entity)
        if entity["State"] == "Stopped":
            break
    states = [s["State"] for s in samples]
    assert states[0] == "Starting" and states[-1] == "Stopped"
    assert "Working" in states
    order = ["Starting", "Working", "Stopping", "Stopped"]
    assert [order.index(s) for s in states] == sorted(order.index(s) for s in states)
    working = [s["Progress"] for s in samples if s["State"] == "Working"]
    assert len(working) >= 2 and working == sorted(working) and working[0] < working[-1]
    assert all(0 < p < 100 for p in working)
    progress = [s["Progress"] for s in samples]
    assert progress == sorted(progress)

    for vm in range(len(plan["Vms"])):
        vm_progress = [_vm_tasks(s)[vm]["Progress"] for s in samples]
        assert vm_progress == sorted(vm_progress)
        assert vm_progress[-1] == 100
    advanced = [s for s in samples
                if any(t["State"] == "Working" and 0 < t["Progress"] < 100 for t in _vm_tasks(s))]
    assert advanced, "no sample caught a VM task in progress"

    final = samples[-1]
    assert final["Progress"] == 100
    assert final["Result"] == "Failed"
    assert final["FailureMessage"]
    end = parse(final["EndTimeUTC"])
    assert EPOCH_DT < end <= EPOCH_DT + timedelta(seconds=elapsed)
    tasks = _vm_tasks(final)
    assert all(t["State"] == "Stopped" and t["EndTimeUTC"] for t in tasks)
    assert [t["Result"] for t in tasks].count("Failed") == 1

    root = xml(client.get(f"/api/cloud/failoverSessions/{guid(uid)}?format=Entity",
                          headers=auth).content)
    assert root.findtext(Q + "State") == "Stopped"
    assert root.findtext(Q + "Result") == "Failed"
    assert root.findtext(Q + "Progress") == "100"
    assert root.findtext(Q + "EndTimeUTC") == final["EndTimeUTC"]
    assert root.findtext(Q + "FailureMessage") == final["FailureMessage"]

    # Once stopped, the session stays as it is.
    move_clock(client, action="advance", seconds=600)
    assert _session(client, auth, uid) == final


def test_runtime_clock_drives_the_session_too(client, auth, runtime):
    plan = _plan(client)
    assert _start(client, auth, guid(plan["UID"])).status_code == 202
    [session] = _open_sessions(client, auth, plan["Name"])
    runtime.clock.advance(25)
    assert _session(client, auth, session["UID"])["State"] == "Working"
    runtime.clock.advance(600)
    assert _session(client, auth, session["UID"])["State"] == "Stopped"


def test_session_ends_with_the_outcome_set_on_the_plan(client, auth):
    outcome = "Warning"
    plan = _plan(client, 1)
    plan_id = guid(plan["UID"])
    edited = client.put(f"/mock/data/failoverPlans/{plan_id}", json={**plan, "Outcome": outcome})
    assert edited.status_code == 200
    assert _start(client, auth, plan_id).status_code == 202
    [session] = _open_sessions(client, auth, plan["Name"])
    move_clock(client, action="advance", seconds=600)
    final = _session(client, auth, session["UID"])
    assert (final["State"], final["Result"], final["Progress"]) == ("Stopped", outcome, 100)
    assert final["EndTimeUTC"] is not None
    assert [t["Result"] for t in _vm_tasks(final)].count("Warning") == 1


def test_task_finishes_with_a_related_link_to_the_session(client, auth):
    plan = _plan(client)
    assert _start(client, auth, guid(plan["UID"])).status_code == 202
    [session] = _open_sessions(client, auth, plan["Name"])

    running = client.get("/api/tasks/task-1", headers={**auth, **JSON})
    assert running.status_code == 200
    assert running.json()["State"] == "Running"
    move_clock(client, action="advance", seconds=1.999)
    assert client.get("/api/tasks/task-1", headers={**auth, **JSON}).json()["State"] == "Running"
    move_clock(client, action="advance", seconds=0.001)

    task = client.get("/api/tasks/task-1", headers={**auth, **JSON}).json()
    assert task["State"] == "Finished"
    assert task["Result"]["Success"] is True
    assert task["Result"]["Message"]
    related = [link for link in task["Links"] if link["Rel"] == "Related"]
    assert len(related) == 1
    assert related[0]["Type"] == "CloudFailoverSession"
    assert related[0]["Href"].endswith("?format=Entity")
    assert related[0]["Href"].startswith(f"{BASE}/api/cloud/failoverSessions/")
    target = client.get(related[0]["Href"].removeprefix(BASE), headers={**auth, **JSON})
    assert target.status_code == 200
    assert target.json()["UID"] == session["UID"]
    assert target.json()["Type"] == "CloudFailoverSession"

    root = xml(client.get("/api/tasks/task-1", headers=auth).content)
    assert root.findtext(Q + "State") == "Finished"
    result = root.find(Q + "Result")
    assert result is not None and result.get("Success") == "true"
    assert result.findtext(Q + "Message")
    rels = [(link.get("Rel"), link.get("Type")) for link in root.iter(Q + "Link")]
    assert rels[0][0] == "Delete"
    assert ("Related", "CloudFailoverSession") in rels


def test_delete_task_is_204_then_404(client, auth):
    assert _start(client, auth, guid(_plan(client)["UID"])).status_code == 202
    deleted = client.delete("/api/tasks/task-1", headers=auth)
    assert deleted.status_code == 204
    assert deleted.content == b""
    gone = client.get("/api/tasks/task-1", headers={**auth, **JSON})
    assert gone.status_code == 404
    assert error_of(gone)["StatusCode"] == 404
    assert client.delete("/api/tasks/task-1", headers=auth).status_code == 404


def test_another_logon_session_cannot_see_the_task(client, auth):
    assert _start(client, auth, guid(_plan(client)["UID"])).status_code == 202
    other = {"X-RestSvcSessionId": logon(client)}
    response = client.get("/api/tasks/task-1", headers={**other, **JSON})
    assert response.status_code == 404
    assert error_of(response)["StatusCode"] == 404
    assert client.delete("/api/tasks/task-1", headers=other).status_code == 404
    assert client.get("/api/tasks/task-1", headers=auth).status_code == 200


def test_the_task_list_holds_the_callers_tasks_oldest_first(client, auth):
    empty = xml(client.get("/api/tasks", headers=auth).content)
    assert empty.tag == Q + "Tasks" and len(empty) == 0
    first, second = _plan(client, 0), _plan(client, 1)
    assert _start(client, auth, guid(first["UID"])).status_code == 202
    assert _start(client, auth, guid(second["UID"]), "test").status_code == 202
    listed = xml(client.get("/api/tasks", headers=auth).content)
    assert [t.tag for t in listed] == [Q + "Task"] * 2
    assert [t.findtext(Q + "TaskId") for t in listed] == ["task-1", "task-2"]
    assert [t.findtext(Q + "Operation") for t in listed] == [
        "StartCloudFailoverPlan", "TestCloudFailoverPlan"]
    body = client.get("/api/tasks", headers={**auth, **JSON}).json()
    assert [t["TaskId"] for t in body["Tasks"]] == ["task-1", "task-2"]
    other = {"X-RestSvcSessionId": logon(client), **JSON}
    assert client.get("/api/tasks", headers=other).json() == {"Tasks": []}
    assert client.get("/api/tasks").status_code == 401


def test_tasks_need_a_logon_session(client, auth):
    assert _start(client, auth, guid(_plan(client)["UID"])).status_code == 202
    assert client.get("/api/tasks/task-1").status_code == 401
    assert client.post(f"{PLANS}/{guid(_plan(client)['UID'])}?action=start",
                       json={"StartNow": True}).status_code == 401


def test_starting_a_running_plan_is_400_naming_the_running_session(client, auth):
    plan = _plan(client)
    plan_id = guid(plan["UID"])
    assert _start(client, auth, plan_id).status_code == 202
    [session] = _open_sessions(client, auth, plan["Name"])
    for json_body in (True, False):
        refused = _start(client, auth, plan_id, json_body=json_body)
        assert refused.status_code == 400
        error = error_of(refused)
        assert error["StatusCode"] == 400
        assert guid(session["UID"]) in error["Message"]
    assert len(_open_sessions(client, auth, plan["Name"])) == 1
    move_clock(client, action="advance", seconds=600)
    assert _start(client, auth, plan_id).status_code == 202


def test_plan_with_a_seeded_running_session_cannot_start(steady):
    client, auth = steady
    doc = client.get("/mock/state").json()
    running = next(s for s in doc["CloudFailoverSessions"] if s["State"] != "Stopped")
    refused = _start(client, auth, guid(running["CloudFailoverPlanUid"]))
    assert refused.status_code == 400
    assert guid(running["UID"]) in error_of(refused)["Message"]


@pytest.mark.parametrize(("action", "operation"), [
    ("test", "TestCloudFailoverPlan"), ("undo", "UndoCloudFailoverPlan"),
    ("Test", "TestCloudFailoverPlan"), ("START", "StartCloudFailoverPlan"),
])
def test_other_actions_open_a_session_too(client, auth, action, operation):
    plan = _plan(client)
    response = _start(client, auth, guid(plan["UID"]), action=action, json_body=False)
    assert response.status_code == 202
    assert xml(response.content).findtext(Q + "Operation") == operation
    [session] = _open_sessions(client, auth, plan["Name"])
    move_clock(client, action="advance", seconds=600)
    task = client.get("/api/tasks/task-1", headers={**auth, **JSON}).json()
    assert (task["State"], task["Operation"]) == ("Finished", operation)
    assert session["UID"].rsplit(":", 1)[1] in task["Links"][1]["Href"]
    assert _session(client, auth, session["UID"])["State"] == "Stopped"


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["action=explode", "action=", "", "Action=stop"])
def test_bad_or_missing_action_is_400(steady, query):
    client, auth = steady
    plan = _plan(client)
    response = client.post(f"{PLANS}/{guid(plan['UID'])}?{query}", headers={**auth, **JSON},
                           json={"StartNow": True})
    assert response.status_code == 400
    assert error_of(response)["StatusCode"] == 400
    assert _open_sessions(client, auth, plan["Name"]) == []


@pytest.mark.parametrize("plan_id", ["00000000-0000-4000-8000-000000000000", "no-such-plan"])
def test_unknown_plan_is_404(steady, plan_id):
    client, auth = steady
    response = client.post(f"{PLANS}/{plan_id}?action=start", headers={**auth, **JSON},
                           json={"StartNow": True})
    assert response.status_code == 404
    assert error_of(response)["StatusCode"] == 404


_SPEC_OPEN = f'<CloudFailoverPlanManagementSpec xmlns="{NS}">'
_SPEC_CLOSE = "</CloudFailoverPlanManagementSpec>"
_XXE = ('<?xml version="1.0"?><!DOCTYPE s [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        f"{_SPEC_OPEN}<StartNow>&xxe;true</StartNow>{_SPEC_CLOSE}")
_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
                     for i in range(1, 10))
           + f"]>{_SPEC_OPEN}<StartNow>&lol9;</StartNow>{_SPEC_CLOSE}")
_PARAMETER = ('<?xml version="1.0"?><!DOCTYPE s [<!ENTITY % remote SYSTEM '
              '"http://127.0.0.1:9/evil.dtd"> %remote;]>'
              f"{_SPEC_OPEN}<StartNow>true</StartNow>{_SPEC_CLOSE}")
_UNUSED_DTD = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE s [<!ENTITY xxe SYSTEM '
               f'"file:///etc/passwd">]>{_SPEC_OPEN}<StartNow>true</StartNow>{_SPEC_CLOSE}')


@pytest.mark.parametrize("body", [
    _XXE.encode(), _LAUGHS.encode(), _PARAMETER.encode(),
    _XXE.replace("DOCTYPE", "doctype").encode(),
    _UNUSED_DTD.replace("UTF-16", "utf-8").encode(),
    _UNUSED_DTD.encode("utf-16"),
], ids=["xxe", "billion-laughs", "parameter-entity", "lowercase-doctype", "unused-dtd",
        "utf-16-dtd"])
def test_xml_with_a_doctype_is_400_quickly_and_starts_nothing(steady, body):
    client, auth = steady
    plan = _plan(client)
    began = time.perf_counter()
    response = client.post(f"{PLANS}/{guid(plan['UID'])}?action=start",
                           headers={**auth, **XML_BODY}, content=body)
    assert time.perf_counter() - began < 5
    assert response.status_code == 400
    assert error_of(response)["StatusCode"] == 400
    assert b"root:" not in response.content
    assert _open_sessions(client, auth, plan["Name"]) == []


@pytest.mark.parametrize(("content_type", "body"), [
    ("application/xml", b"<CloudFailoverPlanManagementSpec><StartNow>true</StartNow>"),
    ("application/xml", b"StartNow=true"),
    ("application/xml", f"<Other xmlns='{NS}'><StartNow>true</StartNow></Other>".encode()),
    ("application/json", b'{"StartNow": true'),
    ("application/json", b"[true]"),
    ("application/json", b"<CloudFailoverPlanManagementSpec/>"),
    ("application/json", b'{"StartNow": false}'),
    ("application/json", b'{"StartDate": "whenever"}'),
])
def test_malformed_or_incomplete_spec_is_400(steady, content_type, body):
    client, auth = steady
    plan = _plan(client)
    response = client.post(f"{PLANS}/{guid(plan['UID'])}?action=start",
                           headers={**auth, **JSON, "Content-Type": content_type}, content=body)
    assert response.status_code == 400
    assert error_of(response)["StatusCode"] == 400
    assert _open_sessions(client, auth, plan["Name"]) == []


@pytest.mark.parametrize("json_body", [True, False])
def test_start_date_in_the_past_starts_now(client, auth, json_body):
    plan = _plan(client)
    when = at(-3600)
    if json_body:
        response = client.post(f"{PLANS}/{guid(plan['UID'])}?action=start",
                               headers={**auth, **JSON},
                               json={"StartNow": False, "StartDate": when})
    else:
        response = client.post(f"{PLANS}/{guid(plan['UID'])}?action=start",
                               headers={**auth, **XML_BODY},
                               content=f"{_SPEC_OPEN}<StartNow>false</StartNow>"
                                       f"<StartDate>{when}</StartDate>{_SPEC_CLOSE}".encode())
    assert response.status_code == 202
    [session] = _open_sessions(client, auth, plan["Name"])
    assert parse(session["CreationTimeUTC"]) == EPOCH_DT


@pytest.mark.parametrize("json_body", [True, False])
def test_start_date_in_the_future_is_400(steady, json_body):
    client, auth = steady
    plan = _plan(client)
    when = at(3600)
    if json_body:
        response = client.post(f"{PLANS}/{guid(plan['UID'])}?action=start",
                               headers={**auth, **JSON}, json={"StartDate": when})
    else:
        response = client.post(f"{PLANS}/{guid(plan['UID'])}?action=start",
                               headers={**auth, **XML_BODY},
                               content=f"{_SPEC_OPEN}<StartDate>{when}</StartDate>"
                                       f"{_SPEC_CLOSE}".encode())
    assert response.status_code == 400
    assert error_of(response)["StatusCode"] == 400
    assert _open_sessions(client, auth, plan["Name"]) == []
