"""The engine over every store: idempotence, merging, deletes, transitions and rules."""

import uuid

import pytest

from sync.engine import apply
from sync.types import (
    RECORD,
    Applied,
    ConflictRecorded,
    Duplicate,
    Merged,
    Rejected,
    outcome_from_dict,
)
from sync.validate import validate
from tests.support.sync_harness import actions, add_evidence, edit, make_entry, push, transition


def test_a_create_applies_and_the_server_sets_its_author(harness, ann):
    finding_id = uuid.uuid4()
    outcome = push(
        harness,
        ann,
        ann.make(
            "create",
            "finding",
            finding_id,
            changes={
                "service_id": str(harness.service_id),
                "kind": "walkaround_issue",
                "area": "Lounge",
                "source": "walkaround",
                "description": "Call bell out of reach",
                "recorded_at": "2025-03-03T08:55:00+00:00",
            },
        ),
    )
    assert outcome == Applied(
        f"{ann.device_id}-m1",
        "finding",
        finding_id,
        1,
        ("area", "description", "kind", "recorded_at", "service_id", "source"),
    )
    record = harness.record("finding", finding_id)
    assert record["recorded_by"] == str(ann.author_id)
    assert record["description"] == "Call bell out of reach"


def test_a_mutation_pushed_again_applies_nothing_and_returns_the_first_outcome(harness, desk):
    entry_id = make_entry(harness, desk)
    version = harness.record("log_entry", entry_id)["version"]
    mutation = edit(desk, entry_id, version, "risk", "high", "medium")
    first = push(harness, desk, mutation)
    again = [push(harness, desk, mutation) for _ in range(3)]
    assert isinstance(first, Applied)
    assert again == [Duplicate(mutation.mutation_id, first)] * 3
    assert actions(harness, desk.device_id, mutation.mutation_id) == ["update"]
    assert harness.record("log_entry", entry_id)["version"] == version + 1


def test_the_receipt_is_the_outcome_as_json(harness, desk):
    entry_id = make_entry(harness, desk, status="draft")
    mutation = edit(desk, entry_id, 1, "risk", "low", "medium")
    outcome = push(harness, desk, mutation)
    stored = harness.receipt(desk.device_id, mutation.mutation_id)
    assert outcome_from_dict(stored) == outcome


def test_a_mutation_claiming_another_author_is_rejected_and_remembered(harness, ann, bob):
    entry_id = make_entry(harness, ann)  # ann creates it: any user may in the memory store
    forged = bob.raw(
        "update",
        "log_entry",
        entry_id,
        base_version=2,
        changes={"risk": "high"},
        base_values={"risk": "medium"},
        author_id=str(ann.author_id),
    )
    mutation = validate(forged)
    outcome = push(harness, bob, mutation)
    assert outcome == Rejected(
        mutation.mutation_id,
        "author_mismatch",
        "A change can only be pushed by its own author; this one names another user.",
        {"author_id": "Must be the signed-in user."},
    )
    assert push(harness, bob, mutation) == Duplicate(mutation.mutation_id, outcome)
    assert harness.record("log_entry", entry_id)["risk"] == "medium"


def test_a_mutation_from_another_device_is_rejected_and_not_remembered(harness, ann, bob):
    entry_id = make_entry(harness, ann)
    mutation = edit(ann, entry_id, 2, "risk", "high", "medium")
    ann_on_bobs_tablet = harness.actor(ann.user, bob.device_id)
    outcome = apply(harness.store, mutation, ann_on_bobs_tablet, harness.now())
    assert outcome.code == "device_mismatch"
    assert harness.receipt(ann.device_id, mutation.mutation_id) is None
    assert isinstance(push(harness, ann, mutation), Applied)


# ---- merging --------------------------------------------------------------------------


def test_edits_to_different_fields_from_two_devices_both_land(harness, desk, ann, bob):
    entry_id = make_entry(harness, desk)
    version = harness.record("log_entry", entry_id)["version"]
    first = push(
        harness, ann, edit(ann, entry_id, version, "interim_controls", "Hourly checks", "")
    )
    second = push(harness, bob, edit(bob, entry_id, version, "risk", "high", "medium"))
    assert isinstance(first, Applied) and first.fields == ("interim_controls",)
    assert isinstance(second, Merged) and second.fields == ("risk",)
    record = harness.record("log_entry", entry_id)
    assert (record["interim_controls"], record["risk"]) == ("Hourly checks", "high")
    assert second.version == record["version"]


def test_the_same_field_twice_keeps_the_first_and_records_the_second(harness, desk, ann, bob):
    entry_id = make_entry(harness, desk)
    version = harness.record("log_entry", entry_id)["version"]
    push(harness, ann, edit(ann, entry_id, version, "risk", "high", "medium"))
    late = edit(bob, entry_id, version, "risk", "low", "medium")
    outcome = push(harness, bob, late)
    assert isinstance(outcome, ConflictRecorded)
    assert (outcome.fields, outcome.applied) == (("risk",), ())
    assert harness.record("log_entry", entry_id)["risk"] == "high"
    conflict = harness.store.conflict(outcome.conflict_id)
    assert (conflict.kind, conflict.field, conflict.status) == ("field", "risk", "open")
    assert (conflict.base_value, conflict.kept_value, conflict.other_value) == (
        "medium",
        "high",
        "low",
    )
    assert (conflict.kept_author, conflict.kept_device) == (ann.author_id, ann.device_id)
    assert (conflict.other_author, conflict.other_device) == (bob.author_id, bob.device_id)
    assert conflict.kept_at < conflict.other_at
    assert conflict.service_id == harness.service_id
    assert harness.conflicts(status="open", entity_id=entry_id) == [conflict]


def test_a_second_conflict_on_a_field_still_names_who_wrote_the_kept_value(
    harness, desk, ann, bob, tablet
):
    entry_id = make_entry(harness, desk)
    version = harness.record("log_entry", entry_id)["version"]
    push(harness, ann, edit(ann, entry_id, version, "risk", "high", "medium"))
    push(harness, bob, edit(bob, entry_id, version, "risk", "low", "medium"))
    carol = tablet(3, "tablet-carol")
    outcome = push(harness, carol, edit(carol, entry_id, version, "risk", "low", "medium"))
    conflict = harness.store.conflict(outcome.conflict_id)
    assert (conflict.kept_value, conflict.kept_author, conflict.kept_device) == (
        "high",
        ann.author_id,
        ann.device_id,
    )


def test_a_conflict_and_a_merge_in_one_mutation(harness, desk, ann, bob):
    entry_id = make_entry(harness, desk)
    version = harness.record("log_entry", entry_id)["version"]
    push(harness, ann, edit(ann, entry_id, version, "risk", "high", "medium"))
    outcome = push(
        harness,
        bob,
        bob.make(
            "update",
            "log_entry",
            entry_id,
            base_version=version,
            changes={"risk": "low", "interim_controls": "Sensor mat in room 4"},
            base_values={"risk": "medium", "interim_controls": ""},
        ),
    )
    assert (outcome.fields, outcome.applied) == (("risk",), ("interim_controls",))
    assert harness.record("log_entry", entry_id)["interim_controls"] == "Sensor mat in room 4"


def test_tags_added_on_two_devices_are_a_union(harness, desk, ann, bob):
    safe, well_led, responsive = harness.statements
    entry_id = make_entry(harness, desk, statements=[safe])
    version = harness.record("log_entry", entry_id)["version"]
    push(
        harness,
        ann,
        ann.make(
            "update",
            "log_entry",
            entry_id,
            base_version=version,
            changes={"statements": [safe, well_led]},
        ),
    )
    outcome = push(
        harness,
        bob,
        bob.make(
            "update",
            "log_entry",
            entry_id,
            base_version=version,
            changes={"statements": [responsive]},
        ),
    )
    assert isinstance(outcome, Merged)
    # A set of tags: the server keeps them in its own order.
    assert sorted(harness.record("log_entry", entry_id)["statements"]) == sorted(
        [safe, well_led, responsive]
    )


def test_notes_from_two_devices_both_land(harness, desk, ann, bob):
    entry_id = make_entry(harness, desk)
    for device, body in ((ann, "Mats ordered"), (bob, "Mat in room 4 replaced")):
        outcome = push(
            harness,
            device,
            device.make(
                "append", "note", uuid.uuid4(), changes={"entry_id": str(entry_id), "body": body}
            ),
        )
        assert isinstance(outcome, Applied)
    bodies = {
        r["body"] for (kind, _), r in harness.live_state(desk.actor).items() if kind == "note"
    }
    assert bodies == {"Mats ordered", "Mat in room 4 replaced"}


# ---- deletes --------------------------------------------------------------------------


def test_an_offline_edit_after_a_delete_never_undeletes(harness, desk, ann):
    entry_id = make_entry(harness, desk, status="draft")  # the log deletes only drafts
    version = harness.record("log_entry", entry_id)["version"]
    push(harness, desk, desk.make("delete", "log_entry", entry_id, base_version=version))
    outcome = push(harness, ann, edit(ann, entry_id, version, "risk", "high", "medium"))
    assert isinstance(outcome, ConflictRecorded) and outcome.fields == (RECORD,)
    assert harness.record("log_entry", entry_id)["deleted"] is True
    conflict = harness.store.conflict(outcome.conflict_id)
    assert (conflict.kind, conflict.other_value, conflict.kept_device) == (
        "edit_vs_delete",
        {"risk": "high"},
        desk.device_id,
    )


def test_an_offline_delete_after_an_edit_never_wipes_the_edit(harness, desk, ann):
    entry_id = make_entry(harness, desk)
    version = harness.record("log_entry", entry_id)["version"]
    push(harness, desk, edit(desk, entry_id, version, "risk", "high", "medium"))
    outcome = push(
        harness,
        ann,
        ann.make(
            "delete", "log_entry", entry_id, base_version=version, base_values={"risk": "medium"}
        ),
    )
    assert isinstance(outcome, ConflictRecorded)
    record = harness.record("log_entry", entry_id)
    assert (record["deleted"], record["risk"]) == (False, "high")
    conflict = harness.store.conflict(outcome.conflict_id)
    assert (conflict.kind, conflict.kept_value, conflict.other_value) == (
        "delete_vs_edit",
        {"risk": "high"},
        {"deleted": True},
    )


def test_a_delete_of_the_current_version_makes_a_tombstone_pulls_see(harness, desk):
    entry_id = make_entry(harness, desk, status="draft")
    cursor = harness.pull(desk.actor, 0, 100).next_cursor
    version = harness.record("log_entry", entry_id)["version"]
    outcome = push(harness, desk, desk.make("delete", "log_entry", entry_id, base_version=version))
    assert outcome == Applied(outcome.mutation_id, "log_entry", entry_id, version + 1, ("deleted",))
    page = harness.pull(desk.actor, cursor, 100)
    assert [(c["id"], c["deleted"], c["record"]) for c in page.changes] == [
        (str(entry_id), True, None)
    ]


# ---- transitions and the log's rules --------------------------------------------------


def test_closing_without_evidence_is_rejected_with_the_rules_message(harness, desk):
    entry_id = make_entry(harness, desk, status="awaiting_check")
    version = harness.record("log_entry", entry_id)["version"]
    outcome = push(harness, desk, transition(desk, entry_id, version, "awaiting_check", "close"))
    message, fields = harness.closure_refusal  # the rule's own words, store by store
    assert outcome == Rejected(
        outcome.mutation_id, "rule", message, fields, "closure_needs_evidence"
    )
    assert "verbal reassurance alone is not enough" in message.lower()
    assert harness.record("log_entry", entry_id)["status"] == "awaiting_check"
    assert (
        push(harness, desk, transition(desk, entry_id, version, "awaiting_check", "close")).code
        == "rule"
    )


def test_verbal_reassurance_alone_does_not_close(harness, desk):
    entry_id = make_entry(harness, desk, status="awaiting_check")
    add_evidence(harness, desk, entry_id, kind="verbal_reassurance")
    version = harness.record("log_entry", entry_id)["version"]
    outcome = push(harness, desk, transition(desk, entry_id, version, "awaiting_check", "close"))
    assert outcome.rule == "closure_needs_evidence"


@pytest.mark.parametrize(("risk", "status"), [("medium", "closed"), ("high", "awaiting_sign_off")])
def test_closing_with_evidence_follows_the_rules(harness, desk, risk, status):
    entry_id = make_entry(harness, desk, status="awaiting_check", risk=risk)
    add_evidence(harness, desk, entry_id)
    version = harness.record("log_entry", entry_id)["version"]
    outcome = push(harness, desk, transition(desk, entry_id, version, "awaiting_check", "close"))
    assert isinstance(outcome, Applied) and outcome.fields == ("status",)
    assert harness.record("log_entry", entry_id)["status"] == status


def test_an_offline_done_on_an_entry_closed_meanwhile_is_a_note_and_a_conflict(harness, desk, ann):
    entry_id = make_entry(harness, desk, status="in_progress")
    seen = harness.record("log_entry", entry_id)["version"]
    push(harness, desk, transition(desk, entry_id, seen, "in_progress", "mark_done"))
    add_evidence(harness, desk, entry_id)
    now = harness.record("log_entry", entry_id)["version"]
    push(harness, desk, transition(desk, entry_id, now, "awaiting_check", "close"))
    late = transition(ann, entry_id, seen, "in_progress", "mark_done", "All mats checked")
    outcome = push(harness, ann, late)
    assert isinstance(outcome, ConflictRecorded) and outcome.fields == ("status",)
    assert harness.record("log_entry", entry_id)["status"] == "closed"
    conflict = harness.store.conflict(outcome.conflict_id)
    assert (conflict.kind, conflict.base_value, conflict.kept_value, conflict.other_value) == (
        "transition",
        "in_progress",
        "closed",
        {"action": "mark_done", "reason": "All mats checked"},
    )
    notes = [
        r["body"]
        for (kind, _), r in harness.live_state(ann.actor).items()
        if kind == "note" and r["entry_id"] == str(entry_id)
    ]
    assert notes == [
        "Not applied: “mark done” from a tablet, made while the entry was in progress, "
        "arrived after it had become closed. Reason given: “All mats checked”. A manager "
        "decides which stands, in the conflicts to resolve."
    ]


def test_a_value_the_rules_refuse_is_rejected_naming_the_field(harness, desk):
    entry_id = make_entry(harness, desk)
    version = harness.record("log_entry", entry_id)["version"]
    outcome = push(harness, desk, edit(desk, entry_id, version, "risk", "extreme", "medium"))
    assert (outcome.code, outcome.fields) == (
        "invalid",
        {"changes.risk": "Must be one of: low, medium, high."},
    )


def test_an_update_to_an_unknown_record_is_rejected(harness, ann):
    outcome = push(harness, ann, edit(ann, uuid.uuid4(), 1, "risk", "high", "low"))
    assert outcome.code == "not_found"
