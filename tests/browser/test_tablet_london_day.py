"""The tablet counts days as the care home does, in Europe/London: half an hour after
midnight in British Summer Time it is already the next day in London but not yet in UTC, so
an action due the day before is overdue on the tablet, as it is on the server."""

import datetime as dt

from playwright.sync_api import expect

from tests.support.browser import db_query, log_in, sync_now

DUE = dt.date(2027, 7, 1)
# 00:30 on 2 July in London (BST, UTC+1), still 1 July in UTC.
AFTER_MIDNIGHT_IN_LONDON = dt.datetime(2027, 7, 1, 23, 30, tzinfo=dt.UTC)


def test_an_action_due_yesterday_in_london_is_overdue_after_midnight_in_summer(
    page, live_app, floor
):
    import uuid

    from server.log.models import LogEntry

    def due_on_the_first_of_july(db):
        entry = db.session.get(LogEntry, uuid.UUID(str(floor.entry_id)))
        entry.due_date = DUE
        db.session.commit()

    db_query(live_app, due_on_the_first_of_july)
    log_in(page, floor.carer)
    sync_now(page)
    page.clock.set_fixed_time(AFTER_MIDNIGHT_IN_LONDON)
    page.goto(f"/#/actions/{floor.entry_id}")
    due = page.locator("dt", has_text="Due").locator("xpath=following-sibling::dd[1]")
    expect(due).to_have_text("Thu, 1 Jul 2027 – overdue")
