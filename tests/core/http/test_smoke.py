from tests.helpers import JSON


def test_entry_point_answers_without_a_session(client):
    response = client.get("/api/", headers=JSON)
    assert response.status_code == 200
    assert response.json()["Links"][1]["Href"] == "http://testserver/api/sessionMngr/?v=latest"


def test_live_server_answers(live_client):
    assert live_client.get("/api/").status_code == 200
