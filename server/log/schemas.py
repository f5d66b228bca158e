"""Log entries, their notes, evidence and history, in and out of the JSON API."""

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from marshmallow.utils import missing

from server.api.schemas import PageArgs
from server.common import dates, vocab
from server.common.fields import MULTI_LINE_FROM, SaneDate, Text
from server.common.serial import record_answer
from server.log.figures import NAMES as FIGURE_NAMES
from server.log.listing import SORTS
from server.log.machine import ACTIONS
from server.log.models import ENTRY_FIELDS, EvidenceRef, LogEntry, Note
from server.log.signals import SIGNALS

SHORT, LONG = 300, 4000


def text(max_length: int = LONG, required: bool = False, **options) -> Text:
    """A trimmed text field without control characters; a required one may not be blank."""
    length = validate.Length(
        min=1 if required else 0,
        max=max_length,
        error="Must be between {min} and {max} characters.",
    )
    return Text(
        required=required,
        validate=length,
        multiline=max_length >= MULTI_LINE_FROM,
        not_blank=required,
        **options,
    )


def one_of(choices, **options) -> fields.String:
    return fields.String(
        validate=validate.OneOf(choices, error="Must be one of: {choices}."), **options
    )


def version_field(**options) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=1), **options)


class CommaList(fields.String):
    """A query argument of comma-separated values, each from ``choices``."""

    def __init__(self, choices, **options):
        super().__init__(**options)
        self.choices = tuple(choices)

    def _deserialize(self, value, attr, data, **kwargs):
        items = [v.strip() for v in super()._deserialize(value, attr, data, **kwargs).split(",")]
        wrong = [v for v in items if v not in self.choices]
        if wrong:
            raise ValidationError(f"Unknown value {wrong[0]!r}; use: {', '.join(self.choices)}.")
        return items


# ---- output ------------------------------------------------------------------------------


class EntryFlagSchema(Schema):
    code = fields.String()
    message = fields.String()


class FlagsField(fields.List):
    """The entry's flags as of today in Europe/London (computed, never stored)."""

    def __init__(self, **options):
        super().__init__(fields.Nested(EntryFlagSchema), dump_only=True, **options)

    def get_value(self, obj, attr, accessor=None, default=missing):
        from server.log.flags import entry_flags

        return entry_flags(obj, dates.london_today())


class TransitionsField(fields.List):
    """The status actions open to the signed-in person on the entry (computed)."""

    def __init__(self, **options):
        super().__init__(fields.String(), dump_only=True, **options)

    def get_value(self, obj, attr, accessor=None, default=missing):
        from server.log.allowed import for_entry

        return for_entry(obj)


class EntryEvidenceSchema(record_answer("evidence", EvidenceRef)):
    """Evidence as the API answers it: made by its record serializer."""


class CarryForwardSchema(Schema):
    id = fields.Integer()
    from_date = fields.Date()
    to_date = fields.Date()
    reason = fields.String()
    author_id = fields.UUID()
    created_at = fields.DateTime()


class EntryNoteSchema(record_answer("note", Note)):
    """A note as the API answers it: made by its record serializer."""


class EntryStatementSchema(Schema):
    id = fields.String()


class EntrySchema(record_answer("log_entry", LogEntry)):
    """An entry as the API answers it: its record serializer makes the record; its statements,
    evidence, carry-forwards, flags and the person's transitions are added on top."""

    statement_ids = fields.Pluck(EntryStatementSchema, "id", many=True, attribute="statements")
    evidence = fields.List(fields.Nested(EntryEvidenceSchema))
    carry_forwards = fields.List(fields.Nested(CarryForwardSchema))
    flags = FlagsField()
    transitions = TransitionsField()


def dump_entry(entry) -> dict:
    """Return the entry as the API shows it, flags included."""
    return EntrySchema().dump(entry)


class SignOffChallengeSchema(Schema):
    by = fields.String(metadata={"description": "Who challenged, by name"})
    at = fields.DateTime()
    on = fields.String(metadata={"description": "The day, in words"})
    reason = fields.String()


class SignOffRefusalSchema(Schema):
    rule = fields.String()
    message = fields.String()


class SignOffStateSchema(Schema):
    """What the sign-off panel shows (docs/permissions.md, "Sign-off")."""

    steps = fields.String(
        metadata={"description": "Who marked it done, checked it and signed it off, and when"}
    )
    follow_through = fields.String(
        metadata={"description": "A safeguarding concern's referral and CQC notification"}
    )
    safeguarding = fields.Boolean(
        metadata={
            "description": "A finding flagged as a possible safeguarding concern is behind it"
        }
    )
    challenges = fields.List(fields.Nested(SignOffChallengeSchema))
    refusals = fields.List(fields.Nested(SignOffRefusalSchema))
    ready = fields.Boolean(metadata={"description": "You may sign it off now"})


class EntryHistoryEventSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor_id = fields.UUID(allow_none=True)
    channel = fields.String()
    device_id = fields.String(allow_none=True)
    action = fields.String()
    changes = fields.Dict()


class VagueFlagSchema(Schema):
    phrase = fields.String()
    explanation = fields.String()


class VagueCheckSchema(Schema):
    passes = fields.Boolean()
    flags = fields.List(fields.Nested(VagueFlagSchema))


# ---- input -------------------------------------------------------------------------------


class EntryRecordSchema(Schema):
    """Every field of a log entry a device or the desk writes, with its rules.

    The one definition: REST loads an entry with it, sync checks a pushed entry's
    ``changes`` with it (server.syncing.rules, where ``statement_ids`` travel as
    ``statements``) and /api/v1/schemas/log_entry.json publishes it.
    """

    service_id = fields.UUID(required=True)
    concern = text(LONG, required=True)
    source = one_of(vocab.SOURCES, required=True)
    risk = one_of(vocab.RISKS, metadata={"default": "medium"})
    decision = text(LONG)
    owner_id = fields.UUID(allow_none=True)
    due_date = SaneDate(allow_none=True)
    evidence_needed = text(LONG)
    interim_controls = text(LONG)
    statement_ids = fields.List(text(80, required=True), validate=validate.Length(max=40))


class EntryCreateSchema(EntryRecordSchema):
    id = fields.UUID(load_default=None)
    finding_ids = fields.List(fields.UUID(), load_default=list, validate=validate.Length(max=200))


class EntryUpdateSchema(EntryRecordSchema):
    class Meta:
        exclude = ("service_id",)

    version = version_field(required=True)
    carry_forward_reason = text(LONG, allow_none=True)
    vague_override_reason = text(LONG, allow_none=True)

    def __init__(self, **options):
        options.setdefault("partial", ENTRY_FIELDS)
        super().__init__(**options)


class EntryTransitionSchema(Schema):
    action = one_of(ACTIONS, required=True)
    version = version_field(required=True)
    reason = text(LONG, allow_none=True, load_default=None)
    override_reason = text(LONG, allow_none=True, load_default=None)


class EntryNoteCreateSchema(Schema):
    id = fields.UUID(load_default=None)
    body = text(LONG, required=True)


class NoteRecordSchema(EntryNoteCreateSchema):
    """A note as a device appends it: its entry travels with it (see EntryRecordSchema)."""

    class Meta:
        exclude = ("id",)

    entry_id = fields.UUID(required=True)


class EntryEvidenceCreateSchema(Schema):
    id = fields.UUID(load_default=None)
    type = one_of(vocab.ALL_EVIDENCE_TYPES, required=True)
    location = text(SHORT, required=True)
    evidence_date = SaneDate(required=True)
    checked_by = fields.UUID(required=True)
    description = text(LONG, load_default="")


class EvidenceRecordSchema(EntryEvidenceCreateSchema):
    """An evidence reference as a device appends it, with its entry."""

    class Meta:
        exclude = ("id",)

    entry_id = fields.UUID(required=True)


class EntryEscalationSchema(Schema):
    decision = one_of(vocab.ESCALATION_DECISIONS, required=True)
    reason = text(LONG, required=True)
    version = version_field(required=True)
    # A safeguarding concern's follow-through: each step's day, or why it was not needed.
    referral_made_on = SaneDate(allow_none=True, load_default=None)
    referral_not_needed = text(LONG, allow_none=True, load_default=None)
    cqc_notified_on = SaneDate(allow_none=True, load_default=None)
    cqc_not_needed = text(LONG, allow_none=True, load_default=None)


class EntryListArgs(PageArgs):
    class Meta:
        unknown = EXCLUDE

    service_id = fields.UUID()
    status = CommaList(vocab.ENTRY_STATUSES)
    risk = CommaList(vocab.RISKS)
    source = CommaList(vocab.SOURCES)
    owner_id = fields.UUID()
    overdue = fields.Boolean()
    figure = one_of(
        FIGURE_NAMES,
        metadata={
            "description": "Entries a figure counts (docs/reports.md, What each figure means)"
        },
    )
    statement_id = fields.String(validate=validate.Length(max=80))
    signal = one_of(
        SIGNALS,
        metadata={
            "description": (
                "Entries behind an early-warning signal (docs/early-warnings.md); the three "
                "signals about findings and walkarounds are refused"
            )
        },
    )
    q = fields.String(validate=validate.Length(max=200))
    sort = one_of(SORTS, load_default="-updated_at")


class VagueCheckArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    decision = fields.String(load_default="", validate=validate.Length(max=LONG))
