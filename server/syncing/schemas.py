"""Sync request and response schemas (the mutation itself is checked by sync.validate)."""

import datetime
import uuid

from marshmallow import EXCLUDE, Schema, fields, validate

from server.accounts.schemas import PermittedSchema
from server.api.schemas import LimitsSchema, page_field, per_page_field


class RegisterDeviceSchema(Schema):
    installation_id = fields.String(required=True, validate=validate.Length(min=8, max=64))
    label = fields.String(load_default="", validate=validate.Length(max=120))
    protocol_version = fields.Integer(required=True)


class DeviceSchema(Schema):
    device_id = fields.UUID(attribute="id")
    installation_id = fields.String()
    user_id = fields.UUID()
    label = fields.String()
    created_at = fields.DateTime()
    last_seen_at = fields.DateTime(allow_none=True)
    last_mutation_id = fields.String(allow_none=True)
    last_mutation_seq = fields.Integer()
    revoked_at = fields.DateTime(allow_none=True)


class RegisteredDeviceSchema(DeviceSchema):
    limits = fields.Nested(LimitsSchema, required=True)
    credential = fields.String(
        required=True,
        metadata={
            "description": "This binding's new device credential: sent as `Authorization: "
            "Bearer <credential>` on push and pull, with no cookie needed (docs/security.md). "
            "The one it held before has ended."
        },
    )


class ForgetCredentialArgs(Schema):
    device_id = fields.UUID(required=True)


class PushSchema(Schema):
    protocol_version = fields.Integer(required=True)
    device_id = fields.UUID(required=True)
    mutations = fields.List(
        fields.Raw(allow_none=True),
        required=True,
        metadata={
            "description": "Each item is checked on its own: one that is not a mutation object "
            "is rejected alone (docs/sync-protocol.md 3.4)."
        },
    )


class PushResultSchema(Schema):
    results = fields.List(fields.Dict())
    last_acknowledged = fields.Dict()


class PullArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    cursor = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1, max=1000))
    device_id = fields.UUID(required=True)
    protocol_version = fields.Integer(required=True)
    unsent = fields.Integer(
        validate=validate.Range(min=0),
        metadata={
            "description": "How many changes the tablet still holds unsent for this person "
            "(shown on the desk's Tablets screen)"
        },
    )
    unsent_since = fields.AwareDateTime(
        allow_none=True,
        default_timezone=datetime.UTC,
        metadata={"description": "When the oldest of those changes was made (ISO 8601)"},
    )

    @classmethod
    def quick(cls, args) -> dict:
        """Return ``cls().load(args)`` of a query string: a tablet's plain one read directly.

        Anything else (a missing field, a sign, a range or a UUID in another spelling) goes
        through the schema, so every refusal is the schema's own. Building the schema and
        loading was a tenth of an incremental pull's fixed cost.
        """
        cursor, limit = args.get("cursor", "0"), args.get("limit", "500")
        device_id, protocol = args.get("device_id"), args.get("protocol_version")
        unsent = args.get("unsent", "0")
        if (
            "unsent_since" not in args
            and _digits(unsent)
            and device_id is not None
            and len(device_id) == 36
            and protocol is not None
            and _digits(cursor)
            and _digits(limit)
            and _digits(protocol)
            and 1 <= int(limit) <= 1000
        ):
            try:
                device = uuid.UUID(device_id)
            except ValueError:
                pass
            else:
                quick = {
                    "cursor": int(cursor),
                    "limit": int(limit),
                    "device_id": device,
                    "protocol_version": int(protocol),
                }
                if "unsent" in args:
                    quick["unsent"] = int(unsent)
                return quick
        return cls().load(args.to_dict())


def _digits(text: str) -> bool:
    return 0 < len(text) < 19 and text.isascii() and text.isdigit()


class StoryEntrySchema(Schema):
    id = fields.UUID()
    title = fields.String(metadata={"description": "The entry's decision, else its concern"})
    owner_name = fields.String(allow_none=True)
    due_date = fields.Date(allow_none=True)


class StorySchema(Schema):
    finding_id = fields.UUID()
    outcome = fields.String(validate=validate.OneOf(("made_into", "linked")))
    entry = fields.Nested(StoryEntrySchema, allow_none=True)


class PullSchema(Schema):
    changes = fields.List(fields.Dict())
    next_cursor = fields.Integer()
    has_more = fields.Boolean()
    high_water = fields.Integer()
    scope = fields.Dict()
    permissions = fields.Nested(PermittedSchema, metadata={"description": "as in /me"})
    last_acknowledged = fields.Dict()
    stories = fields.List(
        fields.Nested(StorySchema),
        metadata={"description": "The entries of the user's own linked findings (§7.2)"},
    )


class ConflictArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    service_id = fields.UUID()
    status = fields.String(validate=validate.OneOf(("open", "resolved")))
    page = page_field()
    per_page = per_page_field()


class ConflictSchema(Schema):
    id = fields.UUID()
    kind = fields.String()
    service_id = fields.UUID()
    entity_type = fields.String()
    entity_id = fields.String()
    field = fields.String()
    base_value = fields.Raw()
    kept_value = fields.Raw()
    kept_author = fields.UUID(allow_none=True)
    kept_device = fields.String(allow_none=True)
    kept_at = fields.DateTime(allow_none=True)
    other_value = fields.Raw()
    other_author = fields.UUID()
    other_device = fields.String(allow_none=True)
    other_at = fields.DateTime()
    mutation_id = fields.String(
        metadata={"description": "The device's mutation that made the conflict (its other side)"}
    )
    status = fields.String()
    resolution = fields.Dict(allow_none=True)
    version = fields.Integer()
    words = fields.Dict(
        metadata={
            "description": "The conflict in plain words for people: about, title, summary, "
            "before, kept and other (who, where, when, value, line), choices "
            "[{choice, label}], blocked (why the other side cannot be applied, or null) "
            "and new_value (date, text or null: whether a new value may be written)"
        }
    )


class RecordSchemaArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    service_id = fields.UUID(
        metadata={
            "description": "Narrow the schema to this service's areas, routines and questions."
        }
    )


class ResolveSchema(Schema):
    choice = fields.String(required=True, validate=validate.OneOf(("kept", "other", "new")))
    value = fields.Raw(allow_none=True)
