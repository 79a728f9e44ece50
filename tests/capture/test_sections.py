"""Every fixture section that declares ``capture`` reads its items back from a server's
answers exactly: the captured sections, loaded in place of the exported ones, export the
same bytes. Both profiles (EM 12 PascalCase, EM 13 camelCase JSON), the default data and a
generated set of other sizes and seed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from em_mock.core.capture import Walk
from em_mock.core.fixtures import SECTIONS, FixtureError, Section, load_documents, to_document
from em_mock.core.runtime import Runtime
from em_mock.factory import create_app
from em_mock.settings import Settings
from tests.conftest import EPOCH_MS
from tests.helpers import fetch_of

CAPTURED = [s for s in SECTIONS if s.capture is not None]
SETS = {
    "default-em12": Settings(epoch=EPOCH_MS, frozen_clock=True),
    "generated-em13": Settings(epoch=EPOCH_MS, frozen_clock=True, em_version=13, seed=7,
                               backup_servers=2, failover_plans=5, sessions=300),
}


@dataclass
class RoundTrip:
    """One data set served, every section captured from it, and the whole captured
    document loaded back (None when it does not load: then each section is loaded alone,
    in place of the exported one, so the failure names its section)."""

    now: int
    exported: dict[str, Any]
    captured: dict[str, list[dict[str, Any]]]
    skipped: dict[str, list[tuple[str, str]]]
    reloaded: dict[str, Any] | None


@pytest.fixture(scope="module", params=sorted(SETS))
def round_trip(request: pytest.FixtureRequest) -> RoundTrip:
    runtime = Runtime.create(SETS[request.param])
    now = runtime.clock.now_ms()
    exported = to_document(runtime.store.data, now, served=True)
    captured, skipped = {}, {}
    with TestClient(create_app(runtime=runtime), base_url="http://testserver") as client:
        fetch = fetch_of(client)
        for section in CAPTURED:
            assert section.capture is not None
            walk = Walk(fetch, page_size=250)
            captured[section.name] = section.capture(walk)
            skipped[section.name] = walk.skipped
    try:
        reloaded: dict[str, Any] | None = to_document(
            load_documents([("captured", dict(exported, **captured))], now), now, served=True)
    except FixtureError:
        reloaded = None
    return RoundTrip(now, exported, captured, skipped, reloaded)


def _section_bytes(doc: dict[str, Any], section: Section) -> str:
    """The section's items, without the keys it declares no answer shows."""
    items = [{k: v for k, v in item.items() if k not in section.capture_omits}
             if isinstance(item, dict) else item for item in doc[section.name]]
    return json.dumps(items, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("section", CAPTURED, ids=lambda s: s.name)
def test_captured_section_loads_back_to_the_same_data(round_trip: RoundTrip,
                                                      section: Section) -> None:
    assert round_trip.skipped[section.name] == []
    reloaded = round_trip.reloaded
    if reloaded is None:
        doc = dict(round_trip.exported, **{section.name: round_trip.captured[section.name]})
        reloaded = to_document(load_documents([("captured", doc)], round_trip.now),
                               round_trip.now, served=True)
    assert _section_bytes(reloaded, section) == _section_bytes(round_trip.exported, section)


def test_every_section_declares_its_capture():
    """A capture of a server holds all the data em-mock serves: a new section says how to
    read itself back (or names what no answer shows in ``capture_omits``)."""
    assert [s.name for s in SECTIONS if s.capture is None] == []
