"""Routes of agents: the ``/agents`` hub, protection groups and discovered computers."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from em_mock.core.http.collections import Collection, Sub, serve, table_items
from em_mock.core.http.deps import CurrentSession, WireDep
from em_mock.core.registry import LogonLink, register_logon_links, register_router
from em_mock.core.wire import documents as docs
from em_mock.core.wire.tree import link
from em_mock.families.agents.model import DISCOVERED_COMPUTERS, PROTECTION_GROUPS
from em_mock.families.agents.shapes import DISCOVERED_COMPUTER, PROTECTION_GROUP

router = register_router(APIRouter())

serve(router, Collection(DISCOVERED_COMPUTER, "discovered computer",
                         table_items(DISCOVERED_COMPUTERS)))
serve(router, Collection(
    PROTECTION_GROUP, "protection group", table_items(PROTECTION_GROUPS),
    subs=(Sub("discoveredComputers", DISCOVERED_COMPUTER,
              lambda rt, g: [c for c in DISCOVERED_COMPUTERS.rows(rt.store)
                             if c.protection_group is g]),)))


@router.get("/api/agents")
async def agents_hub(me: CurrentSession, out: WireDep) -> Response:
    """The agents hub (root ``Agents``, type ``AgentsService``): links to discovered
    computers and protection groups."""
    api = out.ctx.api
    return out.send(docs.hub("Agents", "AgentsService", api("agents"), [
        link("Up", api(f"logonSessions/{me.id}"), "LogonSession"),
        link("Down", api("agents/discoveredComputers"), "DiscoveredComputerReferenceList"),
        link("Down", api("agents/protectionGroups"), "AgentProtectionGroupReferenceList"),
        link("Down", api("agents/discoveredComputers?format=Entity"), "DiscoveredComputerList"),
    ]))


register_logon_links(LogonLink(560, "agents", "AgentsService"))
