"""The rules of a good log (issue 2, point 4 a-f and the entry date rules of i), at the
service layer that the desk API and the sync engine share."""

from datetime import UTC, date, datetime, timedelta

import pytest

from server.accounts.models import User
from server.audit.models import AuditEvent
from server.audit.services import Actor
from server.common import dates
from server.errors import Conflict, Forbidden, Invalid, RuleBroken
from server.extensions import db
from server.findings.models import Finding
from server.log import services
from server.log.models import CarryForward, EvidenceRef, LogEntry, Note
from server.log.transitions import CLOSURE_NEEDS_EVIDENCE

pytestmark = pytest.mark.db

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
            by or rm, entry, type=type, location="Shared drive / audits / June",
            evidence_date=dates.london_today(), checked_by=world.users["deputy_manager"].id)

    return _evidence


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


# ---- a. drafts, opening, the vague-action check --------------------------------------------


def test_entry_starts_as_a_draft_and_is_audited(draft, rm):
    entry = draft()
    assert entry.status == "draft"
    assert entry.original_due_date == entry.due_date
    [created] = events(entry, "create")
    assert created.actor_id == rm.user_id
    assert created.changes["decision"] == GOOD


def test_draft_links_its_findings(world, draft, rm):
    finding = Finding(service_id=world.home.id, kind="walkaround_issue", area="Lounge",
                      source="walkaround", description="Jug of water out of reach",
                      recorded_by=world.users["care_worker"].id,
                      recorded_at=datetime.now(UTC))
    db.session.add(finding)
    db.session.flush()
    entry = draft(findings=[finding.id])
    db.session.refresh(finding)
    assert (finding.triage_state, finding.log_entry_id, finding.triaged_by) == (
        "linked", entry.id, rm.user_id)
    assert finding.triaged_at is not None
    with pytest.raises(Invalid) as info:
        draft(findings=[finding])
    assert info.value.fields == {"finding_ids": "This finding is already linked to an entry."}


@pytest.mark.parametrize(("missing", "rule", "message"), [
    ({"owner_id": None}, "needs_owner", "This entry cannot be opened without a named owner."),
    ({"due_date": None}, "needs_due_date", "This entry cannot be opened without a due date."),
    ({"evidence_needed": ""}, "needs_evidence_needed",
     "This entry cannot be opened without the evidence needed."),
    ({"decision": ""}, "needs_decision", "This entry cannot be opened without a decision."),
    ({"owner_id": None, "due_date": None, "evidence_needed": ""}, "needs_owner",
     "This entry cannot be opened without a named owner, a due date and the evidence needed."),
])
def test_opening_needs_owner_due_date_evidence_needed_and_decision(draft, rm, missing, rule,
                                                                     message):
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
        None, "GP asked for observation only"]
    assert [f["code"] for f in services.entry_flags(entry, dates.london_today())] == []


@pytest.mark.parametrize("role", ["duty_manager", "deputy_manager"])
def test_only_a_registered_manager_may_override(draft, actor, role):
    entry = draft(decision="Monitor fluid intake for Mr K over the weekend")
    with pytest.raises(Forbidden) as info:
        services.transition(actor(role), entry, "open", override_reason="I think it is fine")
    assert "Only a registered manager" in info.value.message
    assert entry.status == "draft" and entry.vague_override_reason is None


def test_rewording_an_open_entry_vaguely_is_refused(draft, rm):
    entry = move(draft(), rm, "open")
    refused("vague_decision", services.update_entry, rm, entry, entry.version,
            {"decision": "Continue to monitor"})
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
        "create", "open", "start", "mark_done", "evidence", "close"]
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


@pytest.mark.parametrize(("status_path", "action", "message"), [
    ((), "start", "An entry that is a draft cannot be started; only one that is open can."),
    ((), "close", "An entry that is a draft cannot be closed; only one that is awaiting a "
                  "completion check can."),
    (("open",), "reopen", "An entry that is open cannot be reopened; only one that is closed "
                          "can."),
    (("open",), "open", "An entry that is open cannot be opened; only one that is a draft can."),
])
def test_transitions_out_of_order_are_refused(draft, rm, status_path, action, message):
    entry = move(draft(), rm, *status_path)
    status = entry.status
    error = refused("not_allowed_from_status", services.transition, rm, entry, action,
                    reason="because")
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
        True, "escalated", deputy.user_id)
    assert entry.escalation_reason == "Third medication error this month"
    assert entry.escalation_at is not None and entry.status == "draft"
    with pytest.raises(Invalid) as info:
        services.record_escalation(deputy, entry, "maybe", "x")
    assert info.value.fields == {"decision": "Must be one of: escalated, not_escalated."}
    refused("escalation_needs_reason", services.record_escalation, deputy, entry,
            "not_escalated", "")
    assert entry.escalated is True


# ---- c. closure needs evidence ------------------------------------------------------------


@pytest.mark.parametrize("types", [(), ("verbal_reassurance",),
                                   ("verbal_reassurance", "verbal_reassurance")])
def test_closure_without_real_evidence_is_refused(draft, rm, evidence, types):
    entry = move(draft(), rm, "open", "mark_done")
    for kind in types:
        evidence(entry, kind)
    error = refused("closure_needs_evidence", services.transition, rm, entry, "close")
    assert error.message == CLOSURE_NEEDS_EVIDENCE
    assert error.message.startswith("Closure needs evidence from records, audits, feedback or "
                                    "practice checks. Verbal reassurance alone is not enough")
    assert entry.status == "awaiting_check"


@pytest.mark.parametrize("kind", ["care_record", "observation", "training_record",
                                  "staff_practice_check"])
def test_one_real_evidence_reference_allows_closure(draft, rm, evidence, kind):
    entry = move(draft(), rm, "open", "mark_done")
    evidence(entry, "verbal_reassurance")
    evidence(entry, kind)
    assert move(entry, rm, "close").status == "closed"


def test_evidence_cannot_be_dated_in_the_future_or_checked_by_a_stranger(world, draft, rm):
    entry = draft()
    base = {"type": "audit", "location": "Office file"}
    with pytest.raises(Invalid) as info:
        services.add_evidence(rm, entry, **base, checked_by=rm.user_id,
                              evidence_date=dates.london_today() + timedelta(days=1))
    assert info.value.fields == {
        "evidence_date": "Use the date the evidence was made or checked."}
    from seed import factories

    stranger = factories.make_user(world.rival, "registered_manager", world.rival_service)
    with pytest.raises(Invalid) as info:
        services.add_evidence(rm, entry, **base, checked_by=stranger.id,
                              evidence_date=dates.london_today())
    assert list(info.value.fields) == ["checked_by"]
    assert db.session.scalar(db.select(db.func.count()).select_from(EvidenceRef)) == 0


# ---- d. high-risk sign-off ----------------------------------------------------------------


def test_high_risk_closure_waits_for_provider_sign_off(draft, actor, rm, evidence):
    entry = move(draft(risk="high", interim_controls="Two-person checks"), rm, "open",
                 "mark_done")
    evidence(entry)
    move(entry, rm, "close")
    assert entry.status == "awaiting_sign_off" and entry.closed_at is None
    error = refused("high_risk_needs_sign_off", services.transition, rm, entry, "close")
    assert "nominated individual or provider quality lead signs it off" in error.message
    with pytest.raises(Forbidden):
        services.transition(rm, entry, "sign_off")
    refused("high_risk_needs_sign_off", services.update_entry, rm, entry, entry.version,
            {"risk": "medium"})
    ni = actor("nominated_individual")
    move(entry, ni, "sign_off")
    assert (entry.status, entry.signed_off_by, entry.closed_by) == ("closed", ni.user_id,
                                                                    ni.user_id)


def test_provider_challenge_sends_high_risk_entry_back(draft, actor, rm, evidence):
    entry = move(draft(risk="high", interim_controls="Two-person checks"), rm, "open",
                 "mark_done")
    evidence(entry)
    move(entry, rm, "close")
    pql = actor("provider_quality_lead")
    refused("needs_reason", services.transition, pql, entry, "challenge")
    services.transition(pql, entry, "challenge", reason="No observation of practice yet")
    assert entry.status == "in_progress"
    assert events(entry, "challenge")[0].changes == {
        "status": ["awaiting_sign_off", "in_progress"],
        "reason": "No observation of practice yet"}


@pytest.mark.parametrize(("path", "after"), [
    (("open",), "open"),
    (("open", "mark_done", "close", "sign_off"), "in_progress"),
    (("open", "mark_done", "close"), "in_progress"),
])
def test_review_challenge_keeps_or_reopens_the_entry(draft, actor, rm, evidence, path, after):
    entry = move(draft(risk="high", interim_controls="Sensor mat"), rm, path[0])
    if len(path) > 1:
        move(entry, rm, "mark_done")
        evidence(entry)
        move(entry, rm, "close")
    if "sign_off" in path:
        move(entry, actor("nominated_individual"), "sign_off")
    services.challenge(actor("nominated_individual"), entry, "Evidence is a single audit",
                       review_id="r-1")
    assert entry.status == after
    [event] = events(entry, "challenge")
    assert event.changes["reason"] == "Evidence is a single audit"
    assert event.changes["review_id"] == "r-1"
    with pytest.raises(Forbidden):
        services.challenge(actor("care_worker"), entry, "Not convinced")


# ---- e. carry-forwards --------------------------------------------------------------------


def test_moving_a_due_date_is_a_carry_forward_with_author_and_reason(draft, actor):
    deputy = actor("deputy_manager")
    entry = draft()
    first = entry.due_date
    later = first + timedelta(days=14)
    error = refused("carry_forward_needs_reason", services.update_entry, deputy, entry,
                    entry.version, {"due_date": later})
    assert error.fields == {"carry_forward_reason": "Give a reason."}
    assert entry.due_date == first
    assert db.session.scalar(db.select(db.func.count()).select_from(CarryForward)) == 0
    services.update_entry(deputy, entry, entry.version, {"due_date": later},
                          carry_forward_reason="Trainer cancelled")
    services.update_entry(deputy, entry, entry.version, {"due_date": later + timedelta(days=1)},
                          carry_forward_reason="Bank holiday")
    rows = db.session.scalars(db.select(CarryForward).order_by(CarryForward.id)).all()
    assert [(r.from_date, r.to_date, r.reason, r.author_id) for r in rows] == [
        (first, later, "Trainer cancelled", deputy.user_id),
        (later, later + timedelta(days=1), "Bank holiday", deputy.user_id),
    ]
    assert entry.original_due_date == first
    assert [cf.reason for cf in entry.carry_forwards] == ["Trainer cancelled", "Bank holiday"]


def test_first_due_date_is_the_original_and_not_a_carry_forward(draft, rm):
    entry = draft(due_date=None)
    services.update_entry(rm, entry, entry.version, {"due_date": date(2031, 5, 1)})
    assert entry.original_due_date == date(2031, 5, 1)
    assert entry.carry_forwards == []
    refused("due_date_cannot_be_removed", services.update_entry, rm, entry, entry.version,
            {"due_date": None})


def test_stale_version_gets_conflict_with_current_copy(draft, rm):
    entry = draft()
    old = entry.version
    services.update_entry(rm, entry, old, {"concern": "Fluid charts missed at teatime too"})
    with pytest.raises(Conflict) as info:
        services.update_entry(rm, entry, old, {"concern": "Something else"})
    assert info.value.status == 409
    assert info.value.extra["current"]["concern"] == "Fluid charts missed at teatime too"
    assert info.value.extra["current"]["version"] == entry.version == old + 1
    with pytest.raises(Conflict):
        services.transition(rm, entry, "open", base_version=old)
    assert entry.status == "draft"


def test_update_is_audited_field_by_field(draft, rm):
    entry = draft()
    services.update_entry(rm, entry, entry.version, {
        "risk": "high", "interim_controls": "Hourly checks", "statement_ids": ["saf-2023:S1"]})
    [event] = events(entry, "update")
    assert event.changes == {"risk": ["medium", "high"],
                             "interim_controls": ["", "Hourly checks"],
                             "statement_ids": [[], ["saf-2023:S1"]]}
    with pytest.raises(Invalid) as info:
        services.update_entry(rm, entry, entry.version, {"statement_ids": ["saf-2023:ZZ"]})
    assert info.value.fields == {"statement_ids": "Unknown quality statement: saf-2023:ZZ."}


def test_owner_must_work_in_the_entry_service(world, draft, rm):
    from seed import factories

    elsewhere = factories.make_user(world.provider, "senior_carer", world.other)
    rival = factories.make_user(world.rival, "senior_carer", world.rival_service)
    left = factories.make_user(world.provider, "senior_carer", world.home)
    left.active = False
    entry = draft(owner_id=None)
    # A provider admin runs accounts and settings, not the log, so cannot own an action.
    for user in (elsewhere, rival, left, world.users["provider_admin"]):
        with pytest.raises(Invalid) as info:
            services.update_entry(rm, entry, entry.version, {"owner_id": user.id})
        assert info.value.fields == {
            "owner_id": "Choose an active member of staff who works in this service."}
    assert entry.owner_id is None
    ni = world.users["nominated_individual"]
    services.update_entry(rm, entry, entry.version, {"owner_id": ni.id})
    assert entry.owner_id == ni.id


def test_duty_manager_may_name_the_owner_but_not_rewrite(draft, actor, world):
    duty = actor("duty_manager")
    entry = draft(owner_id=None)
    services.update_entry(duty, entry, entry.version, {"owner_id": world.users["key_worker"].id})
    assert entry.owner_id == world.users["key_worker"].id
    with pytest.raises(Forbidden):
        services.update_entry(duty, entry, entry.version, {"concern": "Rewritten"})


def test_open_entry_keeps_its_owner(draft, rm):
    entry = move(draft(), rm, "open")
    refused("needs_owner", services.update_entry, rm, entry, entry.version, {"owner_id": None})


# ---- f. interim controls and flags, i. London dates ---------------------------------------


def test_high_risk_open_entry_without_interim_controls_is_flagged(draft, rm):
    today = dates.london_today()
    entry = draft(risk="high")
    assert services.interim_control_flags(entry, today) == []  # a draft is not open yet
    move(entry, rm, "open")
    assert services.interim_control_flags(entry, today) == [
        "This high-risk entry has no interim controls. Record what is keeping people safe "
        "until the action is done and checked."]
    services.update_entry(rm, entry, entry.version, {"interim_controls": "Hourly checks"})
    assert services.interim_control_flags(entry, today) == []


def test_overdue_open_entry_without_interim_controls_is_flagged(draft, rm):
    entry = move(draft(due_date=date(2030, 3, 4)), rm, "open")
    assert services.interim_control_flags(entry, date(2030, 3, 4)) == []
    assert services.interim_control_flags(entry, date(2030, 3, 5)) == [
        "This entry is overdue (due 4 March 2030) and has no interim controls. Record what is "
        "keeping people safe until the action is done."]
    codes = [f["code"] for f in services.entry_flags(entry, date(2030, 3, 5))]
    assert codes == ["overdue", "missing_interim_controls"]
    assert services.entry_flags(entry, date(2030, 3, 6))[0]["message"] == (
        "Overdue by 2 days: it was due on 4 March 2030.")


def test_overdue_from_the_day_after_in_london_near_midnight_bst(draft, rm):
    entry = move(draft(due_date=date(2030, 6, 10)), rm, "open")
    # 22:59 UTC on 10 June is 23:59 in London (BST): still the due day.
    before = dates.london_today(datetime(2030, 6, 10, 22, 59, tzinfo=UTC))
    # 23:01 UTC on 10 June is 00:01 on 11 June in London: overdue.
    after = dates.london_today(datetime(2030, 6, 10, 23, 1, tzinfo=UTC))
    assert (before, after) == (date(2030, 6, 10), date(2030, 6, 11))
    assert not services.is_entry_overdue(entry, before)
    assert services.is_entry_overdue(entry, after)


def test_completion_day_is_the_london_day(draft, rm, actor, monkeypatch):
    entry = move(draft(due_date=date(2030, 6, 10)), rm, "open")
    monkeypatch.setattr(dates, "utcnow", lambda: datetime(2030, 6, 10, 23, 30, tzinfo=UTC))
    move(entry, actor("senior_carer"), "mark_done")
    assert entry.completed_on == date(2030, 6, 11)  # late, by London's calendar


def test_vague_decision_is_flagged_on_the_entry(draft):
    entry = draft(decision="Keep an eye on the call bells at night")
    [flag] = services.entry_flags(entry, dates.london_today())
    assert flag["code"] == "vague_decision"
    assert flag["message"].startswith('"Keep an eye on" does not say')


# ---- notes and evidence -------------------------------------------------------------------


def test_owner_with_a_floor_role_may_work_their_own_entry(draft, actor, world, rm):
    owner, other = actor("senior_carer"), actor("care_worker")
    entry = move(draft(), rm, "open")
    with pytest.raises(Forbidden):
        services.transition(other, entry, "start")
    with pytest.raises(Forbidden):
        services.add_note(other, entry, "I did it")
    move(entry, owner, "start")
    note = services.add_note(owner, entry, "  Charts checked at 2pm  ")
    services.add_evidence(owner, entry, type="care_record", location="Care plan, room 5",
                          evidence_date=dates.london_today(), checked_by=owner.user_id)
    move(entry, owner, "mark_done")
    assert entry.status == "awaiting_check"
    assert db.session.get(Note, note.id).body == "Charts checked at 2pm"
    with pytest.raises(Forbidden):
        services.transition(owner, entry, "close")


def test_blank_note_is_refused(draft, rm):
    with pytest.raises(Invalid) as info:
        services.add_note(rm, draft(), "   ")
    assert info.value.fields == {"body": "Write the note."}


# ---- the permission table, role by action -------------------------------------------------

MANAGERS = {"duty_manager", "deputy_manager", "registered_manager"}
LEADS = {"nominated_individual", "provider_quality_lead"}
ALLOWED = {
    "create": {"care_coordinator"} | MANAGERS | LEADS,
    "edit": {"deputy_manager", "registered_manager"} | LEADS,
    "open": MANAGERS,
    "start": MANAGERS | {"care_coordinator", "senior_carer"},  # senior carer owns it
    "mark_done": MANAGERS | {"care_coordinator", "senior_carer"},
    "send_back": {"care_coordinator", "deputy_manager", "registered_manager"},
    "close": {"registered_manager"} | LEADS,
    "sign_off": LEADS,
    "reopen": {"registered_manager"} | LEADS,
    "escalate": {"deputy_manager", "registered_manager"} | LEADS,
    "note": {"care_coordinator", "senior_carer"} | MANAGERS | LEADS,
}


def _attempt(name, who, world, draft, rm, evidence):
    if name == "create":
        return services.create_draft(who, world.home, concern="Call bells", source="audit")
    entry = draft()
    if name == "edit":
        return services.update_entry(who, entry, entry.version, {"concern": "Changed"})
    if name == "escalate":
        return services.record_escalation(who, entry, "not_escalated", "Local issue")
    if name == "note":
        return services.add_note(who, entry, "Seen")
    paths = {"open": (), "start": ("open",), "mark_done": ("open",),
             "send_back": ("open", "mark_done"), "close": ("open", "mark_done"),
             "reopen": ("open", "mark_done", "close"),
             "sign_off": ("open", "mark_done", "close")}
    if name == "sign_off":
        services.update_entry(rm, entry, entry.version, {"risk": "high"})
    evidence(entry)
    move(entry, rm, *paths[name])
    return services.transition(who, entry, name, reason="Checked")


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_permission_table_role_by_action(world, draft, rm, evidence, name):
    allowed = set()
    for role, user in world.users.items():
        try:
            _attempt(name, Actor(user), world, draft, rm, evidence)
            allowed.add(role)
        except Forbidden:
            pass
    assert allowed == ALLOWED[name]


def test_another_service_is_out_of_reach(world, draft, actor):
    from seed import factories

    other_rm = Actor(factories.make_user(world.provider, "registered_manager", world.other))
    entry = move(draft(), actor("registered_manager"), "open")
    for call in (lambda: services.transition(other_rm, entry, "start"),
                 lambda: services.add_note(other_rm, entry, "Hello"),
                 lambda: services.update_entry(other_rm, entry, entry.version, {"risk": "low"})):
        with pytest.raises(Forbidden):
            call()
    assert entry.status == "open" and entry.risk == "medium"


# ---- listing ------------------------------------------------------------------------------


def test_list_entries_filters_and_scopes(world, draft, rm):
    from seed import factories

    other_rm = Actor(factories.make_user(world.provider, "registered_manager", world.other))
    late = move(draft(concern="Medication round late", due_date=date(2020, 1, 6)), rm, "open")
    soon = draft(concern="Call bell in room 4", risk="high", statement_ids=["saf-2023:S1"])
    elsewhere = draft(service=world.other, by=other_rm, concern="Garden gate",
                      owner_id=other_rm.user_id, due_date=date(2040, 1, 1))

    def ids(user, **filters):
        return [e.id for e in db.session.scalars(services.list_entries(user, filters))]

    carer, ni = world.users["care_worker"], world.users["nominated_individual"]
    assert set(ids(carer)) == {late.id, soon.id}
    assert set(ids(ni)) == {late.id, soon.id, elsewhere.id}
    assert ids(ni, overdue=True) == [late.id]
    assert ids(ni, q="CALL BELL") == [soon.id]
    assert ids(ni, risk=["high"]) == [soon.id]
    assert ids(ni, status=["open"]) == [late.id]
    assert ids(ni, statement_id="saf-2023:S1") == [soon.id]
    assert ids(ni, service_id=world.other.id) == [elsewhere.id]
    assert ids(ni, sort="due_date") == [late.id, soon.id, elsewhere.id]
    assert ids(ni, q="100%_") == []
    with pytest.raises(Forbidden):
        ids(carer, service_id=world.other.id)
    rival = db.session.scalar(db.select(User).where(User.provider_id == world.rival.id))
    assert rival is None or ids(rival) == []


def test_nothing_is_written_when_a_rule_refuses(draft, rm):
    entry = draft(decision="Monitor")
    before = (db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)),
              entry.version)
    refused("vague_decision", services.transition, rm, entry, "open")
    db.session.flush()
    assert (db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)),
            entry.version) == before
    assert db.session.get(LogEntry, entry.id).status == "draft"
