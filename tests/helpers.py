"""Small helpers the tests share: logging on and reading EM documents."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from lxml import etree

NS = "http://www.veeam.com/ent/v1.0"
Q = "{" + NS + "}"
USER, PASSWORD = "veeam", "veeam"
JSON = {"Accept": "application/json"}
# JSON captured from real Enterprise Manager 12 and 13 servers (MIT-licensed data).
SAMPLES = Path(__file__).resolve().parent / "data" / "em-json-samples"


def basic(user: str = USER, password: str = PASSWORD) -> str:
    """A Basic ``Authorization`` header value."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def logon(client: Any, user: str = USER, password: str = PASSWORD) -> str:
    """Log on through ``client`` (httpx or TestClient) and return the session token."""
    response = client.post("/api/sessionMngr/?v=latest",
                           headers={"Authorization": basic(user, password)})
    assert response.status_code == 201, response.text
    token: str = response.headers["X-RestSvcSessionId"]
    client.cookies.clear()
    return token


def xml(body: bytes) -> etree._Element:
    """Parse an EM XML document (entities off, as any client should)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(body, parser)


def error_of(response: Any) -> dict[str, Any]:
    """The ``Error`` of a response in either format, as a dict."""
    if "json" in response.headers["content-type"]:
        data: dict[str, Any] = response.json()
        return data
    root = xml(response.content)
    assert root.tag == Q + "Error"
    return {"Message": root.get("Message"), "StatusCode": int(root.get("StatusCode"))}


def fetch_of(client: Any, asked: list[str] | None = None) -> Any:
    """A capture ``Fetch`` over an in-process ``client``, logged on as the default user;
    every path it is asked for is added to ``asked`` when given."""
    from em_mock.core.capture import Answer

    token = logon(client)

    def fetch(path: str, accept: str) -> Answer:
        if asked is not None:
            asked.append(path)
        response = client.get("/api/" + path,
                              headers={"X-RestSvcSessionId": token, "Accept": accept})
        return Answer(response.status_code, response.headers.get("content-type", ""),
                      response.content)

    return fetch
