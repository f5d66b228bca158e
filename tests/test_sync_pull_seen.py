"""A pull records the tablet's last sync, at most once a minute."""

import uuid
from datetime import timedelta

import pytest

from server.extensions import db
from server.syncing.models import Device
from server.syncing.pull_device import SEEN_EVERY

pytestmark = pytest.mark.db


def _pull(client, device_id):
    r = client.get(
        "/api/v1/sync/pull",
        query_string={"cursor": 0, "limit": 100, "device_id": device_id, "protocol_version": 1},
    )
    assert r.status_code == 200, r.get_json()


def _seen(device_id):
    db.session.expire_all()
    return db.session.get(Device, device_id).last_seen_at


def test_a_pull_records_the_last_sync_once_a_minute(world, login):
    client = login(world.users["senior_carer"])
    device_id = client.post(
        "/api/v1/sync/devices", json={"installation_id": "seen-tablet", "protocol_version": 1}
    ).get_json()["device_id"]
    key = uuid.UUID(device_id)
    db.session.get(Device, key).last_seen_at = None
    db.session.commit()

    _pull(client, device_id)
    first = _seen(key)
    assert first is not None

    _pull(client, device_id)
    assert _seen(key) == first  # seconds later: not written again

    earlier = first - SEEN_EVERY - timedelta(seconds=1)
    db.session.get(Device, key).last_seen_at = earlier
    db.session.commit()
    _pull(client, device_id)
    assert _seen(key) > first
