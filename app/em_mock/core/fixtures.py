"""Fixture files: the JSON format the data set is loaded from and exported to.

A fixture document is an object with a ``Format``, an optional ``Anchor`` and the
sections the families declare (see the README for every key). A directory of ``*.json``
files is read in name order as one document, so sections may be split across files.
Every file is validated in full before anything is served; errors name the file, the
JSON path and the reason.

When the document has an ``Anchor`` instant, every time in it is shifted by
``clock - Anchor`` at load (the clock's start at start-up, its current time for
``PUT /mock/state``), so the data keeps its age relative to the mock's clock. An export
writes the clock's current time as ``Anchor``, in the frame of the data's source, so
export, load and export again gives the same bytes. Without ``Anchor`` the times are
served as written.

Each family declares its sections as :class:`Section` objects: how to read one into the
data set and write it out, and where it stands. Sections are read and written in rank
order, so a section can refer to the items of any section ranked before it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from em_mock.core.capture import Walk
from em_mock.core.tables import DataSet
from em_mock.core.times import parse_instant_ms
from em_mock.core.validate import FixtureError, Reader, TimeWriter, time_writer

__all__ = ["FORMAT", "SECTIONS", "FixtureError", "Section", "dumps", "load_documents",
           "load_path", "register_sections", "section_names", "to_document"]

FORMAT = "em-mock-fixture/1"
Documents = list[tuple[str, Any]]


@dataclass(frozen=True, slots=True)
class Section:
    """One top-level section of the fixture format: ``read`` adds its items to the data
    set, ``write`` lists them, writing every time with the ``TimeWriter`` it is given.

    ``control`` names the section's items in the control API (``/mock/data/<name>``)
    with their type, for the sections that can be edited one item at a time.

    ``capture`` reads the section's items back from a live server (``em-mock capture``):
    given a :class:`~em_mock.core.capture.Walk`, it returns the items as ``write`` writes
    them, times as the server wrote them. ``capture_omits`` names the item keys no answer
    of the API shows, which a capture therefore cannot read back (it writes defaults).
    """

    name: str
    rank: int
    read: Callable[[Reader, Documents, DataSet], None]
    write: Callable[[DataSet, TimeWriter], list[dict[str, Any]]]
    control: tuple[str, str] | None = None
    capture: Callable[[Walk], list[dict[str, Any]]] | None = None
    capture_omits: tuple[str, ...] = ()


SECTIONS: list[Section] = []


def register_sections(*sections: Section) -> None:
    """Add ``sections`` to the fixture format, in rank order."""
    for section in sections:
        if section.name in section_names():
            raise ValueError(f"fixture section {section.name} is declared twice")
        SECTIONS.append(section)
    SECTIONS.sort(key=lambda section: section.rank)


def section_names() -> tuple[str, ...]:
    """The sections' names, in the order they are read and written."""
    return tuple(section.name for section in SECTIONS)


def _documents(path: Path) -> list[tuple[str, Any]]:
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files:
        raise FixtureError([f"{path}: no *.json fixture files in this directory"])
    documents = []
    errors = []
    for file in files:
        try:
            doc = json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            errors.append(f"{file}: no such file")
            continue
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(f"{file}: cannot be read: {exc}")
            continue
        except json.JSONDecodeError as exc:
            errors.append(f"{file}: $: not valid JSON: {exc.msg} at line {exc.lineno} "
                          f"column {exc.colno}")
            continue
        documents.append((str(file), doc))
    if errors:
        raise FixtureError(errors)
    return documents


def load_documents(documents: list[tuple[str, Any]], clock_start_ms: int) -> DataSet:
    """Validate parsed fixture documents and build the data set (all errors at once).

    ``clock_start_ms`` is the instant an ``Anchor`` stands for.
    """
    reader = Reader()
    names = section_names()
    anchors = set()
    for file, doc in documents:
        if not isinstance(doc, dict):
            reader.errors.append(f"{file}: $: must be a JSON object")
            continue
        for key in doc:
            if key not in (*names, "Format", "Anchor"):
                reader.errors.append(f"{file}: $.{key}: unknown section "
                                     f"(known: Format, Anchor, {', '.join(names)})")
        if doc.get("Format", FORMAT) != FORMAT:
            reader.errors.append(f"{file}: $.Format: {doc['Format']!r} is not {FORMAT!r}")
        if "Anchor" in doc:
            anchor = parse_instant_ms(doc["Anchor"]) if isinstance(doc["Anchor"], str) else None
            if anchor is None:
                reader.errors.append(f"{file}: $.Anchor: must be a UTC date-time")
            else:
                anchors.add(anchor)
    if len(anchors) > 1:
        reader.errors.append("fixture files name different Anchor instants; use one")
    documents = [(f, d) for f, d in documents if isinstance(d, dict)]
    data = DataSet()
    if anchors and not reader.errors:
        data.source_anchor_ms = anchors.pop()
        reader.shift_ms = clock_start_ms - data.source_anchor_ms
        data.anchor_ms = clock_start_ms
    for section in SECTIONS:
        section.read(reader, documents, data)
    if reader.errors:
        raise FixtureError(reader.errors)
    return data


def load_path(path: Path, clock_start_ms: int) -> DataSet:
    """Load a fixture file or a directory of them."""
    return load_documents(_documents(path), clock_start_ms)


def to_document(data: DataSet, now_ms: int | None = None, *, served: bool = False
                ) -> dict[str, Any]:
    """The fixture document for ``data`` with the mock's clock at ``now_ms``.

    ``Anchor`` stands for ``now_ms`` (default: the instant the data was anchored at), so
    the data comes back as old as it is at ``now_ms``. Times are written in the frame of
    the data's source (the file it was loaded from; one fixed frame for generated data),
    so the same data exports the same bytes at any clock; with ``served`` they are
    written as the API serves them instead.
    """
    time = time_writer(0 if served else data.frame_shift_ms)
    doc: dict[str, Any] = {"Format": FORMAT}
    if data.anchor_ms is not None:
        doc["Anchor"] = time(data.anchor_ms if now_ms is None else now_ms)
    for section in SECTIONS:
        doc[section.name] = section.write(data, time)
    return doc


def dumps(data: DataSet, now_ms: int | None = None) -> str:
    """The fixture file text for ``data`` (stable: export, load, export is byte-identical)."""
    return json.dumps(to_document(data, now_ms), indent=1, ensure_ascii=False) + "\n"
