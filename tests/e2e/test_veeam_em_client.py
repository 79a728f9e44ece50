"""The published PyPI client ``veeam-em`` against a live em-mock, unchanged."""

from __future__ import annotations

import math

import httpx
from veeam_em.manager import VeeamEm

from tests.helpers import JSON, PASSWORD, USER


def _client(url: str) -> VeeamEm:
    return VeeamEm(api_endpoint=url, ssl_verify=False)


def test_logs_on_lists_its_session_and_logs_out(live):
    em = _client(live.url)
    token = em.get_token(USER, PASSWORD)
    assert len(token) == 48
    session_id = em.session_data["SessionId"]
    sessions = em.request("/logonSessions")["LogonSessions"]
    assert session_id in [s["SessionId"] for s in sessions]
    assert em.request(f"/logonSessions/{session_id}", method=em.DELETE)["status"] == 204
    after = httpx.get(f"{live.url}/api/logonSessions",
                      headers={"X-RestSvcSessionId": token, **JSON})
    assert after.status_code == 401


def test_pages_through_a_failover_session_query(live):
    em = _client(live.url)
    em.get_token(USER, PASSWORD)
    params = {"type": "CloudFailoverSession", "format": "Entities", "pageSize": 45,
              "sortDesc": "CreationTime", "page": 1}
    rv = em.request("/query", params=params)
    total_pages = rv["PagingInfo"]["PagesCount"]
    seen = []
    while True:
        seen.extend(rv["Entities"]["CloudFailoverSessions"]["CloudFailoverSessions"])
        nxt = [lk["Href"] for lk in rv["PagingInfo"]["Links"] if lk["Rel"] == "Next"]
        if not nxt:
            break
        assert nxt[0].startswith(live.url)
        rv = em.request(nxt[0])
    uids = [s["UID"] for s in seen]
    assert len(uids) == len(set(uids)) == 500
    assert total_pages == math.ceil(500 / 45)
    times = [s["CreationTimeUTC"] for s in seen]
    assert times == sorted(times, reverse=True)
