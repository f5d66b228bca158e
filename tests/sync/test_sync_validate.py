"""Structural validation of pushed mutations, batch limits, protocol versions, wire types."""

import json
import uuid
from datetime import UTC, datetime

import pytest

from sync.types import (
    Applied,
    Conflict,
    ConflictRecorded,
    Duplicate,
    Merged,
    Mutation,
    Rejected,
    outcome_from_dict,
)
from sync.validate import (
    MAX_BATCH_BYTES,
    MAX_BATCH_MUTATIONS,
    MAX_FIELD_BYTES,
    BatchRefused,
    BatchTooLarge,
    ProtocolMismatch,
    check_protocol,
    validate,
    validate_batch,
)

ENTRY = "0b5c8f5e-3a8e-4c55-9d53-1f1f6f0a8c11"
AUTHOR = "5d4c4c3a-7e0f-4d8e-8f3e-2a4a0e9c1b22"


def good(**overrides) -> dict:
    raw = {
        "mutation_id": "m-1",
        "device_id": "tablet-1",
        "seq": 1,
        "entity_type": "log_entry",
        "entity_id": ENTRY,
        "op": "update",
        "author_id": AUTHOR,
        "base_version": 3,
        "changes": {"decision": "Check pressure mats nightly (RM)"},
        "base_values": {"decision": ""},
        "device_time": "2025-03-03T09:15:00+00:00",
    }
    return raw | overrides


def test_a_good_update_becomes_a_mutation():
    mutation = validate(good())
    assert mutation == Mutation(
        mutation_id="m-1",
        device_id="tablet-1",
        seq=1,
        entity_type="log_entry",
        entity_id=uuid.UUID(ENTRY),
        op="update",
        author_id=uuid.UUID(AUTHOR),
        base_version=3,
        changes={"decision": "Check pressure mats nightly (RM)"},
        base_values={"decision": ""},
        device_time=datetime(2025, 3, 3, 9, 15, tzinfo=UTC),
    )


def test_values_are_canonicalised_by_their_kind():
    owner = str(uuid.uuid4())
    mutation = validate(
        good(
            changes={"owner_id": owner.upper(), "due_date": "2025-03-31"},
            base_values={"owner_id": None, "due_date": None},
        )
    )
    assert mutation.changes == {"owner_id": owner, "due_date": "2025-03-31"}


@pytest.mark.parametrize(
    ("overrides", "field", "why"),
    [
        ({"mutation_id": None}, "mutation_id", "Must be text of 1 to 64 characters."),
        ({"mutation_id": "x" * 65}, "mutation_id", "Must be text of 1 to 64 characters."),
        ({"device_id": ""}, "device_id", "Must be text of 1 to 64 characters."),
        ({"seq": 0}, "seq", "Must be a whole number from 1, counting this device's mutations."),
        ({"seq": True}, "seq", "Must be a whole number from 1, counting this device's mutations."),
        # Past 2**53 - 1 a tablet cannot count exactly, and past 2**63 the database cannot
        # store it: refused here, never a server error retried for ever.
        ({"seq": 10**19}, "seq", "Must be at most 9007199254740991."),
        ({"base_version": 10**19}, "base_version", "Must be at most 9007199254740991."),
        ({"op": "upsert"}, "op", "Must be one of: create, update, append, transition, delete."),
        (
            {"entity_type": "resident"},
            "entity_type",
            "Must be one of: finding, walkaround, log_entry, note, evidence.",
        ),
        ({"entity_type": "note"}, "op", "A note allows only: append."),
        ({"entity_id": "not-a-uuid"}, "entity_id", "Must be a UUID."),
        ({"author_id": 12}, "author_id", "Must be a UUID."),
        ({"changes": ["decision"]}, "changes", "Must be an object of field: value."),
        ({"changes": {}}, "changes", "Must hold at least one field to update."),
        (
            {"changes": {"colour": "red"}, "base_values": {}},
            "changes.colour",
            "A log_entry has no field 'colour'.",
        ),
        (
            {"changes": {"due_date": "31/03/2025"}, "base_values": {"due_date": None}},
            "changes.due_date",
            "Must be a date like 2025-03-31.",
        ),
        (
            {"changes": {"owner_id": "bob"}, "base_values": {"owner_id": None}},
            "changes.owner_id",
            "Must be a UUID.",
        ),
        (
            {"changes": {"statements": "safe"}},
            "changes.statements",
            "Must be a list of text items.",
        ),
        (
            {"changes": {"decision": "x" * (MAX_FIELD_BYTES + 1)}},
            "changes.decision",
            f"Must be at most {MAX_FIELD_BYTES} bytes.",
        ),
        ({"base_values": {"decision": 7}}, "base_values.decision", "Must be text."),
        (
            {"base_version": None},
            "base_version",
            "Must be the record's version the device last saw.",
        ),
        ({"op": "create"}, "base_version", "Must be absent for create: the record is new."),
        (
            {"device_time": "yesterday"},
            "device_time",
            "Must be a date and time like 2025-03-31T14:05:00+01:00.",
        ),
        (
            {"device_time": "2025-03-03T09:00:00"},
            "device_time",
            "Must include a UTC offset, e.g. +00:00.",
        ),
        (
            {"transition": {"action": "close"}},
            "transition",
            "Must be absent unless op is transition.",
        ),
        (
            {"op": "transition", "changes": {}, "base_values": {"status": "open"}},
            "transition",
            "Must be an object with action and reason.",
        ),
        (
            {
                "op": "transition",
                "changes": {},
                "base_values": {},
                "transition": {"action": "close"},
            },
            "base_values.status",
            "Must say which status the device saw, so a transition made on an out-of-date copy is "
            "never applied silently.",
        ),
        ({"op": "delete"}, "changes", "Must be empty for delete."),
    ],
)
def test_a_bad_mutation_is_rejected_naming_the_field(overrides, field, why):
    rejected = validate(good(**overrides))
    assert isinstance(rejected, Rejected)
    assert rejected.code == "invalid"
    assert rejected.fields[field] == why
    assert field in rejected.reason


def test_every_bad_field_is_named_at_once_and_the_mutation_id_kept():
    rejected = validate(good(seq=-1, entity_id="x", op="upsert"))
    assert rejected.mutation_id == "m-1"
    assert set(rejected.fields) == {"seq", "entity_id", "op"}
    assert rejected.reason == "Please check these fields: entity_id, op, seq."


def test_a_mutation_that_is_not_an_object_is_rejected():
    rejected = validate("update everything")
    assert rejected == Rejected(
        None,
        "invalid",
        "Please check these fields: _mutation.",
        {"_mutation": "Each mutation must be a JSON object."},
    )


def test_batch_limits_refuse_the_whole_push():
    with pytest.raises(BatchTooLarge, match=f"at most {MAX_BATCH_MUTATIONS} mutations"):
        validate_batch([good()] * (MAX_BATCH_MUTATIONS + 1), body_bytes=1000)
    with pytest.raises(BatchTooLarge, match=f"at most {MAX_BATCH_BYTES} bytes"):
        validate_batch([good()], body_bytes=MAX_BATCH_BYTES + 1)
    with pytest.raises(BatchRefused, match="mutations must be a list"):
        validate_batch({"mutation_id": "m-1"}, body_bytes=10)
    assert BatchTooLarge.status == 413


def test_a_batch_validates_each_mutation_on_its_own():
    results = validate_batch([good(), good(op="upsert"), good(mutation_id="m-2")], 3000)
    assert [type(r).__name__ for r in results] == ["Mutation", "Rejected", "Mutation"]


def test_an_incompatible_client_is_told_to_update():
    check_protocol(1)
    with pytest.raises(ProtocolMismatch, match="Update the app") as caught:
        check_protocol(2)
    assert caught.value.code == "update_required"


ID = uuid.UUID(ENTRY)
OUTCOMES = [
    Applied("m-1", "log_entry", ID, 2, ("decision",)),
    Merged("m-1", "log_entry", ID, 5, ("risk",)),
    ConflictRecorded(
        "m-1", "log_entry", ID, 5, (uuid.uuid4(), uuid.uuid4()), ("decision", "risk"), ("owner_id",)
    ),
    Rejected(
        "m-1", "rule", "Closing needs evidence.", {"evidence": "Add one."}, "closure_needs_evidence"
    ),
    Duplicate("m-1", Rejected("m-1", "author_mismatch", "Not you.", {"author_id": "x"})),
]


@pytest.mark.parametrize("outcome", OUTCOMES, ids=lambda o: o.status)
def test_outcomes_survive_json(outcome):
    assert outcome_from_dict(json.loads(json.dumps(outcome.to_dict()))) == outcome


def test_mutations_and_conflicts_survive_json():
    mutation = validate(
        good(
            op="transition",
            changes={},
            base_values={"status": "open"},
            transition={"action": "close", "reason": "done"},
        )
    )
    assert Mutation.from_dict(json.loads(json.dumps(mutation.to_dict()))) == mutation
    conflict = Conflict(
        id=uuid.uuid4(),
        kind="field",
        entity_type="log_entry",
        entity_id=ID,
        field="risk",
        base_value="low",
        kept_value="high",
        kept_author=uuid.uuid4(),
        kept_device="desk",
        kept_at=datetime(2025, 3, 3, 9, tzinfo=UTC),
        other_value="medium",
        other_author=uuid.UUID(AUTHOR),
        other_device="tablet-1",
        other_at=datetime(2025, 3, 3, 10, tzinfo=UTC),
        mutation_id="m-1",
    )
    assert Conflict.from_dict(json.loads(json.dumps(conflict.to_dict()))) == conflict


def test_a_conflict_outcome_names_its_first_conflict():
    outcome = OUTCOMES[2]
    assert outcome.to_dict()["conflict_id"] == str(outcome.conflict_ids[0])
    assert not isinstance(OUTCOMES[1], Applied)
