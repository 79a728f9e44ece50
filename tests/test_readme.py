"""The README's examples run, and its configuration table matches the options."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from em_mock.capture.command import OPTIONS as CAPTURE_OPTIONS
from em_mock.settings import OPTIONS, env_name

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.DOTALL | re.MULTILINE)


def test_every_sh_block_runs_against_a_live_server(live, tmp_path):
    blocks = BLOCK.findall(README)
    assert len(blocks) >= 2
    script = "set -euo pipefail\n" + "\n".join(blocks).replace(
        "EM=http://127.0.0.1:9399", f"EM={live.url}")
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr + done.stdout[-2000:]
    out = done.stdout
    assert "<EnterpriseManager" in out
    assert '"BackupServers":' in out
    assert "204\n401\n" in out
    assert "<CloudFailoverSession " in out and "<Result>Failed</Result>" in out
    assert '"BackupServerName"' not in out  # query fields are not entity members
    assert 'Name="Tenant03 Failover Plan"' in out
    assert "503\n503\n201\n" in out
    assert "<State>Finished</State>" in out and 'Type="CloudFailoverSession"' in out
    assert '"Enabled":false,' in out and '"DisplayName":"Acme Storage"' in out
    assert '"RepositoryFriendlyName":"Org99 Storage"' in out and '"Name":"Org99"' in out
    assert f'{{"Period":"week","Href":"{live.url}/api/reports/custom"}}\n204\n' in out


def test_configuration_table_lists_every_option():
    rows = re.findall(r"^\| (`--.*?) \| (`EM_MOCK_.*?) \|", README, re.MULTILINE)
    pairs = []
    for flags, names in rows:
        pairs += zip(re.findall(r"`(--[a-z-]+)", flags), re.findall(r"`(EM_MOCK_[A-Z_]+)`", names),
                     strict=True)
    capture = [(f, n) for f, n in pairs if n.startswith("EM_MOCK_CAPTURE_")]
    serve = [(f, n) for f, n in pairs if not n.startswith("EM_MOCK_CAPTURE_")]
    assert sorted(serve) == sorted((o.flag, env_name(o)) for o in OPTIONS)
    assert sorted(capture) == sorted((o.flag, o.env) for o in CAPTURE_OPTIONS)


PY_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def test_pytest_plugin_examples_run(pytester):
    """The README's plugin examples pass in a suite that turns every warning into an error
    (as a user's may): the plugin itself adds none."""
    blocks = PY_BLOCK.findall(README)
    assert blocks
    pytester.makepyfile(test_readme_examples="\n\n".join(blocks))
    result = pytester.runpytest_subprocess("-q", "-W", "error", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)
    assert "warning" not in result.stdout.str().lower()


def test_query_type_table_matches_the_registry():
    from em_mock.core.registry import markdown_table

    start = README.index("<!-- query-types:")
    table = README[README.index("\n", start) + 1:README.index("<!-- query-types end -->")]
    assert table == markdown_table(), "regenerate the README table from markdown_table()"


def test_modelled_path_table_matches_the_routes():
    from em_mock.core.http.recorded import markdown_paths

    start = README.index("<!-- modelled-paths:")
    table = README[README.index("\n", start) + 1:README.index("<!-- modelled-paths end -->")]
    assert table == markdown_paths(), "regenerate the README table from markdown_paths()"
