"""The provider oversight dashboard in Chromium: a nominated individual sees the services
ranked worst first, their counts, an early warning's reason in words, the review cadence
and a measure's chart that really loaded; axe-core runs on the screen. A 1024x768
screenshot goes to CARELOOP_SCREENSHOT_DIR (docs/screenshots) if set."""

import datetime as dt
import os
from pathlib import Path

import pytest

from tests.support.browser import PASSWORD, check_a11y, db_query

pytestmark = pytest.mark.browser

TABLET_LANDSCAPE = {"width": 1024, "height": 768}


def beech_court(app, floor):
    """A second service whose grip is slipping, with a measure; and a nominated individual."""
    from seed import factories as f
    from server.log.models import LogEntry
    from server.measures.models import ImprovementMeasure
    from server.providers.models import Provider

    def make(db):
        provider = db.session.get(Provider, floor.provider_id)
        beech = f.make_service(provider, "Beech Court")
        ni = f.make_user(
            provider,
            "nominated_individual",
            None,
            name="Kate Williams",
            email="kate.ni@example.test",
        )
        today = dt.date.today()
        base = {
            "service_id": beech.id,
            "source": "audit",
            "owner_id": ni.id,
            "created_by": ni.id,
            "evidence_needed": "Audit",
            "risk": "medium",
        }
        db.session.add(
            LogEntry(
                **base,
                concern="Fluid charts not totalled",
                decision="Kate totals fluid charts at 6pm daily",
                status="open",
                due_date=today - dt.timedelta(days=4),
                original_due_date=today - dt.timedelta(days=4),
            )
        )
        # Follow-ups done in the last two weeks: 1 of 2 on time, then 3 of 4 (and the
        # overdue one above makes it 3 of 5).
        for days_ago, late in ((13, 0), (12, 2), (6, 0), (5, 0), (4, 0), (3, 2)):
            due = today - dt.timedelta(days=days_ago)
            db.session.add(
                LogEntry(
                    **base,
                    concern="Handover gaps",
                    decision="Kate audits handover notes",
                    status="awaiting_check",
                    due_date=due,
                    original_due_date=due,
                    interim_controls="Spot checks",
                    completed_on=due + dt.timedelta(days=late),
                )
            )
        db.session.add(
            ImprovementMeasure(
                service_id=beech.id,
                name="90% of follow-ups completed within timescale",
                metric="follow_ups_within_timescale",
                baseline=60.0,
                target=90.0,
                start_date=today - dt.timedelta(days=14),
                deadline=today + dt.timedelta(days=28),
                created_by=ni.id,
            )
        )
        db.session.commit()
        return {"email": ni.email, "password": PASSWORD}

    return db_query(app, make)


def test_the_nominated_individual_sees_where_grip_is_slipping(page, live_app, floor, tmp_path):
    ni = beech_court(live_app, floor)
    page.set_viewport_size(TABLET_LANDSCAPE)
    page.goto("/")
    page.get_by_label("Email address").fill(ni["email"])
    page.get_by_label("Password").fill(ni["password"])
    page.get_by_role("button", name="Log in", exact=True).click()
    page.get_by_role("link", name="Oversight", exact=True).click()
    page.get_by_role("heading", name="Provider oversight").wait_for()

    cards = page.locator(".ovs-service")
    cards.first.wait_for()
    assert cards.count() == 2
    beech, ashdown = cards.nth(0), cards.nth(1)
    assert beech.get_by_role("heading", level=2).inner_text().startswith("1. Beech Court")
    assert ashdown.get_by_role("heading", level=2).inner_text().startswith("2. Ashdown House")
    assert beech.get_by_role("link", name="1 overdue").is_visible()
    assert ashdown.get_by_role("link", name="1 open").is_visible()
    assert "1 overdue entry has no interim controls recorded" in beech.inner_text()
    assert "Early warning: Overdue with no interim controls" in beech.inner_text()
    assert "Registered manager's weekly review: never recorded" in beech.inner_text()
    assert "No improvement measures set for this service." in ashdown.inner_text()
    totals = page.locator(".ovs-tiles").inner_text()
    assert "8\nopen\n" in totals and "1\noverdue\n" in totals

    chart = beech.get_by_role("img", name="90% of follow-ups completed within timescale")
    assert chart.get_attribute("alt").startswith(
        "90% of follow-ups completed within timescale: latest 60% (week of"
    )
    chart.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=chart.element_handle()
    )
    check_a11y(page, "the oversight dashboard")

    out = Path(os.environ.get("CARELOOP_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    beech.evaluate("card => card.scrollIntoView({block: 'start'})")
    page.evaluate("window.scrollBy(0, -60)")  # clear of the sticky status strip
    page.wait_for_timeout(200)
    page.screenshot(path=str(out / "desk-oversight.png"))

    # A count leads to the log, filtered to that service and to what was counted.
    beech.get_by_role("link", name="1 overdue").click()
    page.get_by_role("heading", name="The leadership log").wait_for()
    page.get_by_text("Fluid charts not totalled").wait_for()
    assert "figure=overdue" in page.url
    assert page.locator(".desk-row").count() == 1


def test_only_slipping_services_on_request(page, live_app, floor):
    ni = beech_court(live_app, floor)
    page.goto("/")
    page.get_by_label("Email address").fill(ni["email"])
    page.get_by_label("Password").fill(ni["password"])
    page.get_by_role("button", name="Log in", exact=True).click()
    page.get_by_role("link", name="Oversight", exact=True).click()
    page.locator(".ovs-service").first.wait_for()
    page.get_by_label("Only services where grip is slipping").check()
    page.get_by_role("status").filter(has_text="where grip is slipping").wait_for()
    assert page.locator(".ovs-service").count() == 1
    assert page.locator(".ovs-service h2").inner_text().startswith("1. Beech Court")
