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
            client = Client(server.url, world.users["puller"]["email"], PASSWORD,
                            f"bench-bigpull-{run:04d}")
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
    return [(f"Pull: first sync of {n:,}, pages of {page:,}", "records/s",
             statistics.median(mine), runs, "raw SQLite, same rows", statistics.median(theirs))]
