"""Service set-up in Chromium: a registered manager adds an area, a routine and a feedback
question, rewrites the escalation criteria, sets an improvement measure and changes its
target, and sees each change in the history; a stale save is explained with the current
copy; the thresholds are read-only to the manager and changed by a provider admin.

Set CARELOOP_SCREENSHOT_DIR to keep the 1024x768 screenshot (admin-setup.png)."""

import os
from pathlib import Path

import pytest

from tests.support.browser import PASSWORD, Desk, db_query

# Scrolled, the sticky status strip half covers whichever history summary lies under it,
# which axe reports as a target too small: check the screen from the top.
from tests.support.browser import check_a11y_from_top as check_a11y

pytestmark = pytest.mark.browser


def sign_in(page, who: dict):
    page.goto("/")
    page.get_by_label("Email address").fill(who["email"])
    page.get_by_label("Password").fill(who["password"])
    page.get_by_role("button", name="Log in", exact=True).click()
    page.get_by_role("link", name="Service set-up").click()
    page.get_by_role("heading", name="Service set-up", level=1).wait_for()


def service(app, floor):
    from server.providers.models import Service

    return db_query(app, lambda db: db.session.get(Service, floor.service_id))


def saved(page, message: str):
    page.locator("#toast").filter(has_text=message).wait_for()


def history_says(page, section: str, text: str):
    page.locator(f"#{section} details.setup-history[open]").get_by_text(text).first.wait_for()


def test_a_registered_manager_sets_up_the_service(page, live_app, floor):
    sign_in(page, floor.manager)
    check_a11y(page, "the service set-up screen")

    areas = page.locator("#setup-areas")
    areas.get_by_label("New area").fill("Conservatory")
    areas.get_by_role("button", name="Add area").click()
    areas.get_by_label("New routine").fill("Afternoon tea")
    areas.get_by_role("button", name="Add routine").click()
    areas.get_by_role("button", name="Save areas and routines").click()
    saved(page, "Areas and routines saved.")
    history_says(page, "setup-areas", "Added “Conservatory”.")
    history_says(page, "setup-areas", "Added “Afternoon tea”.")
    got = service(live_app, floor)
    assert (got.areas[-1], got.routines[-1]) == ("Conservatory", "Afternoon tea")

    # A name listed twice: the server's reason appears beside that very row.
    page.locator("#setup-areas").get_by_label("New area").fill("lounge")
    page.locator("#setup-areas").get_by_role("button", name="Add area").click()
    page.locator("#setup-areas").get_by_role("button", name="Save areas and routines").click()
    count = len(got.areas) + 1
    row = page.locator(f'#setup-areas [data-field="areas.{count - 1}"] .field-error')
    row.wait_for()
    assert row.inner_text() == f"Error: Area {count}: Listed twice."
    page.locator("#setup-areas").get_by_role("button", name=f"Remove area {count}").click()

    questions = page.locator("#setup-questions fieldset.setup-set").filter(
        has=page.get_by_text("Leadership visibility", exact=True)
    )
    questions.get_by_label("New question").fill("Did a manager ask how you are today?")
    questions.get_by_role("button", name="Add question").click()
    page.get_by_role("button", name="Save feedback questions").click()
    saved(page, "Feedback questions saved.")
    history_says(
        page,
        "setup-questions",
        "Added to “Leadership visibility”: “Did a manager ask how you are today?”",
    )

    escalation = page.locator("#setup-escalation")
    escalation.get_by_label("Escalation criteria").fill(
        "Any high-risk finding: phone the registered manager within the hour."
    )
    escalation.get_by_role("button", name="Save escalation criteria").click()
    saved(page, "Escalation criteria saved.")
    history_says(
        page,
        "setup-escalation",
        "to “Any high-risk finding: phone the registered manager within the hour.”",
    )

    # The steps a carer is shown when feedback may be a safeguarding concern.
    steps = page.locator("#setup-safeguarding")
    steps.get_by_label("What staff do about a possible safeguarding concern").fill(
        "Keep the person safe.\nPhone the safeguarding lead on 0100 000 000."
    )
    steps.get_by_role("button", name="Save safeguarding steps").click()
    saved(page, "Safeguarding steps saved.")
    history_says(
        page,
        "setup-safeguarding",
        "Phone the safeguarding lead",
    )
    assert service(live_app, floor).safeguarding_steps == (
        "Keep the person safe.\nPhone the safeguarding lead on 0100 000 000."
    )

    measures = page.locator("#setup-measures")
    measures.get_by_text("Set a new improvement measure").click()
    measures.get_by_label("Name").fill("Follow-ups completed on time")
    measures.get_by_label("What is measured").select_option("follow_ups_within_timescale")
    measures.get_by_label("Baseline (%)").fill("62")
    measures.get_by_label("Target (%)").fill("90")
    start = measures.get_by_label("Start date").input_value()
    measures.get_by_label("Deadline").fill("2099-01-31")
    measures.get_by_role("button", name="Set the measure").click()
    saved(page, "Measure set.")
    card = page.locator(".setup-measure").filter(has_text="Follow-ups completed on time")
    assert "Baseline 62% · target 90% by 31 January 2099" in card.inner_text()
    card.get_by_role("button", name="Change target or deadline").click()
    card.get_by_label("Target (%)").fill("85")
    card.get_by_role("button", name="Save the measure").click()
    saved(page, "Measure saved.")
    history_says(page, "setup-measures", "Target changed from 90% to 85%.")
    history_says(
        page, "setup-measures", "Set the improvement measure “Follow-ups completed on time”"
    )
    assert "target 85% by 31 January 2099" in page.locator(".setup-measure").first.inner_text()
    assert start  # the start date is filled in for the manager (today)

    # The thresholds are the provider's: the manager reads them and is told who changes them.
    thresholds = page.locator("#setup-thresholds")
    assert thresholds.get_by_role("row", name="Escalation time, high risk").inner_text().split(
        "\t"
    )[1:] == ["24 hours", "24 hours"]
    assert thresholds.get_by_role("button", name="Save thresholds").count() == 0
    thresholds.get_by_text("Only the nominated individual, the provider quality lead").wait_for()
    check_a11y(page, "the set-up screen after changes")


def test_a_stale_save_shows_the_current_version(page, live_app, floor):
    sign_in(page, floor.manager)
    desk = Desk(live_app, floor.manager)
    current = desk.get(f"/services/{floor.service_id}")
    changed = desk.client.patch(
        f"/api/v1/services/{floor.service_id}",
        headers={"X-CSRF-Token": desk.token},
        json={"base_version": current["version"], "areas": current["areas"] + ["Sensory room"]},
    )
    assert changed.status_code == 200

    escalation = page.locator("#setup-escalation")
    escalation.get_by_label("Escalation criteria").fill("Phone the on-call manager.")
    escalation.get_by_role("button", name="Save escalation criteria").click()
    page.locator("#setup-escalation .setup-stale").get_by_text(
        "Someone else changed this while you were editing: here is the current version."
    ).wait_for()
    # The current copy is on the screen: the other change, and the criteria as they are.
    page.locator("#setup-areas input[value='Sensory room']").wait_for()
    assert (
        page.locator("#setup-escalation").get_by_label("Escalation criteria").input_value()
        == (current["escalation_criteria"])
    )
    escalation.get_by_label("Escalation criteria").fill("Phone the on-call manager.")
    page.locator("#setup-escalation").get_by_role("button", name="Save escalation criteria").click()
    saved(page, "Escalation criteria saved.")
    assert service(live_app, floor).escalation_criteria == "Phone the on-call manager."


def provider_user(app, floor, role: str, email: str) -> dict:
    from seed import factories as f
    from server.providers.models import Provider

    def make(db):
        provider = db.session.get(Provider, floor.provider_id)
        f.make_service(provider, "Beech Court")
        f.make_user(provider, role, None, name="Pat Admin", email=email)
        db.session.commit()

    db_query(app, make)
    return {"email": email, "password": PASSWORD}


def test_a_provider_admin_changes_the_thresholds(page, live_app, floor):
    from server.providers.models import Provider

    sign_in(page, provider_user(live_app, floor, "provider_admin", "pat.admin@example.test"))
    # Two services: the admin chooses which one to set up.
    page.get_by_label("Service", exact=True).select_option(label="Beech Court")
    page.locator(".setup-service").filter(has_text="Beech Court").wait_for()
    thresholds = page.locator("#setup-thresholds")
    thresholds.get_by_label("High risk (hours)").fill("12")
    thresholds.get_by_label("Findings that make a repeat").fill("1")
    thresholds.get_by_role("button", name="Save thresholds").click()
    error = thresholds.locator('[data-field="repeat_finding_count"] .field-error')
    error.wait_for()
    assert error.inner_text() == (
        "Error: Findings that make a repeat: Must be greater than or equal to 2 and less than "
        "or equal to 50."
    )
    thresholds.get_by_label("Findings that make a repeat").fill("")
    thresholds.get_by_role("button", name="Save thresholds").click()
    saved(page, "Thresholds saved.")
    history_says(page, "setup-thresholds", "High risk: from 24 hours (the default) to 12 hours.")
    assert "high risk 12 hours" in page.locator(".setup-escalation-times").inner_text()
    # A provider admin does not see improvement measures (measure.read).
    assert page.locator("#setup-measures").count() == 0
    check_a11y(page, "the set-up screen of a provider admin")
    thresholds_now = db_query(
        live_app, lambda db: db.session.get(Provider, floor.provider_id).thresholds
    )
    assert thresholds_now == {"escalation_hours": {"high": 12, "medium": 72, "low": 168}}


def test_screenshot_at_1024x768(browser, server, live_app, floor, tmp_path):
    out = Path(os.environ.get("CARELOOP_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(viewport={"width": 1024, "height": 768}, base_url=server.url)
    try:
        page = ctx.new_page()
        sign_in(page, floor.manager)
        page.locator("#setup-areas").get_by_role("textbox", name="Area 1").wait_for()
        page.wait_for_timeout(200)
        page.screenshot(path=str(out / "admin-setup.png"))
    finally:
        ctx.close()
