"""Scenario (a): log in, go offline for real, record three findings and one feedback,
reload while offline: everything is still there and the app works; back online it syncs,
each record exactly once in the server's database. And a session and a tablet's sync
credential that expire while offline: capture goes on, the outbox waits, and it is sent
after the user logs in again."""

import uuid

import pytest
from playwright.sync_api import expect

from tests.support.browser import (
    check_a11y,
    db_query,
    go_offline,
    go_online,
    log_in,
    record_finding,
    sync_now,
    wait_for_service_worker,
)

pytestmark = pytest.mark.browser

FINDINGS = [
    ("Lounge", "Call bell in the lounge rang for six minutes before anyone came.", "High", "Yes"),
    ("Dining room", "Two people waited 20 minutes for lunch to be served.", "Medium", "Yes"),
    ("Medication room", "Fridge temperature chart not filled in since Tuesday.", "Medium", "No"),
]


def record_feedback(page):
    page.get_by_role("link", name="Feedback").click()
    page.get_by_role("heading", name="Record feedback").wait_for()
    page.get_by_role("group", name="Who gave the feedback?").get_by_text("Relative").click()
    page.get_by_label("Question asked").select_option("vis-1")
    page.get_by_label("What they said").fill("Yes, the deputy was on the floor at lunch.")
    page.get_by_role("group", name="How did it sound overall?").get_by_text("Positive").click()
    page.get_by_label("Area or routine").select_option("Lunchtime")
    page.get_by_role("group", name="Is follow-up needed?").get_by_text("No", exact=True).click()
    page.get_by_role("button", name="Save feedback").click()
    expect(page.get_by_label("What they said")).to_have_value("")
    page.get_by_role("status").filter(has_text="Feedback saved.").wait_for()


def capture_offline_and_reload(page, context, server, floor):
    """Log in, go offline, record three findings and one feedback, reload while offline."""
    log_in(page, floor.carer)
    wait_for_service_worker(page)
    check_a11y(page, "the finding form")
    before = len(server.requests())

    tried = go_offline(context, server)
    for finding in FINDINGS:
        record_finding(page, *finding)
    record_feedback(page)
    check_a11y(page, "the feedback form")
    page.get_by_role("link", name="Visibility check").click()
    page.get_by_role("heading", name="Record a visibility check").wait_for()
    check_a11y(page, "the visibility check form")

    # Half-typed work survives the reload as a draft.
    page.get_by_label("What did you see of leaders on the floor?").fill(
        "Deputy in the dining room at"
    )
    page.wait_for_timeout(400)
    page.reload()
    page.get_by_role("heading", name="Record a visibility check").wait_for()
    assert page.get_by_label("What did you see of leaders on the floor?").input_value() == (
        "Deputy in the dining room at"
    )
    strip = page.locator("#status-strip")
    strip.filter(has_text="4 waiting to send").wait_for()
    assert "Offline" in strip.inner_text()

    page.get_by_role("link", name="Recorded").click()
    cards = page.locator("li.finding")
    cards.first.wait_for()
    assert cards.count() == 4
    for _, seen, _, _ in FINDINGS:
        assert page.get_by_text(seen).count() == 1
    assert page.get_by_text("Waiting to send", exact=True).count() == 4
    check_a11y(page, "the recorded list")

    # The app still works offline after the reload: my actions are readable.
    page.get_by_role("link", name="My actions").click()
    page.get_by_role("link", name="check call bell response times", exact=False).click()
    page.get_by_role("heading", name="Notes").wait_for()
    check_a11y(page, "an action")
    strip.click()
    page.get_by_role("dialog").wait_for()
    check_a11y(page, "the status explanation")
    page.get_by_role("button", name="Close").click()

    assert len(server.requests()) == before, "a request reached the server while offline"
    return tried


def test_offline_capture_reload_and_back_online_each_record_exactly_once(
    page, context, server, floor
):
    capture_offline_and_reload(page, context, server, floor)
    assert_findings_in_database(server.app, floor, expected=0)
    go_online(context, server)
    # The app's own triggers (the `online` event) send the outbox: nobody presses anything.
    page.locator("#status-strip").filter(has_text="nothing waiting").wait_for(timeout=20_000)
    assert_findings_in_database(server.app, floor, expected=len(FINDINGS) + 1)
    page.get_by_role("link", name="Recorded").click()
    page.get_by_text("Sent to the office", exact=True).nth(3).wait_for()
    assert page.get_by_text("Waiting to send", exact=True).count() == 0
    # A second sync (a retry, a reload) changes nothing.
    page.reload()
    page.locator("#status-strip").filter(has_text="last synced today").wait_for(timeout=20_000)
    assert sync_now(page)["problem"] is None
    assert_findings_in_database(server.app, floor, expected=len(FINDINGS) + 1)


def test_session_expired_offline_capture_goes_on_and_pushes_after_login(
    page, context, server, floor
):
    log_in(page, floor.carer)
    wait_for_service_worker(page)
    go_offline(context, server)
    context.clear_cookies()  # the server session is gone (expired) while the tablet is away
    idle_too_long(server.app, floor)  # and the tablet's sync credential has expired too
    record_finding(page, *FINDINGS[0])
    strip = page.locator("#status-strip")
    strip.filter(has_text="1 waiting to send").wait_for()

    go_online(context, server)
    strip.filter(has_text="not sent").wait_for(timeout=20_000)
    assert "1 waiting to send" in strip.inner_text()
    assert_findings_in_database(server.app, floor, expected=0)
    # Capture still works while signed out on the server.
    record_finding(page, *FINDINGS[1])
    strip.filter(has_text="2 waiting to send").wait_for()

    strip.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("You are signed out on the server.", exact=False).wait_for()
    check_a11y(page, "the status dialog, signed out")
    dialog.get_by_role("button", name="Log in again").click()
    page.get_by_role("heading", name="Log in to Careloop").wait_for()
    assert page.get_by_label("Email address").input_value() == floor.carer["email"]
    page.get_by_label("Password").fill(floor.carer["password"])
    page.get_by_role("button", name="Log in", exact=True).click()
    strip.filter(has_text="nothing waiting").wait_for(timeout=20_000)
    assert_findings_in_database(server.app, floor, expected=2)
    assert "not sent" not in strip.inner_text()


def idle_too_long(app, floor):
    """The person's device credential last synced longer ago than the provider allows."""
    from datetime import timedelta

    from server.accounts.session_models import UserSession
    from server.common.types import utcnow

    def age(db):
        for record in db.session.scalars(
            db.select(UserSession).where(
                UserSession.kind == "device_credential",
                UserSession.user_id == uuid.UUID(str(floor.carer["id"])),
            )
        ):
            record.last_seen_at = utcnow() - timedelta(days=90)
        db.session.commit()

    db_query(app, age)


def assert_findings_in_database(app, floor, expected):
    from server.findings.models import Finding

    def rows(db):
        found = db.session.scalars(
            db.select(Finding).where(Finding.recorded_by == uuid.UUID(str(floor.carer["id"])))
        ).all()
        return sorted(r.description for r in found)

    descriptions = db_query(app, rows)
    assert len(descriptions) == expected, descriptions
    assert len(set(descriptions)) == expected, descriptions
