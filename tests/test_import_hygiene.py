"""Package boundaries (architecture.md): who may import whom, checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The composition modules of parcel_watch: the only ones that reach into carriers.
COMPOSITION = {
    "parcel_watch/api/routing.py",  # request bodies through the outside-JSON loader and its limits
    "parcel_watch/cli",
    "parcel_watch/demo.py",
    "parcel_watch/poller.py",
    "parcel_watch/scheduler.py",
    "parcel_watch/webhooks.py",
}


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", ["parcel_watch", "carriers", "claims"])
def test_only_the_dashboard_imports_textual(package: str) -> None:
    offenders = [p for p in modules(package) if any(m.split(".")[0] == "textual" for m in imports(p))]
    assert offenders == []


def test_carriers_use_only_the_core_model_and_status() -> None:
    allowed = {"parcel_watch.model", "parcel_watch.status"}
    for path in modules("carriers"):
        used = {m for m in imports(path) if m.split(".")[0] == "parcel_watch"}
        assert used <= allowed, (path, used - allowed)


def test_only_composition_modules_of_the_core_import_carriers() -> None:
    for path in modules("parcel_watch"):
        rel = path.relative_to(ROOT).as_posix()
        if any(rel == c or rel.startswith(c + "/") for c in COMPOSITION):
            continue
        assert not any(m.split(".")[0] == "carriers" for m in imports(path)), rel
