"""Query types of backups, replicas, restore points, VM restore and replica points and
backup files, all derived from jobs and their task sessions (see ``points.py``)."""

from __future__ import annotations

from typing import Any

from em_mock.core.registry import Kind, QueryField, QueryType, register_query_types
from em_mock.core.times import name_suffix
from em_mock.families.infrastructure.queries import server_fields
from em_mock.families.jobs.model import Job, TaskSession
from em_mock.families.restore.model import (
    RESTORE_JOB_TYPES,
    RESTORE_RESULTS,
    RESTORE_SESSIONS,
    RESTORE_STATES,
)
from em_mock.families.restore.points import (
    ALL_POINT_TASKS,
    COMPRESS_RATIO,
    POINT_TASKS,
    REPLICA_POINT_TASKS,
    backup_file_id,
    backup_id,
    backup_platform,
    backup_size,
    data_size,
    file_name,
    file_type,
    held_backups,
    held_replicas,
    is_full,
    replica_id,
    restore_point_id,
    sql_short_date,
    vapp_point_id,
    vapp_point_name,
    vapp_replica_points,
    vapp_restore_points,
    vm_point_name,
    vm_replica_point_id,
    vm_restore_point_id,
)

BACKUP_PLATFORMS = ("VMware", "HyperV", "vCloud", "AgentForLinux", "AgentForWindows",
                    "CustomPlatform")
RESTORE_TYPES = ("Full", "Increment", "ReverseIncrement")
REPLICA_TYPES = ("Full", "ReverseIncrement", "Increment", "Snapshot")
ALGORITHMS = ("Full", "ReversedIncremental", "Incremental", "SyntheticFull")


def _repository_fields() -> tuple[QueryField, ...]:
    return (
        QueryField("RepositoryUid", Kind.UID,
                   lambda b: b.repository.id if b.repository else None, uid_type="Repository"),
        QueryField("RepositoryName", Kind.STRING,
                   lambda b: b.repository.name if b.repository else None),
    )


def _job(t: TaskSession) -> Job:
    return t.session.job


def _server(t: Any) -> Any:
    return t.session.job.backup_server


BACKUP = QueryType(
    name="Backup", plural="Backups", rows=held_backups,
    fields=(
        QueryField("UID", Kind.UID, lambda b: backup_id(b.job), uid_type="Backup"),
        QueryField("Name", Kind.STRING, lambda b: b.job.name),
        QueryField("JobUid", Kind.UID, lambda b: b.job.id, uid_type="Job"),
        QueryField("JobName", Kind.STRING, lambda b: b.job.name),
        *_repository_fields(),
        QueryField("Platform", Kind.ENUM, lambda b: backup_platform(b.job),
                   values=BACKUP_PLATFORMS),
        QueryField("BackupType", Kind.ENUM, lambda b: "Standard",
                   values=("Standard", "ParentBackup", "ChildBackup")),
    ),
)
REPLICA = QueryType(
    name="Replica", plural="Replicas", rows=held_replicas,
    fields=(
        QueryField("UID", Kind.UID, lambda b: replica_id(b.job), uid_type="Replica"),
        QueryField("Name", Kind.STRING, lambda b: b.job.name),
        QueryField("JobUid", Kind.UID, lambda b: b.job.id, uid_type="Job"),
        QueryField("JobName", Kind.STRING, lambda b: b.job.name),
        *_repository_fields(),
    ),
)
RESTORE_POINT = QueryType(
    name="RestorePoint", plural="RestorePoints", rows=ALL_POINT_TASKS.rows,
    fields=(
        QueryField("UID", Kind.UID, restore_point_id, uid_type="RestorePoint"),
        QueryField("Name", Kind.STRING, lambda t: sql_short_date(t.creation_ms)),
        QueryField("CreationTime", Kind.DATETIME, lambda t: t.creation_ms),
        QueryField("BackupUid", Kind.UID, lambda t: backup_id(_job(t)), uid_type="Backup"),
        QueryField("BackupName", Kind.STRING, lambda t: _job(t).name),
        *server_fields(_server),
    ),
)
BACKUP_FILE = QueryType(
    name="BackupFile", plural="BackupFiles", rows=ALL_POINT_TASKS.rows,
    fields=(
        QueryField("UID", Kind.UID, backup_file_id, uid_type="BackupFile"),
        QueryField("Name", Kind.STRING, file_name),
        QueryField("CreationTimeUTC", Kind.DATETIME, lambda t: t.creation_ms),
        QueryField("BackupSize", Kind.INT, backup_size),
        QueryField("DataSize", Kind.INT, data_size),
        QueryField("CompressRatio", Kind.INT, lambda t: COMPRESS_RATIO),
        QueryField("FileType", Kind.ENUM, file_type, values=("vbk", "vib", "vrb")),
        QueryField("BackupUid", Kind.UID, lambda t: backup_id(_job(t)), uid_type="Backup"),
        QueryField("BackupName", Kind.STRING, lambda t: _job(t).name),
        *server_fields(_server),
    ),
)
VM_RESTORE_POINT = QueryType(
    name="VmRestorePoint", plural="VmRestorePoints", rows=POINT_TASKS.rows,
    fields=(
        QueryField("UID", Kind.UID, vm_restore_point_id, uid_type="VmRestorePoint"),
        QueryField("Name", Kind.STRING, vm_point_name),
        QueryField("CreationTime", Kind.DATETIME, lambda t: t.creation_ms),
        QueryField("Type", Kind.ENUM, lambda t: "Full" if is_full(t) else "Increment",
                   values=RESTORE_TYPES),
        QueryField("Algorithm", Kind.ENUM, lambda t: "Full" if is_full(t) else "Incremental",
                   values=ALGORITHMS),
        QueryField("RestorePointId", Kind.UID, restore_point_id, uid_type="RestorePoint"),
        QueryField("RestorePointName", Kind.STRING, lambda t: sql_short_date(t.creation_ms)),
        QueryField("VmDisplayName", Kind.STRING, lambda t: t.vm_name),
        *server_fields(_server),
    ),
)
VM_REPLICA_POINT = QueryType(
    name="VmReplicaPoint", plural="VmReplicaPoints", rows=REPLICA_POINT_TASKS.rows,
    fields=(
        QueryField("UID", Kind.UID, vm_replica_point_id, uid_type="VmReplicaPoint"),
        QueryField("Name", Kind.STRING, vm_point_name),
        QueryField("CreationTime", Kind.DATETIME, lambda t: t.creation_ms),
        QueryField("Type", Kind.ENUM, lambda t: "Snapshot", values=REPLICA_TYPES),
        QueryField("Algorithm", Kind.ENUM, lambda t: "Incremental", values=ALGORITHMS),
        QueryField("ReplicaUid", Kind.UID, lambda t: replica_id(_job(t)), uid_type="Replica"),
        QueryField("ReplicaName", Kind.STRING, lambda t: _job(t).name),
        QueryField("VmDisplayName", Kind.STRING, lambda t: t.vm_name),
        *server_fields(_server),
    ),
)
RESTORE_SESSION = QueryType(
    name="RestoreSession", plural="RestoreSessions", rows=RESTORE_SESSIONS.rows,
    fields=(
        QueryField("UID", Kind.UID, lambda s: s.id, uid_type="RestoreSession"),
        QueryField("Name", Kind.STRING, lambda s: f"{s.vm_name}@{name_suffix(s.creation_ms)}"),
        QueryField("Type", Kind.ENUM, lambda s: s.job_type, values=RESTORE_JOB_TYPES),
        QueryField("CreationTime", Kind.DATETIME, lambda s: s.creation_ms),
        QueryField("EndTime", Kind.DATETIME, lambda s: s.end_ms),
        QueryField("State", Kind.ENUM, lambda s: s.state, values=RESTORE_STATES),
        QueryField("Result", Kind.ENUM, lambda s: s.result, values=RESTORE_RESULTS),
        *server_fields(lambda s: s.backup_server),
        QueryField("VmDisplayName", Kind.STRING, lambda s: s.vm_name),
    ),
)

VAPP_RESTORE_POINT = QueryType(
    name="vAppRestorePoint", plural="VAppRestorePoints", rows=vapp_restore_points,
    fields=(
        QueryField("UID", Kind.UID, vapp_point_id, uid_type="VAppRestorePoint"),
        QueryField("Name", Kind.STRING, vapp_point_name),
        QueryField("CreationTime", Kind.DATETIME, lambda p: p.creation_ms),
        QueryField("Type", Kind.ENUM, lambda p: "Full" if is_full(p.first) else "Increment",
                   values=RESTORE_TYPES),
        QueryField("Algorithm", Kind.ENUM,
                   lambda p: "Full" if is_full(p.first) else "Incremental", values=ALGORITHMS),
        QueryField("RestorePointId", Kind.UID, lambda p: restore_point_id(p.first),
                   uid_type="RestorePoint"),
        QueryField("VAppDisplayName", Kind.STRING, lambda p: p.vapp.name),
        *server_fields(lambda p: p.vapp.job.backup_server),
    ),
)
VAPP_REPLICA_POINT = QueryType(
    name="vAppReplicaPoint", plural="VAppReplicaPoints", rows=vapp_replica_points,
    fields=(
        QueryField("UID", Kind.UID, vapp_point_id, uid_type="VAppReplicaPoint"),
        QueryField("Name", Kind.STRING, vapp_point_name),
        QueryField("vAppDisplayName", Kind.STRING, lambda p: p.vapp.name),
        QueryField("CreationTime", Kind.DATETIME, lambda p: p.creation_ms),
        QueryField("vAppName", Kind.STRING, lambda p: p.vapp.name),
        QueryField("Type", Kind.ENUM, lambda p: "Snapshot", values=REPLICA_TYPES),
        QueryField("Algorithm", Kind.ENUM, lambda p: "Incremental", values=ALGORITHMS),
        QueryField("ReplicaUid", Kind.UID, lambda p: replica_id(p.vapp.job), uid_type="Replica"),
        QueryField("ReplicaName", Kind.STRING, lambda p: p.vapp.job.name),
        *server_fields(lambda p: p.vapp.job.backup_server),
    ),
)

register_query_types(RESTORE_SESSION, VAPP_RESTORE_POINT, VAPP_REPLICA_POINT)
register_query_types(BACKUP, BACKUP_FILE, REPLICA, RESTORE_POINT, VM_RESTORE_POINT,
                     VM_REPLICA_POINT)
