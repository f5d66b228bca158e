"""One record of every synced type, for the tests of the record serializers and the pull."""

from datetime import UTC, date, datetime

from server.audit.services import Actor
from server.extensions import db
from server.findings.services import record_finding, record_walkaround
from server.framework.models import QualityStatement
from server.log import services as log
from server.syncing.writes import delete_record


def every_record_type(world) -> list[tuple[str, object]]:
    """One record of every synced type, with a tombstone and odd times; return the models."""
    manager = world.users["registered_manager"]
    actor = Actor(manager, "sync", "device-1")
    walk = record_walkaround(
        actor,
        world.home,
        {
            "kind": "walkaround",
            "areas": ["Lounge", "Garden"],
            "notes": "Evening round",
            "started_at": datetime(2026, 11, 27, 18, tzinfo=UTC),
            "ended_at": datetime(2026, 11, 27, 18, 40, 5, 120, tzinfo=UTC),
        },
    )
    finding = record_finding(
        actor,
        world.home,
        {
            "kind": "walkaround_issue",
            "area": "Lounge",
            "source": "walkaround",
            "description": "Call bell out of reach — résident's room",
            "risk": "high",
            "follow_up_needed": True,
            "walkaround_id": walk.id,
            "people_involved": "R-1042",
            "recorded_at": datetime(2026, 11, 27, 18, 5, tzinfo=UTC),
        },
    )
    plain = record_finding(
        actor,
        world.home,
        {
            "kind": "positive_practice",
            "area": "Lounge",
            "description": "Kind words",
            "recorded_at": datetime(2026, 11, 27, 18, 6, 0, 999999, tzinfo=UTC),
        },
    )
    gone = record_finding(
        actor,
        world.home,
        {"kind": "positive_practice", "area": "Lounge", "description": "Sent twice"},
    )
    statements = db.session.scalars(db.select(QualityStatement.id).limit(2)).all()
    entry = log.create_draft(
        actor,
        world.home,
        concern="Call bells out of reach",
        source="walkaround",
        risk="high",
        owner_id=manager.id,
        due_date=date(2026, 12, 4),
        statement_ids=statements,
    )
    note = log.add_note(actor, entry, "Spoke to the night team")
    evidence = log.add_evidence(
        actor,
        entry,
        type="audit",
        location="Call bell audit",
        evidence_date=date(2026, 11, 20),
        checked_by=manager.id,
    )
    delete_record(actor, "finding", gone)
    db.session.commit()
    return [
        ("walkaround", walk),
        ("finding", finding),
        ("finding", plain),
        ("finding", gone),
        ("log_entry", entry),
        ("note", note),
        ("evidence", evidence),
    ]
