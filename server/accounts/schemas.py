"""Account schemas: login and the current user."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema


class LoginSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    provider_id = fields.UUID(
        load_default=None,
        allow_none=True,
        metadata={"description": "where to sign in, when the answer was choose_provider"},
    )


class ProviderChoiceSchema(Schema):
    id = fields.UUID()
    name = fields.String()


class MembershipSchema(Schema):
    role = fields.String()
    service_id = fields.UUID(allow_none=True)


class PermittedSchema(Schema):
    provider = fields.List(
        fields.String(), metadata={"description": "actions a provider-wide role allows everywhere"}
    )
    services = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "per service id: the actions the person's roles there allow"},
    )


class RoleNameSchema(Schema):
    role = fields.String()
    label = fields.String()
    provider_wide = fields.Boolean()


class MeSchema(Schema):
    id = fields.UUID()
    email = fields.String()
    display_name = fields.String()
    provider_id = fields.UUID()
    memberships = fields.List(fields.Nested(MembershipSchema))
    csrf_token = fields.String()
    session_kind = fields.String(metadata={"description": "desk or device_sync"})
    second_factor_enrolment_required = fields.Boolean(
        metadata={"description": "true: this session may only set up two-step sign-in"}
    )
    tablet_lock_minutes = fields.Integer(
        metadata={
            "description": "the provider's setting: a tablet nobody touches for this "
            'long locks back to "Who is recording?"'
        }
    )
    permissions = fields.Nested(
        PermittedSchema,
        metadata={"description": "what the person may do, from the permission table"},
    )
    roles = fields.List(
        fields.Nested(RoleNameSchema), metadata={"description": "every role, with its label"}
    )


class LoginResultSchema(MeSchema):
    """Signed in (the user), or only ``second_factor_required`` and ``csrf_token``, or only
    ``choose_provider``."""

    second_factor_required = fields.Boolean(
        metadata={"description": "true: send a code to /auth/second-factor to finish"}
    )
    choose_provider = fields.List(
        fields.Nested(ProviderChoiceSchema),
        metadata={
            "description": "the password opens accounts at these providers: log in again "
            "with the chosen provider_id; nobody is signed in yet"
        },
    )


class SignInCodeSchema(Schema):
    """The second step of a sign-in: one of the two."""

    code = fields.String(validate=validate.Length(min=1, max=20))
    recovery_code = fields.String(validate=validate.Length(min=1, max=40))

    @validates_schema
    def _one(self, data, **_kwargs):
        if bool(data.get("code")) == bool(data.get("recovery_code")):
            raise ValidationError("Send the code from your app, or one recovery code.", "code")


class SecondFactorCodeSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=20))


class SecondFactorStatusSchema(Schema):
    enrolled = fields.Boolean()
    required = fields.Boolean()
    recovery_codes_left = fields.Integer()


class SecondFactorSetupSchema(Schema):
    secret = fields.String()
    otpauth_uri = fields.String()
    qr_svg = fields.String(metadata={"description": "the otpauth URI as a QR code (SVG data URI)"})


class EnrolledSchema(MeSchema):
    recovery_codes = fields.List(fields.String())
