"""Ask for a large report in the background, follow it, and fetch the file once it is made.

``start`` builds the report's data as the person asking (which checks they may see it) and
looks for a file already made from the same data: found, the job is done at once. Else it
queues a job; when no ``flask worker`` has been seen lately it runs the job itself, in the
request, so the page never waits for a worker that is not there (docs/deployment.md).
Only the person who asked may follow or fetch a job, and the fetch checks again that they
may still see the report.
"""

from server.common.transaction import write_lock
from server.common.types import utcnow
from server.errors import AppError, NotFound
from server.extensions import db
from server.jobs import kinds, queue
from server.jobs.models import DONE, FAILED, QUEUED, RUNNING, Job, JobFile
from server.jobs.reports import KINDS, cache_key, cached

MESSAGES = {
    QUEUED: "Preparing… The {label} is waiting its turn.",
    RUNNING: "Preparing… The {label} is being made.",
    DONE: "Your {label} is ready.",
    FAILED: "The {label} could not be made. Try again; if it fails again, tell your administrator.",
}
NO_WORKER = (
    "The background worker is not running, so the {label} cannot be prepared now. "
    "Ask your administrator to start it, or download it directly (this can take a minute)."
)


class Gone(AppError):
    status, code = 410, "gone"


def _kind_of(job: Job):
    return KINDS[job.kind.removeprefix("report.")]


def start(user, kind_name: str, args: dict) -> Job:
    """Ask for the report ``kind_name`` with ``args`` (already validated) as ``user``."""
    kind = KINDS[kind_name]
    params = kind.schema().dump(args)
    key = cache_key(kind, params, kind.data(user, args))
    hit = cached(key)
    write_lock()
    job = queue.enqueue(f"report.{kind.name}", params, user_id=user.id)
    if hit:
        job.status, job.result_key, job.finished_at = DONE, key, utcnow()
    db.session.commit()
    if not hit and not queue.worker_running():
        kinds.run_one(f"web:{queue.worker_name()}", job.id)
    return db.session.get(Job, job.id, populate_existing=True)


def own_job(user, job_id) -> Job:
    """The job, if ``user`` asked for it (anyone else is told there is no such report)."""
    job = db.session.get(Job, job_id)
    if job is None or job.user_id != user.id or not job.kind.startswith("report."):
        raise NotFound("There is no such report being prepared.")
    return job


def view(job: Job) -> dict:
    """The job as the page shows it: status, a plain message and, when done, the file."""
    label = _kind_of(job).label
    worker = queue.worker_running()
    stuck = job.status == QUEUED and not worker
    return {
        "id": job.id,
        "kind": job.kind.removeprefix("report."),
        "status": job.status,
        "message": (NO_WORKER if stuck else MESSAGES[job.status]).format(label=label),
        "worker_running": worker,
        "cached": job.status == DONE and job.attempts == 0,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "download_url": f"/api/v1/jobs/{job.id}/file" if job.status == DONE else None,
    }


def fetch(user, job_id) -> JobFile:
    """The file a done job made, once more checking that ``user`` may see the report."""
    job = own_job(user, job_id)
    kind = _kind_of(job)
    kind.authorise(user, kind.schema().load(job.params))
    if job.status != DONE:
        raise NotFound("This report is not ready yet.")
    found = db.session.get(JobFile, job.result_key)
    if found is None:
        raise Gone("This report was made over a week ago and has been cleared. Prepare it again.")
    return found
