"""What each kind of job runs: a registry filled by the modules that define job kinds.

A handler takes the job (its ``params`` and ``user_id``) and returns the key of the file it
made, or None. It runs outside any lock; it may read and write through ``db.session``, and
its writes are committed with the job's end. An exception is a failed attempt: the job is
tried again later, up to its ``max_attempts``.
"""

import logging
import traceback
from collections.abc import Callable

from server.extensions import db
from server.jobs import queue
from server.jobs.models import Job

log = logging.getLogger(__name__)
HANDLERS: dict[str, Callable[[Job], str | None]] = {}


def job_kind(name: str):
    """Register the decorated function as the handler of jobs of kind ``name``."""

    def register(handler):
        HANDLERS[name] = handler
        return handler

    return register


def execute(job: Job) -> str:
    """Run a claimed job and record its end; return its status (done, queued, failed)."""
    handler = HANDLERS.get(job.kind)
    job_id = job.id
    try:
        if handler is None:
            raise LookupError(f"No handler for jobs of kind {job.kind!r}.")
        key = handler(job)
    except Exception as exc:  # every failure is recorded; the worker carries on
        db.session.rollback()
        log.warning("job %s (%s) failed: %s", job_id, job.kind, exc)
        text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return queue.fail(job_id, text)
    queue.finish(job_id, key)
    return "done"


def run_one(worker: str, job_id=None) -> str | None:
    """Claim one due job (or ``job_id``) and run it; None when there was none to run."""
    job = queue.claim(worker, job_id)
    return None if job is None else execute(job)
