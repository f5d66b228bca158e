"""The evidence pack PDF made in the background, in Chromium: a click shows "Preparing…" in
a live region while a worker runs the job, then a link to save it; asking again with
nothing changed is ready at once. With no worker running the page makes the PDF itself."""

import pytest

from tests.support.browser import check_a11y, db_query, log_in

pytestmark = pytest.mark.browser


def _heartbeat(db):
    from server.jobs import queue

    queue.heartbeat("test-worker")


def _run_one(db):
    from server.jobs import kinds

    return kinds.run_one("test-worker")


def _no_worker(db):
    db.session.execute(db.text("DELETE FROM job_worker"))
    db.session.commit()


def test_pack_pdf_shows_preparing_then_the_download(page, server, floor):
    db_query(server.app, _heartbeat)  # a worker is running: the page waits for it
    log_in(page, floor.manager)
    page.goto("/#/desk/reports")
    page.get_by_role("heading", name="Evidence pack for inspection").wait_for()
    pack = page.get_by_role("region", name="Evidence pack for inspection")
    status = pack.get_by_role("status")
    pack.get_by_role("link", name="Download evidence pack PDF").click()
    status.get_by_text("Preparing… The evidence pack is waiting its turn.").wait_for()
    assert status.get_attribute("aria-live") == "polite"
    check_a11y(page, "the Reports screen while a PDF is prepared")

    assert db_query(server.app, _run_one) == "done"
    save = status.get_by_role("link", name="Save evidence pack PDF")
    save.wait_for()
    assert "Your evidence pack is ready." in status.inner_text()
    first = save.get_attribute("href")
    fetched = page.request.get(first)
    assert fetched.status == 200
    assert fetched.headers["content-type"] == "application/pdf"
    assert fetched.body()[:5] == b"%PDF-"

    # Nothing changed: asking again is ready at once, with no worker turn.
    pack.get_by_role("link", name="Download evidence pack PDF").click()
    again = status.get_by_role("link", name="Save evidence pack PDF")
    page.wait_for_function(
        "(first) => { const a = document.querySelector("
        "'[aria-labelledby=reports-pack] [role=status] a'); "
        "return a && a.getAttribute('href') !== first; }",
        arg=first,
    )
    assert again.get_attribute("href").endswith("/file")

    # The worker stops: the page makes the governance report itself rather than wait.
    db_query(server.app, _no_worker)
    governance = page.get_by_role("region", name="Monthly governance report")
    governance.get_by_role("link", name="Download PDF").click()
    ready = governance.get_by_role("status")
    ready.get_by_role("link", name="Save governance report PDF").wait_for()
    assert "Your governance report is ready." in ready.inner_text()
