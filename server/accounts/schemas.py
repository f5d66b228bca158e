"""Account schemas: login and the current user."""

from marshmallow import Schema, fields, validate


class LoginSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class MembershipSchema(Schema):
    role = fields.String()
    service_id = fields.UUID(allow_none=True)


class UserSchema(Schema):
    id = fields.UUID()
    display_name = fields.String()


class MeSchema(Schema):
    id = fields.UUID()
    email = fields.String()
    display_name = fields.String()
    provider_id = fields.UUID()
    memberships = fields.List(fields.Nested(MembershipSchema))
    csrf_token = fields.String()
