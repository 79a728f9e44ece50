"""The published PyPI client ``veeam-em`` 2022.11.0 pages through every backup task session.

``VeeamEm.get_backup_task_sessions`` queries ``/query?type=BackupTaskSession&format=Entities
&pageSize=N&sortDesc=CreationTime&page=1`` and follows the ``Next`` link of ``PagingInfo``
(absolute Hrefs) until there is none; it reads
``Entities.BackupTaskSessions.BackupTaskSessions`` (a list) and ``PagingInfo.PagesCount``.
"""

from __future__ import annotations

import datetime
import math
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from veeam_em.manager import VeeamEm

from tests.conftest import LiveServer
from tests.helpers import JSON, PASSWORD, USER, logon


@pytest.fixture(scope="module")
def frozen() -> Iterator[LiveServer]:
    """A server whose clock stands still, so that no session appears while paging."""
    server = LiveServer("--frozen-clock")
    yield server
    server.stop()


def all_task_sessions(server: LiveServer) -> list[dict[str, Any]]:
    with httpx.Client(base_url=server.url, timeout=60, trust_env=False) as client:
        token = logon(client)
        response = client.get(
            "/api/query?type=BackupTaskSession&format=Entities&pageSize=10000",
            headers={"X-RestSvcSessionId": token, **JSON})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["PagingInfo"]["PagesCount"] == 1, body["PagingInfo"]
    items: list[dict[str, Any]] = body["Entities"]["BackupTaskSessions"]["BackupTaskSessions"]
    return items


def run_bounded(func: Any, seconds: float) -> Any:
    """Run ``func`` in a daemon thread; fail (rather than hang) if it never returns,
    e.g. when the last page still carries a ``Next`` link."""
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = func()
        except BaseException as exc:  # handed back to the test below
            result["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"veeam-em still paging after {seconds} s"
    if "error" in result:
        raise result["error"]
    return result["value"]


def test_get_backup_task_sessions_returns_every_one(frozen: LiveServer,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    everything = all_task_sessions(frozen)
    total = len(everything)
    assert total >= 4, f"the mock's default data has only {total} backup task sessions"
    page_size = max(1, min(100, total // 4))  # small, and at least four pages

    em = VeeamEm(api_endpoint=frozen.url, ssl_verify=False)
    em.get_token(USER, PASSWORD)
    got = run_bounded(lambda: em.get_backup_task_sessions(page_size=page_size), 120)

    uids = [item["UID"] for item in got]
    assert len(uids) == len(set(uids)), "a task session came twice"
    assert sorted(uids) == sorted(item["UID"] for item in everything)
    assert len(uids) == total and math.ceil(total / page_size) >= 4
    # It asked for newest first; the pages must keep that order across page boundaries.
    times = [datetime.datetime.fromisoformat(item["CreationTimeUTC"]) for item in got]
    assert times == sorted(times, reverse=True)
    # It returns the items whole: the same entities as the single-page query.
    by_uid = {item["UID"]: item for item in everything}
    assert all(item == by_uid[item["UID"]] for item in got)
