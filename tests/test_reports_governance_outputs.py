"""The monthly governance report as printed: the HTML page, the PDF's text and the CSV,
checked against the hand-built log in tests/support/reports_governance.py."""

import csv
import io
import uuid

import pytest
from pypdf import PdfReader

from server.extensions import db
from tests.support import reports_governance as shared
from tests.support.framework import ensure_default_framework
from tests.support.reports_governance import BOTH, URL, at, d, entry, get_json

# pytest finds fixtures among a module's globals: these come from tests/support/reports_governance.py.
frozen = shared.frozen
log = shared.log


@pytest.mark.db
def test_html_page_shows_the_figures_and_passes_the_csp(world, log, login):
    client = login(world.users["nominated_individual"])
    response = client.get(URL + ".html?month=2026-10")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.headers["Content-Disposition"] == (
        'inline; filename="careloop-governance-2026-10-brightwater-care.html"'
    )
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    assert "<script" not in html and "style=" not in html
    assert "<h1>Governance report: October 2026</h1>" in html
    for text in (
        '<td class="num">7</td>',
        '<td class="num">50%</td>',
        "2 of the 4 entries closed in the month",
        "66.7%",
        "Beech Court",
        "Two-hourly checks by the nurse in charge",
        "None recorded",
        "Evidence predates the action",
        "S1 Learning culture",
        'href="/api/v1/reports/governance.csv?month=2026-10"',
        'href="/css/report.css"',
        'src="data:image/svg+xml;base64,',
        "90% of follow-ups within timescale: latest 0%, target 90%",
    ):
        assert text in html, text
    # A concern is text, never markup.
    assert "=cmd|&#39; /C calc&#39;!A0" in html


@pytest.mark.db
def test_pdf_text_has_the_title_names_and_numbers(world, log, login):
    client = login(world.users["nominated_individual"])
    response = client.get(
        URL + ".pdf", query_string={"month": "2026-10", "service_id": world.home.id}
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="careloop-governance-2026-10-ashdown-house.pdf"'
    )
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for words in (
        "Governance report: October 2026",
        "Ashdown House",
        "Counted as at the end of 31 October 2026",
        "66.7%",
        "2 of the 3 entries closed in the month",
        "Target 90%",
        "Weekly value",
        "E10 warfarin signatures",
        "Evidence predates the action",
        "Page 1 of",
    ):
        assert words in text, words


@pytest.mark.db
def test_csv_has_one_row_per_entry_of_the_month_and_no_formulas(world, log, login):
    client = login(world.users["nominated_individual"])
    response = client.get(URL + ".csv?month=2026-10")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="careloop-governance-2026-10-brightwater-care.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    e = log
    # Every entry open at some moment of October: not E7 (closed in Sept), E8 (draft), E9.
    live = ["E1", "E2", "E3", "E4", "E5", "E6", "E10", "E11", "B1", "B2", "B3"]
    assert sorted(uuid.UUID(r["Entry id"]) for r in rows) == sorted(e[k].id for k in live)
    by_id = {uuid.UUID(r["Entry id"]): r for r in rows}
    for column, figure in (
        ("Opened in the month", "opened"),
        ("Closed in the month", "closed"),
        ("Overdue at month end", "overdue"),
        ("Past due, waiting for check or sign-off at month end", "past_due_waiting"),
        ("Completed within timescale", "closed_within_timescale"),
        ("High risk and open at month end", "high_risk_open"),
    ):
        assert sum(r[column] == "yes" for r in rows) == BOTH[figure], column
    e4 = by_id[e["E4"].id]
    assert (
        e4["Service"],
        e4["Original due date"],
        e4["Due date at month end"],
        e4["Times carried forward"],
        e4["Overdue at month end"],
    ) == ("Ashdown House", "2026-10-28", "2026-10-28", "1", "yes")
    assert by_id[e["E3"].id]["Quality statements"] == "S1; S2"
    assert by_id[e["E3"].id]["Opened on"] == "2026-10-01"
    assert by_id[e["B3"].id]["Concern"] == "'=cmd|' /C calc'!A0"
    assert [r["Service"] for r in rows][-3:] == ["Beech Court"] * 3
    assert list(rows[0]) == [
        "Service",
        "Entry id",
        "Concern",
        "Source",
        "Risk",
        "Status now",
        "Owner",
        "Decision",
        "Evidence needed",
        "Interim controls",
        "Original due date",
        "Due date at month end",
        "Times carried forward",
        "Opened on",
        "First marked done on",
        "Closed on",
        "Opened in the month",
        "Closed in the month",
        "Overdue at month end",
        "Past due, waiting for check or sign-off at month end",
        "Completed within timescale",
        "High risk and open at month end",
        "Quality statements",
        "Escalation decision",
        "Escalation decided on",
        "Safeguarding follow-through",
        "Marked done by",
        "Checked by",
        "Signed off by",
        "Signed off on",
        "In the appendix",
    ]


def test_csv_safe_cells():
    from server.common.rendering import csv_safe

    assert [
        csv_safe(v)
        for v in ("=1+1", "+44 1234", "-2", "@SUM(A1)", "\tx", "plain", None, True, d(3))
    ] == ["'=1+1", "'+44 1234", "'-2", "'@SUM(A1)", "'\tx", "plain", "", "yes", "2026-10-03"]


@pytest.mark.db
def test_a_long_list_is_summarised_with_a_link_to_the_csv(world, login):
    ensure_default_framework()
    for n in range(27):
        entry(world, world.home, f"Overdue action {n:02d}", opened=at(1, 9), due=d(1))
    db.session.commit()
    client = login(world.users["provider_quality_lead"])
    report = get_json(client)
    assert report["overdue"]["total"] == 27 and len(report["overdue"]["items"]) == 25
    html = client.get(URL + ".html?month=2026-10").get_data(as_text=True)
    assert (
        'and 2 more overdue entries — <a href="/api/v1/reports/governance.csv?'
        'month=2026-10">see the CSV</a>'
    ) in html
    assert html.count(">Overdue action ") == 25
    pdf = client.get(URL + ".pdf?month=2026-10").data
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "and 2 more overdue entries — see the CSV of the month's entries" in text
