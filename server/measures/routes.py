"""Improvement measures: list, set, and read one with its weekly figures."""

from flask_login import current_user, login_required

from server.api.http import endpoint, load, page, query_args
from server.audit.services import Actor
from server.common.access import get_in_service, get_service
from server.measures import edits, services
from server.measures.models import ImprovementMeasure
from server.measures.schemas import (
    MeasureCreateSchema,
    MeasureDetailSchema,
    MeasureEditSchema,
    MeasureQuerySchema,
    MeasureSchema,
)


@endpoint("/measures", query=MeasureQuerySchema, response=MeasureSchema, paged=True)
@login_required
def list_measures():
    """List the improvement measures you may see (filter: service_id)."""
    args = query_args(MeasureQuerySchema())
    query = services.measures_query(current_user, service_id=args.get("service_id"))
    return page(query, MeasureSchema().dump, args["page"], args["per_page"])


@endpoint(
    "/measures", methods=("POST",), status=201, body=MeasureCreateSchema, response=MeasureSchema
)
@login_required
def create_measure():
    """Set an improvement measure: metric, baseline, target, start date and deadline."""
    data = load(MeasureCreateSchema())
    user = current_user._get_current_object()
    service = get_service(user, data.pop("service_id"), "service.read")
    return MeasureSchema().dump(services.create_measure(Actor(user, "desk"), service, data))


@endpoint("/measures/<measure_id>", response=MeasureDetailSchema)
@login_required
def get_measure(measure_id):
    """Read a measure with its figure week by week and where it stands against target."""
    measure = get_in_service(
        current_user, ImprovementMeasure, measure_id, "measure.read", "improvement measure"
    )
    return MeasureDetailSchema().dump(edits.measure_view(measure))


@endpoint(
    "/measures/<measure_id>",
    methods=("PATCH",),
    body=MeasureEditSchema,
    response=MeasureDetailSchema,
)
@login_required
def edit_measure(measure_id):
    """Change a measure's name, baseline, target or deadline (send base_version)."""
    measure = get_in_service(
        current_user, ImprovementMeasure, measure_id, "measure.read", "improvement measure"
    )
    data = load(MeasureEditSchema())
    base_version = data.pop("base_version")
    user = current_user._get_current_object()
    edits.edit_measure(Actor(user, "desk"), measure, base_version, data)
    return MeasureDetailSchema().dump(edits.measure_view(measure))
