"""``em-mock capture`` against real servers: em-mock A (non-default seed and sizes, a
recorded answer of its own) is captured by the command, em-mock C serves the capture, and
what a client reads from both is compared byte for byte (apart from the base URL)."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from em_mock.core.fixtures import SECTIONS, load_documents, to_document
from em_mock.core.registry import QUERY_TYPES
from em_mock.core.times import parse_instant_ms
from tests.capture.live import RECORDED_PATH, capture, control, crawl, fault, write_recorded
from tests.conftest import ROOT, LiveServer

A_ARGS = ("--seed", "5", "--backup-servers", "2", "--failover-plans", "3", "--sessions", "40",
          "--frozen-clock", "--no-https")
@pytest.fixture(scope="module")
def where(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the captures go (A's recorded answers are elsewhere: a fixture file's
    neighbour ``recorded/`` would be served too)."""
    return tmp_path_factory.mktemp("capture-live")


@pytest.fixture(scope="module")
def server_a(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    recorded = tmp_path_factory.mktemp("a-recorded")
    write_recorded(recorded)
    live = LiveServer(*A_ARGS, "--recorded", str(recorded))
    yield live
    live.stop()


@pytest.fixture(scope="module")
def captured(server_a: LiveServer, where: Path) -> tuple[Path, str]:
    out = where / "a.json"
    status, err = capture(server_a, out, "--concurrency", "2", "--since", "all")
    assert status == 0, err
    return out, err


@pytest.fixture(scope="module")
def server_c(captured: tuple[Path, str]) -> Iterator[LiveServer]:
    live = LiveServer("--fixtures", str(captured[0]), "--frozen-clock", "--no-https")
    yield live
    live.stop()


def test_the_summary_says_what_was_captured(captured, server_a):
    _, err = captured
    with control(server_a) as mock:
        servers = len(mock.get("/data/backupServers").json())
    assert f"BackupServers: {servers}" in err
    assert "recorded answers (paths em-mock does not model): 1" in err
    assert "em-mock cannot capture" not in err
    doc = json.loads(captured[0].read_text(encoding="utf-8"))
    assert doc["Anchor"] == "2026-06-15T12:00:00.000Z"  # A's Date: its mock clock


def test_no_state_is_left_after_a_clean_capture(captured):
    out, _ = captured
    assert not out.with_name(out.name + ".state").exists()


def _strings(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, key)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, k)


_VOCABULARY = re.compile(r"^[A-Z][A-Za-z]*$|^\d+(\.\d+)*$|^\d{4}-\d\d-\d\dT[\d:.]+Z?$")
_FREE = re.compile(r"(Name|Description|Path|Hint|Username)$")
_ENUM_KEY = re.compile(r"(Type|Kind|Platform)$")


def test_anonymize_keeps_structure_and_counts_and_no_original_string(server_a, captured,
                                                                      where):
    plain = json.loads(captured[0].read_text(encoding="utf-8"))
    out = where / "anon.json"
    status, err = capture(server_a, out, "--anonymize", "--since", "all")
    assert status == 0, err
    text = out.read_text(encoding="utf-8")
    anon = json.loads(text)
    assert list(anon) == list(plain)
    for name, items in plain.items():
        if isinstance(items, list):
            assert len(anon[name]) == len(items), name
            assert [list(i) for i in anon[name]] == [list(i) for i in items], name
    originals = set()
    for key, value in _strings({k: v for k, v in plain.items()
                                if k not in ("Format", "Anchor", "RecordedAnswers")}):
        if _ENUM_KEY.search(key) and re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", value):
            continue  # the API's vocabulary
        if _FREE.search(key) or not _VOCABULARY.match(value):
            originals.add(value)
    originals |= {"Weekly secret", "127.0.0.1"}
    for guid in re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                           captured[0].read_text(encoding="utf-8")):
        originals.add(guid)
    left = sorted(s for s in originals if len(s) > 2 and s in text)
    assert left == []
    # The command loads what it wrote (exit status 1 otherwise): em-mock serves it.
    assert "does not load" not in err


def test_faults_on_a_are_reported_as_skipped(server_a, where):
    with fault(server_a, action="error", path="/api/query", type="Repository", status=503):
        status, err = capture(server_a, where / "faulty.json", "--retries", "1")
    assert status == 0, err
    assert "query?type=Repository" in err and "answered 503" in err
    assert "Repositories: 0" in err
    # What named a repository it could not read is left out and said, so the file loads.
    assert "left out: no repository has the UID" in err
    assert "does not load" not in err
    assert (where / "faulty.json.state").is_dir()  # kept: a second run retries the failures


def test_an_expired_session_is_opened_again(server_a, where):
    with fault(server_a, action="error", path="/api/query", type="BackupServer", status=401,
               count=1) as mock:
        mock.delete("/requests")
        status, err = capture(server_a, where / "relogon.json", "--no-record")
        logons = mock.get("/requests", params={"method": "POST"}).json()
    assert status == 0, err
    assert "BackupServers: 2" in err and "answered 401" not in err
    assert len([e for e in logons if "sessionmngr" in e["path"].lower()]) == 2


def test_a_slow_server_is_reported_as_skipped(server_a, where):
    with fault(server_a, action="latency", path="/api/query", type="WanAccelerator",
               latencyMs=3000):
        status, err = capture(server_a, where / "slow.json", "--retries", "0",
                              "--timeout", "0.5", "--no-record")
    assert status == 0, err
    assert "query?type=WanAccelerator" in err and "no answer" in err
    assert "WanAccelerators: 0" in err
    assert "BackupServers: 2" in err


# Every answer a client reaches: the entry point, the logon links, every link from there,
# every query type, and A's own recorded answer.
ALL_STARTS = ["/", RECORDED_PATH, *(f"/query?type={t.name}&format=Entities&pageSize=2"
                                    for t in QUERY_TYPES.values())]


@pytest.mark.parametrize("as_json", [False, True], ids=["xml", "json"])
def test_c_serves_every_answer_a_serves(server_a, server_c, as_json):
    a = crawl(server_a, as_json, ALL_STARTS, per_shape=1)
    c = crawl(server_c, as_json, ALL_STARTS, per_shape=1)
    assert len(a) > 100
    assert {url: answer for url, answer in c.items() if url in a} == a
    assert a["/api" + RECORDED_PATH][0] == 200
    assert b"Weekly secret" in a["/api" + RECORDED_PATH][2]


def _gets(server: LiveServer) -> list[str]:
    with control(server) as mock:
        return [f"{e['path']}?{e['query']}" for e in mock.get("/requests").json()
                if e["method"] == "GET"]


def test_an_interrupted_capture_goes_on_where_it_stopped(server_a, where):
    with control(server_a) as mock:
        mock.delete("/requests")
        # One request at a time: two sections that read the same answer at once would
        # both fetch it, and the count would depend on the race.
        status, err = capture(server_a, where / "full.json", "--no-record", "--concurrency", "1")
        assert status == 0, err
        full = len(_gets(server_a))
        mock.delete("/requests")
    out = where / "resumed.json"
    state = where / "resumed.json.state" / "answers"
    proc = subprocess.Popen(
        [sys.executable, "-m", "em_mock", "capture", "--from", server_a.url, "--user", "veeam",
         "--password", "veeam", "--rate", "15", "--concurrency", "1", "--no-record",
         "--out", str(out)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    deadline = time.monotonic() + 60
    while (not state.is_dir() or len(list(state.iterdir())) < 6) and \
            time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, first_err = proc.communicate(timeout=30)
    assert proc.returncode == 130, first_err
    assert "run the same command again" in first_err
    assert not out.exists()
    kept = len([f for f in state.iterdir() if not f.name.endswith(".tmp")])
    assert 6 <= kept < full
    with control(server_a) as mock:
        mock.delete("/requests")
    status, err = capture(server_a, out, "--no-record", "--concurrency", "1")
    assert status == 0, err
    assert len(_gets(server_a)) == full - kept
    assert out.read_text(encoding="utf-8") == (where / "full.json").read_text(encoding="utf-8")


def test_a_capture_of_an_em13_server(tmp_path):
    a13 = LiveServer("--em-version", "13", "--seed", "9", "--backup-servers", "1",
                     "--failover-plans", "2", "--sessions", "20", "--frozen-clock",
                     "--no-https")
    try:
        status, err = capture(a13, tmp_path / "a13.json", "--no-record", "--since", "all")
        with control(a13) as mock:
            served = mock.get("/state").json()
    finally:
        a13.stop()
    assert status == 0, err
    assert "speaks EM 13 (camelCase JSON)" in err
    doc = json.loads((tmp_path / "a13.json").read_text(encoding="utf-8"))
    assert doc["Anchor"] == served["Anchor"]
    # Loaded as C would load it (readers put sessions in their order), the capture holds
    # every item A serves, but for the keys no answer shows.
    now = parse_instant_ms(doc["Anchor"])
    assert now is not None
    reloaded = to_document(load_documents([("a13", doc)], now), now, served=True)
    for section in SECTIONS:
        omit = set(section.capture_omits)
        assert [{k: v for k, v in i.items() if k not in omit} for i in reloaded[section.name]] \
            == [{k: v for k, v in i.items() if k not in omit}
                for i in served[section.name]], section.name
