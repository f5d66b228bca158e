"""The finding's story on the tablet (issue 15, point 5): the recorder sees what the office
did with each finding, corrects or withdraws one until it is triaged, and is told in words
when the office triaged it first. The desk inbox names the recorder and says how long ago."""

import datetime as dt
import uuid

import pytest
from playwright.sync_api import expect

from tests.support.browser import Desk, check_a11y, db_query, log_in, record_finding, sync_now

pytestmark = pytest.mark.browser

SEEN = "Wheelchair parked across the fire exit by the lounge."
SPILL = "Tea spilt by the lift and not mopped."


def _finding(app, description):
    from server.findings.models import Finding

    def read(db):
        f = db.session.scalars(db.select(Finding).where(Finding.description == description)).one()
        return {"id": str(f.id), "risk": f.risk, "state": f.triage_state, "version": f.version}

    return db_query(app, read)


def _recorded(page):
    page.get_by_role("link", name="Recorded").click()
    page.get_by_role("heading", name="What I recorded").wait_for()


def _card(page, description):
    return page.locator("li.finding").filter(has_text=description)


def test_the_story_changes_after_the_desk_triages_it(page, server, floor):
    log_in(page, floor.carer)
    record_finding(page, "Lounge", SEEN, "High", "Yes")
    record_finding(page, "Lounge", SPILL, "Low", "No")
    assert sync_now(page)["problem"] is None
    _recorded(page)
    card = _card(page, SEEN)
    expect(card.locator(".story")).to_have_text("Sent to the office")

    # A correction before triage reaches the office.
    card.get_by_role("button", name="Correct").click()
    card.get_by_role("group", name="Risk").get_by_text("Medium", exact=True).click()
    card.get_by_role("button", name="Save correction").click()
    assert sync_now(page)["problem"] is None
    assert _finding(server.app, SEEN)["risk"] == "medium"

    # The desk makes it an entry, then gives it an owner and a due date.
    desk = Desk(server.app, floor.manager)
    finding = _finding(server.app, SEEN)
    made = desk.post(
        "/findings/triage",
        {"finding_ids": [finding["id"]], "action": "create_entry", "concern": "Fire exit blocked"},
    )
    entry = desk.get(f"/entries/{made['entry_id']}")
    due = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    r = desk.client.patch(
        f"/api/v1/entries/{entry['id']}",
        json={
            "version": entry["version"],
            "decision": "Sam Carer to keep the fire exit clear and check it each shift",
            "owner_id": str(floor.carer["id"]),
            "due_date": due,
        },
        headers={"X-CSRF-Token": desk.token},
    )
    assert r.status_code == 200, r.get_json()
    # Meanwhile the office dismisses the spill, which the tablet still shows as new.
    spill = _finding(server.app, SPILL)
    desk.post(
        "/findings/triage",
        {"finding_ids": [spill["id"]], "action": "dismiss", "reason": "Mopped at handover"},
    )

    # The recorder withdraws the spill, not knowing: the office refuses it, in words.
    _recorded(page)
    spill_card = _card(page, SPILL)
    spill_card.get_by_role("button", name="Withdraw").click()
    spill_card.get_by_role("button", name="Withdraw finding").click()
    sync_now(page)
    _recorded(page)
    when = dt.date.fromisoformat(due).strftime("%a, %-d %b %Y")
    expect(_card(page, SEEN).locator(".story")).to_have_text(
        "Made into the entry “Sam Carer to keep the fire exit clear and check it each shift”, "
        f"owner Sam Carer, due {when}."
    )
    spill_card = _card(page, SPILL)
    expect(spill_card.locator(".story")).to_have_text(
        "Dismissed by the office. Reason: Mopped at handover"
    )
    expect(spill_card.get_by_role("status")).to_have_text(
        "Your withdrawal was not made: This finding has been triaged; ask a manager to change it."
    )
    assert spill_card.get_by_role("button", name="Withdraw").count() == 0
    assert _finding(server.app, SPILL)["state"] == "dismissed"
    check_a11y(page, "what I recorded")


def test_the_recorder_withdraws_and_the_inbox_names_who_and_how_long_ago(page, desk, server, floor):
    log_in(page, floor.carer)
    record_finding(page, "Lounge", SEEN, "High", "Yes")
    record_finding(page, "Lounge", SPILL, "Low", "No")
    assert sync_now(page)["problem"] is None
    _recorded(page)
    card = _card(page, SPILL)
    card.get_by_role("button", name="Withdraw").click()
    card.get_by_label("Why are you withdrawing it?").fill("Recorded twice")
    card.get_by_role("button", name="Withdraw finding").click()
    expect(_card(page, SPILL).locator(".story")).to_have_text("Your change is waiting to send")
    assert sync_now(page)["problem"] is None
    _recorded(page)
    expect(_card(page, SPILL).locator(".story")).to_have_text("You withdrew this finding.")
    assert _finding(server.app, SPILL)["state"] == "withdrawn"

    seen = uuid.UUID(_finding(server.app, SEEN)["id"])

    def older(db):
        from server.findings.models import Finding

        f = db.session.get(Finding, seen)
        f.received_at = f.received_at - dt.timedelta(hours=2, minutes=5)
        db.session.commit()

    db_query(server.app, older)
    office = desk()
    log_in(office, floor.manager)
    office.get_by_role("link", name="Triage inbox", exact=True).click()
    office.get_by_role("heading", name="Triage inbox").wait_for()
    office.get_by_text("1 new finding to triage").wait_for()
    row = office.locator(".desk-finding")
    expect(row).to_have_count(1)  # the withdrawn one has left the inbox
    expect(row).to_contain_text("recorded by Sam Carer · received 2 hours ago")
    assert "waiting" not in row.inner_text()
