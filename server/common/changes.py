"""Assign every changed synced record a server change sequence at flush.

Each flush that changes synced records takes its numbers with one
``UPDATE change_counter SET value = value + n … RETURNING value``. That UPDATE locks the
counter row until the transaction ends, so another writer's allocation waits until this
transaction has committed (or rolled back): numbers become visible in the order they were
handed out. A reader takes the counter's committed value as its high-water mark and reads
changes up to it; every transaction holding a number at or below it has already ended, so
no change can commit later below a cursor already handed out. This is what keeps pull
cursors correct when PostgreSQL commits transactions out of order.

The lock is taken again at every flush, not once per transaction: a savepoint that took
it and rolled back (a rejected sync mutation) releases it on PostgreSQL, and the numbers
of the next flush must still be taken under the lock.

A sync push may ``reserve`` a block of numbers first, outside any savepoint: the block's
UPDATE takes the lock in the transaction itself, where no savepoint's rollback can release
it, so the flushes of that transaction draw from the block without another UPDATE until it
runs out. The block dies with its transaction; numbers it leaves unused are gaps, which a
pull does not mind (it reads up to the high-water mark, not number by number).

On PostgreSQL the counter's row lock is also the first lock of every write request: ``hold``
takes it at BEGIN (server.common.transaction), before any row lock, and keeps it to the end. A push
locks the records it reads (SELECT … FOR UPDATE) and then needs the counter; a desk edit
needed the counter at its flush and then the record's row: in opposite orders, the two
deadlocked. With the counter first everywhere, whoever waits for it holds nothing yet, so
no cycle can form (docs/deployment.md, "One lock order on PostgreSQL").
"""

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from server.common.types import Synced


def allocate(session: Session, count: int) -> int:
    """Take ``count`` consecutive change sequence numbers; return the first."""
    last = session.execute(
        text("UPDATE change_counter SET value = value + :n WHERE id = 1 RETURNING value"),
        {"n": count},
    ).scalar_one()
    return last - count + 1


def hold(session: Session) -> None:
    """Take the counter's row lock for the rest of this transaction (PostgreSQL only).

    Call it first in a write transaction, outside any savepoint, before any other lock:
    a rolled-back savepoint does not release a lock its transaction took before it.
    SQLite needs none: its write lock is taken at BEGIN IMMEDIATE.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT value FROM change_counter WHERE id = 1 FOR UPDATE"))


def committed_high_water(session: Session) -> int:
    """Return the highest change sequence whose transaction has committed."""
    return session.execute(text("SELECT value FROM change_counter WHERE id = 1")).scalar_one()


_BLOCK = "careloop_change_seq_block"


def reserve(session: Session, count: int) -> None:
    """Take ``count`` numbers now for the flushes of this transaction to use.

    Call it outside any savepoint (the lock must belong to the transaction); inside one,
    or with a count below 1, it does nothing and every flush allocates as usual.
    """
    if count < 1 or session.in_nested_transaction():
        return
    first = allocate(session, count)
    session.info[_BLOCK] = (session.get_transaction(), [first, first + count - 1])


def take(session: Session, count: int) -> int:
    """Return the first of ``count`` numbers: from the reserved block while it lasts."""
    transaction, block = session.info.get(_BLOCK, (None, None))
    if block is not None and transaction is session.get_transaction():
        first, last = block
        if last - first + 1 >= count:
            block[0] = first + count
            return first
    return allocate(session, count)


@event.listens_for(Session, "after_transaction_end")
def _forget_block(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_BLOCK, None)


@event.listens_for(Session, "before_flush")
def _stamp(session: Session, flush_context, instances) -> None:
    changed = [
        obj
        for obj in list(session.new) + list(session.dirty)
        if isinstance(obj, Synced) and (obj in session.new or session.is_modified(obj))
    ]
    if changed:
        first = take(session, len(changed))
        for offset, obj in enumerate(changed):
            obj.change_seq = first + offset
