"""Improvement measures: list, set, and read one with its weekly figures."""

from flask_login import current_user

from server.api.http import ApiBlueprint, first, page
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

blp = ApiBlueprint("measures", __name__)


def _measure(measure_id) -> ImprovementMeasure:
    return get_in_service(
        current_user, ImprovementMeasure, measure_id, "measure.read", "improvement measure"
    )


def _measure_found(path) -> dict:
    return {"measure": _measure(path["measure_id"])}


@blp.route("/measures")
@blp.arguments(MeasureQuerySchema, location="query")
@blp.response(200, MeasureSchema, paged=True)
def list_measures(args):
    """List the improvement measures you may see (filter: service_id)."""
    query = services.measures_query(current_user, service_id=args.get("service_id"))
    return page(query, MeasureSchema().dump, args)


@blp.route("/measures", methods=["POST"])
@blp.arguments(MeasureCreateSchema)
@blp.response(201, MeasureSchema)
def create_measure(data):
    """Set an improvement measure: metric, baseline, target, start date and deadline."""
    user = current_user._get_current_object()
    service = get_service(user, data.pop("service_id"), "service.read")
    return MeasureSchema().dump(services.create_measure(Actor(user, "desk"), service, data))


@blp.route("/measures/<measure_id>")
@blp.response(200, MeasureDetailSchema)
def get_measure(measure_id):
    """Read a measure with its figure week by week and where it stands against target."""
    return MeasureDetailSchema().dump(edits.measure_view(_measure(measure_id)))


@blp.route("/measures/<measure_id>", methods=["PATCH"])
@first(_measure_found)
@blp.arguments(MeasureEditSchema)
@blp.response(200, MeasureDetailSchema)
def edit_measure(data, measure):
    """Change a measure's name, baseline, target or deadline (send base_version)."""
    base_version = data.pop("base_version")
    user = current_user._get_current_object()
    edits.edit_measure(Actor(user, "desk"), measure, base_version, data)
    return MeasureDetailSchema().dump(edits.measure_view(measure))
