"""The PostgreSQL benchmark's quick mode still runs end to end (no timings are asserted).

On the PostgreSQL leg of `make test` it benchmarks in a scratch database beside the tests'
own (each run empties its database); on the SQLite leg there is no PostgreSQL, and the
bench says so and prints no rows.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from bench import pg
from bench.client import finding_creates
from bench.pg_baseline import finding_rows
from bench.pg_sync import NO_POSTGRES, pg_rows, scratch_database
from bench.sync_bench import Sizes

pytestmark = pytest.mark.db

ROOT = Path(__file__).resolve().parent.parent
LABELS = [
    "Push on PostgreSQL: 200 finding creates, batch 100",
    "Push on PostgreSQL: 200 finding creates, batch 500",
    "Push on PostgreSQL: 200 finding updates, batch 500",
    "Retries on PostgreSQL: the same 200 creates again, batch 500",
    "Retries on PostgreSQL: finding rows added",
    "Pull on PostgreSQL: first sync of 200, pages of 50",
    "Pull on PostgreSQL: incremental, 20 changes",
]
MAIN = "import sys; from bench.pg_sync import main; sys.exit(main())"


def _main(env_url: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != pg.ENV}
    if env_url is not None:
        env[pg.ENV] = env_url
    return subprocess.run([sys.executable, "-c", MAIN], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_without_a_postgresql_url_the_bench_prints_no_rows_and_says_why(tmp_path):
    done = _main(f"sqlite:///{tmp_path / 'x.db'}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == ""
    assert done.stderr.strip() == NO_POSTGRES
    assert not (tmp_path / "x.db").exists()


def test_quick_pg_bench_returns_every_row_on_postgresql_and_none_on_sqlite():
    url = pg.url()
    if url is None:  # the SQLite leg: the inherited environment has no PostgreSQL
        done = _main(os.environ.get(pg.ENV))
        assert (done.returncode, done.stdout, done.stderr.strip()) == (0, "", NO_POSTGRES)
        return
    logged = []
    with scratch_database(url, "careloop_bench_smoke") as scratch:
        rows = pg_rows(scratch, Sizes(n=200, incr=20, page=50, runs=1), logged.append)
    assert [r[0] for r in rows] == LABELS
    assert [r[1] for r in rows] == ["mutations/s"] * 4 + ["rows", "records/s", "ms"]
    added = rows[LABELS.index("Retries on PostgreSQL: finding rows added")]
    assert added[1:] == ("rows", 0, 1, None, None)
    for label, _unit, mine, runs, base_label, theirs in rows:
        if label != added[0]:
            assert runs == 1 and mine > 0 and theirs > 0
            assert base_label.startswith("raw PostgreSQL")
    assert "    retries, batch 500: " in "\n".join(logged)
    assert any(line.endswith("{'duplicate': 200}") for line in logged)


def test_baseline_rows_hold_the_pushed_values_in_postgresql_types():
    service, author = str(uuid.uuid4()), str(uuid.uuid4())
    creates = finding_creates("device", author, service, 3, seed=7)
    rows = finding_rows(creates, author, first_seq=41)
    assert [r["id"] for r in rows] == [uuid.UUID(m["entity_id"]) for m in creates]
    assert {r["service_id"] for r in rows} == {uuid.UUID(service)}
    assert {r["recorded_by"] for r in rows} == {uuid.UUID(author)}
    assert [r["change_seq"] for r in rows] == [41, 42, 43]
    assert [r["follow_up_needed"] for r in rows] == [m["changes"]["follow_up_needed"]
                                                     for m in creates]
    assert rows[0]["recorded_at"].isoformat() == creates[0]["changes"]["recorded_at"]
    assert rows[0]["description"] == creates[0]["changes"]["description"]
