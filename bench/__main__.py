"""`python -m bench`: every benchmark of issue 7, each figure beside a baseline from the same run.

Push, retries and pull over HTTP against raw SQLite (and the same on PostgreSQL when
scripts/with-postgres.sh provides one), many tablets at once against gunicorn with two
workers, the PWA's shell and offline start, the capture of one finding from a cold start
(bench/capture.py), the desk and report calls on the large provider, and the evidence
pack PDF of the demo's Ashdown House (bench/pack.py). `python -m bench --quick` runs tiny
sizes once (the smoke test of `make test`).
"""

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.bigpull import big_pull_rows
from bench.extra import extra_rows
from bench.server import make_template
from bench.sync_bench import Sizes, baseline_run, careloop_run

# (key, label, unit, baseline key); a None baseline key means the figure has no baseline.
FIGURES = [
    ("push_100", "Push: {n:,} finding creates, batch 100", "mutations/s", "insert"),
    ("push_500", "Push: {n:,} finding creates, batch 500", "mutations/s", "insert"),
    ("update_500", "Push: {n:,} finding updates, batch 500", "mutations/s", "update"),
    ("retry_500", "Retries: the same {n:,} creates again, batch 500", "mutations/s", "retry"),
    ("retry_added", "Retries: finding rows added", "rows", None),
    ("pull_first", "Pull: first sync of {n:,}, pages of {page:,}", "records/s", "read"),
    ("pull_incr_ms", "Pull: incremental, {incr:,} changes", "ms", "read_incr_ms"),
]
HEADER = "| figure | unit | Careloop (median) | runs | baseline | baseline (median) | ratio |"
RAW_SQLITE = "raw SQLite, same rows"


def _fmt(value: float, unit: str) -> str:
    if unit == "ms":
        return f"{value:,.1f}"
    if unit == "s":
        return f"{value:,.3f}"
    return f"{value:,.0f}"


def sync_rows(careloop: list[dict], baseline: list[dict], sizes: Sizes) -> list[tuple]:
    """The push, retry and pull figures as rows: (label, unit, median, runs, base label, base)."""
    rows = []
    for key, label, unit, base_key in FIGURES:
        mine = statistics.median(r[key] for r in careloop)
        theirs = statistics.median(r[base_key] for r in baseline) if base_key else None
        name = label.format(n=sizes.n, page=sizes.page, incr=sizes.incr)
        rows.append((name, unit, mine, len(careloop), RAW_SQLITE if base_key else None, theirs))
    return rows


def table(rows: list[tuple]) -> str:
    """Return the markdown table: each figure, its baseline and the ratio of the two."""
    lines = [HEADER, "|---|---|---:|---:|---|---:|---:|"]
    for name, unit, mine, runs, base_label, base in rows:
        if base_label is None or base is None:
            cells = ["-", "-", "-"]
        else:
            ratio = f"{mine / base:.3f}" if base else "-"
            cells = [base_label, _fmt(base, unit), ratio]
        lines.append(
            f"| {name} | {unit} | {_fmt(mine, unit)} | {runs} | " + " | ".join(cells) + " |"
        )
    return "\n".join(lines)


def parse(argv) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="tiny sizes, one run (smoke test)")
    ap.add_argument("-n", type=int, help="records per push (default 10000; quick 200)")
    ap.add_argument("--runs", type=int, help="runs per figure (default 3; quick 1)")
    ap.add_argument("--json", help="also write every run's figures to this file")
    ap.add_argument("--keep", action="store_true", help="keep the temporary databases")
    ap.add_argument(
        "--only",
        default="sync,pg,load,pwa,desk,pack",
        help="comma list of parts to run (default: all)",
    )
    return ap.parse_args(argv)


def main(argv=None) -> int:
    args = parse(argv)
    sizes = Sizes(n=200, incr=20, page=50, runs=1) if args.quick else Sizes()
    sizes.n = args.n or sizes.n
    sizes.runs = args.runs or sizes.runs
    if not (1 <= sizes.runs <= 10 and 10 <= sizes.n <= 100_000):
        raise SystemExit("--runs must be 1-10 and -n 10-100000")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    parts = set(args.only.split(","))
    workdir = Path(tempfile.mkdtemp(prefix="careloop-bench-"))
    started = time.perf_counter()
    rows, record = [], {"sizes": vars(sizes)}
    try:
        if "sync" in parts:
            world = make_template(workdir)
            careloop, baseline = [], []
            for run in range(sizes.runs):
                log(f"run {run + 1} of {sizes.runs} (n={sizes.n:,})")
                careloop.append(careloop_run(world, workdir, sizes, run, log))
                baseline.append(baseline_run(world, workdir, sizes, run, log))
            rows += sync_rows(careloop, baseline, sizes)
            # The second first-sync size: ten times n (100,000 by default).
            rows += big_pull_rows(world, workdir, sizes.n * 10, sizes.runs, sizes.page, log)
            record.update(careloop=careloop, baseline=baseline)
        rows += extra_rows(parts, workdir, sizes, args.quick, log)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(table(rows))
    log(
        f"bench: {time.perf_counter() - started:.0f} s; databases in {workdir}"
        + ("" if args.keep else " (removed)")
    )
    if args.json:
        record["rows"] = rows
        Path(args.json).write_text(json.dumps(record, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
