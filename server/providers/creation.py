"""Adding a service to a provider: a new care home or branch, ready to set up."""

import copy

from server.accounts.permissions import service_ids_for
from server.audit import services as audit
from server.audit.services import Actor
from server.errors import Forbidden, Invalid
from server.extensions import db
from server.providers.defaults import DEFAULT_AREAS, DEFAULT_QUESTION_SETS, DEFAULT_ROUTINES
from server.providers.models import Service


def add_service(actor: Actor, name: str, kind: str) -> Service:
    """Create a service of the actor's provider with the starter lists; return it."""
    # Only a provider-wide role may add a service (None: allowed across the provider).
    if service_ids_for(actor.user, "service.create") is not None:
        raise Forbidden(
            "Your role does not allow adding services (service.create).", action="service.create"
        )
    name = name.strip()
    taken = db.session.scalar(
        db.select(Service.id).where(
            Service.provider_id == actor.user.provider_id,
            db.func.lower(Service.name) == name.lower(),
        )
    )
    if taken is not None:
        raise Invalid(
            f"There is already a service called {name}.",
            {"name": "Another service of yours has this name."},
        )
    service = Service(
        provider_id=actor.user.provider_id,
        name=name,
        kind=kind,
        areas=list(DEFAULT_AREAS),
        routines=list(DEFAULT_ROUTINES),
        question_sets=copy.deepcopy(DEFAULT_QUESTION_SETS),
        escalation_criteria="",
    )
    db.session.add(service)
    db.session.flush()
    audit.record(
        actor, "service", service.id, "created", {"name": name, "kind": kind}, service_id=service.id
    )
    db.session.flush()
    return service
