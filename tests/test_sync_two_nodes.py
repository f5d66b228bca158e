"""Two app nodes on one database, tablets pushing and managers editing the same findings
at the desk at the same moment: no worker timeout, no 5xx, every change landed once.

Two gunicorn processes (the app nodes, two workers each) serve the test database on
127.0.0.1. Two tablets push edits of the same findings that two managers edit at the desk,
each client switching node on every request, for a bounded time. Before one lock order
(docs/deployment.md, "One lock order on PostgreSQL"), a push (row locks, then the change counter) and
a desk edit (the counter, then the row lock) deadlocked on PostgreSQL, and both answered
500. This is the PostgreSQL test: on the SQLite leg (one writer at a time, no deadlock to
find) it runs for a few seconds only, with the same checks.
"""

import itertools
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from seed import factories as f
from server.audit.models import AuditEvent
from server.audit.services import Actor
from server.extensions import db
from server.findings.models import Finding
from server.findings.services import record_finding
from server.syncing.models import Receipt, SyncConflict

pytestmark = pytest.mark.db

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
PROTOCOL = 1
PASSWORD = "correct horse battery"
FINDINGS = 4
TIMEOUT = 10  # gunicorn's worker timeout: a request stuck this long is killed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Node:
    """One app node: gunicorn with two workers, its log kept in a file."""

    def __init__(self, database_url: str, log: Path):
        self.port, self.log = free_port(), log
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FLASK_APP")}
        env.update(
            DATABASE_URL=database_url, SECRET_KEY="two-nodes-test-secret", PYTHONUNBUFFERED="1"
        )
        with log.open("w") as out:
            self.process = subprocess.Popen(
                [
                    str(GUNICORN),
                    "-w",
                    "2",
                    "-b",
                    f"127.0.0.1:{self.port}",
                    "--timeout",
                    str(TIMEOUT),
                    "server.wsgi:app",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.url = f"http://127.0.0.1:{self.port}/api/v1"

    def wait(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if requests.get(f"{self.url}/health", timeout=30).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                pass
            time.sleep(0.2)
        pytest.fail(f"node on {self.port} did not answer:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(5)


@pytest.fixture
def nodes(app, tmp_path):
    db.session.commit()  # the nodes must not wait for this test's transaction
    started = [
        Node(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / f"node-{n}.log") for n in (1, 2)
    ]
    try:
        for node in started:
            node.wait()
        yield started
    finally:
        for node in started:
            node.stop()


class Client:
    """A signed-in HTTP session that uses the nodes in turn; it notes every 5xx."""

    def __init__(self, nodes, user):
        self.user, self.http = user, requests.Session()
        self.turn = itertools.cycle(nodes)
        self.errors: list[str] = []
        node = next(self.turn)
        token = self.http.get(f"{node.url}/auth/csrf").json()["csrf_token"]
        signed = self.http.post(
            f"{node.url}/auth/login",
            headers={"X-CSRF-Token": token},
            json={"email": user.email, "password": PASSWORD},
        )
        assert signed.status_code == 200, signed.text
        self.http.headers["X-CSRF-Token"] = signed.json()["csrf_token"]

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        node = next(self.turn)
        response = self.http.request(method, f"{node.url}{path}", timeout=TIMEOUT * 3, **kwargs)
        if response.status_code >= 500:
            self.errors.append(
                f"{method} {path} on {node.port}: {response.status_code} {response.text[:300]}"
            )
        return response


class Tablet(Client):
    """Pushes edits of every finding, in a random order, until time is up."""

    def __init__(self, nodes, user, name):
        super().__init__(nodes, user)
        self.name, self.seq, self.outcomes = name, 0, {}
        device = self.call(
            "POST",
            "/sync/devices",
            json={"installation_id": f"tablet-{name}", "protocol_version": 1},
        )
        assert device.status_code == 200, device.text
        self.device_id = device.json()["device_id"]
        self.seen: dict[str, dict] = {}  # finding id -> the copy this tablet last saw

    def edit(self, finding_id: str) -> dict:
        self.seq += 1
        copy = self.seen[finding_id]
        return {
            "mutation_id": f"{self.name}-{self.seq}",
            "device_id": self.device_id,
            "seq": self.seq,
            "entity_type": "finding",
            "entity_id": finding_id,
            "op": "update",
            "author_id": str(self.user.id),
            "base_version": copy["version"],
            "changes": {"description": f"{self.name} edit {self.seq}"},
            "base_values": {"description": copy["description"]},
        }

    def run(self, ids: list[str], until: float) -> None:
        while time.monotonic() < until:
            batch = [self.edit(i) for i in random.sample(ids, len(ids))]
            body = {"protocol_version": PROTOCOL, "device_id": self.device_id, "mutations": batch}
            response = self.call("POST", "/sync/push", json=body)
            while response.status_code != 200 and time.monotonic() < until + 2 * TIMEOUT:
                time.sleep(0.2)  # a refused push: the outbox keeps it and sends it again
                response = self.call("POST", "/sync/push", json=body)
            assert response.status_code == 200, response.text
            for mutation, result in zip(batch, response.json()["results"], strict=True):
                self.outcomes[mutation["mutation_id"]] = result
                if result["status"] in ("applied", "merged"):
                    text = mutation["changes"]["description"]
                    self.seen[mutation["entity_id"]] = {
                        "version": result["version"],
                        "description": text,
                    }
                else:  # a conflict: read what the server kept before editing again
                    self.seen[mutation["entity_id"]] = self.read(mutation["entity_id"])

    def read(self, finding_id: str) -> dict:
        got = self.call("GET", f"/findings/{finding_id}")
        assert got.status_code == 200, got.text
        return {k: got.json()[k] for k in ("version", "description")}


class Desk(Client):
    """Reads a finding and edits its description, one finding after another."""

    def __init__(self, nodes, user, name):
        super().__init__(nodes, user)
        self.name, self.answers = name, []  # (text, status)

    def run(self, ids: list[str], until: float) -> None:
        for n in itertools.count():
            if time.monotonic() >= until:
                return
            finding_id = random.choice(ids)
            got = self.call("GET", f"/findings/{finding_id}")
            assert got.status_code == 200, got.text
            text = f"{self.name} edit {n}"
            edit = self.call(
                "PATCH",
                f"/findings/{finding_id}",
                json={"base_version": got.json()["version"], "description": text},
            )
            self.answers.append((text, edit.status_code))


def run_all(clients, ids, seconds: float) -> None:
    until = time.monotonic() + seconds
    failures: list[BaseException] = []

    def work(client):
        try:
            client.run(ids, until)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 6 * TIMEOUT)
        assert not thread.is_alive(), "a client is stuck"
    if failures:
        raise failures[0]


def test_pushes_and_desk_edits_of_the_same_findings_on_two_nodes_all_land_once(app, world, nodes):
    carer = world.users["senior_carer"]
    actor = Actor(carer, "sync")
    ids = [
        str(
            record_finding(
                actor,
                world.home,
                {
                    "kind": "walkaround_issue",
                    "area": "Lounge",
                    "source": "walkaround",
                    "description": f"Finding {n}",
                },
            ).id
        )
        for n in range(FINDINGS)
    ]
    deputy = f.make_user(world.provider, "deputy_manager", world.home)
    db.session.commit()
    tablets = [
        Tablet(nodes, world.users[role], role) for role in ("registered_manager", "senior_carer")
    ]
    for tablet in tablets:
        tablet.seen = {i: tablet.read(i) for i in ids}
    desks = [
        Desk(nodes, user, name)
        for user, name in ((world.users["registered_manager"], "desk-rm"), (deputy, "desk-dm"))
    ]
    seconds = 12 if db.engine.dialect.name == "postgresql" else 3

    run_all(tablets + desks, ids, seconds)

    errors = [e for client in tablets + desks for e in client.errors]
    assert errors == []
    logs = "".join(node.log.read_text() for node in nodes)
    assert "WORKER TIMEOUT" not in logs and "Traceback" not in logs, logs[-4000:]
    # Not even one deadlock to retry: the lock order, not the retry, keeps the nodes up.
    assert "lost to a lock" not in logs, logs[-4000:]
    db.session.rollback()  # read what the nodes committed
    pushed = {m: r for tablet in tablets for m, r in tablet.outcomes.items()}
    assert pushed and {r["status"] for r in pushed.values()} <= {"applied", "merged", "conflict"}
    receipts = {r.mutation_id: r.outcome["status"] for r in db.session.scalars(db.select(Receipt))}
    assert receipts == {m: r["status"] for m, r in pushed.items()}  # one receipt each
    updates = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.entity_type == "finding", AuditEvent.action == "update"
        )
    ).all()
    by_mutation = [e.mutation_id for e in updates if e.mutation_id]
    landed = sorted(m for m, r in pushed.items() if r["status"] != "conflict")
    assert sorted(by_mutation) == landed  # each landed push edit written once
    kept = sorted(c.mutation_id for c in db.session.scalars(db.select(SyncConflict)))
    assert kept == sorted(m for m, r in pushed.items() if r["status"] == "conflict")
    desk_texts = sorted(e.changes["description"][1] for e in updates if not e.mutation_id)
    answers = [a for desk in desks for a in desk.answers]
    assert answers and {status for _, status in answers} <= {200, 409}
    assert desk_texts == sorted(text for text, status in answers if status == 200)
    versions = {str(x.id): x.version for x in db.session.scalars(db.select(Finding))}
    writes = {i: sum(1 for e in updates if e.entity_id == i) for i in ids}
    assert versions == {i: 1 + writes[i] for i in ids}  # every write moved its version once
