"""Fixture sections ``NasFileServers``, ``NasJobs`` (with their ``Includes``) and
``NasJobSessions`` (the NAS jobs' backup job sessions, in the ``JobSessions`` format)."""

from __future__ import annotations

from typing import Any

from em_mock.core.fixtures import Documents, Section, register_sections
from em_mock.core.ids import urn
from em_mock.core.tables import DataSet
from em_mock.core.validate import Reader, Source, TimeWriter, claim, items, sub_items
from em_mock.families.infrastructure.fixtures import repository_of, server_of
from em_mock.families.infrastructure.model import (
    MANAGED_SERVERS,
    BackupServer,
    Repository,
)
from em_mock.families.jobs.capture import capture_sessions
from em_mock.families.jobs.fixtures import SESSION_OMITS, read_sessions, write_sessions
from em_mock.families.nas.capture import capture_file_servers, capture_nas_jobs
from em_mock.families.nas.model import (
    ACL_MODES,
    FILE_SERVER_TYPES,
    FILE_SERVERS,
    LONG_TERM_TYPES,
    NAS_JOB_TYPE,
    NAS_JOBS,
    SHORT_TERM_TYPES,
    FileServer,
    NasJob,
    NasObject,
    index_nas_objects,
)

_FILE_SERVER_KEYS = ("UID", "Name", "BackupServerUid", "ServerType", "Path", "CredentialsId",
                     "ManagedServerUid", "CacheRepositoryUid", "ProcessingMode",
                     "StorageSnapshotPath")
_JOB_KEYS = ("UID", "Name", "BackupServerUid", "Description", "ScheduleConfigured",
             "ScheduleEnabled", "NextRun", "RepositoryUid", "ShorttermRetentionType",
             "ShorttermRetentionPeriod", "LongtermRetentionEnabled", "LongtermRetentionType",
             "LongtermRetentionPeriod", "ArchiveRepositoryUid", "AclMode", "Includes")
_INCLUDE_KEYS = ("ObjectInJobId", "FileServerUid", "FileOrFolder", "InclusionMask",
                 "ExclusionMask", "Size")


def _read_file_servers(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    for src in items(reader, docs, "NasFileServers"):
        reader.unknown_keys(src, _FILE_SERVER_KEYS)
        guid = reader.uid(src, "UID", "FileServer")
        server = server_of(reader, src, data)
        managed_id = reader.uid(src, "ManagedServerUid", "ManagedServer", required=False,
                                nullable=True)
        managed = MANAGED_SERVERS.of(data).get(managed_id or "")
        if managed_id and managed is None:
            reader.error(src, "ManagedServerUid", f"no managed server has the UID {managed_id}")
        share = FileServer(
            guid or "", reader.value(src, "Name", str, required=True, default=""),
            server or BackupServer("", ""),
            reader.choice(src, "ServerType", FILE_SERVER_TYPES) or "SmbServer",
            reader.value(src, "Path", str, default=""),
            reader.value(src, "CredentialsId", str, nullable=True),
            managed, repository_of(reader, src, data, "CacheRepositoryUid", optional=True),
            reader.value(src, "ProcessingMode", str, default="Direct"),
            reader.value(src, "StorageSnapshotPath", str, default=""))
        if claim(reader, seen, src, guid) and server is not None:
            FILE_SERVERS.of(data)[share.id] = share


def _read_includes(reader: Reader, src: Source, job: NasJob, data: DataSet,
                   seen: dict[str, str]) -> None:
    for o_src in sub_items(reader, src, "Includes"):
        reader.unknown_keys(o_src, _INCLUDE_KEYS)
        guid = reader.uid(o_src, "ObjectInJobId", "NasObject")
        share_id = reader.uid(o_src, "FileServerUid", "FileServer")
        share = FILE_SERVERS.of(data).get(share_id or "")
        if share_id and share is None:
            reader.error(o_src, "FileServerUid", f"no file server has the UID {share_id}")
        include = NasObject(
            guid or "", job, share or FileServer("", "", job.backup_server),
            reader.value(o_src, "FileOrFolder", str, required=True, default=""),
            reader.value(o_src, "InclusionMask", str, default="*.*"),
            reader.value(o_src, "ExclusionMask", str, default=""),
            reader.value(o_src, "Size", int, default=0))
        if claim(reader, seen, o_src, guid) and share is not None:
            job.includes.append(include)


def _read_jobs(reader: Reader, docs: Documents, data: DataSet) -> None:
    seen: dict[str, str] = {}
    includes_seen: dict[str, str] = {}
    for src in items(reader, docs, "NasJobs"):
        reader.unknown_keys(src, _JOB_KEYS)
        guid = reader.uid(src, "UID", "NasJob")
        server = server_of(reader, src, data)
        job = NasJob(
            guid or "", reader.value(src, "Name", str, required=True, default=""),
            server or BackupServer("", ""), NAS_JOB_TYPE, "VMware",
            reader.value(src, "Description", str, default=""),
            reader.value(src, "ScheduleConfigured", bool, default=True),
            reader.value(src, "ScheduleEnabled", bool, default=True),
            reader.time(src, "NextRun", required=False),
            repository_of(reader, src, data, "RepositoryUid", optional=True),
            short_term_type=reader.choice(src, "ShorttermRetentionType", SHORT_TERM_TYPES,
                                          required=False, default="Day") or "Day",
            short_term_period=reader.value(src, "ShorttermRetentionPeriod", int, default=28),
            long_term_enabled=reader.value(src, "LongtermRetentionEnabled", bool,
                                           default=False),
            long_term_type=reader.choice(src, "LongtermRetentionType", LONG_TERM_TYPES,
                                         required=False, default="Year") or "Year",
            long_term_period=reader.value(src, "LongtermRetentionPeriod", int, default=3),
            archive_repository=repository_of(reader, src, data, "ArchiveRepositoryUid",
                                             optional=True),
            acl_mode=reader.choice(src, "AclMode", ACL_MODES, required=False,
                                   default=ACL_MODES[0]) or ACL_MODES[0])
        _read_includes(reader, src, job, data, includes_seen)
        job.sync_vms()
        if claim(reader, seen, src, guid) and server is not None:
            NAS_JOBS.of(data)[job.id] = job
    index_nas_objects(data)


def _write_file_servers(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{
        "UID": urn("FileServer", f.id), "Name": f.name,
        "BackupServerUid": urn("BackupServer", f.backup_server.id), "ServerType": f.server_type,
        "Path": f.path, "CredentialsId": f.credentials_id,
        "ManagedServerUid": urn("ManagedServer", f.managed_server.id) if f.managed_server
        else None,
        "CacheRepositoryUid": urn("Repository", f.cache_repository.id) if f.cache_repository
        else None,
        "ProcessingMode": f.processing_mode, "StorageSnapshotPath": f.snapshot_path,
    } for f in FILE_SERVERS.of(data).values()]


def _repo_uid(repo: Repository | None) -> str | None:
    return urn("Repository", repo.id) if repo else None


def _write_jobs(data: DataSet, time: TimeWriter) -> list[dict[str, Any]]:
    return [{
        "UID": urn("NasJob", j.id), "Name": j.name,
        "BackupServerUid": urn("BackupServer", j.backup_server.id),
        "Description": j.description, "ScheduleConfigured": j.schedule_configured,
        "ScheduleEnabled": j.schedule_enabled, "NextRun": time(j.next_run_ms),
        "RepositoryUid": _repo_uid(j.repository),
        "ShorttermRetentionType": j.short_term_type,
        "ShorttermRetentionPeriod": j.short_term_period,
        "LongtermRetentionEnabled": j.long_term_enabled,
        "LongtermRetentionType": j.long_term_type,
        "LongtermRetentionPeriod": j.long_term_period,
        "ArchiveRepositoryUid": _repo_uid(j.archive_repository), "AclMode": j.acl_mode,
        "Includes": [{"ObjectInJobId": o.id, "FileServerUid": urn("FileServer", o.file_server.id),
                      "FileOrFolder": o.path, "InclusionMask": o.inclusion_mask,
                      "ExclusionMask": o.exclusion_mask, "Size": o.size}
                     for o in j.includes],
    } for j in NAS_JOBS.of(data).values()]


register_sections(
    Section("NasFileServers", 200, _read_file_servers, _write_file_servers,
            capture=capture_file_servers),
    # A NAS job's next run: the query service filters and sorts on it, no entity shows it.
    Section("NasJobs", 201, _read_jobs, _write_jobs, capture=capture_nas_jobs,
            capture_omits=("NextRun",)),
    Section("NasJobSessions", 202, read_sessions("NasJobSessions", NAS_JOBS.of),
            write_sessions(NAS_JOBS.of), capture=capture_sessions("NasJob"),
            capture_omits=SESSION_OMITS),
)
