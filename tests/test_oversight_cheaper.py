"""Cheaper paths of the early warnings and the measures: the same answers as before.

The API's early warnings name repeat findings by their ids as text (never built into
uuid.UUID); the measures read the findings through other index paths. Each must give what
the plain path gives.
"""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from server.extensions import db
from server.findings.models import Finding
from server.log.models import LogEntry
from server.measures import services as measures
from server.oversight.plain import dumper
from server.oversight.schemas import EarlyWarningsSchema
from server.oversight.warnings import warnings_report
from tests.support.early_warnings import NOW, TODAY, at, make_finding
from tests.support.measures import MON, d, measure, measure_series

pytestmark = pytest.mark.db


def _repeats(world) -> None:
    """Repeat-finding groups in both services, with more findings than some refs asked."""
    for i in range(5):
        make_finding(world, received_at=at(i, hours_ago=2))
        make_finding(world, area="Kitchen", source="audit", received_at=at(i))
        make_finding(world, service=world.other, area="Garden", received_at=at(i % 2))
    make_finding(world, received_at=at(1), deleted_at=NOW)


@pytest.mark.parametrize("refs", [1, 3, 50])
def test_text_ids_give_the_same_answer(world, refs):
    _repeats(world)
    old = warnings_report(world.provider, today=TODAY, now=NOW, refs=refs)
    new = warnings_report(world.provider, today=TODAY, now=NOW, refs=refs, text_ids=True)
    assert [w.signal for w in new["warnings"]].count("repeat_findings") == 3
    assert dumper(EarlyWarningsSchema)(new) == EarlyWarningsSchema().dump(old)
    assert dumper(EarlyWarningsSchema)(new) == dumper(EarlyWarningsSchema)(old)


def test_text_ids_are_the_ids_as_the_api_writes_them(world):
    _repeats(world)
    old = warnings_report(world.provider, today=TODAY, now=NOW, refs=50)
    new = warnings_report(world.provider, today=TODAY, now=NOW, refs=50, text_ids=True)
    for before, after in zip(old["warnings"], new["warnings"], strict=True):
        assert [(kind, str(i)) for kind, i in before.refs] == [
            (kind, str(i)) for kind, i in after.refs
        ]
        assert all(
            uuid.UUID(str(i)) == j for (_, i), (_, j) in zip(after.refs, before.refs, strict=True)
        )
    repeat = next(w for w in new["warnings"] if w.signal == "repeat_findings")
    assert repeat.count == 5 and len(repeat.refs) == 5
    if db.engine.dialect.name == "sqlite":  # the stored text, never built into a UUID
        assert all(type(i) is str for _, i in repeat.refs)


def test_the_api_names_repeat_findings_as_the_library_does(world, login):
    _repeats(world)
    client = login(world.users["nominated_individual"])
    body = client.get("/api/v1/early-warnings?refs=50").get_json()
    expected = EarlyWarningsSchema().dump(warnings_report(world.provider, refs=50))
    assert body["warnings"] == expected["warnings"]


def _moment(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 2, day, hour, tzinfo=UTC)


def _finding(world, service=None, **fields) -> Finding:
    values = {
        "service_id": (service or world.home).id,
        "kind": "walkaround_issue",
        "area": "Lounge",
        "source": "audit",
        "risk": "high",
        "description": "Bed rails unchecked",
        "recorded_by": world.users["key_worker"].id,
        "recorded_at": _moment(3),
        "received_at": _moment(3),
    }
    values.update(fields)
    item = Finding(**values)
    db.session.add(item)
    db.session.flush()
    return item


def test_audit_escalation_counts_findings_in_every_triage_state(world):
    m = measure(world, "high_risk_audit_escalation", target=100.0)
    entry = LogEntry(
        service_id=world.home.id,
        concern="Bed rails unchecked",
        source="audit",
        decision="Check every rail",
        owner_id=world.users["key_worker"].id,
        due_date=d(20),
        original_due_date=d(20),
        evidence_needed="Audit",
        risk="high",
        status="in_progress",
        escalation_decision="escalated",
        created_by=world.users["registered_manager"].id,
        created_at=_moment(3),
    )
    db.session.add(entry)
    db.session.flush()
    _finding(world, triage_state="new")
    _finding(world, triage_state="linked", log_entry_id=entry.id)
    _finding(world, triage_state="dismissed", received_at=_moment(10))
    _finding(world, triage_state="new", risk="medium")
    series = measure_series(m, today=d(10))
    assert [(p["numerator"], p["denominator"]) for p in series] == [(1, 2), (0, 1)]


def test_visibility_for_many_services_counts_as_for_one(world):
    measure(world, "positive_visibility_feedback")
    for day, sentiment in ((3, "positive"), (4, "negative"), (10, "positive")):
        _finding(
            world,
            kind="feedback",
            source="feedback",
            risk="low",
            question_id="vis-1",
            sentiment=sentiment,
            received_at=_moment(day),
        )
        _finding(
            world,
            world.other,
            kind="feedback",
            source="feedback",
            risk="low",
            question_id="vis-1",
            sentiment="negative",
            received_at=_moment(day),
        )
    starts, today = [MON, MON + timedelta(days=7)], d(12)
    one = measures._positive_visibility_feedback([world.home.id], starts, today)
    # Enough services to read the time window's index instead of each service's findings.
    many_ids = [world.home.id, world.other.id] + [
        uuid.uuid4() for _ in range(measures.SCAN_FROM_SERVICES)
    ]
    many = measures._positive_visibility_feedback(many_ids, starts, today)
    assert one == {world.home.id: {0: (2, 1), 1: (1, 1)}}
    assert many[world.home.id] == one[world.home.id]
