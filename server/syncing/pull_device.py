"""Whom a pull serves: the device binding it reads, and its last sync it records."""

import functools
import uuid
from datetime import timedelta

from sqlalchemy import Uuid, bindparam, column, select, update
from sqlalchemy import table as table_of

from server.common.transaction import write_lock
from server.common.types import utcnow
from server.extensions import db
from server.syncing.models import Device

_COUNTER = table_of("change_counter", column("id"), column("value"))


@functools.lru_cache(maxsize=1)
def _device_statement():
    devices = Device.__table__
    high = select(_COUNTER.c.value).where(_COUNTER.c.id == 1).scalar_subquery()
    return select(
        devices.c.id,
        devices.c.user_id,
        devices.c.revoked_at,
        devices.c.last_seen_at,
        devices.c.last_mutation_id,
        devices.c.last_mutation_seq,
        devices.c.unsent_count,
        devices.c.unsent_since,
        high.label("high_water"),
    ).where(devices.c.id == bindparam("device_id", type_=Uuid()))


def pulling_device(user, device_id: uuid.UUID):
    """Return the user's live device binding (a row) with the committed high-water mark.

    One query for what services.bound_device and common.changes.committed_high_water read
    in two (and an ORM load); None when the device is not this user's or was revoked: the
    caller then asks bound_device, which refuses in its own words.
    """
    row = db.session.execute(_device_statement(), {"device_id": device_id}).first()
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        return None
    return row


SEEN_EVERY = timedelta(seconds=60)
"""A pull this soon after the device's last recorded sync is not written down again: the
tablets screen shows sync times to the minute, and the write transaction was most of an
incremental pull's fixed cost (a push just before, in the same sync, has already recorded it)."""


def note_pull(device, unsent: tuple | None = None) -> None:
    """Record a pull as the device's last sync, in a write transaction of its own, with what
    the tablet still holds unsent (``unsent``: count and oldest, when it said).

    One UPDATE, and none within SEEN_EVERY of the last one unless the unsent work changed.
    On SQLite a read transaction that starts writing can fail at once when another tablet
    writes meanwhile; ending the read first and taking the write lock up front waits instead.
    """
    now = utcnow()
    values = {}
    if unsent is not None and unsent != (device.unsent_count, device.unsent_since):
        values = {"unsent_count": unsent[0], "unsent_since": unsent[1]}
    if not values and device.last_seen_at is not None and now - device.last_seen_at < SEEN_EVERY:
        return
    device_id = device.id
    write_lock()
    table = Device.__table__
    db.session.execute(
        update(table).where(table.c.id == device_id).values(last_seen_at=now, **values)
    )
