"""The test set-up itself: the database under test, the no-skips rule, the throwaway cluster."""

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"


def _run(args, cwd=ROOT, **env):
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=120, env={**os.environ, **env}
    )


@pytest.mark.db
def test_database_under_test_is_the_one_asked_for(app):
    from sqlalchemy import text

    from server.extensions import db

    asked = os.environ.get("CARELOOP_TEST_DATABASE_URL", "sqlite://")
    expected = "postgresql" if asked.startswith("postgres") else "sqlite"
    assert db.engine.dialect.name == expected
    assert db.session.execute(text("SELECT 1")).scalar() == 1


def test_make_help_lists_the_targets():
    result = _run(["make", "--no-print-directory"])
    assert result.returncode == 0, result.stderr
    listed = {line.split()[0] for line in result.stdout.splitlines()[1:] if line.strip()}
    assert {"run", "test", "lint", "bench", "screenshots", "clean"} <= listed


def test_a_skipped_test_fails_the_run(tmp_path):
    (tmp_path / "test_some.py").write_text(
        "import pytest\n\n"
        "def test_runs():\n    assert True\n\n"
        "def test_skips():\n    pytest.skip('no browser')\n"
    )
    (tmp_path / "test_fine.py").write_text("def test_runs():\n    assert True\n")
    plugin = ["-p", "no:cacheprovider", "-p", "no_skips", "--rootdir", str(tmp_path)]
    python = [sys.executable, "-m", "pytest", "-q", *plugin]

    with_skip = _run([*python, "test_some.py"], cwd=tmp_path, PYTHONPATH=str(SCRIPTS))
    without = _run([*python, "test_fine.py"], cwd=tmp_path, PYTHONPATH=str(SCRIPTS))

    assert with_skip.returncode == 1, with_skip.stdout
    assert "no_skips: 1 skipped; make test allows no skipped tests" in with_skip.stdout
    assert without.returncode == 0, without.stdout


def test_throwaway_postgres_is_stopped_and_removed_when_the_command_fails():
    probe = (
        "import os, psycopg\n"
        "with psycopg.connect(os.environ['CARELOOP_TEST_DATABASE_URL']) as conn:\n"
        "    print('server', conn.execute('SHOW server_version').fetchone()[0])\n"
        "raise SystemExit(3)\n"
    )
    result = _run([str(SCRIPTS / "with-postgres.sh"), sys.executable, "-c", probe])

    assert result.returncode == 3, result.stdout + result.stderr
    assert re.search(r"^server \d+", result.stdout, re.M), result.stdout
    match = re.search(
        r"PostgreSQL cluster in (\S+) .*127\.0\.0\.1:(\d+)/careloop_test", result.stdout
    )
    assert match, result.stdout
    cluster, port = Path(match[1]), int(match[2])
    assert not cluster.exists()
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port)):
        pass
