"""Readable conflicts and history (issue 16 point 4), on the screens people use.

The desk's conflicts queue says each kind (a field, a status change, delete against edit,
edit against delete) in words with names, tablets, London times and plain choices; an
entry's history says every event type the same way; and a tablet stops saying "waiting to
send" the moment the office has answered, without a reload.
"""

import pytest

from tests.support.browser import (
    check_a11y,
    go_offline,
    go_online,
    log_in,
    sync_now,
    wait_for_service_worker,
)
from tests.support.conflict_kinds import (
    CARRIED,
    CHALLENGED,
    DESK_WORDS,
    ESCALATED,
    SENT_BACK,
    SPOKEN_MOMENT,
    TABLET_WORDS,
    Desk,
    close_the_action,
    make_every_event,
    make_every_kind,
    unreadable,
)

pytestmark = pytest.mark.browser


def readable(page) -> str:
    """The main area's text, after checking a person could read all of it."""
    text = page.locator("#main").inner_text()
    assert unreadable(text) == [], unreadable(text)
    assert SPOKEN_MOMENT.search(text), "no moment said in London time"
    return text


def test_every_conflict_kind_reads_in_words_and_reopen_for_checking_works(desk, server, floor):
    ids = make_every_kind(server.app, floor)
    page = desk()
    log_in(page, floor.manager)
    page.get_by_role("link", name="Conflicts").click()
    cards = page.locator(".desk-conflict")
    cards.nth(3).wait_for()
    text = readable(page)
    for said in (
        "Two changes to the description",
        f"“{DESK_WORDS}”",
        f"“{TABLET_WORDS}”",
        "A finding deleted on a tablet after it was changed",
        "A change to a finding that had been deleted",
        "A status change that arrived too late",
        "Sam Carer marked it done on the tablet “Lounge tablet” while it was open",
        "Robin Manager, at the desk, ",
        "Sam Carer, on the tablet “Garden tablet”, ",
        "Before either change: “Call bell out of reach in the lounge”",
    ):
        assert said in text, said
    for choice in (
        "Keep Robin's wording",
        "Use the tablet's wording",
        "Keep the finding with Robin's changes",
        "Delete the finding",
        "Leave it deleted",
        "Bring the finding back with the tablet's change",
        "Keep closed",
        "Reopen for checking",
    ):
        page.get_by_role("button", name=choice, exact=True).wait_for()
    check_a11y(page, "the conflicts queue with every kind")

    # The entry's own page says its open conflict in the same words.
    page.get_by_role("link", name="The entry “Sam Carer to check call bell", exact=False).click()
    section = page.get_by_role("region", name="Open conflicts")
    section.get_by_text("A status change that arrived too late", exact=False).wait_for()
    assert "Kept for now: Closed" in section.inner_text()
    assert unreadable(section.inner_text()) == []
    section.get_by_role("link", name="Decide it in the conflicts queue").click()
    page.get_by_role("button", name="Reopen for checking").click()
    page.get_by_role("button", name="Keep closed").wait_for(state="detached")
    entry = Desk(server.app, floor.manager).get(f"/entries/{ids['entry']}")
    assert entry["status"] == "awaiting_check"


def test_every_history_event_reads_in_words(desk, server, floor):
    ids = make_every_kind(server.app, floor)
    make_every_event(server.app, floor, ids)
    page = desk()
    log_in(page, floor.manager)
    page.goto(f"/#/desk/log/{ids['entry']}")
    history = page.locator(".desk-timeline")
    history.get_by_text("handed it over to a new owner", exact=False).wait_for()
    readable(page)
    text = history.inner_text()
    for said in (
        "Robin Manager created the entry",
        "Status: Draft → Open",
        "Robin Manager added evidence",
        "Checked by: Robin Manager",
        "Robin Manager closed it",
        "Status: Awaiting a completion check → Closed",
        "A status change that arrived too late: Sam Carer marked it done",
        "on the tablet “Lounge tablet”",
        "Sam Carer added a note",
        "Robin Manager reopened it",
        "Robin Manager settled a conflict by taking the change on the tablet “Lounge tablet”",
        f"Reason: {SENT_BACK}",
        "Robin Manager moved the due date",
        f"Reason: {CARRIED}",
        "Robin Manager changed the entry",
        "Robin Manager escalated it to the nominated individual",
        "Escalation: Escalated to the nominated individual",
        f"Why: {ESCALATED}",
        "Decided by: Robin Manager",
        "Robin Manager linked findings to it",
        "1 finding linked",
        "Owner: Sam Carer → Alex Worker",
        "Robin Manager challenged it",
        f"Reason: {CHALLENGED}",
    ):
        assert said in text, said


def test_the_tablet_stops_saying_waiting_once_the_office_has_answered(page, context, server, floor):
    log_in(page, floor.carer)
    wait_for_service_worker(page)
    page.goto(f"/#/actions/{floor.entry_id}")
    status = page.locator("#action-status")
    status.filter(has_text="Open").wait_for()

    go_offline(context, server)
    close_the_action(Desk(server.app, floor.manager), floor)  # meanwhile, at the desk
    page.get_by_label("Note", exact=True).fill("Bell log checked at lunch.")
    page.get_by_role("button", name="Add note").click()
    page.get_by_text("Bell log checked at lunch.").wait_for()
    page.get_by_role("heading", name="Mark done for checking").wait_for()
    page.get_by_label("What was done").fill("Checked every day for a week.")
    page.get_by_role("button", name="Mark done for checking").click()
    status.filter(has_text="(your change is waiting to send)").wait_for()
    note_state = page.locator("[data-record^='note:']")
    assert note_state.inner_text() == " · waiting to send"

    go_online(context, server)
    assert sync_now(page)["waiting"] == 0
    # No reload: the screen follows the office's answer, a clash said in words.
    status.filter(has_text="the office had already changed it").wait_for()
    assert "waiting to send" not in status.inner_text()
    assert status.inner_text().startswith("Closed")
    assert note_state.inner_text() == ""
    page.get_by_role("link", name="‹ My actions").click()
    page.get_by_role("heading", name="My actions").wait_for()
    assert "waiting to send" not in page.locator("#main").inner_text()
