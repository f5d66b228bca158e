"""Helpers shared by the desk-board tests: the ownership board and completion checks."""

from datetime import date

import pytest

from server.audit.models import AuditEvent
from server.common import dates
from server.extensions import db
from server.findings.models import Finding
from server.log.models import Note
from tests.support.log_rules import move

FRIDAY, SATURDAY, MONDAY, TUESDAY = (
    date(2025, 1, 17),
    date(2025, 1, 18),
    date(2025, 1, 20),
    date(2025, 1, 21),
)
THURSDAY = date(2025, 1, 16)
# Monday 25 August 2025 was the English summer bank holiday.
BH_FRIDAY, BH_MONDAY, BH_TUESDAY = date(2025, 8, 22), date(2025, 8, 25), date(2025, 8, 26)


def counts() -> tuple:
    db.session.expire_all()
    return tuple(
        db.session.scalar(db.select(db.func.count()).select_from(m)) for m in (AuditEvent, Note)
    )


def finding(world, service=None, **fields) -> Finding:
    values = {
        "kind": "walkaround_issue",
        "area": "Lounge",
        "source": "walkaround",
        "description": "Water jugs out of reach",
        "follow_up_needed": True,
        "recorded_by": world.users["care_worker"].id,
        "recorded_at": dates.utcnow(),
    }
    values.update(fields)
    row = Finding(service_id=(service or world.home).id, **values)
    db.session.add(row)
    db.session.flush()
    return row


def board_url(world, service=None):
    return f"/api/v1/services/{(service or world.home).id}/ownership"


def checks_url(world, service=None):
    return f"/api/v1/services/{(service or world.home).id}/completion-checks"


@pytest.fixture
def as_role(world, login):
    return lambda role: login(world.users[role])


@pytest.fixture
def due_on(draft, actor):
    """Make an open entry of the home service due on ``day``."""

    def _due_on(day, concern=None, *actions):
        entry = draft(due_date=day, concern=concern or f"Due {day}")
        return move(entry, actor("registered_manager"), "open", *actions)

    return _due_on
