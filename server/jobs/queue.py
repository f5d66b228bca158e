"""Put jobs on the queue, claim one safely, and record how it ended.

Claiming is safe with several workers on one database:

- PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` picks a queued job no other transaction
  holds; two workers never wait for, nor take, the same row.
- SQLite: the claim runs under the database's write lock (BEGIN IMMEDIATE) and changes the
  row with a conditional ``UPDATE … WHERE status = 'queued'``: only one worker's UPDATE
  finds it still queued.

Each step commits its own short transaction; the job itself runs between them, holding no
lock, so a long PDF never blocks a tablet's sync.
"""

import socket
import uuid
from datetime import timedelta

from sqlalchemy import update

from server.common.transaction import write_lock
from server.common.types import utcnow
from server.extensions import db
from server.jobs.models import DONE, FAILED, QUEUED, RUNNING, Job, JobWorker

# A failed attempt waits before the next: 10 s, then 20 s, 40 s … (bounded by max_attempts).
RETRY_WAIT = timedelta(seconds=10)
# A job running this long was left by a worker that died: the housekeeping job requeues it.
LEASE = timedelta(minutes=15)
# A worker not seen for this long is taken for gone (the page then makes the PDF itself).
WORKER_FRESH = timedelta(seconds=30)


def worker_name() -> str:
    import os

    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def enqueue(kind: str, params: dict | None = None, *, user_id=None, max_attempts=3) -> Job:
    """Add a job (the caller's transaction commits it)."""
    job = Job(
        id=uuid.uuid4(),
        kind=kind,
        params=params or {},
        status=QUEUED,
        attempts=0,
        max_attempts=max_attempts,
        run_after=utcnow(),
        created_at=utcnow(),
        user_id=user_id,
    )
    db.session.add(job)
    return job


def claim(worker: str, job_id=None) -> Job | None:
    """Take the next queued job that is due (or the job ``job_id``, if still queued) for
    ``worker``; commit and return it, or None when there is nothing to take."""
    write_lock()  # SQLite: BEGIN IMMEDIATE; PostgreSQL: a plain transaction
    now = utcnow()
    pick = db.select(Job.id).where(Job.status == QUEUED, Job.run_after <= now)
    pick = pick.where(Job.id == job_id) if job_id else pick.order_by(Job.run_after, Job.created_at)
    found = db.session.scalar(pick.limit(1).with_for_update(skip_locked=True))
    if found is None:
        db.session.commit()
        return None
    taken = db.session.execute(
        update(Job)
        .where(Job.id == found, Job.status == QUEUED)
        .values(status=RUNNING, attempts=Job.attempts + 1, worker=worker, started_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return db.session.get(Job, found, populate_existing=True) if taken == 1 else None


def finish(job_id, result_key: str | None = None) -> None:
    """Record the job as done (with the key of the file it made, if any)."""
    write_lock()
    db.session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(status=DONE, finished_at=utcnow(), result_key=result_key, error=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def fail(job_id, error: str) -> str:
    """Record a failed attempt: queued again after a wait while attempts remain, else
    failed for good. Returns the job's new status."""
    write_lock()
    job = db.session.get(Job, job_id, populate_existing=True)
    if job.attempts < job.max_attempts:
        job.status = QUEUED
        job.run_after = utcnow() + RETRY_WAIT * 2 ** (job.attempts - 1)
    else:
        job.status = FAILED
        job.finished_at = utcnow()
    job.error = error[:4000]
    status = job.status
    db.session.commit()
    return status


def requeue_stale(now=None) -> int:
    """Put back jobs whose worker died mid-run (running longer than LEASE)."""
    now = now or utcnow()
    count = 0
    for job in db.session.scalars(
        db.select(Job).where(Job.status == RUNNING, Job.started_at < now - LEASE)
    ):
        job.status = QUEUED if job.attempts < job.max_attempts else FAILED
        job.error = "The worker running it stopped before it finished."
        job.finished_at = None if job.status == QUEUED else now
        count += 1
    return count


def heartbeat(worker: str) -> None:
    """Say that ``worker`` is alive (the page asks whether any worker is)."""
    write_lock()
    row = db.session.get(JobWorker, worker)
    if row is None:
        db.session.add(JobWorker(name=worker, seen_at=utcnow()))
    else:
        row.seen_at = utcnow()
    db.session.commit()


def worker_running(now=None) -> bool:
    """Whether some ``flask worker`` was seen within WORKER_FRESH."""
    now = now or utcnow()
    seen = db.session.scalar(db.select(db.func.max(JobWorker.seen_at)))
    if seen is not None and seen.tzinfo is None:
        from datetime import UTC

        seen = seen.replace(tzinfo=UTC)
    return seen is not None and seen >= now - WORKER_FRESH
