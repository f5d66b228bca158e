"""The job runner (server/jobs): claim, run, fail and retry, periodic jobs, two workers at
once, housekeeping and `flask worker --once`. Runs again on PostgreSQL (-m db), where the
claim is SELECT … FOR UPDATE SKIP LOCKED."""

import threading
from datetime import timedelta

import pytest

from server.common.types import clock_at, utcnow
from server.extensions import db
from server.jobs import housekeeping, kinds, queue, schedule
from server.jobs.models import Job, JobFile, JobSchedule, JobWorker

pytestmark = pytest.mark.db


@pytest.fixture
def handlers():
    """Test job kinds: 'test.record' notes each run, 'test.fail' always raises."""
    runs: list = []

    def record(job):
        runs.append(job.params["n"])

    def fail(job):
        raise RuntimeError("the printer caught fire")

    kinds.HANDLERS["test.record"] = record
    kinds.HANDLERS["test.fail"] = fail
    yield runs
    kinds.HANDLERS.pop("test.record")
    kinds.HANDLERS.pop("test.fail")


def _job(job_id) -> Job:
    return db.session.get(Job, job_id, populate_existing=True)


def test_a_queued_job_is_claimed_run_and_recorded_done(app, handlers):
    job = queue.enqueue("test.record", {"n": 1})
    db.session.commit()
    assert kinds.run_one("worker-a") == "done"
    done = _job(job.id)
    assert (done.status, done.attempts, done.worker, done.error) == ("done", 1, "worker-a", None)
    assert done.finished_at is not None and handlers == [1]
    assert kinds.run_one("worker-a") is None  # nothing left


def test_a_failing_job_is_retried_after_a_wait_then_fails_for_good(app, handlers):
    job = queue.enqueue("test.fail", max_attempts=2)
    db.session.commit()
    assert kinds.run_one("worker-a") == "queued"
    first = _job(job.id)
    assert first.attempts == 1 and "the printer caught fire" in first.error
    assert first.run_after > utcnow()
    assert kinds.run_one("worker-a") is None  # still waiting out its retry delay
    with clock_at(utcnow() + timedelta(minutes=1)):
        assert kinds.run_one("worker-a") == "failed"
    last = _job(job.id)
    assert (last.status, last.attempts) == ("failed", 2)
    assert last.finished_at is not None
    assert "RuntimeError: the printer caught fire" in last.error


def test_an_unknown_kind_fails_with_its_name(app):
    job = queue.enqueue("test.nobody", max_attempts=1)
    db.session.commit()
    assert kinds.run_one("worker-a") == "failed"
    assert "test.nobody" in _job(job.id).error


def test_two_workers_at_once_never_run_the_same_job(app, handlers):
    count = 30
    for n in range(count):
        queue.enqueue("test.record", {"n": n})
    db.session.commit()
    errors = []

    def worker(name):
        with app.app_context():
            try:
                while kinds.run_one(name) is not None:
                    pass
            except Exception as exc:  # reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(f"worker-{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(handlers) == list(range(count))  # each once, none twice
    jobs = db.session.scalars(db.select(Job).execution_options(populate_existing=True)).all()
    assert {(j.status, j.attempts) for j in jobs} == {("done", 1)}


def test_a_job_already_claimed_is_not_claimed_again(app, handlers):
    job = queue.enqueue("test.record", {"n": 7})
    db.session.commit()
    assert queue.claim("worker-a").id == job.id
    assert queue.claim("worker-b") is None
    assert queue.claim("worker-b", job.id) is None


PERIODIC = [schedule.Periodic("test.tick", timedelta(minutes=5), "test.record", {"n": 0})]


def test_a_periodic_job_is_queued_once_per_interval_however_many_workers(app, handlers):
    now = utcnow()
    assert schedule.queue_due(now, PERIODIC) == ["test.tick"]
    # A second worker looking at the same moment, and a minute later: nothing more.
    assert schedule.queue_due(now, PERIODIC) == []
    assert schedule.queue_due(now + timedelta(minutes=1), PERIODIC) == []
    assert schedule.queue_due(now + timedelta(minutes=5), PERIODIC) == ["test.tick"]
    row = db.session.get(JobSchedule, "test.tick", populate_existing=True)
    assert row.next_run_at == now + timedelta(minutes=10)
    assert db.session.scalar(db.select(db.func.count()).select_from(Job)) == 2
    while kinds.run_one("worker-a"):
        pass
    assert handlers == [0, 0]


def test_housekeeping_is_registered_and_clears_old_jobs_and_files(app):
    assert any(p.kind == "jobs.housekeeping" for p in schedule.PERIODIC)
    old = utcnow() - timedelta(days=8)
    with clock_at(old):
        gone = queue.enqueue("test.record", {"n": 1})
        gone.status, gone.finished_at = "done", old
        stranded = queue.enqueue("test.record", {"n": 2})
        stranded.status, stranded.started_at, stranded.attempts = "running", old, 1
        db.session.add(
            JobFile(key="k" * 64, name="a.pdf", content_type="x", content=b"%PDF", created_at=old)
        )
    kept = queue.enqueue("test.record", {"n": 3})
    db.session.commit()
    ids = gone.id, kept.id, stranded.id
    housekeeping.housekeeping(None)
    db.session.commit()
    assert db.session.get(Job, ids[0]) is None
    assert db.session.get(Job, ids[1]) is not None
    assert _job(ids[2]).status == "queued"
    assert db.session.scalar(db.select(db.func.count()).select_from(JobFile)) == 0


def test_flask_worker_once_runs_the_queue_and_says_it_is_alive(app, handlers):
    queue.enqueue("test.record", {"n": 5})
    db.session.commit()
    assert not queue.worker_running()
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "stopped after" in result.output
    assert 5 in handlers
    assert queue.worker_running()
    assert db.session.scalar(db.select(db.func.count()).select_from(JobWorker)) == 1
    # The schedule's housekeeping ran too, on its first turn.
    assert db.session.get(JobSchedule, "jobs.housekeeping") is not None
    with clock_at(utcnow() + queue.WORKER_FRESH + timedelta(seconds=1)):
        assert not queue.worker_running()


def test_a_stopped_worker_finishes_the_job_in_hand_and_takes_no_more(app, handlers):
    from server.jobs.worker import work

    for n in range(3):
        queue.enqueue("test.record", {"n": n})
    db.session.commit()
    said = []
    ran = work("worker-a", stop=lambda: len(handlers) >= 1, say=said.append)
    assert ran == 1 and handlers == [0]
    assert said[-1] == "Careloop worker worker-a: stopped after 1 job."
    left = db.select(db.func.count()).where(Job.kind == "test.record", Job.status == "queued")
    assert db.session.scalar(left) == 2
