"""Push, retry and pull through the real HTTP API, and the same work on raw SQLite.

One run: a fresh copy of the migrated database behind gunicorn; one user pushes N creates in
batches of 100, a second user pushes N creates in batches of 500, pushes them all again
(retries), then N updates; the second user then pulls everything from cursor 0 in pages and,
after ``incr`` more creates, pulls just those. The baseline does the same rows on a fresh
copy with plain sqlite3. Request bodies are encoded before each timer starts.
"""

import os
import time
from dataclasses import dataclass
from pathlib import Path

from bench import baseline as raw
from bench.client import Client, finding_creates, finding_updates
from bench.server import PASSWORD, Server, World, copy_database


@dataclass
class Sizes:
    n: int = 10_000
    incr: int = 100
    page: int = 1000
    runs: int = 3


def _timed(fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - started


def server_cpu(pid: int) -> float:
    """CPU seconds of a gunicorn master and its workers (from /proc)."""
    pids, total, tick = [pid], 0.0, os.sysconf("SC_CLK_TCK")
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                pids += [int(p) for p in f.read().split()]
    except OSError:
        pass
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return total


def _push(client: Client, server, mutations: list, batch: int, log, label: str):
    bodies = client.encode(mutations, batch)
    cpu = server_cpu(server.proc.pid)
    counts, seconds = _timed(client.push_encoded, bodies)
    cpu = server_cpu(server.proc.pid) - cpu
    log(
        f"    {label}: {len(mutations) / seconds:,.0f} mutations/s ({seconds:.2f} s, "
        f"server CPU {cpu:.1f} s) {counts}"
    )
    return len(mutations) / seconds, counts


def careloop_run(world: World, workdir: Path, sizes: Sizes, run: int, log) -> dict:
    """Run every HTTP figure once on a fresh database; return {figure: value}."""
    db_path = copy_database(world.path, workdir / f"run{run}.db")
    with Server(db_path) as server:
        return http_run(server, world, sizes, run, log, lambda: raw.count_findings(db_path))


def http_run(server, world: World, sizes: Sizes, run: int, log, count_findings) -> dict:
    """Run every HTTP figure once against a started server; return {figure: value}.

    ``server`` has ``url`` and ``proc`` (its gunicorn master): bench.server.Server on SQLite or
    bench.load.Gunicorn on any URL. Only ``world.service_id`` and ``world.users`` are read.
    """
    out = {}
    pusher = _client(server, world, "pusher", run)
    puller = _client(server, world, "puller", run)
    a = finding_creates(
        pusher.device_id,
        world.users["pusher"]["id"],
        world.service_id,
        sizes.n,
        seed=1000 + run,
    )
    b = finding_creates(
        puller.device_id,
        world.users["puller"]["id"],
        world.service_id,
        sizes.n,
        seed=2000 + run,
    )
    out["push_100"], _ = _push(pusher, server, a, 100, log, "creates, batch 100")
    out["push_500"], _ = _push(puller, server, b, 500, log, "creates, batch 500")
    before = count_findings()
    out["retry_500"], counts = _push(puller, server, b, 500, log, "retries, batch 500")
    out["retry_added"] = count_findings() - before
    if out["retry_added"] != 0 or counts != {"duplicate": sizes.n}:
        raise AssertionError(f"the retry pass added {out['retry_added']} rows: {counts}")
    updates = finding_updates(b, first_seq=sizes.n + 1)
    out["update_500"], _ = _push(puller, server, updates, 500, log, "updates, batch 500")
    out.update(_pull(puller, world, sizes, run, log))
    pusher.close()
    puller.close()
    return out


def _client(server, world: World, name: str, run: int) -> Client:
    return Client(server.url, world.users[name]["email"], PASSWORD, f"bench-{name}-{run:04d}")


def _pull(client: Client, world: World, sizes: Sizes, run: int, log) -> dict:
    max_pages = sizes.n // sizes.page + 10
    (got, cursor, pages), first = _timed(client.pull, 0, sizes.page, max_pages)
    if got != sizes.n:
        raise AssertionError(f"the first pull returned {got} findings, expected {sizes.n}")
    log(f"    first pull: {got / first:,.0f} records/s ({first:.2f} s, {pages} pages)")
    more = finding_creates(
        client.device_id,
        world.users["puller"]["id"],
        world.service_id,
        sizes.incr,
        seed=3000 + run,
        first_seq=2 * sizes.n + 1,
    )
    client.push_encoded(client.encode(more, 500))
    (got, _, _), incr = _timed(client.pull, cursor, sizes.page, 5)
    if got != sizes.incr:
        raise AssertionError(f"the incremental pull returned {got}, expected {sizes.incr}")
    log(f"    incremental pull of {got}: {incr * 1000:.1f} ms")
    return {"pull_first": sizes.n / first, "pull_incr_ms": incr * 1000}


def baseline_run(world: World, workdir: Path, sizes: Sizes, run: int, log) -> dict:
    """The same rows with plain sqlite3 on a fresh copy; return {figure: value}."""
    db_path = copy_database(world.path, workdir / f"baseline{run}.db")
    return baseline_figures(raw.Baseline(db_path), raw.finding_rows, world, sizes, run, log)


def baseline_figures(base, finding_rows, world: World, sizes: Sizes, run: int, log) -> dict:
    """Time the baseline's writes and reads on ``base`` (closed at the end); return figures.

    ``base`` is bench.baseline.Baseline or bench.pg_baseline.PgBaseline; ``finding_rows`` is
    the matching builder of stored rows from mutations.
    """
    user = world.users["puller"]["id"]
    creates = finding_creates("baseline", user, world.service_id, sizes.n, seed=2000 + run)
    rows = finding_rows(creates, user)
    try:
        insert = base.insert(rows)
        before = base.count()
        retry = base.insert(rows, ignore=True)
        if base.count() != before:
            raise AssertionError("the ignoring insert added rows")
        update = base.update(rows)
        got, read = base.read(0, sizes.page)
        if got != sizes.n:
            raise AssertionError(f"the baseline read {got} rows, expected {sizes.n}")
        cursor = base.max_seq()
        more = finding_creates("baseline", user, world.service_id, sizes.incr, seed=3000 + run)
        base.insert(finding_rows(more, user, first_seq=cursor + 1))
        got, incr = base.read(cursor, sizes.page)
    finally:
        base.close()
    figures = {
        "insert": sizes.n / insert,
        "retry": sizes.n / retry,
        "update": sizes.n / update,
        "read": sizes.n / read,
        "read_incr_ms": incr * 1000,
    }
    log("    baseline: " + ", ".join(f"{k} {v:,.1f}" for k, v in figures.items()))
    return figures
