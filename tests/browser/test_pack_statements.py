"""Quality statements in Chromium: at triage the manager sees statements suggested from
the finding's area and words, with why, ticks one and another from the list, and the new
entry carries both; on the Reports screen, statements picked for the pack go into its
address and the pack says on its cover what it covers."""

import re
import uuid

import pytest

from tests.support.browser import check_a11y_from_top, db_query, log_in, make_provider_user
from tests.support.pack_statements import load_both_frameworks, record_medication_finding

pytestmark = pytest.mark.browser


def tags(app, entry_id) -> list[str]:
    from server.log.models import LogEntry

    return db_query(
        app, lambda db: sorted(s.id for s in db.session.get(LogEntry, entry_id).statements)
    )


SUGGESTED_S8 = re.compile(r"^S8 Medicines optimisation Suggested because the area is")


def test_choose_statements_at_triage_and_for_a_pack(desk, server, floor):
    load_both_frameworks(server.app)  # the 2026 draft sorts first by id, yet is not in force
    record_medication_finding(server.app, floor)
    page = desk()
    log_in(page, floor.manager)
    page.goto("/#/desk/inbox")
    page.get_by_role("checkbox", name="MAR chart not signed").check()
    suggested = page.get_by_role("checkbox", name=SUGGESTED_S8)
    suggested.wait_for()
    assert "the words mention “MAR chart”" in suggested.locator("xpath=..").inner_text()
    assert not suggested.is_checked()  # the manager confirms: nothing is ticked for them
    suggested.check()
    check_a11y_from_top(page, "the triage inbox with suggested statements")
    page.get_by_text("All quality statements").click()
    assert page.get_by_role("checkbox", name="S8 Medicines optimisation", exact=True).is_checked()
    page.get_by_role("checkbox", name="W5 Governance, management and sustainability").check()
    page.get_by_text("Chosen: S8, W5.").wait_for()
    page.get_by_role("button", name="Create draft entry").click()
    page.get_by_role("heading", name="Draft entry").wait_for()
    entry_id = uuid.UUID(page.url.rsplit("/", 1)[1])
    assert tags(server.app, entry_id) == ["saf-2023:S8", "saf-2023:W5"]
    # The entry form shows them ticked, and a change goes through the entry's one write path.
    page.get_by_text("Chosen: S8, W5.").wait_for()
    page.get_by_text("All quality statements").click()
    page.get_by_role("checkbox", name="W5 Governance, management and sustainability").uncheck()
    before = page.locator(".desk-entry").get_attribute("data-version")
    page.get_by_role("button", name="Save changes").click()
    page.locator(f'.desk-entry:not([data-version="{before}"])').wait_for()
    assert tags(server.app, entry_id) == ["saf-2023:S8"]

    page.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_role("heading", name="Evidence pack for inspection").wait_for()
    framework = page.get_by_label("Framework", exact=True)
    assert framework.input_value() == "saf-2023"
    assert "(in force)" in framework.locator("option:checked").inner_text()
    pack = page.locator("section").filter(has_text="Evidence pack for inspection")
    pack.get_by_text("All quality statements").click()
    pack.get_by_role("checkbox", name="S8 Medicines optimisation", exact=True).check()
    link = page.get_by_role("link", name="Open evidence pack")
    href = link.get_attribute("href")
    assert "framework=saf-2023&statement_ids=saf-2023%3AS8" in href
    check_a11y_from_top(page, "the Reports screen with statements")
    page.goto(href)
    page.get_by_text("Quality statements chosen: S8 Medicines optimisation").wait_for()
    assert page.get_by_text("MAR chart not signed after the lunchtime round.").count() == 1
    assert page.get_by_text("Call bells in the lounge were not answered").count() == 0


def test_the_nominated_individual_sets_the_framework_in_force(desk, server, floor):
    load_both_frameworks(server.app)
    ni = make_provider_user(
        server.app, floor, "nominated_individual", "Nia Lead", "nia.lead@example.test"
    )
    page = desk()
    log_in(page, ni)
    page.get_by_role("link", name="Service set-up").click()
    section = page.locator("#setup-framework")
    section.get_by_text("In force: CQC single assessment framework: quality statements").wait_for()
    choice = section.get_by_label("Framework in force")
    assert choice.input_value() == "saf-2023"
    choice.select_option("asc-2026-draft")
    section.get_by_role("button", name="Save framework in force").click()
    page.get_by_text("In force: Adult social care assessment framework").wait_for()
    check_a11y_from_top(page, "the set-up screen's framework in force")
    assert db_query(server.app, lambda db: _framework_of(db, floor)) == "asc-2026-draft"

    page.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_role("heading", name="Evidence pack for inspection").wait_for()
    assert page.get_by_label("Framework", exact=True).input_value() == "asc-2026-draft"
    pack = page.locator("section").filter(has_text="Evidence pack for inspection")
    pack.get_by_text("All quality statements").click()
    pack.get_by_role("checkbox", name="SA4 Medicines", exact=True).wait_for()


def _framework_of(db, floor):
    from server.providers.models import Provider

    return db.session.get(Provider, floor.provider_id).framework_id
