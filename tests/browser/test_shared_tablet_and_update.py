"""Scenario (e): a shared tablet keeps each user's queue apart (each sent under its own
person's name, whoever is signed in); scenario (d): a new release
is offered and taken without losing a half-typed form."""

import re
import urllib.request
import uuid

import pytest

from tests.support.browser import (
    check_a11y,
    db_query,
    log_in,
    record_finding,
    sync_now,
    wait_for_service_worker,
)

pytestmark = pytest.mark.browser

HELD = """async () => {
  const { getDB } = await import('/js/db.js');
  const db = await getDB();
  const records = await db.getAll('records');
  return {
    outbox: (await db.getAll('outbox')).map((i) => i.userId),
    records: records.map((r) => [r.userId, r.entityType, Boolean(r.pending)]),
  };
}"""


def served_version(server) -> str:
    """Return the cache version the server writes into the service worker it serves."""
    with urllib.request.urlopen(f"{server.url}/sw.js") as response:
        body = response.read().decode()
    return re.search(r'"VERSION": "(careloop-shell-[0-9a-f]+)"', body).group(1)


def findings_of(app, user_id):
    from server.findings.models import Finding

    def descriptions(db):
        mine = Finding.recorded_by == uuid.UUID(str(user_id))
        return db.session.scalars(db.select(Finding.description).where(mine)).all()

    return db_query(app, descriptions)


def test_user_switch_keeps_queues_and_copies_apart(page, context, server, floor):
    sam, alex = str(floor.carer["id"]), str(floor.other["id"])
    log_in(page, floor.carer)
    page.get_by_role("link", name="My actions").click()
    page.get_by_role("link", name="check call bell response times", exact=False).wait_for()
    # Sam's finding cannot be sent yet: the sync endpoints are out of reach.
    context.route(f"{server.url}/api/v1/sync/**", lambda route: route.abort())
    page.get_by_role("link", name="Finding", exact=True).click()
    record_finding(page, "Lounge", "Sam's finding: call bell not answered.", "High", "Yes")
    page.locator("#status-strip").filter(has_text="1 waiting to send").wait_for()

    page.get_by_role("button", name="Switch user").click()
    page.get_by_role("heading", name="Who is recording?").wait_for()
    check_a11y(page, "Who is recording?")
    # Switching locks: Sam's unsent work and her copies stay, apart, for her PIN to open
    # again (signing out of the tablet clears the copies: tests/browser/test_tablet_pin.py).
    assert page.evaluate(HELD) == {
        "outbox": [sam],
        "records": [[sam, "finding", True], [sam, "log_entry", False]],
    }

    context.unroute(f"{server.url}/api/v1/sync/**")
    log_in(page, floor.other)
    page.locator("#status-strip").filter(has_text="nothing waiting").wait_for()
    assert sync_now(page)["problem"] is None
    page.get_by_role("link", name="Recorded").click()
    page.get_by_text("Nothing recorded on this tablet yet.").wait_for()
    assert page.get_by_text("Sam's finding", exact=False).count() == 0
    page.get_by_role("link", name="My actions").click()
    page.get_by_text("You have no open actions on this tablet.", exact=False).wait_for()
    # Sam's queue went while Alex was signed in, under Sam's own credential and name
    # (tests/browser/test_device_credential.py); Alex never saw it.
    assert page.evaluate(HELD)["outbox"] == []
    assert findings_of(server.app, sam) == ["Sam's finding: call bell not answered."]
    assert findings_of(server.app, alex) == []

    page.get_by_role("button", name="Switch user").click()
    page.get_by_role("heading", name="Who is recording?").wait_for()
    log_in(page, floor.carer)
    page.locator("#status-strip").filter(has_text="nothing waiting").wait_for()
    assert findings_of(server.app, sam) == ["Sam's finding: call bell not answered."]
    page.get_by_role("link", name="Recorded").click()
    page.get_by_text("Sam's finding: call bell not answered.").wait_for()
    page.get_by_role("link", name="My actions").click()
    page.get_by_role("link", name="check call bell response times", exact=False).wait_for()


def test_new_release_is_offered_and_taken(page, context, server, floor, pwa_root):
    log_in(page, floor.carer)
    wait_for_service_worker(page)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.get_by_label("What did you see?").fill("Half-typed when the update came")

    old_version = served_version(server)
    # A release is a changed shell file; nobody bumps a version by hand.
    ui = pwa_root / "js" / "ui.js"
    ui.write_text(ui.read_text() + "\n// the next release\n")
    new_version = served_version(server)
    assert new_version != old_version
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    button = page.get_by_role("button", name="Update ready — reload")
    button.wait_for()
    # Offered, never forced: the form is still there, as typed.
    assert page.get_by_label("What did you see?").input_value() == "Half-typed when the update came"
    with page.expect_event("load"):
        button.click()
    page.get_by_role("heading", name="Record a walkaround finding").wait_for()
    assert page.get_by_label("What did you see?").input_value() == "Half-typed when the update came"
    assert page.evaluate("caches.keys()") == [new_version]
    assert page.get_by_role("button", name="Update ready — reload").is_hidden()
