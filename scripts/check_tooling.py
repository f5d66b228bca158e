"""`make check-tooling`: the test set-up itself works.

- `make` (help) lists the main targets;
- the no_skips plugin fails a pytest run that skipped a test, and passes one that did not;
- scripts/run_steps.py (make test's runner) runs every step though one fails, names the
  failed one and exits 1;
- scripts/with-postgres.sh gives the command a live cluster, passes on its exit code, and
  stops and removes the cluster even when the command fails.

Exits non-zero, saying what failed.
"""

import os
import re
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
TARGETS = {
    "run",
    "test",
    "test-deployment",
    "lint",
    "check-tooling",
    "bench",
    "bench-smoke",
    "screenshots",
    "screenshots-check",
    "clean",
}


def check(ok: bool, what: str, detail: str = "") -> None:
    if not ok:
        raise SystemExit(f"check-tooling: {what}\n{detail[-3000:]}")


def run(args, cwd=ROOT, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=120, env={**os.environ, **env}
    )


def make_help_lists_the_targets() -> None:
    done = run(["make", "--no-print-directory"])
    check(done.returncode == 0, "make (help) failed", done.stderr)
    listed = {line.split()[0] for line in done.stdout.splitlines()[1:] if line.strip()}
    check(listed >= TARGETS, f"make help misses {sorted(TARGETS - listed)}", done.stdout)
    print("check-tooling: make lists its targets")


def a_skipped_test_fails_the_run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "test_some.py").write_text(
            "import pytest\n\n"
            "def test_runs():\n    assert True\n\n"
            "def test_skips():\n    pytest.skip('no browser')\n"
        )
        (folder / "test_fine.py").write_text("def test_runs():\n    assert True\n")
        plugin = ["-p", "no:cacheprovider", "-p", "no_skips", "--rootdir", tmp]
        python = [sys.executable, "-m", "pytest", "-q", *plugin]
        with_skip = run([*python, "test_some.py"], cwd=folder, PYTHONPATH=str(SCRIPTS))
        # The legs of make test run on pytest-xdist workers: a skip there fails the run too.
        on_workers = run([*python, "-n", "2", "test_some.py"], cwd=folder, PYTHONPATH=str(SCRIPTS))
        without = run([*python, "test_fine.py"], cwd=folder, PYTHONPATH=str(SCRIPTS))
    for done in (with_skip, on_workers):
        check(done.returncode == 1, "a run with a skip did not fail", done.stdout)
        check(
            "no_skips: 1 skipped; make test allows no skipped tests" in done.stdout,
            "a run with a skip did not say why",
            done.stdout,
        )
    check(without.returncode == 0, "a run without skips failed", without.stdout)
    print("check-tooling: a skipped test fails the run, on xdist workers too")


def the_step_runner_runs_every_step_and_names_the_failed_one() -> None:
    done = run(
        [sys.executable, str(SCRIPTS / "run_steps.py"), "--jobs", "2", "no-such-step", "help"]
    )
    out = done.stdout + done.stderr
    check(done.returncode == 1, f"run_steps.py exited {done.returncode}, not 1", out)
    check("make test: FAILED: no-such-step" in done.stderr, "the failed step is not named", out)
    check("make test: help passed" in done.stdout, "the other step did not run", out)
    check("Careloop. Usage: make TARGET" in done.stdout, "a step's output is not shown", out)
    print("check-tooling: make test's runner runs every step and names the failed one")


def throwaway_postgres_is_removed_when_the_command_fails() -> None:
    probe = (
        "import os, psycopg\n"
        "with psycopg.connect(os.environ['CARELOOP_TEST_DATABASE_URL']) as conn:\n"
        "    print('server', conn.execute('SHOW server_version').fetchone()[0])\n"
        "raise SystemExit(3)\n"
    )
    done = run([str(SCRIPTS / "with-postgres.sh"), sys.executable, "-c", probe])
    out = done.stdout + done.stderr
    check(done.returncode == 3, f"with-postgres.sh exited {done.returncode}, not 3", out)
    check(re.search(r"^server \d+", done.stdout, re.M) is not None, "no live server", out)
    match = re.search(
        r"PostgreSQL cluster in (\S+) .*127\.0\.0\.1:(\d+)/careloop_test", done.stdout
    )
    check(match is not None, "with-postgres.sh did not name its cluster", out)
    cluster, port = Path(match[1]), int(match[2])
    check(not cluster.exists(), f"the cluster {cluster} was left behind")
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except ConnectionRefusedError:
        print("check-tooling: the throwaway PostgreSQL cluster is stopped and removed")
        return
    check(False, f"something still listens on port {port}")


def main() -> int:
    make_help_lists_the_targets()
    a_skipped_test_fails_the_run()
    the_step_runner_runs_every_step_and_names_the_failed_one()
    throwaway_postgres_is_removed_when_the_command_fails()
    return 0


if __name__ == "__main__":
    sys.exit(main())
