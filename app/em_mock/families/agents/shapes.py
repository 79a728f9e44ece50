"""Wire shapes of agent protection groups and discovered computers."""

from __future__ import annotations

from em_mock.core.registry import ResourceType, register_resources
from em_mock.core.wire.documents import (
    Ctx,
    alternate_to_entity,
    alternate_to_reference,
    entity,
    reference,
)
from em_mock.core.wire.tree import Layer, Node, link
from em_mock.families.agents.model import DiscoveredComputer, ProtectionGroup
from em_mock.families.infrastructure.shapes import server_up

COMPUTER_PATH = "agents/discoveredComputers"
GROUP_PATH = "agents/protectionGroups"
# Quirk kept on purpose: a discovered computer's own Href points under /backupTaskSessions/.
COMPUTER_HREF_PATH = "backupTaskSessions"


def _computer_links(c: DiscoveredComputer, ctx: Ctx, alternate: Node) -> list[Node]:
    group = c.protection_group
    return [server_up(c.backup_server, ctx), alternate,
            link("Up", ctx.api(f"{GROUP_PATH}/{group.id}"), "AgentProtectionGroupReference",
                 group.name)]


def _computer_ref(c: DiscoveredComputer, ctx: Ctx, root: str) -> Node:
    alternate = alternate_to_entity("DiscoveredComputer", COMPUTER_PATH, c.id, c.name, ctx)
    return reference(root, "DiscoveredComputer", COMPUTER_HREF_PATH, c.id, c.name,
                     _computer_links(c, ctx, alternate), ctx)


def _computer_entity(c: DiscoveredComputer, ctx: Ctx) -> Node:
    alternate = alternate_to_reference("DiscoveredComputer", COMPUTER_PATH, c.id, c.name, ctx)
    own = Layer(elems=[
        ("HostStatus", c.host_status), ("AgentVersion", c.agent_version),
        ("AgentStatus", c.agent_status), ("OsVersion", c.os_version),
        ("IpAddress", c.ip_address),
        ("HierarchyObjRef",
         f"urn:AgentForWindows:VeeamAgent:00000000-0000-0000-0000-000000000000.{c.id}")])
    return entity("DiscoveredComputer", COMPUTER_HREF_PATH, c.id, c.name,
                  _computer_links(c, ctx, alternate), [own], ctx)


DISCOVERED_COMPUTER = ResourceType("DiscoveredComputer", COMPUTER_PATH, "DiscoveredComputers",
                                   _computer_ref, _computer_entity)


def _group_links(g: ProtectionGroup, ctx: Ctx, alternate: Node) -> list[Node]:
    return [server_up(g.backup_server, ctx), alternate,
            link("Down", ctx.api(f"{GROUP_PATH}/{g.id}/discoveredComputers"),
                 "DiscoveredComputerReferenceList")]


def _group_ref(g: ProtectionGroup, ctx: Ctx, root: str) -> Node:
    alternate = alternate_to_entity("AgentProtectionGroup", GROUP_PATH, g.id, g.name, ctx)
    return reference(root, "AgentProtectionGroup", GROUP_PATH, g.id, g.name,
                     _group_links(g, ctx, alternate), ctx)


def _group_entity(g: ProtectionGroup, ctx: Ctx) -> Node:
    alternate = alternate_to_reference("AgentProtectionGroup", GROUP_PATH, g.id, g.name, ctx)
    return entity("AgentProtectionGroup", GROUP_PATH, g.id, g.name,
                  _group_links(g, ctx, alternate), [], ctx)


PROTECTION_GROUP = ResourceType("AgentProtectionGroup", GROUP_PATH, "AgentProtectionGroups",
                                _group_ref, _group_entity)


register_resources(DISCOVERED_COMPUTER, PROTECTION_GROUP)
