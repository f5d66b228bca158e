"""The unit of work: one transaction per request, its write lock, and a lost lock's retry.

Platform code: the HTTP layer runs every view through ``unit_of_work``, and services that
must write after a slow read call ``write_lock`` or ``begin_write`` themselves.
"""

import logging

from flask import request
from sqlalchemy.orm.exc import StaleDataError

from server.common.database import lost_to_a_lock
from server.errors import Busy, Conflict

log = logging.getLogger(__name__)
READS = ("GET", "HEAD", "OPTIONS")


def begin_write() -> None:
    """Begin the request's write transaction with its first lock, the same on every path.

    SQLite: the database's write lock, at BEGIN IMMEDIATE (server.common.database).
    PostgreSQL: the change counter's row lock, before any row lock (server.common.changes),
    so that a push and a desk edit of one record never take the two in opposite orders.
    """
    from server.common import changes
    from server.extensions import db

    db.session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    changes.hold(db.session())


def write_lock() -> None:
    """End the request's read and start a write transaction holding the write lock.

    On SQLite a read transaction that starts writing fails at once if another writer
    committed meanwhile; a write begun with the lock waits (busy timeout) instead.
    For a write of no synced record (a failed login's count, a pull's last-sync time): on
    PostgreSQL it takes no change counter lock, so a pull never queues behind a push. A
    reads_first view that writes synced records commits its read and calls begin_write.
    """
    from server.extensions import db

    db.session.commit()
    db.session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def begin(reads_first: bool = False) -> None:
    """Start the request's transaction: a write takes its lock at BEGIN, unless the view
    reads (slowly) first and takes the lock itself when it must write."""
    from server.extensions import db

    if reads_first:
        return
    if request.method not in READS and not db.session().in_transaction():
        begin_write()


def unit_of_work(view, args, kwargs, reads_first: bool = False):
    """Run the view and commit; on a lost lock, roll back and run it once more.

    Any exception rolls the whole request back; a concurrent update of the same row
    (the version check in UPDATE) becomes a 409 like any other stale write. A transaction
    the database gave up over a lock (a deadlock, a serialisation failure) is run once
    more from the start; lost twice, the request is a 503 with Retry-After, nothing written.
    """
    from server.extensions import db

    for attempt in (1, 2):
        try:
            if attempt == 2:
                begin(reads_first)  # as at the start of the request
            result = view(*args, **kwargs)
            db.session.commit()
            return result
        except StaleDataError as exc:
            db.session.rollback()
            raise Conflict(
                "Someone else changed this record at the same moment. Reload it and try again."
            ) from exc
        except BaseException as exc:
            db.session.rollback()
            if not lost_to_a_lock(exc):
                raise
            log.warning(
                "%s %s lost to a lock (attempt %d): %s", request.method, request.path, attempt, exc
            )
            if attempt == 2:
                raise Busy(
                    "The server is busy with other changes to the same records. "
                    "Nothing was saved; try again in a few seconds."
                ) from exc
