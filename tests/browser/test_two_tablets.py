"""Scenario (b): one action changed on two tablets offline while the desk closes it.

Sam uses two tablets (two installations, so two device bindings). Offline, each adds a
note; tablet A also marks the action done. Meanwhile the registered manager adds evidence
and closes the action through the REST API. When both tablets sync, both notes are in the
database, and the clash (done on a closed action) is a conflict the conflicts API lists.
"""

import datetime as dt
import uuid

import pytest

from tests.support.browser import (
    TABLET,
    Desk,
    check_a11y,
    db_query,
    go_offline,
    go_online,
    log_in,
    sync_now,
    wait_for_service_worker,
)

pytestmark = pytest.mark.browser

NOTE_A = "Tablet A: checked the call bell log at lunch, all under 3 minutes."
NOTE_B = "Tablet B: two bells took 4 minutes on Tuesday; spoke to the team."


def open_action(page):
    page.get_by_role("link", name="My actions").click()
    page.get_by_role("link", name="check call bell response times", exact=False).click()
    page.get_by_role("heading", name="Notes").wait_for()


def add_note(page, text):
    page.get_by_label("Note", exact=True).fill(text)
    page.get_by_role("button", name="Add note").click()
    page.get_by_text(text).wait_for()


def tablet(browser, server, floor):
    ctx = browser.new_context(viewport=TABLET, base_url=server.url, service_workers="allow")
    ctx.set_default_timeout(10_000)
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, floor.carer)
    wait_for_service_worker(page)
    open_action(page)
    return ctx, page, errors


def desk_closes(app, floor):
    """The manager adds evidence, marks the action done and closes it, through REST."""
    desk = Desk(app, floor.manager)
    entry = f"/entries/{floor.entry_id}"
    desk.post(
        entry + "/evidence",
        {
            "type": "audit",
            "location": "Call bell audit, week 12",
            "evidence_date": dt.date.today().isoformat(),
            "checked_by": str(floor.manager["id"]),
        },
    )
    version = desk.get(entry)["version"]
    version = desk.post(
        entry + "/transitions",
        {"action": "mark_done", "version": version, "reason": "Audit shows response times met."},
    )["version"]
    closed = desk.post(entry + "/transitions", {"action": "close", "version": version})
    assert closed["status"] == "closed"
    return desk


def synced(page):
    state = sync_now(page)
    assert state["problem"] is None and state["waiting"] == 0, state


def notes_in_database(app, entry_id):
    from server.log.models import Note

    return db_query(
        app,
        lambda db: sorted(
            db.session.scalars(
                db.select(Note.body).where(Note.entry_id == uuid.UUID(str(entry_id)))
            )
        ),
    )


def test_two_tablets_notes_merge_and_the_clash_is_a_conflict(browser, server, floor):
    ctx_a, page_a, errors_a = tablet(browser, server, floor)
    ctx_b, page_b, errors_b = tablet(browser, server, floor)
    try:
        go_offline(ctx_a, server)
        go_offline(ctx_b, server)
        add_note(page_a, NOTE_A)
        page_a.get_by_label("What was done").fill("Checked every day for a week.")
        page_a.get_by_role("button", name="Mark done for checking").click()
        page_a.get_by_text("Done – waiting for check").wait_for()
        add_note(page_b, NOTE_B)
        desk = desk_closes(server.app, floor)

        # One tablet after the other: on SQLite two syncs at the same moment can still meet
        # "database is locked" in the pull (a GET that writes last_seen_at); the client
        # backs off and retries, but this test wants each sync to finish first time.
        go_online(ctx_a, server)
        synced(page_a)
        ctx_b.unroute(f"{server.url}/**")
        ctx_b.set_offline(False)
        synced(page_b)
        synced(page_a)

        notes = notes_in_database(server.app, floor.entry_id)
        assert NOTE_A in notes and NOTE_B in notes, notes
        conflicts = desk.get(f"/conflicts?service_id={floor.service_id}&status=open")["items"]
        assert [(c["kind"], c["entity_id"], c["field"]) for c in conflicts] == [
            ("transition", str(floor.entry_id), "status")
        ]
        assert conflicts[0]["kept_value"] == "closed"
        assert conflicts[0]["other_value"]["action"] == "mark_done"
        assert desk.get(f"/entries/{floor.entry_id}")["status"] == "closed"

        # Tablet A is told its "done" clashed; both tablets now show both notes and the
        # office's state of the action.
        strip = page_a.locator("#status-strip")
        strip.filter(has_text="1 needs attention").wait_for()
        strip.click()
        dialog = page_a.get_by_role("dialog")
        dialog.get_by_text("Changes that clashed").wait_for()
        dialog.get_by_text('Action marked "mark done"').wait_for()
        check_a11y(page_a, "the status dialog with a conflict")
        dialog.get_by_role("button", name="Close", exact=True).click()
        for page in (page_a, page_b):
            page.goto(f"/#/actions/{floor.entry_id}")
            page.reload()
            page.get_by_role("heading", name="Notes").wait_for()
            page.get_by_text(NOTE_A).wait_for()
            page.get_by_text(NOTE_B).wait_for()
            page.get_by_text("Closed", exact=True).wait_for()
        assert "needs attention" not in page_b.locator("#status-strip").inner_text()
        assert not errors_a and not errors_b, errors_a + errors_b
    finally:
        ctx_a.close()
        ctx_b.close()
