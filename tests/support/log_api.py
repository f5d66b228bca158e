"""Fixtures and helpers shared by the tests of the log's JSON API."""

from datetime import timedelta

import pytest

from server.audit.models import AuditEvent
from server.common import dates
from server.extensions import db
from server.log.models import CarryForward, EvidenceRef, LogEntry, Note

GOOD = "Deputy manager audits 10 MAR charts every Friday and records the result"


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def written() -> tuple:
    db.session.expire_all()
    return tuple(count(m) for m in (LogEntry, AuditEvent, Note, EvidenceRef, CarryForward))


def body(world, **fields) -> dict:
    data = {
        "service_id": str(world.home.id),
        "concern": "Fluid charts are not completed after lunch",
        "source": "audit",
        "risk": "medium",
        "decision": GOOD,
        "owner_id": str(world.users["senior_carer"].id),
        "due_date": (dates.london_today() + timedelta(days=7)).isoformat(),
        "evidence_needed": "Weekly MAR audit results",
        "statement_ids": ["saf-2023:S1"],
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not ...}


@pytest.fixture
def rm_client(world, login):
    return login(world.users["registered_manager"])


@pytest.fixture
def entry(world, rm_client):
    """An entry created through the API by the registered manager (as JSON)."""

    def _entry(**fields):
        response = rm_client.post("/api/v1/entries", json=body(world, **fields))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return _entry


def act(client, entry, action, **extra):
    return client.post(
        f"/api/v1/entries/{entry['id']}/transitions",
        json={"action": action, "version": entry["version"], **extra},
    )
