"""The desk's sign-off panel and saves you can trust (issue 16, points 3, 9 and 10).

The nominated individual sees the evidence, the unanswered challenge, the missing escalation
decision and the safeguarding follow-through, with every reason a sign-off is refused before
she presses anything; once the owner answers and she records the decision, she signs off and
the record names who marked it done, who checked it and who signed it off. The registered
manager's "Open entry" saves what she typed first ("Save and open"), and a click just after
"Changes saved." is never taken for someone else's change.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import Desk, check_a11y, log_in, make_provider_user
from tests.support.signoff import waiting_for_sign_off

pytestmark = pytest.mark.browser

STALE = "Someone changed this entry"


def test_the_sign_off_panel_refuses_with_reasons_then_signs_off(desk, server, floor):
    app = server.app
    entry_id = waiting_for_sign_off(app, floor)
    lead = make_provider_user(app, floor, "nominated_individual", "Nina Lead", "nina@example.test")
    page = desk()
    log_in(page, lead)
    page.goto(f"/#/desk/log/{entry_id}")
    panel = page.locator(".desk-sign-off")
    panel.get_by_role("heading", name="Status: Waiting for sign-off").wait_for()
    expect(panel).to_contain_text("Body map folder, room 12")
    expect(panel).to_contain_text("Robin Manager challenged it on")
    expect(panel).to_contain_text("“The body maps miss Sunday”. Not answered yet.")
    expect(panel).to_contain_text("No escalation decision is recorded yet.")
    expect(panel).to_contain_text("Local-authority safeguarding referral: not recorded yet.")
    reasons = panel.locator(".desk-sign-off-refusals li")
    expect(reasons).to_have_count(4)
    assert reasons.nth(0).inner_text().startswith("No escalation decision is recorded")
    assert "challenge of" in reasons.nth(1).inner_text()
    assert "No CQC notification is recorded" in reasons.nth(3).inner_text()
    sign = panel.get_by_role("button", name="Sign off")
    expect(sign).to_be_disabled()
    check_a11y(page, "the sign-off panel, refused")
    hint = panel.locator("#sign-off-hint").inner_text()
    assert "Signing off records you as the second check" in hint and "marking done" not in hint
    expect(page.locator(".desk-steps")).to_have_text(
        re.compile(r"^Marked done by Sam Carer on .+, checked by Robin Manager on .+\.$")
    )

    # The owner answers the challenge; the lead records the decision and the follow-through.
    owner = Desk(app, floor.carer)
    owner.post(f"/entries/{entry_id}/notes", {"body": "Sunday's body map is in the folder now."})
    escalation = page.locator(".desk-escalation")
    escalation.get_by_text("Escalate to provider level", exact=True).click()
    escalation.get_by_label("Why", exact=True).fill("Unexplained bruising: the provider must know.")
    escalation.get_by_label("Local-authority referral made on").fill(dt.date.today().isoformat())
    escalation.get_by_label("Or why no CQC notification was needed").fill(
        "The local authority found no abuse."
    )
    escalation.get_by_role("button", name="Record the decision").click()
    expect(panel.get_by_text("Everything a sign-off needs is recorded.")).to_be_visible()
    expect(panel).to_contain_text("CQC notification: not needed – The local authority found no")
    panel.get_by_role("button", name="Sign off").click()
    page.get_by_role("heading", name="Status: Closed").wait_for()
    expect(page.locator(".desk-steps")).to_have_text(
        re.compile(
            r"^Marked done by Sam Carer on .+, checked by Robin Manager on .+, "
            r"signed off by Nina Lead on .+\.$"
        )
    )
    expect(page.get_by_text(STALE)).to_have_count(0)


def test_save_and_open_and_no_false_stale_after_a_save(desk, server, floor):
    app = server.app
    manager = Desk(app, floor.manager)
    bare = manager.post(
        "/entries",
        {
            "service_id": str(floor.service_id),
            "concern": "Menu not in large print",
            "source": "feedback",
        },
    )
    page = desk()
    log_in(page, floor.manager)
    page.goto(f"/#/desk/log/{bare['id']}")
    page.get_by_role("heading", name="Draft entry").wait_for()
    actions = page.locator(".desk-actions")
    expect(actions.get_by_role("button", name="Open entry")).to_be_visible()
    page.get_by_label("Decision", exact=True).fill(
        "Cook to print the menu in 16 point type every Monday and check it at lunch"
    )
    page.get_by_label("Owner").select_option(label="Sam Carer")
    page.get_by_label("Due date").fill((dt.date.today() + dt.timedelta(days=7)).isoformat())
    page.get_by_label("Evidence needed").fill("Photo of each week's menu")
    # Typing on screen, not saved: one press saves it and opens the entry.
    actions.get_by_role("button", name="Save and open").click()
    page.get_by_role("heading", name="Status: Open").wait_for()
    expect(page.get_by_text("cannot be opened without")).to_have_count(0)
    row = manager.get(f"/entries/{bare['id']}")
    assert (row["status"], row["evidence_needed"]) == ("open", "Photo of each week's menu")

    # A click between "Changes saved." and the redraw: held until the screen is redrawn.
    draft = manager.post(
        "/entries",
        {
            "service_id": str(floor.service_id),
            "concern": "Hoist sling labels faded",
            "source": "walkaround",
            "decision": "Deputy to relabel every sling on Monday and check the labels weekly",
            "owner_id": str(floor.carer["id"]),
            "due_date": (dt.date.today() + dt.timedelta(days=5)).isoformat(),
            "evidence_needed": "Sling check sheet",
        },
    )
    gate = Gate()
    page.context.route(re.compile(r".*/api/v1/entries/[^/]+/sign-off$"), gate)
    page.goto(f"/#/desk/log/{draft['id']}")
    page.get_by_role("heading", name="Draft entry").wait_for()
    page.get_by_label("Interim controls").fill("Slings checked by two staff before use")
    gate.closed = True  # the redraw after the save waits here
    with page.expect_response(lambda r: r.request.method == "PATCH") as answer:
        page.get_by_role("button", name="Save changes").click()
    saved = answer.value.json()
    page.get_by_text("Changes saved.").wait_for()
    open_button = page.locator('.desk-actions button[data-action="open"]')
    expect(open_button).to_be_disabled()  # nothing can be pressed until the redraw
    # Even a press that slips through is sent on the saved version, not the one before it.
    with page.expect_response(lambda r: r.url.endswith("/transitions")) as opened:
        open_button.evaluate("b => { b.disabled = false; b.click(); }")
    assert opened.value.status == 200, opened.value.json()
    gate.release_one(page)
    page.locator(f'.desk-entry[data-version="{saved["version"]}"]').wait_for()
    gate.open()
    page.get_by_role("heading", name="Status: Open").wait_for()
    expect(page.get_by_text(STALE)).to_have_count(0)
    assert manager.get(f"/entries/{draft['id']}")["status"] == "open"


class Gate:
    """A route that holds the requests it matches while closed, and lets them go on demand."""

    def __init__(self):
        self.closed, self.waiting = False, []

    def __call__(self, route):
        if self.closed:
            self.waiting.append(route)
        else:
            route.continue_()

    def release_one(self, page):
        while not self.waiting:  # the redraw's request is on its way: let Playwright run
            page.wait_for_timeout(20)
        self.waiting.pop(0).continue_()

    def open(self):
        self.closed = False
        while self.waiting:
            self.waiting.pop(0).continue_()
