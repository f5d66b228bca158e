"""A kept conflict in plain words, for the desk: what it is about, who did what, where and
when on each side, and the choices a manager has ("Keep closed", "Use the tablet's wording").

The words travel as ``words`` beside the conflict's raw fields (docs/sync-protocol.md §8), so
the screens render sentences and hold no vocabulary of their own.
"""

import uuid
from datetime import datetime

from server.audit import words as say
from server.common.rendering import words as plain
from server.extensions import db
from server.findings.models import Finding
from server.log.machine import TRANSITIONS
from server.log.models import LogEntry
from server.log.transitions import STATUS_LABELS
from server.syncing.models import Device, SyncConflict
from sync.merge import DELETED

FIELD_LABELS = {
    "decision": "decision",
    "concern": "concern",
    "owner_id": "owner",
    "due_date": "due date",
    "evidence_needed": "evidence needed",
    "interim_controls": "interim controls",
    "risk": "risk",
    "source": "source",
    "status": "status",
    "description": "description",
    "action_taken": "action taken",
    "area": "area",
    "people_involved": "people involved",
    "notes": "notes",
    "triage_state": "triage",
    "follow_up_needed": "follow-up needed",
    "safeguarding_concern": "safeguarding concern",
}
WORDED = {"decision", "concern", "evidence_needed", "interim_controls", "description"}
WORDED |= {"action_taken", "notes", "people_involved", "answer"}
CODED = {"risk", "source", "type", "kind", "escalation_decision", "respondent_type", "sentiment"}
THINGS = {"log_entry": "entry", "finding": "finding", "walkaround": "walkaround"}
FINDING_STATES = {
    "new": "waiting for triage",
    "linked": "linked to an entry",
    "dismissed": "dismissed",
    "withdrawn": "withdrawn",
}
# What a tablet's offline status action did, and the choice that applies it now.
DONE = {"mark_done": "marked it done", "start": "started it", "withdraw": "withdrew it"}
APPLY = {
    "mark_done": "Send it for checking as marked done",
    "start": "Start it as the tablet asked",
    "withdraw": "Withdraw it as the tablet asked",
}

REOPEN = {"mark_done": "Reopen for checking"}
REOPENED_WHY = "Reopened to apply a change made on a tablet that arrived after it was closed."


def reopen_first(row: SyncConflict, status) -> bool:
    """Whether taking the tablet's side of a status conflict reopens the closed entry first:
    its status change could follow a reopening (marked done, on an entry since closed)."""
    if row.entity_type != "log_entry" or row.kind != "transition" or status != "closed":
        return False
    step = TRANSITIONS.get(_step(row.other_value)[0])
    return step is not None and status not in step.sources and "in_progress" in step.sources


def _a(thing: str) -> str:
    return f"an {thing}" if thing[0] in "aeiou" else f"a {thing}"


def status_label(entity_type: str, value) -> str:
    """A status (or a finding's triage state) as people say it: "awaiting sign-off"."""
    table = STATUS_LABELS if entity_type == "log_entry" else FINDING_STATES
    label = table.get(value, plain(value).lower())
    return label[2:] if label.startswith("a ") else label  # "a draft" as a label: "draft"


def devices(ids) -> dict[str, str]:
    """Return {device id: its label} for the ids given (a device without a label: none)."""
    keys = {key for key in map(_uuid, ids) if key is not None}
    if not keys:
        return {}
    rows = db.session.execute(db.select(Device.id, Device.label).where(Device.id.in_(keys)))
    return {str(key): label for key, label in rows if label}


def _uuid(value):
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _records(rows: list[SyncConflict]) -> dict[str, object]:
    out: dict[str, object] = {}
    for model, kind in ((LogEntry, "log_entry"), (Finding, "finding")):
        ids = {_uuid(r.entity_id) for r in rows if r.entity_type == kind} - {None}
        if ids:
            out |= {
                str(r.id): r for r in db.session.scalars(db.select(model).where(model.id.in_(ids)))
            }
    return out


class Context:
    """The names, tablet labels and records a page of conflicts needs, looked up once."""

    def __init__(self, rows: list[SyncConflict]):
        self.names = say.people([r.kept_author for r in rows] + [r.other_author for r in rows])
        self.devices = devices([r.kept_device for r in rows] + [r.other_device for r in rows])
        self.records = _records(rows)

    def field_value(self, field: str, value, entity_type: str = "log_entry") -> str:
        return value_text(field, value, self.names, entity_type)


def value_text(field: str, value, names: dict, entity_type: str = "log_entry") -> str:
    """One field's value as people read it: a status's label, a person's name for a user
    id, a date as a day, risk as "high risk", wording in quotes."""
    if value is None or value == "":
        return "no one" if field.endswith(("_id", "_by")) else "(nothing)"
    if isinstance(value, dict) and "action" in value:
        return step_text(value)
    if field in ("status", "triage_state"):
        return status_label(entity_type, value).capitalize()
    if field.endswith("_id") or field.endswith("_by"):
        return say.name(names, value, "someone not known here")
    if field.endswith(("_date", "_on")) or field in ("from", "to"):
        return say.spoken_day(value)
    if field.endswith("_at"):
        return say.moment(_when(value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "(nothing)"
    if isinstance(value, dict):
        return "; ".join(
            f"{plain(k)}: {value_text(k, v, names, entity_type)}" for k, v in value.items()
        )
    return f"“{value}”" if field in WORDED else plain(str(value)) if field in CODED else str(value)


def _when(value):
    try:
        return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return None


def dumped(rows: list[SyncConflict], dump) -> list[dict]:
    """Each conflict as ``dump`` writes it, with its ``words``."""
    return [
        {**dump(row), "words": said} for row, said in zip(rows, describe_all(rows), strict=True)
    ]


def describe_all(rows: list[SyncConflict]) -> list[dict]:
    """Return the ``words`` of each conflict, in order."""
    context = Context(rows)
    return [describe(row, context) for row in rows]


def describe(row: SyncConflict, ctx: Context) -> dict:
    """The ``words`` of one conflict (see the module's docstring)."""
    thing = THINGS.get(row.entity_type, "record")
    kept, other = _side(row, "kept", ctx), _side(row, "other", ctx)
    kind = {"transition": _transition, "delete_vs_edit": _delete_vs_edit}.get(row.kind)
    kind = kind or (_edit_vs_delete if row.kind == "edit_vs_delete" else _field)
    body = kind(row, ctx, thing, kept, other)
    return {
        "about": _about(row, ctx, thing),
        "kept": kept,
        "other": other,
        "before": _before(row, ctx),
        **body,
    }


def _about(row, ctx: Context, thing: str) -> str:
    record = ctx.records.get(row.entity_id)
    title = (
        (getattr(record, "decision", None) or getattr(record, "concern", None)) if record else None
    )
    title = title or (getattr(record, "description", None) if record else None)
    if title and len(title) > 70:
        title = title[:67].rstrip() + "…"
    return f"The {thing} “{title}”" if title else _a(thing).capitalize()


def _side(row, which: str, ctx: Context) -> dict:
    author, device = getattr(row, f"{which}_author"), getattr(row, f"{which}_device")
    who = say.name(ctx.names, author)
    where = say.place("sync" if device else "desk", device, ctx.devices)
    when = say.moment(getattr(row, f"{which}_at"))
    return {
        "who": who,
        "where": where,
        "when": when,
        "value": None,
        "line": f"{who}, {where}, {when}",
    }


def _before(row, ctx: Context) -> str | None:
    if row.kind not in ("field", "transition") or row.base_value is None:
        return None
    return ctx.field_value(row.field, row.base_value, row.entity_type)


def _field(row, ctx, thing, kept, other) -> dict:
    label = FIELD_LABELS.get(row.field, plain(row.field).lower())
    kept["value"] = ctx.field_value(row.field, row.kept_value, row.entity_type)
    other["value"] = ctx.field_value(row.field, row.other_value, row.entity_type)
    if row.field in WORDED:
        keep = f"Keep {say.first_name(kept['who'])}'s wording"
        use = (
            "Use the tablet's wording"
            if row.other_device
            else f"Use {say.first_name(other['who'])}'s wording"
        )
    else:
        keep, use = f"Keep {label} as {kept['value']}", f"Use {other['value']} as {label}"
    return {
        "title": f"Two changes to the {label}",
        "summary": f"{kept['who']} and {other['who']} both changed the {label} of this {thing} "
        f"before their changes met. {kept['who']}'s, saved first, stands until you choose.",
        "choices": [{"choice": "kept", "label": keep}, {"choice": "other", "label": use}],
        "new_value": "date" if row.field.endswith("_date") else "text",
    }


def _step(value) -> tuple[str, str | None]:
    value = value if isinstance(value, dict) else {}
    return value.get("action") or "", value.get("reason")


def step_text(value) -> str:
    """A status change as a sentence: "Marked it done. Reason given: “…”"."""
    action, reason = _step(value)
    did = DONE.get(action, f"asked to {plain(action).lower()} it")
    return did[0].upper() + did[1:] + (f". Reason given: “{reason}”" if reason else "")


def _transition(row, ctx, thing, kept, other) -> dict:
    action, _ = _step(row.other_value)
    seen = status_label(row.entity_type, row.base_value)
    kept["value"] = status_label(row.entity_type, row.kept_value).capitalize()
    did = DONE.get(action, f"asked to {plain(action).lower()} it")
    other["value"] = step_text(row.other_value)
    choices = [{"choice": "kept", "label": f"Keep {status_label(row.entity_type, row.kept_value)}"}]
    blocked = None
    now = _current_status(row, ctx)
    if _may_apply(row, ctx, action):
        choices.append({"choice": "other", "label": APPLY.get(action, "Apply the tablet's change")})
    elif reopen_first(row, now):
        label = REOPEN.get(action, "Reopen it and apply the tablet's change")
        choices.append({"choice": "other", "label": label})
    else:
        blocked = (
            f"The tablet's change cannot be applied to {_a(thing)} that is {status_label(row.entity_type, now)}. "
            f"If it needs more work, keep it as it is and reopen the {thing} from its page."
        )
    return {
        "title": "A status change that arrived too late",
        "summary": f"{other['who']} {did} {other['where']} while it was {seen}, but when the change "
        f"arrived the {thing} was already {status_label(row.entity_type, row.kept_value)}.",
        "choices": choices,
        "blocked": blocked,
        "new_value": None,
    }


def _current_status(row, ctx: Context):
    record = ctx.records.get(row.entity_id)
    field = "status" if row.entity_type == "log_entry" else "triage_state"
    return getattr(record, field, row.kept_value) if record else row.kept_value


def _may_apply(row, ctx: Context, action: str) -> bool:
    now = _current_status(row, ctx)
    if row.entity_type == "log_entry":
        step = TRANSITIONS.get(action)
        return bool(step) and now in step.sources
    return action == "withdraw" and now == "new"


def _fields_text(row, value: dict, ctx: Context) -> str:
    if not value or value == DELETED:
        return "Deleted"
    if "action" in value:
        return step_text(value)
    shown = {k: v for k, v in value.items() if k != "version"}
    if not shown:
        return "Changed"
    return "; ".join(
        f"{plain(FIELD_LABELS.get(k, k))}: {ctx.field_value(k, v, row.entity_type)}"
        for k, v in shown.items()
    )


def _delete_vs_edit(row, ctx, thing, kept, other) -> dict:
    kept["value"] = _fields_text(row, row.kept_value, ctx)
    other["value"] = "Deleted"
    return {
        "title": f"{_a(thing).capitalize()} deleted on a tablet after it was changed",
        "summary": f"{other['who']} deleted this {thing} {other['where']}, but {kept['who']} had "
        "changed it in the meantime, so it has not been deleted.",
        "choices": [
            {
                "choice": "kept",
                "label": f"Keep the {thing} with {say.first_name(kept['who'])}'s changes",
            },
            {"choice": "other", "label": f"Delete the {thing}"},
        ],
        "new_value": None,
    }


def _edit_vs_delete(row, ctx, thing, kept, other) -> dict:
    kept["value"] = "Deleted"
    other["value"] = _fields_text(row, row.other_value, ctx)
    return {
        "title": f"A change to {_a(thing)} that had been deleted",
        "summary": f"{other['who']} changed this {thing} {other['where']}, but {kept['who']} had "
        "deleted it in the meantime. It stays deleted until you choose.",
        "choices": [
            {"choice": "kept", "label": "Leave it deleted"},
            {"choice": "other", "label": f"Bring the {thing} back with the tablet's change"},
        ],
        "new_value": None,
    }
