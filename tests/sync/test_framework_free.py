"""sync/ is framework-free: pure standard library, no Flask, no server package."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SYNC = Path(__file__).resolve().parents[2] / "sync"
FORBIDDEN = {
    "flask",
    "werkzeug",
    "flask_sqlalchemy",
    "flask_login",
    "sqlalchemy",
    "marshmallow",
    "server",
}


def imported_roots(path: Path) -> set[str]:
    """Return the top-level names of every module a file imports."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            roots.add("__import__")  # dynamic imports would dodge this check
    return roots


MODULES = sorted(SYNC.rglob("*.py"))


def test_the_package_has_modules_to_scan():
    names = {path.name for path in MODULES}
    assert {"types.py", "validate.py", "merge.py", "engine.py", "store.py", "memory.py"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_imports_only_the_standard_library_and_sync(path):
    roots = imported_roots(path)
    assert not roots & FORBIDDEN, f"{path.name} imports {sorted(roots & FORBIDDEN)}"
    outside = {r for r in roots if r != "sync" and r not in sys.stdlib_module_names}
    assert not outside, f"{path.name} imports non-stdlib modules {sorted(outside)}"


def test_scanner_sees_a_flask_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import json\nfrom flask import Flask\nimport server.errors\n")
    assert imported_roots(sample) == {"json", "flask", "server"}


def test_importing_sync_loads_neither_flask_nor_server():
    code = (
        "import sys, sync, sync.memory; "
        "print(sorted(m for m in ('flask', 'server', 'sqlalchemy') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=SYNC.parent
    )
    assert result.stdout.strip() == "[]"
