"""The provider's writes, in XML and in JSON, on an in-process server whose tasks take
five seconds of the mock's clock: gateways, gateway pools, public IPs, VLANs, failover
plans, backup resource quotas, vSphere self-service and vCloud organization
configurations. Each change shows only once its task has finished; each refusal is a 400
``Error`` that changes nothing. Hypothesis sends create specs, valid and invalid."""

from __future__ import annotations

import json
import pickle
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from em_mock import Settings, create_app
from em_mock.core.runtime import Runtime
from em_mock.families.cloud.model import (
    GATEWAY_POOLS,
    GATEWAYS,
    ORG_CONFIGS,
    PLANS,
    PUBLIC_IPS,
    REPLICAS,
    SELF_SERVICE,
    SESSIONS,
    TENANTS,
    VLANS,
)
from em_mock.families.infrastructure.model import MANAGED_SERVERS, REPOSITORIES, SERVERS
from tests.conftest import EPOCH_MS
from tests.helpers import JSON, NS, Q, error_of, logon, xml

DELAY_S = 5


def _runtime(blob: bytes, delay: int) -> Runtime:
    """The default data (the session's pickled copy) with tasks of ``delay`` seconds."""
    return Runtime.create(Settings(epoch=EPOCH_MS, frozen_clock=True, task_delay=delay),
                          data=pickle.loads(blob))


@pytest.fixture(scope="module")
def slow(_default_data_blob: bytes) -> Iterator[tuple[TestClient, Runtime]]:
    """Tasks take five seconds on a frozen clock."""
    runtime = _runtime(_default_data_blob, DELAY_S)
    with TestClient(create_app(runtime=runtime), base_url="http://testserver") as c:
        yield c, runtime


def _render(value: Any) -> str:
    out = []
    for key, item in value.items():
        for one in item if isinstance(item, list) else [item]:
            inner = _render(one) if isinstance(one, dict) else one
            out.append(f"<{key}>{inner}</{key}>")
    return "".join(out)


class Api:
    """A logged-on client in one format."""

    def __init__(self, client: TestClient, as_json: bool) -> None:
        self.client, self.as_json = client, as_json
        self.headers = {"X-RestSvcSessionId": logon(client), **(JSON if as_json else {})}
        self.json_headers = {**self.headers, **JSON}

    def send(self, method: str, path: str, root: str, fields: dict[str, Any]) -> Any:
        if self.as_json:
            body, kind = json.dumps(fields).encode(), "application/json"
        else:
            body, kind = f'<{root} xmlns="{NS}">{_render(fields)}</{root}>'.encode(), \
                "application/xml"
        return self.client.request(method, path, content=body,
                                   headers={**self.headers, "Content-Type": kind})

    def delete(self, path: str) -> Any:
        return self.client.delete(path, headers=self.headers)

    def get(self, path: str) -> Any:
        """Always JSON: what is checked is the data, the format is the request's."""
        return self.client.get(path, headers=self.json_headers).json()

    def status(self, task: Any) -> str:
        if self.as_json:
            return str(task.json()["State"])
        return str(xml(task.content).findtext(Q + "State"))

    def finish(self, task: Any, check: Any = None) -> None:
        """The task runs; ``check`` (if any) sees the old state; then it finishes."""
        assert task.status_code == 202, task.text
        assert self.status(task) == "Running"
        if check is not None:
            check()
        href = task.json()["Href"] if self.as_json else xml(task.content).get("Href")
        self.client.post("/mock/clock", json={"action": "advance", "seconds": DELAY_S})
        assert self.client.get(href, headers=self.json_headers).json()["State"] == "Finished"

    def refused(self, response: Any, words: str) -> None:
        assert response.status_code == 400, response.text
        body = error_of(response)
        message = body["Message"] if isinstance(body, dict) else body.get("Message")
        assert words in message, message


def _names(api: Api, path: str) -> list[str]:
    return [r["Name"] for r in api.get(path)["Refs"]]


def _query(api: Api, type_name: str, filter_: str) -> list[dict[str, Any]]:
    body = api.client.get("/api/query", params={"type": type_name, "format": "Entities",
                                                "filter": filter_},
                          headers=api.json_headers).json()
    (found,) = [v for v in body["Entities"].values() if v is not None]
    (items,) = found.values()
    return list(items)


FORMATS = pytest.mark.parametrize("as_json", [False, True], ids=["xml", "json"])


def _urn(kind: str, guid: str) -> str:
    return f"urn:veeam:{kind}:{guid}"


@FORMATS
def test_gateways_and_pools(slow, as_json):
    client, runtime = slow
    api = Api(client, as_json)
    server = SERVERS.rows(runtime.store)[0]
    suffix = "j" if as_json else "x"
    name = f"cgw-new-{suffix}.example.local"
    api.finish(api.send("POST", "/api/cloud/gateways", "CreateCloudGatewaySpec", {
        "ServerHostName": name, "NetworkType": "Direct", "ExternalIp": "192.0.2.10",
        "ExternalPort": 6280, "BackupServerUid": _urn("BackupServer", server.id)}),
        lambda: name not in _names(api, "/api/cloud/gateways"))
    (gateway,) = _query(api, "CloudGateway", f"Name=={name}")
    assert (gateway["NetworkMode"], gateway["ExternalIP"], gateway["ExternalPort"]) == (
        "Direct", "192.0.2.10", 6280)
    assert [link["Rel"] for link in gateway["Links"]] == ["Up", "Alternate", "Edit", "Delete"]
    href = gateway["Href"].split("?")[0]
    api.refused(api.send("POST", "/api/cloud/gateways", "CreateCloudGatewaySpec", {
        "ServerHostName": name.upper(), "NetworkType": "NAT",
        "BackupServerUid": _urn("BackupServer", server.id)}), "already exists")
    api.refused(api.send("PUT", href, "CloudGateway", {"NetworkMode": "Tunnel",
                                                       "ExternalIP": "192.0.2.11"}),
                "NetworkMode")
    api.finish(api.send("PUT", href, "CloudGateway", {
        "NetworkMode": "NAT", "ExternalIP": "192.0.2.11", "Enabled": "false"}))
    edited = api.get(href + "?format=Entity")
    assert (edited["NetworkMode"], edited["ExternalIP"], edited["Enabled"]) == (
        "NAT", "192.0.2.11", False)

    # A pool of the new gateway, with a tenant of that server pinned to it.
    tenant = next(t for t in TENANTS.rows(runtime.store) if t.backup_server is server)
    other = next(g for g in GATEWAYS.rows(runtime.store) if g.pools)
    pool_name = f"Pool {suffix}"
    spec = {"Name": pool_name, "BackupServerUid": _urn("BackupServer", server.id),
            "CloudGateways": {"CloudGatewayUid": [gateway["UID"]]},
            "CloudTenants": {"CloudTenantUid": [_urn("CloudTenant", tenant.id)]}}
    api.refused(api.send("POST", "/api/cloud/gatewayPools", "CreateCloudGatewayPoolSpec", {
        **spec, "CloudGateways": {"CloudGatewayUid": [_urn("CloudGateway", other.id)]}}),
        "already in the pool")
    api.refused(api.send("POST", "/api/cloud/gatewayPools", "CreateCloudGatewayPoolSpec", {
        **spec, "CloudGateways": {}}), "at least one")
    api.finish(api.send("POST", "/api/cloud/gatewayPools", "CreateCloudGatewayPoolSpec", spec))
    (pool,) = _query(api, "CloudGatewayPool", f'Name=="{pool_name}"')
    assert [g["CloudGatewayUid"] for g in pool["CloudGateways"]["CloudGateways"]] == [
        gateway["UID"]]
    pool_href = pool["Href"].split("?")[0]
    pinned = api.get(f"/api/cloud/tenants/{tenant.id}/gatewayPools")["Refs"]
    assert pool_name in [p["Name"] for p in pinned]
    assert pool_name in [link.get("Name") for link in api.get(href + "?format=Entity")["Links"]]
    api.refused(api.delete(href), "take it out first")
    api.finish(api.send("PUT", pool_href, "CloudGatewayPool", {
        **spec, "Name": f"{pool_name} renamed", "CloudTenants": {}}))
    renamed = api.get(pool_href + "?format=Entity")
    assert renamed["Name"] == f"{pool_name} renamed"
    assert renamed["CloudTenants"]["CloudTenants"] == []
    api.finish(api.delete(pool_href))
    assert f"{pool_name} renamed" not in _names(api, "/api/cloud/gatewayPools")
    api.finish(api.delete(href))
    assert name not in _names(api, "/api/cloud/gateways")
    assert client.get(href, headers=api.headers).status_code == 404


@FORMATS
def test_public_ip_addresses(slow, as_json):
    client, runtime = slow
    api = Api(client, as_json)
    server = SERVERS.rows(runtime.store)[1]
    base = "192.0.2." + ("100" if as_json else "200")
    spec = {"BackupServerUid": _urn("BackupServer", server.id),
            "IpAddressLowerBound": f"{base}", "IpAddressUpperBound": "192.0.2.1"}
    api.refused(api.send("POST", "/api/cloud/publicIpAddresses",
                         "CloudPublicIpAddressCreateSpec", spec), "below")
    spec["IpAddressUpperBound"] = base[:-1] + "2"
    api.finish(api.send("POST", "/api/cloud/publicIpAddresses",
                        "CloudPublicIpAddressCreateSpec", spec))
    made = _query(api, "CloudPublicIpAddress", f"BackupServerUid=={spec['BackupServerUid']}")
    addresses = {m["IpAddress"]: m["Href"].split("?")[0] for m in made}
    assert {base, base[:-1] + "1", base[:-1] + "2"} <= set(addresses)
    api.refused(api.send("POST", "/api/cloud/publicIpAddresses",
                         "CloudPublicIpAddressCreateSpec", spec), "already")
    # Editing answers 204 and changes it at once.
    href = addresses[base]
    edited = api.send("PUT", href, "CloudPublicIpAddress", {"IpAddress": base[:-1] + "9"})
    assert edited.status_code == 204 and edited.content == b""
    assert api.get(href + "?format=Entity")["IpAddress"] == base[:-1] + "9"
    api.refused(api.send("PUT", href, "CloudPublicIpAddress", {"IpAddress": "300.1.1.1"}),
                "IPv4")
    held = next(ip for ip in PUBLIC_IPS.rows(runtime.store) if ip.tenant is not None)
    api.refused(api.delete(f"/api/cloud/publicIpAddresses/{held.id}"), "held by")
    api.finish(api.delete(href))
    assert client.get(href, headers=api.headers).status_code == 404


@FORMATS
def test_vlans(slow, as_json):
    client, runtime = slow
    api = Api(client, as_json)
    vlan = VLANS.rows(runtime.store)[0 if as_json else 1]
    href = f"/api/cloud/vlans/{vlan.id}"
    api.refused(api.send("PUT", href, "VlanConfiguration", {
        "VlanIdsWithInternetLeftBound": 150, "VlanIdsWithInternetRightBound": 160}), "overlap")
    api.refused(api.send("PUT", href, "VlanConfiguration", {
        "VlanIdsWithoutInternetLeftBound": 300, "VlanIdsWithoutInternetRightBound": 299}),
        "below")
    api.finish(api.send("PUT", href, "VlanConfiguration", {
        "VlanIdsWithInternetLeftBound": 10, "VlanIdsWithInternetRightBound": 20,
        "SwitchType": "DistributedVirtualSwitch"}),
        lambda: api.get(href + "?format=Entity")["VlanIdsWithInternetLeftBound"] == 100)
    entity = api.get(href + "?format=Entity")
    assert (entity["VlanIdsWithInternetLeftBound"], entity["VlanIdsWithInternetRightBound"],
            entity["SwitchType"]) == (10, 20, "DistributedVirtualSwitch")
    assert [link["Rel"] for link in entity["Links"]] == ["Up", "Alternate", "Edit", "Delete"]
    api.finish(api.delete(href))
    assert vlan.name not in _names(api, "/api/cloud/vlans")


@FORMATS
def test_failover_plans_edit_and_delete(slow, as_json):
    client, runtime = slow
    api = Api(client, as_json)
    running = {s.plan.id for s in SESSIONS.rows(runtime.store) if s.end_ms is None}
    idle = [p for p in PLANS.rows(runtime.store) if p.id not in running]
    plan = idle[0 if as_json else 1]
    href = f"/api/cloud/cloudFailoverPlans/{plan.id}"
    api.refused(api.send("PUT", href, "CloudFailoverPlan", {
        "PostFailoverPlanCommandEnabled": "true", "PostFailoverPlanCommand": ""}), "empty")
    api.finish(api.send("PUT", href, "CloudFailoverPlan", {
        "PostFailoverPlanCommandEnabled": "true",
        "PostFailoverPlanCommand": "C:\\Scripts\\after.cmd"}))
    options = api.get(href + "?format=Entity")["CloudFailoverPlanOptions"]
    assert options["PostFailoverPlanCommand"] == "C:\\Scripts\\after.cmd"
    assert options["PostFailoverPlanCommandEnabled"] is True
    busy = next(p for p in PLANS.rows(runtime.store) if p.id in running)
    api.refused(api.delete(f"/api/cloud/cloudFailoverPlans/{busy.id}"), "running")
    vm_names = {vm.name for vm in plan.vms}
    api.finish(api.delete(href))
    assert client.get(href, headers=api.headers).status_code == 404
    assert not [s for s in SESSIONS.rows(runtime.store) if s.plan is plan]
    assert not vm_names & {r.name for r in REPLICAS.rows(runtime.store)}
    assert plan.name not in [p["Name"] for p in _query(api, "CloudFailoverPlan",
                                                       "Name!=x")]


@FORMATS
def test_backup_resource_quota_edits(slow, as_json):
    client, runtime = slow
    api = Api(client, as_json)
    tenant = [t for t in TENANTS.rows(runtime.store) if t.resources][2 if as_json else 3]
    resource = tenant.resources[0]
    href = f"/api/cloud/tenants/{tenant.id}"
    item = {"DisplayName": resource.name, "Quota": resource.used_mb - 1}
    api.refused(api.send("PUT", href, "CloudTenant",
                         {"Resources": {"CloudTenantResource": [item]}}), "below what")
    api.refused(api.send("PUT", href, "CloudTenant", {"CloudTenantResource": {
        "DisplayName": "no such", "Quota": 10}}), "no backup resource")
    new = max([resource.used_mb] + [s.quota_mb for s in tenant.subtenants]) + 1024
    api.finish(api.send("PUT", href, "CloudTenant", {"CloudTenantResource": {
        "DisplayName": resource.name, "Quota": new}}), lambda: resource.quota_mb != new)
    quota = api.get(f"{href}/resources/{resource.id}")["RepositoryQuota"]
    assert quota["QuotaMb"] == new


@FORMATS
def test_vsphere_self_service(slow, as_json):
    client, runtime = slow
    api = Api(client, as_json)
    config = SELF_SERVICE.rows(runtime.store)[0]
    repo = config.repository
    account = f"EXAMPLE\\Team {'J' if as_json else 'X'}"
    api.refused(api.send("POST", "/api/selfService/vSphere/Configs",
                         "VSphereSelfServiceCreateSpec", {
                             "AccountName": account, "QuotaGb": 10,
                             "RepositoryUid": _urn("Repository", "0" * 8 + "-0000-0000-0000-"
                                                   + "0" * 12)}), "no repository")
    api.finish(api.send("POST", "/api/selfService/vSphere/Configs",
                        "VSphereSelfServiceCreateSpec", {
                            "AccountName": account, "AccountType": "Group", "QuotaGb": 10,
                            "RepositoryUid": _urn("Repository", repo.id),
                            "JobSchedulerType": "Partial"}))
    (made,) = [c for c in api.get("/api/selfService/vSphere/Configs?format=Entity")[
        "VSphereSelfServiceConfigs"] if c["Name"] == account]
    assert (made["QuotaGb"], made["JobSettings"]["JobSchedulerType"]) == (10, "Partial")
    href = made["Href"].split("?")[0]
    body = {"BackupServerUid": made["BackupServerUid"], "RepositoryUid": made["RepositoryUid"],
            "QuotaGb": 20, "Account": {"AccountName": account, "AccountType": "User"},
            "JobSettings": {"JobSchedulerType": "Random"}}
    api.finish(api.send("PUT", href, "VSphereSelfServiceConfig", body))
    edited = api.get(href + "?format=Entity")
    assert (edited["QuotaGb"], edited["Account"]["AccountType"]) == (20, "User")
    # The seeded configuration uses part of its quota: no edit may go below that.
    seeded = f"/api/selfService/vSphere/Configs/{config.id}"
    api.refused(api.send("PUT", seeded, "VSphereSelfServiceConfig", {
        **body, "QuotaGb": max(config.used_gb - 1, 0) or 0,
        "Account": {"AccountName": config.account_name, "AccountType": "Group"}}),
        "QuotaGb")
    api.finish(api.delete(href))
    assert account not in _names(api, "/api/selfService/vSphere/Configs")


@FORMATS
def test_vcloud_organization_configurations(slow, as_json):
    client, runtime = slow
    api = Api(client, as_json)
    hub = api.get("/api/vCloud")
    assert [link["Rel"] for link in hub["Links"]] == ["Up", "Down", "Down", "Create"]
    seeded = ORG_CONFIGS.rows(runtime.store)[0]
    server = seeded.backup_server
    host = next(m for m in MANAGED_SERVERS.rows(runtime.store)
                if m.backup_server is server and m.server_type == "VC")
    repo = next(r for r in REPOSITORIES.rows(runtime.store)
                if r.backup_server is server and r.capacity > 0)
    name = "OrgJ" if as_json else "OrgX"
    spec = {"OrganizationName": name, "BackupServerUid": _urn("BackupServer", server.id),
            "RepositoryUid": _urn("Repository", repo.id), "QuotaGb": 5,
            "JobSchedulerType": "Full", "HostUid": _urn("ManagedServer", host.id),
            "RepositoryFriendlyName": "Storage"}
    api.refused(api.send("POST", "/api/vCloud/orgConfigs", "VCloudOrganizationConfigCreateSpec",
                         {**spec, "OrganizationName": seeded.name.lower()}), "already exists")
    api.refused(api.send("POST", "/api/vCloud/orgConfigs", "VCloudOrganizationConfigCreateSpec",
                         {**spec, "JobSchedulerType": "Hourly"}), "JobSchedulerType")
    api.finish(api.send("POST", "/api/vCloud/orgConfigs", "VCloudOrganizationConfigCreateSpec",
                        spec), lambda: name not in _names(api, "/api/vCloud/orgConfigs"))
    (made,) = _query(api, "VCloudOrganizationConfig", f"Name=={name}")
    assert (made["QuotaGb"], made["IsDisabled"], made["RepositoryFriendlyName"]) == (
        5, False, "Storage")
    href = made["Href"].split("?")[0]
    settings_ = api.get(f"{href}/backupJobSettings")
    assert settings_["JobSchedulerType"] == "Full"
    edit = {"BackupServerUid": spec["BackupServerUid"], "RepositoryUid": spec["RepositoryUid"],
            "QuotaGb": 8, "IsDisabled": "false", "HostUid": spec["HostUid"],
            "RepositoryFriendlyName": "Renamed",
            "JobSettings": {"JobSchedulerType": "Disabled", "HighPriorityJob": "true"}}
    api.finish(api.send("PUT", href, "VCloudOrganizationConfig", edit))
    entity = api.get(href + "?format=Entity")
    assert (entity["QuotaGb"], entity["RepositoryFriendlyName"],
            entity["JobSettings"]["JobSchedulerType"]) == (8, "Renamed", "Disabled")
    api.refused(api.send("PUT", f"/api/vCloud/orgConfigs/{seeded.id}",
                         "VCloudOrganizationConfig", {**edit, "QuotaGb": 0}), "QuotaGb")
    if seeded.used_mb > 1024:
        api.refused(api.send("PUT", f"/api/vCloud/orgConfigs/{seeded.id}",
                             "VCloudOrganizationConfig",
                             {**edit, "QuotaGb": seeded.used_mb // 1024 - 1 or 1}),
                    "below what is already used")
    bad = client.post(f"{href}?action=enable", headers=api.headers)
    assert bad.status_code == 400
    api.finish(client.post(f"{href}?action=disable", headers=api.headers))
    assert _query(api, "VCloudOrganizationConfig", f"Name=={name}")[0]["IsDisabled"] is True
    api.finish(api.delete(href))
    assert name not in _names(api, "/api/vCloud/orgConfigs")


def test_vcloud_compute_resources_belong_to_vcd_tenants(instant):
    client, runtime, auth = instant
    tenant = TENANTS.rows(runtime.store)[0]
    base = f"/api/cloud/tenants/{tenant.id}/vCloudComputeResources"
    refused = client.post(base, headers=auth, json={
        "VirtualDataCenterRef": "urn:vCloud:Vdc:x", "UseNetworkFailoverResources": False})
    assert refused.status_code == 400 and "Standalone" in refused.json()["Message"]
    assert client.delete(f"{base}/nothing", headers=auth).status_code == 404


# --- hypothesis: create specs, valid and invalid ---------------------------------------


@pytest.fixture(scope="module")
def instant(_default_data_blob: bytes) -> Iterator[tuple[TestClient, Runtime, dict[str, str]]]:
    runtime = _runtime(_default_data_blob, 0)
    with TestClient(create_app(runtime=runtime), base_url="http://testserver") as c:
        yield c, runtime, {"X-RestSvcSessionId": logon(c), **JSON}


def _state(runtime: Runtime) -> list[Any]:
    return [sorted((g.name, g.network_mode, g.external_port) for g in GATEWAYS.rows(
                runtime.store)),
            sorted((p.name, tuple(g.id for g in p.gateways)) for p in GATEWAY_POOLS.rows(
                runtime.store)),
            sorted(ip.ip_address for ip in PUBLIC_IPS.rows(runtime.store)),
            sorted((c.name, c.quota_gb) for c in ORG_CONFIGS.rows(runtime.store))]


texts = st.one_of(st.text(max_size=10), st.sampled_from(["Org01", "a/b", " x", "vbr01 Gateway "
                                                                              "Pool"]))


@st.composite
def specs(draw: Any, runtime: Runtime) -> tuple[str, dict[str, Any]]:
    server = draw(st.sampled_from(SERVERS.rows(runtime.store)))
    server_uid = draw(st.sampled_from([_urn("BackupServer", server.id), "nope", None]))
    kind = draw(st.sampled_from(["gateways", "gatewayPools", "publicIpAddresses", "org"]))
    spec: dict[str, Any] = {}
    if server_uid is not None:
        spec["BackupServerUid"] = server_uid
    if kind == "gateways":
        spec |= {"ServerHostName": draw(texts),
                 "NetworkType": draw(st.sampled_from(["NAT", "Direct", "direct", "Tunnel"])),
                 "ExternalPort": draw(st.integers(-1, 70000))}
        return "/api/cloud/gateways", spec
    if kind == "gatewayPools":
        gateways = draw(st.lists(st.sampled_from(GATEWAYS.rows(runtime.store)), max_size=2))
        spec |= {"Name": draw(texts), "CloudGateways": {"CloudGatewayUid": [
            _urn("CloudGateway", g.id) for g in gateways]}}
        return "/api/cloud/gatewayPools", spec
    if kind == "publicIpAddresses":
        low = draw(st.integers(0, 300))
        spec |= {"IpAddressLowerBound": f"198.51.100.{low}",
                 "IpAddressUpperBound": f"198.51.100.{low + draw(st.integers(-2, 3))}"}
        return "/api/cloud/publicIpAddresses", spec
    repos = REPOSITORIES.rows(runtime.store)
    hosts = [m for m in MANAGED_SERVERS.rows(runtime.store) if m.server_type == "VC"]
    spec |= {"OrganizationName": draw(texts),
             "RepositoryUid": _urn("Repository", draw(st.sampled_from(repos)).id),
             "HostUid": _urn("ManagedServer", draw(st.sampled_from(hosts)).id),
             "QuotaGb": draw(st.one_of(st.integers(-1, 5000), st.just("lots"))),
             "JobSchedulerType": draw(st.sampled_from(["Full", "Random", "Weekly"])),
             "RepositoryFriendlyName": draw(st.sampled_from(["R", ""]))}
    return "/api/vCloud/orgConfigs", spec


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
@given(data=st.data())
def test_generated_specs_either_create_or_change_nothing(instant, data):
    client, runtime, headers = instant
    path, spec = data.draw(specs(runtime))
    before = _state(runtime)
    response = client.post(path, json=spec, headers=headers)
    assert response.status_code in (202, 400), response.text
    if response.status_code == 400:
        body = response.json()
        assert body["StatusCode"] == 400 and body["Message"]
        assert _state(runtime) == before
        return
    assert response.json()["State"] == "Finished"
    assert _state(runtime) != before
    related = next(link["Href"] for link in response.json()["Links"]
                   if link["Rel"] == "Related")
    if "publicIpAddresses" not in path:  # an address range is many items; the rest is one
        assert client.get(related, headers=headers).status_code == 200
        assert client.delete(related, headers=headers).status_code == 202
        assert _state(runtime) == before


# --- vCD and ActiveDirectory tenants ---------------------------------------------------


@FORMATS
def test_vcd_and_active_directory_tenants(slow, as_json):
    client, runtime = slow
    api = Api(client, as_json)
    server = SERVERS.rows(runtime.store)[2]
    repo = next(r for r in REPOSITORIES.rows(runtime.store)
                if r.backup_server is server and r.capacity > 0)
    suffix = "J" if as_json else "X"
    backup = {"Name": "Storage", "RepositoryUid": _urn("Repository", repo.id), "QuotaMb": 2048}
    vcd = {"Name": f"Vcd{suffix}", "BackupServerUID": _urn("BackupServer", server.id),
           "TenantType": "vCD", "OrganizationRef": "urn:vCloud:Org:vcd01.example.local.acme",
           "vCloudComputeResource": {"VirtualDataCenterRef": "urn:vCloud:Vdc:vcd01.acme-vdc1",
                                     "UseNetworkFailoverResources": "false"}}
    api.refused(api.send("POST", "/api/cloud/tenants", "CreateCloudTenantSpec",
                         {**vcd, "OrganizationRef": ""}), "OrganizationRef is required")
    api.refused(api.send("POST", "/api/cloud/tenants", "CreateCloudTenantSpec",
                         {**vcd, "TenantType": "Standalone"}), "only a vCD tenant")
    api.refused(api.send("POST", "/api/cloud/tenants", "CreateCloudTenantSpec",
                         {**vcd, "TenantType": "Cloudy"}), "TenantType")
    api.finish(api.send("POST", "/api/cloud/tenants", "CreateCloudTenantSpec", vcd))
    (tenant,) = _query(api, "CloudTenant", f"Name==Vcd{suffix}")
    assert tenant["TenantType"] == "vCD"
    (resource,) = tenant["VCloudComputeResources"]["CloudTenantVCloudComputeResources"]
    assert resource["VirtualDataCenterRef"] == "urn:vCloud:Vdc:vcd01.acme-vdc1"
    assert [r["Name"] for r in api.get(
        "/api/query?type=CloudTenant&filter=Type==vCD")["Refs"]["Refs"]] == [
        t.name for t in TENANTS.rows(runtime.store) if t.tenant_type == "vCD"]
    href = tenant["Href"].split("?")[0]
    spec = {"VirtualDataCenterRef": "urn:vCloud:Vdc:vcd01.acme-vdc2",
            "UseNetworkFailoverResources": "true"}
    api.refused(api.send("POST", f"{href}/vCloudComputeResources",
                         "CloudTenantVCloudComputeResourceCreateSpec",
                         {**spec, "VirtualDataCenterRef": "vdc2"}), "not a vCloud")
    api.finish(api.send("POST", f"{href}/vCloudComputeResources",
                        "CloudTenantVCloudComputeResourceCreateSpec", spec))
    listed = api.get(f"{href}/vCloudComputeResources")["CloudTenantVCloudComputeResources"]
    assert [v["VirtualDataCenterName"] for v in listed] == ["acme-vdc1", "acme-vdc2"]
    one = listed[1]["Href"]
    assert api.get(one)["UseNetworkFailoverResources"] is True
    api.finish(api.delete(one))
    assert client.get(one, headers=api.headers).status_code == 404

    # An ActiveDirectory tenant needs its domain.
    ad = {"Name": f"Ad{suffix}", "BackupServerUID": _urn("BackupServer", server.id),
          "TenantType": "ActiveDirectory", "BackupResource": backup}
    api.refused(api.send("POST", "/api/cloud/tenants", "CreateCloudTenantSpec", ad), "Domain")
    api.finish(api.send("POST", "/api/cloud/tenants", "CreateCloudTenantSpec", {
        **ad, "Domain": {"DomainName": "acme.example", "DomainAccount": "ACME\\veeam",
                         "Port": 636}}))
    (made,) = _query(api, "CloudTenant", f"Name==Ad{suffix}")
    assert made["TenantType"] == "ActiveDirectory"
    api.refused(api.send("POST", f"{made['Href'].split('?')[0]}/vCloudComputeResources",
                         "CloudTenantVCloudComputeResourceCreateSpec", spec), "vCD tenants")
    kinds = {t.name: (t.tenant_type, t.domain and t.domain.port)
             for t in TENANTS.rows(runtime.store) if t.name.endswith(suffix)}
    assert kinds == {f"Vcd{suffix}": ("vCD", None), f"Ad{suffix}": ("ActiveDirectory", 636)}


def test_writes_survive_export_and_load(instant):
    """After writes (a deleted plan, a new gateway, organization configuration, vCD and AD
    tenants), the state exports and loads back to the same bytes."""
    client, runtime, headers = instant
    server = SERVERS.rows(runtime.store)[0]
    org = ORG_CONFIGS.rows(runtime.store)[0]
    busy = {s.plan.id for s in SESSIONS.rows(runtime.store) if s.end_ms is None}
    plan = next(p for p in PLANS.rows(runtime.store) if p.id not in busy)
    repo = org.repository
    for path, body in [
        ("/api/cloud/tenants", {
            "Name": "VcdTrip", "BackupServerUID": server.id, "TenantType": "vCD",
            "OrganizationRef": "urn:vCloud:Org:vcd.trip",
            "vCloudComputeResource": {"VirtualDataCenterRef": "urn:vCloud:Vdc:vcd.trip1",
                                      "UseNetworkFailoverResources": True}}),
        ("/api/cloud/tenants", {
            "Name": "AdTrip", "BackupServerUID": org.backup_server.id,
            "TenantType": "ActiveDirectory",
            "Domain": {"DomainName": "trip.example", "DomainAccount": "TRIP\\a",
                       "Port": 389},
            "BackupResource": {"Name": "S", "RepositoryUid": repo.id, "QuotaMb": 10}}),
        ("/api/cloud/gateways", {"ServerHostName": "trip-gw", "NetworkType": "NAT",
                                 "BackupServerUid": server.id}),
        ("/api/vCloud/orgConfigs", {
            "OrganizationName": "OrgTrip", "BackupServerUid": org.backup_server.id,
            "RepositoryUid": repo.id, "HostUid": org.host_id, "QuotaGb": 1,
            "JobSchedulerType": "Random", "RepositoryFriendlyName": "Trip"})]:
        response = client.post(path, json=body, headers=headers)
        assert response.status_code == 202, response.text
    assert client.delete(f"/api/cloud/cloudFailoverPlans/{plan.id}",
                         headers=headers).status_code == 202
    first = client.get("/mock/state")
    assert first.status_code == 200
    state = first.json()
    # The seeded vCD tenant first, then the two made here.
    assert [t["TenantType"] for t in state["CloudTenantTypes"]] == ["vCD", "vCD",
                                                                     "ActiveDirectory"]
    assert "OrgTrip" in [c["Name"] for c in state["VCloudOrganizationConfigs"]]
    loaded = client.put("/mock/state", content=first.content,
                        headers={"Content-Type": "application/json"})
    assert loaded.status_code in (200, 204), loaded.text
    assert client.get("/mock/state").content == first.content
    vcd = next(t for t in TENANTS.rows(runtime.store) if t.name == "VcdTrip")
    assert [v.vdc_ref for v in vcd.vcloud] == ["urn:vCloud:Vdc:vcd.trip1"]


def _edited(runtime: Runtime) -> list[Any]:
    return [sorted((v.id, v.with_internet, v.without_internet, v.switch_type)
                   for v in VLANS.rows(runtime.store)),
            sorted((c.id, c.quota_gb, c.disabled, c.scheduler, c.repository_friendly_name)
                   for c in ORG_CONFIGS.rows(runtime.store)),
            sorted((g.id, g.network_mode, g.external_ip, g.external_port)
                   for g in GATEWAYS.rows(runtime.store))]


bounds = st.one_of(st.integers(-1, 4100), st.just("x"))


@st.composite
def edits(draw: Any, runtime: Runtime) -> tuple[str, dict[str, Any]]:
    kind = draw(st.sampled_from(["vlan", "org", "gateway"]))
    if kind == "vlan":
        vlan = draw(st.sampled_from(VLANS.rows(runtime.store)))
        body = {key: draw(bounds) for key in draw(st.lists(st.sampled_from([
            "VlanIdsWithInternetLeftBound", "VlanIdsWithInternetRightBound",
            "VlanIdsWithoutInternetLeftBound", "VlanIdsWithoutInternetRightBound"]),
            unique=True))}
        body["SwitchType"] = draw(st.sampled_from(["VirtualSwitch", "Hub"]))
        return f"/api/cloud/vlans/{vlan.id}", body
    if kind == "org":
        config = draw(st.sampled_from(ORG_CONFIGS.rows(runtime.store)))
        repo = draw(st.sampled_from([config.repository, *REPOSITORIES.rows(runtime.store)[:2]]))
        body = {"BackupServerUid": _urn("BackupServer", config.backup_server.id),
                "RepositoryUid": _urn("Repository", repo.id),
                "HostUid": _urn("ManagedServer", config.host_id),
                "QuotaGb": draw(st.one_of(st.integers(0, 3000), st.just("big"))),
                "IsDisabled": draw(st.sampled_from(["true", "false", "no"])),
                "RepositoryFriendlyName": draw(st.sampled_from(["Repo", ""])),
                "JobSettings": {"JobSchedulerType": draw(st.sampled_from(SCHEDULERS))}}
        return f"/api/vCloud/orgConfigs/{config.id}", body
    gateway = draw(st.sampled_from(GATEWAYS.rows(runtime.store)))
    body = {"NetworkMode": draw(st.sampled_from(["NAT", "Direct", "Bridge"])),
            "ExternalIP": draw(st.sampled_from(["203.0.113.99", "203.0.113.300", ""])),
            "ExternalPort": draw(st.integers(0, 70000))}
    return f"/api/cloud/gateways/{gateway.id}", body


SCHEDULERS = ("Full", "Partial", "Random", "Disabled", "Hourly")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
@given(data=st.data())
def test_generated_edits_either_apply_or_change_nothing(instant, data):
    client, runtime, headers = instant
    path, body = data.draw(edits(runtime))
    before = _edited(runtime)
    response = client.put(path, json=body, headers=headers)
    assert response.status_code in (202, 400), response.text
    if response.status_code == 400:
        assert response.json()["StatusCode"] == 400 and response.json()["Message"]
        assert _edited(runtime) == before
        return
    assert response.json()["State"] == "Finished"
    entity = client.get(f"{path}?format=Entity", headers=headers).json()
    for key, value in body.items():
        if isinstance(value, (int, str)) and key in entity and key != "IsDisabled":
            assert str(entity[key]) == str(value), key
