"""Query types of NAS backup: file servers, NAS jobs and the objects they include."""

from __future__ import annotations

from em_mock.core.registry import Kind, QueryField, QueryType, register_query_types
from em_mock.families.infrastructure.queries import server_fields
from em_mock.families.nas.model import FILE_SERVERS, NAS_JOBS, NAS_OBJECTS

FILE_SERVER = QueryType(
    name="FileServer", plural="FileServers", rows=FILE_SERVERS.rows,
    fields=(
        QueryField("UID", Kind.UID, lambda f: f.id, uid_type="FileServer"),
        QueryField("Name", Kind.STRING, lambda f: f.name),
        *server_fields(lambda f: f.backup_server),
    ),
)
NAS_JOB = QueryType(
    name="NasJob", plural="NASJobs", rows=NAS_JOBS.rows,
    fields=(
        QueryField("UID", Kind.UID, lambda j: j.id, uid_type="NasJob"),
        QueryField("Name", Kind.STRING, lambda j: j.name),
        QueryField("Description", Kind.STRING, lambda j: j.description),
        QueryField("NextRun", Kind.DATETIME, lambda j: j.next_run_ms),
        QueryField("ScheduleConfigured", Kind.BOOL, lambda j: j.schedule_configured),
        QueryField("ScheduleEnabled", Kind.BOOL, lambda j: j.schedule_enabled),
        *server_fields(lambda j: j.backup_server),
    ),
)
NAS_OBJECT = QueryType(
    name="NasObject", plural="NASObjects", rows=NAS_OBJECTS.rows,
    fields=(
        # Documented as a String: the include's ObjectInJobId (a bare GUID or a URN).
        QueryField("UID", Kind.UID, lambda o: o.id, uid_type="NasObject"),
        QueryField("Name", Kind.STRING, lambda o: o.path),
        QueryField("JobUid", Kind.UID, lambda o: o.job.id, uid_type="NasJob"),
        QueryField("JobName", Kind.STRING, lambda o: o.job.name),
        QueryField("FileServerUid", Kind.UID, lambda o: o.file_server.id, uid_type="FileServer"),
        QueryField("FileServerName", Kind.STRING, lambda o: o.file_server.name),
        *server_fields(lambda o: o.job.backup_server),
    ),
)

register_query_types(FILE_SERVER, NAS_JOB, NAS_OBJECT)
