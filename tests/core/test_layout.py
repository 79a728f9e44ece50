"""The layout's rules, read from the source: the core and the control API know no family,
families never reach up into the app's wiring, and family models stay plain data."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "app" / "em_mock"


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports (absolute names), including imports inside functions
    and ``TYPE_CHECKING`` blocks."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _sources(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def _offending(paths: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    return [f"{path} imports {name}"
            for path in paths for name in sorted(_imports(path))
            if any(name == f or name.startswith(f + ".") for f in forbidden)]


def test_the_layout_has_a_core_and_families():
    assert _sources("core"), "no core package"
    families = {p.parent.name for p in (PACKAGE / "families").glob("*/__init__.py")}
    assert {"infrastructure", "cloud", "jobs", "restore", "agents", "reports"} <= families


@pytest.mark.parametrize("folder", ["core", "control"])
def test_core_and_control_import_no_family_and_no_app_wiring(folder):
    forbidden = ("em_mock.families", "em_mock.factory", "em_mock.cli", "em_mock.pytest_plugin")
    assert _offending(_sources(folder), forbidden) == []


def test_the_core_does_not_import_the_control_api():
    assert _offending(_sources("core"), ("em_mock.control",)) == []


def test_families_do_not_reach_up_into_the_app_or_the_control_api():
    forbidden = ("em_mock.factory", "em_mock.cli", "em_mock.control", "em_mock.pytest_plugin")
    assert _offending(_sources("families"), forbidden) == []


def test_family_models_are_plain_data():
    models = sorted((PACKAGE / "families").glob("*/model.py"))
    assert models
    forbidden = ("em_mock.core.store", "em_mock.core.http", "em_mock.core.wire", "fastapi",
                 "starlette", "lxml")
    assert _offending(models, forbidden) == []


def test_the_checker_sees_an_offending_import(tmp_path):
    # The rules above pass only if the scan finds imports at all: show it does.
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from em_mock.families.cloud import model\n")
    assert _offending([sample], ("em_mock.families",)) != []
