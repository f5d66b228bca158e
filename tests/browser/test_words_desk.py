"""Words at the desk (issue 16, point 8): the triage inbox's "link to an entry" picker tells
apart entries worded alike (owner, due date, reference); the review page leads with what
needs deciding, with the record form reachable from the top and the entries folded."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.support.browser import check_a11y, check_a11y_from_top, db_query, log_in, open_entry

pytestmark = pytest.mark.browser

SAME_WORDS = "Sam Carer to check call bell response times at lunchtime daily for a week."


def twin_entry_and_a_finding(app, floor):
    """A second open entry worded like the fixture's, owned by someone else and due
    sooner, and a finding from the floor waiting in the inbox."""
    from server.accounts.models import User
    from server.audit.services import Actor
    from server.findings import services
    from server.providers.models import Service

    def make(db):
        manager = db.session.get(User, floor.manager["id"])
        home = db.session.get(Service, floor.service_id)
        twin = open_entry(
            manager,
            home,
            floor.other["id"],
            concern="Call bells on the first floor were not answered within 5 minutes.",
            decision=SAME_WORDS,
            evidence_needed="Call bell log for the week, checked against the rota.",
        )
        twin.due_date = dt.date.today() + dt.timedelta(days=3)
        services.record_finding(
            Actor(db.session.get(User, floor.carer["id"]), "sync"),
            home,
            {
                "kind": "walkaround_issue",
                "area": "Lounge",
                "source": "walkaround",
                "description": "Call bell rang for six minutes before anyone answered.",
                "risk": "medium",
                "follow_up_needed": True,
            },
        )
        db.session.commit()
        return str(twin.id)

    return db_query(app, make)


def linked_entry(app):
    from server.findings.models import Finding

    return db_query(app, lambda db: str(db.session.scalars(db.select(Finding.log_entry_id)).one()))


def test_the_link_picker_tells_entries_worded_alike_apart(desk, live_app, floor):
    twin_id = twin_entry_and_a_finding(live_app, floor)
    page = desk()
    log_in(page, floor.manager)
    page.goto("/#/desk/inbox")
    picker = page.get_by_label("Entry to link to")
    expect(picker.locator("option")).to_have_count(3)  # "Choose…" and the two entries
    texts = picker.locator("option").all_inner_texts()[1:]
    assert len(set(texts)) == 2, texts
    in_a_week = dt.date.today() + dt.timedelta(days=7)
    in_three = dt.date.today() + dt.timedelta(days=3)
    sam = next(t for t in texts if "· Sam Carer ·" in t)
    alex = next(t for t in texts if "· Alex Worker ·" in t)
    assert f"{in_a_week:%-d %b %Y}" in sam and "Open" in sam
    assert f"{in_three:%-d %b %Y}" in alex
    assert f"ref {twin_id[:6].upper()}" in alex
    assert alex.startswith("Sam Carer to check call bell response times at lunchtime")
    check_a11y(page, "the triage inbox with the link picker")

    page.get_by_text("Call bell rang for six minutes").click()
    picker.select_option(label=alex)
    page.get_by_role("button", name="Link to entry").click()
    page.get_by_text("Findings linked to the entry.").wait_for()
    assert linked_entry(live_app) == twin_id


CHECKS = [
    ("Hoist slings not labelled in room {n}.", "Sam Carer labels the slings in room {n} today."),
    (
        "Fluid chart gaps after 6pm in room {n}.",
        "Sam Carer checks the chart in room {n} at 9pm daily.",
    ),
    ("Menu board out of date in dining room {n}.", "Sam Carer updates menu board {n} daily."),
]


def entries_under_review(app, floor, count=12):
    """``count`` open entries beside the fixture's, one of them overdue."""
    from server.accounts.models import User
    from server.providers.models import Service

    def make(db):
        manager = db.session.get(User, floor.manager["id"])
        home = db.session.get(Service, floor.service_id)
        for n in range(count):
            concern, decision = CHECKS[n % len(CHECKS)]
            entry = open_entry(
                manager,
                home,
                floor.carer["id"],
                concern=concern.format(n=n + 1),
                decision=decision.format(n=n + 1),
                evidence_needed="A week of the chart, checked by the deputy.",
            )
            if n == 4:
                entry.due_date = dt.date.today() - dt.timedelta(days=3)
        db.session.commit()

    db_query(app, make)


def top_of(locator):
    return locator.bounding_box()["y"]


def test_the_review_page_leads_with_what_needs_deciding(desk, live_app, floor):
    entries_under_review(live_app, floor)
    page = desk()
    log_in(page, floor.manager)
    page.get_by_role("link", name="Reviews", exact=True).click()
    summary = page.get_by_role("region", name="What needs deciding")
    expect(summary).to_contain_text("13 entries to review")
    expect(summary).to_contain_text("1 overdue")
    expect(summary).to_contain_text("Weekly review: never recorded")
    expect(summary).to_contain_text("Outcomes so far: 0 of 13 entries; no overall outcome yet.")
    cards = page.locator(".desk-review-entry")
    expect(cards).to_have_count(13)
    # The summary is on the first screen, above the entries.
    assert top_of(summary) + summary.bounding_box()["height"] <= 768
    assert top_of(summary) < top_of(cards.first)

    # Each entry is a short card: its concern folded, its comment box shown once it has
    # an outcome.
    card = cards.filter(has_text="room 2 at 9pm")
    expect(card.get_by_text("Fluid chart gaps after 6pm in room 2.")).to_be_hidden()
    expect(card.get_by_label("Comment")).to_be_hidden()
    card.get_by_role("radio", name="Challenge").check()
    expect(card.get_by_label("Comment")).to_be_visible()
    card.get_by_text("The concern").click()
    expect(card.get_by_text("Fluid chart gaps after 6pm in room 2.")).to_be_visible()
    expect(summary).to_contain_text("Outcomes so far: 1 of 13 entries")
    heights = cards.evaluate_all("cards => cards.map((c) => c.getBoundingClientRect().height)")
    assert sorted(heights)[len(heights) // 2] < 250, heights

    # From the top to the overall outcome and "Record the review" in one press.
    page.evaluate("window.scrollTo(0, 0)")
    page.get_by_role("button", name="Go to the outcome and record the review").click()
    overall = page.locator(".desk-review-overall")
    expect(overall).to_be_in_viewport()
    expect(overall.get_by_role("radio", name="Assurance")).to_be_focused()
    check_a11y_from_top(page, "the review page")

    page.evaluate("window.scrollTo(0, 0)")
    page.get_by_role("button", name="Show the 1 overdue entry only").click()
    page.get_by_role("heading", name="Overdue: 1 entry").wait_for()
    expect(cards).to_have_count(1)
