"""Oversight: early warnings, review cadence, the dashboard and its measure charts."""

import uuid

from flask import Response
from flask_login import current_user, login_required

from server.api.http import endpoint, query_args
from server.charts import measure_chart
from server.common.access import get_in_service, service_scope
from server.common.dates import london_today
from server.extensions import db
from server.measures.models import ImprovementMeasure
from server.measures.services import measure_detail
from server.oversight.cadence import review_cadence
from server.oversight.dashboard import dashboard
from server.oversight.plain import dumper, json_response
from server.oversight.schemas import (
    DashboardQuerySchema,
    DashboardSchema,
    EarlyWarningsQuerySchema,
    EarlyWarningsSchema,
    OversightQuerySchema,
    ReviewCadenceSchema,
)
from server.oversight.warnings import warnings_report
from server.providers.models import Provider


def _scope(user, service_id: uuid.UUID | None) -> tuple[Provider, list[uuid.UUID] | None]:
    """The user's provider and the services they may oversee (None: all of them)."""
    ids = service_scope(
        user,
        service_id,
        "oversight.read",
        "Your role does not allow seeing early warnings and review cadence",
    )
    return db.session.get(Provider, user.provider_id), ids


@endpoint("/early-warnings", query=EarlyWarningsQuerySchema, response=EarlyWarningsSchema)
@login_required
def early_warnings():
    """Early-warning signals per service, each with its reason and the worst records behind it."""
    args = query_args(EarlyWarningsQuerySchema())
    provider, ids = _scope(current_user, args.get("service_id"))
    # The schema's dump, compiled (server/oversight/plain.py): ten thousand records named.
    return json_response(
        dumper(EarlyWarningsSchema)(
            warnings_report(provider, ids, refs=args["refs"], text_ids=True)
        )
    )


@endpoint("/review-cadence", query=OversightQuerySchema, response=ReviewCadenceSchema)
@login_required
def cadence():
    """When the RM and the provider last reviewed each service's log, and what is due."""
    provider, ids = _scope(current_user, query_args(OversightQuerySchema()).get("service_id"))
    today = london_today()
    return ReviewCadenceSchema().dump(
        {"as_of": today, "services": review_cadence(provider, ids, today)}
    )


@endpoint("/oversight/dashboard", query=DashboardQuerySchema, response=DashboardSchema)
@login_required
def oversight_dashboard():
    """Services ranked by where grip is slipping, with counts, warnings, reviews and measures."""
    args = query_args(DashboardQuerySchema())
    provider, ids = _scope(current_user, args.get("service_id"))
    return json_response(
        dumper(DashboardSchema)(
            dashboard(
                provider,
                ids,
                page=args["page"],
                per_page=args["per_page"],
                slipping_only=args["slipping"],
            )
        )
    )


# The chart is an image for <img> and for the PDFs: no script runs in it, and its own
# policy lets only its inline pygal styles apply.
CHART_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


@endpoint(
    "/measures/<measure_id>/chart.svg",
    tag="measures",
    media="image/svg+xml",
    summary="A measure's weekly figure against its target and baseline, as an SVG "
    "chart (image/svg+xml)",
)
@login_required
def measure_chart_svg(measure_id):
    """Draw a measure's weekly figure against its target as an SVG image."""
    measure = get_in_service(
        current_user, ImprovementMeasure, measure_id, "measure.read", "improvement measure"
    )
    response = Response(measure_chart(measure_detail(measure)), mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_POLICY
    response.headers["Cache-Control"] = "private, no-cache"
    return response
