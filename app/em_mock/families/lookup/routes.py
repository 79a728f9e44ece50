"""``GET /api/lookupSvc`` (the hub) and ``GET /api/lookup`` (hierarchy objects by host,
name and type, or by their reference).

The objects are those em-mock knows in a backup server's VM hierarchy: the ESXi hosts
it manages and the VMs its jobs process. A VM's reference is the one its jobs carry
(``urn:VMware:Vm:<host guid>.vm-NNNN``); a host's uses the same host guid
(``urn:VMware:Host:<host guid>.host-NNN``). A hierarchy root (``host=``) stands for its
backup server's hierarchy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.responses import Response

from em_mock.core.errors import EMError, bad_request
from em_mock.core.http.deps import CurrentSession, RuntimeDep, WireDep, query_params
from em_mock.core.ids import derived_id
from em_mock.core.registry import LogonLink, register_logon_links, register_router
from em_mock.core.runtime import Runtime
from em_mock.core.wire import documents as docs
from em_mock.core.wire.tree import Layer, Node, link, resource_layer
from em_mock.families.infrastructure.model import HIERARCHY_ROOTS, MANAGED_SERVERS, BackupServer
from em_mock.families.jobs.model import JOBS

router = register_router(APIRouter())

_VM_REF = re.compile(r"urn:VMware:Vm:([0-9a-fA-F-]{36})\.vm-\d+")
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@dataclass(frozen=True, slots=True)
class HierarchyObject:
    """One object of a VM hierarchy: its reference, type and name."""

    ref: str
    object_type: str
    name: str


def _objects_of(rt: Runtime, server: BackupServer) -> list[HierarchyObject]:
    """The hosts and VMs of ``server``'s hierarchy (cached per data version)."""
    def build() -> list[HierarchyObject]:
        vms: dict[str, HierarchyObject] = {}
        for job in JOBS.rows(rt.store):
            if job.backup_server is server:
                for vm in job.vms:
                    vms.setdefault(vm.uid.lower(), HierarchyObject(vm.uid, "Vm", vm.name))
        found = next((_VM_REF.fullmatch(o.ref) for o in vms.values()), None)
        roots = [m for m in HIERARCHY_ROOTS.rows(rt.store) if m.backup_server is server]
        host_guid = (found.group(1) if found else
                     roots[0].unique_id if roots else derived_id("Hierarchy", server.id))
        hosts = [HierarchyObject(f"urn:VMware:Host:{host_guid}.host-{100 + k}", "Host", m.name)
                 for k, m in enumerate(m for m in MANAGED_SERVERS.rows(rt.store)
                                       if m.backup_server is server
                                       and m.server_type in ("ESX", "ESXi"))]
        return hosts + list(vms.values())
    return rt.store.get(("hierarchy objects", server.id), build)


def _item(o: HierarchyObject) -> Node:
    return Node("HierarchyItem", [
        resource_layer(None, None, "HierarchyItem"),
        Layer(elems=[("ObjectRef", o.ref), ("ObjectType", o.object_type),
                     ("ObjectName", o.name)])])


def _server_of_host(rt: Runtime, host: str) -> BackupServer:
    guid = host.rsplit(":", 1)[-1] if host.lower().startswith("urn:veeam:hierarchyroot:") \
        else host
    if not _GUID.fullmatch(guid):
        raise bad_request(f"Parameter host: {host!r} is not a hierarchy root UID "
                          "(urn:veeam:HierarchyRoot:<guid>).")
    for root in HIERARCHY_ROOTS.rows(rt.store):
        if derived_id("HierarchyRoot", root.id) == guid.lower():
            return root.backup_server
    raise EMError(404, f"No hierarchy root has the UID {host!r}.")


@router.get("/api/lookupsvc")
async def lookup_service(me: CurrentSession, out: WireDep) -> Response:
    """The lookup service hub."""
    api = out.ctx.api
    return out.send(docs.hub("LookupSvc", "LookupService", api("lookupSvc"), [
        link("Up", api(f"logonSessions/{me.id}"), "LogonSession")]))


@router.get("/api/lookup")
async def lookup(request: Request, _: CurrentSession, rt: RuntimeDep, out: WireDep
                 ) -> Response:
    """Objects by ``hierarchyRef``, or by ``host`` and ``name`` (and ``type``):
    ``HierarchyItems``."""
    params = query_params(request)
    ref = params.get("hierarchyref")
    host = params.get("host")
    if ref is None and host is None:
        raise bad_request("Give hierarchyRef, or host and name (and type).")
    if host is not None:
        servers = [_server_of_host(rt, host.strip())]
    else:
        servers = list({id(r.backup_server): r.backup_server
                        for r in HIERARCHY_ROOTS.rows(rt.store)}.values())
    name = params.get("name")
    if ref is None and not name:
        raise bad_request("Parameter name is required with host.")
    kind = params.get("type")
    found = []
    for server in servers:
        for o in _objects_of(rt, server):
            if ref is not None and o.ref.lower() != ref.strip().lower():
                continue
            if name and o.name.lower() != name.strip().lower():
                continue
            if kind and o.object_type.lower() != kind.strip().lower():
                continue
            found.append(_item(o))
    return out.send(docs.entity_list("HierarchyItems", found))


register_logon_links(LogonLink(320, "lookupSvc", "LookupService"))
