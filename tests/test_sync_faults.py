"""A real server process killed in the middle of a push, then the same push again: nothing
lost, nothing doubled.

The server runs in a subprocess on 127.0.0.1 against the test database. Started with the
crash_after_commit fault (tests.support.faulty_server), it ends itself right after the
push's transaction commits and before the response leaves: the tablet never hears back.
Restarted without the fault, it answers the tablet's retry of the very same push.
"""

import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
import requests

from server.audit.models import AuditEvent
from server.extensions import db
from server.findings.models import Finding
from server.syncing.models import Receipt
from tests.support.faulty_server import CRASH_AFTER_COMMIT, CRASH_EXIT_CODE

pytestmark = pytest.mark.db

PROTOCOL = 1
WAIT = 60  # seconds: only ever reached when a test is already failing
ROOT = Path(__file__).resolve().parents[1]  # where `tests.support` imports from


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A Careloop server process; ``url`` once it listens (its log says so)."""

    def __init__(self, database_url: str, instance: str, fault: str | None = None):
        port = free_port()
        env = {
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "fault-test-secret",
            "PYTHONUNBUFFERED": "1",
        }
        self.url = f"http://127.0.0.1:{port}"
        self.log: list[str] = []
        self.ready = threading.Event()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.faulty_server", instance, str(port)]
            + ([fault] if fault else []),
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._reader = threading.Thread(target=self._read_log, daemon=True)
        self._reader.start()
        assert self.ready.wait(WAIT), "".join(self.log)
        assert self.process.poll() is None, "".join(self.log)

    def _read_log(self):
        # Read until the server says it listens (or dies), then keep the pipe drained.
        for line in self.process.stderr:
            self.log.append(line)
            if "Running on" in line:
                self.ready.set()
        self.ready.set()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(WAIT)
        self._reader.join(WAIT)
        self.process.stderr.close()


@pytest.fixture
def servers(app, tmp_path):
    """Start servers on the test database; stop every one at the end."""
    started: list[Server] = []

    def start(fault=None) -> Server:
        db.session.rollback()  # the server's writes must not wait for this test's reads
        server = Server(app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path / "instance"), fault)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


class Tablet:
    """A tablet's HTTP session: signed in, CSRF token in hand, device registered."""

    def __init__(self, user):
        self.user = user
        self.http = requests.Session()
        self.device_id = None

    def sign_in(self, server: Server) -> None:
        token = self.http.get(f"{server.url}/api/v1/auth/csrf").json()["csrf_token"]
        response = self.http.post(
            f"{server.url}/api/v1/auth/login",
            json={"email": self.user.email, "password": "correct horse battery"},
            headers={"X-CSRF-Token": token},
        )
        assert response.status_code == 200, response.text
        self.http.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        device = self.http.post(
            f"{server.url}/api/v1/sync/devices",
            json={"installation_id": "tablet-0001", "protocol_version": PROTOCOL},
        )
        assert device.status_code == 200, device.text
        self.device_id = device.json()["device_id"]

    def push(self, server: Server, mutations: list[dict]) -> requests.Response:
        return self.http.post(
            f"{server.url}/api/v1/sync/push",
            json={
                "protocol_version": PROTOCOL,
                "device_id": self.device_id,
                "mutations": mutations,
            },
            timeout=WAIT,
        )


def outbox(tablet: Tablet, service) -> list[dict]:
    """Two findings recorded offline, then an edit of the first one."""
    ids = [str(uuid.uuid4()) for _ in range(2)]

    def create(seq, entity_id, description):
        return {
            "mutation_id": f"m-{seq}",
            "device_id": tablet.device_id,
            "seq": seq,
            "entity_type": "finding",
            "entity_id": entity_id,
            "op": "create",
            "author_id": str(tablet.user.id),
            "changes": {
                "service_id": str(service.id),
                "kind": "walkaround_issue",
                "area": "Lounge",
                "source": "walkaround",
                "description": description,
                "recorded_at": "2026-11-27T09:00:00+00:00",
            },
            "device_time": "2026-11-27T09:00:00+00:00",
        }

    return [
        create(1, ids[0], "Call bell out of reach in room 4"),
        create(2, ids[1], "Wet floor by the kitchen door"),
        {
            "mutation_id": "m-3",
            "device_id": tablet.device_id,
            "seq": 3,
            "entity_type": "finding",
            "entity_id": ids[0],
            "op": "update",
            "author_id": str(tablet.user.id),
            "base_version": 1,
            "changes": {"description": "Call bell out of reach in room 4; moved back"},
            "base_values": {"description": "Call bell out of reach in room 4"},
        },
    ]


def stored() -> dict:
    """Return what the database holds: findings, receipts and audit events per mutation."""
    db.session.rollback()  # a fresh read of what the server committed
    findings = {
        str(f.id): (f.description, f.version) for f in db.session.scalars(db.select(Finding))
    }
    receipts = sorted(
        (r.mutation_id, r.outcome["status"]) for r in db.session.scalars(db.select(Receipt))
    )
    events = sorted(
        (e.mutation_id, e.action)
        for e in db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.mutation_id.is_not(None))
        )
    )
    db.session.rollback()
    return {"findings": findings, "receipts": receipts, "events": events}


@pytest.fixture
def tablet(world):
    tablet = Tablet(world.users["senior_carer"])
    yield tablet
    tablet.http.close()


def test_a_push_whose_response_was_lost_in_a_crash_is_applied_once_when_sent_again(
    servers, tablet, world
):
    crashing = servers(CRASH_AFTER_COMMIT)
    tablet.sign_in(crashing)
    mutations = outbox(tablet, world.home)

    with pytest.raises(requests.ConnectionError):
        tablet.push(crashing, mutations)  # committed, then the process died: no answer
    assert crashing.process.wait(WAIT) == CRASH_EXIT_CODE

    first, second = mutations[0]["entity_id"], mutations[1]["entity_id"]
    after_crash = stored()
    assert after_crash == {
        "findings": {
            first: ("Call bell out of reach in room 4; moved back", 2),
            second: ("Wet floor by the kitchen door", 1),
        },
        "receipts": [("m-1", "applied"), ("m-2", "applied"), ("m-3", "applied")],
        "events": [("m-1", "create"), ("m-2", "create"), ("m-3", "update")],
    }

    restarted = servers()
    retry = tablet.push(restarted, mutations)  # the tablet kept its outbox: same ids
    assert retry.status_code == 200, retry.text
    results = retry.json()["results"]
    assert [(r["status"], r["mutation_id"], r["first"]["status"]) for r in results] == [
        ("duplicate", "m-1", "applied"),
        ("duplicate", "m-2", "applied"),
        ("duplicate", "m-3", "applied"),
    ]
    assert retry.json()["last_acknowledged"] == {"mutation_id": "m-3", "seq": 3}
    assert stored() == after_crash  # nothing lost, nothing doubled
