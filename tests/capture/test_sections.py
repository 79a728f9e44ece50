"""Every fixture section that declares ``capture`` reads its items back from a server's
answers exactly: the captured section, loaded in place of the exported one, exports the
same bytes. Both profiles (EM 12 PascalCase, EM 13 camelCase JSON), the default data and a
generated set of other sizes and seed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from em_mock.core.capture import Walk
from em_mock.core.fixtures import SECTIONS, Section, load_documents, to_document
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


@pytest.fixture(scope="module", params=sorted(SETS))
def served(request: pytest.FixtureRequest) -> Iterator[tuple[Runtime, Walk]]:
    """A server on one data set, and a walk over its answers."""
    runtime = Runtime.create(SETS[request.param])
    with TestClient(create_app(runtime=runtime), base_url="http://testserver") as client:
        fetch = fetch_of(client)

        yield runtime, Walk(fetch, page_size=250)


def _section_bytes(doc: dict[str, Any], section: Section) -> str:
    """The section's items, without the keys it declares no answer shows."""
    items = [{k: v for k, v in item.items() if k not in section.capture_omits}
             if isinstance(item, dict) else item for item in doc[section.name]]
    return json.dumps(items, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("section", CAPTURED, ids=lambda s: s.name)
def test_captured_section_loads_back_to_the_same_data(served: tuple[Runtime, Walk],
                                                      section: Section) -> None:
    runtime, walk = served
    now = runtime.clock.now_ms()
    exported = to_document(runtime.store.data, now, served=True)
    assert section.capture is not None
    captured = section.capture(walk)
    assert walk.skipped == []
    doc = dict(exported, **{section.name: captured})
    reloaded = to_document(load_documents([("captured", doc)], now), now, served=True)
    assert _section_bytes(reloaded, section) == _section_bytes(exported, section)


def test_every_section_declares_its_capture():
    """A capture of a server holds all the data em-mock serves: a new section says how to
    read itself back (or names what no answer shows in ``capture_omits``)."""
    assert [s.name for s in SECTIONS if s.capture is None] == []
