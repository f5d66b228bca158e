"""Helpers shared by the findings tests: request bodies, recording through the services."""

import pytest
from sqlalchemy import func

from server.audit.services import Actor
from server.extensions import db
from server.findings import services
from server.findings.models import Finding


@pytest.fixture(autouse=True)
def quick_passwords(monkeypatch):
    """Hash test passwords cheaply: a dozen scrypt hashes per test would dominate the run."""
    from functools import partial

    from werkzeug.security import generate_password_hash

    monkeypatch.setattr(
        "server.accounts.services.generate_password_hash",
        partial(generate_password_hash, method="pbkdf2:sha256:1"),
    )


NO_FULL_NAMES = "Use a record reference or initials (for example R-1042 or JS), not a full name."


def rows(model) -> int:
    return db.session.scalar(db.select(func.count()).select_from(model))


def body(world, **changes) -> dict:
    data = {
        "service_id": str(world.home.id),
        "kind": "walkaround_issue",
        "area": "Lounge",
        "description": "Call bell out of reach for the person in room 4",
        "action_taken": "Moved the call bell within reach",
        "risk": "medium",
        "follow_up_needed": True,
        "people_involved": "R-1042",
        "recorded_at": "2025-03-03T09:15:00+00:00",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def feedback(world, **changes) -> dict:
    values = {
        "kind": "feedback",
        "respondent_type": "relative",
        "question_id": "vis-1",
        "answer": "Not this week",
        "sentiment": "negative",
    }
    return body(world, **(values | changes))


def record(world, user, service=None, **changes) -> Finding:
    """Record a finding through the service layer (the one write path) and commit."""
    data = body(world, **changes)
    data.pop("service_id")
    data.pop("recorded_at")
    finding = services.record_finding(Actor(user), service or world.home, data)
    db.session.commit()
    return finding
