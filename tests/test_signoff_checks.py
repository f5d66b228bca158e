"""A sign-off is a real second check (issue 16, point 3): refused, naming what is missing, while
the record lacks evidence, an escalation decision or an answer to a challenge, while a
safeguarding concern's referral and notification are not recorded (point 9), or when the
signer marked the entry done or checked it; REST and sync alike. Who marked it done, who
checked it and who signed it off are recorded separately, each with when."""

from datetime import timedelta

import pytest

from server.common import dates
from server.extensions import db
from server.log import services
from server.log.models import LogEntry
from tests.support import log_rules as shared
from tests.support.early_warnings import make_finding
from tests.support.log_rules import escalate, move, refused
from tests.support.sync_api import mutation, push, register

actor, draft, evidence, rm = shared.actor, shared.draft, shared.evidence, shared.rm

pytestmark = pytest.mark.db


@pytest.fixture
def waiting(draft, rm, actor, evidence):
    """A high-risk entry the senior carer marked done and the RM checked: awaiting sign-off."""

    def _waiting(**fields):
        entry = move(draft(risk="high", interim_controls="Sensor mat", **fields), rm, "open")
        move(entry, actor("senior_carer"), "mark_done")
        evidence(entry)
        move(entry, rm, "close")
        assert entry.status == "awaiting_sign_off"
        return entry

    return _waiting


def rules(error) -> list[str]:
    return [r["rule"] for r in error.extra["reasons"]]


def test_the_three_steps_are_recorded_separately_and_said_in_order(world, waiting, rm, actor):
    entry = waiting()
    carer, ni = actor("senior_carer"), actor("nominated_individual")
    assert (entry.done_by, entry.checked_by, entry.signed_off_by) == (
        carer.user_id,
        rm.user_id,
        None,
    )
    assert entry.done_at <= entry.checked_at and entry.closed_at is None
    escalate(entry, rm)
    move(entry, ni, "sign_off")
    assert (entry.done_by, entry.checked_by, entry.signed_off_by) == (
        carer.user_id,
        rm.user_id,
        ni.user_id,
    )
    assert entry.checked_at <= entry.signed_off_at == entry.closed_at
    today = dates.london_today()
    on = f"{today.day} {today:%B %Y}"
    names = {role: world.users[role].display_name for role in world.users}
    assert services.sign_off_state(world.users["nominated_individual"], entry)["steps"] == (
        f"Marked done by {names['senior_carer']} on {on}, checked by "
        f"{names['registered_manager']} on {on}, signed off by {names['nominated_individual']} "
        f"on {on}."
    )


def test_a_high_risk_entry_without_an_escalation_decision_is_not_signed_off(waiting, rm, actor):
    entry = waiting()
    ni = actor("nominated_individual")
    error = refused("sign_off_needs_escalation", services.transition, ni, entry, "sign_off")
    assert error.message == (
        "No escalation decision is recorded: record whether this high-risk entry goes to "
        "provider level, and why."
    )
    assert error.fields == {"escalation_decision": "Record the escalation decision."}
    assert entry.status == "awaiting_sign_off"
    escalate(entry, rm)
    move(entry, ni, "sign_off")
    assert entry.status == "closed"


def test_an_unanswered_challenge_stops_the_sign_off_until_the_owner_answers(
    world, draft, rm, actor, evidence
):
    entry = move(draft(risk="high", interim_controls="Sensor mat"), rm, "open")
    move(entry, actor("senior_carer"), "mark_done")
    evidence(entry)
    # The RM's same-day challenge in her review: the entry keeps its status.
    services.challenge(rm, entry, "The audit covers days only", review_id="r-1")
    services.add_note(rm, entry, "Challenge from the review: the audit covers days only")
    move(entry, rm, "close")
    escalate(entry, rm)
    ni = actor("nominated_individual")
    error = refused("sign_off_challenge_open", services.transition, ni, entry, "sign_off")
    name = world.users["registered_manager"].display_name
    assert error.message.startswith(f"{name}'s challenge of ")
    assert "\u201cThe audit covers days only\u201d" in error.message
    assert "the owner answers it with a note, or by marking the entry done again" in error.message
    services.add_note(actor("senior_carer"), entry, "Night audit added: 14 of 14 charts complete")
    move(entry, ni, "sign_off")
    assert entry.status == "closed"


def test_a_record_with_no_evidence_is_not_signed_off(world, rm, actor):
    entry = LogEntry(
        service_id=world.home.id,
        concern="Bed rails not checked",
        source="audit",
        risk="high",
        status="awaiting_sign_off",
        escalation_decision="not_escalated",
        created_by=rm.user_id,
    )
    db.session.add(entry)
    db.session.flush()
    error = refused(
        "sign_off_needs_evidence",
        services.transition,
        actor("nominated_individual"),
        entry,
        "sign_off",
    )
    assert error.message == (
        "No evidence is attached: add where the proof that the action worked is kept."
    )


def test_the_person_who_marked_it_done_may_not_sign_it_off(world, draft, rm, actor, evidence):
    ni = actor("nominated_individual")
    entry = move(draft(risk="high", interim_controls="Sensor mat", owner_id=ni.user_id), rm, "open")
    move(entry, ni, "mark_done")
    evidence(entry)
    move(entry, rm, "close")
    escalate(entry, rm)
    error = refused("sign_off_not_independent", services.transition, ni, entry, "sign_off")
    assert error.message == (
        "You marked this entry done, so someone else must sign it off: another nominated "
        "individual or provider quality lead."
    )
    move(entry, actor("provider_quality_lead"), "sign_off")
    assert entry.signed_off_by == world.users["provider_quality_lead"].id


def test_a_safeguarding_concern_needs_its_referral_and_notification(world, waiting, rm, actor):
    entry = waiting()
    make_finding(world, safeguarding_concern=True, risk="high", log_entry_id=entry.id)
    escalate(entry, rm)
    ni = actor("nominated_individual")
    error = refused("sign_off_needs_referral", services.transition, ni, entry, "sign_off")
    assert rules(error) == ["sign_off_needs_referral", "sign_off_needs_cqc_notification"]
    assert "No local-authority safeguarding referral is recorded" in error.message
    assert "No CQC notification is recorded" in error.message
    assert set(error.fields) == {"referral_made_on", "cqc_notified_on"}
    yesterday = dates.london_today() - timedelta(days=1)
    services.record_escalation(
        rm,
        entry,
        "escalated",
        "Possible neglect",
        referral_made_on=yesterday,
        cqc_not_needed="The local authority found no abuse",
    )
    assert (entry.referral_made_on, entry.cqc_not_needed) == (
        yesterday,
        "The local authority found no abuse",
    )
    move(entry, ni, "sign_off")
    assert entry.status == "closed"
    said = services.sign_off_state(world.users["nominated_individual"], entry)["follow_through"]
    assert said == (
        f"Safeguarding: local-authority safeguarding referral made on {yesterday.day} "
        f"{yesterday:%B %Y}; CQC notification not needed: The local authority found no abuse."
    )


def test_a_routine_safeguarding_concern_closes_only_with_its_referral_and_notification(
    world, draft, rm, actor, evidence
):
    """A safeguarding concern that is not high risk closes at the manager's check, with no
    sign-off to look at its follow-through: the check itself asks for it."""
    entry = move(draft(risk="medium"), rm, "open")
    make_finding(world, safeguarding_concern=True, risk="medium", log_entry_id=entry.id)
    move(entry, actor("senior_carer"), "mark_done")
    evidence(entry)
    error = refused(
        "closure_needs_safeguarding_follow_through", services.transition, rm, entry, "close"
    )
    assert "No local-authority safeguarding referral is recorded" in error.message
    assert set(error.fields) == {"referral_made_on", "cqc_notified_on"}
    assert entry.status == "awaiting_check"
    services.record_escalation(
        rm,
        entry,
        "not_escalated",
        "Managed within the home with the local authority",
        referral_made_on=dates.london_today(),
        cqc_notified_on=dates.london_today(),
    )
    move(entry, rm, "close")
    assert entry.status == "closed"


def test_the_follow_through_is_a_day_or_a_reason_never_both_nor_a_future_day(waiting, rm):
    from server.errors import Invalid

    entry = waiting()
    with pytest.raises(Invalid) as info:
        services.record_escalation(
            rm,
            entry,
            "escalated",
            "Why",
            referral_made_on=dates.london_today(),
            referral_not_needed="No",
        )
    assert info.value.fields == {"referral_not_needed": "Leave this empty when you give the day."}
    with pytest.raises(Invalid) as info:
        services.record_escalation(
            rm, entry, "escalated", "Why", cqc_notified_on=dates.london_today() + timedelta(days=1)
        )
    assert info.value.fields == {"cqc_notified_on": "Give the day it was made: today or earlier."}


def test_every_reason_is_named_at_once_through_the_api(world, waiting, rm, login):
    entry = waiting()
    make_finding(world, safeguarding_concern=True, risk="high", log_entry_id=entry.id)
    db.session.commit()
    client = login(world.users["nominated_individual"])
    state = client.get(f"/api/v1/entries/{entry.id}/sign-off").get_json()
    wanted = [
        "sign_off_needs_escalation",
        "sign_off_needs_referral",
        "sign_off_needs_cqc_notification",
    ]
    assert [r["rule"] for r in state["refusals"]] == wanted
    assert (state["ready"], state["safeguarding"], state["challenges"]) == (False, True, [])
    r = client.post(
        f"/api/v1/entries/{entry.id}/transitions",
        json={"action": "sign_off", "version": entry.version},
    )
    assert r.status_code == 422
    error = r.get_json()["error"]
    assert [x["rule"] for x in error["reasons"]] == wanted
    assert error["message"] == " ".join(x["message"] for x in state["refusals"])
    r = client.post(
        f"/api/v1/entries/{entry.id}/escalation",
        json={
            "decision": "escalated",
            "reason": "Possible neglect",
            "version": entry.version,
            "referral_made_on": dates.london_today().isoformat(),
            "cqc_notified_on": dates.london_today().isoformat(),
        },
    )
    assert r.status_code == 200, r.get_json()
    answer = r.get_json()
    assert answer["referral_made_on"] == dates.london_today().isoformat()
    assert client.get(f"/api/v1/entries/{entry.id}/sign-off").get_json()["ready"] is True
    r = client.post(
        f"/api/v1/entries/{entry.id}/transitions",
        json={"action": "sign_off", "version": answer["version"]},
    )
    assert (r.status_code, r.get_json()["status"]) == (200, "closed")
    assert r.get_json()["signed_off_by"] == str(world.users["nominated_individual"].id)
    assert r.get_json()["checked_by"] == str(world.users["registered_manager"].id)


def test_a_sign_off_pushed_by_sync_is_refused_the_same_way(world, waiting, login):
    entry = waiting()
    db.session.commit()
    ni = world.users["nominated_individual"]
    client = login(ni)
    device = register(client)
    sign = mutation(device, ni, 1, "log_entry", "transition", {}, str(entry.id), entry.version)
    sign |= {"transition": {"action": "sign_off"}, "base_values": {"status": "awaiting_sign_off"}}
    (result,) = push(client, device, [sign]).get_json()["results"]
    assert result["status"] == "rejected", result
    assert "No escalation decision is recorded" in result["reason"]
    db.session.rollback()
    assert db.session.get(LogEntry, entry.id).status == "awaiting_sign_off"


def test_whoever_checked_an_entry_finds_it_in_their_subject_access_export(world, waiting):
    from server.ops.subject_access import export_user

    entry = waiting()
    deputy = world.users["deputy_manager"]
    entry.checked_by = deputy.id  # a deputy's check: neither owner, author nor closer
    db.session.flush()
    assert str(entry.id) in {row["id"] for row in export_user(deputy)["log_entries"]}
