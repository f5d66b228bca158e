"""Tablets as the managers see them: whose they are, their last sync, withdrawing a lost one."""

from server.accounts.models import Membership, User
from server.accounts.permissions import service_ids_for
from server.common.access import get_service
from server.errors import Forbidden
from server.extensions import db
from server.syncing import services as syncing
from server.syncing.models import Device

MANAGE = "device.manage"


def list_devices(caller, service_id=None):
    """Return a select of the devices of the staff of the services the caller manages."""
    if service_id is not None:
        scope = [get_service(caller, service_id, MANAGE).id]
    else:
        scope = service_ids_for(caller, MANAGE)
        if scope == []:
            raise Forbidden(f"Your role does not allow this ({MANAGE}).", action=MANAGE)
    query = (
        db.select(Device)
        .join(User, User.id == Device.user_id)
        .where(User.provider_id == caller.provider_id)
    )
    if scope is not None:
        query = query.where(
            User.id.in_(db.select(Membership.user_id).where(Membership.service_id.in_(scope)))
        )
    return query.order_by(User.display_name, Device.created_at, Device.id)


def revoke(caller, device_id) -> tuple[Device, User]:
    """Withdraw a lost tablet through the sync engine's own revocation."""
    device = syncing.revoke_device(caller, device_id)
    return device, db.session.get(User, device.user_id)
