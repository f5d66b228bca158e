"""What every report shares on its way out: Jinja filters, one way to build an environment,
CSV cells a spreadsheet will not run, file names, and the download response.

Charts go in as ``data:`` images (``chart_img``): the page's CSP refuses the <style> inside
an inline SVG, while an SVG image keeps its own styles, in the browser and in WeasyPrint alike.
"""

import base64
import csv
import io
import re
from datetime import date, datetime
from pathlib import Path

from flask import Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from server.common.dates import london_date

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ARIA = re.compile(r'aria-label="([^"]*)"')


def day(value) -> str:
    """'3 October 2026' for a date (a moment: its London day); '' for none."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = london_date(value)
    return f"{value.day} {value:%B %Y}"


def short_day(value: date | None) -> str:
    return "" if value is None else f"{value.day} {value:%b %Y}"


def percent(value) -> str:
    return "–" if value is None else f"{value:g}%"


def words(code: str | None) -> str:
    """A vocabulary code in plain words: 'in_progress' -> 'In progress'."""
    return (code or "").replace("_", " ").capitalize()


def chart_img(svg: str, css_class: str = "chart") -> Markup:
    """Return an <img> carrying ``svg`` as a data: URL, its alt text taken from aria-label."""
    found = _ARIA.search(svg)
    alt = found.group(1) if found else "Chart"
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return Markup('<img class="{}" src="data:image/svg+xml;base64,{}" alt="{}">').format(
        css_class, Markup(data), Markup(alt)
    )  # alt is already escaped by server.charts


FILTERS = {
    "day": day,
    "short_day": short_day,
    "percent": percent,
    "words": words,
    "chart_img": chart_img,
}


def environment(templates: Path, **filters) -> Environment:
    """Build a Jinja environment over ``templates``: autoescape on, the shared filters and
    the package's own ``filters``."""
    env = Environment(
        loader=FileSystemLoader(templates),
        autoescape=select_autoescape(("html", "xml"), default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS, **filters)
    return env


def csv_safe(value) -> str:
    """Return a CSV cell a spreadsheet will show as text, never run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        value = value.isoformat(timespec="minutes")
    elif isinstance(value, date):
        value = value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: list[str], rows) -> str:
    """Write a header and rows as CSV text, every cell passed through csv_safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_safe(h) for h in header])
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return out.getvalue()


def slug(text: str) -> str:
    """'Brightwater Care Group' -> 'brightwater-care-group' (for file names)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "report"


def download(body, mimetype: str, filename: str, inline: bool = False) -> Response:
    """A response that the browser saves as ``filename`` (or shows, when ``inline``)."""
    response = Response(body, mimetype=mimetype)
    kind = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{kind}; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
