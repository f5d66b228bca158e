"""The runner's own periodic job: forget old jobs and cached files, requeue stranded jobs."""

from datetime import timedelta

from sqlalchemy import delete

from server.common.types import utcnow
from server.extensions import db
from server.jobs import queue
from server.jobs.kinds import job_kind
from server.jobs.models import DONE, FAILED, Job, JobFile, JobWorker

KEEP = timedelta(days=7)


@job_kind("jobs.housekeeping")
def housekeeping(job) -> None:
    now = utcnow()
    queue.requeue_stale(now)
    db.session.execute(
        delete(Job).where(Job.status.in_((DONE, FAILED)), Job.finished_at < now - KEEP)
    )
    db.session.execute(delete(JobFile).where(JobFile.created_at < now - KEEP))
    db.session.execute(delete(JobWorker).where(JobWorker.seen_at < now - KEEP))
    return None
