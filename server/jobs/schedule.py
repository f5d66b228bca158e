"""The periodic jobs: each has a name, an interval and the job kind it queues.

A worker checks the schedule on every turn of its loop. When a job falls due, the worker
moves its ``next_run_at`` on with a conditional UPDATE (``WHERE next_run_at = <what it
read>``): of several workers, only the one whose UPDATE changes the row queues the job, so it
runs once per interval however many workers there are. The job then runs like any other
(claimed, retried on failure).

Later work adds its periodic jobs here (alerts, audit schedules, the tombstone purge).
"""

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from server.common.transaction import write_lock
from server.common.types import utcnow
from server.extensions import db
from server.jobs import queue
from server.jobs.models import JobSchedule


@dataclass(frozen=True)
class Periodic:
    name: str
    every: timedelta
    kind: str
    params: dict = field(default_factory=dict)


PERIODIC: list[Periodic] = [
    # Cached report files and finished jobs older than a week; jobs left by a dead worker.
    Periodic("jobs.housekeeping", timedelta(hours=1), "jobs.housekeeping"),
]


def _row(periodic: Periodic, now) -> JobSchedule:
    """The schedule row of ``periodic``; a new one falls due at once."""
    row = db.session.get(JobSchedule, periodic.name)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            db.session.add(JobSchedule(name=periodic.name, next_run_at=now))
    except IntegrityError:  # another worker added it first
        pass
    return db.session.get(JobSchedule, periodic.name, populate_existing=True)


def queue_due(now=None, periodic: list[Periodic] | None = None) -> list[str]:
    """Queue every periodic job that has fallen due; return the names queued."""
    now = now or utcnow()
    queued = []
    for item in PERIODIC if periodic is None else periodic:
        write_lock()
        row = _row(item, now)
        seen = row.next_run_at
        if seen > now:
            db.session.commit()
            continue
        won = db.session.execute(
            update(JobSchedule)
            .where(JobSchedule.name == item.name, JobSchedule.next_run_at == seen)
            .values(next_run_at=now + item.every, last_run_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if won == 1:
            queue.enqueue(item.kind, dict(item.params))
            queued.append(item.name)
        db.session.commit()
    return queued
