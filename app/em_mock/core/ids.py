"""Identifiers: the URN form of a GUID, and stable GUIDs derived from another item's."""

from __future__ import annotations

import uuid

_NS = uuid.UUID("6c1e1f1e-5d6b-4f0e-9a57-3f0c2b7e8d41")


def urn(type_name: str, guid: str) -> str:
    """``urn:veeam:<Type>:<guid>``."""
    return f"urn:veeam:{type_name}:{guid}"


# The kinds of ids derived from one other item's GUID alone (``derived_id(kind, guid)``):
# a fixture may refer to such an id (a restore session names the VM restore point it
# used), so ``--anonymize`` re-derives it from the stand-in of its source GUID.
ONE_GUID_KINDS = ("Backup", "Replica", "RestorePoint", "VmRestorePoint", "VmReplicaPoint",
                  "BackupFile", "AgentRestorePoint", "AgentManagementSession", "HierarchyRoot",
                  "CdpReplica", "CloudReplica")


def derived_id(kind: str, guid: str) -> str:
    """A stable id for something derived from another item (restore points, includes)."""
    return str(uuid.uuid5(_NS, f"{kind} {guid}"))
