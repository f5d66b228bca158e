"""A first sync of many records: 100,000 findings pulled over HTTP, against raw SQLite reads.

Pushing 100,000 findings through the API first would make this part minutes long, so the
rows are written straight into a copy of the migrated database with the baseline's own
`executemany` (numbered 1..N in `change_seq`, the change counter set to N, as the server
would leave them). Only the pull is timed: the puller's tablet pulls from cursor 0 in pages
until nothing is left, and exactly N findings must come back. The baseline reads the same
rows from another copy with paged SELECTs.
"""

import sqlite3
import statistics
import time
from pathlib import Path

from bench import baseline as raw
from bench.client import Client, finding_creates
from bench.server import PASSWORD, Server, World, copy_database


def _fill(path: Path, world: World, n: int) -> None:
    """Write ``n`` of the puller's findings into the database at ``path``."""
    puller = world.users["puller"]["id"]
    creates = finding_creates("bench-bigpull", puller, world.service_id, n, seed=4242)
    writer = raw.Baseline(path)
    writer.insert(raw.finding_rows(creates, puller))
    writer.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE change_counter SET value = ?", (n,))


def big_pull_rows(world: World, workdir: Path, n: int, runs: int, page: int, log) -> list[tuple]:
    """Return one table row: the median first-pull rate of ``n`` records, with its baseline."""
    mine, theirs = [], []
    for run in range(runs):
        path = copy_database(world.path, workdir / f"bigpull-{run}.db")
        _fill(path, world, n)
        with Server(path) as server:
            client = Client(
                server.url, world.users["puller"]["email"], PASSWORD, f"bench-bigpull-{run:04d}"
            )
            began = time.perf_counter()
            got, _cursor, pages = client.pull(0, page, n // page + 10)
            seconds = time.perf_counter() - began
            client.close()
        if got != n:
            raise AssertionError(f"the first pull of {n:,} returned {got:,} findings")
        mine.append(n / seconds)
        log(f"    first pull of {n:,}: {n / seconds:,.0f} records/s ({pages} pages)")
        base = copy_database(world.path, workdir / f"bigpull-base-{run}.db")
        _fill(base, world, n)
        reader = raw.Baseline(base)
        got, seconds = reader.read(0, page)
        reader.close()
        theirs.append(got / seconds)
    return [
        (
            f"Pull: first sync of {n:,}, pages of {page:,}",
            "records/s",
            statistics.median(mine),
            runs,
            "raw SQLite, same rows",
            statistics.median(theirs),
        )
    ]


def _add(path: Path, world: World, first_seq: int, n: int) -> None:
    """Write ``n`` more of the puller's findings, numbered from ``first_seq`` (as a push would)."""
    puller = world.users["puller"]["id"]
    creates = finding_creates("bench-bigpull", puller, world.service_id, n, seed=first_seq)
    writer = raw.Baseline(path)
    writer.insert(raw.finding_rows(creates, puller, first_seq=first_seq))
    writer.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE change_counter SET value = ?", (first_seq + n - 1,))


def pull_only(
    world: World, workdir: Path, n: int, incr: int, page: int, repeat: int, run: int, log
) -> dict:
    """One first pull of ``n`` and ``repeat`` incremental pulls of ``incr``; return figures."""
    from bench.sync_bench import server_cpu

    path = copy_database(world.path, workdir / f"pullonly-{run}.db")
    _fill(path, world, n)
    with Server(path) as server:
        client = Client(
            server.url, world.users["puller"]["email"], PASSWORD, f"bench-pullonly-{run:04d}"
        )
        cpu, began = server_cpu(server.pid), time.perf_counter()
        got, cursor, pages = client.pull(0, page, n // page + 10)
        seconds, cpu = time.perf_counter() - began, server_cpu(server.pid) - cpu
        if got != n:
            raise AssertionError(f"the first pull of {n:,} returned {got:,} findings")
        _add(path, world, n + 1, incr)
        times, cpu_incr = [], server_cpu(server.pid)
        for _ in range(repeat):
            began = time.perf_counter()
            got, _, _ = client.pull(cursor, page, 5)
            times.append(time.perf_counter() - began)
            if got != incr:
                raise AssertionError(f"the incremental pull returned {got}, expected {incr}")
        cpu_incr = server_cpu(server.pid) - cpu_incr
        client.close()
    out = {
        "first": n / seconds,
        "first_cpu_per_record_us": cpu / n * 1e6,
        "incr_ms": statistics.median(times) * 1000,
        "incr_cpu_ms": cpu_incr / repeat * 1000,
    }
    log(
        f"    first pull of {n:,}: {out['first']:,.0f} records/s ({pages} pages, server CPU "
        f"{cpu:.2f} s, {out['first_cpu_per_record_us']:.1f} us a record); incremental of "
        f"{incr}: median {out['incr_ms']:.1f} ms of {repeat}, server CPU "
        f"{out['incr_cpu_ms']:.1f} ms a pull"
    )
    return out


def main(argv=None) -> int:
    """`python -m bench.bigpull`: the pull alone over HTTP (first sync, then incremental)."""
    import argparse
    import shutil
    import sys
    import tempfile

    from bench.server import make_template

    ap = argparse.ArgumentParser(prog="python -m bench.bigpull", description=main.__doc__)
    ap.add_argument("-n", type=int, default=10_000, help="findings of the first pull")
    ap.add_argument("--incr", type=int, default=100, help="changes of the incremental pull")
    ap.add_argument("--page", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=20, help="incremental pulls per run")
    args = ap.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    workdir = Path(tempfile.mkdtemp(prefix="careloop-bigpull-"))
    try:
        world = make_template(workdir)
        runs = [
            pull_only(world, workdir, args.n, args.incr, args.page, args.repeat, run, log)
            for run in range(args.runs)
        ]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    for key in runs[0]:
        print(f"{key}: median {statistics.median(r[key] for r in runs):,.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
