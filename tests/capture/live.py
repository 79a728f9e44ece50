"""Helpers of the live capture tests: run the capture command, crawl a server."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import re
from collections import Counter, deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from em_mock.cli import main
from tests.conftest import LiveServer
from tests.helpers import JSON

GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ACTION_RELS = ("Delete", "Create", "Start", "Test", "Undo", "Edit")
POST_ONLY = re.compile(r"/(start|stop|retry|togglescheduleenabled)$", re.IGNORECASE)
# The logon session's own answers name a session of their own on each server.
PRIVATE = re.compile(r"/(logonSessions|sessionMngr)", re.IGNORECASE)
RECORDED_PATH = "/customReport?scope=all"
# A path segment with a digit in it names one item (a catalog VM, a session's number).
_SEGMENT = re.compile(r"/(?=[^/?]*\d)[^/?{}]+(?=/|$|\?)")


def write_recorded(directory: Path) -> None:
    """A recorded answer of A's own (both formats), in A's recorded directory."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "report.xml").write_bytes(
        f"GET /api{RECORDED_PATH}\nBase-Url: https://em.example:9398\n\n".encode()
        + b'<CustomReport Name="Weekly secret" Href="https://em.example:9398/api'
        + RECORDED_PATH.encode() + b'"/>')
    (directory / "report.json").write_bytes(
        f"GET /api{RECORDED_PATH}\nStatus: 200\nBase-Url: https://em.example:9398\n\n"
        .encode() + b'{"Name":"Weekly secret","Href":"https://em.example:9398/api'
        + RECORDED_PATH.encode() + b'"}')


def capture(server: LiveServer, out: Path, *args: str) -> tuple[int, str]:
    """Run ``em-mock capture`` (the real command, in this process) against ``server``;
    its exit status and what it wrote on standard error."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status = main(["capture", "--from", server.url, "--user", "veeam", "--password",
                       "veeam", "--rate", "0", "--out", str(out), *args])
    return status, err.getvalue()


@contextlib.contextmanager
def fault(server: LiveServer, **rule: Any) -> Iterator[httpx.Client]:
    """A fault rule on ``server`` for the length of the block (all rules removed after);
    yields a client of its control API."""
    with control(server) as mock:
        created = mock.post("/faults", json=rule)
        assert created.status_code == 201, created.text
        try:
            yield mock
        finally:
            mock.delete("/faults")


def control(server: LiveServer) -> httpx.Client:
    """A client of the server's control API."""
    return httpx.Client(base_url=server.url + "/mock", timeout=30)


def logon(client: httpx.Client, as_json: bool) -> tuple[dict[str, str], list[str]]:
    """Headers of a fresh logon session, in the format asked for, and the links of the
    logon's answer."""
    accept = JSON if as_json else {"Accept": "application/xml"}
    response = client.post("/api/sessionMngr/?v=latest", auth=("veeam", "veeam"),
                           headers=accept)
    assert response.status_code == 201, response.text
    client.cookies.clear()
    return ({"X-RestSvcSessionId": response.headers["X-RestSvcSessionId"], **accept},
            _hrefs(response.content, as_json))


def _hrefs(body: bytes, as_json: bool) -> list[str]:
    found: list[str] = []
    if as_json:
        def walk(value: Any) -> None:
            if isinstance(value, dict):
                href = value.get("Href")
                if isinstance(href, str) and value.get("Rel") not in ACTION_RELS:
                    found.append(href)
                for item in value.values():
                    walk(item)
            elif isinstance(value, list):
                for item in value:
                    walk(item)
        walk(json.loads(body))
    else:
        for rel, href in re.findall(rb'<Link[^>]*?Rel="([^"]*)"[^>]*?Href="([^"]*)"', body) + \
                [(b"", h) for h in re.findall(rb'<\w+ Href="([^"]*)"', body)]:
            if rel.decode() not in ACTION_RELS:
                found.append(href.decode().replace("&amp;", "&"))
    return [h for h in found if not POST_ONLY.search(h)]


def crawl(server: LiveServer, as_json: bool, starts: list[str], per_shape: int = 2
          ) -> dict[str, tuple[int, str, bytes]]:
    """Every answer a crawl from ``starts`` (paths below /api) reaches, following the
    links of each answer (at most ``per_shape`` URLs of one shape), with the server's
    base URL written as ``BASE`` and the crawl's logon session as ``SESSION``."""
    base = server.url
    out: dict[str, tuple[int, str, bytes]] = {}
    with httpx.Client(base_url=base, timeout=30) as client:
        headers, logon_links = logon(client, as_json)
        session = base64.b64decode(headers["X-RestSvcSessionId"])
        queue = deque(f"{base}/api{p}" for p in starts)
        if "/" in starts:
            queue.extend(logon_links)
        shapes: Counter[str] = Counter()
        while queue:
            url = queue.popleft()
            rel = url[len(base):] if url.startswith(base) else None
            shape = _SEGMENT.sub("/{x}", GUID.sub("{id}", url.split("&page=")[0]))
            if rel is None or rel in out or PRIVATE.search(rel) or shapes[shape] >= per_shape:
                continue
            shapes[shape] += 1
            response = client.get(rel, headers=headers)
            body = response.content.replace(base.encode(), b"BASE").replace(session, b"SESSION")
            out[rel] = (response.status_code, response.headers.get("content-type", ""), body)
            if response.status_code == 200 and ("json" in out[rel][1]) == as_json:
                with_links = _hrefs(response.content, as_json)
                queue.extend(h for h in with_links if h not in out)
    return out
