"""Assign every changed synced record a server change sequence at flush.

The counter row is updated (and so locked) by the first flush of a transaction and written
back before commit; another writer waits on that row lock until this transaction ends.
Sequences therefore become visible in commit order, so a reader that takes changes up to
the counter's committed value can never skip one that commits later with a smaller number:
this is what keeps pull cursors correct when PostgreSQL commits transactions out of order.
"""

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from server.common.types import Synced

_NEXT = "careloop_next_seq"
_LAST = "careloop_last_seq"


def _allocate(session: Session) -> int:
    nxt = session.info.get(_NEXT)
    if nxt is None:
        row = session.execute(
            text("UPDATE change_counter SET value = value + 1 WHERE id = 1 RETURNING value")
        ).scalar_one()
        nxt = row
    session.info[_NEXT] = nxt + 1
    session.info[_LAST] = nxt
    return nxt


def committed_high_water(session: Session) -> int:
    """Return the highest change sequence whose transaction has committed."""
    return session.execute(text("SELECT value FROM change_counter WHERE id = 1")).scalar_one()


@event.listens_for(Session, "before_flush")
def _stamp(session: Session, flush_context, instances) -> None:
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Synced) and (obj in session.new or session.is_modified(obj)):
            obj.change_seq = _allocate(session)


@event.listens_for(Session, "before_commit")
def _write_back(session: Session) -> None:
    session.flush()
    last = session.info.get(_LAST)
    if last is not None:
        session.execute(
            text("UPDATE change_counter SET value = :v WHERE id = 1 AND value < :v"), {"v": last}
        )


def _reset(session: Session, *args) -> None:
    session.info.pop(_NEXT, None)
    session.info.pop(_LAST, None)


event.listen(Session, "after_commit", _reset)
event.listen(Session, "after_rollback", _reset)
event.listen(Session, "after_soft_rollback", _reset)
