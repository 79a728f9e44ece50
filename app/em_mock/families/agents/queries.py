"""Query types of agents: discovered computers, protection groups, Veeam Agent backup jobs
and agent restore points."""

from __future__ import annotations

from em_mock.core.registry import Kind, QueryField, QueryType, register_query_types
from em_mock.families.agents.model import (
    AGENT_JOBS,
    AGENT_PLATFORMS,
    AGENT_POINT_TASKS,
    AGENT_STATUSES,
    DISCOVERED_COMPUTERS,
    PROTECTION_GROUPS,
    agent_restore_point_id,
)
from em_mock.families.infrastructure.queries import server_fields
from em_mock.families.restore.points import (
    backup_file_id,
    backup_id,
    file_name,
    is_full,
    restore_point_id,
    sql_short_date,
    vm_point_name,
)

DISCOVERED_COMPUTER = QueryType(
    name="DiscoveredComputer", plural="DiscoveredComputers",
    rows=DISCOVERED_COMPUTERS.rows,
    fields=(
        # Documented as a String, but a UID in every other respect: URN or bare GUID.
        QueryField("UID", Kind.UID, lambda c: c.id, uid_type="DiscoveredComputer"),
        QueryField("Name", Kind.STRING, lambda c: c.name),
        *server_fields(lambda c: c.protection_group.backup_server),
        QueryField("AgentVersion", Kind.STRING, lambda c: c.agent_version),
        QueryField("AgentStatus", Kind.ENUM, lambda c: c.agent_status,
                   values=AGENT_STATUSES),
        QueryField("OsVersion", Kind.STRING, lambda c: c.os_version),
        QueryField("IpAddress", Kind.STRING, lambda c: c.ip_address),
        QueryField("ProtectionGroupUid", Kind.UID, lambda c: c.protection_group.id,
                   uid_type="AgentProtectionGroup"),
        QueryField("ProtectionGroupName", Kind.STRING, lambda c: c.protection_group.name),
    ),
)
AGENT_PROTECTION_GROUP = QueryType(
    name="AgentProtectionGroup", plural="AgentProtectionGroups", rows=PROTECTION_GROUPS.rows,
    fields=(
        QueryField("UID", Kind.UID, lambda g: g.id, uid_type="AgentProtectionGroup"),
        QueryField("Name", Kind.STRING, lambda g: g.name),
        *server_fields(lambda g: g.backup_server),
    ),
)
AGENT_BACKUP_JOB = QueryType(
    name="AgentBackupJob", plural="AgentBackupJobs", rows=AGENT_JOBS.rows,
    fields=(
        QueryField("UID", Kind.UID, lambda j: j.id, uid_type="AgentBackupJob"),
        QueryField("Name", Kind.STRING, lambda j: j.name),
        QueryField("Description", Kind.STRING, lambda j: j.description),
        QueryField("JobType", Kind.STRING, lambda j: j.job_type),
        QueryField("Platform", Kind.ENUM, lambda j: j.platform, values=AGENT_PLATFORMS),
        QueryField("ScheduleConfigured", Kind.BOOL, lambda j: j.schedule_configured),
        QueryField("ScheduleEnabled", Kind.BOOL, lambda j: j.schedule_enabled),
        *server_fields(lambda j: j.backup_server),
    ),
)
AGENT_RESTORE_POINT = QueryType(
    name="AgentRestorePoint", plural="AgentRestorePoints", rows=AGENT_POINT_TASKS.rows,
    fields=(
        QueryField("UID", Kind.UID, agent_restore_point_id, uid_type="AgentRestorePoint"),
        QueryField("Name", Kind.STRING, vm_point_name),
        QueryField("CreationTime", Kind.DATETIME, lambda t: t.creation_ms),
        QueryField("ComputerName", Kind.STRING, lambda t: t.vm_name),
        QueryField("Type", Kind.ENUM, lambda t: "Full" if is_full(t) else "Increment",
                   values=("Full", "Increment")),
        QueryField("Algorithm", Kind.ENUM, lambda t: "Full" if is_full(t) else "Incremental",
                   values=("Full", "Incremental", "SyntheticFull")),
        QueryField("RestorePointId", Kind.UID, restore_point_id, uid_type="RestorePoint"),
        QueryField("RestorePointName", Kind.STRING, lambda t: sql_short_date(t.creation_ms)),
        QueryField("BackupUid", Kind.UID, lambda t: backup_id(t.session.job), uid_type="Backup"),
        QueryField("BackupName", Kind.STRING, lambda t: t.session.job.name),
        QueryField("BackupFileUid", Kind.UID, backup_file_id, uid_type="BackupFile"),
        QueryField("BackupFileName", Kind.STRING, file_name),
        *server_fields(lambda t: t.session.job.backup_server),
    ),
)

register_query_types(DISCOVERED_COMPUTER, AGENT_PROTECTION_GROUP, AGENT_BACKUP_JOB,
                     AGENT_RESTORE_POINT)
