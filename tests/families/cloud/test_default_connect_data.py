"""The default data answers every Cloud Connect tenant collection with something: subtenants
below several tenants and a vCD tenant with a vCloud compute resource, reached the way a
client reaches them, by the links of the tenant entities."""

from __future__ import annotations

from typing import Any

from tests.helpers import JSON, Q, xml


def _tenants(client: Any, auth: dict[str, str]) -> list[dict[str, Any]]:
    body = client.get("/api/cloud/tenants?format=Entity", headers={**auth, **JSON}).json()
    tenants: list[dict[str, Any]] = body["CloudTenants"]
    return tenants


def _down(entity: dict[str, Any], tail: str) -> str:
    (href,) = [link["Href"] for link in entity["Links"]
               if link["Rel"] == "Down" and link["Href"].endswith(f"/{tail}")]
    return str(href)


def test_several_tenants_have_subtenants_within_their_resources(client, auth):
    found = 0
    for tenant in _tenants(client, auth):
        href = _down(tenant, "subtenants")
        subs = client.get(href, headers={**auth, **JSON}).json()["CloudSubtenants"]
        listed = xml(client.get(href, headers=auth).content)
        assert listed.tag == Q + "CloudSubtenants"
        assert [s.findtext(f"{Q}Name") for s in listed] == [s["Name"] for s in subs]
        if not subs:
            continue
        found += 1
        quotas = {r["Id"]: r["RepositoryQuota"]["QuotaMb"] for r in client.get(
            _down(tenant, "resources"), headers={**auth, **JSON}).json()["CloudTenantResources"]}
        for item in subs:
            one = xml(client.get(item["Href"], headers=auth).content)
            assert one.tag == Q + "CloudSubtenant"
            assert one.findtext(f"{Q}Name") == item["Name"]
            assert item["Name"].startswith(tenant["Name"].lower() + "-user")
            quota = item["RepositoryQuota"]
            limit = quotas[quota["TenantResourceId"]]
            assert one.findtext(f"{Q}RepositoryQuota/{Q}QuotaMb") == str(quota["QuotaMb"])
            assert quota["QuotaMb"] <= limit
            assert quota["UsedQuotaMb"] <= (quota["QuotaMb"] or limit)
    assert found >= 2


def test_a_vcd_tenant_has_a_vcloud_compute_resource(client, auth):
    tenants = _tenants(client, auth)
    (vcd,) = [t for t in tenants if t["TenantType"] == "vCD"]
    assert all(t["TenantType"] == "Standalone" for t in tenants if t is not vcd)
    (resource,) = vcd["VCloudComputeResources"]["CloudTenantVCloudComputeResources"]
    href = _down(vcd, "vCloudComputeResources")
    listed = client.get(href, headers={**auth, **JSON}).json()
    (item,) = listed["CloudTenantVCloudComputeResources"]
    assert item["VirtualDataCenterRef"] == resource["VirtualDataCenterRef"]
    assert item["VirtualDataCenterRef"].startswith("urn:vCloud:Vdc:")
    assert item["ResourceUsage"]["StorageUsageGb"] > 0
    one = xml(client.get(item["Href"], headers=auth).content)
    assert one.tag == Q + "CloudTenantVCloudComputeResource"
    assert one.findtext(f"{Q}VirtualDataCenterName") == item["VirtualDataCenterName"]
    assert one.findtext(f"{Q}AllocationModel") in ("AllocationPool", "PayAsYouGo",
                                                   "ReservationPool", "Flex")
    assert len(xml(client.get(href, headers=auth).content)) == 1
    # The tenant is the organization of a vCloud organization configuration, on its server.
    orgs = client.get("/api/vCloud/orgConfigs?format=Entity",
                      headers={**auth, **JSON}).json()
    (org,) = [o for o in next(iter(orgs.values())) if o["Name"] == vcd["Name"]]
    server = next(link["Href"] for link in vcd["Links"] if link["Type"] == "BackupServerReference")
    assert server.endswith(org["BackupServerUid"].split(":")[-1])
    query = client.get("/api/query?type=CloudTenant&format=Entities&filter=Type==vCD",
                       headers={**auth, **JSON}).json()
    (found,) = query["Entities"]["CloudTenants"]["CloudTenants"]
    assert found["UID"] == vcd["UID"]
