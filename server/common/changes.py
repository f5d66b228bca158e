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
"""

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from server.common.types import Synced
from server.syncing import faults


def allocate(session: Session, count: int) -> int:
    """Take ``count`` consecutive change sequence numbers; return the first."""
    last = session.execute(
        text("UPDATE change_counter SET value = value + :n WHERE id = 1 RETURNING value"),
        {"n": count},
    ).scalar_one()
    first = last - count + 1
    faults.fire("seq_allocated", first=first, last=last)
    return first


def committed_high_water(session: Session) -> int:
    """Return the highest change sequence whose transaction has committed."""
    return session.execute(text("SELECT value FROM change_counter WHERE id = 1")).scalar_one()


@event.listens_for(Session, "before_flush")
def _stamp(session: Session, flush_context, instances) -> None:
    changed = [
        obj
        for obj in list(session.new) + list(session.dirty)
        if isinstance(obj, Synced) and (obj in session.new or session.is_modified(obj))
    ]
    if changed:
        first = allocate(session, len(changed))
        for offset, obj in enumerate(changed):
            obj.change_seq = first + offset
