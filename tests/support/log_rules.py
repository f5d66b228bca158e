"""Fixtures and helpers shared by the tests of the rules of a good log."""

from datetime import timedelta

import pytest

from server.audit.models import AuditEvent
from server.audit.services import Actor
from server.common import dates
from server.errors import RuleBroken
from server.extensions import db
from server.log import services

GOOD = "Deputy manager audits 10 MAR charts every Friday and records the result"


@pytest.fixture
def actor(world):
    return lambda role: Actor(world.users[role])


@pytest.fixture
def rm(actor):
    return actor("registered_manager")


@pytest.fixture
def draft(world, rm):
    """Make a draft entry in the home service (everything needed to open it, by default)."""

    def _draft(service=None, by=None, **fields):
        values = {
            "concern": "Fluid charts are not completed after lunch",
            "source": "audit",
            "risk": "medium",
            "decision": GOOD,
            "owner_id": world.users["senior_carer"].id,
            "due_date": dates.london_today() + timedelta(days=7),
            "evidence_needed": "Weekly MAR audit results",
        }
        values.update(fields)
        return services.create_draft(by or rm, service or world.home, **values)

    return _draft


@pytest.fixture
def evidence(world, rm):
    def _evidence(entry, type="audit", by=None):
        return services.add_evidence(
            by or rm,
            entry,
            type=type,
            location="Shared drive / audits / June",
            evidence_date=dates.london_today(),
            checked_by=world.users["deputy_manager"].id,
        )

    return _evidence


def escalate(entry, actor, decision="not_escalated"):
    """Record the escalation decision a high-risk entry needs before its sign-off."""
    return services.record_escalation(actor, entry, decision, "Managed within the home")


def move(entry, actor, *actions, **kwargs):
    for action in actions:
        services.transition(actor, entry, action, **kwargs)
    return entry


def events(entry, action=None):
    stmt = db.select(AuditEvent).where(AuditEvent.entity_id == str(entry.id))
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(db.session.scalars(stmt.order_by(AuditEvent.id)))


def refused(rule, call, *args, **kwargs) -> RuleBroken:
    with pytest.raises(RuleBroken) as info:
        call(*args, **kwargs)
    assert info.value.rule == rule
    return info.value
