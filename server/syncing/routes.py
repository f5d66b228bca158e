"""Sync endpoints: device registration, push, pull, conflicts, device revocation."""

import orjson
from flask import Response, jsonify, request
from flask_login import current_user

from server.api.http import ApiBlueprint, first, json_body, page
from server.common.access import get_in_service, get_service
from server.errors import NotFound, TooLarge
from server.syncing import conflict_words, jsonschema, services
from server.syncing.models import SyncConflict
from server.syncing.schemas import (
    ConflictArgs,
    ConflictSchema,
    DeviceSchema,
    ForgetCredentialArgs,
    PullArgs,
    PullSchema,
    PushResultSchema,
    PushSchema,
    RecordSchemaArgs,
    RegisterDeviceSchema,
    RegisteredDeviceSchema,
    ResolveSchema,
)

blp = ApiBlueprint("sync", __name__)

# What only a tablet's requests can meet (docs/sync-protocol.md, sections 3, 3.5 and 7).
UPDATE_REQUIRED = (
    "`protocol_version` is not one this server speaks: the app must update "
    "(code `update_required`; `error.protocol_version` is the server's)"
)
NOT_THIS_DEVICE = (
    "The device is not this user's binding (code `device_not_registered`), "
    "or it was revoked (code `device_revoked`)"
)


@blp.route("/sync/devices", methods=["POST"])
@blp.alt_response(400, description=UPDATE_REQUIRED)
@blp.arguments(RegisterDeviceSchema)
@blp.response(200, RegisteredDeviceSchema)
def register_device(data):
    """Bind this installation to the signed-in user and return its client id."""
    services.check_protocol(data["protocol_version"])
    device = services.register_device(current_user, data["installation_id"], data["label"])
    return DeviceSchema().dump(device) | {
        "limits": services.limits(),
        "credential": device.credential,
    }


@blp.route("/sync/push", methods=["POST"], device_credential=True)
@blp.alt_response(400, description=UPDATE_REQUIRED)
@blp.alt_response(403, description=NOT_THIS_DEVICE)
@blp.alt_response(413, description="Over the push limits (`error.limits` gives them)")
@blp.arguments(PushSchema, parsed_by_view=True)
@blp.response(200, PushResultSchema)
def push():
    """Apply a batch of mutations; each gets its own outcome."""
    size = request.content_length or len(request.get_data(cache=True))
    if size > services.limits()["max_bytes"]:
        raise TooLarge(
            "This push is too large: send fewer changes at a time.", limits=services.limits()
        )
    # Parsed once: a push of 500 is most of a megabyte.
    body = json_body()
    services.check_protocol(body.get("protocol_version"))
    data = services.envelope(body)
    # The user itself, not flask-login's proxy: a push reads it for every mutation.
    user = current_user._get_current_object()
    device = services.bound_device(user, data["device_id"])
    return _json(services.push(user, device, data["mutations"], size))


def _json(body: dict) -> Response:
    """Return ``body`` as jsonify would (keys sorted), encoded with orjson: 500 outcomes."""
    try:
        return Response(
            orjson.dumps(body, option=orjson.OPT_SORT_KEYS), mimetype="application/json"
        )
    except TypeError:  # a value orjson does not write (none expected): Flask's encoder
        return jsonify(body)


@blp.route("/sync/pull", device_credential=True)
@blp.alt_response(400, description=UPDATE_REQUIRED)
@blp.alt_response(403, description=NOT_THIS_DEVICE)
@blp.alt_response(
    410,
    description="The cursor is newer than anything this server handed out: drop the copies (never "
    "the outbox) and pull from 0 (code `resync`)",
)
@blp.arguments(PullArgs, location="query", parsed_by_view=True)
@blp.response(200, PullSchema)
def pull():
    """Changes after the cursor, in server order, that this user's tablet should hold."""
    if "protocol_version" in request.args:
        services.check_protocol(request.args.get("protocol_version", type=int))
    args = PullArgs.quick(request.args)
    unsent = (args["unsent"], args.get("unsent_since")) if "unsent" in args else None
    body = services.pull(
        current_user._get_current_object(),
        args["device_id"],
        args["cursor"],
        args["limit"],
        unsent,
    )
    # orjson: a page of 1,000 records encodes in a twentieth of jsonify's time.
    return Response(orjson.dumps(body), mimetype="application/json")


@blp.route("/sync/credential", methods=["DELETE"], device_credential=True)
@blp.alt_response(403, description=NOT_THIS_DEVICE)
@blp.arguments(ForgetCredentialArgs, location="query")
@blp.response(200)
def forget_credential(args):
    """Sign this person out of the tablet: the binding's device credential ends now
    (``ended``: how many; 0 when it had ended already)."""
    return {
        "ended": services.forget_credential(current_user._get_current_object(), args["device_id"])
    }


def conflicts_page(query, args) -> dict:
    """A page of conflicts, each with its ``words``."""
    result = page(query, lambda row: row, args)
    return {**result, "items": conflict_words.dumped(result["items"], ConflictSchema().dump)}


@blp.route("/conflicts")
@blp.arguments(ConflictArgs, location="query")
@blp.response(200, ConflictSchema, paged=True)
def list_conflicts(args):
    """Conflicts waiting for a manager (or resolved), oldest first."""
    query = services.conflicts_query(current_user, args.get("service_id"), args.get("status"))
    return conflicts_page(query, args)


@blp.route("/conflicts/<conflict_id>")
@blp.response(200, ConflictSchema)
def get_conflict(conflict_id):
    """One conflict with both values, who, when and from which device."""
    row = get_in_service(current_user, SyncConflict, conflict_id, "conflict.resolve", "conflict")
    return conflict_words.dumped([row], ConflictSchema().dump)[0]


@blp.route("/conflicts/<conflict_id>/resolve", methods=["POST"])
@blp.arguments(ResolveSchema)
@blp.response(200, ConflictSchema)
def resolve_conflict(data, conflict_id):
    """Keep the first value, take the other, or write a new one; recorded in the history."""
    conflict = services.resolve_conflict(
        current_user, conflict_id, data["choice"], data.get("value")
    )
    return conflict_words.dumped([conflict], ConflictSchema().dump)[0]


@blp.route("/schemas/")
@blp.response(200, listed=True)
def record_schemas():
    """The JSON Schema of every synced record type: where each one is."""
    return jsonschema.index()


def _known_type(path) -> dict:
    if path["entity_type"] not in jsonschema.RECORD_SCHEMAS:
        raise NotFound(f"There is no record type {path['entity_type']!r}.")
    return path


@blp.route("/schemas/<entity_type>.json")
@first(_known_type)
@blp.arguments(RecordSchemaArgs, location="query")
@blp.response(200)
def record_schema(args, entity_type):
    """One record type's field rules as JSON Schema; with service_id, that service's lists."""
    service = None
    if args.get("service_id") is not None:
        service = get_service(current_user, args["service_id"], "service.read")
    return jsonschema.document(entity_type, request.url_root, service)


@blp.route("/devices")
@blp.response(200, DeviceSchema, listed=True)
def my_devices():
    """The signed-in user's tablets, with their last sync and last acknowledged change."""
    return {"items": DeviceSchema(many=True).dump(services.devices_of(current_user))}


@blp.route("/devices/<device_id>/revoke", methods=["POST"])
@blp.response(200, DeviceSchema)
def revoke_device(device_id):
    """Withdraw a lost tablet: from now on its pushes and pulls are refused."""
    return DeviceSchema().dump(services.revoke_device(current_user, device_id))
