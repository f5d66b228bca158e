"""The ownership board and the completion checks in Chromium: a registered manager names
the owner of an unowned draft in one step, then records a completion check, refused
"not done" without a note; axe-core runs on both screens."""

import pytest

from tests.support.browser import check_a11y, db_query, log_in

pytestmark = pytest.mark.browser


def make_entries(app, floor):
    """An unowned draft, and an open entry due today (London) for the completion check."""
    from server.accounts.models import User
    from server.audit.services import Actor
    from server.common import dates
    from server.log import services as log
    from server.providers.models import Service

    def make(db):
        manager = Actor(db.session.get(User, floor.manager["id"]), "desk")
        home = db.session.get(Service, floor.service_id)
        draft = log.create_draft(
            manager, home, concern="Bins in the garden overflow on Mondays", source="walkaround"
        )
        due = log.create_draft(
            manager,
            home,
            concern="Fridge temperatures not logged at weekends",
            source="audit",
            owner_id=floor.carer["id"],
            due_date=dates.london_today(),
            decision="Sam Carer records the kitchen fridge temperature at 8am every day",
            evidence_needed="Fridge temperature log for the week",
        )
        log.transition(manager, due, "open")
        db.session.commit()
        return draft.id, due.id

    return db_query(app, make)


def read(app, fn):
    return db_query(app, fn)


def test_assign_an_owner_then_record_a_completion_check(page, live_app, floor):
    from server.log.models import LogEntry, Note

    draft_id, due_id = make_entries(live_app, floor)
    log_in(page, floor.manager)

    page.get_by_role("link", name="Ownership board", exact=True).click()
    page.get_by_role("heading", name="Ownership board").wait_for()
    page.get_by_text("Bins in the garden overflow on Mondays").wait_for()
    check_a11y(page, "the ownership board")
    page.get_by_label("Owner").select_option(label="Sam Carer")
    page.get_by_role("button", name="Assign the chosen owners").click()
    page.get_by_text("Every entry has a named owner.").wait_for()
    assert (
        read(live_app, lambda db: db.session.get(LogEntry, draft_id).owner_id) == floor.carer["id"]
    )

    page.get_by_role("link", name="Completion checks", exact=True).click()
    page.get_by_role("heading", name="Completion checks").wait_for()
    card = page.locator(".desk-check").filter(has_text="Fridge temperatures not logged")
    card.wait_for()
    assert "Not marked done yet (the entry is open)." in card.inner_text()
    check_a11y(page, "the completion checks")
    card.get_by_role("radio", name="Not done").check()
    page.get_by_role("button", name="Record the checks").click()
    page.get_by_text("Check 1: write what is not done, or mark it done.").wait_for()
    card.get_by_label("What is not done").fill("Saturday and Sunday are blank")
    page.get_by_role("button", name="Record the checks").click()
    page.get_by_text("Completion checks recorded.").wait_for()

    notes = read(
        live_app,
        lambda db: [
            n.body for n in db.session.scalars(db.select(Note).where(Note.entry_id == due_id))
        ],
    )
    assert len(notes) == 1
    assert notes[0].endswith("not done — Saturday and Sunday are blank")
