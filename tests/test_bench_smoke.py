"""The benchmark's quick mode still runs end to end and prints its one table (no timings).

Every part runs at tiny sizes: push, retries and pull against raw SQLite, the load test on
gunicorn with two workers, the PWA in Chromium, and the desk and report calls on a small
provider of the large shape. Only facts are asserted (every row is there, retries add
nothing, every mutation landed once, no request failed), never a speed.
"""

import subprocess
import sys
from pathlib import Path

from bench.pwa import shell_bytes

ROOT = Path(__file__).resolve().parent.parent
SYNC = [
    "Push: 200 finding creates, batch 100",
    "Push: 200 finding creates, batch 500",
    "Push: 200 finding updates, batch 500",
    "Retries: the same 200 creates again, batch 500",
    "Retries: finding rows added",
    "Pull: first sync of 200, pages of 50",
    "Pull: incremental, 20 changes",
    "Pull: first sync of 2,000, pages of 50",
]
LOAD = "Load on SQLite: 4 tablets, gunicorn 2 workers"
DESK = [
    "Desk: filtered log list (open, overdue, high risk)",
    "Desk: log search, whole provider",
    "Desk: log search, a common phrase",
    "Desk: early warnings, 50 services",
    "Desk: oversight dashboard, 50 services",
    "Reports: monthly governance report, provider-wide (JSON)",
    "Reports: monthly governance report, one service (PDF)",
]


def test_quick_bench_prints_every_row_and_every_mutation_lands_once():
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={k: v for k, v in __import__("os").environ.items()
             if k != "CARELOOP_TEST_DATABASE_URL"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    assert lines[0] == "| figure | unit | Careloop (median) | runs | baseline | baseline (median) | ratio |"
    cells = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]]
             for line in lines[2:]}
    assert list(cells) == SYNC + [
        "PostgreSQL figures: not run (no PostgreSQL here)",
        f"{LOAD}: p50 latency", f"{LOAD}: p95 latency", f"{LOAD}: errors",
        f"{LOAD}: mutations landed exactly once",
        f"PWA: app shell, {shell_bytes()['files']} files, gzipped",
        "PWA: offline start to a usable finding form",
    ] + DESK, done.stderr[-3000:]
    assert cells["Retries: finding rows added"] == ["rows", "0", "1", "-", "-", "-"]
    assert cells[f"{LOAD}: errors"][1] == "0"
    landed = cells[f"{LOAD}: mutations landed exactly once"]
    assert landed[1] == landed[4] and landed[5] == "1.000"
    for name in SYNC[:4] + SYNC[5:] + DESK:  # every figure with a baseline
        unit, mine, runs, base_label, base, ratio = cells[name]
        assert runs == "1" and base_label != "-"
        assert float(mine.replace(",", "")) > 0 and float(base.replace(",", "")) > 0
    assert "{'duplicate': 200}" in done.stderr
