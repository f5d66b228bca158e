"""Reviews in Chromium: the registered manager records a weekly review with one challenge,
refused at first for a missing overall comment; the challenged entry stays open, its owner
sees the challenge on the entry page and in "My actions" on the floor; the nominated
individual records the provider's monthly review. axe-core runs on the screen.

Its screenshot is taken by tests/browser/test_screenshots.py (test_review_page_screen)."""

import datetime as dt

import pytest

from tests.support.browser import PASSWORD, db_query, log_in, open_entry, sync_now
from tests.support.browser import check_a11y_from_top as check_a11y

pytestmark = pytest.mark.browser

CHALLENGE = "Show me the call bell log for three lunchtimes, not a verbal update."


def more_entries(app, floor):
    """An overdue entry and one in progress beside the fixture's open one; a nominated
    individual for the provider."""
    from seed import factories as f
    from server.accounts.models import User
    from server.audit.services import Actor
    from server.log import services as log
    from server.log.models import LogEntry
    from server.providers.models import Provider, Service

    def make(db):
        manager = db.session.get(User, floor.manager["id"])
        home = db.session.get(Service, floor.service_id)
        late = open_entry(
            manager,
            home,
            floor.other["id"],
            concern="Fluid charts blank after 6pm.",
            decision="Alex Worker completes fluid charts at 6pm and 9pm daily.",
            evidence_needed="Fluid chart audit for a week.",
        )
        late.due_date = dt.date.today() - dt.timedelta(days=2)
        late.interim_controls = "Night senior checks charts at 10pm."
        started = open_entry(
            manager,
            home,
            floor.carer["id"],
            concern="Menus in the dining room out of date.",
            decision="Sam Carer updates the menu board before breakfast daily.",
            evidence_needed="Photo log of the menu board.",
        )
        log.transition(Actor(manager, "desk"), started, "start")
        ni = f.make_user(
            db.session.get(Provider, floor.provider_id),
            "nominated_individual",
            name="Nia Lead",
            email="nia.lead@example.test",
        )
        db.session.commit()
        assert db.session.get(LogEntry, late.id).due_date < dt.date.today()
        return {"email": ni.email, "password": PASSWORD, "id": ni.id}

    return db_query(app, make)


def entry_card(page, text):
    return page.locator(".desk-review-entry").filter(has_text=text)


def test_weekly_review_with_a_challenge_reaches_the_owner(desk, live_app, floor, tmp_path):
    from server.log.models import LogEntry, Note
    from server.reviews.models import Review

    more_entries(live_app, floor)
    page = desk()
    log_in(page, floor.manager)
    page.get_by_role("link", name="Reviews", exact=True).click()
    page.get_by_role("heading", name="Reviews", exact=True).wait_for()
    page.get_by_role("heading", name="Everything under review: 3 entries").wait_for()
    assert "Weekly review: never recorded" in page.locator(".desk-cadence").inner_text()
    bells = entry_card(page, "Call bells in the lounge")
    bells.get_by_role("radio", name="Challenge").check()
    bells.get_by_label("Comment").fill(CHALLENGE)
    fluids = entry_card(page, "Fluid charts blank after 6pm")
    assert "Overdue" in fluids.inner_text()
    fluids.get_by_role("radio", name="Assurance").check()
    page.get_by_text("2 entries have an outcome so far").wait_for()
    overall = page.locator(".desk-review-overall")
    overall.get_by_role("radio", name="Further action").check()
    check_a11y(page, "the reviews screen")

    page.get_by_role("button", name="Record the review", exact=True).click()
    page.get_by_role("alert").filter(has_text="There is a problem").wait_for()
    assert page.locator(".error-summary").inner_text().count("Overall comment: say what") == 1
    assert db_query(live_app, lambda db: db.session.query(Review).count()) == 0
    overall.get_by_label("Overall comment").fill("Call bells still rest on verbal updates.")
    page.get_by_role("button", name="Record the review", exact=True).click()
    page.get_by_text(
        "Review recorded with 2 entries reviewed; 1 challenged, kept open and sent to the owner."
    ).wait_for()
    past = page.locator(".desk-past-review").first
    past.get_by_text("Weekly review (registered manager): Further action").wait_for()
    assert "Robin Manager" in past.inner_text()
    assert "1 assurance, 1 challenge" in past.inner_text()
    check_a11y(page, "the reviews screen after recording")

    def stored(db):
        review = db.session.query(Review).one()
        entry = db.session.get(LogEntry, floor.entry_id)
        notes = db.session.scalars(db.select(Note.body).where(Note.entry_id == entry.id)).all()
        return review.kind, review.outcome, len(review.items), entry.status, notes

    kind, outcome, items, status, notes = db_query(live_app, stored)
    assert (kind, outcome, items, status) == ("rm_weekly", "further_action", 2, "open")
    assert notes == [f"Challenge from the weekly review by Robin Manager: {CHALLENGE}"]

    # The entry page shows the challenge and the review outcomes.
    page.goto(f"/#/desk/log/{floor.entry_id}")
    page.locator(".desk-challenge").get_by_text(CHALLENGE, exact=False).wait_for()
    reviews = page.locator("section").filter(
        has=page.get_by_role("heading", name="Reviews of this entry")
    )
    assert "Challenge in the weekly review" in reviews.inner_text()
    assert "Robin Manager" in reviews.inner_text()

    # The owner, on the floor, sees it in "My actions".
    owner = desk()
    log_in(owner, floor.carer)
    sync_now(owner)
    owner.goto("/#/actions")
    owner.get_by_role("heading", name="My actions").wait_for()
    card = owner.locator("li.card").filter(has_text="Sam Carer to check call bell")
    card.get_by_text("Challenged in a review: open it to see what to do").wait_for()
    card.get_by_role("link").click()
    notice = owner.locator(".notice-bad").filter(has_text="Challenged in a review")
    notice.get_by_text(CHALLENGE, exact=False).wait_for()
    check_a11y(owner, "my action with a challenge")


def test_nominated_individual_records_the_monthly_review(desk, live_app, floor):
    from server.reviews.models import Review

    ni = more_entries(live_app, floor)
    page = desk()
    log_in(page, ni)
    page.get_by_role("link", name="Reviews", exact=True).click()
    page.get_by_role("heading", name="Reviews", exact=True).wait_for()
    assert page.get_by_label("Kind of review").input_value() == "provider_monthly"
    page.get_by_label("Show").select_option("overdue")
    page.get_by_role("button", name="Show these entries").click()
    page.get_by_role("heading", name="Overdue: 1 entry").wait_for()
    late = entry_card(page, "Fluid charts blank after 6pm")
    late.get_by_role("radio", name="Further action").check()
    late.get_by_label("Comment").fill("Add the weekend to the audit.")
    overall = page.locator(".desk-review-overall")
    overall.get_by_role("radio", name="Assurance").check()
    check_a11y(page, "the monthly review")
    page.get_by_role("button", name="Record the review", exact=True).click()
    page.get_by_text("Review recorded with 1 entry reviewed.").wait_for()
    past = page.locator(".desk-past-review").first
    past.get_by_text("Monthly review (provider): Assurance").wait_for()
    assert "Nia Lead" in past.inner_text()
    past.get_by_text("Outcomes per entry").click()
    past.get_by_text("Further action: Add the weekend to the audit.", exact=False).wait_for()

    def stored(db):
        review = db.session.query(Review).one()
        return review.kind, review.reviewer_id, [(i.outcome, i.comment) for i in review.items]

    assert db_query(live_app, stored) == (
        "provider_monthly",
        ni["id"],
        [("further_action", "Add the weekend to the audit.")],
    )
