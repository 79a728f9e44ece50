"""Quick backup and VeeamZip of one VM: ``POST /backupServers/{id}?action=quickbackup``
and ``?action=veeamzip``, each 202 and a ``Task``.

Quick backup runs the job that protects the VM (``VmRef``, the VM's hierarchy
reference) for that VM alone, as an incremental run: a new backup job session on the
mock's clock, which the finished task links; it leaves a restore point like any run.
VeeamZip checks its spec (``VmRef``, ``RepositoryUid`` of a repository on that server,
``CompressionLevel``, ``BackupRetention``) and answers a task with no session: em-mock
keeps no standalone backups.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from starlette.responses import Response

from em_mock.core.errors import bad_request
from em_mock.core.http.actions import no_body_action, spec_fields, task_node
from em_mock.core.http.deps import CurrentSession, RuntimeDep, WireDep, find
from em_mock.core.ids import urn
from em_mock.core.registry import register_router
from em_mock.core.runtime import Runtime
from em_mock.core.simulation import EmTask
from em_mock.families.infrastructure.model import REPOSITORIES, SERVERS, BackupServer
from em_mock.families.jobs.model import (
    JOB_SESSIONS,
    JOBS,
    Job,
    JobSession,
    JobVm,
    TaskSession,
    index_task_sessions,
)
from em_mock.families.jobs.runs import JOB_RUNS, JobRun, apply, running_job_session

router = register_router(APIRouter())

RETENTIONS = ("Never", "Tonight", "TomorrowNight", "In3days", "In1Week", "In2Weeks",
              "In1Month", "In3Months", "In6Months", "In1Year", "In2Years", "In3Years",
              "In5Years")
COMPRESSION_LEVELS = ("1", "2", "3", "4", "5")


def _vm(rt: Runtime, server: BackupServer, ref: str | None, spec: str) -> tuple[Job, JobVm]:
    if not ref:
        raise bad_request(f"{spec}: VmRef is required.")
    for job in JOBS.rows(rt.store):
        if job.backup_server is server and not job.is_replica:
            for vm in job.vms:
                if vm.uid.lower() == ref.lower():
                    return job, vm
    raise bad_request(f"{spec}: no backup job on {server.name} protects the VM {ref!r}.")


def _quick_backup(rt: Runtime, server: BackupServer, fields: dict[str, str], owner: str
                  ) -> EmTask:
    job, vm = _vm(rt, server, fields.get("VmRef"), "QuickBackupStartupSpec")
    now = rt.clock.now_ms()
    if running_job_session(rt.store, job) is not None:
        return rt.simulation.task(owner, "QuickBackup", now, False,
                                  f'Job "{job.name}" is already running.')
    session = JobSession(str(uuid.uuid4()), job, job.job_type, job.name, now, None, "Starting",
                         "None", 0)
    session.tasks = [TaskSession(str(uuid.uuid4()), session, vm.name, vm.uid, now, None,
                                 "Pending", "None")]
    run = JobRun(session.id, now, "Success", "", -1)
    apply(run, session, now)
    JOB_SESSIONS.of(rt.store.data)[session.id] = session
    index_task_sessions(rt.store.data)
    JOB_RUNS.of(rt.store.data)[session.id] = run
    rt.store.changed()
    return rt.simulation.task(owner, "QuickBackup", now, True,
                              f'Quick backup of "{vm.name}" started.',
                              ("BackupJobSession", f"backupSessions/{session.id}"), job.name)


def _veeam_zip(rt: Runtime, server: BackupServer, fields: dict[str, str], owner: str
               ) -> EmTask:
    spec = "VeeamZipStartupSpec"
    _, vm = _vm(rt, server, fields.get("VmRef"), spec)
    repo_id = (fields.get("RepositoryUid") or "").rsplit(":", 1)[-1].lower()
    if not repo_id:
        raise bad_request(f"{spec}: RepositoryUid is required.")
    repo = REPOSITORIES.of(rt.store.data).get(repo_id)
    if repo is None or repo.backup_server is not server:
        raise bad_request(f"{spec}: no repository of {server.name} has the UID "
                          f"{fields.get('RepositoryUid')!r}.")
    if fields.get("CompressionLevel") not in COMPRESSION_LEVELS:
        raise bad_request(f"{spec}: CompressionLevel must be one of "
                          f"{', '.join(COMPRESSION_LEVELS)}.")
    if fields.get("BackupRetention") not in RETENTIONS:
        raise bad_request(f"{spec}: BackupRetention must be one of {', '.join(RETENTIONS)}.")
    return rt.simulation.task(owner, "VeeamZip", rt.clock.now_ms(), True,
                              f'VeeamZip of "{vm.name}" to {urn("Repository", repo.id)} '
                              "started.")


@router.post("/api/backupservers/{server_id}")
async def backup_server_action(server_id: str, request: Request, me: CurrentSession,
                               rt: RuntimeDep, out: WireDep) -> Response:
    """Quick backup or VeeamZip of one VM: 202 and a ``Task``."""
    action = no_body_action(request, ("quickbackup", "veeamzip"))
    server: BackupServer = find(SERVERS.of(rt.store.data), server_id, "backup server")
    spec = "QuickBackupStartupSpec" if action == "quickbackup" else "VeeamZipStartupSpec"
    body = await request.body()
    if not body.strip():
        raise bad_request(f"A {spec} body is required.")
    fields = spec_fields(body, request.headers.get("content-type", ""), spec)
    make = _quick_backup if action == "quickbackup" else _veeam_zip
    task = make(rt, server, fields, me.id)
    return out.send(task_node(task, out.ctx, rt.clock.now_ms()), 202)
