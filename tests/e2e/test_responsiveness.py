"""No single request holds the event loop (issue 16, item 3): while clients send the
costliest filters the server accepts and ask for 10,000 entities a page, an unrelated
request is still answered quickly."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from em_mock.families.jobs.model import BACKUP_TASKS
from tests.conftest import LiveServer
from tests.helpers import logon

SAMPLES = 40
LOADERS = 4


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    live = LiveServer("--no-https")
    yield live
    live.stop()


def _worst_filter(n: int) -> str:
    # 1000 comparisons (the default limit), none of which an index can answer, each
    # request different so no cached result helps.
    return ",".join(f'(Name<"x{n}-{i}";TotalSize>{i})' for i in range(500))


def test_api_root_stays_fast_while_others_send_worst_case_queries(server):
    token = logon(httpx.Client(base_url=server.url, timeout=60))
    auth = {"X-RestSvcSessionId": token}
    stop = threading.Event()
    served = []

    def load(k: int) -> None:
        with httpx.Client(base_url=server.url, timeout=120, headers=auth) as client:
            n = 0
            while not stop.is_set():
                n += 1
                if (n + k) % 2:
                    params = {"type": "BackupTaskSession", "filter": _worst_filter(n * 10 + k),
                              "format": "Entities", "pageSize": "10000"}
                else:
                    params = {"type": "BackupTaskSession", "format": "Entities",
                              "pageSize": "10000", "sortDesc": "CreationTime"}
                response = client.get("/api/query", params=params)
                assert response.status_code == 200, response.text[:300]
                served.append(len(response.content))

    threads = [threading.Thread(target=load, args=(k,), daemon=True) for k in range(LOADERS)]
    for thread in threads:
        thread.start()
    try:
        with httpx.Client(base_url=server.url, timeout=60) as probe:
            while len(served) < LOADERS:  # every loader has had a heavy answer
                probe.get("/api/")
            timings = []
            for _ in range(SAMPLES):
                started = time.perf_counter()
                assert probe.get("/api/").status_code == 200
                timings.append(time.perf_counter() - started)
    finally:
        stop.set()
        for thread in threads:
            thread.join(120)
    median = statistics.median(timings)
    assert median < 0.1, f"median {median * 1000:.0f} ms over {SAMPLES} samples"


def test_a_filter_over_the_comparison_limit_is_a_clear_400(server):
    with httpx.Client(base_url=server.url, timeout=60) as client:
        auth = {"X-RestSvcSessionId": logon(client), "Accept": "application/json"}
        many = ",".join(f'Name=="n{i}"' for i in range(1001))
        response = client.get("/api/query", params={"type": "BackupTaskSession",
                                                    "filter": many}, headers=auth)
        assert response.status_code == 400
        assert response.json()["Message"] == ("Parameter filter: the filter holds 1001 "
                                               "comparisons; the limit of this server is 1000.")


def test_work_done_off_the_loop_is_redone_when_the_data_changes_meanwhile(client, auth,
                                                                          monkeypatch):
    from em_mock.core.http import query as query_module

    calls = []
    real = query_module.run_query

    def changing(qtype, rows, cache, **kwargs):
        calls.append(type(cache).__name__)
        if len(calls) < 3:
            client.app.state.runtime.store.changed()  # as a plan run or a re-seed would
        return real(qtype, rows, cache, **kwargs)

    monkeypatch.setattr(query_module, "run_query", changing)
    response = client.get("/api/query?type=BackupTaskSession&pageSize=1000", headers=auth)
    assert response.status_code == 200
    # two tries in a worker thread, each outdated by a change, then once on the loop
    assert calls == ["Staged", "Staged", "Store"]


def test_a_staged_cache_hands_over_only_what_is_still_current(runtime):
    store = runtime.store
    staged = store.staged()
    assert staged.get(("k",), lambda: 1) == 1
    assert ("k",) not in store._cache
    staged.commit()
    assert store.get(("k",), lambda: 2) == 1
    late = store.staged()
    late.get(("j",), lambda: 3)
    store.changed()
    assert not late.current
    late.commit()
    assert store.get(("j",), lambda: 4) == 4


def test_an_or_list_of_string_equalities_is_answered_from_an_index(client, auth, runtime):
    from em_mock.core.registry import query_type

    field = query_type("BackupTaskSession").field("Name")
    names = [field.get(t) for t in BACKUP_TASKS.rows(runtime.store)[:3]]
    wanted = [*names, *(f"no such task {i}" for i in range(997))]
    text = ",".join(f'Name=="{name}"' for name in wanted)
    response = client.get("/api/query", params={"type": "BackupTaskSession", "filter": text,
                                                 "pageSize": "1000"},
                          headers={**auth, "Accept": "application/json"})
    assert response.status_code == 200
    assert response.json()["PagingInfo"]["PageSize"] == 1000
    assert len(response.json()["Refs"]["Refs"]) == sum(
        1 for t in BACKUP_TASKS.rows(runtime.store) if field.get(t) in names)
    cached = runtime.store._cache
    assert ("BackupTaskSession", "index", "Name") in cached  # one lookup per name ...
    assert ("BackupTaskSession", "column", "Name") not in cached  # ... not a pass per name


def test_work_that_fails_on_data_changed_under_it_is_redone(client, auth, monkeypatch):
    from em_mock.core.http import query as query_module

    calls = []
    real = query_module.run_query

    def failing(qtype, rows, cache, **kwargs):
        calls.append(type(cache).__name__)
        if len(calls) == 1:
            client.app.state.runtime.store.changed()
            raise IndexError("a newer version's index read against the older rows")
        return real(qtype, rows, cache, **kwargs)

    monkeypatch.setattr(query_module, "run_query", failing)
    response = client.get("/api/query?type=BackupTaskSession&pageSize=1000", headers=auth)
    assert response.status_code == 200
    assert calls == ["Staged", "Staged"]
