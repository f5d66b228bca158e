"""The main screens at tablet size (820x1180), saved for the README.

Set CARELOOP_SCREENSHOT_DIR (``make screenshots`` sets it to docs/screenshots) to keep them;
otherwise they go to a temporary folder, so the suite never changes the repository.
The app syncs with the real server: "My actions" is what the server's pull gave it."""

import datetime as dt

import pytest

from tests.support.browser import (
    Desk,
    db_query,
    drop_area,
    go_offline,
    go_online,
    log_in,
    record_finding,
    sync_now,
)
from tests.support.screenshots import hide_toast, shooter, shots_dir
from tests.support.tablet import set_pin, switch_user

# Not a test of the product: `make screenshots` keeps them, `make screenshots-check` (run by
# `make test`) checks the screens still render; the pytest legs leave this module out.
pytestmark = [pytest.mark.browser, pytest.mark.screenshots]


def zoomed_finding_form(browser, server, floor, path):
    """A portrait tablet at 200 % zoom: 410 x 590 CSS pixels, two device pixels each."""
    ctx = browser.new_context(
        viewport={"width": 410, "height": 590}, device_scale_factor=2, base_url=server.url
    )
    try:
        page = ctx.new_page()
        log_in(page, floor.carer)
        page.get_by_label("What did you see?").scroll_into_view_if_needed()
        page.wait_for_timeout(200)
        page.screenshot(path=str(path))
    finally:
        ctx.close()


def triaged_by_the_office(server, floor):
    """The office makes the first finding an entry with an owner and a due date, and
    dismisses the second with a reason; the third is still waiting to be looked at."""
    desk = Desk(server.app, floor.manager)
    found = {f["description"]: f["id"] for f in desk.get("/findings?per_page=100")["items"]}
    made = desk.post(
        "/findings/triage",
        {"finding_ids": [found[STORIES[0]]], "action": "create_entry"},
    )
    entry = desk.get(f"/entries/{made['entry_id']}")
    r = desk.client.patch(
        f"/api/v1/entries/{entry['id']}",
        json={
            "version": entry["version"],
            "decision": "Keep the fire exit by the lounge clear; check it at every handover",
            "owner_id": str(floor.carer["id"]),
            "due_date": (dt.date.today() + dt.timedelta(days=7)).isoformat(),
        },
        headers={"X-CSRF-Token": desk.token},
    )
    assert r.status_code == 200, r.get_json()
    desk.post(
        "/findings/triage",
        {"finding_ids": [found[STORIES[1]]], "action": "dismiss", "reason": "Mopped at handover"},
    )


STORIES = (
    "Wheelchair parked across the fire exit by the lounge.",
    "Tea spilt by the lift and not mopped.",
    "Menu board in the dining room still showed yesterday.",
)


def recorded_story(page, server, floor, shot):
    """What I recorded, after the office has triaged two of three findings."""
    page.get_by_role("link", name="Finding", exact=True).click()
    for seen, risk in zip(STORIES, ("High", "Low", "Low"), strict=True):
        record_finding(page, "Lounge", seen, risk, "No")
    assert sync_now(page)["problem"] is None
    triaged_by_the_office(server, floor)
    page.get_by_role("link", name="Recorded").click()
    page.get_by_role("heading", name="What I recorded").wait_for()
    sync_now(page)
    page.get_by_text("Made into the entry", exact=False).wait_for()
    hide_toast(page)
    shot("14-recorded-story")


def test_main_screens(browser, page, context, server, floor, tmp_path):
    out = shots_dir(tmp_path)
    shot = shooter(page, out)

    page.goto("/")
    page.get_by_role("heading", name="Log in to Careloop").wait_for()
    shot("01-login")
    log_in(page, floor.carer)
    page.locator("#status-strip").filter(has_text="last synced today").wait_for()
    shot("02-finding")
    page.get_by_role("link", name="Feedback").click()
    page.get_by_role("heading", name="Record feedback").wait_for()
    shot("03-feedback")
    page.get_by_role("link", name="My actions").click()
    page.get_by_role("link", name="check call bell response times", exact=False).wait_for()
    shot("04-my-actions")
    page.get_by_role("link", name="check call bell response times", exact=False).click()
    page.get_by_role("heading", name="Notes").wait_for()
    shot("05-action")
    recorded_story(page, server, floor, shot)
    zoomed_finding_form(browser, server, floor, out / "10-zoom-200.png")
    go_offline(context, server)
    page.get_by_role("link", name="Finding", exact=True).click()
    record_finding(page, "Lounge", "Call bell rang for six minutes.", "High", "Yes")
    hide_toast(page)
    shot("06-offline-finding")
    page.locator("#status-strip").click()
    page.get_by_role("dialog").wait_for()
    shot("07-status")
    page.set_viewport_size({"width": 1180, "height": 820})
    page.get_by_role("button", name="Close").click()
    shot("08-landscape")
    page.set_viewport_size({"width": 390, "height": 844})
    shot("09-phone")


def test_shared_tablet_screens(page, floor, tmp_path):
    out = shots_dir(tmp_path)
    shot = shooter(page, out)

    log_in(page, floor.other)
    set_pin(page, "1397")
    switch_user(page)
    log_in(page, floor.carer)
    page.get_by_role("region", name="Set a PIN for this tablet").wait_for()
    shot("11-set-a-pin")
    set_pin(page, "2580")
    switch_user(page)
    hide_toast(page)
    shot("12-who-is-recording")
    page.get_by_role("button", name="Sam Carer", exact=True).click()
    page.get_by_label("Your PIN").fill("1397")
    page.get_by_role("button", name="Unlock").click()
    page.get_by_role("alert").filter(has_text="That PIN is not right.").wait_for()
    shot("13-pin")


def test_floor_states(page, context, server, floor, tmp_path):
    """The strip green, amber and red (with its banner), and feedback that may be a
    safeguarding concern, with the service's own steps."""
    from server.providers.models import Service

    out = shots_dir(tmp_path)
    shot = shooter(page, out)

    def change_service(db):
        service = db.session.get(Service, floor.service_id)
        service.safeguarding_steps = (
            "Make sure the person is safe now.\n"
            "Tell the senior on shift straight away.\n"
            "Phone the safeguarding lead on 0100 000 000 the same day."
        )
        db.session.commit()

    db_query(server.app, change_service)
    log_in(page, floor.carer)
    strip = page.locator("#status-strip")
    strip.filter(has_text="last synced today").wait_for()
    shot("15-strip-green")

    page.get_by_role("link", name="Feedback").click()
    page.get_by_role("group", name="Who gave the feedback?").get_by_text(
        "Relative or friend"
    ).click()
    page.get_by_label("What they said").fill("Dad says a night carer shouted at him.")
    page.get_by_role("group", name="How did it sound overall?").get_by_text("Negative").click()
    page.get_by_label("This may be a safeguarding concern").check()
    page.get_by_role("region", name="Safeguarding: what to do now").wait_for()
    page.get_by_role("group", name="How did it sound overall?").scroll_into_view_if_needed()
    page.wait_for_timeout(200)
    page.screenshot(path=str(out / "18-feedback-safeguarding.png"))

    page.get_by_role("link", name="Finding", exact=True).click()
    go_offline(context, server)
    record_finding(page, "Garden", "Gate latch broken; the gate swings open.", "Medium", "Yes")
    strip.filter(has_text="1 waiting to send").wait_for()
    hide_toast(page)
    shot("16-strip-amber")

    drop_area(server, floor, "Garden")
    go_online(context, server)
    page.get_by_role("alert").filter(has_text="not accepted by the office").wait_for(timeout=20_000)
    shot("17-strip-red")
