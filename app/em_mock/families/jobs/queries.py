"""Query types of jobs and their job and task sessions (backup and replication)."""

from __future__ import annotations

from em_mock.core.registry import Kind, QueryField, QueryType, register_query_types
from em_mock.core.simulation import TASK_ROWS
from em_mock.core.times import name_suffix
from em_mock.families.infrastructure.queries import server_fields
from em_mock.families.jobs.model import (
    BACKUP_SESSIONS,
    BACKUP_TASKS,
    FAILOVER_PLANS,
    JOBS,
    REPLICA_SESSIONS,
    REPLICA_TASKS,
    included_objects,
)
from em_mock.families.jobs.shapes import object_in_job_id

JOB_SESSION_TYPE_VALUES = ("Backup", "BackupCopy", "ImmediateBackupCopy",
                           "ImmediateBackupCopyWorker", "AgentBackup", "AgentManagement",
                           "NasBackup")
JOB_STATES = ("Starting", "Stopping", "Working", "Pausing", "Resuming", "Stopped")
RESULTS = ("None", "Success", "Warning", "Failed")


def _job_session_fields(type_name: str, job_types: tuple[str, ...]) -> tuple[QueryField, ...]:
    return (
        QueryField("UID", Kind.UID, lambda s: s.id, uid_type=type_name),
        QueryField("Name", Kind.STRING, lambda s: f"{s.job_name}@{name_suffix(s.creation_ms)}"),
        QueryField("JobType", Kind.ENUM, lambda s: s.job_type, values=job_types),
        QueryField("JobUid", Kind.UID, lambda s: s.job.id, uid_type="Job"),
        QueryField("JobName", Kind.STRING, lambda s: s.job_name),
        QueryField("CreationTime", Kind.DATETIME, lambda s: s.creation_ms),
        QueryField("EndTime", Kind.DATETIME, lambda s: s.end_ms),
        QueryField("State", Kind.ENUM, lambda s: s.state, values=JOB_STATES),
        QueryField("Result", Kind.ENUM, lambda s: s.result, values=RESULTS),
        QueryField("IsRetry", Kind.BOOL, lambda s: s.is_retry),
        *server_fields(lambda s: s.job.backup_server),
    )


def _task_session_fields(type_name: str, session_type: str) -> tuple[QueryField, ...]:
    return (
        QueryField("UID", Kind.UID, lambda t: t.id, uid_type=type_name),
        QueryField("Name", Kind.STRING, lambda t: f"{t.vm_name}@{name_suffix(t.creation_ms)}"),
        QueryField("CreationTime", Kind.DATETIME, lambda t: t.creation_ms),
        QueryField("EndTime", Kind.DATETIME, lambda t: t.end_ms),
        QueryField("State", Kind.ENUM, lambda t: t.state,
                   values=("InProgress", "Pending", "Completed")),
        QueryField("Result", Kind.ENUM, lambda t: t.result, values=RESULTS),
        QueryField("Reason", Kind.STRING, lambda t: t.reason),
        QueryField("TotalSize", Kind.INT, lambda t: t.total_size),
        QueryField("JobSessionUid", Kind.UID, lambda t: t.session.id, uid_type=session_type),
        QueryField("JobUid", Kind.UID, lambda t: t.session.job.id, uid_type="Job"),
        QueryField("JobName", Kind.STRING, lambda t: t.session.job_name),
        *server_fields(lambda t: t.session.job.backup_server),
        QueryField("VmDisplayName", Kind.STRING, lambda t: t.vm_name),
    )


BACKUP_JOB_SESSION = QueryType(
    name="BackupJobSession", plural="BackupJobSessions",
    rows=BACKUP_SESSIONS.rows,
    fields=_job_session_fields("BackupJobSession", JOB_SESSION_TYPE_VALUES),
)
REPLICA_JOB_SESSION = QueryType(
    name="ReplicaJobSession", plural="ReplicaJobSessions",
    rows=REPLICA_SESSIONS.rows,
    fields=_job_session_fields("ReplicaJobSession", ("Replica",)),
)
BACKUP_TASK_SESSION = QueryType(
    name="BackupTaskSession", plural="BackupTaskSessions",
    rows=BACKUP_TASKS.rows,
    fields=_task_session_fields("BackupTaskSession", "BackupJobSession"),
)
REPLICA_TASK_SESSION = QueryType(
    name="ReplicaTaskSession", plural="ReplicaTaskSessions",
    rows=REPLICA_TASKS.rows,
    fields=_task_session_fields("ReplicaTaskSession", "ReplicaJobSession"),
)
JOB = QueryType(
    name="Job", plural="Jobs", rows=JOBS.rows,
    fields=(
        QueryField("UID", Kind.UID, lambda j: j.id, uid_type="Job"),
        QueryField("Name", Kind.STRING, lambda j: j.name),
        QueryField("Description", Kind.STRING, lambda j: j.description),
        QueryField("NextRun", Kind.DATETIME, lambda j: j.next_run_ms),
        QueryField("JobType", Kind.ENUM, lambda j: j.job_type,
                   values=("Backup", "BackupCopy", "ImmediateBackupCopy", "Replica")),
        QueryField("Platform", Kind.ENUM, lambda j: {"HyperV": "Hyperv"}.get(j.platform,
                                                                              j.platform),
                   values=("VMware", "Hyperv", "vCloud", "CustomPlatform")),
        QueryField("ScheduleConfigured", Kind.BOOL, lambda j: j.schedule_configured),
        QueryField("ScheduleEnabled", Kind.BOOL, lambda j: j.schedule_enabled),
        *server_fields(lambda j: j.backup_server),
    ),
)

FAILOVER_PLAN = QueryType(
    name="FailoverPlan", plural="FailoverPlans", rows=FAILOVER_PLANS.rows,
    fields=(
        QueryField("UID", Kind.UID, lambda p: p.id, uid_type="FailoverPlan"),
        QueryField("Name", Kind.STRING, lambda p: p.name),
        QueryField("Description", Kind.STRING, lambda p: p.description),
        *server_fields(lambda p: p.backup_server),
    ),
)
OBJECT_IN_JOB = QueryType(
    name="ObjectInJob", plural="ObjectsInJob", rows=included_objects,
    fields=(
        # A plain string, as documented: the object's ObjectInJobId.
        QueryField("UID", Kind.STRING, lambda o: object_in_job_id(o.job, o.vm)),
        QueryField("Name", Kind.STRING, lambda o: o.vm.name),
        QueryField("JobUid", Kind.UID, lambda o: o.job.id, uid_type="Job"),
        QueryField("JobName", Kind.STRING, lambda o: o.job.name),
        *server_fields(lambda o: o.job.backup_server),
    ),
)
TASK = QueryType(
    name="Task", plural="Tasks", rows=TASK_ROWS.rows,
    fields=(
        QueryField("TaskId", Kind.STRING, lambda r: r.task.id),
        QueryField("State", Kind.ENUM, lambda r: "Finished" if r.finished else "Running",
                   values=("Running", "OperationFinished", "Finished")),
        QueryField("Operation", Kind.STRING, lambda r: r.task.operation),
    ),
)

register_query_types(BACKUP_JOB_SESSION, REPLICA_JOB_SESSION, BACKUP_TASK_SESSION,
                     REPLICA_TASK_SESSION, JOB, FAILOVER_PLAN, OBJECT_IN_JOB, TASK)
