"""Early-warning signals: each fires at its threshold and stays silent just below it."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from server.common.types import utcnow
from server.extensions import db
from server.findings.models import Finding, Walkaround
from server.log.models import CarryForward, EvidenceRef, LogEntry
from server.oversight import warnings as ew
from server.oversight.warnings import early_warnings, warnings_summary

pytestmark = pytest.mark.db

# Monday 16 March 2026, noon; London is on GMT until 29 March, so UTC days are London days.
NOW = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)
TODAY = date(2026, 3, 16)


def at(days_ago: float = 0, hours_ago: float = 0) -> datetime:
    return NOW - timedelta(days=days_ago, hours=hours_ago)


def make_entry(world, service=None, **fields) -> LogEntry:
    values = {
        "service_id": (service or world.home).id, "concern": "Repositioning charts incomplete",
        "source": "audit", "decision": "Senior carer checks charts at 2pm daily",
        "owner_id": world.users["senior_carer"].id, "due_date": TODAY + timedelta(days=7),
        "evidence_needed": "Charts audit", "risk": "medium", "status": "open",
        "created_by": world.users["registered_manager"].id, "created_at": at(10),
        "opened_at": at(10),
    }
    values.update(fields)
    values.setdefault("original_due_date", values["due_date"])
    entry = LogEntry(**values)
    db.session.add(entry)
    db.session.flush()
    return entry


def make_finding(world, service=None, **fields) -> Finding:
    values = {
        "service_id": (service or world.home).id, "kind": "walkaround_issue",
        "area": "Lounge", "source": "walkaround", "description": "Call bell out of reach",
        "recorded_by": world.users["care_worker"].id, "recorded_at": at(1),
        "received_at": at(1),
    }
    values.update(fields)
    finding = Finding(**values)
    db.session.add(finding)
    db.session.flush()
    return finding


def make_walkaround(world, service=None, **fields) -> Walkaround:
    values = {"service_id": (service or world.home).id, "kind": "walkaround",
              "conducted_by": world.users["deputy_manager"].id, "started_at": at(1),
              "areas": ["Lounge"]}
    values.update(fields)
    walk = Walkaround(**values)
    db.session.add(walk)
    db.session.flush()
    return walk


def carry(world, entry, times: int) -> None:
    due = entry.due_date
    for _ in range(times):
        db.session.add(CarryForward(entry_id=entry.id, from_date=due,
                                    to_date=due + timedelta(days=7), reason="Staff off sick",
                                    author_id=world.users["registered_manager"].id))
        due += timedelta(days=7)
    db.session.flush()


def add_evidence(world, entry, type_: str, day: date) -> None:
    user = world.users["registered_manager"].id
    db.session.add(EvidenceRef(entry_id=entry.id, type=type_, location="Audit file",
                               evidence_date=day, checked_by=user, added_by=user))
    db.session.flush()


def of(world, signal, **kwargs):
    kwargs.setdefault("now", NOW)
    return [w for w in early_warnings(world.provider, **kwargs) if w.signal == signal]


def refs(*records, kind="log_entry"):
    return tuple((kind, r.id) for r in records)


def set_threshold(world, **values):
    world.provider.thresholds = {**(world.provider.thresholds or {}), **values}
    db.session.flush()


# ---- carried forward --------------------------------------------------------------------

def test_carried_forward_fires_at_the_limit_and_not_below(world):
    twice = make_entry(world)
    once = make_entry(world)
    carry(world, twice, 2)
    carry(world, once, 1)
    [warning] = of(world, "carried_forward")
    assert warning.service_id == world.home.id
    assert warning.refs == refs(twice)
    assert warning.count == 1
    assert warning.reason == ("1 entry not yet closed has been carried forward 2 or more times "
                              "(the limit is 2); the most is 2 times.")


def test_carried_forward_limit_is_the_providers_setting(world):
    entry = make_entry(world)
    carry(world, entry, 2)
    set_threshold(world, carry_forward_limit=3)
    assert of(world, "carried_forward") == []
    carry(world, entry, 1)
    [warning] = of(world, "carried_forward")
    assert "the limit is 3); the most is 3 times" in warning.reason


def test_closed_entries_carried_forward_are_not_warnings(world):
    carry(world, make_entry(world, status="closed"), 3)
    assert of(world, "carried_forward") == []


# ---- overdue without interim controls ---------------------------------------------------

def test_overdue_without_interim_controls_from_the_day_after_due(world):
    late = make_entry(world, due_date=TODAY - timedelta(days=1))
    blank = make_entry(world, due_date=TODAY - timedelta(days=3), interim_controls="   ")
    make_entry(world, due_date=TODAY)  # due today: not overdue yet
    make_entry(world, due_date=TODAY - timedelta(days=5),
               interim_controls="Night staff check positions two-hourly")
    make_entry(world, due_date=TODAY - timedelta(days=5), status="closed")
    [warning] = of(world, "overdue_without_interim_controls")
    assert warning.refs == refs(blank, late)  # oldest due date first
    assert warning.reason == ("2 overdue entries have no interim controls recorded; the oldest "
                              "was due on 13 March 2026 (3 days ago).")


def test_not_overdue_on_the_due_date_itself(world):
    make_entry(world, due_date=TODAY)
    assert of(world, "overdue_without_interim_controls") == []
    [warning] = of(world, "overdue_without_interim_controls", today=TODAY + timedelta(days=1),
                   now=NOW + timedelta(days=1))
    assert warning.count == 1


# ---- repeat findings --------------------------------------------------------------------

def test_three_findings_same_area_and_source_in_28_days_fire(world):
    first = make_finding(world, received_at=datetime(2026, 2, 17, 0, 0, tzinfo=UTC))  # day 1
    second = make_finding(world, received_at=at(10))
    third = make_finding(world, received_at=at(0, hours_ago=1))
    [warning] = of(world, "repeat_findings")
    assert warning.refs == refs(third, second, first, kind="finding")
    assert warning.reason == ("3 findings about Lounge from walkaround in the last 28 days "
                              "(the threshold is 3 in 28 days).")


def test_repeat_findings_silent_just_below_the_count_or_outside_the_window(world):
    make_finding(world, received_at=datetime(2026, 2, 16, 23, 59, tzinfo=UTC))  # day 29
    make_finding(world, received_at=at(10))
    make_finding(world, received_at=at(2))
    make_finding(world, received_at=at(2), source="audit")  # another source
    make_finding(world, received_at=at(2), area="Kitchen")  # another area
    make_finding(world, received_at=at(2), kind="positive_practice")  # not a concern
    assert of(world, "repeat_findings") == []


def test_repeat_finding_count_and_window_are_settings(world):
    for days in (3, 5, 7):
        make_finding(world, received_at=at(days))
    set_threshold(world, repeat_finding_count=4)
    assert of(world, "repeat_findings") == []
    set_threshold(world, repeat_finding_count=3, repeat_finding_window_days=6)
    assert of(world, "repeat_findings") == []
    set_threshold(world, repeat_finding_window_days=8)
    [warning] = of(world, "repeat_findings")
    assert "in the last 8 days (the threshold is 3 in 8 days)" in warning.reason


# ---- walkarounds with no follow-up ------------------------------------------------------

def test_walkarounds_and_checks_that_produced_no_follow_up(world):
    empty = make_walkaround(world, started_at=at(13))  # first day of the 14-day window
    quiet = make_walkaround(world, started_at=at(3), kind="visibility_round")
    make_finding(world, walkaround_id=quiet.id, follow_up_needed=False)
    needs = make_walkaround(world, started_at=at(2))
    make_finding(world, walkaround_id=needs.id, follow_up_needed=True)
    linked = make_walkaround(world, started_at=at(2))
    make_finding(world, walkaround_id=linked.id, log_entry_id=make_entry(world).id)
    make_walkaround(world, started_at=at(15))  # before the window
    lone = make_finding(world, kind="visibility_check", received_at=at(1))
    make_finding(world, kind="visibility_check", received_at=at(1), follow_up_needed=True)
    [warning] = of(world, "walkaround_no_follow_up")
    assert warning.refs == (("finding", lone.id), ("walkaround", quiet.id),
                            ("walkaround", empty.id))
    assert warning.reason == (
        "3 of 6 walkarounds and visibility checks in the last 14 days produced no follow-up: "
        "no finding needing follow-up and nothing linked to the log.")


def test_walkaround_window_is_a_setting(world):
    make_walkaround(world, started_at=at(10))
    set_threshold(world, walkaround_follow_up_window_days=7)
    assert of(world, "walkaround_no_follow_up") == []
    set_threshold(world, walkaround_follow_up_window_days=11)
    assert of(world, "walkaround_no_follow_up")[0].count == 1


# ---- families chasing -------------------------------------------------------------------

def feedback(world, **fields):
    values = {"kind": "feedback", "source": "feedback", "respondent_type": "relative",
              "question_id": "fu-2", "sentiment": "negative", "area": "Lounge",
              "received_at": at(5)}
    values.update(fields)
    return make_finding(world, **values)


def test_two_negative_relative_feedbacks_on_one_question_fire(world):
    first = feedback(world, received_at=at(20))
    second = feedback(world, respondent_type="person_supported", area="Garden")
    [warning] = of(world, "families_chasing")
    assert warning.refs == refs(second, first, kind="finding")
    assert warning.reason == (
        "2 negative feedback findings from relatives or people supported in the last 28 days "
        "about “Has anything you asked about not been followed up?” "
        "(the threshold is 2 in 28 days).")


def test_chasing_silent_below_the_count(world):
    feedback(world)
    feedback(world, respondent_type="staff")  # staff are not families chasing
    feedback(world, sentiment="neutral")
    feedback(world, question_id="fu-1")  # another question
    feedback(world, received_at=at(28))  # outside 28 days
    assert of(world, "families_chasing") == []
    set_threshold(world, chasing_window_days=29)
    assert of(world, "families_chasing")[0].count == 2


def test_chasing_without_a_question_groups_by_area(world):
    feedback(world, question_id=None, area="Dining room")
    feedback(world, question_id=None, area="Dining room")
    feedback(world, question_id=None, area="Garden")
    [warning] = of(world, "families_chasing")
    assert "about Dining room (the threshold is 2" in warning.reason
    set_threshold(world, chasing_count=3)
    assert of(world, "families_chasing") == []


# ---- high risk without escalation -------------------------------------------------------

def test_high_risk_without_escalation_after_24_hours(world):
    late = make_finding(world, risk="high", received_at=at(0, hours_ago=25))
    make_finding(world, risk="high", received_at=at(0, hours_ago=23))  # still within a day
    decided = make_entry(world, escalation_decision="escalated", escalation_at=at(1))
    make_finding(world, risk="high", received_at=at(3), log_entry_id=decided.id,
                 triage_state="linked")
    entry = make_entry(world, risk="high", created_at=at(0, hours_ago=30))
    make_entry(world, risk="high", created_at=at(3), escalation_decision="not_escalated")
    make_finding(world, risk="high", received_at=at(3), triage_state="dismissed",
                 dismissed_reason="Duplicate of this morning's report")  # decided at triage
    undecided = make_entry(world, risk="medium", created_at=at(1))
    linked = make_finding(world, risk="high", received_at=at(2), triage_state="linked",
                          log_entry_id=undecided.id)
    [warning] = of(world, "high_risk_no_escalation")
    assert warning.refs == (("finding", linked.id), ("log_entry", entry.id),
                            ("finding", late.id))  # longest waiting first
    assert warning.reason == ("2 high-risk findings and 1 high-risk entry have no escalation "
                              "decision recorded within 24 hours of being received or created.")
    undecided.status = "closed"  # the matter is closed: its finding no longer warns
    assert of(world, "high_risk_no_escalation")[0].refs == (("log_entry", entry.id),
                                                             ("finding", late.id))


def test_escalation_hours_are_the_providers_setting(world):
    make_finding(world, risk="high", received_at=at(0, hours_ago=30))
    set_threshold(world, escalation_hours={"high": 48, "medium": 72, "low": 168})
    assert of(world, "high_risk_no_escalation") == []
    set_threshold(world, escalation_hours={"high": 29, "medium": 72, "low": 168})
    [warning] = of(world, "high_risk_no_escalation")
    assert warning.reason.startswith("1 high-risk finding has no escalation decision recorded "
                                     "within 29 hours")


# ---- no named owner ---------------------------------------------------------------------

def test_entries_without_owner_and_drafts_older_than_a_day(world):
    old_draft = make_entry(world, status="draft", owner_id=None, created_at=at(0, hours_ago=25))
    make_entry(world, status="draft", owner_id=None, created_at=at(0, hours_ago=23))
    make_entry(world, status="closed", owner_id=None)
    make_entry(world, status="open")
    [warning] = of(world, "no_owner")
    assert warning.refs == refs(old_draft)
    assert warning.reason == ("1 entry not yet closed has no named owner (drafts count once "
                              "they are more than a day old).")


# ---- weak closure evidence --------------------------------------------------------------

def test_closures_on_verbal_reassurance_or_one_stale_reference(world):
    opened = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    verbal = make_entry(world, status="closed", opened_at=opened)
    add_evidence(world, verbal, "verbal_reassurance", date(2026, 3, 10))
    stale = make_entry(world, status="closed", opened_at=opened)
    add_evidence(world, stale, "audit", date(2026, 3, 1))
    add_evidence(world, stale, "verbal_reassurance", date(2026, 3, 10))
    same_day = make_entry(world, status="closed", opened_at=opened)
    add_evidence(world, same_day, "audit", date(2026, 3, 2))
    two = make_entry(world, status="closed", opened_at=opened)
    add_evidence(world, two, "audit", date(2026, 3, 1))
    add_evidence(world, two, "care_record", date(2026, 3, 9))
    open_one = make_entry(world, status="in_progress", opened_at=opened)
    add_evidence(world, open_one, "verbal_reassurance", date(2026, 3, 10))
    [warning] = of(world, "weak_closure_evidence")
    assert set(warning.refs) == set(refs(verbal, stale))
    assert warning.reason == ("2 closed entries rest on weak evidence: 1 with only verbal "
                              "reassurance or no evidence and 1 with a single evidence "
                              "reference dated before the entry opened.")


def test_weak_evidence_uses_the_london_day_the_entry_opened(world):
    # 23:30 UTC on 1 July is 00:30 on 2 July in London (BST): evidence of 1 July is earlier.
    entry = make_entry(world, status="closed",
                       opened_at=datetime(2026, 7, 1, 23, 30, tzinfo=UTC))
    add_evidence(world, entry, "care_record", date(2026, 7, 1))
    assert of(world, "weak_closure_evidence")[0].refs == refs(entry)


# ---- per service, per provider, and isolation -------------------------------------------

def test_warnings_are_per_service_and_summed_for_the_provider(world):
    make_entry(world, status="draft", owner_id=None, created_at=at(3))
    make_entry(world, world.other, status="draft", owner_id=None, created_at=at(3))
    make_entry(world, world.other, status="draft", owner_id=None, created_at=at(4))
    found = of(world, "no_owner")
    assert [(w.service_id, w.count) for w in found] == [(world.home.id, 1), (world.other.id, 2)]
    summary = warnings_summary(world.provider, now=NOW)
    assert summary["provider"]["no_owner"] == 3
    assert summary["services"][world.other.id]["no_owner"] == 2
    assert summary["services"][world.home.id]["carried_forward"] == 0
    only_home = of(world, "no_owner", service_ids=[world.home.id])
    assert [w.service_id for w in only_home] == [world.home.id]


def test_another_providers_records_are_never_counted(world):
    make_entry(world, world.rival_service, status="draft", owner_id=None, created_at=at(3))
    for days in (1, 2, 3):
        make_finding(world, world.rival_service, received_at=at(days))
    assert early_warnings(world.provider, now=NOW) == []
    assert early_warnings(world.provider, service_ids=[world.rival_service.id], now=NOW) == []
    assert [w.signal for w in early_warnings(world.rival, now=NOW)] == [
        "repeat_findings", "no_owner"]


def test_refs_are_capped_but_the_count_is_whole(world, monkeypatch):
    monkeypatch.setattr(ew, "REF_LIMIT", 2)
    for days in (2, 3, 4):
        make_entry(world, status="draft", owner_id=None, created_at=at(days))
    [warning] = of(world, "no_owner")
    assert warning.count == 3 and len(warning.refs) == 2
    assert warning.reason.startswith("3 entries not yet closed have no named owner")


# ---- the endpoint -----------------------------------------------------------------------

def test_endpoint_shows_the_managers_services_with_reasons_and_records(client, world, login):
    entry = make_entry(world, status="draft", owner_id=None,
                       created_at=utcnow() - timedelta(days=2))
    make_entry(world, world.other, status="draft", owner_id=None,
               created_at=utcnow() - timedelta(days=2))
    db.session.commit()
    body = login(world.users["registered_manager"]).get("/api/v1/early-warnings").get_json()
    assert [s["service_name"] for s in body["services"]] == ["Ashdown House"]
    assert body["counts"]["no_owner"] == 1
    assert body["thresholds"]["carry_forward_limit"] == 2
    assert body["warnings"] == [{
        "signal": "no_owner", "service_id": str(world.home.id), "count": 1,
        "reason": "1 entry not yet closed has no named owner (drafts count once they are "
                  "more than a day old).",
        "refs": [{"type": "log_entry", "id": str(entry.id)}],
    }]


def test_endpoint_gives_provider_leaders_every_service(client, world, login):
    make_entry(world, world.other, status="draft", owner_id=None,
               created_at=utcnow() - timedelta(days=2))
    db.session.commit()
    body = login(world.users["nominated_individual"]).get("/api/v1/early-warnings").get_json()
    assert [s["service_name"] for s in body["services"]] == ["Ashdown House", "Beech Court"]
    assert body["counts"]["no_owner"] == 1
    one = client.get(f"/api/v1/early-warnings?service_id={world.home.id}").get_json()
    assert [s["service_name"] for s in one["services"]] == ["Ashdown House"]
    assert one["warnings"] == []


@pytest.mark.parametrize("role", ["care_worker", "senior_carer", "key_worker",
                                  "care_coordinator", "duty_manager", "provider_admin"])
def test_endpoint_refuses_roles_without_oversight(client, world, login, role):
    response = login(world.users[role]).get("/api/v1/early-warnings")
    assert response.status_code == 403
    assert response.get_json()["error"]["message"] == (
        "Your role does not allow seeing early warnings and review cadence (oversight.read).")


def test_endpoint_bad_or_foreign_service(client, world, login):
    login(world.users["registered_manager"])
    bad = client.get("/api/v1/early-warnings?service_id=nope")
    assert bad.status_code == 422
    assert bad.get_json()["error"]["fields"] == {"service_id": "Not a valid UUID."}
    assert client.get(f"/api/v1/early-warnings?service_id={world.rival_service.id}"
                      ).status_code == 404
    assert client.get(f"/api/v1/early-warnings?service_id={uuid.uuid4()}").status_code == 404
    assert client.get(f"/api/v1/early-warnings?service_id={world.other.id}").status_code == 403


def test_endpoint_needs_login(client, world):
    assert client.get("/api/v1/early-warnings").status_code == 401
