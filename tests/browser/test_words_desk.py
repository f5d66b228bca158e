"""Words at the desk (issue 16, point 8): the triage inbox's "link to an entry" picker tells
apart entries worded alike (owner, due date, reference); the review page leads with what
needs deciding, with the record form reachable from the top and the entries folded."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.support.browser import check_a11y, db_query, log_in, open_entry

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
