"""The clock refuses instants it could not write (issue 16, item 7): a 400 in the control
API's shape, the clock unmoved, every later request still answered and journalled."""

from __future__ import annotations

import pytest

from em_mock import Settings
from em_mock.core.clock import MAX_MS, MIN_MS
from em_mock.core.times import format_instant, name_suffix
from em_mock.settings import SettingsError, from_args
from tests.helpers import logon

REFUSED = [
    {"action": "set", "instant": "9999-12-31T23:59:59Z"},
    {"action": "set", "instant": "0001-01-01T00:00:00Z"},
    {"action": "set", "instant": "9999-01-01T00:00:00Z"},
    {"action": "set", "instant": "0001-12-31T23:59:59Z"},
]


@pytest.mark.parametrize("change", REFUSED, ids=[str(c) for c in REFUSED])
def test_a_move_out_of_range_is_400_and_the_clock_stays(client, change):
    before = client.get("/mock/clock").json()
    response = client.post("/mock/clock", json=change)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error", "errors"} and "0002-01-01" in body["error"]
    assert client.get("/mock/clock").json() == before
    assert client.get("/api/").status_code == 200
    assert client.get("/mock/ready").status_code == 200


@pytest.mark.parametrize(("edge", "step"), [("9998-12-31T23:59:59Z", 1),
                                            ("0002-01-01T00:00:00Z", -1)])
def test_at_the_edge_one_second_further_is_refused(client, edge, step):
    assert client.post("/mock/clock", json={"action": "set", "instant": edge}).status_code == 200
    assert client.post("/mock/clock", json={"action": "advance", "seconds": step}
                       ).status_code == 400
    # em-mock writes its own times with three fraction digits.
    written = edge.replace("Z", ".000Z")
    assert client.get("/mock/clock").json()["now"] == written
    client.delete("/mock/requests")
    assert client.get("/api/").status_code == 200
    journal = client.get("/mock/requests").json()
    assert [(e["path"], e["status"], e["time"]) for e in journal] == [("/api/", 200, written)]


def test_the_earliest_instant_is_written_with_a_four_digit_year(client):
    client.post("/mock/clock", json={"action": "set", "instant": "0002-01-01T00:00:00Z"})
    assert client.get("/mock/clock").json()["now"] == "0002-01-01T00:00:00.000Z"
    assert format_instant(MIN_MS) == "0002-01-01T00:00:00Z"
    assert format_instant(MIN_MS - 365 * 86_400_000) == "0001-01-01T00:00:00Z"
    assert name_suffix(MIN_MS) == "0002-01-01 00:00:00"
    assert format_instant(MAX_MS) == "9998-12-31T23:59:59.999Z"


def test_a_plan_run_at_the_latest_instant_can_be_written(client):
    client.post("/mock/clock", json={"action": "set", "instant": "9998-12-31T23:59:59Z"})
    auth = {"X-RestSvcSessionId": logon(client)}
    plans = client.get("/api/cloud/cloudFailoverPlans",
                       headers={**auth, "Accept": "application/json"}).json()
    plan = plans["Refs"][0]["UID"].rsplit(":", 1)[-1]
    started = client.post(f"/api/cloud/cloudFailoverPlans/{plan}?action=start", headers=auth)
    assert started.status_code == 202
    sessions = client.get("/api/query?type=CloudFailoverSession&format=Entities"
                          "&sortDesc=CreationTime&pageSize=1", headers=auth)
    assert sessions.status_code == 200 and "9998-12-31T23:59:59Z" in sessions.text


@pytest.mark.parametrize("epoch", ["9999-12-31T00:00:00Z", "0001-01-01T00:00:00Z"])
def test_an_epoch_out_of_range_is_refused_at_start_up(epoch):
    with pytest.raises(SettingsError, match="0002-01-01"):
        from_args(["--epoch", epoch])
    assert Settings().epoch is None
