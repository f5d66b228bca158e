"""`python -m bench.compare OTHER`: this tree against another checkout, request by request.

Each tree serves on its own gunicorn (one worker, its own .venv, its own migrated SQLite
file; for the desk, its own cached large provider, bench/large.py), and the same requests go
to both in turn, the first of each pair alternating: a busy, shared machine then slows both
alike. Each row gives both trees' median wall ms and the median of the pairs' ratios (this
tree ÷ OTHER; above 1 is slower), then each server's mean CPU ms a request (its gunicorn's
own CPU, from /proc: steadier than wall time when other work shares the machine) and their
ratio. Push and pull are the sync bench's (bench/sync_bench.py):
creates at batch 100 and 500, retries and updates at 500, a first pull in pages of 1,000 and
an incremental pull of 100 changes; the desk rows are bench/desk.py's calls.
Make OTHER with `git worktree add ../old <commit> --detach && make -C ../old install`.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench import desk
from bench.client import Client, finding_creates, finding_updates
from bench.server import PASSWORD, SECRET, free_port
from bench.sync_bench import server_cpu

THIS = Path(__file__).resolve().parent.parent
SETUP = (
    "import json, sys; from pathlib import Path; from bench import large; "
    "from bench.server import make_template; w = make_template(Path(sys.argv[1])); "
    "print(json.dumps({'path': str(w.path), 'service': w.service_id, 'users': w.users, "
    "'large': str(large.cached_path())}))"
)


class Tree:
    """One checkout: its template world and, while started, its gunicorn."""

    def __init__(self, root: Path, workdir: Path):
        self.root, self.python = root, root / ".venv/bin/python"
        workdir.mkdir()
        out = subprocess.run(
            [str(self.python), "-c", SETUP, str(workdir)],
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root)},
            check=True,
            capture_output=True,
            text=True,
        )
        self.world = json.loads(out.stdout.strip().splitlines()[-1])
        self.proc = None

    def start(self, db: str) -> str:
        port = free_port()
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "SECRET_KEY": SECRET}
        self.proc = subprocess.Popen(
            [str(self.root / ".venv/bin/gunicorn"), "-w", "1", "-b", f"127.0.0.1:{port}"]
            + ["--timeout", "300", "--log-level", "warning", "server.wsgi:app"],
            cwd=self.root,
            env={**env, "PYTHONPATH": str(self.root)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                desk.requests.get(url + "/api/v1/health", timeout=10)
                return url
            except desk.requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"{self.root}: gunicorn did not start")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        self.proc.wait(timeout=30)

    def cpu(self) -> float:
        """CPU seconds of its gunicorn so far (its worker's own, not the machine's)."""
        return server_cpu(self.proc.pid)


TREES: list[Tree] = []


def paired(other, this, count: int) -> tuple[list, list]:
    """Call other(i) and this(i) for each i, the first of each pair alternating; return the
    pairs of wall ms and each server's mean CPU ms a call."""
    pairs, cpu = [], [0.0, 0.0]
    for i in range(count):
        order = [(0, other), (1, this)] if i % 2 == 0 else [(1, this), (0, other)]
        got = [0.0, 0.0]
        for slot, fn in order:
            before, began = TREES[slot].cpu(), time.perf_counter()
            fn(i)
            got[slot] = (time.perf_counter() - began) * 1000
            cpu[slot] += (TREES[slot].cpu() - before) * 1000 / count
        pairs.append(tuple(got))
    return pairs, cpu


def row(label: str, measured) -> str:
    pairs, (cpu_old, cpu_new) = measured
    old = statistics.median(p[0] for p in pairs)
    new = statistics.median(p[1] for p in pairs)
    ratio = statistics.median(p[1] / p[0] for p in pairs)
    line = (
        f"| {label} | {len(pairs)} | {old:,.1f} | {new:,.1f} | {ratio:.2f} "
        f"| {cpu_old:,.1f} | {cpu_new:,.1f} | {cpu_new / max(cpu_old, 1e-9):.2f} |"
    )
    print(line, flush=True)
    return line


def sync_rows(trees: list[Tree], n: int, incr: int, pulls: int) -> list[str]:
    try:
        urls = [t.start(t.world["path"]) for t in trees]
        sides = []
        for tree, url in zip(trees, urls, strict=True):
            users, service = tree.world["users"], tree.world["service"]
            c = {k: Client(url, users[k]["email"], PASSWORD, f"compare-{k}") for k in users}
            a = finding_creates(c["pusher"].device_id, users["pusher"]["id"], service, n, seed=1)
            b = finding_creates(c["puller"].device_id, users["puller"]["id"], service, n, seed=2)
            more = finding_creates(
                c["pusher"].device_id, users["pusher"]["id"], service, incr, seed=3, first_seq=n + 1
            )
            bodies = {
                "creates, batch 100": (c["pusher"], c["pusher"].encode(a, 100)),
                "creates, batch 500": (c["puller"], c["puller"].encode(b, 500)),
                "retries, batch 500": (c["puller"], c["puller"].encode(b, 500)),
                "updates, batch 500": (
                    c["puller"],
                    c["puller"].encode(finding_updates(b, first_seq=n + 1), 500),
                ),
                "more": (c["pusher"], c["pusher"].encode(more, 500)),
            }
            sides.append((c, bodies))
        rows = []
        for label in list(sides[0][1])[:4]:
            calls = [
                lambda i, who=s[1][label][0], bodies=s[1][label][1]: who.push_encoded([bodies[i]])
                for s in sides
            ]
            pairs = paired(*calls, len(sides[0][1][label][1]))
            rows.append(row(f"Push: {label} (ms a batch)", pairs))
        cursors = [s[0]["puller"].pull(0, 1000, n)[1] for s in sides]
        first = [lambda i, s=s: s[0]["puller"].pull(0, 1000, n) for s in sides]
        rows.append(row(f"Pull: first sync of {2 * n:,}, pages of 1,000", paired(*first, 3)))
        for c, bodies in sides:
            c["pusher"].push_encoded(bodies["more"][1])
        incr_pull = [
            lambda i, s=s, k=k: s[0]["puller"].pull(k, 1000, 5)
            for s, k in zip(sides, cursors, strict=True)
        ]
        rows.append(row(f"Pull: incremental, {incr} changes", paired(*incr_pull, pulls)))
        return rows
    finally:
        for tree in trees:
            tree.stop()


def desk_rows(trees: list[Tree], runs: int) -> list[str]:
    month = (date.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    sides = []
    try:
        for tree in trees:
            path = Path(tree.world["large"])
            who = desk._who(path)
            url = tree.start(str(path))
            sessions = {name: desk._session(url, who[name]) for name in ("ni", "rm")}
            sides.append((url, who, sessions))
        calls = [("Desk: /api/v1/health", "ni", "/api/v1/health")] + desk.CALLS
        rows = []
        for label, name, template in calls:
            fns = []
            for url, who, sessions in sides:
                target = url + template.format(service=desk._uuid(who["service"]), month=month)
                fns.append(lambda i, s=sessions[name], t=target: desk.timed(s, t, 1))
            rows.append(row(label, paired(*fns, runs)))
        return rows
    finally:
        for tree in trees:
            tree.stop()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__)
    ap.add_argument("other", type=Path, help="the other checkout (with its own .venv)")
    ap.add_argument("-n", type=int, default=4000, help="creates per push figure")
    ap.add_argument("--pulls", type=int, default=40, help="incremental pulls of each tree")
    ap.add_argument("--desk-runs", type=int, default=9, help="requests per desk call and tree")
    ap.add_argument("--only", default="sync,desk")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="careloop-compare-") as tmp:
        TREES[:] = [Tree(args.other.resolve(), Path(tmp, "other")), Tree(THIS, Path(tmp, "this"))]
        trees = TREES
        print(
            f"| figure | pairs | {args.other} ms | this tree ms | ratio | "
            f"{args.other} CPU ms | this tree CPU ms | CPU ratio |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        if "sync" in args.only:
            sync_rows(trees, args.n, 100, args.pulls)
        if "desk" in args.only:
            desk_rows(trees, args.desk_runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
