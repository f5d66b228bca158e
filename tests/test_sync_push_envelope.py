"""The push envelope is checked by hand when it is well-formed (services.push_envelope) and by
PushSchema otherwise: the values loaded and every refusal must be the schema's own, and the
push's answer (encoded with orjson) the same JSON jsonify would have written."""

import json
import uuid

import pytest
from flask import jsonify
from marshmallow import ValidationError

from server.errors import flatten_messages
from server.syncing import services
from server.syncing.schemas import PushSchema
from tests.support.sync_api import PROTOCOL, finding_create, push, register

DEVICE = "0b6f8f3e-6a43-4a59-9a51-2f5d7e4f1c20"
GOOD = [
    {"protocol_version": 1, "device_id": DEVICE, "mutations": []},
    {"protocol_version": 1, "device_id": DEVICE, "mutations": [{}, {"op": "create"}]},
    {"protocol_version": 1, "device_id": DEVICE.upper(), "mutations": [{"a": [1, {"b": None}]}]},
    {"protocol_version": 1, "device_id": "{" + DEVICE + "}", "mutations": [{}]},
    {"protocol_version": 1, "device_id": "urn:uuid:" + DEVICE, "mutations": [{}]},
    {"protocol_version": 1, "device_id": DEVICE.replace("-", ""), "mutations": [{}]},
    # Items that are not mutation objects are each rejected alone (protocol 3.4), not here.
    {"protocol_version": 1, "device_id": DEVICE, "mutations": [1, {}, "x", None, []]},
]
BAD = [
    {},
    {"protocol_version": 1},
    {"protocol_version": 1, "device_id": DEVICE},
    {"protocol_version": 1, "mutations": []},
    {"device_id": DEVICE, "mutations": []},
    {"protocol_version": 1, "device_id": DEVICE, "mutations": [], "extra": 1},
    {"protocol_version": 1, "device_id": "not-a-uuid", "mutations": []},
    {"protocol_version": 1, "device_id": "", "mutations": []},
    {"protocol_version": 1, "device_id": None, "mutations": []},
    {"protocol_version": 1, "device_id": 7, "mutations": []},
    {"protocol_version": 1, "device_id": DEVICE, "mutations": None},
    {"protocol_version": 1, "device_id": DEVICE, "mutations": {}},
    {"protocol_version": 1, "device_id": DEVICE, "mutations": "abc"},
    {"protocol_version": "one", "device_id": DEVICE, "mutations": []},
    {"protocol_version": None, "device_id": "bad", "mutations": 3, "other": True},
]
# Well-formed for the schema though not by hand: the schema still decides.
ODD = [
    {"protocol_version": 1.0, "device_id": DEVICE, "mutations": []},
    {"protocol_version": "1", "device_id": DEVICE, "mutations": [{}]},
    {"protocol_version": 1, "device_id": DEVICE, "mutations": ({},)},
]


def _schema(body):
    try:
        return PushSchema().load(body)
    except ValidationError as exc:
        return ("refused", exc.messages)


def _mine(body):
    try:
        return services.push_envelope(body)
    except ValidationError as exc:
        return ("refused", exc.messages)


@pytest.mark.parametrize("body", GOOD + BAD + ODD)
def test_the_envelope_loads_exactly_as_the_schema_does(body):
    mine, theirs = _mine(body), _schema(body)
    assert mine == theirs
    if isinstance(theirs, dict):
        assert isinstance(mine["device_id"], uuid.UUID)
        assert type(mine["protocol_version"]) is int


def test_good_envelopes_load_and_bad_ones_are_refused():
    assert all(isinstance(_mine(b), dict) for b in GOOD)
    assert all(_mine(b)[0] == "refused" for b in BAD)
    assert _mine(BAD[5]) == ("refused", {"extra": ["Unknown field."]})


@pytest.mark.parametrize(
    "envelope",
    [
        {"mutations": [1, {}], "x": 1},
        {"device_id": "nope"},
        {"mutations": "many"},
    ],
)
@pytest.mark.db
def test_a_malformed_push_gets_the_schemas_words(client, world, login, envelope):
    login(world.users["senior_carer"])
    device = register(client)
    body = {"protocol_version": PROTOCOL, "device_id": device, "mutations": []} | envelope
    r = client.post("/api/v1/sync/push", json=body)
    assert (r.status_code, r.get_json()["error"]["code"]) == (400, "malformed")
    fields = flatten_messages(PushSchema().validate(body))
    assert fields
    assert r.get_json()["error"]["fields"] == fields
    assert r.get_json()["error"]["message"] == (
        f"Please check these fields: {', '.join(sorted(fields))}."
    )


@pytest.mark.db
def test_the_push_answers_the_json_jsonify_would_write(app, client, world, login):
    carer = world.users["senior_carer"]
    login(carer)
    device = register(client)
    good = finding_create(device, carer, world.home, 1)
    bad = finding_create(device, carer, world.home, 2, risk="enormous")
    r = push(client, device, [good, bad, {"op": "nothing"}])
    assert r.status_code == 200
    assert r.mimetype == "application/json"
    body = json.loads(r.data)
    assert [x["status"] for x in body["results"]] == ["applied", "rejected", "rejected"]
    with app.test_request_context():
        assert json.loads(jsonify(body).data) == body
    assert list(body) == sorted(body)
    assert all(list(x) == sorted(x) for x in body["results"])
