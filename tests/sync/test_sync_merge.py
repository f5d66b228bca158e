"""The three-way merge, policy by policy, as pure functions (no store)."""

import uuid
from pathlib import Path

import pytest

from sync.merge import DELETED, FieldConflict, merge, merge_field
from sync.policies import (
    ALLOWED_OPS,
    APPEND_ONLY,
    AUTHOR_FIELDS,
    MERGE_IF_UNTOUCHED,
    POLICIES,
    SERVER_OWNED,
    STATE_FIELDS,
    markdown_table,
)
from sync.types import RECORD
from sync.validate import validate

ID = uuid.UUID("0b5c8f5e-3a8e-4c55-9d53-1f1f6f0a8c11")
AUTHOR = "5d4c4c3a-7e0f-4d8e-8f3e-2a4a0e9c1b22"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "sync-protocol.md"


def entry(**fields) -> dict:
    return {
        "id": str(ID),
        "version": 4,
        "deleted": False,
        "status": "open",
        "decision": "Check mats nightly",
        "risk": "medium",
        "interim_controls": "",
        "statements": ["safe"],
        "service_id": str(uuid.UUID(int=7)),
    } | fields


def mutation(op="update", entity_type="log_entry", **fields):
    raw = {
        "mutation_id": "m-1",
        "device_id": "tablet-1",
        "seq": 1,
        "entity_type": entity_type,
        "entity_id": str(ID),
        "op": op,
        "author_id": AUTHOR,
        "base_version": None if op in ("create", "append") else 4,
    } | fields
    result = validate(raw)
    assert not hasattr(result, "code"), result
    return result


# ---- merge_if_untouched ---------------------------------------------------------------


def test_untouched_field_takes_the_device_value():
    result = merge(
        "log_entry", entry(), mutation(changes={"risk": "high"}, base_values={"risk": "medium"})
    )
    assert (result.write, result.apply, result.conflicts) == ("update", {"risk": "high"}, ())


def test_field_already_at_the_device_value_is_a_no_op():
    result = merge(
        "log_entry",
        entry(risk="high"),
        mutation(changes={"risk": "high"}, base_values={"risk": "low"}),
    )
    assert (result.write, result.apply, result.conflicts) == (None, {}, ())


def test_field_changed_on_both_sides_keeps_the_first_and_conflicts():
    result = merge(
        "log_entry",
        entry(risk="high"),
        mutation(changes={"risk": "low"}, base_values={"risk": "medium"}),
    )
    assert result.write is None
    assert result.conflicts == (FieldConflict("risk", "medium", "high", "low"),)


def test_fields_changed_on_one_side_each_merge_beside_a_conflict():
    result = merge(
        "log_entry",
        entry(risk="high", decision="Replace mats (RM)"),
        mutation(
            changes={"risk": "low", "interim_controls": "Hourly checks"},
            base_values={"risk": "medium", "interim_controls": ""},
        ),
    )
    assert result.apply == {"interim_controls": "Hourly checks"}
    assert [c.field for c in result.conflicts] == ["risk"]


def test_a_changed_field_needs_its_base_value():
    result = merge("log_entry", entry(), mutation(changes={"risk": "high"}))
    assert result.rejected.code == "missing_base"
    assert result.rejected.fields == {
        "base_values.risk": "Must hold the value the device last saw."
    }


@pytest.mark.parametrize(
    ("current", "base", "new", "expected"),
    [
        ("a", "a", "b", ("set", "b")),
        ("b", "a", "b", ("same", None)),
        ("c", "a", "b", ("conflict", "c")),
        (None, None, "b", ("set", "b")),
    ],
)
def test_merge_field_scalar(current, base, new, expected):
    assert merge_field(MERGE_IF_UNTOUCHED, current, base, new) == expected


# ---- append_only ----------------------------------------------------------------------


def test_append_only_lists_take_the_union_and_never_conflict():
    result = merge(
        "log_entry",
        entry(statements=["safe", "well_led"]),
        mutation(changes={"statements": ["safe", "responsive"]}),
    )
    assert result.apply == {"statements": ["safe", "well_led", "responsive"]}
    assert result.conflicts == ()


def test_append_only_never_removes_an_item():
    assert merge_field(APPEND_ONLY, ["a", "b"], None, ["a"]) == ("same", None)


def test_notes_from_two_devices_are_a_union_of_two_appends():
    first = mutation("append", "note", changes={"entry_id": str(ID), "body": "Mats ordered"})
    assert merge("note", None, first).write == "append"
    again = merge(
        "note",
        {
            "id": str(ID),
            "version": 1,
            "deleted": False,
            "entry_id": str(ID),
            "body": "Mats ordered",
        },
        first,
    )
    assert (again.write, again.rejected) == (None, None)


# ---- server_owned, immutable_after_create, transition_only ------------------------------


@pytest.mark.parametrize(
    ("field", "value", "code", "why"),
    [
        (
            "created_by",
            str(uuid.UUID(int=3)),
            "server_owned",
            "Set by the server; a device may not set it.",
        ),
        ("change_seq", 99, "server_owned", "Set by the server; a device may not set it."),
        (
            "status",
            "closed",
            "transition_only",
            "Changed only through a transition, which checks the log's rules.",
        ),
        (
            "service_id",
            str(uuid.UUID(int=8)),
            "immutable_after_create",
            "Set when the record is created and never changed after.",
        ),
    ],
)
def test_fields_a_device_may_not_set_are_rejected_by_name(field, value, code, why):
    result = merge(
        "log_entry", entry(), mutation(changes={field: value}, base_values={field: None})
    )
    assert result.rejected.code == code
    assert result.rejected.fields == {f"changes.{field}": why}
    assert field in result.rejected.reason


def test_immutable_field_may_repeat_its_value():
    result = merge("log_entry", entry(), mutation(changes={"service_id": str(uuid.UUID(int=7))}))
    assert (result.write, result.rejected) == (None, None)


def test_a_create_may_set_immutable_fields_but_not_server_owned_ones():
    fields = {"service_id": str(uuid.UUID(int=7)), "concern": "Mats", "source": "walkaround"}
    assert merge("log_entry", None, mutation("create", changes=fields)).write == "create"
    refused = merge("log_entry", None, mutation("create", changes=fields | {"version": 9}))
    assert refused.rejected.fields == {
        "changes.version": "Set by the server; a device may not set it."
    }


def test_a_create_over_a_different_record_with_the_same_id_is_refused():
    result = merge(
        "log_entry", entry(concern="Falls"), mutation("create", changes={"concern": "Mats"})
    )
    assert result.rejected.code == "id_taken"
    same = merge(
        "log_entry", entry(concern="Mats"), mutation("create", changes={"concern": "Mats"})
    )
    assert (same.write, same.rejected) == (None, None)


# ---- deletes and transitions ----------------------------------------------------------


def test_an_edit_against_a_delete_is_a_conflict_never_an_undelete():
    result = merge(
        "log_entry",
        entry(deleted=True),
        mutation(changes={"risk": "high"}, base_values={"risk": "medium"}),
    )
    assert result.write is None
    assert result.conflicts == (
        FieldConflict(RECORD, {"risk": "medium"}, DELETED, {"risk": "high"}, kind="edit_vs_delete"),
    )


def test_a_transition_against_a_delete_is_a_conflict():
    result = merge(
        "log_entry",
        entry(deleted=True),
        mutation("transition", base_values={"status": "open"}, transition={"action": "start"}),
    )
    assert result.conflicts[0].kind == "edit_vs_delete"
    assert result.conflicts[0].other == {"action": "start", "reason": None}


def test_a_delete_of_the_version_seen_deletes():
    assert merge("log_entry", entry(), mutation("delete")).write == "delete"


def test_a_delete_against_an_edit_the_device_never_saw_is_a_conflict():
    result = merge(
        "log_entry",
        entry(version=6, risk="high"),
        mutation("delete", base_values={"risk": "medium", "decision": "Check mats nightly"}),
    )
    assert result.write is None
    assert result.conflicts == (
        FieldConflict(
            RECORD,
            {"risk": "medium", "decision": "Check mats nightly"},
            {"risk": "high"},
            DELETED,
            kind="delete_vs_edit",
        ),
    )


def test_a_delete_without_base_values_on_an_older_version_is_a_conflict():
    result = merge("log_entry", entry(version=6), mutation("delete"))
    assert result.conflicts[0].kept == {"version": 6}


def test_a_delete_on_a_newer_version_whose_fields_are_unchanged_deletes():
    result = merge(
        "log_entry", entry(version=6), mutation("delete", base_values={"risk": "medium"})
    )
    assert result.write == "delete"


def test_deleting_a_tombstone_again_is_a_no_op():
    result = merge("log_entry", entry(deleted=True), mutation("delete"))
    assert (result.write, result.conflicts, result.rejected) == (None, (), None)


def test_a_transition_on_the_state_seen_goes_to_the_rules():
    result = merge(
        "log_entry",
        entry(),
        mutation("transition", base_values={"status": "open"}, transition={"action": "start"}),
    )
    assert result.write == "transition"


def test_a_transition_on_a_state_that_moved_on_is_a_conflict():
    result = merge(
        "log_entry",
        entry(status="closed"),
        mutation(
            "transition",
            base_values={"status": "in_progress"},
            transition={"action": "mark_done", "reason": "Mats replaced"},
        ),
    )
    assert result.write is None
    assert result.conflicts == (
        FieldConflict(
            "status",
            "in_progress",
            "closed",
            {"action": "mark_done", "reason": "Mats replaced"},
            kind="transition",
        ),
    )


@pytest.mark.parametrize("op", ["update", "delete", "transition"])
def test_changing_a_record_that_never_existed_is_refused(op):
    extra = {"changes": {"risk": "high"}, "base_values": {"risk": "low"}} if op == "update" else {}
    if op == "transition":
        extra = {"base_values": {"status": "open"}, "transition": {"action": "start"}}
    result = merge("log_entry", None, mutation(op, **extra))
    assert result.rejected.code == "not_found"
    assert result.rejected.fields == {"entity_id": "No log_entry has this id."}


# ---- the table ------------------------------------------------------------------------


def test_every_entity_type_has_its_ops_author_and_state_in_the_table():
    for entity_type, rules in POLICIES.items():
        assert rules[AUTHOR_FIELDS[entity_type]].policy == SERVER_OWNED
        assert ALLOWED_OPS[entity_type]
        if "transition" in ALLOWED_OPS[entity_type]:
            assert STATE_FIELDS[entity_type] in rules


def test_the_protocol_document_holds_the_policy_table_as_the_code_has_it():
    assert markdown_table() in DOCS.read_text(encoding="utf-8")
