"""Helpers shared by the review tests: entries made directly in the database."""

from datetime import UTC, date, datetime

from server.extensions import db
from server.log.models import LogEntry
from server.reviews.models import Review


def count_reviews() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Review))


def post(client, **body):
    return client.post("/api/v1/reviews", json=body)


def make_entry(world, service=None, **fields) -> LogEntry:
    values = {
        "service_id": (service or world.home).id,
        "concern": "Handover misses falls",
        "source": "handover",
        "decision": "Shift lead reads falls list at every handover",
        "owner_id": world.users["senior_carer"].id,
        "due_date": date(2026, 3, 20),
        "original_due_date": date(2026, 3, 20),
        "evidence_needed": "Handover records",
        "risk": "medium",
        "status": "in_progress",
        "created_by": world.users["registered_manager"].id,
        "opened_at": datetime(2026, 3, 1, 9, tzinfo=UTC),
    }
    values.update(fields)
    entry = LogEntry(**values)
    db.session.add(entry)
    db.session.flush()
    return entry
