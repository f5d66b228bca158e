"""Report routes: the monthly governance report as JSON, an HTML page, a PDF and a CSV."""

from flask import url_for
from flask_login import current_user

from server.api.http import ApiBlueprint
from server.common.rendering import download, slug
from server.reports.governance import governance_report
from server.reports.governance_csv import governance_csv as month_csv
from server.reports.render import render_html, render_pdf
from server.reports.schemas import GovernanceQuerySchema, GovernanceReportSchema

blp = ApiBlueprint("reports", __name__)

HTML = "text/html"


def _links(args: dict) -> dict:
    """The addresses of the same report in each format (the page links to them)."""
    query = {"month": f"{args['month']:%Y-%m}"}
    if args.get("service_id"):
        query["service_id"] = str(args["service_id"])
    return {kind: url_for(f"reports.governance_{kind}", **query) for kind in ("html", "pdf", "csv")}


def _filename(report: dict, ext: str) -> str:
    return f"careloop-governance-{report['month']}-{slug(report['title'])}.{ext}"


def _printable(args: dict) -> tuple[dict, dict]:
    """The report asked for, with its charts, and the links to its other formats."""
    report = governance_report(current_user, **args, charts=True)
    return report, _links(args)


@blp.route("/reports/governance")
@blp.arguments(GovernanceQuerySchema, location="query")
@blp.response(200, GovernanceReportSchema)
def governance_json(args):
    """The month's governance report for one service or the whole provider, as data."""
    return GovernanceReportSchema().dump(governance_report(current_user, **args))


@blp.route("/reports/governance.html")
@blp.doc(summary="The month's governance report as a printable HTML page (text/html)")
@blp.arguments(GovernanceQuerySchema, location="query")
@blp.response(200, content_type=HTML)
def governance_html(args):
    """The month's governance report as a printable page."""
    report, links = _printable(args)
    page = render_html("governance.html", report=report, links=links, print=False)
    return download(page, HTML, _filename(report, "html"), inline=True)


@blp.route("/reports/governance.pdf")
@blp.doc(summary="The month's governance report as a PDF (application/pdf)")
@blp.arguments(GovernanceQuerySchema, location="query")
@blp.response(200, content_type="application/pdf")
def governance_pdf(args):
    """The month's governance report as a PDF."""
    report, links = _printable(args)
    pdf = render_pdf("governance.html", report=report, links=links)
    return download(pdf, "application/pdf", _filename(report, "pdf"))


@blp.route("/reports/governance.csv")
@blp.doc(summary="The month's entries as CSV, one row per entry (text/csv)")
@blp.arguments(GovernanceQuerySchema, location="query")
@blp.response(200, content_type="text/csv")
def governance_csv(args):
    """The month's entries as CSV, one row per entry."""
    scope, text = month_csv(current_user, **args)
    name = f"careloop-governance-{args['month']:%Y-%m}-{slug(scope.title)}.csv"
    # A byte-order mark tells spreadsheets the file is UTF-8 (names, dashes, accents).
    return download("\ufeff" + text, "text/csv", name)
