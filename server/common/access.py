"""Load records for a user, checking the permission table on the way.

Another provider's records answer 404, exactly as if they did not exist; a record of the
user's own provider that their role does not reach answers 403.
"""

import uuid

from server.accounts.permissions import require, service_ids_for
from server.errors import Forbidden, NotFound
from server.extensions import db
from server.providers.models import Service


def as_uuid(value, name: str = "id") -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound(f"No {name} {value}.") from exc


def get_service(user, service_id, action: str) -> Service:
    """Return the service if ``user`` may do ``action`` in it."""
    service = db.session.get(Service, as_uuid(service_id, "service"))
    if service is None or service.provider_id != user.provider_id:
        raise NotFound("There is no such service.")
    require(user, action, service)
    return service


def service_scope(user, service_id, action: str, refusal: str) -> list[uuid.UUID] | None:
    """The services a leader's screen covers: the one asked for (checked), else every service
    where ``user`` may do ``action`` (None: all of their provider's). A role that reaches
    none is refused with ``refusal`` and the action named."""
    if service_id is not None:
        return [get_service(user, service_id, action).id]
    ids = service_ids_for(user, action)
    if ids == []:
        raise Forbidden(f"{refusal} ({action}).", action=action)
    return ids


def get_in_service(user, model, record_id, action: str, label: str):
    """Return a service-scoped record (one with ``service_id``) if ``user`` may do ``action``."""
    record = db.session.get(model, as_uuid(record_id, label))
    if record is None or getattr(record, "deleted_at", None) is not None:
        raise NotFound(f"There is no such {label}.")
    service = db.session.get(Service, record.service_id)
    if service.provider_id != user.provider_id:
        raise NotFound(f"There is no such {label}.")
    require(user, action, service)
    return record
