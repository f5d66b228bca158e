"""sync.validate has one validator: every raw mutation, however odd, gives a Mutation or a
Rejected naming each bad field, never an exception; a good one gives its Mutation."""

import importlib
import uuid

from hypothesis import given
from hypothesis import strategies as st

from sync.types import Mutation, Rejected

v = importlib.import_module("sync.validate")  # the module: sync re-exports validate()

AUTHOR = str(uuid.uuid4())


def _good(op="create", entity_type="finding") -> dict:
    return {
        "mutation_id": "m-1",
        "device_id": "tablet-1",
        "seq": 1,
        "entity_type": entity_type,
        "entity_id": str(uuid.uuid4()),
        "op": op,
        "author_id": AUTHOR,
        "base_version": None if op in ("create", "append") else 3,
        "changes": {
            "service_id": str(uuid.uuid4()).upper(),
            "kind": "walkaround_issue",
            "area": "Lounge",
            "description": "Wet floor",
            "risk": "high",
            "follow_up_needed": True,
            "recorded_at": "2026-11-27T09:00:00+01:00",
        },
        "base_values": {"risk": "low"} if op == "update" else {},
        "device_time": "2026-11-27T09:00:00+00:00",
        "transition": None,
    }


ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 2),
    st.sampled_from(
        [
            "",
            "x" * 65,
            "not-a-uuid",
            AUTHOR,
            "create",
            "update",
            "append",
            "transition",
            "delete",
            "finding",
            "note",
            "2026-11-27T09:00:00",
            "2026-11-27T09:00:00Z",
            str(uuid.uuid4()).replace("-", ""),
        ]
    ),
    st.just({}),
    st.just({"action": "mark_done"}),
    st.just([]),
    st.just(1.5),
    st.just({"kind": 3}),
    st.just({"nope": "x"}),
    st.just({"description": None}),
)
KEYS = [
    "mutation_id",
    "device_id",
    "seq",
    "entity_type",
    "entity_id",
    "op",
    "author_id",
    "base_version",
    "changes",
    "base_values",
    "device_time",
    "transition",
]


@given(
    st.sampled_from(
        [
            ("create", "finding"),
            ("update", "finding"),
            ("delete", "finding"),
            ("append", "note"),
            ("transition", "finding"),
        ]
    ),
    st.dictionaries(st.sampled_from(KEYS), ODD, max_size=3),
    st.lists(st.sampled_from(KEYS), max_size=2),
)
def test_every_odd_mutation_is_a_mutation_or_a_rejection_naming_its_fields(kind, replaced, dropped):
    raw = _good(*kind) | replaced
    for key in dropped:
        raw.pop(key, None)
    got = v.validate(raw)
    assert isinstance(got, (Mutation, Rejected))
    if isinstance(got, Rejected):
        assert got.code == "invalid" and got.fields
        assert got.reason == f"Please check these fields: {', '.join(sorted(got.fields))}."
    assert v.validate(raw) == got


def test_a_good_create_update_and_delete_are_mutations():
    for op in ("create", "update", "delete"):
        raw = _good(op)
        if op == "delete":
            raw["changes"] = {}
        got = v.validate(raw)
        assert isinstance(got, Mutation)
        assert got.changes.get("service_id", "").islower() or op == "delete"


def test_a_transition_is_a_mutation_and_a_bad_field_is_named():
    transition = _good("transition") | {
        "changes": {},
        "base_values": {"triage_state": "new"},
        "transition": {"action": "dismiss", "reason": "dup"},
    }
    assert isinstance(v.validate(transition), Mutation)
    bad = _good() | {"seq": True}
    assert v.validate(bad).fields == {
        "seq": "Must be a whole number from 1, counting this device's mutations."
    }
