"""Careloop as a target of the peer harness (../shared/peers/peer_bench.py), and its server.

    python -m bench.peer_adapter start      # migrated SQLite + gunicorn on 127.0.0.1:8890
    python -m bench.peer_adapter args       # the harness's --target/--pid arguments
    python -m bench.peer_adapter stop       # stops that gunicorn by its recorded PID

The harness loads this file with `--target careloop=plugin:bench/peer_adapter.py@URL` and
calls make_target(url, args). Each harness run ("collection") signs in as a fresh carer, so
a pull from cursor 0 returns exactly that run's findings (a floor tablet pulls its own).
A peer record maps onto a finding: severity -> risk (critical -> high), the category leads
the description, the area is mapped onto the service's areas; recorded_by is the signed-in
user (server-owned), and the record's id becomes the finding's client-generated id.
"""

import json
import os
import signal
import sys
import time
import zlib
from pathlib import Path

# The harness loads this file by path from its own venv: make `bench` importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.client import AREAS, Client  # noqa: E402

HOME = Path(os.environ.get("CARELOOP_PEER_DIR", "/tmp/careloop-peer"))
PORT = int(os.environ.get("CARELOOP_PEER_PORT", "8890"))
USERS = 24  # fresh carers for up to 20 runs and the conflict probe
RISK = {"low": "low", "medium": "medium", "high": "high", "critical": "high"}


class CareloopTarget:
    """The methods of the harness's KintoTarget, over Careloop's sync API."""

    def __init__(self, url: str, world: dict):
        self.url, self.world = url, world
        self.used = 0
        self.client: Client | None = None
        self.author = None
        self.seq = 0

    def info(self):
        return {
            "server": "careloop",
            "database": "sqlite (WAL)",
            "workers": 1,
            "api": "/api/v1/sync push+pull, protocol 1",
        }

    def setup(self, tag):
        if self.used >= USERS:
            raise RuntimeError("no fresh carer left: restart with `peer_adapter start`")
        name = f"peer{self.used}"
        self.used += 1
        user = self.world["users"][name]
        self.client = Client(self.url, user["email"], self.world["password"], f"peer-{tag}"[:64])
        self.author, self.seq = user["id"], 0

    def teardown(self):
        # Findings are never hard-deleted (tombstones); the next run signs in as another carer.
        if self.client:
            self.client.close()
            self.client = None

    def close(self):
        self.teardown()

    def _mutation(self, rec: dict) -> dict:
        self.seq += 1
        area = AREAS[zlib.crc32(rec["area"].encode()) % len(AREAS)]
        return {
            "mutation_id": f"p-{rec['id']}",
            "device_id": self.client.device_id,
            "seq": self.seq,
            "entity_type": "finding",
            "entity_id": rec["id"],
            "op": "create",
            "author_id": self.author,
            "base_version": None,
            "changes": {
                "service_id": self.world["service_id"],
                "kind": "walkaround_issue",
                "area": area,
                "source": "walkaround",
                "description": f"{rec['category']}: {rec['description']}",
                "risk": RISK[rec["severity"]],
                "follow_up_needed": False,
                "recorded_at": rec["recorded_at"].replace("Z", "+00:00"),
            },
            "base_values": {},
            "device_time": rec["recorded_at"].replace("Z", "+00:00"),
            "transition": None,
        }

    def encode_batches(self, records, batch):
        return self.client.encode([self._mutation(r) for r in records], batch)

    def push_encoded(self, bodies, times=None):
        ok = 0
        for body in bodies:
            started = time.perf_counter()
            counts = self.client.push_encoded([body])
            if times is not None:
                times.append(time.perf_counter() - started)
            ok += counts.get("applied", 0)
        return ok

    def pull(self, since, page, max_pages):
        return self.client.pull(since, page, max_pages)

    def conflict_probe(self, rec_id):
        """Two devices' stale edits of one finding's description, alone and in a batch."""
        url = f"{self.client.url}/sync/pull"
        r = self.client.http.get(
            url,
            params={
                "cursor": 0,
                "limit": 1000,
                "protocol_version": 1,
                "device_id": self.client.device_id,
            },
        )
        record = next(c["record"] for c in r.json()["changes"] if c["id"] == rec_id)

        def edit(n, text, base):
            return {
                "mutation_id": f"probe-{n}-{rec_id}",
                "device_id": self.client.device_id,
                "seq": self.seq + n,
                "entity_type": "finding",
                "entity_id": rec_id,
                "op": "update",
                "author_id": self.author,
                "base_version": 1,
                "changes": {"description": text},
                "base_values": {"description": base},
            }

        base = record["description"]
        first = edit(1, "Checked and fixed", base)
        stale = edit(2, "Still broken", base)
        out = {}
        for name, batch in (
            ("update_with_current_base", [first]),
            ("update_with_stale_base", [stale]),
            ("stale_update_sent_again", [stale]),
        ):
            r = self.client.http.post(
                f"{self.client.url}/sync/push",
                timeout=60,
                json={
                    "protocol_version": 1,
                    "device_id": self.client.device_id,
                    "mutations": batch,
                },
            )
            out[name] = {
                "http_status": r.status_code,
                "result": json.dumps(r.json()["results"][0])[:400],
            }
        return out


def make_target(url, args):
    """The harness's entry point: a Careloop target for a server started by `start`."""
    world = json.loads((HOME / "world.json").read_text())
    return CareloopTarget(url, world)


def start() -> None:
    """Build a migrated database with fresh carers and start gunicorn; record its PID."""
    from bench.server import PASSWORD, Server, copy_database, make_template

    HOME.mkdir(parents=True, exist_ok=True)
    world = make_template(HOME, names=[f"peer{n}" for n in range(USERS)])
    db_path = copy_database(world.path, HOME / "careloop.db")
    server = Server(db_path, port=PORT)
    (HOME / "world.json").write_text(
        json.dumps(
            {
                "service_id": world.service_id,
                "users": world.users,
                "password": PASSWORD,
                "url": server.url,
                "pid": server.pid,
            }
        )
    )
    print(
        f"Careloop on {server.url} (gunicorn PID {server.pid}); "
        "`python -m bench.peer_adapter stop` stops it."
    )


def harness_args() -> str:
    world = json.loads((HOME / "world.json").read_text())
    here = Path(__file__).resolve()
    return f"--target careloop=plugin:{here}@{world['url']} --pid careloop={_worker(world)}"


def _worker(world: dict) -> str:
    pids = [str(world["pid"])]
    try:
        for task in os.listdir(f"/proc/{world['pid']}/task"):
            pids += Path(f"/proc/{world['pid']}/task/{task}/children").read_text().split()
    except OSError:
        pass
    return ",".join(pids)


def stop() -> None:
    world = json.loads((HOME / "world.json").read_text())
    try:
        os.kill(world["pid"], signal.SIGTERM)
        print(f"Stopped gunicorn PID {world['pid']}.")
    except ProcessLookupError:
        print("Careloop was not running.")


if __name__ == "__main__":
    commands = {"start": start, "stop": stop, "args": lambda: print(harness_args())}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        raise SystemExit("usage: python -m bench.peer_adapter start|args|stop")
    commands[sys.argv[1]]()
