"""The tenant lifecycle against a live server, in XML and in JSON: create with resources,
edit, disable, query, add and remove resources and subtenants, delete; every change shows
only once its task has finished on the mock's clock. Hypothesis sends tenant specs, valid
and invalid, and checks that an invalid one is a 400 that changes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from em_mock import Settings, create_app
from em_mock.core.runtime import Runtime
from em_mock.families.cloud.model import HARDWARE_PLANS, TENANTS
from em_mock.families.infrastructure.model import REPOSITORIES, SERVERS
from tests.conftest import EPOCH_MS, LiveServer
from tests.helpers import JSON, NS, Q, error_of, logon, xml

DELAY_S = 5


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    live = LiveServer("--frozen-clock", "--task-delay", str(DELAY_S))
    yield live
    live.stop()


def _xml_body(root: str, fields: dict[str, Any]) -> bytes:
    def render(value: dict[str, Any]) -> str:
        return "".join(f"<{k}>{render(v) if isinstance(v, dict) else v}</{k}>"
                       for k, v in value.items())
    return f'<{root} xmlns="{NS}">{render(fields)}</{root}>'.encode()


class Api:
    """A logged-on client speaking one format, with the clock control at hand."""

    def __init__(self, client: httpx.Client, as_json: bool) -> None:
        self.client, self.as_json = client, as_json
        self.headers = {"X-RestSvcSessionId": logon(client), **(JSON if as_json else {})}

    def send(self, method: str, path: str, root: str, fields: dict[str, Any]) -> httpx.Response:
        if self.as_json:
            body, kind = json.dumps(fields).encode(), "application/json"
        else:
            body, kind = _xml_body(root, fields), "application/xml"
        return self.client.request(method, path, content=body,
                                   headers={**self.headers, "Content-Type": kind})

    def get(self, path: str) -> httpx.Response:
        return self.client.get(path, headers=self.headers)

    def field(self, response: httpx.Response, name: str) -> Any:
        if self.as_json:
            return response.json()[name]
        return xml(response.content).findtext(Q + name)

    def finish(self, task: httpx.Response) -> None:
        """Check the task runs, move the clock past its delay, check it finished."""
        assert task.status_code == 202, task.text
        assert self.field(task, "State") == "Running"
        href = (task.json()["Href"] if self.as_json else xml(task.content).get("Href"))
        self.client.post("/mock/clock", json={"action": "advance", "seconds": DELAY_S})
        done = self.client.get(href, headers=self.headers)
        assert self.field(done, "State") == "Finished"


def _ids(api: Api, path: str) -> list[str]:
    response = api.get(path)
    if api.as_json:
        return [r["UID"] for r in response.json()["Refs"]]
    return [r.get("UID") for r in xml(response.content)]


@pytest.mark.parametrize("as_json", [False, True], ids=["xml", "json"])
def test_tenant_lifecycle(server, as_json):
    with httpx.Client(base_url=server.url, timeout=10) as client:
        api = Api(client, as_json)
        servers = client.get("/api/backupServers", headers={**api.headers, **JSON}).json()
        server_uid = servers["Refs"][0]["UID"]
        server_id = server_uid.split(":")[3]
        repos = client.get(f"/api/backupServers/{server_id}/repositories?format=Entity",
                           headers={**api.headers, **JSON}).json()["Repositories"]
        repo_uid = next(r["UID"] for r in repos if r["Capacity"] > 0)
        plans = client.get("/api/query?type=CloudHardwarePlan&filter=BackupServerUid=="
                           + server_uid, headers={**api.headers, **JSON}).json()
        plan_uid = plans["Refs"]["Refs"][0]["UID"]
        name = "Lifecycle" + ("Json" if as_json else "Xml")
        before = _ids(api, "/api/cloud/tenants")

        task = api.send("POST", "/api/cloud/tenants", "CreateCloudTenantSpec", {
            "Name": name, "Description": "made by a test", "Password": "s3cret",
            "Enabled": "true", "BackupServerUID": server_uid,
            "BackupResource": {"Name": "Storage", "RepositoryUid": repo_uid, "QuotaMb": 10240},
            "ComputeResource": {"CloudHardwarePlanUid": plan_uid, "PlatformType": "VMware",
                                "UseNetworkFailoverResources": "false"}})
        assert _ids(api, "/api/cloud/tenants") == before  # not before the task finishes
        api.finish(task)
        found = client.get(f"/api/query?type=CloudTenant&format=Entities&filter=Name=={name}",
                           headers={**api.headers, **JSON}).json()
        (tenant,) = found["Entities"]["CloudTenants"]["CloudTenants"]
        assert tenant["Enabled"] is True and tenant["Description"] == "made by a test"
        assert tenant["Links"][0]["Name"] == servers["Refs"][0]["Name"]
        (quota,) = tenant["Resources"]["CloudTenantResources"]
        assert (quota["Quota"], quota["UsedQuota"], quota["RepositoryUid"]) == (10240, 0,
                                                                                 repo_uid)
        assert tenant["ComputeResources"]["CloudTenantComputeResources"][0][
            "CloudHardwarePlanUid"] == plan_uid
        tenant_path = f"/api/cloud/tenants/{tenant['UID'].split(':')[3]}"
        assert tenant["UID"] in _ids(api, "/api/cloud/tenants")
        hw_tenants = client.get(f"/api/cloud/hardwarePlans/{plan_uid.split(':')[3]}/tenants",
                                headers={**api.headers, **JSON}).json()["CloudTenants"]
        assert name in [t["Name"] for t in hw_tenants]

        # A duplicate name is refused at once, and nothing changes.
        again = api.send("POST", "/api/cloud/tenants", "CreateCloudTenantSpec", {
            "Name": name.upper(), "BackupServerUID": server_uid,
            "BackupResource": {"Name": "S", "RepositoryUid": repo_uid, "QuotaMb": 1}})
        assert again.status_code == 400 and "already exists" in error_of(again)["Message"]

        # Disable it and reset its password.
        api.finish(api.send("PUT", tenant_path, "CloudTenant",
                            {"Enabled": "false", "Password": "n3w"}))
        disabled = client.get(f"/api/query?type=CloudTenant&filter=Enabled==false;Name=={name}",
                              headers={**api.headers, **JSON}).json()["Refs"]["Refs"]
        assert [r["Name"] for r in disabled] == [name]
        assert api.field(api.get(tenant_path + "?format=Entity"), "Password") in (None, "")

        # A subtenant: its quota cannot exceed the resource's.
        resource_id = quota_id(api, tenant_path)
        too_big = api.send("POST", f"{tenant_path}/subtenants", "CloudSubtenantCreateSpec", {
            "Name": "user1", "Password": "p", "TenantResourceId": resource_id,
            "UnlimitedQuota": "false", "QuotaMb": 20480})
        assert too_big.status_code == 400 and "more than" in error_of(too_big)["Message"]
        api.finish(api.send("POST", f"{tenant_path}/subtenants", "CloudSubtenantCreateSpec", {
            "Name": "user1", "Password": "p", "TenantResourceId": resource_id,
            "UnlimitedQuota": "false", "QuotaMb": 2048}))
        subs = client.get(f"/api/query?type=CloudSubtenant&filter=CloudTenantName=={name}",
                          headers={**api.headers, **JSON}).json()["Refs"]["Refs"]
        assert [s["Name"] for s in subs] == ["user1"]
        busy = api.client.delete(f"{tenant_path}/resources/{resource_id}", headers=api.headers)
        assert busy.status_code == 400
        api.finish(api.client.delete(subs[0]["Href"], headers=api.headers))

        # A second backup resource, then it goes again.
        api.finish(api.send("POST", f"{tenant_path}/resources", "CreateCloudTenantResourceSpec",
                            {"Name": "More", "RepositoryUid": repo_uid, "QuotaMb": 512}))
        resources = client.get(f"{tenant_path}/resources", headers={**api.headers, **JSON}
                               ).json()["CloudTenantResources"]
        assert [r["RepositoryQuota"]["DisplayName"] for r in resources] == ["Storage", "More"]
        api.finish(api.client.delete(resources[1]["Href"], headers=api.headers))
        assert len(client.get(f"{tenant_path}/resources", headers={**api.headers, **JSON}
                              ).json()["CloudTenantResources"]) == 1

        # Deleted: gone from the collection, the query and its item.
        api.finish(api.client.delete(tenant_path, headers=api.headers))
        assert tenant["UID"] not in _ids(api, "/api/cloud/tenants")
        assert api.get(tenant_path).status_code == 404
        assert _ids(api, "/api/cloud/tenants") == before


def quota_id(api: Api, tenant_path: str) -> str:
    body = api.client.get(f"{tenant_path}/resources", headers={**api.headers, **JSON}).json()
    return str(body["CloudTenantResources"][0]["Id"])


def test_a_tenant_with_failover_plans_cannot_be_deleted(client, auth, runtime):
    tenant = next(t for t in TENANTS.rows(runtime.store) if t.plans)
    response = client.delete(f"/api/cloud/tenants/{tenant.id}", headers=auth)
    assert response.status_code == 400
    assert "failover plans" in xml(response.content).get("Message")


# --- hypothesis: specs valid and invalid ------------------------------------------------


@pytest.fixture(scope="module")
def instant() -> Iterator[tuple[TestClient, Runtime, dict[str, str]]]:
    runtime = Runtime.create(Settings(epoch=EPOCH_MS, frozen_clock=True, task_delay=0))
    with TestClient(create_app(runtime=runtime), base_url="http://testserver") as c:
        yield c, runtime, {"X-RestSvcSessionId": logon(c), **JSON}


def _state(runtime: Runtime) -> list[tuple[Any, ...]]:
    return [(t.id, t.name, t.enabled, [(r.name, r.quota_mb) for r in t.resources],
             [c.plan.id for c in t.compute]) for t in TENANTS.rows(runtime.store)]


names = st.one_of(st.text(min_size=0, max_size=12), st.sampled_from(["Tenant01", "tenant02",
                                                                      " padded", "a/b"]))
quotas = st.one_of(st.integers(-5, 30_000_000), st.just("ten"))


@st.composite
def tenant_specs(draw: Any, runtime: Runtime) -> dict[str, Any]:
    servers = SERVERS.rows(runtime.store)
    server = draw(st.sampled_from(servers))
    repos = [r for r in REPOSITORIES.rows(runtime.store)]
    plans = HARDWARE_PLANS.rows(runtime.store)
    spec: dict[str, Any] = {"Name": draw(names)}
    if draw(st.booleans()):
        spec["BackupServerUID"] = draw(st.sampled_from(
            [f"urn:veeam:BackupServer:{server.id}", server.id, "nope",
             "urn:veeam:BackupServer:00000000-0000-0000-0000-000000000000"]))
    if draw(st.booleans()):
        spec["BackupResource"] = {"Name": draw(names),
                                  "RepositoryUid": f"urn:veeam:Repository:"
                                                   f"{draw(st.sampled_from(repos)).id}",
                                  "QuotaMb": draw(quotas)}
    if draw(st.booleans()):
        spec["ComputeResource"] = {
            "CloudHardwarePlanUid": f"urn:veeam:CloudHardwarePlan:"
                                    f"{draw(st.sampled_from(plans)).id}",
            "PlatformType": draw(st.sampled_from(["VMware", "HyperV", "Xen"]))}
    if draw(st.booleans()):
        spec["Enabled"] = draw(st.sampled_from([True, False, "maybe"]))
    return spec


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
@given(data=st.data())
def test_generated_tenant_specs_either_create_or_change_nothing(instant, data):
    client, runtime, headers = instant
    spec = data.draw(tenant_specs(runtime))
    before = _state(runtime)
    response = client.post("/api/cloud/tenants", json=spec, headers=headers)
    assert response.status_code in (202, 400), response.text
    if response.status_code == 400:
        body = response.json()
        assert body["StatusCode"] == 400 and body["Message"]
        assert _state(runtime) == before
        return
    created = [t for t in TENANTS.rows(runtime.store) if t.name == spec["Name"]]
    assert len(created) == 1 and len(_state(runtime)) == len(before) + 1
    tenant = created[0]
    assert tenant.backup_server is not None
    for resource in tenant.resources:
        assert resource.repository.backup_server is tenant.backup_server
        assert resource.quota_mb > 0
    assert tenant.resources or tenant.compute
    client.delete(f"/api/cloud/tenants/{tenant.id}", headers=headers)
    assert _state(runtime) == before
