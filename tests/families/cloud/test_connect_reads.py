"""Cloud Connect reads: the hub, tenants and what hangs below them, hardware plans,
gateways and pools, public IPs, VLANs, replicas and their points, as a client sees them."""

from __future__ import annotations

from collections import defaultdict

import pytest

from em_mock.families.cloud.model import PLANS, TENANTS
from em_mock.families.infrastructure.model import REPOSITORIES, SERVERS
from tests.helpers import JSON, Q, xml

HUB_ORDER = ["cloud/gateways", "cloud/gatewayPools", "cloud/tenants", "cloud/hardwarePlans",
             "cloud/publicIpAddresses", "cloud/cloudFailoverPlans", "cloud/vmReplicaPoints",
             "cloud/replicas", "cloud/vlans", "cloud/failoverSessions"]


def _path(href: str) -> str:
    return href.split("/api/", 1)[1]


def test_hub_links_every_collection_in_the_documented_order(client, auth):
    root = xml(client.get("/api/cloud", headers=auth).content)
    assert root.tag == Q + "CloudConnectService"
    found = [(link.get("Rel"), _path(link.get("Href")), link.get("Type"))
             for link in root.iter(Q + "Link")]
    assert found[0][0] == "Up" and found[0][2] == "LogonSession"
    downs = [(path, kind) for rel, path, kind in found if rel == "Down"]
    assert [p for p, _ in downs[:10]] == HUB_ORDER
    assert [p for p, _ in downs[10:]] == [f"{p}?format=Entity" for p in HUB_ORDER]
    assert all(kind.endswith("ReferenceList") for _, kind in downs[:10])
    assert all(kind.endswith("List") and "Reference" not in kind for _, kind in downs[10:])
    creates = [(path, kind) for rel, path, kind in found if rel == "Create"]
    assert creates == [("cloud/gateways", "CreateCloudGatewaySpec"),
                       ("cloud/gatewayPools", "CreateCloudGatewayPoolSpec"),
                       ("cloud/tenants", "CreateCloudTenantSpec"),
                       ("cloud/hardwarePlans", "CloudHardwarePlanCreateSpec"),
                       ("cloud/publicIpAddresses", "CloudPublicIpAddressCreateSpec")]
    assert [rel for rel, _, _ in found] == ["Up"] + ["Down"] * 20 + ["Create"] * 5


@pytest.mark.parametrize(("path", "root", "plural"), [
    ("cloud/tenants", "CloudTenant", "CloudTenants"),
    ("cloud/hardwarePlans", "CloudHardwarePlan", "CloudHardwarePlans"),
    ("cloud/gateways", "CloudGateway", "CloudGateways"),
    ("cloud/gatewayPools", "CloudGatewayPool", "CloudGatewayPools"),
    ("cloud/publicIpAddresses", "CloudPublicIpAddress", "CloudPublicIpAddresses"),
    ("cloud/vlans", "VlanConfiguration", "VlanConfigurations"),
    ("cloud/replicas", "CloudReplica", "CloudReplicas"),
    ("cloud/vmReplicaPoints", "CloudVmReplicaPoint", "CloudVmReplicaPoints"),
    ("selfService/vSphere/Configs", "VSphereSelfServiceConfig", "VSphereSelfServiceConfigs"),
])
def test_every_collection_answers_references_entities_and_items(client, auth, path, root,
                                                                 plural):
    refs = xml(client.get(f"/api/{path}", headers=auth).content)
    assert refs.tag == Q + "EntityReferences" and len(refs)
    first = refs[0]
    assert first.get("Type") == f"{root}Reference"
    assert first.get("UID").startswith(f"urn:veeam:{root}:")
    entities = client.get(f"/api/{path}?format=Entity", headers={**auth, **JSON}).json()
    assert list(entities) == [plural] and len(entities[plural]) == len(refs)
    item = xml(client.get(first.get("Href") + "?format=Entity", headers=auth).content)
    assert item.tag == Q + root and item.get("UID") == first.get("UID")
    assert item.find(f"{Q}Links/{Q}Link").get("Rel") == "Up"
    assert xml(client.get(first.get("Href"), headers=auth).content).tag == Q + "EntityRef"


def test_tenant_entity_shows_its_quotas_compute_pools_and_counts(client, auth, runtime):
    tenant = TENANTS.rows(runtime.store)[0]
    body = client.get(f"/api/cloud/tenants/{tenant.id}?format=Entity",
                      headers={**auth, **JSON}).json()
    assert body["Name"] == tenant.name and body["TenantType"] == "Standalone"
    assert body["Links"][0] == {"Rel": "Up", "Href": body["Links"][0]["Href"],
                                "Name": tenant.backup_server.name,
                                "Type": "BackupServerReference"}
    (quota,) = body["Resources"]["CloudTenantResources"]
    assert 0 < quota["UsedQuota"] <= quota["Quota"]
    repo = REPOSITORIES.of(runtime.store.data)[quota["RepositoryUid"].split(":")[3]]
    assert repo.backup_server is tenant.backup_server
    (compute,) = body["ComputeResources"]["CloudTenantComputeResources"]
    assert compute["CloudHardwarePlanUid"].startswith("urn:veeam:CloudHardwarePlan:")
    plans = [p for p in PLANS.rows(runtime.store) if p.tenant is tenant]
    assert body["VmCount"] == body["ReplicaCount"] == sum(len(p.vms) for p in plans)
    rels = [(link["Rel"], _path(link["Href"]).split("/")[-1]) for link in body["Links"]]
    assert ("Down", "resources") in rels and ("Down", "subtenants") in rels


def test_tenants_never_use_more_than_their_repositories_have_used(runtime):
    used: dict[str, int] = defaultdict(int)
    for tenant in TENANTS.rows(runtime.store):
        for resource in tenant.resources:
            assert resource.repository.backup_server is tenant.backup_server
            assert 0 <= resource.used_mb <= resource.quota_mb
            used[resource.repository.id] += resource.used_mb
        for sub in tenant.subtenants:
            assert sub.used_mb <= (sub.quota_mb or sub.resource.quota_mb)
    assert used
    for repo_id, mb in used.items():
        repo = REPOSITORIES.of(runtime.store.data)[repo_id]
        assert mb * (1 << 20) <= repo.capacity - repo.free_space


def test_tenant_sub_collections_have_their_documented_roots(client, auth, runtime):
    tenant = next(t for t in TENANTS.rows(runtime.store) if t.subtenants)
    base = f"/api/cloud/tenants/{tenant.id}"
    resources = xml(client.get(f"{base}/resources", headers=auth).content)
    assert resources.tag == Q + "CloudTenantResources"
    resource = resources[0]
    assert resource.tag == Q + "CloudTenantResource"
    assert resource.findtext(f"{Q}Id") == tenant.resources[0].id
    one = xml(client.get(resource.get("Href"), headers=auth).content)
    assert one.findtext(f"{Q}RepositoryQuota/{Q}QuotaMb") == str(tenant.resources[0].quota_mb)
    compute = client.get(f"{base}/computeResources", headers={**auth, **JSON}).json()
    assert list(compute) == ["CloudTenantComputeResources"]
    item = compute["CloudTenantComputeResources"][0]
    assert client.get(item["Href"], headers=auth).status_code == 200
    subs = xml(client.get(f"{base}/subtenants", headers=auth).content)
    assert subs.tag == Q + "CloudSubtenants"
    assert [s.findtext(f"{Q}Name") for s in subs] == [s.name for s in tenant.subtenants]
    sub = xml(client.get(subs[0].get("Href"), headers=auth).content)
    assert sub.tag == Q + "CloudSubtenant"
    assert sub.findtext(f"{Q}RepositoryQuota/{Q}TenantResourceId") == tenant.resources[0].id
    vcloud = xml(client.get(f"{base}/vCloudComputeResources", headers=auth).content)
    assert vcloud.tag == Q + "CloudTenantVCloudComputeResources" and len(vcloud) == 0
    counters = xml(client.get(f"{base}/freelicenseCounters", headers=auth).content)
    assert counters.tag == Q + "CloudTenantFreeLicenseCounters"


@pytest.mark.parametrize("tail", ["resources/x", "computeResources/00000000-0000-0000-0000-"
                                  "000000000000", "subtenants/nope", "vCloudComputeResources/1"])
def test_unknown_items_below_a_tenant_are_404(client, auth, runtime, tail):
    tenant = TENANTS.rows(runtime.store)[0]
    response = client.get(f"/api/cloud/tenants/{tenant.id}/{tail}", headers=auth)
    assert response.status_code == 404
    assert xml(response.content).get("StatusCode") == "404"


def test_hardware_plan_tenants_are_those_that_use_it(client, auth, runtime):
    tenant = TENANTS.rows(runtime.store)[0]
    plan = tenant.compute[0].plan
    body = client.get(f"/api/cloud/hardwarePlans/{plan.id}/tenants",
                      headers={**auth, **JSON}).json()
    names = [t["Name"] for t in body["CloudTenants"]]
    assert tenant.name in names
    assert names == [t.name for t in TENANTS.rows(runtime.store)
                     if any(c.plan is plan for c in t.compute)]


def test_pools_list_their_gateways_and_tenants_their_pools(client, auth, runtime):
    pools = client.get("/api/cloud/gatewayPools?format=Entity", headers={**auth, **JSON}).json()
    pool = pools["CloudGatewayPools"][0]
    gateway_uids = [g["CloudGatewayUid"] for g in pool["CloudGateways"]["CloudGateways"]]
    down = next(link["Href"] for link in pool["Links"] if link["Rel"] == "Down")
    refs = client.get(down, headers={**auth, **JSON}).json()["Refs"]
    assert [r["UID"] for r in refs] == gateway_uids
    tenant_uid = pool["CloudTenants"]["CloudTenants"][0]["CloudTenantUid"]
    tenant_pools = client.get(f"/api/cloud/tenants/{tenant_uid.split(':')[3]}/gatewayPools",
                              headers={**auth, **JSON}).json()["Refs"]
    assert pool["UID"] in [r["UID"] for r in tenant_pools]


def test_replicas_follow_the_failover_plans_and_own_their_points(client, auth, runtime):
    plan = PLANS.rows(runtime.store)[0]
    vm = plan.vms[0]
    refs = client.get("/api/query?type=CloudReplica&filter=Name==" + vm.name,
                      headers={**auth, **JSON}).json()["Refs"]["Refs"]
    (replica,) = refs
    points = client.get(replica["Href"] + "/vmReplicaPoints", headers={**auth, **JSON}).json()
    assert [p["UID"].split(":")[3] for p in points["Refs"]] == [p.id for p in vm.replica_points]
    point = client.get(points["Refs"][0]["Href"] + "?format=Entity",
                       headers={**auth, **JSON}).json()
    ups = [link for link in point["Links"] if link["Rel"] == "Up"]
    assert [u["Type"] for u in ups] == ["BackupServerReference", "CloudReplicaReference"]
    assert ups[1]["Href"] == replica["Href"]
    total = sum(len(v.replica_points) for p in PLANS.rows(runtime.store) for v in p.vms)
    assert len(client.get("/api/cloud/vmReplicaPoints", headers={**auth, **JSON})
               .json()["Refs"]) == total


def test_plan_includes_collection_lists_its_vms_in_order(client, auth, runtime):
    plan = PLANS.rows(runtime.store)[0]
    root = xml(client.get(f"/api/cloud/cloudFailoverPlans/{plan.id}/includes",
                          headers=auth).content)
    assert root.tag == Q + "CloudFailoveredVms"
    assert [vm.findtext(f"{Q}Name") for vm in root] == [vm.name for vm in plan.vms]
    assert [vm.findtext(f"{Q}Order") for vm in root] == [str(i) for i in range(len(plan.vms))]


def test_subtenants_and_public_ips_are_queryable(client, auth, runtime):
    tenant = next(t for t in TENANTS.rows(runtime.store) if t.subtenants)
    body = client.get(f"/api/query?type=CloudSubtenant&format=Entities&filter="
                      f"CloudTenantName=={tenant.name}", headers={**auth, **JSON}).json()
    subs = body["Entities"]["CloudSubtenants"]["CloudSubtenants"]
    assert [s["Name"] for s in subs] == [s.name for s in tenant.subtenants]
    held = client.get(f"/api/query?type=CloudPublicIpAddress&filter=CloudTenantName=="
                      f"{TENANTS.rows(runtime.store)[0].name}",
                      headers={**auth, **JSON}).json()["Refs"]["Refs"]
    assert len(held) == len(TENANTS.rows(runtime.store)[0].public_ips)


def test_self_service_hub_configs_and_job_settings(client, auth, runtime):
    hub = xml(client.get("/api/selfService/vSphere", headers=auth).content)
    assert hub.tag == Q + "VSphereSelfService"
    downs = [_path(link.get("Href")) for link in hub.iter(Q + "Link")
             if link.get("Rel") == "Down"]
    assert downs == ["selfService/vSphere/Configs",
                     "selfService/vSphere/Configs?format=Entity"]
    body = client.get("/api/query?type=VsphereSelfServiceConfig&format=Entities",
                      headers={**auth, **JSON}).json()
    configs = body["Entities"]["VSphereSelfServiceConfigs"]["VSphereSelfServiceConfigs"]
    assert len(configs) == len(SERVERS.of(runtime.store.data))
    config = configs[0]
    assert 0 <= config["UsedQuota"] <= config["QuotaGb"]
    assert config["Account"]["AccountType"] == "Group"
    repo = REPOSITORIES.of(runtime.store.data)[config["RepositoryUid"].split(":")[3]]
    assert repo.backup_server.name == config["Links"][0]["Name"]
    down = next(link["Href"] for link in config["Links"] if link["Rel"] == "Down")
    settings = xml(client.get(down, headers=auth).content)
    assert settings.tag == Q + "VSphereSelfServiceConfigJobSettings"
    assert settings.findtext(Q + "JobSchedulerType") == config["JobSettings"]["JobSchedulerType"]
