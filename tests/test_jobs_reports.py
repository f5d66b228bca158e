"""Report PDFs prepared in the background (server/jobs): the endpoints, who may follow and
fetch a job, the cache (instant when nothing changed, a new file after a change), the
in-process fallback when no worker runs, and the plain message when a job waits for one."""

import io
import uuid
from datetime import timedelta

import pytest
from pypdf import PdfReader

from server.accounts.models import Membership
from server.audit.services import Actor
from server.common import dates
from server.common.types import clock_at, utcnow
from server.extensions import db
from server.jobs import kinds, queue
from server.jobs.models import Job, JobFile
from server.log import services as log
from tests.support.admin import open_entry

pytestmark = pytest.mark.db


@pytest.fixture
def entry(world):
    return open_entry(world, world.users["senior_carer"])


def _pack(world, service=None) -> dict:
    today = dates.london_today()
    return {
        "service_id": str((service or world.home).id),
        "from": str(today - timedelta(days=30)),
        "to": str(today),
    }


def _prepare(client, body, path="evidence-pack"):
    return client.post(f"/api/v1/reports/{path}/prepare", json=body)


def _files() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(JobFile))


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_with_no_worker_the_pack_is_made_at_once_and_fetched(client, world, login, entry):
    login(world.users["registered_manager"])
    response = _prepare(client, _pack(world))
    assert response.status_code == 202
    job = response.get_json()
    assert (job["status"], job["cached"], job["worker_running"]) == ("done", False, False)
    assert job["message"] == "Your evidence pack is ready."
    assert job["download_url"] == f"/api/v1/jobs/{job['id']}/file"
    followed = client.get(f"/api/v1/jobs/{job['id']}")
    assert followed.status_code == 200 and followed.get_json()["status"] == "done"
    pdf = client.get(job["download_url"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith(
        'attachment; filename="evidence-pack-ashdown-house-'
    )
    text = _text(pdf.data)
    assert "Inspection evidence pack" in text
    assert "Fluid charts are not completed after lunch" in text


def test_asking_again_with_no_change_is_a_cache_hit_and_a_change_makes_a_new_file(
    client, world, login, entry
):
    login(world.users["registered_manager"])
    first = _prepare(client, _pack(world)).get_json()
    again = _prepare(client, _pack(world)).get_json()
    assert again["status"] == "done" and again["cached"] is True
    assert again["id"] != first["id"] and _files() == 1
    assert client.get(again["download_url"]).data == client.get(first["download_url"]).data
    # Someone edits the entry: the pack would show something else, so it is made again.
    log.update_entry(
        Actor(world.users["registered_manager"]),
        entry,
        entry.version,
        {"concern": "Fluid charts are missing at teatime too"},
    )
    db.session.commit()
    changed = _prepare(client, _pack(world)).get_json()
    assert changed["status"] == "done" and changed["cached"] is False
    assert _files() == 2
    assert "missing at teatime too" in _text(client.get(changed["download_url"]).data)
    # Another period is another report.
    other = {**_pack(world), "from": str(dates.london_today() - timedelta(days=10))}
    assert _prepare(client, other).get_json()["cached"] is False


def test_only_who_asked_may_follow_or_fetch_and_the_fetch_checks_again(
    app, client, world, login, entry
):
    rm = world.users["registered_manager"]
    login(rm)
    job = _prepare(client, _pack(world)).get_json()
    # Someone else who may see reports, even for this service, gets no such report.
    login(world.users["nominated_individual"])
    for path in (f"/api/v1/jobs/{job['id']}", job["download_url"]):
        refused = client.get(path)
        assert refused.status_code == 404
        assert refused.get_json()["error"]["message"] == "There is no such report being prepared."
    # A role that may not print reports cannot ask for one.
    login(world.users["care_worker"])
    assert _prepare(client, _pack(world)).status_code == 403
    # Nor a service of another provider.
    login(rm)
    assert _prepare(client, _pack(world, world.rival_service)).status_code == 404
    # The manager moves to the other home: her job's file is refused at download.
    db.session.execute(
        db.update(Membership)
        .where(Membership.user_id == rm.id)
        .values(service_id=world.other.id)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    assert client.get(job["download_url"]).status_code == 403


def test_with_a_worker_running_the_page_is_told_preparing_until_the_worker_has_run_it(
    client, world, login, entry
):
    queue.heartbeat("worker-a")
    login(world.users["registered_manager"])
    job = _prepare(client, _pack(world)).get_json()
    assert (job["status"], job["worker_running"]) == ("queued", True)
    assert job["message"] == "Preparing… The evidence pack is waiting its turn."
    assert job["download_url"] is None
    assert client.get(f"/api/v1/jobs/{job['id']}/file").status_code == 404
    assert kinds.run_one("worker-a") == "done"
    done = client.get(f"/api/v1/jobs/{job['id']}").get_json()
    assert done["status"] == "done" and done["message"] == "Your evidence pack is ready."
    assert client.get(done["download_url"]).mimetype == "application/pdf"


def test_a_job_left_waiting_for_a_worker_that_stopped_says_so_plainly(client, world, login, entry):
    queue.heartbeat("worker-a")
    login(world.users["registered_manager"])
    job = _prepare(client, _pack(world)).get_json()
    db.session.execute(db.text("DELETE FROM job_worker"))  # the worker is gone
    db.session.commit()
    stuck = client.get(f"/api/v1/jobs/{job['id']}").get_json()
    assert stuck["status"] == "queued" and stuck["worker_running"] is False
    assert stuck["message"].startswith(
        "The background worker is not running, so the evidence pack cannot be prepared now."
    )


def test_a_failing_job_is_retried_then_says_it_failed(client, world, login, entry, monkeypatch):
    from server.evidence import render

    def broken(pack):
        raise OSError("no fonts")

    monkeypatch.setattr(render, "pack_pdf", broken)
    login(world.users["registered_manager"])
    job = _prepare(client, _pack(world)).get_json()
    assert job["status"] == "queued"  # tried once in the request; waits for its retry
    stored = db.session.get(Job, uuid.UUID(job["id"]))
    assert stored.attempts == 1 and "no fonts" in stored.error
    for minutes in (1, 5):
        with clock_at(utcnow() + timedelta(minutes=minutes)):
            kinds.run_one("worker-a")
    failed = client.get(f"/api/v1/jobs/{job['id']}").get_json()
    assert failed["status"] == "failed" and failed["download_url"] is None
    assert failed["message"].startswith("The evidence pack could not be made. Try again;")
    assert client.get(f"/api/v1/jobs/{job['id']}/file").status_code == 404


def test_the_governance_report_is_prepared_too(client, world, login, entry):
    login(world.users["nominated_individual"])
    month = f"{dates.london_today():%Y-%m}"
    job = _prepare(client, {"month": month}, "governance").get_json()
    assert job["status"] == "done" and job["kind"] == "governance"
    pdf = client.get(job["download_url"])
    assert pdf.headers["Content-Disposition"].startswith(
        'attachment; filename="careloop-governance-'
    )
    assert "Fluid charts are not completed after lunch" in _text(pdf.data)
    assert _prepare(client, {"month": month}, "governance").get_json()["cached"] is True


def test_bad_queries_are_refused_before_any_job(client, world, login):
    login(world.users["registered_manager"])
    bad = _prepare(client, {**_pack(world), "to": "2020-01-01"})
    assert bad.status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(Job)) == 0
