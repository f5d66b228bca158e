"""Administration schemas: staff accounts, roles, passwords and devices."""

from marshmallow import EXCLUDE, Schema, fields, validate

from server.accounts.permissions import ROLES
from server.api.schemas import PageArgs
from server.providers.schemas import PersonSchema

PASSWORD = validate.Length(max=200)


class RoleSchema(Schema):
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    service_id = fields.UUID(
        load_default=None,
        allow_none=True,
        metadata={"description": "null for a provider-wide role"},
    )


class StaffCreateSchema(Schema):
    id = fields.UUID(load_default=None)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    display_name = fields.String(required=True, validate=validate.Length(max=120))
    roles = fields.List(fields.Nested(RoleSchema), required=True)


class StaffRolesSchema(Schema):
    service_id = fields.UUID(
        required=True,
        allow_none=True,
        metadata={"description": "null sets the provider-wide roles"},
    )
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)), required=True)


class NewOwnerSchema(Schema):
    entry_id = fields.UUID(required=True)
    owner_id = fields.UUID(required=True)


class DeactivateSchema(Schema):
    reassign_to = fields.UUID(
        load_default=None,
        allow_none=True,
        metadata={"description": "who takes over the leaver's open entries"},
    )
    reassignments = fields.List(
        fields.Nested(NewOwnerSchema),
        load_default=list,
        metadata={"description": "a new owner per open entry; the others go to reassign_to"},
    )


class StaffListArgs(PageArgs):
    service_id = fields.UUID(load_default=None)
    active = fields.Boolean(load_default=None)
    q = fields.String(
        load_default=None,
        validate=validate.Length(max=120),
        metadata={"description": "words to find in the name or email"},
    )


class DeviceListArgs(PageArgs):
    class Meta:
        unknown = EXCLUDE

    service_id = fields.UUID(load_default=None)
    user_id = fields.UUID(load_default=None)


class StaffSchema(Schema):
    id = fields.UUID()
    email = fields.String()
    display_name = fields.String()
    active = fields.Boolean()
    created_at = fields.DateTime()
    roles = fields.List(fields.Nested(RoleSchema), attribute="memberships")


class ResetCodeSchema(Schema):
    token = fields.String(metadata={"description": "give it to the person; it works once"})
    expires_at = fields.DateTime()
    emailed = fields.Boolean(metadata={"description": "true when it was also sent by email"})


class StaffCreatedSchema(StaffSchema):
    reset = fields.Nested(ResetCodeSchema)


class HandoverSchema(Schema):
    reassigned_to = fields.UUID(allow_none=True)
    reassigned_entry_ids = fields.List(fields.UUID())
    revoked_device_ids = fields.List(fields.UUID())
    new_owners = fields.Method("_new_owners")

    def _new_owners(self, done) -> list[dict]:
        return [{"entry_id": str(e), "owner_id": str(o)} for e, o in done.new_owners.items()]


class CandidateSchema(PersonSchema):
    """A colleague who could take an open entry over: a person of its service."""


class OpenEntrySchema(Schema):
    id = fields.UUID(attribute="entry.id")
    service_id = fields.UUID(attribute="entry.service_id")
    service_name = fields.String()
    concern = fields.String(attribute="entry.concern")
    decision = fields.String(attribute="entry.decision", allow_none=True)
    status = fields.String(attribute="entry.status")
    risk = fields.String(attribute="entry.risk")
    due_date = fields.Date(attribute="entry.due_date", allow_none=True)
    candidates = fields.List(
        fields.Nested(CandidateSchema),
        metadata={"description": "active colleagues who work in the entry's service"},
    )


class DeactivatedSchema(StaffSchema, HandoverSchema):
    pass


class PasswordResetSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    new_password = fields.String(required=True, validate=PASSWORD)


class PasswordChangeSchema(Schema):
    current_password = fields.String(required=True, validate=PASSWORD)
    new_password = fields.String(required=True, validate=PASSWORD)


class DeviceOwnerSchema(Schema):
    id = fields.UUID()
    display_name = fields.String()
    active = fields.Boolean()


class AcknowledgedSchema(Schema):
    mutation_id = fields.String(allow_none=True)
    seq = fields.Integer()
    entity_type = fields.String(allow_none=True, metadata={"description": "what it changed"})
    at = fields.DateTime(allow_none=True, metadata={"description": "when the server took it"})
    missing = fields.Integer(
        metadata={"description": "earlier changes (by seq) the server has never acknowledged"}
    )


class AdminDeviceSchema(Schema):
    device_id = fields.UUID(attribute="id")
    label = fields.String()
    installation_id = fields.String()
    user = fields.Nested(DeviceOwnerSchema)
    created_at = fields.DateTime()
    last_seen_at = fields.DateTime(allow_none=True)
    last_acknowledged = fields.Nested(AcknowledgedSchema)
    revoked = fields.Boolean()
    revoked_at = fields.DateTime(allow_none=True)
    revoked_by = fields.UUID(allow_none=True)
    unsent_count = fields.Integer(
        metadata={"description": "changes the tablet said, at its last pull, it still holds unsent"}
    )
    unsent_since = fields.DateTime(
        allow_none=True, metadata={"description": "when the oldest of them was made"}
    )


def dump_device(device, owner, acknowledged: dict) -> dict:
    """Dump a device with its user and the last mutation acknowledged from it."""
    data = {
        "id": device.id,
        "label": device.label,
        "installation_id": device.installation_id,
        "user": owner,
        "created_at": device.created_at,
        "last_seen_at": device.last_seen_at,
        "last_acknowledged": acknowledged,
        "revoked": device.revoked_at is not None,
        "revoked_at": device.revoked_at,
        "revoked_by": device.revoked_by,
        "unsent_count": device.unsent_count or 0,
        "unsent_since": device.unsent_since,
    }
    return AdminDeviceSchema().dump(data)
