"""The rules of a good log at the service layer that the desk API and the sync engine share:
carry-forwards, interim controls and flags, London dates, notes (issue 2, point 4
e-f and the entry date rules of i)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from server.common import dates
from server.errors import Conflict, Forbidden, Invalid
from server.extensions import db
from server.log import flags, services
from server.log.models import CarryForward, Note
from tests.support import log_rules as shared
from tests.support.log_rules import events, move, refused

# pytest finds fixtures among a module's globals: these come from tests/support/log_rules.py.
actor, draft, evidence, rm = shared.actor, shared.draft, shared.evidence, shared.rm

pytestmark = pytest.mark.db


# ---- e. carry-forwards --------------------------------------------------------------------


def test_moving_a_due_date_is_a_carry_forward_with_author_and_reason(draft, actor):
    deputy = actor("deputy_manager")
    entry = draft()
    first = entry.due_date
    later = first + timedelta(days=14)
    error = refused(
        "carry_forward_needs_reason",
        services.update_entry,
        deputy,
        entry,
        entry.version,
        {"due_date": later},
    )
    assert error.fields == {"carry_forward_reason": "Give a reason."}
    assert entry.due_date == first
    assert db.session.scalar(db.select(db.func.count()).select_from(CarryForward)) == 0
    services.update_entry(
        deputy, entry, entry.version, {"due_date": later}, carry_forward_reason="Trainer cancelled"
    )
    services.update_entry(
        deputy,
        entry,
        entry.version,
        {"due_date": later + timedelta(days=1)},
        carry_forward_reason="Bank holiday",
    )
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
    refused(
        "due_date_cannot_be_removed",
        services.update_entry,
        rm,
        entry,
        entry.version,
        {"due_date": None},
    )


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
    services.update_entry(
        rm,
        entry,
        entry.version,
        {"risk": "high", "interim_controls": "Hourly checks", "statement_ids": ["saf-2023:S1"]},
    )
    [event] = events(entry, "update")
    assert event.changes == {
        "risk": ["medium", "high"],
        "interim_controls": ["", "Hourly checks"],
        "statement_ids": [[], ["saf-2023:S1"]],
    }
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
            "owner_id": "Choose an active member of staff who works in this service."
        }
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
    assert flags.interim_control_flags(entry, today) == []  # a draft is not open yet
    move(entry, rm, "open")
    assert flags.interim_control_flags(entry, today) == [
        "This high-risk entry has no interim controls. Record what is keeping people safe "
        "until the action is done and checked."
    ]
    services.update_entry(rm, entry, entry.version, {"interim_controls": "Hourly checks"})
    assert flags.interim_control_flags(entry, today) == []


def test_overdue_open_entry_without_interim_controls_is_flagged(draft, rm):
    entry = move(draft(due_date=date(2030, 3, 4)), rm, "open")
    assert flags.interim_control_flags(entry, date(2030, 3, 4)) == []
    assert flags.interim_control_flags(entry, date(2030, 3, 5)) == [
        "This entry is overdue (due 4 March 2030) and has no interim controls. Record what is "
        "keeping people safe until the action is done."
    ]
    codes = [f["code"] for f in flags.entry_flags(entry, date(2030, 3, 5))]
    assert codes == ["overdue", "missing_interim_controls"]
    assert flags.entry_flags(entry, date(2030, 3, 6))[0]["message"] == (
        "Overdue by 2 days: it was due on 4 March 2030."
    )


def test_overdue_from_the_day_after_in_london_near_midnight_bst(draft, rm):
    entry = move(draft(due_date=date(2030, 6, 10)), rm, "open")
    # 22:59 UTC on 10 June is 23:59 in London (BST): still the due day.
    before = dates.london_today(datetime(2030, 6, 10, 22, 59, tzinfo=UTC))
    # 23:01 UTC on 10 June is 00:01 on 11 June in London: overdue.
    after = dates.london_today(datetime(2030, 6, 10, 23, 1, tzinfo=UTC))
    assert (before, after) == (date(2030, 6, 10), date(2030, 6, 11))
    assert not flags.is_entry_overdue(entry, before)
    assert flags.is_entry_overdue(entry, after)


def test_completion_day_is_the_london_day(draft, rm, actor, monkeypatch):
    entry = move(draft(due_date=date(2030, 6, 10)), rm, "open")
    monkeypatch.setattr(dates, "utcnow", lambda: datetime(2030, 6, 10, 23, 30, tzinfo=UTC))
    move(entry, actor("senior_carer"), "mark_done")
    assert entry.completed_on == date(2030, 6, 11)  # late, by London's calendar


def test_vague_decision_is_flagged_on_the_entry(draft):
    entry = draft(decision="Keep an eye on the call bells at night")
    [flag] = flags.entry_flags(entry, dates.london_today())
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
    services.add_evidence(
        owner,
        entry,
        type="care_record",
        location="Care plan, room 5",
        evidence_date=dates.london_today(),
        checked_by=owner.user_id,
    )
    move(entry, owner, "mark_done")
    assert entry.status == "awaiting_check"
    assert db.session.get(Note, note.id).body == "Charts checked at 2pm"
    with pytest.raises(Forbidden):
        services.transition(owner, entry, "close")


def test_blank_note_is_refused(draft, rm):
    with pytest.raises(Invalid) as info:
        services.add_note(rm, draft(), "   ")
    assert info.value.fields == {"body": "Write the note."}
