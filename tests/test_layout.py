"""The suite's own layout: what tests share lives in tests/support/, so no test module (nor
a conftest, nor a support module) imports a test module or a conftest."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
# Modules of the suite imported by bare name (through sys.path) rather than as tests.*.
BARE = {p.stem for p in TESTS.rglob("*.py")} - {"__init__"}


def _local(name: str) -> bool:
    """Whether an imported module name is a test module or a conftest of this suite, or
    any module of the suite imported by its bare name."""
    last = name.rsplit(".", 1)[-1]
    if "." not in name and name in BARE:
        return True
    if not (last.startswith("test_") or last == "conftest"):
        return False
    return name.startswith("tests.") or "." not in name


def forbidden_imports(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if _local(a.name)]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: `from . import test_x`, `from .conftest import X`
                names = [module] if module else [a.name for a in node.names]
                found += [n for n in names if _local(n.rsplit(".", 1)[-1])]
            elif _local(module):
                found.append(module)
            elif module in ("tests", "tests.browser", "tests.sync"):
                found += [f"{module}.{a.name}" for a in node.names if _local(a.name)]
    return found


def test_no_module_of_the_suite_imports_a_test_module_or_a_conftest():
    bad = {
        str(path.relative_to(TESTS)): names
        for path in sorted(TESTS.rglob("*.py"))
        if (names := forbidden_imports(path.read_text()))
    }
    assert bad == {}, "move what they share into tests/support/"


def test_the_check_catches_each_way_of_importing_a_test_module():
    for line in (
        "import test_digests",
        "from test_sync_api import push",
        "from tests.conftest import PASSWORD",
        "from tests.browser import test_desk",
        "from tests.browser.test_desk_reviews import desk",
        "from .test_x import y",
        "from . import conftest",
        "from authz_world import USERS",
        "import sync_harness",
    ):
        assert forbidden_imports(line), line
    for line in (
        "from tests.support.sync_api import push",
        "import pytest",
        "from server.testing import x",
        "from tests.support import mail",
    ):
        assert not forbidden_imports(line), line


def test_every_helper_module_is_in_tests_support():
    loose = [
        str(p.relative_to(TESTS))
        for p in TESTS.rglob("*.py")
        if p.parent.name != "support"
        and p.name not in ("__init__.py", "conftest.py")
        and not p.name.startswith("test_")
    ]
    assert loose == []
