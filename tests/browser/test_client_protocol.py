"""The client's side of the sync protocol, with the server's sync endpoints answered in the
browser (FakeSync): what a push carries, and what each result does to the outbox."""

import pytest

from tests.browser.conftest import FakeSync, check_a11y, entry_change, log_in
from tests.browser.test_offline_capture import record_finding

pytestmark = pytest.mark.browser


def test_push_carries_protocol_fields_and_rejection_stays_visible(page, context, server, floor):
    fake = FakeSync(
        context,
        server,
        reject=lambda m: (
            "Risk must be one of: low, medium, high."
            if "fridge" in m["changes"].get("description", "")
            else None
        ),
    )
    log_in(page, floor.carer)
    record_finding(page, "Lounge", "Call bell rang for six minutes.", "High", "Yes")
    record_finding(page, "Kitchen", "The fridge door was left open.", "Low", "No")
    record_finding(page, "Garden", "Gate latch broken.", "Medium", "Yes")
    strip = page.locator("#status-strip")
    strip.filter(has_text="nothing waiting").filter(has_text="1 needs attention").wait_for()

    mutations = [m for push in fake.pushes for m in push["mutations"]]
    assert [m["changes"]["area"] for m in mutations] == ["Lounge", "Kitchen", "Garden"]
    assert [m["seq"] for m in mutations] == [1, 2, 3]
    assert len({m["mutation_id"] for m in mutations}) == 3
    first = mutations[0]
    assert fake.pushes[0]["protocol_version"] == 1
    assert fake.pushes[0]["device_id"] == fake.device_id
    assert first["device_id"] == fake.device_id
    assert first["author_id"] == str(floor.carer["id"])
    assert (first["entity_type"], first["op"], first["base_version"]) == ("finding", "create", None)
    assert first["changes"]["service_id"] == str(floor.service_id)
    assert first["changes"]["kind"] == "walkaround_issue"
    assert first["changes"]["people_involved"] == "R-1042"

    # The rejection is told with its reason and stays until the user removes it.
    page.reload()
    strip.filter(has_text="1 needs attention").wait_for()
    strip.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Reason: Risk must be one of: low, medium, high.").wait_for()
    dialog.get_by_text("The fridge door was left open.", exact=False).wait_for()
    check_a11y(page, "the status dialog with a rejection")
    dialog.get_by_role("button", name="I have read this – remove it").click()
    dialog.get_by_text("Reason:").wait_for(state="detached")
    page.get_by_role("button", name="Close").click()
    assert "attention" not in strip.inner_text()


def test_mark_done_note_and_evidence_go_through_outbox(page, context, server, floor):
    fake = FakeSync(context, server, changes=[entry_change(server.app, floor.entry_id)])
    log_in(page, floor.carer)
    page.get_by_role("link", name="My actions").click()
    check_a11y(page, "my actions")
    page.get_by_role("link", name="check call bell response times", exact=False).click()
    page.get_by_label("Note", exact=True).fill(
        "Checked the log at lunch on Monday: all under 3 minutes."
    )
    page.get_by_role("button", name="Add note").click()
    page.get_by_text("Checked the log at lunch on Monday", exact=False).first.wait_for()
    page.get_by_label("Type of evidence").select_option("care_record")
    page.get_by_label("Where it is kept").fill("Call bell log, week 12")
    page.get_by_role("button", name="Add evidence").click()
    page.get_by_text("Care record: Call bell log, week 12").wait_for()
    page.get_by_label("What was done").fill("Daily checks done for a week.")
    page.get_by_role("button", name="Mark done for checking").click()
    page.get_by_text("Done – waiting for check").wait_for()
    page.locator("#status-strip").filter(has_text="nothing waiting").wait_for()

    sent = {(m["entity_type"], m["op"]): m for p in fake.pushes for m in p["mutations"]}
    entry_id = str(floor.entry_id)
    assert sent[("note", "append")]["changes"]["entry_id"] == entry_id
    assert sent[("evidence", "append")]["changes"]["type"] == "care_record"
    done = sent[("log_entry", "transition")]
    assert done["entity_id"] == entry_id
    assert done["transition"] == {"action": "mark_done", "reason": "Daily checks done for a week."}
    assert done["base_values"] == {"status": "open"}
    assert isinstance(done["base_version"], int) and done["base_version"] >= 1
