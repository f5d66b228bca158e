"""Planning a pushed batch before anything is written: which mutations were seen before,
and which may be written together.

Both read the store once for the whole batch (receipts, then the records touched), so a
batch of 500 costs a few queries, not a few per mutation. sync.engine applies the plan.
"""

import operator
import uuid

from sync.merge import merge
from sync.store import Refused, Store, SyncActor
from sync.types import Duplicate, Mutation, Rejected, outcome_from_dict

_NUMBER = operator.attrgetter("int")


def mine(mutation: Mutation, actor: SyncActor) -> bool:
    return actor.device_id is None or mutation.device_id == str(actor.device_id)


def read_receipts(store: Store, items: list, outcomes: list, actor: SyncActor) -> set[int]:
    """Answer every mutation seen before as a Duplicate; return the indexes seen first now.

    A mutation id repeated within the batch is left out of the returned set: its second
    arrival looks for the receipt its first one wrote.
    """
    wanted: dict[str, list[int]] = {}
    for index, mutation in enumerate(items):
        if outcomes[index] is None and mine(mutation, actor):
            wanted.setdefault(mutation.device_id, []).append(index)
    unseen: set[int] = set()
    for device_id, indexes in wanted.items():
        ids = sorted({items[i].mutation_id for i in indexes})
        stored = store.receipts(device_id, ids)
        first: set[str] = set()
        for index in indexes:
            mutation_id = items[index].mutation_id
            if mutation_id in stored:
                outcomes[index] = Duplicate(mutation_id, outcome_from_dict(stored[mutation_id]))
            elif mutation_id not in first:
                first.add(mutation_id)
                unseen.add(index)
    return unseen


def plain_writes(store: Store, items: list, unseen: set[int], actor: SyncActor) -> dict:
    """Return {index: (merge result, current record)} of the writes the store may do
    together: creates of ids that do not exist, and updates that merge without conflict
    and that the pushing user may make.

    Such a mutation is seen for the first time, made by its pushing author, and the only
    mutation of its record in the batch so far (so the record read up front is the one it
    lands on). The batch's read of every record it touches happens here, outside any unit.
    """
    by_type: dict[str, list[uuid.UUID]] = {}
    for index in unseen:
        mutation = items[index]
        by_type.setdefault(mutation.entity_type, []).append(mutation.entity_id)
    # Sorted by the number: the order UUID's own (Python-level) comparison gives, cheaper.
    found = {kind: store.read(kind, sorted(set(ids), key=_NUMBER)) for kind, ids in by_type.items()}
    author = uuid.UUID(str(actor.user_id))
    together, touched = {}, set()
    for index, mutation in enumerate(items):
        if isinstance(mutation, Rejected):
            continue
        key = (mutation.entity_type, mutation.entity_id)
        first_touch = key not in touched
        touched.add(key)
        if index not in unseen or not first_touch or mutation.author_id != author:
            continue
        current = found[mutation.entity_type][mutation.entity_id]
        if mutation.op == "create" and current is None and _may(store, actor, mutation, None):
            result = merge(mutation.entity_type, None, mutation)
            if result.write == "create":
                together[index] = (result, None)
        elif (
            mutation.op == "update"
            and current is not None
            and _may(store, actor, mutation, current)
        ):
            result = merge(mutation.entity_type, current, mutation)
            if result.write == "update" and not result.conflicts and not result.rejected:
                together[index] = (result, current)
    return together


def _may(store: Store, actor: SyncActor, mutation: Mutation, current: dict) -> bool:
    """Whether the store lets ``actor`` make this change (a create: may this actor create at
    all, e.g. under a device credential); a refusal is the one-by-one path's to report."""
    try:
        store.authorise(actor, mutation, current)
    except Refused:
        return False
    return True
