"""A manager resolves conflicts through the engine, over every store."""

import dataclasses
import uuid

import pytest

from sync.engine import resolve
from sync.store import InvalidChange, RuleRefused
from tests.support.sync_harness import edit, make_entry, push


def conflicted(harness, desk, ann, bob):
    entry_id = make_entry(harness, desk)
    version = harness.record("log_entry", entry_id)["version"]
    push(harness, ann, edit(ann, entry_id, version, "risk", "high", "medium"))
    outcome = push(harness, bob, edit(bob, entry_id, version, "risk", "low", "medium"))
    return entry_id, outcome.conflict_id


@pytest.mark.parametrize(
    ("choice", "value", "risk"),
    [
        ("kept", None, "high"),
        ("other", None, "low"),
        ("new", "medium", "medium"),
    ],
)
def test_a_manager_resolves_a_field_conflict(harness, desk, ann, bob, choice, value, risk):
    entry_id, conflict_id = conflicted(harness, desk, ann, bob)
    resolved = resolve(harness.store, conflict_id, choice, desk.actor, harness.now(), value)
    assert (resolved.status, resolved.resolution["choice"], resolved.resolution["value"]) == (
        "resolved",
        choice,
        risk,
    )
    assert resolved.resolution["by"] == str(desk.author_id)
    assert harness.record("log_entry", entry_id)["risk"] == risk
    assert harness.conflicts(status="open") == []


def test_a_resolved_conflict_cannot_be_resolved_again(harness, desk, ann, bob):
    _, conflict_id = conflicted(harness, desk, ann, bob)
    resolve(harness.store, conflict_id, "kept", desk.actor, harness.now())
    with pytest.raises(RuleRefused, match="already been resolved"):
        resolve(harness.store, conflict_id, "other", desk.actor, harness.now())


def test_a_new_value_is_checked_by_its_kind(harness, desk, ann, bob):
    _, conflict_id = conflicted(harness, desk, ann, bob)
    with pytest.raises(Exception, match="Must be text") as caught:
        resolve(harness.store, conflict_id, "new", desk.actor, harness.now(), 7)
    assert caught.value.fields == {"value": "Must be text."}
    assert harness.store.conflict(conflict_id).status == "open"


def test_taking_the_edit_of_an_edit_against_a_delete_restores_the_record(harness, desk, ann):
    entry_id = make_entry(harness, desk, status="draft")  # the log deletes only drafts
    version = harness.record("log_entry", entry_id)["version"]
    push(harness, desk, desk.make("delete", "log_entry", entry_id, base_version=version))
    outcome = push(harness, ann, edit(ann, entry_id, version, "risk", "high", "medium"))
    resolve(harness.store, outcome.conflict_id, "other", desk.actor, harness.now())
    record = harness.record("log_entry", entry_id)
    assert (record["deleted"], record["risk"]) == (False, "high")


def test_taking_the_delete_of_a_delete_against_an_edit_deletes(harness, desk, ann):
    entry_id = make_entry(harness, desk, status="draft")  # the log deletes only drafts
    version = harness.record("log_entry", entry_id)["version"]
    push(harness, desk, edit(desk, entry_id, version, "risk", "high", "medium"))
    outcome = push(harness, ann, ann.make("delete", "log_entry", entry_id, base_version=version))
    resolve(harness.store, outcome.conflict_id, "other", desk.actor, harness.now())
    assert harness.record("log_entry", entry_id)["deleted"] is True


def test_an_edit_of_a_deleted_record_may_not_carry_server_owned_fields(harness, desk, ann):
    entry_id = make_entry(harness, desk, status="draft")
    version = harness.record("log_entry", entry_id)["version"]
    push(harness, desk, desk.make("delete", "log_entry", entry_id, base_version=version))
    changes = {"risk": "high", "created_by": str(ann.author_id), "version": 99}
    outcome = push(
        harness,
        ann,
        ann.make(
            "update",
            "log_entry",
            entry_id,
            base_version=version,
            changes=changes,
            base_values={"risk": "medium"},
        ),
    )
    assert (outcome.code, set(outcome.fields)) == (
        "server_owned",
        {"changes.created_by", "changes.version"},
    )
    assert harness.conflicts() == []


def test_no_resolution_writes_a_server_owned_field(harness, desk, ann):
    entry_id = make_entry(harness, desk, status="draft")
    version = harness.record("log_entry", entry_id)["version"]
    push(harness, desk, desk.make("delete", "log_entry", entry_id, base_version=version))
    outcome = push(harness, ann, edit(ann, entry_id, version, "risk", "high", "medium"))
    # A conflict kept before the rule, holding fields only the server sets.
    planted = dataclasses.replace(
        harness.store.conflict(outcome.conflict_id),
        id=uuid.uuid4(),
        other_value={"risk": "high", "created_by": str(ann.author_id), "version": 99},
    )
    harness.store.keep_conflict(planted, None)
    with pytest.raises(InvalidChange) as refused:
        resolve(harness.store, planted.id, "other", desk.actor, harness.now())
    assert set(refused.value.fields) == {"value.created_by", "value.version"}
    record = harness.record("log_entry", entry_id)
    assert (record["deleted"], record["risk"], record["created_by"]) == (
        True,
        "medium",
        str(desk.author_id),
    )
    assert harness.store.conflict(planted.id).status == "open"
