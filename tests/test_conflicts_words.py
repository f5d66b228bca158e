"""Conflicts and an entry's history in words (issue 16 point 4): every conflict kind and
every event type the log writes on an entry is said with names, places, London times and
plain choices, and "Reopen for checking" does what it says."""

import dataclasses
import json

import pytest

from tests.support.conflict_kinds import (
    DESK_WORDS,
    DONE_REASON,
    SPOKEN_MOMENT,
    TABLET_WORDS,
    Desk,
    Tablet,
    make_every_event,
    make_every_kind,
    make_floor,
    unreadable,
)

pytestmark = pytest.mark.db


@pytest.fixture
def made(app):
    floor = make_floor(app)
    ids = make_every_kind(app, floor)
    return floor, ids, Desk(app, floor.manager)


def by_entity(items):
    return {c["entity_id"]: c for c in items}


def test_every_conflict_kind_is_said_in_words_with_plain_choices(made):
    floor, ids, desk = made
    conflicts = by_entity(
        desk.get(f"/conflicts?service_id={floor.service_id}&status=open")["items"]
    )
    worded, risky = conflicts[ids["worded"]]["words"], conflicts[ids["risky"]]["words"]
    gone, done = conflicts[ids["gone"]]["words"], conflicts[ids["entry"]]["words"]

    assert worded["kept"]["value"] == f"“{DESK_WORDS}”"
    assert (worded["kept"]["who"], worded["kept"]["where"]) == ("Robin Manager", "at the desk")
    assert worded["other"]["where"] == "on the tablet “Lounge tablet”"
    assert [c["label"] for c in worded["choices"]] == [
        "Keep Robin's wording",
        "Use the tablet's wording",
    ]
    assert worded["other"]["value"] == f"“{TABLET_WORDS}”" and worded["new_value"] == "text"

    assert risky["kept"]["value"] == "Risk: High" and risky["other"]["value"] == "Deleted"
    assert [c["label"] for c in risky["choices"]] == [
        "Keep the finding with Robin's changes",
        "Delete the finding",
    ]
    assert gone["kept"]["value"] == "Deleted" and gone["other"]["value"] == "Risk: High"
    assert gone["other"]["where"] == "on the tablet “Garden tablet”"
    assert [c["label"] for c in gone["choices"]] == [
        "Leave it deleted",
        "Bring the finding back with the tablet's change",
    ]

    assert done["title"] == "A status change that arrived too late"
    assert done["summary"] == (
        "Sam Carer marked it done on the tablet “Lounge tablet” while it was open, but when "
        "the change arrived the entry was already closed."
    )
    assert done["other"]["value"] == f"Marked it done. Reason given: “{DONE_REASON}”"
    assert [c["label"] for c in done["choices"]] == ["Keep closed", "Reopen for checking"]
    assert SPOKEN_MOMENT.fullmatch(done["kept"]["when"]), done["kept"]["when"]
    for conflict in conflicts.values():
        assert unreadable(json.dumps(conflict["words"], ensure_ascii=False)) == []
        assert "kept_value" in conflict and "other_value" in conflict  # raw fields stay


def test_reopen_for_checking_reopens_the_closed_entry_and_applies_the_done(made):
    floor, ids, desk = made
    conflict = desk.get(f"/entries/{ids['entry']}/conflicts")["items"][0]
    settled = desk.post(f"/conflicts/{conflict['id']}/resolve", {"choice": "other"})
    assert settled["status"] == "resolved" and settled["words"]["about"].startswith("The entry")
    assert desk.get(f"/entries/{ids['entry']}")["status"] == "awaiting_check"
    actions = [e["action"] for e in desk.get(f"/entries/{ids['entry']}/history")["items"]]
    assert actions[-3:] == ["reopen", "mark_done", "resolve_conflict"]


def test_keep_closed_leaves_the_entry_closed(made):
    floor, ids, desk = made
    conflict = desk.get(f"/entries/{ids['entry']}/conflicts")["items"][0]
    desk.post(f"/conflicts/{conflict['id']}/resolve", {"choice": "kept"})
    assert desk.get(f"/entries/{ids['entry']}")["status"] == "closed"
    last = desk.get(f"/entries/{ids['entry']}/history")["items"][-1]["words"]
    assert last["summary"] == "Robin Manager settled a conflict: “Keep closed”"


def test_every_history_event_is_said_in_words(app, made):
    floor, ids, desk = made
    make_every_event(app, floor, ids)
    events = desk.get(f"/entries/{ids['entry']}/history")["items"]
    said = {e["action"]: e["words"] for e in events}
    assert set(said) >= {
        "create", "open", "evidence", "mark_done", "close", "conflict", "note", "reopen",
        "resolve_conflict", "send_back", "carry_forward", "update", "escalation",
        "link_findings", "hand_over", "challenge",
    }  # fmt: skip
    assert said["escalation"]["summary"] == (
        "Robin Manager escalated it to the nominated individual"
    )
    assert "Escalation: Escalated to the nominated individual" in said["escalation"]["lines"]
    assert "Decided by: Robin Manager" in said["escalation"]["lines"]
    assert "Status: Awaiting a completion check → Closed" in said["close"]["lines"]
    assert "Owner: Sam Carer → Alex Worker" in said["hand_over"]["lines"]
    assert said["conflict"]["who"] == "Sam Carer"
    assert said["conflict"]["where"] == "on the tablet “Lounge tablet”"
    assert said["resolve_conflict"]["summary"].startswith(
        "Robin Manager settled a conflict by taking the change on the tablet “Lounge tablet”"
    )
    assert said["link_findings"]["lines"] == ["1 finding linked"]
    for event in events:
        assert unreadable(json.dumps(event["words"], ensure_ascii=False)) == [], event


def test_sign_off_delete_and_an_action_added_later_are_said_in_words(app, made):
    from server.accounts.models import User
    from server.audit import services as audit
    from server.extensions import db
    from server.log import machine

    floor, ids, desk = made
    with app.app_context():  # a session of its own, as the requests before it had
        manager = audit.Actor(db.session.get(User, floor.manager["id"]))
        by = manager.user_id
        for action, changes in (
            ("sign_off", {"status": ["awaiting_sign_off", "closed"], "signed_off_by": [None, by]}),
            ("delete", {"deleted": [False, True]}),
            ("restore", {"deleted": [True, False]}),
            ("check", {"checked_by": [None, by]}),
        ):
            audit.record(manager, "log_entry", ids["entry"], action, changes, floor.service_id)
        db.session.commit()
    checked = dataclasses.replace(machine.TRANSITIONS["close"], done="checked")
    machine.TRANSITIONS["check"] = checked  # as if the status machine gained a step
    try:
        events = desk.get(f"/entries/{ids['entry']}/history")["items"][-4:]
    finally:
        del machine.TRANSITIONS["check"]
    said = [(e["words"]["summary"], e["words"]["lines"]) for e in events]
    assert said == [
        (
            "Robin Manager signed it off",
            ["Status: Awaiting sign-off → Closed", "Signed off by: Robin Manager"],
        ),
        ("Robin Manager deleted it", []),
        ("Robin Manager brought it back", []),
        ("Robin Manager checked the entry", ["Checked by: Robin Manager"]),
    ]


def test_a_status_change_that_can_no_longer_apply_offers_only_keeping(app):
    floor = make_floor(app)
    manager, tablet = (
        Desk(app, floor.manager),
        Tablet(app, floor.carer, "lounge-tablet", "Lounge tablet"),
    )
    entry = f"/entries/{floor.entry_id}"
    version = manager.get(entry)["version"]
    manager.post(entry + "/transitions", {"action": "mark_done", "version": version})
    started = {"base_version": 1, "base_values": {"status": "open"}}
    started["transition"] = {"action": "start", "reason": None}
    assert tablet.push("log_entry", "transition", floor.entry_id, **started)["status"] == "conflict"
    words = manager.get(entry + "/conflicts")["items"][0]["words"]
    assert words["other"]["value"] == "Started it"
    assert words["choices"] == [{"choice": "kept", "label": "Keep awaiting a completion check"}]
    assert words["blocked"] == (
        "The tablet's change cannot be applied to an entry that is awaiting a completion "
        "check. If it needs more work, keep it as it is and reopen the entry from its page."
    )
