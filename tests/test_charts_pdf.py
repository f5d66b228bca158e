"""Server-side charts (pygal SVG) and the PDF maker (WeasyPrint): shared by desk and reports."""

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from server.charts import measure_chart
from server.common.pdf import html_to_pdf


def _detail(values):
    start = date(2026, 9, 7)
    return {
        "name": "High-risk findings escalated in time",
        "target": 90.0,
        "baseline": 55.0,
        "deadline": date(2027, 1, 31),
        "series": [
            {"week_start": start + timedelta(weeks=i), "value": v} for i, v in enumerate(values)
        ],
        "progress": {"latest_value": next((v for v in reversed(values) if v is not None), None)},
    }


def test_chart_is_inline_svg_with_a_spoken_summary_and_no_script():
    svg = measure_chart(_detail([50, 60, None, 72]))
    assert svg.startswith("<svg ")
    assert (
        'aria-label="High-risk findings escalated in time: latest 72%, target 90% by '
        '31 January 2027."' in svg
    )
    assert "<script" not in svg and "http://kozea" not in svg.replace("xmlns", "")
    for label in ("Weekly value", "Target 90%", "Baseline 55%", "7 Sep", "28 Sep"):
        assert label in svg


def test_chart_of_a_measure_with_no_weeks_says_so():
    svg = measure_chart(_detail([]))
    assert "no data yet, target 90%" in svg
    assert "No weeks yet" in svg


def test_pdf_carries_the_text_and_the_chart_labels():
    html = (
        f'<html><head><link rel="stylesheet" href="/css/app.css"></head><body>'
        f"<h1>Governance report</h1>{measure_chart(_detail([50, 80]))}</body></html>"
    )
    text = PdfReader(io.BytesIO(html_to_pdf(html))).pages[0].extract_text()
    assert "Governance report" in text
    assert "Target 90%" in text


def test_pdf_refuses_to_fetch_anything_from_outside():
    from weasyprint.urls import FatalURLFetchingError

    with pytest.raises(FatalURLFetchingError):
        html_to_pdf('<img src="http://example.com/tracker.png">')
