"""Oversight: early warnings, review cadence, the dashboard and its measure charts."""

import uuid

from flask import Response
from flask_login import current_user

from server.api.http import ApiBlueprint
from server.charts import measure_chart
from server.common.access import get_in_service, service_scope
from server.common.dates import london_today
from server.log.figures import describe
from server.measures.models import ImprovementMeasure
from server.measures.services import measure_detail
from server.oversight.cadence import review_cadence
from server.oversight.dashboard import dashboard
from server.oversight.plain import json_response
from server.oversight.records import warning_records
from server.oversight.schemas import (
    DashboardQuerySchema,
    DashboardSchema,
    EarlyWarningsQuerySchema,
    EarlyWarningsSchema,
    FigureListSchema,
    OversightQuerySchema,
    ReviewCadenceSchema,
    WarningRecordsQuerySchema,
    WarningRecordsSchema,
)
from server.oversight.warnings import warnings_report
from server.providers.models import Provider
from server.providers.services import own_provider

blp = ApiBlueprint("oversight", __name__)


def _scope(user, service_id: uuid.UUID | None) -> tuple[Provider, list[uuid.UUID] | None]:
    """The user's provider and the services they may oversee (None: all of them)."""
    ids = service_scope(
        user,
        service_id,
        "oversight.read",
        "Your role does not allow seeing early warnings and review cadence",
    )
    return own_provider(user), ids


@blp.route("/early-warnings")
@blp.arguments(EarlyWarningsQuerySchema, location="query")
@blp.response(200, EarlyWarningsSchema)
def early_warnings(args):
    """Early-warning signals per service, each with its reason and the worst records behind it."""
    provider, ids = _scope(current_user, args.get("service_id"))
    # The schema's dump, compiled (server/oversight/plain.py): ten thousand records named.
    report = warnings_report(provider, ids, refs=args["refs"], text_ids=True)
    return json_response(EarlyWarningsSchema, report)


@blp.route("/early-warnings/records")
@blp.arguments(WarningRecordsQuerySchema, location="query")
@blp.response(200, WarningRecordsSchema)
def early_warning_records(args):
    """The records behind one early warning of one service, in words, worst or newest first."""
    provider, _ = _scope(current_user, args["service_id"])
    return warning_records(provider, args["service_id"], args["signal"])


@blp.route("/figures")
@blp.response(200, FigureListSchema)
def figures():
    """What each figure of the log counts, in words, and the log filter that lists it."""
    return {"items": describe()}


@blp.route("/review-cadence")
@blp.arguments(OversightQuerySchema, location="query")
@blp.response(200, ReviewCadenceSchema)
def cadence(args):
    """When the RM and the provider last reviewed each service's log, and what is due."""
    provider, ids = _scope(current_user, args.get("service_id"))
    today = london_today()
    return ReviewCadenceSchema().dump(
        {"as_of": today, "services": review_cadence(provider, ids, today)}
    )


@blp.route("/oversight/dashboard")
@blp.arguments(DashboardQuerySchema, location="query")
@blp.response(200, DashboardSchema)
def oversight_dashboard(args):
    """Services ranked by where grip is slipping, with counts, warnings, reviews and measures."""
    provider, ids = _scope(current_user, args.get("service_id"))
    page = dict(page=args["page"], per_page=args["per_page"], slipping_only=args["slipping"])
    return json_response(DashboardSchema, dashboard(provider, ids, **page))


# The chart is an image for <img> and for the PDFs: no script runs in it, and its own
# policy lets only its inline pygal styles apply.
CHART_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


@blp.route("/measures/<measure_id>/chart.svg", tags=["measures"])
@blp.doc(
    summary="A measure's weekly figure against its target and baseline, as an SVG "
    "chart (image/svg+xml)"
)
@blp.response(200, content_type="image/svg+xml")
def measure_chart_svg(measure_id):
    """Draw a measure's weekly figure against its target as an SVG image."""
    measure = get_in_service(
        current_user, ImprovementMeasure, measure_id, "measure.read", "improvement measure"
    )
    response = Response(measure_chart(measure_detail(measure)), mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_POLICY
    response.headers["Cache-Control"] = "private, no-cache"
    return response
