"""A manager's resolution of a kept conflict: the kept value, the other one, or a new one."""

import dataclasses
import uuid
from datetime import datetime
from typing import Any

from sync.merge import unsettable
from sync.policies import POLICIES
from sync.store import (
    Change,
    InvalidChange,
    NotFound,
    RuleRefused,
    Store,
    SyncActor,
    WriteContext,
    write_one,
)
from sync.types import Conflict
from sync.values import canonical

RESOLUTION_CHOICES = ("kept", "other", "new")


def resolve(
    store: Store,
    conflict_id: uuid.UUID,
    choice: str,
    actor: SyncActor,
    now: datetime,
    value: Any = None,
) -> Conflict:
    """Settle an open conflict: keep the kept value, take the other one, or a new value.

    Raises Refused subclasses the server maps to its errors; StaleWrite when the record
    changed under the resolution (the manager looks again).
    """
    ctx = WriteContext(actor=actor, now=now)
    if choice not in RESOLUTION_CHOICES:
        raise InvalidChange(
            "Choose kept, other or new.",
            {"choice": f"Must be one of: {', '.join(RESOLUTION_CHOICES)}."},
        )
    with store.unit():
        conflict = store.conflict(conflict_id)
        if conflict is None:
            raise NotFound("There is no such conflict.", {"conflict_id": "Unknown conflict."})
        if conflict.status != "open":
            raise RuleRefused("conflict_open", "This conflict has already been resolved.")
        chosen = _chosen_value(conflict, choice, value)
        if choice != "kept":
            _apply_resolution(store, conflict, chosen, ctx)
        resolution = {
            "choice": choice,
            "value": chosen,
            "by": str(actor.user_id),
            "at": now.isoformat(),
        }
        resolved = dataclasses.replace(conflict, status="resolved", resolution=resolution)
        store.keep_conflict(resolved, ctx)
        return resolved


def _chosen_value(conflict: Conflict, choice: str, value: Any) -> Any:
    if choice == "kept":
        return conflict.kept_value
    if choice == "other":
        return conflict.other_value
    if conflict.kind != "field":
        raise InvalidChange(
            "Only a field conflict can take a new value.",
            {"choice": "Choose kept or other for this conflict."},
        )
    rule = POLICIES[conflict.entity_type][conflict.field]
    clean, why = canonical(rule.kind, value)
    if why:
        raise InvalidChange(f"Please check this field: value. {why}", {"value": why})
    return clean


def _apply_resolution(store: Store, conflict: Conflict, chosen: Any, ctx: WriteContext) -> None:
    kind, entity_id = conflict.entity_type, conflict.entity_id
    current = store.read(kind, [entity_id])[entity_id]
    if current is None:
        raise NotFound("The record of this conflict no longer exists.")
    version = current["version"]

    def write(op: str, fields: dict | None = None, step: dict | None = None) -> int:
        action, reason = (step["action"], step.get("reason")) if step else (None, None)
        change = Change(op, kind, entity_id, ctx, fields or {}, version, action, reason)
        return write_one(store, change)

    if conflict.kind == "edit_vs_delete":
        if chosen and "action" not in chosen:
            _settable(conflict, dict(chosen), current)
        if current.get("deleted"):
            version = write("restore")
        if "action" in (chosen or {}):
            write("transition", step=chosen)
        elif chosen:
            write("update", dict(chosen))
        return
    if current.get("deleted"):
        raise RuleRefused(
            "record_deleted", "The record was deleted after this conflict; resolve that first."
        )
    if conflict.kind == "delete_vs_edit":
        write("delete")
    elif conflict.kind == "transition":
        write("transition", step=chosen)
    elif current.get(conflict.field) != chosen:
        _settable(conflict, {conflict.field: chosen}, current)
        write("update", {conflict.field: chosen})


def _settable(conflict: Conflict, changes: dict, current: dict) -> None:
    """Refuse a resolution that would write a field no mutation may set (server-owned,
    transition-only, or immutable given a new value): no path writes those."""
    refused = unsettable(conflict.entity_type, changes, current)
    if refused:
        names = ", ".join(refused)
        raise InvalidChange(
            f"This resolution would set fields only the server sets: {names}. Keep the "
            "first value instead.",
            {f"value.{name}": why for name, (_, why) in refused.items()},
        )
