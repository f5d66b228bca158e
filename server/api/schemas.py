"""Schemas shared by the API: paging arguments, the error shape, a record named by id."""

from marshmallow import EXCLUDE, Schema, validate
from marshmallow import fields as f

# A list reads at most this many pages: 2,000,000 rows at 200 a page, far past any
# provider's log, and an offset every database holds in a 64-bit integer.
MAX_PAGE = 10_000
MAX_PER_PAGE = 200


def page_field(**options) -> f.Integer:
    """A page number from 1 to MAX_PAGE; anything else is a 422 naming the field."""
    # Two ranges: each end says its own limit ("Must be greater than or equal to 1.").
    return f.Integer(
        load_default=1, validate=[validate.Range(min=1), validate.Range(max=MAX_PAGE)], **options
    )


def per_page_field(default: int = 50, most: int = MAX_PER_PAGE) -> f.Integer:
    """How many items a page holds, from 1 to ``most``."""
    return f.Integer(load_default=default, validate=validate.Range(min=1, max=most))


class PageArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    page = page_field()
    per_page = per_page_field()


class FlagSchema(Schema):
    phrase = f.String(required=True)
    explanation = f.String(required=True)


class LimitsSchema(Schema):
    max_mutations = f.Integer(required=True, metadata={"description": "mutations per push"})
    max_bytes = f.Integer(required=True, metadata={"description": "bytes per push body"})
    max_pull_limit = f.Integer(required=True, metadata={"description": "records per pull"})


class ErrorDetail(Schema):
    code = f.String(required=True, metadata={"description": "stable, machine-readable"})
    message = f.String(required=True, metadata={"description": "for a person to read"})
    fields = f.Dict(
        keys=f.String(),
        values=f.String(),
        required=True,
        metadata={"description": "field at fault -> why ({} when none)"},
    )
    rule = f.String(metadata={"description": "code rule: the rule of the log that refused"})
    status = f.String(metadata={"description": "code rule: the record's status then"})
    flags = f.List(
        f.Nested(FlagSchema),
        metadata={"description": "rule vague_decision: each vague phrase and why"},
    )
    action = f.String(metadata={"description": "code forbidden: the permission needed"})
    current = f.Dict(metadata={"description": "code stale_version: the server's copy now"})
    index = f.Integer(metadata={"description": "code stale_version of a batch: which item"})
    limits = f.Nested(LimitsSchema, metadata={"description": "code too_large of a push"})
    protocol_version = f.Integer(
        metadata={"description": "code update_required: the version this server speaks"}
    )
    retry_after = f.Integer(metadata={"description": "code throttled: seconds to wait"})
    reason = f.String(
        metadata={
            "description": "code credential_refused: why the device credential ended "
            "(docs/sync-protocol.md 3.6)"
        }
    )


class ErrorSchema(Schema):
    error = f.Nested(ErrorDetail, required=True)


class NamedSchema(Schema):
    """A record as a report names it: its id and its name (a provider, a service)."""

    id = f.UUID()
    name = f.String()


def answer(name: str, **fields) -> type[Schema]:
    """A small answer's schema, named ``name`` in the OpenAPI document (a token, a yes)."""
    return Schema.from_dict({key: field for key, field in fields.items()}, name=name)
