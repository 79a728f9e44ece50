"""Builds the EM documents (as neutral trees) from domain objects.

Every builder takes a :class:`Ctx` that knows the base URL (so every ``Href`` is
absolute) and the wire profile (EM 12 or EM 13 precision).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from em_mock.core.ids import urn
from em_mock.core.times import format_instant, name_suffix
from em_mock.core.wire.tree import Layer, ListOf, Node, link, links, resource_layer

API_VERSIONS = ("v1_5", "v1_6", "v1_7")
REFERENCE_JSON_ORDER = ("Links", "UID", "Name", "Href", "Type")

# Every plural container of the API, in the vendor's order and spelling (typos kept).
ENTITY_CONTAINERS = (
    "Jobs", "FailoverPlans", "Backups", "Replicas", "Repositories", "RestorePoints",
    "VmRestorePoints", "VAppRestorePoints", "VmReplicaPoints", "BackupJobSessions",
    "ReplicaJobSessions", "ReplicaTaskSessions", "RestoreSessions", "HierarchyRoots",
    "BackupTaskSessions", "BackupServers", "ManagedServers", "EnterpiseRoles",
    "EnterpiseAccounts", "WanAccelerators", "CloudGateways", "CloudTenants", "CloudReplicas",
    "VCloudOrganizationConfigs", "BackupFiles", "VSphereSelfServiceConfigs", "CloudPublicIps",
    "CloudHardwarePlans", "CloudVmReplicaPoints", "AgentRestorePoints", "AgentBackupJob",
    "CloudGatewayPools", "CloudFailoverPlans", "ExternalRepositories", "VlanConfigurations",
    "CloudFailoverSessions", "AgentProtectionGroups", "DiscoveredComputers", "FileServers",
    "NASJobs", "CdpReplicas", "CdpReplicaVms", "CdpPolicies", "CdpReplicaSessions",
    "CdpReplicaTaskSessions", "VAppReplicaPoints", "VmCdpReplicas", "VAppCdpReplicas",
    "VAppCdpReplicaVms", "SystemSessions",
)


@dataclass(frozen=True, slots=True)
class Ctx:
    """What a builder needs from the request: the base URL and the EM profile (12 or 13)."""

    base: str
    profile: int = 12

    def api(self, path: str = "") -> str:
        """The absolute URL of ``/api/<path>``."""
        return f"{self.base}/api/{path}"

    def time(self, ms: int | None) -> str | None:
        """An instant as the profile writes it (3 or 6 fractional digits)."""
        if ms is None:
            return None
        return format_instant(ms, 6) if self.profile >= 13 else format_instant(ms)

    def suffix(self, ms: int) -> str:
        """The ``@yyyy-MM-dd HH:mm:ss`` part of a name (v13 adds the fraction)."""
        return name_suffix(ms, 6 if self.profile >= 13 else 0)


_KEPT_LINKS: dict[tuple[object, ...], Node] = {}
KEPT_LINKS = 4096


def kept_link(key: tuple[object, ...], make: Callable[[], Node]) -> Node:
    """The link ``make()`` builds, kept under ``key`` for the next entity that links the
    same item (a page of sessions links the same few replica points thousands of times).

    ``key`` must hold everything the link depends on (the item's id and every field the
    link shows, the base URL, the profile), so a kept link is never stale; links are not
    changed once made, so one can stand in many trees. At most ``KEPT_LINKS`` are kept."""
    found = _KEPT_LINKS.get(key)
    if found is None:
        if len(_KEPT_LINKS) >= KEPT_LINKS:
            _KEPT_LINKS.clear()
        found = _KEPT_LINKS[key] = make()
    return found


def naming_layer(name: str | None, uid: str | None) -> Layer:
    """The ``Name`` and ``UID`` attributes every entity carries."""
    return Layer(attrs=[("Name", name), ("UID", uid)])


def reference(root: str, type_name: str, path: str, guid: str, name: str | None,
              link_nodes: Sequence[Node], ctx: Ctx) -> Node:
    """The reference form (``Ref`` in lists, ``EntityRef`` alone) of an entity."""
    return Node(
        root,
        [resource_layer(links(link_nodes), ctx.api(f"{path}/{guid}"), f"{type_name}Reference"),
         naming_layer(name, urn(type_name, guid))],
        json_order=REFERENCE_JSON_ORDER,
    )


def entity(type_name: str, path: str, guid: str, name: str | None,
           link_nodes: Sequence[Node], own: Sequence[Layer], ctx: Ctx) -> Node:
    """The entity form: base layer, ``Name``/``UID``, then the type's own layers."""
    return Node(
        type_name,
        [resource_layer(links(link_nodes), ctx.api(f"{path}/{guid}?format=Entity"), type_name),
         naming_layer(name, urn(type_name, guid)), *own],
    )


def alternate_to_entity(type_name: str, path: str, guid: str, name: str | None, ctx: Ctx) -> Node:
    """The reference's ``Alternate`` link to the entity."""
    return link("Alternate", ctx.api(f"{path}/{guid}?format=Entity"), type_name, name)


def alternate_to_reference(type_name: str, path: str, guid: str, name: str | None,
                           ctx: Ctx) -> Node:
    """The entity's ``Alternate`` link to the reference."""
    return link("Alternate", ctx.api(f"{path}/{guid}"), f"{type_name}Reference", name)


def entity_references(refs: Sequence[Node]) -> Node:
    """``EntityReferences`` (JSON ``{"Refs": [...]}``)."""
    return Node("EntityReferences", [Layer(elems=[("Refs", ListOf(refs, inline=True))])])


def entity_list(plural: str, items: Sequence[Node]) -> Node:
    """A collection's ``?format=Entity`` document (JSON ``{"<Plural>": [...]}``)."""
    return Node(plural, [Layer(elems=[(plural, ListOf(items, inline=True))])])


def enterprise_manager(ctx: Ctx) -> Node:
    """``GET /api/``: the supported versions and the logon link."""
    versions = [
        Node("SupportedVersion", [Layer(
            attrs=[("Name", v)],
            elems=[("Links", links([link("Create", ctx.api(f"sessionMngr/?v={v}"),
                                         "LogonSession")]))],
        )])
        for v in API_VERSIONS
    ]
    top = [link("Down", ctx.api("logonSessions"), "LogonSessionList"),
           link("Create", ctx.api("sessionMngr/?v=latest"), "LogonSession")]
    return Node("EnterpriseManager", [
        resource_layer(links(top), None, None),
        Layer(elems=[("SupportedVersions", ListOf(versions, json_key="SupportedVersions"))]),
    ])


def logon_session(ctx: Ctx, session_id: str, user: str, down: Sequence[Node]) -> Node:
    """A ``LogonSession``: Up to the entry point, the offered collections, then Delete."""
    href = ctx.api(f"logonSessions/{session_id}")
    link_nodes = [link("Up", ctx.api(), "EnterpriseManager"), *down, link("Delete", href)]
    return Node("LogonSession", [
        resource_layer(links(link_nodes), href, "LogonSession"),
        Layer(elems=[("UserName", user), ("SessionId", session_id)]),
    ])


def logon_sessions(items: Sequence[Node]) -> Node:
    """``LogonSessions`` (JSON ``{"LogonSessions": [...]}``)."""
    return Node("LogonSessions", [Layer(elems=[("LogonSessions", ListOf(items, inline=True))])])


def hub(root: str, type_name: str, href: str, link_nodes: Sequence[Node]) -> Node:
    """A service document made only of links (``/api/cloud``, ``/api/querySvc``)."""
    return Node(root, [resource_layer(links(link_nodes), href, type_name)])


def paging_info(page: int, page_size: int, pages_count: int, link_nodes: Sequence[Node]) -> Node:
    """``PagingInfo`` with its First/Previous/Next/Last links."""
    return Node("PagingInfo", [Layer(
        attrs=[("PageNum", page), ("PageSize", page_size), ("PagesCount", pages_count)],
        elems=[("Links", links(link_nodes))],
    )])


def query_result(*, refs: Sequence[Node] | None, plural: str | None,
                 entities: Sequence[Node] | None, paging: Node) -> Node:
    """``QueryResult``: ``Refs`` or ``Entities`` (every container key present, and a type
    the vendor's containers lack under its own plural, last), then paging."""
    entities_node = None
    if entities is not None and plural is not None:
        # A type whose list the vendor's container lacks (credentials, password keys)
        # gets its own container after the vendor's, so its entities still show.
        keys = ENTITY_CONTAINERS if plural in ENTITY_CONTAINERS else (*ENTITY_CONTAINERS,
                                                                      plural)
        entities_node = Node("Entities", [Layer(elems=[
            (key, ListOf(entities, json_key=key) if key == plural else None) for key in keys
        ])])
    refs_value = ListOf(refs, json_key="Refs") if refs is not None else None
    return Node("QueryResult", [Layer(elems=[
        ("Refs", refs_value), ("Entities", entities_node), ("Resources", None),
        ("Links", None), ("PagingInfo", paging),
    ])])
