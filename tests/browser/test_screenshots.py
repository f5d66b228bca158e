"""The main screens at tablet size (820x1180), saved for the README.

Set CARELOOP_SCREENSHOT_DIR (``make screenshots`` sets it to docs/screenshots) to keep them;
otherwise they go to a temporary folder, so the suite never changes the repository.
The app syncs with the real server: "My actions" is what the server's pull gave it."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.browser import (
    Desk,
    db_query,
    drop_area,
    go_offline,
    go_online,
    log_in,
    open_entry,
    record_finding,
    sync_now,
)
from tests.support.myday_screen import a_busy_day
from tests.support.tablet import set_pin, switch_user

# Not a test of the product: `make screenshots` keeps them, `make screenshots-check` (run by
# `make test`) checks the screens still render; the pytest legs leave this module out.
pytestmark = [pytest.mark.browser, pytest.mark.screenshots]


def shots_dir(tmp_path) -> Path:
    """docs/screenshots under `make screenshots`; a temporary folder otherwise."""
    out = Path(os.environ.get("CARELOOP_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    return out


def shooter(page, out):
    """``shot(name)``: the page from its top, saved as ``out/name.png``."""

    def shot(name):
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(200)
        page.screenshot(path=str(out / f"{name}.png"))

    return shot


def hide_toast(page):
    """Take the last short message off the screen now, rather than wait its 4 seconds."""
    page.evaluate("document.getElementById('toast').classList.remove('show')")
    expect(page.locator("#toast")).to_be_hidden()


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


def test_statements_at_triage_and_a_pack_for_one_statement(desk, server, floor, tmp_path):
    """Triage with a suggested quality statement and why (desk-triage-statements), and the
    first page of a pack made for one statement, routine actions in a table (evidence-pack)."""
    from tests.support.pack_statements import (
        load_both_frameworks,
        medicines_entries,
        record_medication_finding,
    )

    out = shots_dir(tmp_path)
    load_both_frameworks(server.app)
    medicines_entries(server.app, floor)
    record_medication_finding(server.app, floor)
    page = desk()
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, floor.manager)
    page.goto("/#/desk/inbox")
    page.get_by_role("checkbox", name="MAR chart not signed").check()
    suggested = page.get_by_role("checkbox", name=re.compile(r"^S8 Medicines optimisation Sugg"))
    suggested.check()
    page.get_by_text("Chosen: S8.").wait_for()
    page.locator(".statement-picker").evaluate("el => el.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(200)
    page.screenshot(path=str(out / "desk-triage-statements.png"))

    today = dt.date.today()
    pack = page
    pack.set_viewport_size({"width": 880, "height": 1660})
    pack.goto(
        f"/api/v1/reports/evidence-pack.html?service_id={floor.service_id}"
        f"&from={today - dt.timedelta(days=90)}&to={today}&statement_ids=saf-2023:S8"
    )
    pack.get_by_text("Quality statements chosen: S8 Medicines optimisation").wait_for()
    pack.emulate_media(media="print")
    pack.screenshot(path=str(out / "evidence-pack.png"))


def test_my_day_screen(browser, server, floor, live_app, tmp_path):
    """docs/screenshots/my-day.png: the registered manager's My day at 1366x768, every
    count a tile, the menu's badge, Oversight in the menu."""
    a_busy_day(live_app, floor)
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=server.url)
    try:
        page = ctx.new_page()
        log_in(page, floor.manager)
        page.get_by_role("link", name="My day, 6 waiting").wait_for()
        page.get_by_role("button", name="Not now").click()  # the PIN offer, answered
        page.get_by_role("list", name="Today at a glance").wait_for()
        shooter(page, shots_dir(tmp_path))("my-day")
    finally:
        ctx.close()


def test_conflicts_and_history_in_words(browser, server, floor, tmp_path):
    """The desk's conflicts queue with one conflict of each kind, and an entry's history
    with an event of every type, at 1366x768."""
    from tests.support.conflict_kinds import make_every_event, make_every_kind

    out = shots_dir(tmp_path)
    ids = make_every_kind(server.app, floor)
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=server.url)
    try:
        page = ctx.new_page()
        log_in(page, floor.manager)
        page.get_by_role("link", name="Conflicts").click()
        page.locator(".desk-conflict").nth(3).wait_for()
        page.locator(".desk-conflict").nth(3).scroll_into_view_if_needed()
        page.wait_for_timeout(200)
        page.screenshot(path=str(out / "desk-conflicts.png"))

        make_every_event(server.app, floor, ids)
        page.goto(f"/#/desk/log/{ids['entry']}")
        history = page.locator(".desk-timeline")
        history.get_by_text("handed it over to a new owner", exact=False).wait_for()
        conflict = history.locator(":scope > li").filter(has_text="arrived too late")
        conflict.evaluate("li => { li.scrollIntoView(); window.scrollBy(0, -70); }")
        page.wait_for_timeout(200)
        page.screenshot(path=str(out / "desk-entry-history.png"))
    finally:
        ctx.close()


REVIEWED = [
    (
        "Fluid charts blank after 6pm on the first floor.",
        "Senior carer checks every fluid chart at 20:00 daily and records any gaps.",
        "high",
        -2,
    ),
    (
        "Call bells out of reach in three bedrooms.",
        "Sam Carer checks every call bell on each bedroom round, twice a day for two weeks.",
        "medium",
        5,
    ),
    (
        "Daughter of Room 9, JB asked twice about the dentist referral.",
        "Key worker puts every referral in the diary the same day and rings the family back.",
        "medium",
        3,
    ),
    (
        "Menu board in the dining room out of date.",
        "Sam Carer updates the menu board before breakfast daily.",
        "low",
        7,
    ),
]


def test_review_page_screen(desk, live_app, floor, tmp_path):
    """The review page at 1024x768: what needs deciding first (docs/screenshots/desk-reviews)."""
    from server.accounts.models import User
    from server.providers.models import Service

    def make(db):
        manager = db.session.get(User, floor.manager["id"])
        home = db.session.get(Service, floor.service_id)
        for concern, decision, risk, due_in in REVIEWED:
            entry = open_entry(
                manager,
                home,
                floor.carer["id"],
                concern=concern,
                decision=decision,
                evidence_needed="A week of records, checked by the deputy manager.",
                interim_controls="Night senior checks at 22:00." if risk == "high" else "",
            )
            entry.risk, entry.due_date = risk, dt.date.today() + dt.timedelta(days=due_in)
        db.session.commit()

    db_query(live_app, make)
    page = desk()
    log_in(page, floor.manager)
    page.get_by_role("button", name="Not now").click()
    page.get_by_role("link", name="Reviews", exact=True).click()
    page.get_by_role("region", name="What needs deciding").wait_for()
    shooter(page, shots_dir(tmp_path))("desk-reviews")


def test_log_filters_folded_at_1024(desk, server, floor, tmp_path):
    """The log at 1024x768 reached from an oversight count: its filters folded behind one
    button, what is in use said beside it, the entries on the screen."""
    from tests.support.figures import slipping_home

    out = shots_dir(tmp_path)
    page = desk()
    log_in(page, slipping_home(server.app, floor))
    page.get_by_role("button", name="Not now").click()  # no PIN for this tablet
    page.goto("/#/desk/log?service_id=all&figure=overdue")
    page.get_by_role("button", name="Filters (1)").wait_for()
    page.locator(".desk-row").first.wait_for()
    shooter(page, out)("desk-log-filters-1024")


def test_desk_sign_off(browser, server, floor, tmp_path):
    """The sign-off panel of a high-risk entry from a safeguarding concern, refused with its
    reasons, at 1366x768 (the panel in view)."""
    from tests.support.browser import make_provider_user
    from tests.support.signoff import waiting_for_sign_off

    out = shots_dir(tmp_path)
    entry_id = waiting_for_sign_off(server.app, floor)
    lead = make_provider_user(
        server.app, floor, "nominated_individual", "Nina Lead", "nina@example.test"
    )
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=server.url)
    try:
        page = ctx.new_page()
        log_in(page, lead)
        page.goto(f"/#/desk/log/{entry_id}")
        panel = page.locator(".desk-sign-off")
        panel.locator(".desk-sign-off-refusals").wait_for()
        page.get_by_role("button", name="Not now").click()
        hide_toast(page)
        # The panel's top just below the sticky bars: the reasons, the facts, the buttons.
        page.evaluate(
            "() => { const p = document.querySelector('.desk-sign-off');"
            " const bars = document.querySelector('#status-strip').getBoundingClientRect().bottom;"
            " window.scrollBy(0, p.getBoundingClientRect().top - bars - 12); }"
        )
        page.wait_for_timeout(200)
        page.screenshot(path=str(out / "desk-sign-off.png"))
    finally:
        ctx.close()


def test_governance_report_page(page, server, floor, tmp_path):
    """The month's governance report as a registered manager opens it: the figures with
    their dates, an overdue entry with no interim controls counted in the early warnings
    as at the same day, and the appendix of decisions with who moved each entry along."""
    from server.log.models import LogEntry

    out = shots_dir(tmp_path)
    today = dt.date.today()

    def add_entries(db):
        base = {
            "service_id": floor.service_id,
            "source": "audit",
            "owner_id": floor.carer["id"],
            "created_by": floor.manager["id"],
            "evidence_needed": "Records audit",
            "opened_at": dt.datetime.now(dt.UTC) - dt.timedelta(hours=2),
            "created_at": dt.datetime.now(dt.UTC) - dt.timedelta(days=3),
        }
        db.session.add(
            LogEntry(
                **base,
                concern="Fluid charts not totalled at 6pm",
                decision="Senior carer totals fluid charts at 6pm daily",
                status="in_progress",
                risk="medium",
                due_date=today - dt.timedelta(days=1),
                original_due_date=today - dt.timedelta(days=1),
            )
        )
        db.session.add(
            LogEntry(
                **base,
                concern="Bed rails not checked on night shift",
                decision="Night senior checks bed rails at 2am and signs the chart",
                status="in_progress",
                risk="high",
                interim_controls="Nurse in charge checks the rails at handover",
                escalation_decision="escalated",
                escalation_reason="Provider quality lead informed the same day",
                escalation_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
                due_date=today + dt.timedelta(days=6),
                original_due_date=today + dt.timedelta(days=6),
            )
        )
        db.session.commit()

    db_query(server.app, add_entries)
    log_in(page, floor.manager)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"/api/v1/reports/governance.html?month={today:%Y-%m}")
    page.get_by_role("heading", name="The month in figures").wait_for()
    page.get_by_text("Past due, waiting for check or sign-off", exact=True).wait_for()
    page.get_by_role("heading", name=re.compile("^Appendix: every decision")).wait_for()
    page.screenshot(path=str(out / "report-governance.png"))


def test_report_preparing(page, server, floor, tmp_path):
    """A PDF being prepared in the background: "Preparing…" under the report's links."""
    from server.jobs import queue

    out = shots_dir(tmp_path)
    shot = shooter(page, out)
    db_query(server.app, lambda db: queue.heartbeat("screenshot-worker"))  # it never runs
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, floor.manager)
    page.get_by_role("button", name="Not now").click()  # the PIN offer, not this screen's
    page.goto("/#/desk/reports")
    governance = page.get_by_role("region", name="Monthly governance report")
    governance.get_by_role("link", name="Download PDF").click()
    governance.get_by_role("status").get_by_text(
        "Preparing… The governance report is waiting its turn."
    ).wait_for()
    shot("desk-report-preparing")
