"""Scenario (e): a shared tablet keeps each user's queue apart; scenario (d): a new release
is offered and taken without losing a half-typed form."""

import pytest

from tests.browser.conftest import check_a11y, log_in, wait_for_service_worker
from tests.browser.test_offline_capture import record_finding

pytestmark = pytest.mark.browser

OUTBOX_OWNERS = """async () => {
  const { getDB } = await import('/js/db.js');
  const items = await (await getDB()).getAll('outbox');
  return items.map((i) => i.userId);
}"""


def test_user_switch_keeps_queues_apart(page, context, server, floor):
    # Nothing reaches the sync endpoints here, so each queue stays on the tablet.
    context.route(f"{server.url}/api/v1/sync/**", lambda route: route.abort())
    log_in(page, floor.carer)
    record_finding(page, "Lounge", "Sam's finding: call bell not answered.", "High", "Yes")
    page.locator("#status-strip").filter(has_text="1 waiting to send").wait_for()

    page.get_by_role("button", name="Switch user").click()
    page.get_by_role("heading", name="Log in to Careloop").wait_for()
    check_a11y(page, "the login screen")
    log_in(page, floor.other)
    page.locator("#status-strip").filter(has_text="nothing waiting").wait_for()
    page.get_by_role("link", name="Recorded").click()
    page.get_by_text("Nothing recorded on this tablet yet.").wait_for()
    assert page.get_by_text("Sam's finding", exact=False).count() == 0
    assert page.evaluate(OUTBOX_OWNERS) == [str(floor.carer["id"])]

    page.get_by_role("button", name="Switch user").click()
    page.get_by_role("heading", name="Log in to Careloop").wait_for()
    log_in(page, floor.carer)
    page.locator("#status-strip").filter(has_text="1 waiting to send").wait_for()
    page.get_by_role("link", name="Recorded").click()
    page.get_by_text("Sam's finding: call bell not answered.").wait_for()


def test_new_release_is_offered_and_taken(page, context, server, floor, pwa_root):
    log_in(page, floor.carer)
    wait_for_service_worker(page)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.get_by_label("What did you see?").fill("Half-typed when the update came")

    sw = pwa_root / "sw.js"
    sw.write_text(sw.read_text().replace("careloop-shell-v1", "careloop-shell-v2"))
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    button = page.get_by_role("button", name="Update ready — reload")
    button.wait_for()
    # Offered, never forced: the form is still there, as typed.
    assert page.get_by_label("What did you see?").input_value() == "Half-typed when the update came"
    with page.expect_event("load"):
        button.click()
    page.get_by_role("heading", name="Record a walkaround finding").wait_for()
    assert page.get_by_label("What did you see?").input_value() == "Half-typed when the update came"
    assert page.evaluate("caches.keys()") == ["careloop-shell-v2"]
    assert page.get_by_role("button", name="Update ready — reload").is_hidden()
