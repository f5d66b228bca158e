"""One meaning per number, on screen: the oversight dashboard's counts open exactly their
records in the log, the grip score carries a RAG rating read against a scale, every early
warning opens its records (families chasing too), and at 1024x768 the log's filters fold
away behind a "Filters" button that says what is in use and remembers being opened."""

import re

import pytest

from tests.support.browser import check_a11y_from_top as check_a11y
from tests.support.browser import log_in
from tests.support.figures import CHASING, slipping_home

pytestmark = pytest.mark.browser


def open_oversight(page):
    page.goto("/#/desk/oversight")
    page.get_by_role("heading", name="Provider oversight").wait_for()
    page.locator(".ovs-service").first.wait_for()


def listed_in_log(page) -> str:
    """Wait for the log and return its status line ("…: 3 entries match.")."""
    page.get_by_role("heading", name="The leadership log").wait_for()
    status = page.locator("p[role=status]")
    status.wait_for()
    return status.inner_text()


def test_every_number_on_oversight_opens_exactly_its_records(desk, live_app, floor):
    ni = slipping_home(live_app, floor)
    page = desk()
    log_in(page, ni)
    open_oversight(page)
    beech = page.locator(".ovs-service", has_text="Beech Court")

    # The grip score with its RAG rating, its meaning in words and the scale.
    rating = beech.locator(".ovs-rating")
    assert re.match(r"^(Red|Amber) ", rating.inner_text())
    assert "on a scale of green 0 points, amber 1 to 11 points, red 12 points or more" in (
        rating.inner_text()
    )
    page.get_by_text("What these numbers mean").click()
    meanings = page.locator(".ovs-meanings").inner_text()
    assert "past due, waiting for check or sign-off" in meanings
    assert "Not counted as overdue: the owner's part is done." in meanings
    assert "Red · 12 points or more" in meanings

    # The card's counts, each opening the log on exactly what it counted.
    assert beech.get_by_role("link", name="2 overdue", exact=True).is_visible()
    beech.get_by_role("link", name="1 past due, waiting for check or sign-off").click()
    assert listed_in_log(page).startswith("Beech Court: 1 entry matches.")
    assert "Marked done by the owner" in listed_in_log(page)
    row = page.locator(".desk-row")
    assert row.count() == 1 and "Handover notes incomplete" in row.inner_text()
    assert row.locator(".badge-bad", has_text="Overdue").count() == 0
    assert row.locator(".badge", has_text="Past due, waiting for check or sign-off").is_visible()
    page.go_back()
    open_oversight(page)
    beech = page.locator(".ovs-service", has_text="Beech Court")
    beech.get_by_role("link", name="1 high-risk open", exact=True).click()
    assert listed_in_log(page).startswith("Beech Court: 1 entry matches.")
    assert "Bed rails fitted" in page.locator(".desk-row").inner_text()  # not the closed one

    # A provider-wide tile opens every service's records it counts.
    open_oversight(page)
    tile = page.locator(".ovs-tiles a", has_text="overdue").first
    number = tile.locator(".ovs-number").inner_text()
    tile.click()
    assert listed_in_log(page).startswith(f"All your services: {number} entries match.")

    # Every warning opens its records: the log for entries, the list here for findings.
    open_oversight(page)
    beech = page.locator(".ovs-service", has_text="Beech Court")
    chasing = beech.locator(".ovs-reasons > li", has_text="Families or people chasing")
    chasing.get_by_text("Show the 2 records flagged").click()
    records = chasing.locator(".ovs-record-list li")
    records.first.wait_for()
    assert records.count() == 2
    assert CHASING in chasing.inner_text() and "Relative or friend" in chasing.inner_text()
    assert chasing.get_by_role("link", name="waiting in the triage inbox").count() == 2
    check_a11y(page, "the oversight dashboard with a warning's records open")
    bare = beech.locator(".ovs-reasons > li", has_text="Overdue with no interim controls")
    bare.get_by_role("link", name="Open the 1 entry in the log").click()
    assert listed_in_log(page).startswith("Beech Court: 1 entry matches.")
    assert "Fluid charts not totalled" in page.locator(".desk-row").inner_text()


def test_the_logs_filters_fold_away_at_1024(desk, live_app, floor):
    page = desk()
    log_in(page, floor.manager)
    page.goto("/#/desk/log?risk=medium")
    listed_in_log(page)
    toggle = page.get_by_role("button", name="Filters (1)")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.locator(".desk-filter-summary").inner_text() == "In use: Risk: Medium"
    assert not page.get_by_label("Status").is_visible()
    # Folded, the first entry is on the screen without scrolling.
    first = page.locator(".desk-row").first.bounding_box()
    assert first["y"] + 60 < 768

    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.get_by_label("Status").is_visible()
    hint = page.get_by_role("link", name="Oversight screen")
    assert hint.get_attribute("href") == "#/desk/oversight"
    check_a11y(page, "the log with its filters open")
    page.get_by_label("Status").select_option(label="Open")
    page.get_by_role("button", name="Show entries").click()
    page.get_by_text("Ashdown House: 1 entry matches.").wait_for()
    # Opened once, the filters stay open, after a search and after a reload.
    assert page.get_by_role("button", name="Filters (2)").get_attribute("aria-expanded") == "true"
    page.reload()
    listed_in_log(page)
    assert page.get_by_label("Status").is_visible()
    page.get_by_role("button", name="Filters (2)").click()
    page.reload()
    listed_in_log(page)
    assert not page.get_by_label("Status").is_visible()
    summary = page.locator(".desk-filter-summary").inner_text()
    assert summary == "In use: Status: Open · Risk: Medium"
