"""The status strip means one thing: green, everything is sent; amber, work is waiting (how
much, since when); red, work cannot be sent, with a banner naming the one action to take.
Toasts sit below it, never on it."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import (
    check_a11y,
    db_query,
    drop_area,
    go_offline,
    go_online,
    log_in,
    record_finding,
    sync_now,
)

pytestmark = pytest.mark.browser

# Every waiting change of the signed-in person, queued two hours ago.
AGE_THE_QUEUE = """async () => {
  const db = await import('/js/db.js');
  const sync = await import('/js/sync.js');
  const conn = await db.getDB();
  const tx = conn.transaction('outbox', 'readwrite');
  const twoHoursAgo = new Date(Date.now() - 2 * 3600 * 1000 - 60 * 1000).toISOString();
  for (const item of await tx.store.getAll()) await tx.store.put({ ...item, queuedAt: twoHoursAgo });
  await tx.done;
  await sync.refreshCounts();
}"""


def strip_colour(page):
    return page.locator("#status-strip").get_attribute("data-status")


def below_the_strip(page):
    """The toast is on screen and entirely below the strip and its banner."""
    toast = page.locator("#toast").bounding_box()
    area = page.locator("#status-area").bounding_box()
    assert toast and area and toast["y"] >= area["y"] + area["height"], (toast, area)


def test_green_then_amber_with_the_count_and_the_age_of_the_oldest(page, context, server, floor):
    log_in(page, floor.carer)
    strip = page.locator("#status-strip")
    strip.filter(has_text="last synced today").wait_for()
    expect(strip).to_have_attribute("data-status", "green")
    assert "nothing waiting" in strip.inner_text()
    assert "storage" not in strip.inner_text()  # in the details, not a warning
    expect(page.locator("#status-banner")).to_be_hidden()
    record_finding(page, "Lounge", "Call bell rang for six minutes.", "High", "Yes")
    page.get_by_role("status").filter(has_text="Saved. Sending now.").wait_for()
    below_the_strip(page)
    strip.filter(has_text="nothing waiting").wait_for()
    expect(strip).to_have_attribute("data-status", "green")

    go_offline(context, server)
    record_finding(page, "Lounge", "Gate latch broken; the gate swings open.", "Medium", "Yes")
    strip.filter(has_text="1 waiting to send, oldest just now").wait_for()
    expect(strip).to_have_attribute("data-status", "amber")
    expect(page.locator("#status-banner")).to_be_hidden()
    page.evaluate(AGE_THE_QUEUE)
    strip.filter(has_text="1 waiting to send, oldest 2 hours ago").wait_for()
    text = strip.inner_text()
    assert "nothing waiting" not in text and "not sent" not in text, text
    check_a11y(page, "the amber strip")

    go_online(context, server)
    assert sync_now(page)["waiting"] == 0
    strip.filter(has_text="nothing waiting").wait_for()
    expect(strip).to_have_attribute("data-status", "green")


def test_red_with_a_banner_when_the_office_refuses(page, context, server, floor):

    log_in(page, floor.carer)
    go_offline(context, server)
    record_finding(page, "Garden", "Gate latch broken; the gate swings open.", "Medium", "Yes")

    drop_area(server, floor, "Garden")
    go_online(context, server)
    sync_now(page)
    banner = page.get_by_role("alert").filter(has_text="not accepted by the office")
    banner.wait_for()
    assert banner.inner_text().startswith("1 record was not accepted by the office.")
    expect(page.locator("#status-strip")).to_have_attribute("data-status", "red")
    check_a11y(page, "the red strip and its banner")
    banner.get_by_role("button", name="See what to fix").click()
    page.get_by_role("dialog").get_by_text("Not accepted by the office").wait_for()


def test_red_with_a_banner_when_the_tablet_is_switched_off(page, server, floor):
    from server.common.types import utcnow
    from server.syncing.models import Device

    log_in(page, floor.carer)
    page.locator("#status-strip").filter(has_text="last synced today").wait_for()

    def switch_off(db):
        for device in db.session.scalars(db.select(Device)):
            device.revoked_at = utcnow()
        db.session.commit()

    db_query(server.app, switch_off)
    record_finding(page, "Lounge", "Call bell rang for six minutes.", "High", "Yes")
    sync_now(page)
    strip = page.locator("#status-strip")
    strip.filter(has_text="not sent: ask your manager").wait_for()
    assert "1 waiting to send" in strip.inner_text()
    expect(strip).to_have_attribute("data-status", "red")
    banner = page.get_by_role("alert").filter(has_text="switched off for your account")
    expect(banner).to_be_visible()
    expect(banner.get_by_role("button")).to_have_text("What to do")
    banner.get_by_role("button").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Ask your manager", exact=False).first.wait_for()
    # The details say the same as the banner, never "sent automatically".
    assert "sent to the office automatically" not in dialog.inner_text()
