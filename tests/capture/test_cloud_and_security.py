"""What the registry-driven capture test cannot see on the default data: Cloud Connect
and security items the seeders never make (a Hyper-V hardware plan, an ActiveDirectory
tenant, two plans of one name on one server, a scope object the lookup service does not
know) are read back as exactly as the API lets them be."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from em_mock.core.capture import Walk
from em_mock.core.fixtures import SECTIONS, load_documents, to_document
from em_mock.core.runtime import Runtime
from em_mock.factory import create_app
from em_mock.settings import Settings
from tests.conftest import EPOCH_MS
from tests.helpers import fetch_of

Doc = dict[str, Any]


def _default_doc() -> Doc:
    runtime = Runtime.create(Settings(epoch=EPOCH_MS, frozen_clock=True))
    return to_document(runtime.store.data, EPOCH_MS, served=True)


def _round_trip(change: Callable[[Doc], None], name: str) -> tuple[Doc, Doc, Walk]:
    """Serve the default data changed by ``change``; capture section ``name`` and load
    it in place of the served one: the served and reloaded documents, and the walk."""
    doc = _default_doc()
    change(doc)
    runtime = Runtime.create(Settings(epoch=EPOCH_MS, frozen_clock=True),
                             data=load_documents([("changed", doc)], EPOCH_MS))
    served = to_document(runtime.store.data, EPOCH_MS, served=True)
    section = next(s for s in SECTIONS if s.name == name)
    assert section.capture is not None
    with TestClient(create_app(runtime=runtime), base_url="http://testserver") as client:
        fetch = fetch_of(client)

        walk = Walk(fetch)
        captured = section.capture(walk)
    reloaded = to_document(load_documents([("captured", dict(served, **{name: captured}))],
                                          EPOCH_MS), EPOCH_MS, served=True)
    return served, reloaded, walk


def _without(items: list[Doc], *keys: str) -> str:
    return json.dumps([{k: v for k, v in i.items() if k not in keys} for i in items])


def test_a_hyper_v_hardware_plan_keeps_its_platform() -> None:
    def change(doc: Doc) -> None:
        doc["CloudHardwarePlans"][1]["Platform"] = "HyperV"

    served, reloaded, walk = _round_trip(change, "CloudHardwarePlans")
    assert walk.skipped == []
    assert [p["Platform"] for p in reloaded["CloudHardwarePlans"]].count("HyperV") == 1
    assert reloaded["CloudHardwarePlans"] == served["CloudHardwarePlans"]


def test_an_active_directory_tenant_loads_back_without_its_unseen_domain() -> None:
    def change(doc: Doc) -> None:
        tenant = doc["CloudTenants"][2]["UID"]
        doc["CloudTenantTypes"].append({
            "TenantUid": tenant, "TenantType": "ActiveDirectory", "OrganizationRef": "",
            "Domain": {"DomainName": "corp.example", "DomainAccount": "CORP\\svc",
                       "Port": 636}, "VCloudComputeResources": []})

    served, reloaded, walk = _round_trip(change, "CloudTenantTypes")
    assert walk.skipped == []
    kinds = {t["TenantType"]: t for t in reloaded["CloudTenantTypes"]}
    assert set(kinds) == {"vCD", "ActiveDirectory"}
    assert kinds["ActiveDirectory"]["Domain"] == {"DomainName": "", "DomainAccount": "",
                                                  "Port": 389}
    assert _without(reloaded["CloudTenantTypes"], "Domain", "OrganizationRef") == \
        _without(served["CloudTenantTypes"], "Domain", "OrganizationRef")


def test_sessions_of_two_plans_of_one_name_go_to_the_plan_with_their_vms() -> None:
    def change(doc: Doc) -> None:
        plans = doc["CloudFailoverPlans"]
        first = plans[0]
        twin = next(p for p in plans[1:]
                    if p["BackupServerUid"] == first["BackupServerUid"])
        twin["Name"] = first["Name"]

    served, reloaded, walk = _round_trip(change, "CloudFailoverSessions")
    assert walk.skipped == []
    plan_of = {s["UID"]: s["CloudFailoverPlanUid"] for s in served["CloudFailoverSessions"]}
    assert len(set(plan_of.values())) == len(served["CloudFailoverPlans"])
    assert _without(reloaded["CloudFailoverSessions"], "Run") == \
        _without(served["CloudFailoverSessions"], "Run")


def test_a_scope_object_the_lookup_service_does_not_know_is_noted() -> None:
    def change(doc: Doc) -> None:
        scope = dict(doc["EnterpriseAccountScopes"][0])
        scope.update(ID="0b5f1c7e-3a55-4b8e-9d53-57a1c3c0a001", Name="ghost-vm",
                     HierarchyObjRef=scope["HierarchyObjRef"].rsplit(".", 1)[0] + ".vm-99999")
        doc["EnterpriseAccountScopes"].append(scope)

    served, reloaded, walk = _round_trip(change, "EnterpriseAccountScopes")
    assert len(walk.skipped) == 1 and "'ghost-vm'" in walk.skipped[0][0]
    ghost = [s for s in reloaded["EnterpriseAccountScopes"] if s["Name"] == "ghost-vm"]
    assert [s["HierarchyObjRef"] for s in ghost] == [""]
    assert [s for s in reloaded["EnterpriseAccountScopes"] if s["Name"] != "ghost-vm"] == \
        [s for s in served["EnterpriseAccountScopes"] if s["Name"] != "ghost-vm"]
