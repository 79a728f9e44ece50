"""The NAS fixture sections: they load what they write, and bad items are named."""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

import pytest

from em_mock.core.fixtures import FixtureError, load_documents, to_document
from em_mock.core.runtime import default_fixture_path
from em_mock.core.times import parse_instant_ms
from em_mock.families.jobs.model import JOB_SESSIONS
from em_mock.families.nas.model import FILE_SERVERS, NAS_JOBS, NAS_OBJECTS

KEPT = ("Anchor", "BackupServers", "Repositories", "ManagedServers", "Credentials",
        "NasFileServers", "NasJobs", "NasJobSessions")


@cache
def _small_text() -> str:
    doc = json.loads(default_fixture_path().read_text(encoding="utf-8"))
    return json.dumps({key: doc[key] for key in KEPT if key in doc})


def _small() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(_small_text())
    return doc


def _load(doc: dict[str, Any]):
    anchor = parse_instant_ms(doc["Anchor"])
    assert anchor is not None
    return load_documents([("nas.json", copy.deepcopy(doc))], anchor)


def test_nas_sections_load_and_write_the_same_items():
    doc = _small()
    data = _load(doc)
    assert len(FILE_SERVERS.of(data)) == len(doc["NasFileServers"]) == 15
    assert len(NAS_JOBS.of(data)) == len(doc["NasJobs"]) == 6
    assert len(NAS_OBJECTS.of(data)) == sum(len(j["Includes"]) for j in doc["NasJobs"])
    sessions = list(JOB_SESSIONS.of(data).values())
    assert len(sessions) == len(doc["NasJobSessions"])
    assert [s.creation_ms for s in sessions] == sorted(s.creation_ms for s in sessions)
    written = to_document(data)
    for section in ("NasFileServers", "NasJobs", "NasJobSessions"):
        assert written[section] == doc[section], section
    job = next(iter(NAS_JOBS.of(data).values()))
    assert [vm.name for vm in job.vms] == [o.path for o in job.includes]


def _errors(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(FixtureError) as info:
        _load(doc)
    return info.value.errors


def test_an_include_of_an_unknown_file_server_is_named():
    doc = _small()
    unknown = "urn:veeam:FileServer:0badbeef-0000-4000-8000-00000000dead"
    doc["NasJobs"][0]["Includes"][1]["FileServerUid"] = unknown
    assert _errors(doc) == [
        "nas.json: $.NasJobs[0].Includes[1].FileServerUid: no file server has the UID "
        "0badbeef-0000-4000-8000-00000000dead"]


def test_bad_file_server_fields_are_named():
    doc = _small()
    doc["NasFileServers"][2]["ServerType"] = "CifsServer"
    doc["NasFileServers"][3]["ManagedServerUid"] = (
        "urn:veeam:ManagedServer:0badbeef-0000-4000-8000-00000000dead")
    errors = _errors(doc)
    assert errors[0].startswith("nas.json: $.NasFileServers[2].ServerType: 'CifsServer' "
                                "is not one of FileServer, SmbServer, NfsServer")
    assert errors[1].startswith("nas.json: $.NasFileServers[3].ManagedServerUid: no managed")


def test_a_session_of_a_job_that_is_not_a_nas_job_is_named():
    doc = _small()
    doc["NasJobSessions"][0]["JobUid"] = (
        "urn:veeam:Job:0badbeef-0000-4000-8000-00000000dead")
    doc["NasJobs"][1]["ShorttermRetentionType"] = "Week"
    errors = _errors(doc)
    assert any(e.startswith("nas.json: $.NasJobs[1].ShorttermRetentionType: 'Week'")
               for e in errors)
    assert any(e.startswith("nas.json: $.NasJobSessions[0].JobUid: no job has the UID")
               for e in errors)
