"""Helpers shared by the service and threshold API tests."""

import pytest

from server.audit.models import AuditEvent
from server.extensions import db


@pytest.fixture(autouse=True)
def quick_passwords(monkeypatch):
    """Hash test passwords cheaply: a dozen scrypt hashes per test would dominate the run."""
    from functools import partial

    from werkzeug.security import generate_password_hash

    monkeypatch.setattr(
        "server.accounts.services.generate_password_hash",
        partial(generate_password_hash, method="pbkdf2:sha256:1"),
    )


def audit_events(entity_type: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(db.select(AuditEvent).where(AuditEvent.entity_type == entity_type))
    )


def fresh(model, record_id):
    db.session.expire_all()
    return db.session.get(model, record_id)
