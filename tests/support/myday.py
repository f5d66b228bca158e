"""What the My day tests share: the fixed moment, a GET of /my-day as someone, entries."""

from datetime import UTC, date, datetime

import pytest

from server.audit.services import Actor
from server.common.types import clock_at
from server.extensions import db
from server.log.models import LogEntry

NOW = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)  # a Monday; London is on GMT
TODAY = date(2026, 3, 16)
FLOOR = ("care_worker", "senior_carer", "key_worker")


@pytest.fixture
def day(world, login):
    """Return a function: GET /my-day as ``user`` at ``at`` (NOW by default)."""

    def _day(user, at=NOW):
        with clock_at(at):
            response = login(user).get("/api/v1/my-day")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return _day


def make_entry(
    world,
    owner,
    due,
    status="open",
    service=None,
    risk="medium",
    concern="Fluid charts are not completed after lunch",
) -> LogEntry:
    entry = LogEntry(
        service_id=(service or world.home).id,
        concern=concern,
        source="audit",
        decision="Senior carer checks fluid charts at 2pm daily",
        owner_id=owner.id if owner else None,
        due_date=due,
        original_due_date=due,
        evidence_needed="Fluid chart audit",
        risk=risk,
        status=status,
        created_by=world.users["registered_manager"].id,
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def ids(items, key="entry_id") -> list[str]:
    return [item[key] for item in items]


def actor(world, role) -> Actor:
    return Actor(world.users[role])
