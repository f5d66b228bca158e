"""My day as a task inbox: entries waiting for my check and for my sign-off (never one I
closed), my own entries waiting for sign-off, challenges on entries I own or manage,
overdue entries in the services I oversee, the counts behind the menu's badge, which
sections apply to whom, and the daily digest that says the same."""

from datetime import timedelta

import pytest

from server.audit.services import record
from server.common.types import clock_at
from server.extensions import db
from server.log import services as log
from server.notify.digest import body, digest_for, summary
from tests.support import myday as shared
from tests.support.myday import NOW, TODAY, actor, ids, make_entry

pytestmark = pytest.mark.db

day = shared.day


def closed_by(world, entry, role):
    """The audit trail's record that ``role`` closed ``entry`` (sent it for sign-off)."""
    record(actor(world, role), "log_entry", entry.id, "close", {}, entry.service_id)
    db.session.commit()


def test_waiting_for_my_check_is_the_done_entries_where_i_decide_the_check(world, day):
    carer = world.users["senior_carer"]
    done = make_entry(world, carer, TODAY + timedelta(days=2), status="awaiting_check")
    make_entry(world, carer, TODAY, status="in_progress")
    make_entry(world, carer, TODAY, status="awaiting_check", service=world.other)

    rm = day(world.users["registered_manager"])
    assert ids(rm["waiting_check"]) == [str(done.id)]
    assert rm["waiting_check"][0]["reason"].startswith("Marked done")
    assert rm["counts"]["sections"]["waiting_check"] == 1
    # A deputy may send back but not close: the check is not theirs to decide.
    assert "waiting_check" not in day(world.users["deputy_manager"])["counts"]["sections"]


def test_sign_off_waits_for_a_signer_who_did_not_close_it(world, day):
    rm = world.users["registered_manager"]
    mine = make_entry(world, rm, TODAY, status="awaiting_sign_off", risk="high")
    by_ni = make_entry(world, None, TODAY, status="awaiting_sign_off", risk="high")
    closed_by(world, mine, "registered_manager")
    closed_by(world, by_ni, "nominated_individual")

    ni = day(world.users["nominated_individual"])
    assert ids(ni["waiting_sign_off"]) == [str(mine.id)]  # never the one she closed
    assert ids(ni["sign_off_pending"]) == [str(by_ni.id)]  # she knows it waits on another
    assert sorted(ids(day(world.users["provider_quality_lead"])["waiting_sign_off"])) == sorted(
        [str(mine.id), str(by_ni.id)]
    )
    rm_day = day(rm)
    assert ids(rm_day["sign_off_pending"]) == [str(mine.id)]
    assert rm_day["sign_off_pending"][0]["reason"] == (
        "You own this high-risk entry: it waits for the nominated individual or provider "
        "quality lead to sign it off."
    )
    assert rm_day["waiting_sign_off"] == []
    assert "waiting_sign_off" not in rm_day["counts"]["sections"]


def test_the_service_manager_answers_challenges_on_its_entries_but_not_her_own(world, day):
    carer = world.users["senior_carer"]
    entry = make_entry(world, carer, TODAY + timedelta(days=3), status="awaiting_sign_off")
    mine = make_entry(world, carer, TODAY + timedelta(days=3))
    with clock_at(NOW - timedelta(days=1)):
        log.transition(
            actor(world, "nominated_individual"), entry, "challenge", reason="No photo of the fix"
        )
        log.challenge(actor(world, "registered_manager"), mine, "Ask the residents")
    db.session.commit()

    rm = day(world.users["registered_manager"])
    assert ids(rm["challenges"]) == [str(entry.id)]
    ni = world.users["nominated_individual"].display_name
    assert rm["challenges"][0]["reason"].startswith(f"{ni} challenged this entry at sign-off")
    assert sorted(ids(day(carer)["challenges"])) == sorted([str(entry.id), str(mine.id)])
    assert day(world.users["care_worker"])["challenges"] == []


def test_a_challenge_drops_off_once_someone_else_answers_it_with_a_note(world, day):
    """Challenges to answer are those not answered yet, by the rule sign-off applies: a
    note from anyone but the challenger, after the challenge, answers it."""
    carer = world.users["senior_carer"]
    entry = make_entry(world, carer, TODAY + timedelta(days=3), status="awaiting_sign_off")
    with clock_at(NOW - timedelta(days=2)):
        log.transition(
            actor(world, "nominated_individual"), entry, "challenge", reason="No photo of the fix"
        )
    with clock_at(NOW - timedelta(days=1)):
        log.add_note(actor(world, "nominated_individual"), entry, "Still waiting on this.")
    db.session.commit()
    assert ids(day(carer)["challenges"]) == [str(entry.id)]  # the challenger's own note

    with clock_at(NOW - timedelta(hours=3)):
        log.add_note(actor(world, "senior_carer"), entry, "Photo added to the folder.")
    db.session.commit()
    assert day(carer)["challenges"] == []
    assert day(world.users["registered_manager"])["challenges"] == []


def test_overdue_in_my_services_is_everyone_elses_overdue_by_the_one_definition(world, day):
    carer, deputy = world.users["senior_carer"], world.users["deputy_manager"]
    late = make_entry(world, carer, TODAY - timedelta(days=2))
    own = make_entry(world, deputy, TODAY - timedelta(days=2))
    make_entry(world, carer, TODAY - timedelta(days=2), status="awaiting_check")  # not overdue
    make_entry(world, carer, TODAY)  # due today: not yet
    make_entry(world, carer, TODAY - timedelta(days=2), service=world.other)

    body_ = day(deputy)
    assert ids(body_["services_overdue"]) == [str(late.id)]
    assert (
        body_["services_overdue"][0]["reason"] == "Overdue by 2 days: it was due on 14 March 2026."
    )
    assert ids(body_["overdue"]) == [str(own.id)]
    assert "services_overdue" not in day(carer)["counts"]["sections"]


def test_nothing_waiting_is_a_total_of_nought_and_the_badge_counts_every_section(world, day, login):
    carer = world.users["senior_carer"]
    idle = day(carer)
    assert idle["counts"] == {
        "sections": {"challenges": 0, "due_today": 0, "new_assignments": 0, "overdue": 0},
        "total": 0,
    }
    make_entry(world, carer, TODAY - timedelta(days=1))
    make_entry(world, carer, TODAY)
    busy = day(carer)
    assert busy["counts"]["total"] == 2
    with clock_at(NOW):
        counts = login(carer).get("/api/v1/my-day/counts").get_json()
    assert counts == busy["counts"]


def test_the_digest_says_the_same_sections(world):
    rm = world.users["registered_manager"]
    check = make_entry(world, world.users["senior_carer"], TODAY, status="awaiting_check")
    pending = make_entry(world, rm, TODAY, status="awaiting_sign_off", risk="high")
    late = make_entry(world, world.users["care_worker"], TODAY - timedelta(days=1))

    digest = digest_for(rm, NOW)

    assert summary(digest) == (
        "1 entry waiting for your check, 1 entry of yours waiting for sign-off, "
        "1 overdue entry in your services"
    )
    text = body(digest, "https://x.example")
    for title, entry in (
        ("Waiting for your check", check),
        ("Yours, waiting for sign-off", pending),
        ("Overdue in your services", late),
    ):
        assert (
            f"{title}:\n  Entry {str(entry.id)[:8]}: https://x.example/#/desk/log/{entry.id}"
            in text
        )
