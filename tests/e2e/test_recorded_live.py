"""Recorded answers from a hand-written directory, served by a real em-mock process."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, LiveServer

XML = (b'<Custom xmlns="http://www.veeam.com/ent/v1.0" '
       b'Href="https://em.example:9398/api/custom/report?format=Entity"/>')
JSON = b'{"Href":"https://em.example:9398/api/custom/report?format=Entity"}'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    where: Path = tmp_path_factory.mktemp("recorded-live")
    shutil.copy(ROOT / "examples" / "small-fixture.json", where / "data.json")
    (where / "recorded").mkdir()
    (where / "recorded" / "report.xml").write_bytes(
        b"GET /api/custom/report?format=Entity\nBase-Url: https://em.example:9398/api/\n\n"
        + XML)
    (where / "recorded" / "report.json").write_bytes(
        b"GET /api/custom/report?format=Entity\nStatus: 200\n\n" + JSON)
    live = LiveServer("--fixtures", str(where / "data.json"), "--no-https")
    yield live
    live.stop()


def test_a_live_server_serves_recorded_answers_in_both_formats(server):
    with httpx.Client(base_url=server.url, timeout=10) as client:
        url = "/api/custom/report?format=Entity"
        assert client.get(url).status_code == 401
        token = client.post("/api/sessionMngr/?v=latest", auth=("veeam", "veeam")
                            ).headers["X-RestSvcSessionId"]
        auth = {"X-RestSvcSessionId": token}
        xml = client.get(url, headers=auth)
        js = client.get(url, headers={**auth, "Accept": "application/json"})
        link = f"{server.url}/api/custom/report?format=Entity".encode()
        assert (xml.status_code, xml.content) == (200, XML.replace(
            b"https://em.example:9398/api/custom/report?format=Entity", link))
        assert js.json() == {"Href": link.decode()}
        assert js.headers["Content-Type"] == "application/json; charset=utf-8"
        listed = client.get("/mock/recorded").json()
        assert [(a["Path"], sorted(k for k in ("Xml", "Json") if k in a)) for a in listed] \
            == [("/custom/report?format=Entity", ["Json", "Xml"])]
        assert client.delete("/mock/recorded", params={"path": listed[0]["Path"]}
                             ).status_code == 204
        assert client.get(url, headers=auth).status_code == 404
