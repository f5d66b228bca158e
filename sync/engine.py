"""Apply pushed mutations through a Store: idempotent, merged, never silently overwriting.

Each mutation runs in its own unit (a savepoint): its change, its conflicts and its receipt
commit together or not at all, and a mutation that fails leaves the ones after it alone.
Ordering is the server's: the engine never reads ``device_time``.
"""

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sync.merge import MergeResult, merge
from sync.policies import POLICIES, STATE_FIELDS
from sync.store import (
    InvalidChange,
    NotFound,
    Refused,
    RuleRefused,
    StaleWrite,
    Store,
    SyncActor,
    WriteContext,
)
from sync.types import (
    RECORD,
    Applied,
    Conflict,
    ConflictRecorded,
    Duplicate,
    Merged,
    Mutation,
    Outcome,
    Rejected,
    outcome_from_dict,
)
from sync.validate import canonical

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
"""How often one mutation is tried again after another writer committed first."""

# Ids the engine derives (conflicts, notes) come from the mutation, so a retry that slips
# past the receipt check could never make a second copy.
ID_NAMESPACE = uuid.UUID("6b0c58e4-8f1e-4a57-9a57-2f0d1c3c5a10")

RESOLUTION_CHOICES = ("kept", "other", "new")


def apply(store: Store, mutation: Mutation, actor: SyncActor, now: datetime) -> Outcome:
    """Apply one mutation once, however often it arrives; return its outcome."""
    if actor.device_id is not None and mutation.device_id != str(actor.device_id):
        # Not stored: the receipt key belongs to another device, and must not be spoilt.
        return Rejected(
            mutation.mutation_id,
            "device_mismatch",
            "This mutation names another device than the one this push came from.",
            {"device_id": "Must be this device's id."},
        )
    ctx = WriteContext(actor=actor, now=now, mutation=mutation)
    for _attempt in range(MAX_ATTEMPTS):
        try:
            with store.unit():
                stored = store.get_receipt(mutation.device_id, mutation.mutation_id)
                if stored is not None:
                    return Duplicate(mutation.mutation_id, outcome_from_dict(stored))
                outcome = _apply_new(store, mutation, ctx)
                _receipt(store, mutation, outcome, ctx)
            return outcome
        except StaleWrite:
            continue
        except Refused as error:
            outcome = Rejected(
                mutation.mutation_id, error.code, error.message, dict(error.fields), error.rule
            )
            try:
                with store.unit():
                    _receipt(store, mutation, outcome, ctx)
            except StaleWrite:
                continue  # another worker recorded this mutation meanwhile: report that
            return outcome
    return Rejected(
        mutation.mutation_id,
        "busy",
        "The record kept changing while this was applied. Send it again.",
        retry=True,
    )


def apply_batch(
    store: Store, mutations: Iterable[Mutation | Rejected], actor: SyncActor, now: datetime
) -> list[Outcome]:
    """Apply mutations in order, one outcome each; one failure never stops the rest.

    Items that are already Rejected (by sync.validate) pass through, so outcomes stay in the
    order of the request.
    """
    outcomes: list[Outcome] = []
    for mutation in mutations:
        if isinstance(mutation, Rejected):
            outcomes.append(mutation)
            continue
        try:
            outcomes.append(apply(store, mutation, actor, now))
        except Exception:  # a bug or a lost database must not eat the rest of the batch
            log.exception("sync mutation %s failed", mutation.mutation_id)
            outcomes.append(
                Rejected(
                    mutation.mutation_id,
                    "server_error",
                    "The server failed to apply this change. Send it again later.",
                    retry=True,
                )
            )
    return outcomes


def derived_id(*parts: Any) -> uuid.UUID:
    """Return the stable id of something the engine makes for a mutation."""
    return uuid.uuid5(ID_NAMESPACE, "/".join(str(part) for part in parts))


def _receipt(store: Store, mutation: Mutation, outcome: Outcome, ctx: WriteContext) -> None:
    store.put_receipt(
        mutation.device_id, mutation.mutation_id, mutation.seq, outcome.to_dict(), ctx
    )


def _apply_new(store: Store, mutation: Mutation, ctx: WriteContext) -> Outcome:
    if mutation.author_id != uuid.UUID(str(ctx.actor.user_id)):
        return Rejected(
            mutation.mutation_id,
            "author_mismatch",
            "A change can only be pushed by its own author; this one names another user.",
            {"author_id": "Must be the signed-in user."},
        )
    current = store.get(mutation.entity_type, mutation.entity_id)
    result = merge(mutation.entity_type, current, mutation)
    if result.rejected:
        return result.rejected
    record = _write(store, result, current, mutation, ctx)
    conflict_ids = tuple(_keep_conflict(store, c, current, mutation, ctx) for c in result.conflicts)
    if any(c.kind == "transition" for c in result.conflicts):
        _note_unapplied_transition(store, result, mutation, conflict_ids[0], ctx)
    return _outcome(result, current, record, mutation, conflict_ids)


def _write(
    store: Store, result: MergeResult, current: dict | None, mutation: Mutation, ctx: WriteContext
) -> dict | None:
    kind, entity_id = mutation.entity_type, mutation.entity_id
    if result.write == "create":
        return store.create(kind, entity_id, result.apply, ctx)
    if result.write == "append":
        return store.append(kind, entity_id, result.apply, ctx)
    if result.write == "update":
        return store.update(kind, entity_id, result.apply, current["version"], ctx)
    if result.write == "transition":
        step = mutation.transition
        return store.transition(kind, entity_id, step.action, step.reason, current["version"], ctx)
    if result.write == "delete":
        return store.delete(kind, entity_id, current["version"], ctx)
    return None


def _written_fields(result: MergeResult, mutation: Mutation) -> tuple[str, ...]:
    if result.write == "transition":
        return (STATE_FIELDS[mutation.entity_type],)
    if result.write == "delete":
        return ("deleted",)
    return tuple(sorted(result.apply))


def _outcome(
    result: MergeResult,
    current: dict | None,
    record: dict | None,
    mutation: Mutation,
    conflict_ids: tuple[uuid.UUID, ...],
) -> Outcome:
    version = (record or current or {}).get("version")
    fields = _written_fields(result, mutation) if result.write else ()
    common = {
        "mutation_id": mutation.mutation_id,
        "entity_type": mutation.entity_type,
        "entity_id": mutation.entity_id,
    }
    if conflict_ids:
        return ConflictRecorded(
            **common,
            version=version,
            conflict_ids=conflict_ids,
            fields=tuple(c.field for c in result.conflicts),
            applied=fields,
        )
    on_base = current is None or (mutation.base_version or 0) >= current["version"]
    return (Applied if on_base else Merged)(**common, version=version, fields=fields)


def _keep_conflict(
    store: Store, found, current: dict | None, mutation: Mutation, ctx: WriteContext
) -> uuid.UUID:
    field = None if found.field == RECORD else found.field
    writer = store.last_writer(mutation.entity_type, mutation.entity_id, field)
    service_id = (current or {}).get("service_id")
    conflict = Conflict(
        id=derived_id("conflict", mutation.device_id, mutation.mutation_id, found.field),
        kind=found.kind,
        entity_type=mutation.entity_type,
        entity_id=mutation.entity_id,
        field=found.field,
        base_value=found.base,
        kept_value=found.kept,
        kept_author=writer.author_id if writer else None,
        kept_device=writer.device_id if writer else None,
        kept_at=writer.at if writer else None,
        other_value=found.other,
        other_author=mutation.author_id,
        other_device=mutation.device_id,
        other_at=ctx.now,
        mutation_id=mutation.mutation_id,
        service_id=uuid.UUID(service_id) if service_id else None,
    )
    store.add_conflict(conflict)
    return conflict.id


def _note_unapplied_transition(
    store: Store, result: MergeResult, mutation: Mutation, conflict_id: uuid.UUID, ctx: WriteContext
) -> None:
    """Say on the entry itself that an offline decision arrived too late."""
    if mutation.entity_type != "log_entry":
        return
    found = result.conflicts[0]
    step = mutation.transition
    body = (
        f"Not applied: '{step.action}' made offline on a copy that was {found.base}; "
        f"the entry was already {found.kept} when it arrived. "
        f"Reason given: {step.reason or 'none'}. A manager decides in conflict {conflict_id}."
    )
    note_id = derived_id("note", mutation.device_id, mutation.mutation_id)
    try:
        with store.unit():
            store.append("note", note_id, {"entry_id": str(mutation.entity_id), "body": body}, ctx)
    except Refused:
        log.warning("could not note unapplied transition %s", mutation.mutation_id)


# ---- a manager's resolution -----------------------------------------------------------


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
        conflict = store.get_conflict(conflict_id)
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
        return store.resolve_conflict(conflict_id, resolution, ctx)


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
    current = store.get(kind, entity_id)
    if current is None:
        raise NotFound("The record of this conflict no longer exists.")
    if conflict.kind == "edit_vs_delete":
        if current.get("deleted"):
            current = store.restore(kind, entity_id, current["version"], ctx)
        if "action" in (chosen or {}):
            store.transition(
                kind, entity_id, chosen["action"], chosen.get("reason"), current["version"], ctx
            )
        elif chosen:
            store.update(kind, entity_id, dict(chosen), current["version"], ctx)
        return
    if current.get("deleted"):
        raise RuleRefused(
            "record_deleted", "The record was deleted after this conflict; resolve that first."
        )
    if conflict.kind == "delete_vs_edit":
        store.delete(kind, entity_id, current["version"], ctx)
    elif conflict.kind == "transition":
        store.transition(
            kind, entity_id, chosen["action"], chosen.get("reason"), current["version"], ctx
        )
    elif current.get(conflict.field) != chosen:
        store.update(kind, entity_id, {conflict.field: chosen}, current["version"], ctx)
