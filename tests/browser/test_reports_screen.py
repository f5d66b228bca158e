"""The Reports screen in Chromium: a registered manager chooses a month, opens the
governance report (which passes the page's CSP and axe-core), sees the PDF and CSV links
follow the choice, and is told beside the field when an evidence-pack period is back to front."""

import datetime as dt
import os
from pathlib import Path

import pytest

from tests.support.browser import check_a11y, log_in

pytestmark = pytest.mark.browser


def _this_month() -> str:
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo("Europe/London")).strftime("%Y-%m")


def _last_month() -> str:
    first = dt.date.fromisoformat(_this_month() + "-01")
    return (first - dt.timedelta(days=1)).strftime("%Y-%m")


def test_choose_a_month_and_open_the_governance_report(page, context, live_app, floor, tmp_path):
    refused = []
    context.on(
        "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None
    )
    log_in(page, floor.manager)
    page.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_role("heading", name="Reports", exact=True).wait_for()
    page.get_by_role("heading", name="Monthly governance report").wait_for()

    month = page.get_by_label("Month", exact=True)
    assert month.input_value() == _last_month()
    pdf = page.get_by_role("link", name="Download PDF")
    assert pdf.get_attribute("href") == (
        f"/api/v1/reports/governance.pdf?month={_last_month()}&service_id={floor.service_id}"
    )
    check_a11y(page, "the Reports screen")
    page.set_viewport_size({"width": 1024, "height": 768})
    page.screenshot(
        path=str(
            Path(os.environ.get("CARELOOP_SCREENSHOT_DIR") or tmp_path) / "28-desk-reports.png"
        ),
        full_page=True,
    )

    month.fill(_this_month())
    csv_link = page.get_by_role("link", name="Download CSV")
    assert csv_link.get_attribute("href") == (
        f"/api/v1/reports/governance.csv?month={_this_month()}&service_id={floor.service_id}"
    )
    with context.expect_page() as opened:
        page.get_by_role("link", name="Open report").click()
    report = opened.value
    report.wait_for_load_state()
    label = dt.date.fromisoformat(_this_month() + "-01").strftime("%B %Y")
    report.get_by_role("heading", name=f"Governance report: {label}").wait_for()
    figures = report.locator("table.figures")
    assert "Entries opened 1" in " ".join(figures.inner_text().split())
    assert report.get_by_text("Call bells in the lounge were not answered").count() >= 1
    assert (
        report.get_by_role("link", name="Download PDF")
        .get_attribute("href")
        .endswith(f"governance.pdf?month={_this_month()}&service_id={floor.service_id}")
    )
    check_a11y(report, "the governance report page")
    assert refused == []


def test_evidence_pack_period_back_to_front_is_named_beside_the_field(page, floor):
    log_in(page, floor.manager)
    page.goto("/#/desk/reports")
    page.get_by_role("heading", name="Evidence pack for inspection").wait_for()
    assert page.get_by_label("Framework", exact=True).input_value() == "saf-2023"
    page.get_by_label("From", exact=True).fill("2026-06-30")
    page.get_by_label("To", exact=True).fill("2026-06-01")
    page.get_by_role("link", name="Open evidence pack").click()
    page.get_by_text("Error: The last day must not be before the first.").wait_for()
    assert page.url.endswith("#/desk/reports")
    page.get_by_label("To", exact=True).fill("2026-07-31")
    link = page.get_by_role("link", name="Download evidence pack PDF")
    assert link.get_attribute("href") == (
        f"/api/v1/reports/evidence-pack.pdf?service_id={floor.service_id}"
        "&from=2026-06-30&to=2026-07-31&framework=saf-2023"
    )
