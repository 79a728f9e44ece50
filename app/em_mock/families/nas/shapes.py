"""Wire shapes of file servers, NAS jobs and the objects NAS jobs include."""

from __future__ import annotations

from em_mock.core.ids import urn
from em_mock.core.registry import ResourceType, register_resources
from em_mock.core.wire.documents import (
    Ctx,
    alternate_to_entity,
    alternate_to_reference,
    entity,
    reference,
)
from em_mock.core.wire.tree import Layer, ListOf, Node, link, links, resource_layer
from em_mock.families.infrastructure.shapes import server_up
from em_mock.families.nas.model import FileServer, NasJob, NasObject

FILE_SERVER_PATH = "nas/fileServers"
NAS_JOB_PATH = "nas/jobs"
# Archive retention of deleted and active file versions is not modelled: every job with
# long-term retention keeps these counts.
_ACTIVE_VERSIONS, _DELETED_VERSIONS = 10, 3


def _node(name: str, elems: list[tuple[str, str | int | bool | Node | ListOf | None]]) -> Node:
    return Node(name, [Layer(elems=elems)])


def _repo_uid(repo_id: str | None) -> str | None:
    return urn("Repository", repo_id) if repo_id else None


def _mask(name: str, extension: str) -> Node | None:
    """A ``FileExtensionInfoListType``: em-mock keeps one ``Extension`` per mask."""
    return _node(name, [("Extension", extension)]) if extension else None


def _file_server_links(f: FileServer, ctx: Ctx, alternate: Node) -> list[Node]:
    return [server_up(f.backup_server, ctx), alternate]


def _file_server_ref(f: FileServer, ctx: Ctx, root: str) -> Node:
    alternate = alternate_to_entity("FileServer", FILE_SERVER_PATH, f.id, f.name, ctx)
    return reference(root, "FileServer", FILE_SERVER_PATH, f.id, f.name,
                     _file_server_links(f, ctx, alternate), ctx)


def _file_server_entity(f: FileServer, ctx: Ctx) -> Node:
    alternate = alternate_to_reference("FileServer", FILE_SERVER_PATH, f.id, f.name, ctx)
    smb = nfs = managed = None
    if f.server_type == "SmbServer":
        smb = _node("SmbServerOptions", [("Path", f.path), ("CredentialsId", f.credentials_id)])
    elif f.server_type == "NfsServer":
        nfs = _node("NfsServerOptions", [("Path", f.path)])
    else:
        server_uid = urn("ManagedServer", f.managed_server.id) if f.managed_server else None
        managed = _node("FileServerOptions", [("ServerUid", server_uid)])
    cache = f.cache_repository.id if f.cache_repository else None
    own = Layer(elems=[
        ("ServerType", f.server_type), ("HierarchyObjRef", f.hierarchy_ref),
        ("SmbServerOptions", smb), ("NfsServerOptions", nfs), ("FileServerOptions", managed),
        ("ProcessingOptions", _node("ProcessingOptions", [
            ("ServerUid", urn("FileServer", f.id)), ("CacheRepositoryUid", _repo_uid(cache))])),
        ("NASServerAdvancedOptions", _node("NASServerAdvancedOptions", [
            ("ProcessingMode", f.processing_mode),
            ("StorageSnapshotPath", f.snapshot_path or None)])),
    ])
    return entity("FileServer", FILE_SERVER_PATH, f.id, f.name,
                  _file_server_links(f, ctx, alternate), [own], ctx)


FILE_SERVER = ResourceType("FileServer", FILE_SERVER_PATH, "FileServers", _file_server_ref,
                           _file_server_entity)


def include_href(o: NasObject, ctx: Ctx) -> str:
    """``/nas/jobs/{job}/includes/{object}``."""
    return ctx.api(f"{NAS_JOB_PATH}/{o.job.id}/includes/{o.id}")


def _include_links(o: NasObject, ctx: Ctx) -> list[Node]:
    f = o.file_server
    return [link("Up", ctx.api(f"{NAS_JOB_PATH}/{o.job.id}?format=Entity"), "Job", o.job.name),
            link("Related", ctx.api(f"{FILE_SERVER_PATH}/{f.id}?format=Entity"), "FileServer",
                 f.name)]


def nas_object(o: NasObject, ctx: Ctx) -> Node:
    """One ``NASObject``: a share or folder a NAS job includes."""
    return Node("NASObject", [
        resource_layer(links(_include_links(o, ctx)), include_href(o, ctx), "NasObject"),
        Layer(elems=[("HierarchyObjRef", o.file_server.hierarchy_ref), ("ObjectInJobId", o.id),
                     ("FileOrFolder", o.path),
                     ("FileServerUid", urn("FileServer", o.file_server.id)),
                     ("InclusionMask", _mask("InclusionMask", o.inclusion_mask)),
                     ("ExclusionMask", _mask("ExclusionMask", o.exclusion_mask))]),
    ])


def _nas_object_ref(o: NasObject, ctx: Ctx, root: str) -> Node:
    return reference(root, "NasObject", f"{NAS_JOB_PATH}/{o.job.id}/includes", o.id, o.path,
                     _include_links(o, ctx), ctx)


def _nas_object_entity(o: NasObject, ctx: Ctx) -> Node:
    return nas_object(o, ctx)


NAS_OBJECT = ResourceType("NasObject", f"{NAS_JOB_PATH}/{{ID}}/includes", "NASObjects",
                          _nas_object_ref, _nas_object_entity)


def _sessions_link(j: NasJob, ctx: Ctx) -> Node:
    return link("Down", ctx.api(f"{NAS_JOB_PATH}/{j.id}/backupSessions"),
                "BackupJobSessionReferenceList")


def _nas_job_ref(j: NasJob, ctx: Ctx, root: str) -> Node:
    return reference(root, "NasJob", NAS_JOB_PATH, j.id, j.name, [
        server_up(j.backup_server, ctx),
        alternate_to_entity("NasJob", NAS_JOB_PATH, j.id, j.name, ctx), _sessions_link(j, ctx),
    ], ctx)


def _storage(j: NasJob) -> Node:
    history = None
    if j.long_term_enabled:
        extensions = _node("FileExtensionsOption", [
            ("ArchiveFileExtensionsScope", "Any"), ("InclusionMask", None),
            ("ExclusionMask", None)])
        history = _node("KeepFileVersionsHistoryOptions", [
            ("LongtermRetentionType", j.long_term_type),
            ("LongtermRetentionPeriod", j.long_term_period),
            ("BackupRepositoryUid",
             _repo_uid(j.archive_repository.id if j.archive_repository else None)),
            ("ArchiveFileTypes", _node("ArchiveFileTypes", [
                ("ActiveFileRetentionEnabled", True),
                ("MaxActiveFileVersionsToKeep", _ACTIVE_VERSIONS),
                ("DeletedFileRetentionEnabled", True),
                ("MaxDeletedFileVersionsToKeep", _DELETED_VERSIONS),
                ("FileExtensionsOption", extensions)]))])
    return _node("StorageOptions", [
        ("BackupRepositoryUid", _repo_uid(j.repository.id if j.repository else None)),
        ("ShorttermRetentionType", j.short_term_type),
        ("ShorttermRetentionPeriod", j.short_term_period),
        ("LongtermRetentionEnabled", j.long_term_enabled),
        ("KeepFileVersionsHistoryOptions", history),
        ("NASJobAdvancedStorageOptions", _node("NASJobAdvancedStorageOptions", [
            ("ACL", _node("ACL", [("FileAttributesChangeTrackingMode", j.acl_mode)]))])),
    ])


def _nas_job_entity(j: NasJob, ctx: Ctx) -> Node:
    base = ctx.api(f"{NAS_JOB_PATH}/{j.id}")
    links_ = [
        server_up(j.backup_server, ctx),
        link("Alternate", base, "JobReference", j.name),
        link("Down", f"{base}/includes", "NasObjectList"),
        link("ToggleScheduleEnabled", f"{base}/toggleScheduleEnabled"),
        _sessions_link(j, ctx),
        # The vendor's links name the actions with a capital; the paths match in any case.
        link("Start", f"{base}/Start"), link("Stop", f"{base}/Stop"),
        link("Retry", f"{base}/Retry"),
    ]
    own = Layer(elems=[
        ("Description", j.description),
        ("Includes", ListOf([nas_object(o, ctx) for o in j.includes])),
        ("StorageOptions", _storage(j)),
        ("ScheduleConfigured", j.schedule_configured),
        ("ScheduleEnabled", j.schedule_enabled),
        ("JobScheduleOptions", None),
    ])
    node = entity("NasJob", NAS_JOB_PATH, j.id, j.name, links_, [own], ctx)
    node.name = "NASJob"  # the documented root element; Type and UID say NasJob
    return node


NAS_JOB = ResourceType("NasJob", NAS_JOB_PATH, "NASJobs", _nas_job_ref, _nas_job_entity)

register_resources(FILE_SERVER, NAS_JOB, NAS_OBJECT)
