"""The desk's screens (My day, triage, the log, sign-off, conflicts and history, reviews,
reports), saved for the docs like the floor's in test_screenshots.py: into docs/screenshots
under `make screenshots`, a temporary folder otherwise."""

import datetime as dt
import re

import pytest

from tests.support.browser import db_query, log_in, open_entry
from tests.support.myday_screen import a_busy_day
from tests.support.screenshots import hide_toast, shooter, shots_dir

# Not a test of the product: `make screenshots` keeps them, `make screenshots-check` (run by
# `make test`) checks the screens still render; the pytest legs leave this module out.
pytestmark = [pytest.mark.browser, pytest.mark.screenshots]


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
