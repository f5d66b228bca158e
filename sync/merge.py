"""The three-way merge: pure functions from (current record, mutation) to what to write.

Nothing here reads a clock or a store. The current record is the server's plain copy
(``version``, ``deleted`` and fields in their JSON kinds) or None when there is none. The
policy of every field comes from the table in sync.policies; a delete is never undone by
an edit, and a delete never wipes an edit the device did not see: both become conflicts.
"""

from dataclasses import dataclass, field
from typing import Any

from sync.policies import (
    APPEND_ONLY,
    IMMUTABLE_AFTER_CREATE,
    MERGE_IF_UNTOUCHED,
    POLICIES,
    SERVER_OWNED,
    STATE_FIELDS,
    TRANSITION_ONLY,
)
from sync.types import RECORD, Mutation, Rejected

DELETED = {"deleted": True}
"""How a tombstone appears as the kept or other value of a record-level conflict."""

_REFUSALS = {
    SERVER_OWNED: "Set by the server; a device may not set it.",
    TRANSITION_ONLY: "Changed only through a transition, which checks the log's rules.",
    IMMUTABLE_AFTER_CREATE: "Set when the record is created and never changed after.",
}


# Fields no mutation may set (a create may set every other field it names).
_NEVER_SET = {
    entity_type: frozenset(
        name for name, rule in rules.items() if rule.policy in (SERVER_OWNED, TRANSITION_ONLY)
    )
    for entity_type, rules in POLICIES.items()
}


@dataclass(frozen=True)
class FieldConflict:
    """One field (or the whole record) with two values: the kept one and the other."""

    field: str
    base: Any
    kept: Any
    other: Any
    kind: str = "field"


@dataclass(frozen=True)
class MergeResult:
    """What the engine should write: ``write`` names the store call, None writes nothing."""

    write: str | None = None
    apply: dict = field(default_factory=dict)
    conflicts: tuple[FieldConflict, ...] = ()
    rejected: Rejected | None = None


def merge(entity_type: str, current: dict | None, mutation: Mutation) -> MergeResult:
    """Decide how one mutation lands on the current record."""
    handler = {
        "create": _create,
        "append": _create,
        "update": _update,
        "delete": _delete,
        "transition": _transition,
    }[mutation.op]
    return handler(entity_type, current, mutation)


def merge_field(policy: str, current: Any, base: Any, new: Any) -> tuple[str, Any]:
    """Merge one field by its policy: ("set", value), ("same", None) or ("conflict", kept)."""
    if policy == APPEND_ONLY:
        items = list(current or [])
        merged = items + [item for item in new or [] if item not in items]
        return ("same", None) if merged == items else ("set", merged)
    if policy != MERGE_IF_UNTOUCHED:
        raise ValueError(f"{policy} does not merge")
    if current == new:
        return "same", None
    if current == base:
        return "set", new
    return "conflict", current


def _reject(mutation: Mutation, code: str, reason: str, fields: dict) -> MergeResult:
    return MergeResult(rejected=Rejected(mutation.mutation_id, code, reason, fields))


def unsettable(
    entity_type: str, changes: dict, current: dict | None, creating: bool = False
) -> dict[str, tuple[str, str]]:
    """Return {field: (policy, why)} of the fields of ``changes`` no device, conflict or
    resolution may set on ``current``: server-owned and transition-only fields, and an
    immutable field given a new value after the create."""
    if creating and not changes.keys() & _NEVER_SET[entity_type]:
        return {}  # what the loop below finds for a create that sets none of them
    rules = POLICIES[entity_type]
    errors: dict[str, tuple[str, str]] = {}
    for name, value in sorted(changes.items()):
        rule = rules.get(name)
        policy = rule.policy if rule else SERVER_OWNED  # a field sync does not know
        changes_immutable = (
            policy == IMMUTABLE_AFTER_CREATE and not creating and (current or {}).get(name) != value
        )
        if policy in (SERVER_OWNED, TRANSITION_ONLY) or changes_immutable:
            errors[name] = (policy, _REFUSALS[policy])
    return errors


def _policy_errors(
    entity_type: str, mutation: Mutation, current: dict | None
) -> MergeResult | None:
    """Refuse fields a device may not set in this op; None when all are allowed."""
    creating = mutation.op in ("create", "append")
    errors = unsettable(entity_type, mutation.changes, current, creating)
    if not errors:
        return None
    first = next(iter(errors))
    names = ", ".join(errors)
    return _reject(
        mutation,
        errors[first][0],
        f"These fields cannot be set by a device: {names}.",
        {f"changes.{name}": why for name, (_, why) in errors.items()},
    )


def _edit_against_delete(mutation: Mutation) -> MergeResult:
    other = mutation.transition.to_dict() if mutation.transition else dict(mutation.changes)
    conflict = FieldConflict(
        RECORD, dict(mutation.base_values) or None, DELETED, other, kind="edit_vs_delete"
    )
    return MergeResult(conflicts=(conflict,))


def not_found_message(entity_type: str) -> tuple[str, dict]:
    """Return the reason and fields of a mutation of a record that does not exist (or that
    its author may not read: the answer is the same, so existence is not disclosed)."""
    return (
        f"There is no {entity_type} with this id: it was never created, or its create was "
        "rejected.",
        {"entity_id": f"No {entity_type} has this id."},
    )


def id_taken_message(entity_type: str) -> tuple[str, dict]:
    """Return the reason and fields of a create of an id another record has."""
    return (
        f"A different {entity_type} already has this id; create it again with a new id.",
        {"entity_id": "Already used by another record."},
    )


def _not_found(entity_type: str, mutation: Mutation) -> MergeResult:
    return _reject(mutation, "not_found", *not_found_message(entity_type))


def _create(entity_type: str, current: dict | None, mutation: Mutation) -> MergeResult:
    refused = _policy_errors(entity_type, mutation, current)
    if refused:
        return refused
    if current is None:
        return MergeResult(write=mutation.op, apply=dict(mutation.changes))
    if current.get("deleted"):
        return _edit_against_delete(mutation)
    if all(current.get(name) == value for name, value in mutation.changes.items()):
        return MergeResult()
    return _reject(mutation, "id_taken", *id_taken_message(entity_type))


def _update(entity_type: str, current: dict | None, mutation: Mutation) -> MergeResult:
    if current is None:
        return _not_found(entity_type, mutation)
    # Before the tombstone check: what a conflict keeps, a resolution may write.
    refused = _policy_errors(entity_type, mutation, current)
    if refused:
        return refused
    if current.get("deleted"):
        return _edit_against_delete(mutation)
    rules = POLICIES[entity_type]
    apply, conflicts, missing = {}, [], {}
    for name, new in sorted(mutation.changes.items()):
        policy = rules[name].policy
        if policy == IMMUTABLE_AFTER_CREATE:
            continue  # the same value again: _policy_errors refused any other
        if (
            policy == MERGE_IF_UNTOUCHED
            and current.get(name) != new
            and (name not in mutation.base_values)
        ):
            missing[f"base_values.{name}"] = "Must hold the value the device last saw."
            continue
        base = mutation.base_values.get(name)
        verdict, value = merge_field(policy, current.get(name), base, new)
        if verdict == "set":
            apply[name] = value
        elif verdict == "conflict":
            conflicts.append(FieldConflict(name, base, value, new))
    if missing:
        return _reject(
            mutation, "missing_base", f"Please check these fields: {', '.join(missing)}.", missing
        )
    return MergeResult(write="update" if apply else None, apply=apply, conflicts=tuple(conflicts))


def _delete(entity_type: str, current: dict | None, mutation: Mutation) -> MergeResult:
    if current is None:
        return _not_found(entity_type, mutation)
    if current.get("deleted"):
        return MergeResult()
    if mutation.base_version >= current["version"]:
        return MergeResult(write="delete")
    base = mutation.base_values
    changed = [name for name, value in sorted(base.items()) if current.get(name) != value]
    if base and not changed:
        return MergeResult(write="delete")
    # Edited since the device looked: the edit stays and the delete waits for a manager.
    kept = {name: current.get(name) for name in changed} or {"version": current["version"]}
    conflict = FieldConflict(
        RECORD,
        dict(base) or {"version": mutation.base_version},
        kept,
        DELETED,
        kind="delete_vs_edit",
    )
    return MergeResult(conflicts=(conflict,))


def _transition(entity_type: str, current: dict | None, mutation: Mutation) -> MergeResult:
    if current is None:
        return _not_found(entity_type, mutation)
    if current.get("deleted"):
        return _edit_against_delete(mutation)
    state = STATE_FIELDS[entity_type]
    seen, now = mutation.base_values[state], current.get(state)
    if seen == now:
        return MergeResult(write="transition")
    # The record moved on since the device decided: never replay the decision silently.
    conflict = FieldConflict(state, seen, now, mutation.transition.to_dict(), kind="transition")
    return MergeResult(conflicts=(conflict,))
