"""The ``RestoreSessions`` fixture section: restores from VM restore points, with the run
of any restore still in flight; and ``VApps``: the vApps whose VMs a job protects."""

from __future__ import annotations

from typing import Any

from em_mock.core.fixtures import Documents, Section, register_sections
from em_mock.core.ids import urn
from em_mock.core.tables import DataSet
from em_mock.core.validate import Reader, TimeWriter, claim, items, read_run
from em_mock.families.jobs.model import JOBS, TASK_SESSIONS, leaves_restore_point
from em_mock.families.restore.capture import capture_restore_sessions, capture_vapps
from em_mock.families.restore.model import (
    RESTORE_JOB_TYPES,
    RESTORE_RESULTS,
    RESTORE_SESSIONS,
    RESTORE_STATES,
    VAPPS,
    RestoreSession,
    VApp,
)
from em_mock.families.restore.points import vm_restore_point_id
from em_mock.families.restore.runs import RESTORE_RUNS, RestoreRun

_KEYS = ("UID", "VmRestorePointUid", "JobType", "CreationTimeUTC", "EndTimeUTC", "State",
         "Result", "Progress", "Run")


def _read(reader: Reader, docs: Documents, data: DataSet) -> None:
    points = {vm_restore_point_id(t): t for t in TASK_SESSIONS.of(data).values()
              if leaves_restore_point(t)}
    seen: dict[str, str] = {}
    for src in items(reader, docs, "RestoreSessions"):
        reader.unknown_keys(src, _KEYS)
        guid = reader.uid(src, "UID", "RestoreSession")
        point_id = reader.uid(src, "VmRestorePointUid", "VmRestorePoint")
        point = points.get(point_id or "")
        if point_id and point is None:
            reader.error(src, "VmRestorePointUid",
                         f"no successful backup task left the VM restore point {point_id}")
        job_type = reader.choice(src, "JobType", RESTORE_JOB_TYPES)
        created = reader.time(src, "CreationTimeUTC")
        ended = reader.time(src, "EndTimeUTC", required=False)
        state = reader.choice(src, "State", RESTORE_STATES)
        result = reader.choice(src, "Result", RESTORE_RESULTS)
        progress = reader.value(src, "Progress", int, default=100)
        if not 0 <= progress <= 100:
            reader.error(src, "Progress", f"{progress} is outside 0..100")
        run = read_run(reader, src, state, "Stopped", "Message", 0)
        if point is None or not claim(reader, seen, src, guid):
            continue
        session = RestoreSession(guid or "", point, job_type or "RestoreVm", created or 0,
                                 ended, state or "Stopped", result or "Success", progress)
        RESTORE_SESSIONS.of(data)[session.id] = session
        if run is not None:
            RESTORE_RUNS.of(data)[session.id] = RestoreRun(session.id, session.creation_ms,
                                                           run[0])


def _write(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    runs = RESTORE_RUNS.of(data)
    out = []
    for s in RESTORE_SESSIONS.of(data).values():
        item: dict[str, Any] = {
            "UID": urn("RestoreSession", s.id),
            "VmRestorePointUid": urn("VmRestorePoint", vm_restore_point_id(s.point)),
            "JobType": s.job_type, "CreationTimeUTC": time(s.creation_ms),
            "EndTimeUTC": time(s.end_ms), "State": s.state, "Result": s.result,
            "Progress": s.progress}
        run = runs.get(s.id)
        if run is not None:
            item["Run"] = {"Outcome": run.outcome, "Message": None, "Culprit": -1}
        out.append(item)
    return out


_VAPP_KEYS = ("UID", "Name", "JobUid", "VmUids")


def _read_vapps(reader: Reader, docs: Documents, data: DataSet) -> None:
    jobs = JOBS.of(data)
    seen: dict[str, str] = {}
    for src in items(reader, docs, "VApps"):
        reader.unknown_keys(src, _VAPP_KEYS)
        guid = reader.uid(src, "UID", "VApp")
        name = reader.value(src, "Name", str, required=True, default="")
        job_id = reader.uid(src, "JobUid", "Job")
        job = jobs.get(job_id or "")
        if job_id and job is None:
            reader.error(src, "JobUid", f"no job has the UID {job_id}")
        members = reader.value(src, "VmUids", list, required=True, default=[])
        known = {vm.uid for vm in job.vms} if job is not None else set()
        for raw in members:
            if job is not None and raw not in known:
                reader.error(src, "VmUids", f"the job {job.name!r} protects no VM {raw!r}")
        if job is None or not claim(reader, seen, src, guid):
            continue
        VAPPS.of(data)[guid or ""] = VApp(guid or "", name, job, tuple(str(m) for m in members))


def _write_vapps(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{"UID": urn("VApp", v.id), "Name": v.name, "JobUid": urn("Job", v.job.id),
             "VmUids": list(v.vm_uids)} for v in VAPPS.of(data).values()]


# A restore's Run is how em-mock will end it: no answer shows the future.
register_sections(Section("RestoreSessions", 75, _read, _write,
                          capture=capture_restore_sessions, capture_omits=("Run",)),
                  # No answer shows a replicated vApp's id (its points' ids hide it).
                  Section("VApps", 240, _read_vapps, _write_vapps, capture=capture_vapps,
                          capture_omits=("UID",)))
