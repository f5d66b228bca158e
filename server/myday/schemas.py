"""My day as the API shows it: every item says what it is, where, and why it is listed."""

from marshmallow import Schema, fields


class MyDayItemSchema(Schema):
    """An entry of the user's: enough to show it and link to /entries/{entry_id}."""

    entry_id = fields.UUID()
    concern = fields.String()
    due_date = fields.Date(allow_none=True)
    status = fields.String()
    risk = fields.String()
    service_id = fields.UUID()
    service_name = fields.String()
    reason = fields.String(metadata={"description": "Why it is listed, in plain English"})
    days_overdue = fields.Integer()
    challenged_at = fields.AwareDateTime()
    challenged_by = fields.String()
    comment = fields.String()
    review_id = fields.UUID(allow_none=True)
    assigned_at = fields.AwareDateTime()
    assigned_by = fields.String()


class MyDayFindingSchema(Schema):
    """A new finding waiting for triage; links to the triage inbox."""

    finding_id = fields.UUID()
    description = fields.String()
    area = fields.String()
    source = fields.String()
    risk = fields.String()
    received_at = fields.AwareDateTime()
    waiting_hours = fields.Float()
    past_escalation_time = fields.Boolean()
    service_id = fields.UUID()
    service_name = fields.String()
    reason = fields.String()


class MyDayReviewSchema(Schema):
    """A review of a service's log that is overdue or due within two days."""

    service_id = fields.UUID()
    service_name = fields.String()
    kind = fields.String()
    next_due = fields.Date()
    overdue = fields.Boolean()
    days_overdue = fields.Integer()
    last_review_id = fields.UUID(allow_none=True)
    reason = fields.String()


class MyDayManagerSchema(Schema):
    findings_waiting = fields.List(
        fields.Nested(MyDayFindingSchema),
        metadata={
            "description": "Every new finding where I may triage, from the moment it syncs: "
            "high risk first, then past the escalation time, then the longest waiting"
        },
    )
    reviews_due = fields.List(fields.Nested(MyDayReviewSchema))


class MyDayCountsSchema(Schema):
    sections = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "How many records each section lists, by its key"},
    )
    total = fields.Integer(metadata={"description": "The sum: the menu badge's number"})


class MyDaySchema(Schema):
    as_of = fields.Date(metadata={"description": "Today in Europe/London"})
    overdue = fields.List(fields.Nested(MyDayItemSchema))
    due_today = fields.List(fields.Nested(MyDayItemSchema))
    challenges = fields.List(fields.Nested(MyDayItemSchema))
    new_assignments = fields.List(fields.Nested(MyDayItemSchema))
    waiting_check = fields.List(
        fields.Nested(MyDayItemSchema),
        metadata={"description": "Awaiting check where I may close it or send it back"},
    )
    waiting_sign_off = fields.List(
        fields.Nested(MyDayItemSchema),
        metadata={
            "description": "Awaiting sign-off where I may sign off and did not close or check it"
        },
    )
    sign_off_pending = fields.List(
        fields.Nested(MyDayItemSchema),
        metadata={"description": "High-risk entries I own or closed, waiting for sign-off"},
    )
    services_overdue = fields.List(
        fields.Nested(MyDayItemSchema),
        metadata={"description": "Overdue entries of services I oversee, other than mine"},
    )
    counts = fields.Nested(MyDayCountsSchema)
    manager = fields.Nested(
        MyDayManagerSchema,
        allow_none=True,
        metadata={
            "description": "Only for a role with finding.triage or oversight.read; else null"
        },
    )


class PreferencesSchema(Schema):
    """The signed-in person's reminder preferences."""

    digest_opt_in = fields.Boolean(
        metadata={"description": "Email me a daily summary of My day (counts and links only)"}
    )
    email_configured = fields.Boolean(
        metadata={"description": "Whether this server can send email; without it no digest is sent"}
    )


class PreferencesUpdateSchema(Schema):
    digest_opt_in = fields.Boolean(required=True, truthy={True}, falsy={False})
