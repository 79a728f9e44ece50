"""Agent restore point mounts: mount, browse the guest file system, download, restore a
file (``FileRestoreSpec`` in XML or JSON), unmount; bad bodies and paths are 4xx errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from em_mock.families.agents.model import AGENT_POINT_TASKS, agent_restore_point_id
from tests.helpers import JSON, Q, error_of, logon, xml

GOOD_XML = (b'<FileRestoreSpec xmlns="http://www.veeam.com/ent/v1.0"><ToOriginalLocation>'
            b"<Overwrite>true</Overwrite><GuestCredentials><Username>admin</Username>"
            b"<Password>secret</Password></GuestCredentials></ToOriginalLocation>"
            b"</FileRestoreSpec>")


def _mount(client: Any, auth: dict[str, str], runtime: Any) -> tuple[str, str]:
    """Mount the first agent restore point: ``(mounts href, mount href)``."""
    point = agent_restore_point_id(AGENT_POINT_TASKS.rows(runtime.store)[0])
    mounts = f"/api/agents/agentRestorePoints/{point}/mounts"
    response = client.post(mounts, headers={**auth, **JSON})
    assert response.status_code == 202, response.text
    assert response.json()["Operation"] == "MountAgentRestorePoint"
    runtime.clock.advance(15)
    task = client.get(f"/api/tasks/{response.json()['TaskId']}", headers={**auth, **JSON}).json()
    related = next(lk for lk in task["Links"] if lk["Rel"] == "Related")
    assert related["Type"] == "AgentRestorePointMount"
    return mounts, related["Href"].split("?")[0]


def test_mount_browse_download_restore_unmount(client, auth, runtime):
    mounts, mount = _mount(client, auth, runtime)
    listed = xml(client.get(mounts, headers=auth).content)
    assert listed.tag == Q + "AgentRestorePointMounts" and len(listed) == 1
    one = client.get(mount, headers={**auth, **JSON}).json()
    assert one["FSRoots"] == [{"Path": "C:\\", "Name": "C:\\"}]
    assert [lk["Rel"] for lk in one["Links"]] == ["Delete"]
    assert xml(client.get(mount, headers=auth).content).tag == Q + "AgentRestorePointMount"

    top = xml(client.get(mount + "/C:", headers=auth).content)
    assert top.tag == Q + "FileSystemEntries"
    rels = [lk.get("Rel") for lk in top.iter(Q + "Link")]
    assert rels == ["Up", "Down", "Down", "Down", "Restore"]
    docs = client.get(mount + "/C:/Users/Administrator/Documents", headers={**auth, **JSON}).json()
    assert [f["Name"] for f in docs["Files"]] == ["notes.txt", "report.docx"]
    only_dirs = client.get(mount + "/C:/Users/Administrator?action=listDirs",
                           headers={**auth, **JSON}).json()
    assert only_dirs["Files"] == [] and [d["Name"] for d in only_dirs["Directories"]] == [
        "Desktop", "Documents"]
    only_files = client.get(mount + "/C:/Users/Administrator?action=listFiles",
                            headers={**auth, **JSON}).json()
    assert only_files["Directories"] == []
    notes = docs["Files"][0]
    body = client.get(notes["Actions"][0]["Href"], headers=auth)
    assert body.status_code == 200 and len(body.content) == notes["Size"]
    assert AGENT_POINT_TASKS.rows(runtime.store)[0].vm_name.encode() in body.content

    target = mount + "/C:/Users/Administrator/Documents/notes.txt?action=restore"
    done = client.post(target, content=GOOD_XML,
                       headers={**auth, **JSON, "Content-Type": "application/xml"})
    assert done.status_code == 202, done.text
    assert done.json()["Operation"] == "RestoreFiles"
    direct = client.post(target, json={"ForDirectDownload": {}}, headers={**auth, **JSON})
    assert direct.status_code == 202, direct.text
    runtime.clock.advance(15)
    result = client.get(f"/api/tasks/{direct.json()['TaskId']}", headers={**auth, **JSON})
    assert "direct download" in result.json()["Result"]["Message"]

    assert client.delete(mount, headers=auth).status_code == 204
    assert client.get(mount, headers=auth).status_code == 404
    assert client.delete(mount, headers=auth).status_code == 404
    assert len(xml(client.get(mounts, headers=auth).content)) == 0


def test_bad_paths_actions_and_ids_are_errors(mounted):
    client, auth, mount = mounted
    mounts = mount.rsplit("/", 1)[0]
    file = mount + "/C:/Windows/win.ini"
    assert client.get(file, headers=auth).status_code == 400
    assert client.get(mount + "/C:/Windows?action=explode", headers=auth).status_code == 400
    missing = client.get(mount + "/C:/nowhere", headers={**auth, **JSON})
    assert missing.status_code == 404 and "nowhere" in missing.json()["Message"]
    restore_missing = client.post(mount + "/C:/nowhere?action=restore", content=GOOD_XML,
                                  headers={**auth, "Content-Type": "application/xml"})
    assert restore_missing.status_code == 404
    wrong_action = client.post(file + "?action=download", content=GOOD_XML,
                               headers={**auth, "Content-Type": "application/xml"})
    assert wrong_action.status_code == 400
    assert client.get(mounts.rsplit("/", 2)[0] + "/nope/mounts", headers=auth).status_code == 404
    assert client.get(mounts + "/nope", headers=auth).status_code == 404
    assert client.post("/api/agents/agentRestorePoints/nope/mounts",
                       headers=auth).status_code == 404


@pytest.fixture(scope="module")
def _module_mount(shared_app: tuple[Any, Any]) -> str:
    client, rt = shared_app
    return _mount(client, {"X-RestSvcSessionId": logon(client)}, rt)[1]


@pytest.fixture
def mounted(reader: tuple[Any, dict[str, str]], _module_mount: str
            ) -> tuple[Any, dict[str, str], str]:
    """``(client, auth, mount href)``: one mount on the module's shared app."""
    return (*reader, _module_mount)


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=8)
_LEAF = st.one_of(st.none(), st.booleans(), _TEXT, st.integers(-3, 3))
_CREDENTIALS = st.one_of(_LEAF, st.fixed_dictionaries({}, optional={
    "Username": _LEAF, "Password": _LEAF}))
_ORIGINAL = st.one_of(_LEAF, st.fixed_dictionaries({}, optional={
    "Overwrite": _LEAF, "PermissionsOnly": _LEAF, "GuestCredentials": _CREDENTIALS}))
_SPEC = st.fixed_dictionaries({}, optional={
    "ToOriginalLocation": _ORIGINAL, "ForDirectDownload": st.one_of(st.none(), st.just({})),
    "Other": _LEAF})


def _valid(spec: dict[str, Any]) -> bool:
    present = {k: v for k, v in spec.items() if v is not None}
    if "Other" in present or len(present) != 1:
        return False
    if "ForDirectDownload" in present:
        return True
    original = present["ToOriginalLocation"]
    if original == "":
        return True  # no options: the defaults
    if not isinstance(original, dict):
        return False
    for flag in ("Overwrite", "PermissionsOnly"):
        value = original.get(flag)
        if value is not None and not isinstance(value, bool) and str(value).lower() not in (
                "true", "false"):
            return False
    creds = original.get("GuestCredentials")
    if creds is None:
        return True  # credentials are optional
    return isinstance(creds, dict) and all(
        creds.get(k) is not None and str(creds.get(k)).strip() for k in ("Username", "Password"))


def _to_xml(name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return f"<{name}>{''.join(_to_xml(k, v) for k, v in value.items())}</{name}>"
    text = str(value).lower() if isinstance(value, bool) else str(value)
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<{name}>{escaped}</{name}>"


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=_SPEC, as_json=st.booleans())
def test_file_restore_specs_are_accepted_exactly_when_valid(mounted, spec, as_json):
    client, auth, mount = mounted
    target = mount + "/C:/Windows?action=restore"
    if as_json:
        body = json.dumps(spec).encode()
        kind = "application/json"
    else:
        body = _to_xml("FileRestoreSpec", spec).encode() or b"<FileRestoreSpec/>"
        kind = "application/xml"
    response = client.post(target, content=body, headers={**auth, "Content-Type": kind})
    # A whitespace-only text leaf in XML reads as empty: the XML form of a blank name.
    expected = _valid(spec) and (as_json or spec.get("ToOriginalLocation") == "" or all(
        str(v).strip() for v in _leaves(spec)))
    assert response.status_code == (202 if expected else 400), (body, response.text)
    if response.status_code == 400:
        assert error_of(response)["StatusCode"] == 400


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    return [] if value is None else [value]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.text(st.characters(codec="ascii", exclude_categories=("Cc",),
                                  exclude_characters="?#%"), max_size=30))
def test_any_browse_path_is_an_answer_or_a_clean_error(mounted, path):
    client, auth, mount = mounted
    response = client.get(mount + "/" + path, headers=auth)
    assert response.status_code in (200, 400, 404, 405), response.text
    if response.status_code != 200:
        assert xml(response.content).tag == Q + "Error"
