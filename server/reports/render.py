"""Render the reports' templates (server/reports/templates) to HTML pages and PDFs.

The filters, CSV and download helpers they share with the evidence pack live in
server.common.rendering.
"""

from pathlib import Path

from server.common.pdf import html_to_pdf
from server.common.rendering import environment

ENV = environment(Path(__file__).parent / "templates")


def render_html(template: str, **context) -> str:
    """Render a template of server/reports/templates to an HTML page."""
    return ENV.get_template(template).render(**context)


def render_pdf(template: str, **context) -> bytes:
    """Render a template to HTML, then to PDF (``print=True`` lets it leave out links)."""
    return html_to_pdf(render_html(template, print=True, **context))
