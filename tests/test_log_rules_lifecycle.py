"""The rules of a good log at the service layer that the desk API and the sync engine share:
drafts and opening, the status machine, closure evidence and high-risk sign-off
(issue 2, point 4 a-d)."""

from datetime import UTC, datetime, timedelta

import pytest

from server.common import dates
from server.errors import Forbidden, Invalid
from server.extensions import db
from server.findings.models import Finding
from server.log import flags, services
from server.log.models import EvidenceRef
from server.log.transitions import CLOSURE_NEEDS_EVIDENCE
from tests.support import log_rules as shared
from tests.support.log_rules import GOOD, escalate, events, move, refused

# pytest finds fixtures among a module's globals: these come from tests/support/log_rules.py.
actor, draft, evidence, rm = shared.actor, shared.draft, shared.evidence, shared.rm

pytestmark = pytest.mark.db


# ---- a. drafts, opening, the vague-action check --------------------------------------------


def test_entry_starts_as_a_draft_and_is_audited(draft, rm):
    entry = draft()
    assert entry.status == "draft"
    assert entry.original_due_date == entry.due_date
    [created] = events(entry, "create")
    assert created.actor_id == rm.user_id
    assert created.changes["decision"] == GOOD


def test_draft_links_its_findings(world, draft, rm):
    finding = Finding(
        service_id=world.home.id,
        kind="walkaround_issue",
        area="Lounge",
        source="walkaround",
        description="Jug of water out of reach",
        recorded_by=world.users["care_worker"].id,
        recorded_at=datetime.now(UTC),
    )
    db.session.add(finding)
    db.session.flush()
    entry = draft(findings=[finding.id])
    db.session.refresh(finding)
    assert (finding.triage_state, finding.log_entry_id, finding.triaged_by) == (
        "linked",
        entry.id,
        rm.user_id,
    )
    assert finding.triaged_at is not None
    with pytest.raises(Invalid) as info:
        draft(findings=[finding])
    assert info.value.fields == {"finding_ids": "This finding is already linked to an entry."}


@pytest.mark.parametrize(
    ("missing", "rule", "message"),
    [
        ({"owner_id": None}, "needs_owner", "This entry cannot be opened without a named owner."),
        ({"due_date": None}, "needs_due_date", "This entry cannot be opened without a due date."),
        (
            {"evidence_needed": ""},
            "needs_evidence_needed",
            "This entry cannot be opened without the evidence needed.",
        ),
        ({"decision": ""}, "needs_decision", "This entry cannot be opened without a decision."),
        (
            {"owner_id": None, "due_date": None, "evidence_needed": ""},
            "needs_owner",
            "This entry cannot be opened without a named owner, a due date and the evidence needed.",
        ),
    ],
)
def test_opening_needs_owner_due_date_evidence_needed_and_decision(
    draft, rm, missing, rule, message
):
    entry = draft(**missing)
    error = refused(rule, services.transition, rm, entry, "open")
    assert error.message == message
    assert set(error.fields) == set(missing)
    assert entry.status == "draft" and events(entry, "open") == []


def test_vague_decision_blocks_opening_with_an_explanation(draft, actor):
    entry = draft(decision="Remind staff to complete the fluid charts")
    error = refused("vague_decision", services.transition, actor("deputy_manager"), entry, "open")
    assert error.fields["decision"].startswith('"Remind staff" is a conversation')
    assert error.extra["flags"][0]["phrase"] == "Remind staff"
    assert entry.status == "draft"


def test_registered_manager_may_override_vague_decision_with_a_reason(draft, rm):
    entry = draft(decision="Monitor fluid intake for Mr K over the weekend")
    services.transition(rm, entry, "open", override_reason="GP asked for observation only")
    assert entry.status == "open"
    assert entry.vague_override_reason == "GP asked for observation only"
    assert entry.vague_override_by == rm.user_id
    assert events(entry, "open")[0].changes["vague_override_reason"] == [
        None,
        "GP asked for observation only",
    ]
    assert [f["code"] for f in flags.entry_flags(entry, dates.london_today())] == []


@pytest.mark.parametrize("role", ["duty_manager", "deputy_manager"])
def test_only_a_registered_manager_may_override(draft, actor, role):
    entry = draft(decision="Monitor fluid intake for Mr K over the weekend")
    with pytest.raises(Forbidden) as info:
        services.transition(actor(role), entry, "open", override_reason="I think it is fine")
    assert "Only a registered manager" in info.value.message
    assert entry.status == "draft" and entry.vague_override_reason is None


def test_rewording_an_open_entry_vaguely_is_refused(draft, rm):
    entry = move(draft(), rm, "open")
    refused(
        "vague_decision",
        services.update_entry,
        rm,
        entry,
        entry.version,
        {"decision": "Continue to monitor"},
    )
    assert entry.decision == GOOD


# ---- b. the status machine and escalation --------------------------------------------------


def test_full_path_to_closure_on_evidence(draft, actor, rm, evidence):
    owner = actor("senior_carer")
    entry = move(draft(), actor("duty_manager"), "open")
    move(entry, owner, "start", "mark_done")
    assert entry.status == "awaiting_check"
    assert entry.completed_on == dates.london_today()
    assert entry.evidence == []  # loaded before the evidence arrives: must not go stale
    evidence(entry)
    move(entry, rm, "close")
    assert (entry.status, entry.closed_by) == ("closed", rm.user_id)
    assert entry.closed_at is not None
    assert [e.action for e in events(entry)] == [
        "create",
        "open",
        "start",
        "mark_done",
        "evidence",
        "close",
    ]
    assert events(entry, "close")[0].changes["status"] == ["awaiting_check", "closed"]


def test_send_back_needs_a_reason_and_keeps_first_completion_day(draft, actor, monkeypatch):
    coordinator, owner = actor("care_coordinator"), actor("senior_carer")
    entry = move(draft(), actor("duty_manager"), "open")
    move(entry, owner, "mark_done")
    first = entry.completed_on
    refused("needs_reason", services.transition, coordinator, entry, "send_back", reason=" ")
    services.transition(coordinator, entry, "send_back", reason="Two charts still unsigned")
    assert entry.status == "in_progress"
    later = datetime.now(UTC) + timedelta(days=3)
    monkeypatch.setattr(dates, "utcnow", lambda: later)
    move(entry, owner, "mark_done")
    assert entry.completed_on == first
    assert events(entry, "send_back")[0].changes["reason"] == "Two charts still unsigned"


@pytest.mark.parametrize(
    ("status_path", "action", "message"),
    [
        ((), "start", "An entry that is a draft cannot be started; only one that is open can."),
        (
            (),
            "close",
            "An entry that is a draft cannot be closed; only one that is awaiting a "
            "completion check can.",
        ),
        (
            ("open",),
            "reopen",
            "An entry that is open cannot be reopened; only one that is closed can.",
        ),
        (
            ("open",),
            "open",
            "An entry that is open cannot be opened; only one that is a draft can.",
        ),
    ],
)
def test_transitions_out_of_order_are_refused(draft, rm, status_path, action, message):
    entry = move(draft(), rm, *status_path)
    status = entry.status
    error = refused(
        "not_allowed_from_status", services.transition, rm, entry, action, reason="because"
    )
    assert error.message == message
    assert entry.status == status


def test_unknown_action_is_refused(draft, rm):
    with pytest.raises(Invalid) as info:
        services.transition(rm, draft(), "archive")
    assert info.value.fields["action"].startswith("Must be one of: open, start")


def test_reopen_needs_a_reason_and_clears_the_closure(draft, rm, evidence):
    entry = move(draft(), rm, "open", "mark_done")
    evidence(entry)
    move(entry, rm, "close")
    refused("needs_reason", services.transition, rm, entry, "reopen")
    services.transition(rm, entry, "reopen", reason="Falls returned this week")
    assert (entry.status, entry.closed_at, entry.closed_by) == ("in_progress", None, None)
    assert events(entry, "reopen")[0].changes["reason"] == "Falls returned this week"


def test_escalation_is_a_separate_flag_with_who_and_why(draft, actor):
    deputy = actor("deputy_manager")
    entry = draft(risk="high")
    services.record_escalation(deputy, entry, "escalated", "Third medication error this month")
    assert (entry.escalated, entry.escalation_decision, entry.escalation_by) == (
        True,
        "escalated",
        deputy.user_id,
    )
    assert entry.escalation_reason == "Third medication error this month"
    assert entry.escalation_at is not None and entry.status == "draft"
    with pytest.raises(Invalid) as info:
        services.record_escalation(deputy, entry, "maybe", "x")
    assert info.value.fields == {"decision": "Must be one of: escalated, not_escalated."}
    refused(
        "escalation_needs_reason", services.record_escalation, deputy, entry, "not_escalated", ""
    )
    assert entry.escalated is True


# ---- c. closure needs evidence ------------------------------------------------------------


@pytest.mark.parametrize(
    "types", [(), ("verbal_reassurance",), ("verbal_reassurance", "verbal_reassurance")]
)
def test_closure_without_real_evidence_is_refused(draft, rm, evidence, types):
    entry = move(draft(), rm, "open", "mark_done")
    for kind in types:
        evidence(entry, kind)
    error = refused("closure_needs_evidence", services.transition, rm, entry, "close")
    assert error.message == CLOSURE_NEEDS_EVIDENCE
    assert error.message.startswith(
        "Closure needs evidence from records, audits, feedback or "
        "practice checks. Verbal reassurance alone is not enough"
    )
    assert entry.status == "awaiting_check"


@pytest.mark.parametrize(
    "kind", ["care_record", "observation", "training_record", "staff_practice_check"]
)
def test_one_real_evidence_reference_allows_closure(draft, rm, evidence, kind):
    entry = move(draft(), rm, "open", "mark_done")
    evidence(entry, "verbal_reassurance")
    evidence(entry, kind)
    assert move(entry, rm, "close").status == "closed"


def test_evidence_cannot_be_dated_in_the_future_or_checked_by_a_stranger(world, draft, rm):
    entry = draft()
    base = {"type": "audit", "location": "Office file"}
    with pytest.raises(Invalid) as info:
        services.add_evidence(
            rm,
            entry,
            **base,
            checked_by=rm.user_id,
            evidence_date=dates.london_today() + timedelta(days=1),
        )
    assert info.value.fields == {"evidence_date": "Use the date the evidence was made or checked."}
    from seed import factories

    stranger = factories.make_user(world.rival, "registered_manager", world.rival_service)
    with pytest.raises(Invalid) as info:
        services.add_evidence(
            rm, entry, **base, checked_by=stranger.id, evidence_date=dates.london_today()
        )
    assert list(info.value.fields) == ["checked_by"]
    assert db.session.scalar(db.select(db.func.count()).select_from(EvidenceRef)) == 0


# ---- d. high-risk sign-off ----------------------------------------------------------------


def test_high_risk_closure_waits_for_provider_sign_off(draft, actor, rm, evidence):
    entry = move(draft(risk="high", interim_controls="Two-person checks"), rm, "open", "mark_done")
    evidence(entry)
    move(entry, rm, "close")
    assert entry.status == "awaiting_sign_off" and entry.closed_at is None
    error = refused("high_risk_needs_sign_off", services.transition, rm, entry, "close")
    assert "nominated individual or provider quality lead signs it off" in error.message
    with pytest.raises(Forbidden):
        services.transition(rm, entry, "sign_off")
    refused(
        "high_risk_needs_sign_off",
        services.update_entry,
        rm,
        entry,
        entry.version,
        {"risk": "medium"},
    )
    ni = actor("nominated_individual")
    escalate(entry, rm)
    move(entry, ni, "sign_off")
    assert (entry.status, entry.signed_off_by, entry.closed_by) == (
        "closed",
        ni.user_id,
        ni.user_id,
    )


def test_provider_challenge_sends_high_risk_entry_back(draft, actor, rm, evidence):
    entry = move(draft(risk="high", interim_controls="Two-person checks"), rm, "open", "mark_done")
    evidence(entry)
    move(entry, rm, "close")
    pql = actor("provider_quality_lead")
    refused("needs_reason", services.transition, pql, entry, "challenge")
    services.transition(pql, entry, "challenge", reason="No observation of practice yet")
    assert entry.status == "in_progress"
    assert events(entry, "challenge")[0].changes == {
        "status": ["awaiting_sign_off", "in_progress"],
        "reason": "No observation of practice yet",
    }


@pytest.mark.parametrize(
    ("path", "after"),
    [
        (("open",), "open"),
        (("open", "mark_done", "close", "sign_off"), "in_progress"),
        (("open", "mark_done", "close"), "in_progress"),
    ],
)
def test_review_challenge_keeps_or_reopens_the_entry(draft, actor, rm, evidence, path, after):
    entry = move(draft(risk="high", interim_controls="Sensor mat"), rm, path[0])
    if len(path) > 1:
        move(entry, rm, "mark_done")
        evidence(entry)
        move(entry, rm, "close")
    if "sign_off" in path:
        escalate(entry, rm)
        move(entry, actor("nominated_individual"), "sign_off")
    services.challenge(
        actor("nominated_individual"), entry, "Evidence is a single audit", review_id="r-1"
    )
    assert entry.status == after
    [event] = events(entry, "challenge")
    assert event.changes["reason"] == "Evidence is a single audit"
    assert event.changes["review_id"] == "r-1"
    with pytest.raises(Forbidden):
        services.challenge(actor("care_worker"), entry, "Not convinced")
