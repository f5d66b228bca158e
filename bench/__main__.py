"""`python -m bench`: time push, retries and pull over HTTP against raw SQLite; print one table.

`python -m bench --quick` runs tiny sizes once (the smoke test of `make test` uses it).
"""

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

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
HEADER = (
    "| figure | unit | Careloop (median) | runs | baseline: raw SQLite (median) "
    "| ratio Careloop/baseline |"
)


def _fmt(value: float, unit: str) -> str:
    if unit == "ms":
        return f"{value:,.1f}"
    return f"{value:,.0f}"


def table(careloop: list[dict], baseline: list[dict], sizes: Sizes) -> str:
    """Return the markdown table of medians, with each figure's baseline and ratio."""
    lines = [HEADER, "|---|---|---:|---:|---:|---:|"]
    for key, label, unit, base_key in FIGURES:
        mine = statistics.median(r[key] for r in careloop)
        if base_key:
            theirs = statistics.median(r[base_key] for r in baseline)
            base, ratio = _fmt(theirs, unit), f"{mine / theirs:.3f}"
        else:
            base, ratio = "0", "-"
        name = label.format(n=sizes.n, page=sizes.page, incr=sizes.incr)
        lines.append(
            f"| {name} | {unit} | {_fmt(mine, unit)} | {len(careloop)} | {base} | {ratio} |"
        )
    return "\n".join(lines)


def parse(argv) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="tiny sizes, one run (smoke test)")
    ap.add_argument("-n", type=int, help="records per push (default 10000; quick 200)")
    ap.add_argument("--runs", type=int, help="runs per figure (default 3; quick 1)")
    ap.add_argument("--json", help="also write every run's figures to this file")
    ap.add_argument("--keep", action="store_true", help="keep the temporary databases")
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

    workdir = Path(tempfile.mkdtemp(prefix="careloop-bench-"))
    started = time.perf_counter()
    try:
        world = make_template(workdir)
        careloop, baseline = [], []
        for run in range(sizes.runs):
            log(f"run {run + 1} of {sizes.runs} (n={sizes.n:,})")
            careloop.append(careloop_run(world, workdir, sizes, run, log))
            baseline.append(baseline_run(world, workdir, sizes, run, log))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(table(careloop, baseline, sizes))
    log(
        f"bench: {time.perf_counter() - started:.0f} s; databases in {workdir}"
        + ("" if args.keep else " (removed)")
    )
    if args.json:
        Path(args.json).write_text(
            json.dumps({"sizes": vars(sizes), "careloop": careloop, "baseline": baseline}, indent=1)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
