"""Oversight: early warnings and review cadence for the services a leader may oversee."""

import uuid

from flask_login import current_user, login_required

from server.accounts.permissions import service_ids_for
from server.api.http import endpoint, query_args
from server.common.access import get_service
from server.common.dates import london_today
from server.errors import Forbidden
from server.extensions import db
from server.oversight.cadence import review_cadence
from server.oversight.schemas import EarlyWarningsSchema, OversightQuerySchema, ReviewCadenceSchema
from server.oversight.warnings import warnings_report
from server.providers.models import Provider


def _scope(user, service_id: uuid.UUID | None) -> tuple[Provider, list[uuid.UUID] | None]:
    """The user's provider and the services they may oversee (None: all of them)."""
    provider = db.session.get(Provider, user.provider_id)
    if service_id is not None:
        return provider, [get_service(user, service_id, "oversight.read").id]
    ids = service_ids_for(user, "oversight.read")
    if ids == []:
        raise Forbidden("Your role does not allow seeing early warnings and review cadence "
                        "(oversight.read).", action="oversight.read")
    return provider, ids


@endpoint("/early-warnings", query=OversightQuerySchema, response=EarlyWarningsSchema)
@login_required
def early_warnings():
    """Early-warning signals per service, each with its reason and the records behind it."""
    provider, ids = _scope(current_user, query_args(OversightQuerySchema()).get("service_id"))
    return EarlyWarningsSchema().dump(warnings_report(provider, ids))


@endpoint("/review-cadence", query=OversightQuerySchema, response=ReviewCadenceSchema)
@login_required
def cadence():
    """When the RM and the provider last reviewed each service's log, and what is due."""
    provider, ids = _scope(current_user, query_args(OversightQuerySchema()).get("service_id"))
    today = london_today()
    return ReviewCadenceSchema().dump(
        {"as_of": today, "services": review_cadence(provider, ids, today)}
    )
