"""Recorded answers: verbatim answers for ``GET`` paths em-mock does not model.

A recorded answer is a path below ``/api`` (with its query string) and, for each format
it was captured in (XML, JSON), the status, the content type and the body bytes. It is
served only where em-mock itself would answer 404 because no route models the path (see
``core.http.recorded``). Answers live in the data set (table ``recorded_answers``), so
the fixture section ``RecordedAnswers``, ``GET``/``PUT /mock/state``, reset and export
carry them like any other data.

Matching: the path is compared the way EM routes (any case, runs of ``/`` as one, no
trailing ``/``); the query string is compared as a set of parameters: names in any case,
in any order, values exactly (after URL decoding).

Links: a body captured from ``https://em.example:9398`` names that base URL in its
Hrefs. ``BaseUrl`` records it beside the body, and every occurrence of it in the body
is replaced by the serving base URL when the answer is served.

Hand-written answers: a directory (``--recorded DIR``, or ``recorded/`` in the fixture
directory or beside the fixture file) of ``*.xml`` and ``*.json`` files, each one format
of one answer: a request line ``GET /api/<path>``, header lines (``Status``,
``Content-Type``, ``Base-Url``, all optional), an empty line, then the body verbatim.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode

from em_mock.core.capture import Walk
from em_mock.core.fixtures import Documents, Section, register_sections
from em_mock.core.tables import DataSet, Table
from em_mock.core.validate import FixtureError, Reader, Source, TimeWriter, items

__all__ = ["RECORDED", "SECTION", "Capture", "RecordedAnswer", "answer_key", "from_json",
           "load_directory", "merge", "read_answer", "rewrite", "to_json"]

SECTION = "RecordedAnswers"
XML_TYPE = "application/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"
FORMATS = {"Xml": XML_TYPE, "Json": JSON_TYPE}
_KEYS = ("Path", "BaseUrl", "Xml", "Json")
_CAPTURE_KEYS = ("Status", "ContentType", "Body", "BodyBase64")
_SLASHES = re.compile(r"/{2,}")
_BASE = re.compile(r"^(https?://[A-Za-z0-9.\-]+(?::\d{1,5})?|https?://\[[0-9A-Fa-f:.]+\]"
                   r"(?::\d{1,5})?)(?:/api)?/?$")
_HEADER_VALUE = re.compile(r"^[\x20-\x7e]*$")
_PATH = re.compile(r"^/[\x21-\x7e]*$")


@dataclass(frozen=True, slots=True)
class Capture:
    """One format of a recorded answer: what the server sent."""

    status: int
    content_type: str
    body: bytes


@dataclass(frozen=True, slots=True)
class RecordedAnswer:
    """A recorded ``GET`` answer: ``path`` is relative to ``/api`` (``/a/b?x=1``)."""

    path: str
    base_url: str | None
    xml: Capture | None
    json: Capture | None

    @property
    def key(self) -> str:
        """What requests are matched by (see :func:`answer_key`)."""
        return answer_key(self.path)

    def pick(self, wants_json: bool) -> Capture:
        """The format asked for when it was captured, else the one there is."""
        first, other = (self.json, self.xml) if wants_json else (self.xml, self.json)
        capture = first or other
        assert capture is not None  # every answer has at least one format
        return capture


RECORDED: Table[RecordedAnswer] = Table("recorded_answers")


def answer_key(path_and_query: str) -> str:
    """``path?query`` (relative to ``/api``) as requests are matched: the path decoded, in
    lower case, with runs of ``/`` as one and no trailing ``/``; the query's parameters decoded,
    names in lower case, sorted by name (repeated names keep their order)."""
    path, _, query = path_and_query.partition("?")
    path = _SLASHES.sub("/", unquote(path)).lower().rstrip("/")
    pairs = sorted(((k.lower(), v) for k, v in parse_qsl(query, keep_blank_values=True)),
                   key=lambda pair: pair[0])
    return path + ("?" + urlencode(pairs) if pairs else "")


def rewrite(body: bytes, recorded_base: str | None, serving_base: str) -> bytes:
    """``body`` with the base URL it was recorded from replaced by ``serving_base``."""
    if not recorded_base or recorded_base == serving_base:
        return body
    return body.replace(recorded_base.encode(), serving_base.encode())


def _base_url(reader: Reader, src: Source) -> str | None:
    raw = reader.value(src, "BaseUrl", str, nullable=True)
    if raw is None:
        return None
    match = _BASE.match(raw)
    if not match:
        reader.error(src, "BaseUrl", f"{raw!r} is not a base URL such as "
                     "https://em.example:9398 (scheme, host, optional port, optional /api)")
        return None
    return match.group(1)


def _capture(reader: Reader, src: Source, key: str) -> Capture | None:
    raw = reader.value(src, key, dict, nullable=True)
    if raw is None:
        return None
    sub = Source(src.file, f"{src.path}.{key}", raw)
    reader.unknown_keys(sub, _CAPTURE_KEYS)
    status = reader.value(sub, "Status", int, default=200)
    if not 200 <= status <= 599:
        reader.error(sub, "Status", f"{status} is not an HTTP status from 200 to 599")
    kind = reader.value(sub, "ContentType", str, default=FORMATS[key])
    if not kind or not _HEADER_VALUE.match(kind):
        reader.error(sub, "ContentType", "must be a non-empty header value of printable "
                     "ASCII characters")
    text = reader.value(sub, "Body", str)
    encoded = reader.value(sub, "BodyBase64", str)
    if ("Body" in raw) == ("BodyBase64" in raw):
        reader.error(sub, None, "needs exactly one of Body (text) and BodyBase64 (bytes)")
        return None
    if text is None and encoded is None:
        return None
    if text is not None:
        body = text.encode("utf-8", "surrogatepass")
    else:
        try:
            body = base64.b64decode(encoded, validate=True)
        except ValueError:
            reader.error(sub, "BodyBase64", "is not valid base64")
            return None
    if status in (204, 304) and body:
        reader.error(sub, "Body", f"must be empty with status {status}")
    return Capture(status, kind, body)


def read_answer(reader: Reader, src: Source) -> RecordedAnswer | None:
    """One recorded answer in the fixture format, or ``None`` (with errors) if invalid."""
    before = len(reader.errors)
    reader.unknown_keys(src, _KEYS)
    path = reader.value(src, "Path", str, required=True)
    if path is not None:
        if not _PATH.match(path):
            reader.error(src, "Path", f"{path[:80]!r} is not a path relative to /api: it "
                         "starts with / and holds printable ASCII only (percent-encode "
                         "the rest), e.g. /reports/summary?x=1")
        elif answer_key(path).split("?", 1)[0] == "/api" or \
                answer_key(path).startswith("/api/"):
            reader.error(src, "Path", f"{path!r} must be relative to /api: write /x for "
                         "/api/x")
        elif "#" in path:
            reader.error(src, "Path", "must not hold a fragment (#)")
    base = _base_url(reader, src)
    xml = _capture(reader, src, "Xml")
    json = _capture(reader, src, "Json")
    if xml is None and json is None and len(reader.errors) == before:
        reader.error(src, None, "needs Xml, Json or both (the answer in each format)")
    if len(reader.errors) != before or path is None:
        return None
    return RecordedAnswer(path, base, xml, json)


def _capture_json(capture: Capture) -> dict[str, Any]:
    out: dict[str, Any] = {"Status": capture.status, "ContentType": capture.content_type}
    try:
        out["Body"] = capture.body.decode("utf-8")
    except UnicodeDecodeError:
        out["BodyBase64"] = base64.b64encode(capture.body).decode("ascii")
    return out


def to_json(answer: RecordedAnswer) -> dict[str, Any]:
    """The answer in the fixture format."""
    out: dict[str, Any] = {"Path": answer.path}
    if answer.base_url is not None:
        out["BaseUrl"] = answer.base_url
    if answer.xml is not None:
        out["Xml"] = _capture_json(answer.xml)
    if answer.json is not None:
        out["Json"] = _capture_json(answer.json)
    return out


def from_json(item: Any, label: str = "request body") -> RecordedAnswer:
    """One answer in the fixture format, or :class:`FixtureError` with every reason."""
    reader = Reader()
    src = Source(label, "$", item)
    if not isinstance(item, dict):
        raise FixtureError([f"{label}: $: must be a JSON object"])
    answer = read_answer(reader, src)
    if answer is None:
        raise FixtureError(reader.errors)
    return answer


def merge(reader: Reader, data: DataSet, answers: Iterable[tuple[str, RecordedAnswer]]
          ) -> None:
    """Add ``answers`` (each with where it was written) to ``data``; two for one request
    are an error."""
    table = RECORDED.of(data)
    where = {key: "the fixture data" for key in table}
    for label, answer in answers:
        key = answer.key
        if key in table:
            reader.errors.append(f"{label}: a second recorded answer for GET /api"
                                 f"{answer.path} (first at {where[key]})")
            continue
        table[key] = answer
        where[key] = label


def _read(reader: Reader, docs: Documents, data: DataSet) -> None:
    found = []
    for src in items(reader, docs, SECTION):
        answer = read_answer(reader, src)
        if answer is not None:
            found.append((f"{src.file}: {src.path}", answer))
    merge(reader, data, found)


def _write(data: DataSet, _: TimeWriter) -> list[dict[str, Any]]:
    return [to_json(answer) for answer in RECORDED.of(data).values()]


def _format_of(content_type: str, asked: str) -> str:
    kind = content_type.lower()
    return "Json" if "json" in kind else "Xml" if "xml" in kind else asked


# Answers worth replaying: what a client can use (not a failure of the moment, not the
# logon check, not a path the server does not know either).
_NOT_RECORDED = frozenset({401, 404})


def capture(walk: Walk) -> list[dict[str, Any]]:
    """``RecordedAnswers``: each of ``walk.record_paths`` in every format the server
    gives, verbatim, with its status and the base URL its links name."""
    out = []
    for path in walk.record_paths:
        found: dict[str, Capture] = {}
        for fmt, media in (("Xml", "application/xml"), ("Json", "application/json")):
            answer = walk.fetch(path.lstrip("/"), media)
            if answer.status >= 500 or answer.status in _NOT_RECORDED:
                walk.skip(f"GET /api{path} ({fmt})", f"the server answered {answer.status}")
                continue
            if answer.status in (204, 304):
                answer = type(answer)(answer.status, answer.content_type, b"")
            found.setdefault(_format_of(answer.content_type, fmt),
                             Capture(answer.status, answer.content_type or FORMATS[fmt],
                                     answer.body))
        if found:
            out.append(to_json(RecordedAnswer(path, walk.base_url, found.get("Xml"),
                                              found.get("Json"))))
    return out


register_sections(Section(SECTION, 900, _read, _write, capture=capture))


# -- hand-written answers: one file per format -------------------------------------------

_EXTENSIONS = {".xml": "Xml", ".json": "Json"}
_HEADERS = {"status": "Status", "content-type": "ContentType", "base-url": "BaseUrl"}


def _parse_file(file: Path, raw: bytes, errors: list[str]) -> tuple[str, dict[str, Any]] | None:
    """``(path, item)`` of one hand-written file: the fixture item with one format."""
    # The header ends at the first empty line, whichever line ends the file uses.
    ends = [(at, len(mark)) for mark in (b"\n\n", b"\r\n\r\n")
            if (at := raw.find(mark)) >= 0]
    if not ends:
        errors.append(f"{file}: no empty line between the header and the body")
        return None
    at, width = min(ends)
    head, body = raw[:at], raw[at + width:]
    try:
        lines = head.decode("utf-8").replace("\r\n", "\n").split("\n")
    except UnicodeDecodeError:
        errors.append(f"{file}: the header is not UTF-8 text")
        return None
    request = lines[0].split()
    if len(request) != 2 or request[0] != "GET" or not request[1].lower().startswith("/api/"):
        errors.append(f"{file}: line 1: must be GET /api/<path>, not {lines[0][:80]!r}")
        return None
    path = request[1][4:]
    fmt = _EXTENSIONS[file.suffix.lower()]
    capture: dict[str, Any] = {}
    item: dict[str, Any] = {"Path": path, fmt: capture}
    for number, line in enumerate(lines[1:], start=2):
        name, colon, value = line.partition(":")
        key = _HEADERS.get(name.strip().lower())
        if not colon or key is None:
            errors.append(f"{file}: line {number}: not a header Status, Content-Type or "
                          f"Base-Url: {line[:80]!r}")
            return None
        value = value.strip()
        if key == "Status":
            if not value.isdigit():
                errors.append(f"{file}: line {number}: Status must be a number")
                return None
            capture["Status"] = int(value)
        elif key == "ContentType":
            capture["ContentType"] = value
        else:
            item["BaseUrl"] = value
    try:
        capture["Body"] = body.decode("utf-8")
    except UnicodeDecodeError:
        capture["BodyBase64"] = base64.b64encode(body).decode("ascii")
    return path, item


def load_directory(directory: Path, data: DataSet) -> None:
    """Add the hand-written answers in ``directory`` (``*.xml``, ``*.json``; other files
    are left alone) to ``data``; :class:`FixtureError` lists every problem."""
    if not directory.is_dir():
        raise FixtureError([f"{directory}: no such directory of recorded answers"])
    errors: list[str] = []
    merged: dict[str, tuple[str, dict[str, Any]]] = {}
    for file in sorted(directory.iterdir()):
        if file.suffix.lower() not in _EXTENSIONS or not file.is_file() or \
                file.name.startswith("."):
            continue
        try:
            raw = file.read_bytes()
        except OSError as exc:
            errors.append(f"{file}: cannot be read: {exc}")
            continue
        parsed = _parse_file(file, raw, errors)
        if parsed is None:
            continue
        path, item = parsed
        fmt = _EXTENSIONS[file.suffix.lower()]
        key = answer_key(path)
        if key not in merged:
            merged[key] = (str(file), item)
            continue
        first, known = merged[key]
        if fmt in known:
            errors.append(f"{file}: a second {fmt.upper()} answer for GET /api{path} "
                          f"(first in {first})")
        elif "BaseUrl" in item and known.setdefault("BaseUrl", item["BaseUrl"]) != \
                item["BaseUrl"]:
            errors.append(f"{file}: Base-Url differs from the one in {first}")
        else:
            known[fmt] = item[fmt]
    reader = Reader(errors)
    answers = []
    for label, item in merged.values():
        answer = read_answer(reader, Source(label, "$", item))
        if answer is not None:
            answers.append((label, answer))
    merge(reader, data, answers)
    if reader.errors:
        raise FixtureError(reader.errors)
