"""Apply pushed mutations through a Store: idempotent, merged, never silently overwriting.

Each mutation's change, its conflicts and its receipt commit together or not at all, and a
mutation that fails leaves the ones after it alone: most mutations run in a unit (a
savepoint) of their own; a run of plain creates in a row shares one, in which a create the
rules refuse writes nothing but its receipt, and which, if the run cannot be written as a
whole, rolls back and gives each of its mutations a unit of its own after all.
Ordering is the server's: the engine never reads ``device_time``. Before any merge the
store says whether the pushing user may make this change to the record as it stands
(``Store.authorise``): a refusal keeps nothing but its receipt, not even a conflict. A
transaction the database gives up (TransactionLost: a deadlock) ends the whole batch,
never one mutation.
"""

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sync.merge import MergeResult, merge
from sync.planning import plain_writes, read_receipts
from sync.policies import STATE_FIELDS, field_paths
from sync.resolution import RESOLUTION_CHOICES, resolve  # noqa: F401 - re-exported
from sync.store import (
    Change,
    Receipt,
    Refused,
    StaleWrite,
    Store,
    SyncActor,
    TransactionLost,
    WriteContext,
    write_one,
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

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
"""How often one mutation is tried again after another writer committed first."""

# Ids the engine derives (conflicts, notes) come from the mutation, so a retry that slips
# past the receipt check could never make a second copy.
ID_NAMESPACE = uuid.UUID("6b0c58e4-8f1e-4a57-9a57-2f0d1c3c5a10")


def apply(
    store: Store, mutation: Mutation, actor: SyncActor, now: datetime, *, unseen: bool = False
) -> Outcome:
    """Apply one mutation once, however often it arrives; return its outcome.

    ``unseen`` says the batch's receipt read found none for this mutation in this
    transaction, so the first attempt need not look again (a retry always looks).
    """
    if actor.device_id is not None and mutation.device_id != str(actor.device_id):
        # Not stored: the receipt key belongs to another device, and must not be spoilt.
        return _device_mismatch(mutation)
    ctx = WriteContext(actor=actor, now=now, mutation=mutation)
    for attempt in range(MAX_ATTEMPTS):
        try:
            with store.unit():
                stored = None
                if not (unseen and attempt == 0):
                    found = store.receipts(mutation.device_id, [mutation.mutation_id])
                    stored = found.get(mutation.mutation_id)
                if stored is not None:
                    return Duplicate(mutation.mutation_id, outcome_from_dict(stored))
                outcome = _apply_new(store, mutation, ctx)
                _receipt(store, mutation, outcome, ctx)
            return outcome
        except StaleWrite:
            continue
        except Refused as error:
            outcome = _refused(mutation, error)
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
    order of the request. The batch's receipts and records are read once, up front; a run
    of plain creates (or plain updates) of one type in a row goes to ``Store.write``
    together, and only mutations that cannot (transitions, a create of an id that exists,
    an update that conflicts) take a savepoint each.
    """
    items = list(mutations)
    outcomes: list[Outcome | None] = [m if isinstance(m, Rejected) else None for m in items]
    unseen = read_receipts(store, items, outcomes, actor)
    together = plain_writes(store, items, unseen, actor)
    run: list[int] = []
    for index, mutation in enumerate(items):
        if outcomes[index] is not None:
            continue
        if index in together and (not run or _alike(items[run[0]], mutation)):
            run.append(index)
            continue
        _bulk_run(store, items, run, together, actor, now, outcomes)
        run = [index] if index in together else []
        if not run:
            outcomes[index] = _guarded(store, mutation, actor, now, index in unseen)
    _bulk_run(store, items, run, together, actor, now, outcomes)
    return outcomes


def _alike(first: Mutation, mutation: Mutation) -> bool:
    return (first.entity_type, first.op) == (mutation.entity_type, mutation.op)


def _guarded(store: Store, mutation: Mutation, actor, now: datetime, unseen: bool) -> Outcome:
    try:
        return apply(store, mutation, actor, now, unseen=unseen)
    except TransactionLost:
        raise  # the whole batch's transaction is gone: the next mutation would meet the same
    except Exception:  # a bug must not eat the rest of the batch
        log.exception("sync mutation %s failed", mutation.mutation_id)
        return Rejected(
            mutation.mutation_id,
            "server_error",
            "The server failed to apply this change. Send it again later.",
            retry=True,
        )


def _bulk_run(store: Store, items, run: list[int], together: dict, actor, now, outcomes):
    """Write a run of plain creates or updates with one store call; on trouble, one by one."""
    if not run:
        return
    mutations = [items[i] for i in run]
    contexts = [WriteContext(actor=actor, now=now, mutation=m) for m in mutations]
    plans = [together[i] for i in run]
    try:
        with store.unit():
            written = store.write(
                [
                    Change(
                        m.op,
                        m.entity_type,
                        m.entity_id,
                        c,
                        result.apply,
                        None if current is None else current["version"],
                    )
                    for m, (result, current), c in zip(mutations, plans, contexts, strict=True)
                ]
            )
            results = [
                _refused(m, version)
                if isinstance(version, Refused)
                else _outcome(result, current, version, m, ())
                for m, (result, current), version in zip(mutations, plans, written, strict=True)
            ]
            store.keep_receipts(
                [
                    Receipt(m.device_id, m.mutation_id, m.seq, outcome.to_dict(), c)
                    for m, outcome, c in zip(mutations, results, contexts, strict=True)
                ]
            )
    except TransactionLost:
        raise  # not one by one: the whole batch's transaction is gone
    except Exception as error:  # StaleWrite, or a bug: each on its own finds out which
        if not isinstance(error, StaleWrite):
            log.exception(
                "sync %s run of %d failed; applying one by one", mutations[0].op, len(run)
            )
        for index in run:
            outcomes[index] = _guarded(store, items[index], actor, now, False)
        return
    for index, outcome in zip(run, results, strict=True):
        outcomes[index] = outcome


def _refused(mutation: Mutation, error: Refused) -> Rejected:
    fields = field_paths(mutation.entity_type, mutation.op, error.fields)
    return Rejected(mutation.mutation_id, error.code, error.message, fields, error.rule)


def _device_mismatch(mutation: Mutation) -> Rejected:
    return Rejected(
        mutation.mutation_id,
        "device_mismatch",
        "This mutation names another device than the one this push came from.",
        {"device_id": "Must be this device's id."},
    )


def derived_id(*parts: Any) -> uuid.UUID:
    """Return the stable id of something the engine makes for a mutation."""
    return uuid.uuid5(ID_NAMESPACE, "/".join(str(part) for part in parts))


def _receipt(store: Store, mutation: Mutation, outcome: Outcome, ctx: WriteContext) -> None:
    store.keep_receipts(
        [Receipt(mutation.device_id, mutation.mutation_id, mutation.seq, outcome.to_dict(), ctx)]
    )


def _apply_new(store: Store, mutation: Mutation, ctx: WriteContext) -> Outcome:
    if mutation.author_id != uuid.UUID(str(ctx.actor.user_id)):
        return Rejected(
            mutation.mutation_id,
            "author_mismatch",
            "A change can only be pushed by its own author; this one names another user.",
            {"author_id": "Must be the signed-in user."},
        )
    current = store.read(mutation.entity_type, [mutation.entity_id])[mutation.entity_id]
    # Before the merge: a conflict, like a write, is only for whoever may make the change.
    store.authorise(ctx.actor, mutation, current)
    result = merge(mutation.entity_type, current, mutation)
    if result.rejected:
        return result.rejected
    version = _write(store, result, current, mutation, ctx)
    conflict_ids = tuple(_keep_conflict(store, c, current, mutation, ctx) for c in result.conflicts)
    if any(c.kind == "transition" for c in result.conflicts):
        _note_unapplied_transition(store, result, mutation, conflict_ids[0], ctx)
    return _outcome(result, current, version, mutation, conflict_ids)


def _write(
    store: Store, result: MergeResult, current: dict | None, mutation: Mutation, ctx: WriteContext
) -> int | None:
    """Write what the merge decided; return the record's new version (None: no write)."""
    if not result.write:
        return None
    step = mutation.transition if result.write == "transition" else None
    return write_one(
        store,
        Change(
            result.write,
            mutation.entity_type,
            mutation.entity_id,
            ctx,
            result.apply if result.write in ("create", "append", "update") else {},
            None if current is None else current["version"],
            step.action if step else None,
            step.reason if step else None,
        ),
    )


def _written_fields(result: MergeResult, mutation: Mutation) -> tuple[str, ...]:
    if result.write == "transition":
        return (STATE_FIELDS[mutation.entity_type],)
    if result.write == "delete":
        return ("deleted",)
    return tuple(sorted(result.apply))


def _outcome(
    result: MergeResult,
    current: dict | None,
    written: int | None,
    mutation: Mutation,
    conflict_ids: tuple[uuid.UUID, ...],
) -> Outcome:
    version = written if written is not None else (current or {}).get("version")
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
    store.keep_conflict(conflict, ctx)
    return conflict.id


def _plain(code) -> str:
    """A vocabulary code as words ("in_progress" -> "in progress"): the note is read by people."""
    return str(code).replace("_", " ")


def _note_unapplied_transition(
    store: Store, result: MergeResult, mutation: Mutation, conflict_id: uuid.UUID, ctx: WriteContext
) -> None:
    """Say on the entry itself that an offline decision arrived too late."""
    if mutation.entity_type != "log_entry":
        return
    found = result.conflicts[0]
    step = mutation.transition
    body = (
        f"Not applied: “{_plain(step.action)}” from a tablet, made while the entry was "
        f"{_plain(found.base)}, arrived after it had become {_plain(found.kept)}. "
        f"Reason given: “{(step.reason or 'none').rstrip('.')}”. A manager decides which stands, in the "
        "conflicts to resolve."
    )
    note_id = derived_id("note", mutation.device_id, mutation.mutation_id)
    try:
        with store.unit():
            fields = {"entry_id": str(mutation.entity_id), "body": body}
            write_one(store, Change("append", "note", note_id, ctx, fields))
    except Refused:
        log.warning("could not note unapplied transition %s", mutation.mutation_id)
