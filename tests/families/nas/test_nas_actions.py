"""NAS job actions on the wire: start, stop, retry and toggleScheduleEnabled answer 202
with a Task; runs move with the mock's clock (moved through the control API) and leave
NasBackup backup job sessions."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from em_mock.families.jobs.model import BACKUP_SESSIONS
from em_mock.families.nas.model import NAS_JOBS
from tests.control.support import move_clock
from tests.helpers import JSON, error_of, xml

JOBS = "/api/nas/jobs"


def _get(client, auth, path: str, **params) -> Any:
    response = client.get(path, params=params or None, headers={**auth, **JSON})
    assert response.status_code == 200, (path, response.text[:300])
    return response.json()


def _api(href: str) -> str:
    return "/api/" + href.split("/api/", 1)[1]


def _post(client, auth, job_id: str, action: str) -> dict[str, Any]:
    response = client.post(f"{JOBS}/{job_id}/{action}", headers={**auth, **JSON})
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


def _task(client, auth, task: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = _get(client, auth, f"/api/tasks/{task['TaskId']}")
    return body


def _idle_job(runtime):
    for job in NAS_JOBS.rows(runtime.store):
        runs = [s for s in BACKUP_SESSIONS.rows(runtime.store) if s.job is job]
        if runs and all(s.state == "Stopped" for s in runs) and runs[-1].result != "Failed":
            return job
    raise AssertionError("no such NAS job in the seeded data")


def test_start_runs_the_job_on_the_clock_and_leaves_a_nas_session(client, auth, runtime):
    job = _idle_job(runtime)
    task = _post(client, auth, job.id, "Start")
    assert (task["State"], task["Operation"]) == ("Running", "StartJob")
    again = _post(client, auth, job.id, "start")
    move_clock(client, action="advance", seconds=600)
    done = _task(client, auth, task)
    assert done["State"] == "Finished" and done["Result"]["Success"] is True
    related = next(lk for lk in done["Links"] if lk["Rel"] == "Related")
    assert related["Type"] == "BackupJobSession" and related["Name"] == job.name
    session = _get(client, auth, _api(related["Href"]))
    assert (session["JobType"], session["JobName"], session["State"]) == (
        "NasBackup", job.name, "Stopped")
    assert session["Result"] in ("Success", "Warning", "Failed")
    tasks = _get(client, auth, f"/api/backupSessions/{session['UID'].split(':')[-1]}"
                               "/taskSessions", format="Entity")["BackupTaskSessions"]
    assert sorted(t["VmDisplayName"] for t in tasks) == sorted(o.path for o in job.includes)
    listed = _get(client, auth, f"{JOBS}/{job.id}/backupSessions")["Refs"]
    assert listed[-1]["UID"] == session["UID"]
    assert session["UID"] in {r["UID"] for r in _get(client, auth, "/api/nas/backupSessions")[
        "Refs"]}
    refused = _task(client, auth, again)["Result"]
    assert refused["Success"] is False and "already running" in refused["Message"]


def test_stop_ends_the_running_session_as_failed(client, auth, runtime):
    job = _idle_job(runtime)
    idle = _post(client, auth, job.id, "stop")
    move_clock(client, action="advance", seconds=30)
    assert "not running" in _task(client, auth, idle)["Result"]["Message"]
    started = _post(client, auth, job.id, "start")
    stopped = _post(client, auth, job.id, "Stop")
    assert stopped["Operation"] == "StopJob"
    move_clock(client, action="advance", seconds=30)
    assert _task(client, auth, stopped)["Result"]["Success"] is True
    related = next(lk for lk in _task(client, auth, started)["Links"] if lk["Rel"] == "Related")
    session = _get(client, auth, _api(related["Href"]))
    assert (session["State"], session["Result"]) == ("Stopped", "Failed")


def test_retry_only_after_a_failed_run(client, auth, runtime):
    job = _idle_job(runtime)
    refused = _post(client, auth, job.id, "retry")
    _post(client, auth, job.id, "start")
    _post(client, auth, job.id, "stop")  # a stopped run ends Failed
    accepted = _post(client, auth, job.id, "Retry")
    move_clock(client, action="advance", seconds=600)
    assert _task(client, auth, refused)["Result"]["Success"] is False
    done = _task(client, auth, accepted)
    assert done["Result"]["Success"] is True and done["Operation"] == "RetryJob"
    related = next(lk for lk in done["Links"] if lk["Rel"] == "Related")
    assert _get(client, auth, _api(related["Href"]))["IsRetry"] is True


def test_toggle_schedule_turns_it_off_and_on_and_the_query_sees_it(client, auth, runtime):
    job = NAS_JOBS.rows(runtime.store)[0]

    def state() -> tuple[bool, str | None]:
        body = _get(client, auth, "/api/query", type="NasJob", format="Entities",
                    filter=f"UID=={job.id}")["Entities"]["NASJobs"]["NASJobs"][0]
        entity = xml(client.get(f"{JOBS}/{job.id}?format=Entity", headers=auth).content)
        assert entity.findtext("{*}ScheduleEnabled") == str(body["ScheduleEnabled"]).lower()
        off = _get(client, auth, "/api/query", type="NasJob", filter="NextRun>=2000-01-01")
        return body["ScheduleEnabled"], job.id if any(
            r["UID"].endswith(job.id) for r in off["Refs"]["Refs"]) else None

    assert state() == (True, job.id)
    task = _post(client, auth, job.id, "toggleScheduleEnabled")
    assert task["Operation"] == "ToggleScheduleEnabled"
    assert state() == (False, None)
    _post(client, auth, job.id, "TOGGLESCHEDULEENABLED")
    assert state() == (True, job.id)
    move_clock(client, action="advance", seconds=30)
    assert _task(client, auth, task)["Result"]["Success"] is True


def test_toggle_is_refused_for_a_job_without_a_schedule(client, auth, runtime):
    job = NAS_JOBS.rows(runtime.store)[1]
    job.schedule_configured = False
    runtime.store.changed()
    task = _post(client, auth, job.id, "toggleScheduleEnabled")
    move_clock(client, action="advance", seconds=30)
    result = _task(client, auth, task)["Result"]
    assert result["Success"] is False and "no schedule" in result["Message"]
    assert _get(client, auth, f"{JOBS}/{job.id}", format="Entity")["ScheduleEnabled"] is True


def test_unknown_jobs_and_actions_get_404_and_get_is_not_an_action(client, auth, runtime):
    job = NAS_JOBS.rows(runtime.store)[0]
    unknown = client.post(f"{JOBS}/00000000-0000-0000-0000-000000000000/start", headers=auth)
    assert unknown.status_code == 404 and error_of(unknown)["StatusCode"] == 404
    bogus = client.post(f"{JOBS}/{job.id}/explode", headers={**auth, **JSON})
    assert bogus.status_code == 404 and "toggleScheduleEnabled" in error_of(bogus)["Message"]
    assert client.get(f"{JOBS}/{job.id}/start", headers=auth).status_code in (404, 405)
    assert client.post(f"{JOBS}/{job.id}/start").status_code == 401


SEGMENT = st.text(alphabet=st.characters(blacklist_characters="/.",
                                         blacklist_categories=("Cs",)), min_size=1, max_size=40)
ACTION_NAMES = st.one_of(st.sampled_from(["start", "Stop", "RETRY", "toggleScheduleEnabled",
                                          "toggle"]), SEGMENT)
IDS = st.one_of(st.uuids().map(str), SEGMENT)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(job_id=IDS, action=ACTION_NAMES)
def test_any_unknown_job_id_gets_an_error_never_a_crash(client, auth, runtime, job_id, action):
    if job_id.lower() in NAS_JOBS.of(runtime.store.data):
        return
    for method in ("get", "post"):
        response = client.request(method, f"{JOBS}/{quote(job_id, safe='')}/"
                                          f"{quote(action, safe='')}",
                                  headers={**auth, **JSON})
        assert response.status_code in (404, 405), (method, job_id, action, response.text)
        assert error_of(response)["StatusCode"] == response.status_code


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)),
       content_type=st.sampled_from(["application/json", "application/xml", "text/plain", ""]))
def test_actions_ignore_any_body_and_toggle_flips_once_each_time(client, auth, runtime, body,
                                                               content_type):
    job = NAS_JOBS.rows(runtime.store)[0]
    before = _get(client, auth, f"{JOBS}/{job.id}", format="Entity")["ScheduleEnabled"]
    headers = {**auth, **JSON, **({"Content-Type": content_type} if content_type else {})}
    response = client.post(f"{JOBS}/{job.id}/toggleScheduleEnabled", content=body,
                           headers=headers)
    assert response.status_code == 202, response.text
    after = _get(client, auth, f"{JOBS}/{job.id}", format="Entity")["ScheduleEnabled"]
    assert after is (not before)
