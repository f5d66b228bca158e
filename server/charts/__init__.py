"""Charts drawn on the server as SVG by pygal, shared by the oversight dashboard and the PDFs.

The same SVG goes into a desk screen and into a WeasyPrint PDF, where no JavaScript runs, so
pygal's own tooltip script is switched off (``js=()``) and nothing is fetched at run time.
"""

import re
from datetime import date

import pygal
from markupsafe import escape
from pygal.style import Style

# Careloop's palette: the measure in the theme colour, the target in a dark amber, the
# baseline in grey; each contrasts with white at 3:1 or better (WCAG 2.2 non-text contrast).
STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#0b5d6b", "#8a4b00", "#616e7c"),
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    title_font_size=16,
    value_font_size=12,
    guide_stroke_color="#d9e2ec",
    major_guide_stroke_color="#bcccdc",
    guide_stroke_dasharray="0",
    major_guide_stroke_dasharray="0",
)


_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S)


def _week_label(day: date) -> str:
    return f"{day.day} {day:%b}"


def measure_chart(detail: dict, *, width: int = 640, height: int = 300) -> str:
    """Return an SVG line chart of a measure's weekly values against its target and baseline.

    ``detail`` is what ``server.measures.services.measure_detail`` returns.
    """
    series = detail["series"]
    labels = [_week_label(point["week_start"]) for point in series] or ["No weeks yet"]
    chart = pygal.Line(
        style=STYLE,
        width=width,
        height=height,
        js=(),
        disable_xml_declaration=True,
        explicit_size=False,
        range=(0, 100),
        include_x_axis=True,
        show_dots=True,
        dots_size=4,
        stroke_style={"width": 3},
        legend_at_bottom=True,
        legend_at_bottom_columns=3,
        x_label_rotation=0 if len(labels) <= 8 else 30,
        show_minor_x_labels=len(labels) <= 13,
        x_labels_major_every=max(1, len(labels) // 6),
        truncate_label=-1,
        y_title="%",
        print_values=False,
        value_formatter=lambda v: f"{v:g}%",
        title=detail["name"],
        tooltip_border_radius=0,
    )
    chart.x_labels = labels
    values = [point["value"] for point in series] or [None]
    chart.add("Weekly value", values, allow_interruptions=True)
    chart.add(
        f"Target {detail['target']:g}%",
        [detail["target"]] * len(labels),
        show_dots=False,
        stroke_style={"width": 2, "dasharray": "8, 6"},
    )
    chart.add(
        f"Baseline {detail['baseline']:g}%",
        [detail["baseline"]] * len(labels),
        show_dots=False,
        stroke_style={"width": 2, "dasharray": "2, 4"},
    )
    svg = chart.render(is_unicode=True)
    return _labelled(svg, detail)


def _labelled(svg: str, detail: dict) -> str:
    """Give the SVG an accessible name and a text summary a screen reader can read."""
    latest = detail["progress"]["latest_value"]
    summary = (
        f"{detail['name']}: latest {latest:g}%"
        if latest is not None
        else f"{detail['name']}: no data yet"
    )
    summary += f", target {detail['target']:g}% by {detail['deadline']:%-d %B %Y}."
    # pygal always writes its config as an inline script; nothing runs it (no pygal JS is
    # loaded, PDFs run no scripts) and the page's CSP would refuse it, so it goes.
    svg = _SCRIPT.sub("", svg)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(summary)}" ', 1)
