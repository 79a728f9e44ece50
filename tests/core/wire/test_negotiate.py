"""Content negotiation and the rendered response: format, media type, header spelling."""

from __future__ import annotations

import json

import pytest

from em_mock.core.wire.negotiate import render, wants_json
from em_mock.core.wire.tree import Layer, Node
from tests.helpers import Q, basic, xml

JSON_ACCEPTS = [
    "application/json",
    "APPLICATION/JSON",
    "Application/Json",
    "application/json; charset=utf-8",
    "application/xml, application/json",
    "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8",
    "*/*, application/json;q=0.1",
    "text/plain; q=0.5, Application/JSON; q=0.2",
]

XML_ACCEPTS = [
    None,
    "",
    "*/*",
    "application/xml",
    "APPLICATION/XML",
    "text/html",
    "text/xml",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "application/*",
    "text/plain",
]


@pytest.mark.parametrize("accept", JSON_ACCEPTS)
def test_json_when_accept_mentions_application_json_anywhere(accept):
    assert wants_json(accept) is True


@pytest.mark.parametrize("accept", XML_ACCEPTS)
def test_xml_otherwise(accept):
    assert wants_json(accept) is False


NODE = Node("Thing", [Layer(attrs=[("Name", "a&b"), ("Enabled", True)],
                            elems=[("Description", None)])])


def _raw_names(response) -> list[str]:
    return [k.decode("latin-1") for k, _ in response.raw_headers]


def _header(response, name: str) -> str:
    """A header as the ASGI server sends it (raw list, any case)."""
    values = [v.decode("latin-1") for k, v in response.raw_headers
              if k.decode("latin-1").lower() == name.lower()]
    assert len(values) == 1, (name, response.raw_headers)
    return values[0]


def test_render_xml():
    response = render(NODE, json=False)
    assert response.status_code == 200
    assert response.media_type.startswith("application/xml")
    content_type = _header(response, "Content-Type")
    assert content_type.split(";")[0].strip() == "application/xml"
    assert int(_header(response, "Content-Length")) == len(response.body)
    root = xml(response.body)
    assert root.tag == Q + "Thing"
    assert root.get("Name") == "a&b"


def test_render_json():
    response = render(NODE, json=True)
    content_type = _header(response, "Content-Type")
    assert content_type.split(";")[0].strip() == "application/json"
    assert json.loads(response.body) == {"Description": None, "Name": "a&b", "Enabled": True}


def test_render_status_and_extra_headers():
    response = render(NODE, json=False, status=201,
                      headers={"Location": "http://h/api/x", "X-RestSvcSessionId": "abc"})
    assert response.status_code == 201
    assert _header(response, "Location") == "http://h/api/x"
    assert _header(response, "X-RestSvcSessionId") == "abc"


def test_responses_leave_with_header_names_in_the_vendor_spelling(client):
    response = client.post("/api/sessionMngr/?v=latest", headers={"Authorization": basic()})
    names = [k.decode() for k, _ in response.headers.raw]
    for name in ("Content-Type", "Content-Length", "Location", "X-RestSvcSessionId",
                 "Set-Cookie"):
        assert name in names, names
    denied = client.post("/api/sessionMngr/?v=latest")
    assert "WWW-Authenticate" in [k.decode() for k, _ in denied.headers.raw]


def test_render_bom_only_when_asked():
    assert not render(NODE, json=True).body.startswith(b"\xef\xbb\xbf")
    body = render(NODE, json=True, bom=True).body
    assert body.startswith(b"\xef\xbb\xbf")
    assert json.loads(body.decode("utf-8-sig"))["Name"] == "a&b"


def test_render_camel_profile_converts_json_only():
    data = json.loads(render(NODE, json=True, camel=True).body)
    assert list(data) == ["description", "name", "enabled"]
    root = xml(render(NODE, json=False, camel=True).body)
    assert root.get("Name") == "a&b"
