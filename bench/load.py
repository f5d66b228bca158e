"""Load: many tablets syncing at once against gunicorn with two workers, on SQLite or PostgreSQL.

Each simulated tablet signs in as its own senior carer and binds a device (all of them
before the clock starts), then every ``interval`` seconds pushes a batch of new findings and pulls what changed, as the floor
app does, for ``duration`` seconds. Tablets start spread over the first interval. A push
that fails is retried with the same mutations, as the app's outbox does, so the check at
the end (every mutation landed exactly once) covers retries too.

The tablets are threads in one client process: on a 2-core machine the client competes
with the two workers for the CPU, so the latencies are an upper bound.
"""

import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bench.client import Client, finding_creates
from bench.server import ROOT, SECRET, VENV_BIN, free_port

PASSWORD = "careloop load password"


@dataclass
class LoadSizes:
    tablets: int = 200
    services: int = 50
    duration: float = 120.0
    interval: float = 30.0
    batch: int = 10


@dataclass
class Tally:
    """Latencies and errors from every tablet, gathered under one lock."""

    push_ms: list = field(default_factory=list)
    pull_ms: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float) -> None:
        with self.lock:
            (self.push_ms if kind == "push" else self.pull_ms).append(ms)

    def fail(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


def env_for(database_url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "PYTHONPATH": str(ROOT),
    }


def prepare(database_url: str, sizes: LoadSizes) -> dict:
    """Migrate an empty database and add the services and one carer per tablet."""
    env = env_for(database_url)
    subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "server", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    code = (
        "import json, sys\nfrom bench.load import _seed\n"
        "print(json.dumps(_seed(int(sys.argv[1]), int(sys.argv[2]))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(sizes.tablets), str(sizes.services)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _seed(tablets: int, services: int) -> dict:
    """Create the provider, its services and the carers (one password hash, reused)."""
    from seed.factories import make_provider, make_service, make_user
    from server import create_app
    from server.accounts.services import hash_password
    from server.extensions import db

    app = create_app()
    with app.app_context():
        provider = make_provider("Load Care Group")
        homes = [make_service(provider, f"Load House {i + 1}") for i in range(services)]
        secret = hash_password(PASSWORD)
        carers = []
        for i in range(tablets):
            home = homes[i % services]
            user = make_user(
                provider,
                "senior_carer",
                home,
                email=f"tablet{i}@load.example",
                password_hash=secret,
            )
            carers.append({"email": user.email, "id": str(user.id), "service_id": str(home.id)})
        db.session.commit()
        return {"carers": carers}


def _sign_in(n: int, url: str, carer: dict, tally: Tally, clients: dict) -> None:
    """Sign in and bind a device, as a tablet does once at the start of a shift."""
    try:
        clients[n] = Client(url, carer["email"], PASSWORD, f"load-{n}-{uuid.uuid4()}")
    except Exception as exc:  # noqa: BLE001 (a failed sign-in is an error to report)
        tally.fail(f"tablet {n} sign-in: {exc}")


def _all_signed_in(url: str, carers: list, tally: Tally) -> dict:
    """Sign every tablet in before the clock starts: logins hash passwords on purpose
    slowly, and 200 at once are the start of a shift, not the sync load being measured."""
    clients: dict = {}
    threads = [
        threading.Thread(target=_sign_in, args=(n, url, carer, tally, clients))
        for n, carer in enumerate(carers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return clients


def _tablet(
    n: int,
    client: Client,
    carer: dict,
    sizes: LoadSizes,
    start_at: float,
    stop_at: float,
    tally: Tally,
    sent: list,
) -> None:
    """Push a batch and pull, every interval, until ``stop_at``."""
    cursor, seq, cycle = 0, 1, 0
    while True:
        wake = start_at + cycle * sizes.interval
        if wake >= stop_at:
            break
        time.sleep(max(0.0, wake - time.monotonic()))
        # Seeds stay positive and apart: random.Random(-x) is random.Random(x).
        batch = finding_creates(
            client.device_id,
            carer["id"],
            carer["service_id"],
            sizes.batch,
            seed=(n + 2) * 100_000 + cycle,
            first_seq=seq,
        )
        seq += sizes.batch
        body = client.encode(batch, sizes.batch)
        for _attempt in range(5):  # the outbox retries the same mutations
            began = time.perf_counter()
            try:
                client.push_encoded(body)
            except Exception as exc:  # noqa: BLE001
                tally.fail(f"tablet {n} push: {exc}")
                continue
            tally.add("push", (time.perf_counter() - began) * 1000)
            break
        sent.extend(m["entity_id"] for m in batch)
        began = time.perf_counter()
        try:
            _got, cursor, _pages = client.pull(cursor, 1000, 50)
            tally.add("pull", (time.perf_counter() - began) * 1000)
        except Exception as exc:  # noqa: BLE001
            tally.fail(f"tablet {n} pull: {exc}")
        cycle += 1
    client.close()


class Gunicorn:
    """gunicorn with ``workers`` workers on ``database_url``, on a free loopback port."""

    def __init__(self, database_url: str, workers: int, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log, "w")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "120",
                "--log-level",
                "warning",
                "server.wsgi:app",
            ],
            cwd=ROOT,
            env=env_for(database_url),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.url}/api/v1/health", timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not start; see {log}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def count_landed(database_url: str, ids: list[str]) -> tuple[int, int]:
    """Return (finding rows in all, distinct rows among ``ids``), read in a subprocess."""
    code = (
        "import json, sys, uuid\nfrom server import create_app\nfrom server.extensions import db\n"
        "from server.findings.models import Finding\n"
        "ids = [uuid.UUID(i) for i in json.load(sys.stdin)]\n"
        "with create_app().app_context():\n"
        "    total = db.session.query(Finding).count()\n"
        "    mine = sum(db.session.query(Finding).filter(Finding.id.in_(ids[i:i + 500])).count()"
        " for i in range(0, len(ids), 500))\n"
        "print(json.dumps([total, mine]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env_for(database_url),
        input=json.dumps(ids),
        check=True,
        capture_output=True,
        text=True,
    )
    total, mine = json.loads(out.stdout.strip().splitlines()[-1])
    return total, mine


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def load_run(database_url: str, sizes: LoadSizes, workdir: Path, log=print) -> dict:
    """Run the load against a fresh database at ``database_url``; return the figures."""
    world = prepare(database_url, sizes)
    server = Gunicorn(database_url, 2, workdir / "load-gunicorn.log")
    tally, sent = Tally(), []
    try:
        # The baseline: one tablet alone on the same idle server, a few quick cycles.
        solo = Tally()
        alone = LoadSizes(tablets=1, services=1, duration=2.5, interval=0.5, batch=sizes.batch)
        first = world["carers"][0]
        lone = Client(server.url, first["email"], PASSWORD, f"load-alone-{uuid.uuid4()}")
        began = time.monotonic()
        _tablet(-1, lone, first, alone, began, began + alone.duration, solo, sent)
        clients = _all_signed_in(server.url, world["carers"], tally)
        start_at = time.monotonic() + 1
        stop_at = start_at + sizes.duration
        threads = []
        for n, carer in enumerate(world["carers"]):
            if n not in clients:
                continue
            offset = sizes.interval * n / max(1, sizes.tablets)
            threads.append(
                threading.Thread(
                    target=_tablet,
                    daemon=True,
                    args=(n, clients[n], carer, sizes, start_at + offset, stop_at, tally, sent),
                )
            )
        for thread in threads:
            thread.start()
        log(f"load: {sizes.tablets} tablets for {sizes.duration:.0f} s")
        for thread in threads:
            thread.join(timeout=sizes.duration + 300)
    finally:
        server.stop()
    total, mine = count_landed(database_url, sent)
    both, alone_ms = tally.push_ms + tally.pull_ms, solo.push_ms + solo.pull_ms
    return {
        "solo_p50_ms": statistics.median(alone_ms) if alone_ms else float("nan"),
        "solo_p95_ms": _percentile(alone_ms, 0.95),
        "solo_errors": len(solo.errors),
        "requests": len(both),
        "errors": len(tally.errors),
        "error_samples": tally.errors[:5],
        "p50_ms": statistics.median(both) if both else float("nan"),
        "p95_ms": _percentile(both, 0.95),
        "push_p95_ms": _percentile(tally.push_ms, 0.95),
        "pull_p95_ms": _percentile(tally.pull_ms, 0.95),
        "mutations_sent": len(sent),
        "rows": total,
        "landed": mine,
        "landed_once": total == mine == len(sent),
    }
