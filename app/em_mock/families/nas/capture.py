"""Reading the ``NasFileServers`` and ``NasJobs`` sections back from a live server
(``em-mock capture``); ``NasJobSessions`` is read as every job session section is
(:func:`~em_mock.families.jobs.capture.capture_sessions`).

File servers come from the ``FileServer`` query type (path and credentials from the
options of their kind, the managed server from ``FileServerOptions``); NAS jobs from the
``NasJob`` query type, whose entities carry their includes and storage options. An
include's size is what the newest task that moved its data reports. A job's next run is
no answer's: the query service filters and sorts on it but no entity shows it (see the
section's ``capture_omits``); long-term retention's type, period and archive repository
show only while it is on (else the capture writes em-mock's defaults).
"""

from __future__ import annotations

from typing import Any

from em_mock.core.capture import Walk, guid_of, server_uid
from em_mock.core.ids import urn
from em_mock.families.jobs.capture import job_vm_sizes


def _options(f: dict[str, Any], key: str) -> dict[str, Any]:
    found = f.get(key)
    return found if isinstance(found, dict) else {}


def capture_file_servers(walk: Walk) -> list[dict[str, Any]]:
    """The ``NasFileServers`` section."""
    out = []
    for f in walk.query("FileServer"):
        smb, nfs = _options(f, "SmbServerOptions"), _options(f, "NfsServerOptions")
        advanced = _options(f, "NASServerAdvancedOptions")
        out.append({
            "UID": urn("FileServer", guid_of(f.get("UID"))), "Name": f.get("Name"),
            "BackupServerUid": server_uid(f), "ServerType": f.get("ServerType"),
            "Path": smb.get("Path") or nfs.get("Path") or "",
            "CredentialsId": smb.get("CredentialsId"),
            "ManagedServerUid": _options(f, "FileServerOptions").get("ServerUid"),
            "CacheRepositoryUid": _options(f, "ProcessingOptions").get("CacheRepositoryUid"),
            "ProcessingMode": advanced.get("ProcessingMode"),
            "StorageSnapshotPath": advanced.get("StorageSnapshotPath") or "",
        })
    return out


def _mask(o: dict[str, Any], key: str) -> str:
    return str(_options(o, key).get("Extension") or "")


def capture_nas_jobs(walk: Walk) -> list[dict[str, Any]]:
    """The ``NasJobs`` section."""
    out = []
    for j in walk.query("NasJob"):
        job_id = guid_of(j.get("UID"))
        storage = _options(j, "StorageOptions")
        history = _options(storage, "KeepFileVersionsHistoryOptions")
        acl = _options(_options(storage, "NASJobAdvancedStorageOptions"), "ACL")
        includes = [o for o in j.get("Includes") or () if isinstance(o, dict)]
        sizes = job_vm_sizes(walk, job_id, [str(o.get("FileOrFolder")) for o in includes],
                             False)
        out.append({
            "UID": urn("NasJob", job_id), "Name": j.get("Name"),
            "BackupServerUid": server_uid(j), "Description": j.get("Description"),
            "ScheduleConfigured": j.get("ScheduleConfigured"),
            "ScheduleEnabled": j.get("ScheduleEnabled"), "NextRun": None,
            "RepositoryUid": storage.get("BackupRepositoryUid"),
            "ShorttermRetentionType": storage.get("ShorttermRetentionType"),
            "ShorttermRetentionPeriod": storage.get("ShorttermRetentionPeriod"),
            "LongtermRetentionEnabled": storage.get("LongtermRetentionEnabled"),
            "LongtermRetentionType": history.get("LongtermRetentionType", "Year"),
            "LongtermRetentionPeriod": history.get("LongtermRetentionPeriod", 3),
            "ArchiveRepositoryUid": history.get("BackupRepositoryUid"),
            "AclMode": acl.get("FileAttributesChangeTrackingMode"),
            "Includes": [{
                "ObjectInJobId": o.get("ObjectInJobId"), "FileServerUid": o.get("FileServerUid"),
                "FileOrFolder": o.get("FileOrFolder"), "InclusionMask": _mask(o, "InclusionMask"),
                "ExclusionMask": _mask(o, "ExclusionMask"),
                "Size": sizes.get(str(o.get("FileOrFolder")), 0)} for o in includes],
        })
    return out
