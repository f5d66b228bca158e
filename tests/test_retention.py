"""Retention: `flask --app server retention` erases what has outlived its period, just
outside and not just inside each one, never an open entry, its evidence or its findings."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from server.audit.models import AuditEvent
from server.audit.services import Actor
from server.common import dates
from server.common.types import clock_at
from server.extensions import db
from server.findings import services as findings
from server.findings import triage
from server.findings.models import Finding, Walkaround
from server.log import services as log
from server.log.models import EvidenceRef, LogEntry, Note
from server.ops import retention
from server.reviews.models import Review, ReviewItem
from server.reviews.services import record_review

pytestmark = pytest.mark.db

NOW = datetime(2031, 6, 2, 11, 0, tzinfo=UTC)
GOOD = "Deputy manager audits 10 MAR charts every Friday and records the result"
SECRET = "Call bell out of reach in room 4"


def at(rule: str, hours: int) -> datetime:
    """The moment ``hours`` inside (positive) or outside (negative) the rule's period."""
    return NOW - timedelta(days=retention.DEFAULT_RETENTION[rule]) + timedelta(hours=hours)


def finding(world, role="senior_carer", **fields):
    data = {
        "kind": "walkaround_issue",
        "area": "Lounge",
        "description": SECRET,
        "risk": "medium",
        "people_involved": "R-1042",
        **fields,
    }
    return findings.record_finding(Actor(world.users[role]), world.home, data)


def entry(world, linked=(), close=True):
    """An entry with a note and evidence, opened, done and (by default) closed."""
    rm = Actor(world.users["registered_manager"])
    made = log.create_draft(
        rm,
        world.home,
        concern="Fluid charts are not completed",
        source="audit",
        decision=GOOD,
        owner_id=world.users["senior_carer"].id,
        due_date=dates.london_today() + timedelta(days=7),
        evidence_needed="MAR audits",
        findings=linked,
    )
    log.add_note(rm, made, "Spoke to the night team")
    log.add_evidence(
        rm,
        made,
        type="audit",
        location="Audits / June",
        evidence_date=dates.london_today(),
        checked_by=world.users["deputy_manager"].id,
    )
    for action in ("open", "mark_done") + (("close",) if close else ()):
        log.transition(rm, made, action)
    return made


@pytest.fixture
def records(world):
    """Two records per rule, one just inside and one just outside its period."""
    made = {}
    for side, hours in (("inside", 1), ("outside", -1)):
        with clock_at(at("finding", hours)):
            made[f"finding_{side}"] = finding(world)
        with clock_at(at("dismissed_finding", hours) - timedelta(days=30)):
            dismissed = finding(world)
        with clock_at(at("dismissed_finding", hours)):
            triage.dismiss(Actor(world.users["deputy_manager"]), [dismissed], "Already fixed")
        made[f"dismissed_{side}"] = dismissed
        with clock_at(at("closed_entry", hours) - timedelta(days=20)):
            linked = finding(world)
            made[f"entry_{side}"] = entry(world, [linked], close=False)
        with clock_at(at("closed_entry", hours)):
            log.transition(Actor(world.users["registered_manager"]), made[f"entry_{side}"], "close")
        made[f"linked_{side}"] = linked
        with clock_at(at("walkaround", hours)):
            made[f"walk_{side}"] = findings.record_walkaround(
                Actor(world.users["senior_carer"]), world.home, {"areas": ["Lounge"]}
            )
        with clock_at(at("review", hours)):
            made[f"review_{side}"] = record_review(
                Actor(world.users["registered_manager"]),
                world.home,
                kind="rm_weekly",
                outcome="assurance",
                comment="Log in good order",
                items=[{"entry_id": made[f"entry_{side}"].id, "outcome": "assurance"}],
            )
    # Twenty years old but still open: it, its evidence and its finding always stay.
    with clock_at(NOW - timedelta(days=20 * 365)):
        made["open_linked"] = finding(world)
        made["open_entry"] = entry(world, [made["open_linked"]], close=False)
    db.session.commit()
    return {name: (type(r), r.id) for name, r in made.items()}


def exists(record) -> bool:
    model, record_id = record
    return db.session.get(model, record_id) is not None


def run_command(app, *args):
    result = app.test_cli_runner().invoke(args=["retention", *args])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def test_dry_run_counts_what_has_expired_and_erases_nothing(app, records):
    with clock_at(NOW):
        output = run_command(app, "--dry-run")
    assert "Would erase:" in output and "audit events" not in output
    for label in (
        "findings never linked to an entry: 1",
        "dismissed findings: 1",
        "closed entries: 1",
        "walkarounds with no findings: 1",
        "reviews: 1",
    ):
        assert f"  {label}\n" in output
    assert "1 linked findings, 1 notes, 1 evidence references" in output
    assert all(exists(record) for record in records.values())
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "erased")) == 0


def test_apply_erases_just_outside_and_keeps_just_inside_each_period(app, records):
    with clock_at(NOW):
        output = run_command(app, "--apply")
    assert "Erased:" in output
    assert "  audit events of erased records: " in output
    for name, record in records.items():
        assert exists(record) == (not name.endswith("_outside")), name
    outside_entry = records["entry_outside"][1]
    assert (
        db.session.scalar(
            select(func.count()).select_from(Note).where(Note.entry_id == outside_entry)
        )
        == 0
    )
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(EvidenceRef)
            .where(EvidenceRef.entry_id == outside_entry)
        )
        == 0
    )
    inside_review = db.session.get(Review, records["review_inside"][1])
    # The inside review's item pointed at the inside entry, which stays.
    assert [i.entry_id for i in inside_review.items] == [records["entry_inside"][1]]
    assert db.session.scalar(select(func.count()).select_from(ReviewItem)) == 1


def test_open_entry_its_evidence_and_findings_are_never_erased(app, records):
    with clock_at(NOW + timedelta(days=100 * 365)):
        run_command(app, "--apply")
    kept = db.session.get(LogEntry, records["open_entry"][1])
    assert kept.status == "awaiting_check"
    assert len(kept.evidence) == 1
    assert exists(records["open_linked"])
    assert db.session.scalar(select(func.count()).select_from(LogEntry)) == 1
    assert db.session.scalar(select(func.count()).select_from(Finding)) == 1
    assert db.session.scalar(select(func.count()).select_from(Walkaround)) == 0


def test_each_erasure_leaves_an_audit_event_without_the_content(app, records):
    with clock_at(NOW):
        run_command(app, "--apply")
    erased = {record_id for name, (_m, record_id) in records.items() if name.endswith("_outside")}
    events = list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_id.in_([str(i) for i in erased]))
            .order_by(AuditEvent.id)
        )
    )
    assert {uuid.UUID(e.entity_id) for e in events} == erased
    assert {e.action for e in events} == {"erased"}
    assert {e.channel for e in events} == {"system"}
    by_id = {uuid.UUID(e.entity_id): (e.entity_type, e.changes) for e in events}
    assert by_id[records["entry_outside"][1]] == (
        "log_entry",
        {"rule": "closed_entry", "retention_days": 2922, "notes": 1, "evidence": 1, "findings": 1},
    )
    assert by_id[records["linked_outside"][1]] == (
        "finding",
        {"rule": "closed_entry", "retention_days": 2922},
    )
    assert by_id[records["dismissed_outside"][1]] == (
        "finding",
        {"rule": "dismissed_finding", "retention_days": 365},
    )
    assert SECRET not in json.dumps([e.changes for e in events])
    # The kept records keep their whole history.
    kept = str(records["finding_inside"][1])
    assert [
        e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.entity_id == kept))
    ] == ["create"]


def test_periods_are_settings(app, records):
    app.config["RETENTION"] = {"finding": retention.DEFAULT_RETENTION["finding"] + 1}
    assert retention.periods()["finding"] == 1096
    with clock_at(NOW):
        output = run_command(app, "--dry-run")
    assert "  findings never linked to an entry: 0\n" in output
    assert "finding 1096" in output
