"""`make bench-smoke`: the benchmarks still run end to end at tiny sizes (no speed is checked).

`python -m bench.smoke sqlite` runs `python -m bench --quick` without PostgreSQL: push,
retries and pull against raw SQLite, the load test on gunicorn with two workers, the PWA and
the capture of one finding in Chromium, the desk and report calls on a small provider of the large shape. It checks that
every row is printed, retries add nothing, every mutation landed once and no request failed;
and that the PostgreSQL bench, given no PostgreSQL, prints no rows and says why.

`python -m bench.smoke postgresql` (under scripts/with-postgres.sh) runs the PostgreSQL push,
retries and pull at tiny sizes in a scratch database and checks every row.
Exits non-zero, naming what differs, on any failure.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import pg
from bench.pg_sync import NO_POSTGRES, pg_rows, scratch_database
from bench.pwa import shell_bytes
from bench.sync_bench import Sizes

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
CAPTURE = [
    "Capture: taps to record one finding from a cold start (typing not counted)",
    "Capture: cold start to a usable finding form",
    "Capture: Save to queued in the outbox",
]
DESK = [
    "Desk: filtered log list (open, overdue, high risk)",
    "Desk: log search, whole provider",
    "Desk: log search, a common phrase",
    "Desk: early warnings, 50 services",
    "Desk: oversight dashboard, 50 services",
    "Reports: monthly governance report, provider-wide (JSON)",
    "Reports: monthly governance report, one service (PDF)",
]
PACK = [
    "Reports: evidence pack PDF, demo's Ashdown House, 14 days",
    "Reports: evidence pack PDF, 14 days, CPU time of the process",
    "Reports: evidence pack asked again, nothing changed (cache hit)",
]
HEADER = "| figure | unit | Careloop (median) | runs | baseline | baseline (median) | ratio |"
PG_LABELS = [
    "Push on PostgreSQL: 200 finding creates, batch 100",
    "Push on PostgreSQL: 200 finding creates, batch 500",
    "Push on PostgreSQL: 200 finding updates, batch 500",
    "Retries on PostgreSQL: the same 200 creates again, batch 500",
    "Retries on PostgreSQL: finding rows added",
    "Pull on PostgreSQL: first sync of 200, pages of 50",
    "Pull on PostgreSQL: incremental, 20 changes",
]
PG_MAIN = "import sys; from bench.pg_sync import main; sys.exit(main())"


def check(ok: bool, what: str, detail: str = "") -> None:
    if not ok:
        raise SystemExit(f"bench smoke: {what}\n{detail[-3000:]}")


def _without_postgres() -> dict:
    return {k: v for k, v in os.environ.items() if k != pg.ENV}


def quick_bench() -> None:
    """The whole quick bench on SQLite prints every row, and every mutation lands once."""
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=_without_postgres(),
    )
    check(done.returncode == 0, f"python -m bench --quick exited {done.returncode}", done.stderr)
    lines = done.stdout.strip().splitlines()
    check(lines[0] == HEADER, "the table's header changed", done.stdout)
    cells = {
        line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]] for line in lines[2:]
    }
    expected = (
        SYNC
        + [
            "PostgreSQL figures: not run (no PostgreSQL here)",
            f"{LOAD}: p50 latency",
            f"{LOAD}: p95 latency",
            f"{LOAD}: errors",
            f"{LOAD}: mutations landed exactly once",
            f"PWA: app shell, {shell_bytes()['files']} files, gzipped",
            "PWA: offline start to a usable finding form",
        ]
        + CAPTURE
        + DESK
        + PACK
    )
    check(list(cells) == expected, f"rows differ: {list(cells)} != {expected}", done.stderr)
    check(
        cells["Retries: finding rows added"] == ["rows", "0", "1", "-", "-", "-"],
        f"retries added rows: {cells['Retries: finding rows added']}",
    )
    check(cells[f"{LOAD}: errors"][1] == "0", f"load errors: {cells[f'{LOAD}: errors']}")
    landed = cells[f"{LOAD}: mutations landed exactly once"]
    check(landed[1] == landed[4] and landed[5] == "1.000", f"not landed once: {landed}")
    for name in SYNC[:4] + SYNC[5:] + DESK + PACK:  # every figure with a baseline
        _unit, mine, runs, base_label, base, _ratio = cells[name]
        check(runs == "1" and base_label != "-", f"{name}: {cells[name]}")
        check(
            float(mine.replace(",", "")) > 0 and float(base.replace(",", "")) > 0,
            f"{name}: a figure is not positive: {cells[name]}",
        )
    for name in CAPTURE:  # taps counted, both times measured
        check(float(cells[name][1].replace(",", "")) > 0, f"{name}: {cells[name]}")
    check("{'duplicate': 200}" in done.stderr, "the retries were not all duplicates", done.stderr)
    print("bench smoke: quick bench on SQLite, every row and every mutation once")


def pg_bench_without_postgres() -> None:
    """Given a SQLite URL, the PostgreSQL bench prints no rows, says why, and creates nothing."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**_without_postgres(), pg.ENV: f"sqlite:///{tmp}/x.db"}
        done = subprocess.run(
            [sys.executable, "-c", PG_MAIN],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        check(done.returncode == 0, "the PostgreSQL bench failed without PostgreSQL", done.stderr)
        check(
            done.stdout == "", "the PostgreSQL bench printed rows without PostgreSQL", done.stdout
        )
        check(done.stderr.strip() == NO_POSTGRES, "it did not say why", done.stderr)
        check(not Path(tmp, "x.db").exists(), "it created the SQLite file")
    print("bench smoke: the PostgreSQL bench without PostgreSQL prints no rows and says why")


def pg_bench() -> None:
    """The PostgreSQL push, retries and pull at tiny sizes give every row."""
    url = pg.url()
    check(url is not None, f"no PostgreSQL in {pg.ENV}: run under scripts/with-postgres.sh")
    logged = []
    with scratch_database(url, "careloop_bench_smoke") as scratch:
        rows = pg_rows(scratch, Sizes(n=200, incr=20, page=50, runs=1), logged.append)
    check([r[0] for r in rows] == PG_LABELS, f"rows differ: {[r[0] for r in rows]}")
    check(
        [r[1] for r in rows] == ["mutations/s"] * 4 + ["rows", "records/s", "ms"],
        f"units differ: {[r[1] for r in rows]}",
    )
    added = rows[PG_LABELS.index("Retries on PostgreSQL: finding rows added")]
    check(added[1:] == ("rows", 0, 1, None, None), f"retries added rows: {added}")
    for label, _unit, mine, runs, base_label, theirs in rows:
        if label != added[0]:
            check(runs == 1 and mine > 0 and theirs > 0, f"{label}: {mine}, {theirs}")
            check(base_label.startswith("raw PostgreSQL"), f"{label}: baseline {base_label}")
    log = "\n".join(logged)
    check("    retries, batch 500: " in log, "no retries line in the log", log)
    check(
        any(line.endswith("{'duplicate': 200}") for line in logged),
        "the retries were not all duplicates",
        log,
    )
    print("bench smoke: the PostgreSQL bench, every row")


def main(argv: list[str]) -> int:
    legs = {"sqlite": [quick_bench, pg_bench_without_postgres], "postgresql": [pg_bench]}
    if len(argv) != 1 or argv[0] not in legs:
        print("usage: python -m bench.smoke sqlite|postgresql", file=sys.stderr)
        return 2
    for step in legs[argv[0]]:
        step()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
