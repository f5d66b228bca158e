"""The pull's fast request handling refuses exactly as before: the query string read
directly (PullArgs.quick) against the marshmallow schema, and the device read with the
high-water mark in one query against bound_device's refusals."""

import uuid

import pytest
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from server.syncing.schemas import PullArgs

DEVICE = "0b1e7a52-1c4f-4c5e-9a3b-2f6d8e9c0a11"
GOOD = {"cursor": "12", "limit": "1000", "device_id": DEVICE, "protocol_version": "1"}
CASES = [
    GOOD,
    {"device_id": DEVICE, "protocol_version": "1"},
    GOOD | {"cursor": "-1"},
    GOOD | {"cursor": ""},
    GOOD | {"cursor": " 5"},
    GOOD | {"cursor": "1.0"},
    GOOD | {"cursor": "x"},
    GOOD | {"cursor": "007"},
    GOOD | {"cursor": "9" * 30},
    GOOD | {"limit": "0"},
    GOOD | {"limit": "1001"},
    GOOD | {"limit": "1"},
    GOOD | {"limit": "-5"},
    GOOD | {"limit": "lots"},
    GOOD | {"device_id": "not-a-device"},
    GOOD | {"device_id": DEVICE.upper()},
    GOOD | {"device_id": DEVICE.replace("-", "")},
    GOOD | {"device_id": ""},
    GOOD | {"device_id": "z" * 36},
    GOOD | {"device_id": "{" + DEVICE + "}"},
    GOOD | {"protocol_version": "one"},
    GOOD | {"protocol_version": "-1"},
    GOOD | {"other": "ignored"},
    {k: v for k, v in GOOD.items() if k != "device_id"},
    {k: v for k, v in GOOD.items() if k != "protocol_version"},
    {},
]


def _outcome(load, args):
    try:
        return "loaded", load(args)
    except ValidationError as exc:
        return "refused", exc.messages


@pytest.mark.parametrize("args", CASES)
def test_the_quick_read_loads_or_refuses_exactly_as_the_schema(args):
    quick = _outcome(PullArgs.quick, MultiDict(args))
    assert quick == _outcome(PullArgs().load, dict(args))


def test_a_plain_query_string_is_read_with_its_types():
    assert PullArgs.quick(MultiDict(GOOD)) == {
        "cursor": 12,
        "limit": 1000,
        "device_id": uuid.UUID(DEVICE),
        "protocol_version": 1,
    }


def _pull(client, device, cursor=0):
    return client.get(f"/api/v1/sync/pull?cursor={cursor}&device_id={device}&protocol_version=1")


def _register(client, installation="tablet-fast-01"):
    r = client.post(
        "/api/v1/sync/devices",
        json={"installation_id": installation, "label": "Lounge tablet", "protocol_version": 1},
    )
    assert r.status_code == 200, r.get_json()
    return r.get_json()["device_id"]


@pytest.mark.db
def test_an_unknown_or_someone_elses_device_is_refused_in_bound_devices_words(client, world, login):
    login(world.users["care_worker"])
    theirs = _register(client)
    client.post("/api/v1/auth/logout")
    login(world.users["senior_carer"])
    expected = {
        "error": {
            "code": "device_not_registered",
            "message": "This tablet is not registered for you. Register it again.",
            "fields": {"device_id": "Not a device registered to the signed-in user."},
        }
    }
    for device in (theirs, str(uuid.uuid4())):
        r = _pull(client, device)
        assert r.status_code == 403, r.status_code
        body = r.get_json()
        assert {k: body["error"].get(k) for k in ("code", "message", "fields")} == expected["error"]


@pytest.mark.db
def test_a_revoked_device_is_refused_and_a_live_one_pulls_with_the_high_water_mark(
    client, world, login
):
    from server.common.changes import committed_high_water
    from server.extensions import db

    login(world.users["senior_carer"])
    device = _register(client)
    r = _pull(client, device)
    assert r.status_code == 200
    assert r.get_json()["high_water"] == committed_high_water(db.session)
    assert r.get_json()["last_acknowledged"] == {"mutation_id": None, "seq": 0}
    too_far = _pull(client, device, cursor=r.get_json()["high_water"] + 1)
    assert too_far.status_code == 410 and too_far.get_json()["error"]["code"] == "resync"
    assert client.post(f"/api/v1/devices/{device}/revoke").status_code == 200
    r = _pull(client, device)
    assert r.status_code == 403
    assert r.get_json()["error"] == {
        "code": "device_revoked",
        "message": "This tablet's access was withdrawn. Ask your manager.",
        "fields": {"device_id": "Revoked."},
    } | {k: v for k, v in r.get_json()["error"].items() if k not in ("code", "message", "fields")}
