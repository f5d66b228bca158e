"""Push, retries and pull through the real HTTP API on PostgreSQL, against raw psycopg.

The PostgreSQL counterpart of bench/sync_bench.py. Each run empties the database, migrates
it with `flask db upgrade`, adds the bench's service and two carers (bench.server's
_seed_world), and times the same work through gunicorn with one worker, as the SQLite
figures do; then empties, migrates and seeds it again and times the same rows with plain
psycopg (bench/pg_baseline.py). The rows returned by pg_rows go into `python -m bench`'s table.

    scripts/with-postgres.sh .venv/bin/python -c "from bench.pg_sync import main; main()"
"""

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from bench import pg
from bench import pg_baseline as raw
from bench.load import Gunicorn, env_for
from bench.server import ROOT, VENV_BIN, World
from bench.sync_bench import Sizes, baseline_figures, http_run

WRITES = "raw PostgreSQL executemany"
RETRIES = "raw PostgreSQL executemany, ON CONFLICT DO NOTHING"
READS = "raw PostgreSQL SELECT pages"
# (figure key, label, unit, baseline key, baseline label); None: the figure has no baseline.
FIGURES = [
    (
        "push_100",
        "Push on PostgreSQL: {n:,} finding creates, batch 100",
        "mutations/s",
        "insert",
        WRITES,
    ),
    (
        "push_500",
        "Push on PostgreSQL: {n:,} finding creates, batch 500",
        "mutations/s",
        "insert",
        WRITES,
    ),
    (
        "update_500",
        "Push on PostgreSQL: {n:,} finding updates, batch 500",
        "mutations/s",
        "update",
        WRITES,
    ),
    (
        "retry_500",
        "Retries on PostgreSQL: the same {n:,} creates again, batch 500",
        "mutations/s",
        "retry",
        RETRIES,
    ),
    ("retry_added", "Retries on PostgreSQL: finding rows added", "rows", None, None),
    (
        "pull_first",
        "Pull on PostgreSQL: first sync of {n:,}, pages of {page:,}",
        "records/s",
        "read",
        READS,
    ),
    (
        "pull_incr_ms",
        "Pull on PostgreSQL: incremental, {incr:,} changes",
        "ms",
        "read_incr_ms",
        READS,
    ),
]
NO_POSTGRES = f"PostgreSQL figures left out: {pg.ENV} is not a PostgreSQL URL"


def prepare(database_url: str) -> World:
    """Empty and migrate the database; add the bench's service and carers; return them."""
    pg.reset(database_url)
    env = env_for(database_url)
    _run([str(VENV_BIN / "flask"), "--app", "server", "db", "upgrade"], env)
    code = (
        "import json, sys\nfrom bench.server import _seed_world\n"
        "print(json.dumps(_seed_world(sys.argv[1:])))\n"
    )
    out = _run([sys.executable, "-c", code, "pusher", "puller"], env)
    info = json.loads(out.strip().splitlines()[-1])
    # No template file on PostgreSQL: the HTTP and baseline runs read only the ids.
    return World(path=None, service_id=info["service_id"], users=info["users"])


def _run(command: list[str], env: dict) -> str:
    """Run ``command`` in the project; return its output, or raise with its error output."""
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def careloop_run(database_url: str, workdir: Path, sizes: Sizes, run: int, log) -> dict:
    """Run every HTTP figure once through gunicorn (one worker) on an emptied database."""
    world = prepare(database_url)
    server = Gunicorn(database_url, 1, workdir / f"pg-run{run}.gunicorn.log")
    try:
        return http_run(server, world, sizes, run, log, lambda: raw.count_findings(database_url))
    finally:
        server.stop()


def baseline_run(database_url: str, sizes: Sizes, run: int, log) -> dict:
    """The same rows with plain psycopg on an emptied, migrated database; return figures."""
    world = prepare(database_url)
    return baseline_figures(raw.PgBaseline(database_url), raw.finding_rows, world, sizes, run, log)


def pg_rows(database_url: str, sizes: Sizes, log) -> list[tuple]:
    """Run the PostgreSQL figures ``sizes.runs`` times; return one row per figure.

    Each row is (label, unit, careloop_median, runs, baseline_label, baseline_median); the
    baseline cells are None for "finding rows added", whose expected value is 0.
    """
    workdir = Path(tempfile.mkdtemp(prefix="careloop-pg-bench-"))
    careloop, baseline = [], []
    for run in range(sizes.runs):
        log(f"PostgreSQL run {run + 1} of {sizes.runs} (n={sizes.n:,})")
        careloop.append(careloop_run(database_url, workdir, sizes, run, log))
        baseline.append(baseline_run(database_url, sizes, run, log))
    shutil.rmtree(workdir, ignore_errors=True)  # kept (with gunicorn's log) when a run fails
    rows = []
    for key, label, unit, base_key, base_label in FIGURES:
        mine = statistics.median(r[key] for r in careloop)
        theirs = statistics.median(r[base_key] for r in baseline) if base_key else None
        name = label.format(n=sizes.n, page=sizes.page, incr=sizes.incr)
        rows.append((name, unit, mine, len(careloop), base_label, theirs))
    return rows


def table(rows: list[tuple]) -> str:
    """Return ``rows`` as a markdown table with each figure's ratio to its baseline."""
    lines = [
        "| figure | unit | Careloop (median) | runs | baseline | baseline (median) "
        "| ratio Careloop/baseline |",
        "|---|---|---:|---:|---|---:|---:|",
    ]
    for label, unit, mine, runs, base_label, theirs in rows:
        fmt = "{:,.1f}" if unit == "ms" else "{:,.0f}"
        base = "-" if theirs is None else fmt.format(theirs)
        ratio = "-" if theirs is None else f"{mine / theirs:.3f}"
        lines.append(
            f"| {label} | {unit} | {fmt.format(mine)} | {runs} | {base_label or '-'} "
            f"| {base} | {ratio} |"
        )
    return "\n".join(lines)


@contextmanager
def scratch_database(database_url: str, name: str):
    """Create database ``name`` beside ``database_url``'s; yield its URL; drop it after.

    The test suite benchmarks in a database of its own so that emptying it per run leaves
    the tests' migrated database alone.
    """
    import psycopg
    from sqlalchemy.engine import make_url

    with psycopg.connect(raw.conninfo(database_url), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(raw.conninfo(database_url), autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv=None) -> int:
    """Print the PostgreSQL rows (quick sizes unless --full) or say why there are none."""
    ap = argparse.ArgumentParser(prog="bench.pg_sync", description=__doc__)
    ap.add_argument("--full", action="store_true", help="make bench's sizes (10,000; 3 runs)")
    ap.add_argument("-n", type=int, help="records per push")
    ap.add_argument("--runs", type=int, help="runs per figure")
    args = ap.parse_args(argv if argv is not None else [])
    sizes = Sizes() if args.full else Sizes(n=200, incr=20, page=50, runs=1)
    sizes.n, sizes.runs = args.n or sizes.n, args.runs or sizes.runs

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    database_url = pg.url()
    if database_url is None:
        log(NO_POSTGRES)
        return 0
    print(table(pg_rows(database_url, sizes, log)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
