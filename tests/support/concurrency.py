"""Helpers for the concurrency tests: signed-in clients, pushes, worker threads, and
waiting for a worker to commit or block on a lock (tests/test_sync_concurrency.py)."""

import threading
import uuid

import pytest
from sqlalchemy import text

from server.extensions import db
from server.findings.models import Finding
from server.syncing import pull as pulling

PROTOCOL = 1
WAIT = 30  # seconds: only ever reached when a test is already failing


def signed_in(app, user):
    """Return a new test client signed in as ``user``, with a registered device."""
    client = app.test_client()
    with app.app_context():  # its own flask.g: CSRF tokens are cached there
        response = client.post(
            "/api/v1/auth/login", json={"email": user.email, "password": "correct horse battery"}
        )
        assert response.status_code == 200, response.get_json()
        client.csrf_token = response.get_json()["csrf_token"]
        device = client.post(
            "/api/v1/sync/devices",
            json={"installation_id": f"tablet-{user.id}", "protocol_version": PROTOCOL},
        )
    assert device.status_code == 200, device.get_json()
    client.device_id = device.get_json()["device_id"]
    client.user = user
    return client


def push(client, mutations: list[dict]) -> list[dict]:
    """Push mutations as a request of its own (its own app context and session)."""
    with client.application.app_context():
        response = client.post(
            "/api/v1/sync/push",
            json={
                "protocol_version": PROTOCOL,
                "device_id": client.device_id,
                "mutations": mutations,
            },
        )
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


def new_finding(client, service, description, seq=1) -> dict:
    entity_id = str(uuid.uuid4())
    return {
        "mutation_id": f"create-{entity_id}",
        "device_id": client.device_id,
        "seq": seq,
        "entity_type": "finding",
        "entity_id": entity_id,
        "op": "create",
        "author_id": str(client.user.id),
        "changes": {
            "service_id": str(service.id),
            "kind": "walkaround_issue",
            "area": "Lounge",
            "source": "walkaround",
            "description": description,
            "recorded_at": "2026-11-27T09:00:00+00:00",
        },
    }


def risk_edit(client, entry, risk) -> dict:
    return {
        "mutation_id": f"risk-{risk}",
        "device_id": client.device_id,
        "seq": 1,
        "entity_type": "log_entry",
        "entity_id": str(entry.id),
        "op": "update",
        "author_id": str(client.user.id),
        "base_version": entry.version,
        "changes": {"risk": risk},
        "base_values": {"risk": entry.risk},
    }


class Worker(threading.Thread):
    """Run ``work()`` in a thread named ``name``; keep its result, or its error."""

    def __init__(self, name, work, before=None):
        super().__init__(name=name, daemon=True)
        self.work, self.before = work, before
        self.result = self.error = None
        self.started_work, self.done = threading.Event(), threading.Event()

    def run(self):
        try:
            if self.before:
                self.before()
            self.started_work.set()
            self.result = self.work()
        except BaseException as exc:  # raised again by finish()
            self.error = exc
        finally:
            self.done.set()

    def finish(self):
        self.join(WAIT)
        assert not self.is_alive(), f"{self.name} is stuck"
        if self.error:
            raise self.error
        return self.result


def holding(thread_name: str, at: int = 1):
    """Return (hook, held, release): the hook makes ``thread_name``'s ``at``-th change
    number allocation wait, with its transaction open, until ``release`` is set."""
    held, release, count = threading.Event(), threading.Event(), []

    def hook(first, last):
        if threading.current_thread().name == thread_name:
            count.append(first)
            if len(count) == at:
                held.set()
                assert release.wait(WAIT)

    return hook, held, release


def waiting_for_a_lock() -> bool:
    """Tell whether some PostgreSQL backend is waiting for a lock another one holds."""
    with db.engine.connect() as connection:
        return bool(
            connection.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar_one()
        )


def until_committed_or_blocked(worker: Worker) -> None:
    """Wait until ``worker`` has committed its push, or waits behind another writer.

    PostgreSQL gives no notice when a backend starts waiting for a lock, so this polls
    pg_locks; the test's verdict never depends on how long anything takes. On SQLite a
    write request takes the database's write lock at BEGIN IMMEDIATE, before any change:
    a worker that has started is already behind the writer holding it.
    """
    assert worker.started_work.wait(WAIT)
    if db.engine.dialect.name != "postgresql":
        return
    for _ in range(WAIT * 100):
        if worker.done.wait(0.01) or waiting_for_a_lock():
            return
    pytest.fail(f"{worker.name} neither committed nor waited for a lock")


def _until(condition) -> bool:
    """Poll ``condition`` until it holds (True), or give up after WAIT seconds (False)."""
    for _ in range(WAIT * 100):
        if condition():
            return True
        threading.Event().wait(0.01)
    return False


def pulled(user, cursor):
    """Pull as ``user`` from ``cursor`` to the end; return (finding ids seen, cursor)."""
    seen = []
    while True:
        db.session.rollback()  # read what is committed now, not an older snapshot
        body = pulling.pull(user, cursor, 2)
        seen += [c["id"] for c in body["changes"] if c["entity_type"] == "finding"]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            db.session.rollback()
            return seen, cursor


def change_seqs() -> list[int]:
    db.session.rollback()
    return [f.change_seq for f in db.session.scalars(db.select(Finding))]
