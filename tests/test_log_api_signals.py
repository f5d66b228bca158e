"""The log list's signal filter: the entries behind each early warning."""

from datetime import timedelta

import pytest

from server.common import dates
from server.extensions import db
from server.findings.models import Finding
from server.log.models import CarryForward, EvidenceRef, LogEntry
from tests.support import log_api as shared

# pytest finds fixtures among a module's globals: this one comes from tests/support/log_api.py.
rm_client = shared.rm_client

pytestmark = pytest.mark.db


def _make(world, **fields) -> LogEntry:
    now = dates.utcnow()
    values = {
        "service_id": world.home.id,
        "concern": "x",
        "source": "audit",
        "decision": "Senior carer checks charts at 2pm daily",
        "risk": "medium",
        "owner_id": world.users["senior_carer"].id,
        "evidence_needed": "Charts audit",
        "status": "open",
        "due_date": dates.london_today() + timedelta(days=7),
        "created_by": world.users["registered_manager"].id,
        "created_at": now - timedelta(days=3),
        "opened_at": now - timedelta(days=3),
    }
    values.update(fields)
    values.setdefault("original_due_date", values["due_date"])
    if values["status"] == "closed":  # closed yesterday: inside weak closure's window
        values.setdefault("closed_at", now - timedelta(days=1))
    row = LogEntry(**values)
    db.session.add(row)
    db.session.flush()
    return row


def _carry(world, row, times):
    for n in range(times):
        db.session.add(
            CarryForward(
                entry_id=row.id,
                from_date=row.due_date,
                to_date=row.due_date + timedelta(days=n + 1),
                reason="Staff off sick",
                author_id=world.users["registered_manager"].id,
            )
        )


def _evidence(world, row, type_, day):
    user = world.users["registered_manager"].id
    db.session.add(
        EvidenceRef(
            entry_id=row.id,
            type=type_,
            location="Audit file",
            evidence_date=day,
            checked_by=user,
            added_by=user,
        )
    )


@pytest.fixture
def signalled(world):
    """Entries on each side of every entry-based signal; returns {signal: flagged concerns}."""
    today, now = dates.london_today(), dates.utcnow()
    moved = _make(world, concern="moved twice")
    _carry(world, moved, 2)
    _carry(world, _make(world, concern="moved once"), 1)
    _carry(world, _make(world, concern="moved twice, closed", status="closed"), 2)
    _make(world, concern="late, no controls", due_date=today - timedelta(days=1))
    _make(
        world,
        concern="late, controls",
        due_date=today - timedelta(days=1),
        interim_controls="Extra checks by the shift lead",
    )
    _make(world, concern="high, undecided", risk="high")
    _make(world, concern="high, decided", risk="high", escalation_decision="not_escalated")
    _make(world, concern="high, new", risk="high", created_at=now - timedelta(hours=1))
    linked = _make(world, concern="linked high finding")
    db.session.add(
        Finding(
            service_id=world.home.id,
            kind="walkaround_issue",
            area="Lounge",
            source="walkaround",
            description="Hot water too hot",
            risk="high",
            recorded_by=world.users["care_worker"].id,
            recorded_at=now - timedelta(days=2),
            received_at=now - timedelta(days=2),
            triage_state="linked",
            log_entry_id=linked.id,
        )
    )
    _make(world, concern="open, no owner", owner_id=None)
    _make(
        world,
        concern="new draft, no owner",
        owner_id=None,
        status="draft",
        created_at=now,
        opened_at=None,
    )
    _make(world, concern="old draft, no owner", owner_id=None, status="draft", opened_at=None)
    _evidence(
        world,
        _make(world, concern="closed on verbal", status="closed"),
        "verbal_reassurance",
        today,
    )
    _evidence(world, _make(world, concern="closed on an audit", status="closed"), "audit", today)
    _evidence(
        world,
        _make(world, concern="closed on old proof", status="closed"),
        "audit",
        today - timedelta(days=30),
    )
    _make(world, service_id=world.other.id, concern="other service, no owner", owner_id=None)
    db.session.commit()
    return {
        "carried_forward": {"moved twice"},
        "overdue_without_interim_controls": {"late, no controls"},
        "high_risk_no_escalation": {"high, undecided", "linked high finding"},
        "no_owner": {"open, no owner", "old draft, no owner"},
        "weak_closure_evidence": {
            "closed on verbal",
            "closed on old proof",
            "moved twice, closed",
        },  # closed with no evidence at all
    }


def _behind_warning(world, signal) -> set:
    """The entries the oversight warning of ``signal`` names, findings mapped to entries."""
    from tests.support.early_warnings import early_warnings

    ids = set()
    for warning in early_warnings(world.provider, [world.home.id]):
        if warning.signal != signal:
            continue
        for kind, ref in warning.refs:
            ids.add(ref if kind == "log_entry" else db.session.get(Finding, ref).log_entry_id)
    return {db.session.get(LogEntry, i).concern for i in ids}


@pytest.mark.parametrize(
    "signal",
    [
        "carried_forward",
        "overdue_without_interim_controls",
        "high_risk_no_escalation",
        "no_owner",
        "weak_closure_evidence",
    ],
)
def test_signal_filter_finds_the_entries_behind_the_warning(world, rm_client, signalled, signal):
    url = f"/api/v1/entries?service_id={world.home.id}&signal={signal}&per_page=200"
    listed = rm_client.get(url).get_json()
    concerns = {e["concern"] for e in listed["items"]}
    assert concerns == signalled[signal]
    assert concerns == _behind_warning(world, signal)


def test_signal_filter_combines_with_the_others(world, rm_client, signalled, login):
    body = rm_client.get("/api/v1/entries?signal=no_owner&status=draft").get_json()
    assert [e["concern"] for e in body["items"]] == ["old draft, no owner"]
    everywhere = rm_client.get("/api/v1/entries?signal=no_owner").get_json()
    assert everywhere["total"] == 2  # the registered manager reads Ashdown House only
    ni = login(world.users["nominated_individual"])
    body = ni.get("/api/v1/entries?signal=no_owner&sort=created_at").get_json()
    assert [e["concern"] for e in body["items"]] == [
        "open, no owner",
        "old draft, no owner",
        "other service, no owner",
    ]


@pytest.mark.parametrize(
    "signal, message",
    [
        (
            "repeat_findings",
            "Repeat findings are findings, not log entries: the log cannot be filtered by it.",
        ),
        (
            "families_chasing",
            "Families chasing is a signal about feedback findings, not log "
            "entries: the log cannot be filtered by it.",
        ),
    ],
)
def test_signals_about_findings_are_refused_with_a_reason(rm_client, signal, message):
    response = rm_client.get(f"/api/v1/entries?signal={signal}")
    assert response.status_code == 422
    assert response.get_json()["error"]["message"] == message
    assert response.get_json()["error"]["fields"]["signal"].endswith(
        "See them on the Oversight screen, under the warning: its records are listed there."
    )


def test_an_unknown_signal_names_the_field(rm_client):
    response = rm_client.get("/api/v1/entries?signal=gloom")
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["signal"].startswith(
        "Must be one of: carried_forward, overdue_without_interim_controls,"
    )
