"""Job actions (start, stop, retry, sync, toggleScheduleEnabled, clone), stopping a backup
job session, failover plan actions and job edits (includes, linked jobs and repositories,
edit, delete); each answers 202 with a ``Task`` that says whether it could be done. Bad
bodies get a 400 that says why."""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from em_mock.core.errors import EMError, bad_request
from em_mock.core.http.actions import no_body_action, spec_fields, spec_tree, task_node
from em_mock.core.http.deps import CurrentSession, RuntimeDep, WireDep, find
from em_mock.core.registry import register_router
from em_mock.families.cloud.actions import check_start_spec
from em_mock.families.infrastructure.model import REPOSITORIES
from em_mock.families.jobs import runs
from em_mock.families.jobs.model import (
    FAILOVER_PLANS,
    JOB_SESSIONS,
    JOBS,
    FailoverPlan,
    Job,
    JobSession,
    JobVm,
)
from em_mock.families.jobs.shapes import linked_job_id, linked_repository_id, object_in_job_id

router = register_router(APIRouter())


@router.post("/api/jobs/{job_id}")
async def job_action(job_id: str, request: Request, me: CurrentSession, rt: RuntimeDep,
                     out: WireDep) -> Response:
    """Start, stop, retry, sync (backup copy jobs), clone (``JobCloneSpec`` body) a job or
    toggle its schedule: 202 and a ``Task`` that says whether it could be done."""
    action = no_body_action(request, (*runs.JOB_OPERATIONS, "togglescheduleenabled", "clone"))
    job: Job = find(JOBS.of(rt.store.data), job_id, "job")
    if action == "clone":
        return await _clone(job, request, me.id, rt, out)
    if action == "sync" and not job.is_copy:
        raise bad_request(f"Job {job.name!r} is a {job.job_type} job: only backup copy jobs "
                          "can be synced.")
    now = rt.clock.now_ms()
    task = runs.act(rt.simulation, rt.store, job, action, me.id, now)
    return out.send(task_node(task, out.ctx, now), 202)


# --- cloning ------------------------------------------------------------------------------

CLONE_SPEC = "JobCloneSpec"
MAX_JOB_NAME = 50
# The element a JobCloneSpec carries for each job type, and that element's required fields
# (besides JobName; Description is optional everywhere).
CLONE_INFOS = {
    "Backup": ("BackupJobCloneInfo", ("FolderName", "RepositoryUid")),
    "Replica": ("ReplicaJobCloneInfo", ("VmSuffix",)),
    "BackupCopy": ("BackupCopyJobCloneInfo", ("JobFileName", "RepositoryUid")),
    "ImmediateBackupCopy": ("ImmediateBackupCopyJobCloneInfo", ("JobFileName", "RepositoryUid")),
}


def _clone_info(job: Job, tree: dict[str, Any]) -> dict[str, str]:
    """The text fields of the clone info element that fits ``job``'s type; 400 otherwise."""
    info, required = CLONE_INFOS[job.job_type]
    if list(tree) != [info]:
        raise bad_request(f"Job {job.name!r} is a {job.job_type} job: the {CLONE_SPEC} needs "
                          f"one {info} element, not {', '.join(tree) or 'none'}.")
    fields = tree[info]
    if not isinstance(fields, dict):
        raise bad_request(f"{info} must be an element (object) of the clone's options.")
    known = ("JobName", *required, "Description")
    unknown = sorted(k for k in fields if k not in known)
    if unknown:
        raise bad_request(f"{info} has unknown elements: {', '.join(unknown)} "
                          f"(known: {', '.join(known)}).")
    for key, value in fields.items():
        if not isinstance(value, str):
            raise bad_request(f"{info}: {key} must be text.")
    for key in ("JobName", *required):
        if not fields.get(key, "").strip():
            raise bad_request(f"The {info} needs {key}.")
    return fields


async def _clone(job: Job, request: Request, owner: str, rt: RuntimeDep, out: WireDep
                 ) -> Response:
    """``?action=clone``: a new job on the same backup server, with the source's type,
    platform, schedule and objects (and linked jobs and repositories, for a copy job)."""
    tree = spec_tree(await request.body(), request.headers.get("content-type", ""), CLONE_SPEC)
    fields = _clone_info(job, tree)
    name = fields["JobName"].strip()
    if len(name) > MAX_JOB_NAME:
        raise bad_request(f"JobName must be up to {MAX_JOB_NAME} characters long, "
                          f"not {len(name)}.")
    jobs = JOBS.of(rt.store.data)
    taken = next((j for j in jobs.values() if j.backup_server is job.backup_server
                  and j.name.lower() == name.lower()), None)
    if taken is not None:
        raise bad_request(f"JobName: backup server {job.backup_server.name!r} already has a "
                          f"job named {taken.name!r}.")
    repository = job.repository
    if "RepositoryUid" in fields:
        guid = _guid_of(fields, "RepositoryUid", "Repository", CLONE_SPEC)
        repository = REPOSITORIES.of(rt.store.data).get(guid)
        if repository is None:
            raise bad_request(f"RepositoryUid: no repository has the UID "
                              f"urn:veeam:Repository:{guid}.")
        if repository.backup_server is not job.backup_server:
            raise bad_request(f"Repository {repository.name!r} is not on the job's backup "
                              f"server ({job.backup_server.name}).")
    clone = Job(str(uuid.uuid4()), name, job.backup_server, job.job_type, job.platform,
                fields.get("Description", job.description), job.schedule_configured,
                job.schedule_enabled, job.next_run_ms, repository,
                [JobVm(vm.name, vm.uid, vm.size) for vm in job.vms], list(job.sources),
                list(job.linked_repositories))
    jobs[clone.id] = clone
    rt.store.changed()
    now = rt.clock.now_ms()
    task = rt.simulation.task(owner, "CloneJob", now, True, f'Job "{job.name}" cloned as '
                              f'"{name}".', ("Job", f"jobs/{clone.id}"), name)
    return out.send(task_node(task, out.ctx, now), 202)


@router.post("/api/backupsessions/{session_id}")
async def stop_job_session(session_id: str, request: Request, me: CurrentSession,
                           rt: RuntimeDep, out: WireDep) -> Response:
    """Stop a running backup job session: 202 and a ``Task``."""
    no_body_action(request, ("stop",))
    session: JobSession = find(JOB_SESSIONS.of(rt.store.data), session_id,
                               "backup job session")
    if session.job.is_replica:
        raise EMError(404, f"No backup job session has the id {session_id!r}.")
    now = rt.clock.now_ms()
    task = runs.stop_session(rt.simulation, rt.store, session, me.id, now)
    return out.send(task_node(task, out.ctx, now), 202)


# --- failover plans -----------------------------------------------------------------------

PLAN_SPEC = "FailoverPlanManagementSpec"


@router.post("/api/failoverplans/{plan_id}")
async def failover_plan_action(plan_id: str, request: Request, me: CurrentSession,
                               rt: RuntimeDep, out: WireDep) -> Response:
    """Start (``FailoverPlanManagementSpec`` body, or none: now) or undo a failover plan:
    202 and a ``Task`` that runs until the plan's VMs are done."""
    action = no_body_action(request, tuple(runs.PLAN_OPERATIONS))
    plan: FailoverPlan = find(FAILOVER_PLANS.of(rt.store.data), plan_id, "failover plan")
    now = rt.clock.now_ms()
    if action == "start":
        await check_start_spec(request, PLAN_SPEC, now)
    task = runs.plan_action(rt.simulation, rt.store, plan, action, me.id, now)
    return out.send(task_node(task, out.ctx, now), 202)


@router.put("/api/failoverplans/{plan_id}")
async def edit_failover_plan(plan_id: str, request: Request, me: CurrentSession,
                             rt: RuntimeDep, out: WireDep) -> Response:
    """Change a failover plan's ``Description``: 202 and a ``Task``."""
    plan: FailoverPlan = find(FAILOVER_PLANS.of(rt.store.data), plan_id, "failover plan")
    fields = await _body_fields(request, "FailoverPlan")
    if "Description" in fields:
        plan.description = fields["Description"]
        rt.store.changed()
    return _done(rt, out, me.id, "UpdateFailoverPlan", f'Failover plan "{plan.name}" updated.')


# --- job edits ----------------------------------------------------------------------------

_UID = re.compile(r"(?:urn:veeam:(?P<type>[A-Za-z]+):)?(?P<guid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-"
                  r"[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})")
_HIERARCHY_REF = re.compile(r"urn:[A-Za-z]+:[A-Za-z]+:\S+")
_BOOLS = {"true": True, "false": False}
_INCLUDE_KEYS = ("HierarchyObjRef", "HierarchyObjName", "GuestProcessingOptions")
_VSS_MODES = ("RequireSuccess", "IgnoreFailures", "Disabled")
NEW_VM_SIZE = 40 << 30


async def _body_fields(request: Request, spec: str) -> dict[str, str]:
    body = await request.body()
    if not body.strip():
        raise bad_request(f"The request needs a {spec} body.")
    return spec_fields(body, request.headers.get("content-type", ""), spec)


def _done(rt: RuntimeDep, out: WireDep, owner: str, operation: str, message: str,
          success: bool = True) -> Response:
    now = rt.clock.now_ms()
    task = rt.simulation.task(owner, operation, now, success, message)
    return out.send(task_node(task, out.ctx, now), 202)


def _guid_of(fields: dict[str, str], key: str, type_name: str, spec: str) -> str:
    raw = fields.get(key)
    if raw is None or not raw.strip():
        raise bad_request(f"The {spec} needs {key}.")
    match = _UID.fullmatch(raw.strip())
    if match is None or match["type"] not in (None, type_name):
        raise bad_request(f"{key} {raw!r} is not a {type_name} UID "
                          f"(urn:veeam:{type_name}:<guid>).")
    return match["guid"].lower()


def _copy_job(rt: RuntimeDep, job_id: str) -> Job:
    job: Job = find(JOBS.of(rt.store.data), job_id, "job")
    if not job.is_copy:
        raise bad_request(f"Job {job.name!r} is a {job.job_type} job: only backup copy jobs "
                          "have linked jobs and repositories.")
    return job


@router.put("/api/jobs/{job_id}")
async def edit_job(job_id: str, request: Request, me: CurrentSession, rt: RuntimeDep,
                   out: WireDep) -> Response:
    """``?action=edit`` with a ``Job`` body: ``Description``, ``ScheduleConfigured`` and
    ``ScheduleEnabled`` change; 202 and a ``Task``."""
    no_body_action(request, ("edit",))
    job: Job = find(JOBS.of(rt.store.data), job_id, "job")
    fields = await _body_fields(request, "Job")
    flags = {}
    for key in ("ScheduleConfigured", "ScheduleEnabled", "GfsRetentionPolicy"):
        if key in fields:
            flag = _BOOLS.get(fields[key].strip().lower())
            if flag is None:
                raise bad_request(f"{key} must be true or false, not {fields[key]!r}.")
            flags[key] = flag
    if "Description" in fields:
        job.description = fields["Description"]
    job.schedule_configured = flags.get("ScheduleConfigured", job.schedule_configured)
    job.schedule_enabled = flags.get("ScheduleEnabled", job.schedule_enabled)
    rt.store.changed()
    return _done(rt, out, me.id, "UpdateJob", f'Job "{job.name}" updated.')


@router.delete("/api/jobs/{job_id}")
async def delete_job(job_id: str, me: CurrentSession, rt: RuntimeDep, out: WireDep
                     ) -> Response:
    """Delete a job with its sessions: 202 and a ``Task`` (which fails while the job runs,
    feeds a backup copy job, or left a restore point a restore uses)."""
    job: Job = find(JOBS.of(rt.store.data), job_id, "job")
    why = runs.deletion_blocker(rt.store, job)
    if why is not None:
        return _done(rt, out, me.id, "DeleteJob", why, success=False)
    runs.delete_job(rt.store, job)
    return _done(rt, out, me.id, "DeleteJob", f'Job "{job.name}" deleted.')


def _guest_processing(value: Any) -> None:
    if value in ("", None):
        return
    if not isinstance(value, dict):
        raise bad_request("GuestProcessingOptions must be an element (object) of options.")
    vss = value.get("VssSnapshotOptions")
    if vss not in ("", None):
        if not isinstance(vss, dict):
            raise bad_request("VssSnapshotOptions must be an element (object) of options.")
        mode = vss.get("VssSnapshotMode")
        if mode is not None and mode not in _VSS_MODES:
            raise bad_request(f"VssSnapshotMode must be one of {', '.join(_VSS_MODES)}, "
                              f"not {mode!r}.")


@router.post("/api/jobs/{job_id}/includes")
async def add_include(job_id: str, request: Request, me: CurrentSession, rt: RuntimeDep,
                      out: WireDep) -> Response:
    """Add an object to a job (``CreateObjectInJobSpec``): 202 and a ``Task``."""
    job: Job = find(JOBS.of(rt.store.data), job_id, "job")
    spec = "CreateObjectInJobSpec"
    tree = spec_tree(await request.body(), request.headers.get("content-type", ""), spec)
    unknown = [k for k in tree if k not in _INCLUDE_KEYS]
    if unknown:
        raise bad_request(f"The {spec} has unknown elements: {', '.join(sorted(unknown))} "
                          f"(known: {', '.join(_INCLUDE_KEYS)}).")
    ref, name = tree.get("HierarchyObjRef"), tree.get("HierarchyObjName")
    if not isinstance(ref, str) or not _HIERARCHY_REF.fullmatch(ref.strip()):
        raise bad_request(f"The {spec} needs a HierarchyObjRef such as "
                          "urn:VMware:Vm:<host id>.vm-1234, not "
                          f"{ref if isinstance(ref, str) else 'that'!r}.")
    if not isinstance(name, str) or not name.strip():
        raise bad_request(f"The {spec} needs a HierarchyObjName.")
    _guest_processing(tree.get("GuestProcessingOptions"))
    ref, name = ref.strip(), name.strip()
    if any(vm.uid.lower() == ref.lower() for vm in job.vms):
        return _done(rt, out, me.id, "UpdateJob",
                     f'Job "{job.name}" already includes {ref}.', success=False)
    job.vms.append(JobVm(name, ref, NEW_VM_SIZE))
    rt.store.changed()
    return _done(rt, out, me.id, "UpdateJob", f'"{name}" added to job "{job.name}".')


@router.delete("/api/jobs/{job_id}/includes/{object_id}")
async def remove_include(job_id: str, object_id: str, me: CurrentSession, rt: RuntimeDep,
                         out: WireDep) -> Response:
    """Remove an object from a job: 202 and a ``Task``."""
    job: Job = find(JOBS.of(rt.store.data), job_id, "job")
    vm = next((v for v in job.vms if object_in_job_id(job, v) == object_id.lower()), None)
    if vm is None:
        raise EMError(404, f"No object in the job {job.name!r} has the id {object_id!r}.")
    job.vms.remove(vm)
    rt.store.changed()
    return _done(rt, out, me.id, "UpdateJob", f'"{vm.name}" removed from job "{job.name}".')


@router.post("/api/jobs/{job_id}/linkedjobs")
async def link_job(job_id: str, request: Request, me: CurrentSession, rt: RuntimeDep,
                   out: WireDep) -> Response:
    """Link a backup job to a backup copy job (``LinkedJobSpec``): 202 and a ``Task``."""
    job = _copy_job(rt, job_id)
    guid = _guid_of(await _body_fields(request, "LinkedJobSpec"), "LinkedJobUid", "Job",
                    "LinkedJobSpec")
    source = JOBS.of(rt.store.data).get(guid)
    if source is None:
        raise bad_request(f"LinkedJobUid: no job has the UID urn:veeam:Job:{guid}.")
    if source.job_type != "Backup" or source.backup_server is not job.backup_server:
        raise bad_request(f"Job {source.name!r} cannot be linked: only backup jobs of the "
                          f"copy job's backup server ({job.backup_server.name}) can.")
    if source in job.sources:
        return _done(rt, out, me.id, "UpdateJob", f'Job "{source.name}" is already linked '
                     f'to "{job.name}".', success=False)
    job.sources.append(source)
    rt.store.changed()
    return _done(rt, out, me.id, "UpdateJob", f'Job "{source.name}" linked to "{job.name}".')


@router.delete("/api/jobs/{job_id}/linkedjobs/{object_id}")
async def unlink_job(job_id: str, object_id: str, me: CurrentSession, rt: RuntimeDep,
                     out: WireDep) -> Response:
    """Unlink a job from a backup copy job: 202 and a ``Task``."""
    job = _copy_job(rt, job_id)
    source = next((s for s in job.sources if linked_job_id(job, s) == object_id.lower()), None)
    if source is None:
        raise EMError(404, f"No job linked to {job.name!r} has the id {object_id!r}.")
    job.sources.remove(source)
    rt.store.changed()
    return _done(rt, out, me.id, "UpdateJob",
                 f'Job "{source.name}" unlinked from "{job.name}".')


@router.post("/api/jobs/{job_id}/linkedbackuprepositories")
async def link_repository(job_id: str, request: Request, me: CurrentSession, rt: RuntimeDep,
                          out: WireDep) -> Response:
    """Link a repository to a backup copy job (``LinkedBackupRepositorySpec``): 202 and a
    ``Task``."""
    job = _copy_job(rt, job_id)
    spec = "LinkedBackupRepositorySpec"
    guid = _guid_of(await _body_fields(request, spec), "LinkedBackupRepositoryUid",
                    "Repository", spec)
    repo = REPOSITORIES.of(rt.store.data).get(guid)
    if repo is None:
        raise bad_request(f"LinkedBackupRepositoryUid: no repository has the UID "
                          f"urn:veeam:Repository:{guid}.")
    if repo.backup_server is not job.backup_server:
        raise bad_request(f"Repository {repo.name!r} is not on the copy job's backup server "
                          f"({job.backup_server.name}).")
    if repo in job.linked_repositories:
        return _done(rt, out, me.id, "UpdateJob", f'Repository "{repo.name}" is already '
                     f'linked to "{job.name}".', success=False)
    job.linked_repositories.append(repo)
    rt.store.changed()
    return _done(rt, out, me.id, "UpdateJob",
                 f'Repository "{repo.name}" linked to "{job.name}".')


@router.delete("/api/jobs/{job_id}/linkedbackuprepositories/{object_id}")
async def unlink_repository(job_id: str, object_id: str, me: CurrentSession, rt: RuntimeDep,
                            out: WireDep) -> Response:
    """Unlink a repository from a backup copy job: 202 and a ``Task``."""
    job = _copy_job(rt, job_id)
    repo = next((r for r in job.linked_repositories
                 if linked_repository_id(job, r) == object_id.lower()), None)
    if repo is None:
        raise EMError(404, f"No repository linked to {job.name!r} has the id {object_id!r}.")
    job.linked_repositories.remove(repo)
    rt.store.changed()
    return _done(rt, out, me.id, "UpdateJob",
                 f'Repository "{repo.name}" unlinked from "{job.name}".')
