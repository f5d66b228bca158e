"""The benchmark's quick mode still runs end to end and prints its one table (no timings)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROWS = [
    "Push: 200 finding creates, batch 100",
    "Push: 200 finding creates, batch 500",
    "Push: 200 finding updates, batch 500",
    "Retries: the same 200 creates again, batch 500",
    "Retries: finding rows added",
    "Pull: first sync of 200, pages of 50",
    "Pull: incremental, 20 changes",
]


def test_quick_bench_prints_every_row_and_the_retry_pass_adds_no_rows():
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("| figure | unit | Careloop (median) | runs |")
    cells = {
        line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]] for line in lines[2:]
    }
    assert list(cells) == ROWS
    assert cells["Retries: finding rows added"] == ["rows", "0", "1", "0", "-"]
    for name in ROWS:
        unit, mine, runs, base, ratio = cells[name]
        assert runs == "1"
        assert float(mine.replace(",", "")) >= 0 and float(base.replace(",", "")) >= 0
    assert "{'duplicate': 200}" in done.stderr
