"""A staff member's subject-access export, downloaded by the provider admin."""

from server.accounts.models import User
from server.accounts.permissions import service_ids_for
from server.audit import services as audit
from server.audit.services import Actor
from server.common.access import as_uuid
from server.errors import Forbidden, NotFound
from server.extensions import db
from server.ops.subject_access import export_user

EXPORT = "staff.export"


def export_staff(actor: Actor, user_id) -> tuple[User, dict]:
    """Return a staff member and everything Careloop holds about them; the export is audited."""
    # Only a provider-wide holder of staff.export: the export spans every service.
    if service_ids_for(actor.user, EXPORT) is not None:
        raise Forbidden(f"Your role does not allow this ({EXPORT}).", action=EXPORT)
    user = db.session.get(User, as_uuid(user_id, "person"))
    if user is None or user.provider_id != actor.user.provider_id:
        raise NotFound("There is no such person.")
    data = export_user(user)
    sections = {name: len(rows) for name, rows in data.items() if isinstance(rows, list)}
    audit.record(actor, "user", user.id, "subject_access_export", {"sections": sections})
    db.session.flush()
    return user, data
