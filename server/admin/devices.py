"""Tablets as the managers see them: whose they are, their last sync, withdrawing a lost one."""

from server.accounts.models import Membership, User
from server.accounts.permissions import service_ids_for
from server.common.access import get_service
from server.errors import Forbidden
from server.extensions import db
from server.syncing import services as syncing
from server.syncing.models import Device, Receipt

MANAGE = "device.manage"


def list_devices(caller, service_id=None, user_id=None):
    """Return a select of the devices of the staff of the services the caller manages
    (of one service, or of one person, when given)."""
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
    if user_id is not None:
        query = query.where(Device.user_id == user_id)
    return query.order_by(User.display_name, Device.created_at, Device.id)


def revoke(caller, device_id) -> tuple[Device, User]:
    """Withdraw a lost tablet through the sync engine's own revocation."""
    device = syncing.revoke_device(caller, device_id)
    return device, db.session.get(User, device.user_id)


def acknowledged(device: Device) -> dict:
    """Return the last change the server acknowledged from ``device``, when it took it, and
    how many earlier changes (by the device's own numbering) it never received."""
    last = None
    if device.last_mutation_id is not None:
        last = db.session.scalar(
            db.select(Receipt).where(
                Receipt.device_id == device.id, Receipt.mutation_id == device.last_mutation_id
            )
        )
    # A device numbers its changes 1, 2, 3...: a number below the last one with no receipt
    # is a change still waiting on the tablet (sent out of order, or refused for a while).
    received = db.session.scalar(
        db.select(db.func.count(db.distinct(Receipt.seq))).where(
            Receipt.device_id == device.id,
            Receipt.seq >= 1,
            Receipt.seq <= device.last_mutation_seq,
        )
    )
    return {
        "mutation_id": device.last_mutation_id,
        "seq": device.last_mutation_seq,
        "entity_type": last.entity_type if last else None,
        "at": last.received_at if last else None,
        "missing": max(0, (device.last_mutation_seq or 0) - (received or 0)),
    }


def owner(device: Device) -> User:
    """The person a tablet is bound to."""
    return db.session.get(User, device.user_id)
