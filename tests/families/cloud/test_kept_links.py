"""A failover task's link to its replica point is kept for the next session that links
the same point (``kept_link``), keyed on everything the link shows: a point whose name or
time changes, another base URL or another profile never gets a kept link of before."""

from __future__ import annotations

from dataclasses import replace

from em_mock.core.runtime import Runtime
from em_mock.core.wire.documents import Ctx
from em_mock.core.wire.json import to_json
from em_mock.core.wire.xml import to_xml_fragment
from em_mock.families.cloud.model import SESSIONS
from em_mock.families.cloud.shapes import CLOUD_FAILOVER_SESSION
from em_mock.settings import Settings


def _point_links(session: object, ctx: Ctx) -> list[bytes]:
    body = to_xml_fragment(CLOUD_FAILOVER_SESSION.entity(session, ctx))
    return [part.split(b"/>")[0] for part in body.split(b"<VmReplicaPointLink ")[1:]]


def test_a_kept_point_link_follows_the_point_the_url_and_the_profile() -> None:
    rt = Runtime.create(Settings(sessions=40, seed=3, frozen_clock=True))
    sessions = [s for s in SESSIONS.of(rt.store.data).values() if s.tasks]
    session = sessions[0]
    task = session.tasks[0]
    point = task.replica_point
    assert point is not None
    ctx = Ctx("http://a:9399")
    first = _point_links(session, ctx)[0]
    assert b'Name="' + point.vm_name.encode() + b"@" in first

    task.replica_point = replace(point, vm_name="renamed-vm", creation_ms=point.creation_ms + 1000)
    moved = _point_links(session, ctx)[0]
    assert b'Name="renamed-vm@' in moved and moved != first

    other_base = _point_links(session, Ctx("https://b:9398"))[0]
    assert b"https://b:9398/api/cloud/vmReplicaPoints/" in other_base
    v13 = to_json(CLOUD_FAILOVER_SESSION.entity(session, Ctx("http://a:9399", 13)), camel=True)
    assert b"renamed-vm@" in v13 and _point_links(session, ctx)[0] == moved
