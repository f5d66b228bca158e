"""An entry's history in plain words: for each audit event, who did what, where and when,
and each change as "Owner: Sam Patel → Jo Bloggs". The desk renders the words; the raw
``changes`` stay in the answer for programs."""

import uuid

from server.audit import words as say
from server.common.rendering import words as plain
from server.extensions import db
from server.log.machine import TRANSITIONS
from server.syncing import conflict_words
from server.syncing.models import SyncConflict

ACTIONS = {
    "create": "created the entry",
    "update": "changed the entry",
    "open": "opened it",
    "start": "started work on it",
    "mark_done": "marked it done, for checking",
    "send_back": "sent it back for more work",
    "close": "closed it",
    "sign_off": "signed it off",
    "challenge": "challenged it",
    "reopen": "reopened it",
    "hand_over": "handed it over to a new owner",
    "carry_forward": "moved the due date",
    "link_findings": "linked findings to it",
    "note": "added a note",
    "evidence": "added evidence",
    "delete": "deleted it",
    "restore": "brought it back",
    "resolve_conflict": "settled a conflict",
}
ESCALATION = {
    "escalated": "escalated it to the nominated individual",
    "not_escalated": "decided it does not need escalating to the nominated individual",
}
LABELS = {
    **conflict_words.FIELD_LABELS,
    "reason": "reason",
    "body": "note",
    "from": "from",
    "to": "to",
    "type": "type of evidence",
    "location": "where it is kept",
    "evidence_date": "date of the evidence",
    "checked_by": "checked by",
    "escalation_decision": "escalation",
    "escalation_reason": "why",
    "escalation_by": "decided by",
    "escalation_at": "decided on",
    "closed_by": "closed by",
    "signed_off_by": "signed off by",
    "completed_on": "done on",
    "original_due_date": "first due date",
    "referral_made_on": "safeguarding referral made on",
    "referral_not_needed": "why no safeguarding referral was needed",
    "cqc_notified_on": "CQC notified on",
    "cqc_not_needed": "why no CQC notification was needed",
}
# What a person needs from an event is said by its summary and the lines above; these
# are bookkeeping (ids, the moment the event itself carries, a flag its decision says).
HIDDEN = {"id", "version", "entry_id", "note_id", "evidence_id", "review_id", "conflict_id"}
HIDDEN |= {"opened_at", "closed_at", "updated_at", "created_at", "created_by", "service_id"}
HIDDEN |= {"escalated", "finding_ids", "statement_ids", "statements", "vague_override_by"}
HIDDEN |= {"choice", "change_seq", "deleted_at", "escalation_at", "deleted"}
# The steps (marked done, checked, signed off): the event's who and when already say them.
HIDDEN |= {"done_by", "done_at", "checked_at", "signed_off_at"}
CREATE_SHOWN = ("concern", "decision", "owner_id", "due_date", "risk", "source", "status")


class Context:
    def __init__(self, events):
        ids = {str(v) for e in events for v in _ids_in(e)}
        conflict_ids = {(e.changes or {}).get("conflict_id") for e in events} - {None}
        self.conflicts = (
            {
                str(c.id): c
                for c in db.session.scalars(
                    db.select(SyncConflict).where(SyncConflict.id.in_(map(_uuid, conflict_ids)))
                )
            }
            if conflict_ids
            else {}
        )
        sides = [c.kept_author for c in self.conflicts.values()]
        sides += [c.other_author for c in self.conflicts.values()]
        self.names = say.people(list(ids) + sides)
        self.devices = conflict_words.devices(
            [e.device_id for e in events]
            + [c.other_device for c in self.conflicts.values()]
            + [c.kept_device for c in self.conflicts.values()]
        )
        self.said = dict(
            zip(
                self.conflicts,
                conflict_words.describe_all(list(self.conflicts.values())),
                strict=True,
            )
        )


def _uuid(value):
    return uuid.UUID(str(value))


def _ids_in(event) -> list:
    out = [event.actor_id]
    for key, value in (event.changes or {}).items():
        if key.endswith("_id") or key.endswith("_by"):
            out += value if isinstance(value, list) else [value]
    return [v for v in out if v]


def describe_all(events) -> list[dict]:
    """Return the ``words`` of each event, in order."""
    ctx = Context(events)
    return [describe(event, ctx) for event in events]


def describe(event, ctx: Context) -> dict:
    changes = event.changes or {}
    if event.action == "conflict":
        return _conflict(event, changes, ctx)
    who = say.name(ctx.names, event.actor_id, "Careloop")
    what = _what(event.action, changes)
    lines = _create_lines(changes, ctx) if event.action == "create" else _lines(changes, ctx)
    if event.action == "link_findings":
        count = len(changes.get("finding_ids") or [])
        lines = [f"{count} finding{'' if count == 1 else 's'} linked"]
    if event.action == "resolve_conflict":
        what = _resolution(changes, ctx)
        row = ctx.conflicts.get(str(changes.get("conflict_id")))
        shown = row is not None and row.kind == "field" and changes.get("choice") != "kept"
        lines = lines if shown else []
    return {
        "who": who,
        "where": say.place(event.channel, event.device_id, ctx.devices),
        "when": say.moment(event.at),
        "summary": f"{who} {what}",
        "lines": lines,
    }


def _what(action: str, changes: dict) -> str:
    if action == "escalation":
        decision = changes.get("escalation_decision")
        decision = decision[1] if isinstance(decision, list) else decision
        return ESCALATION.get(decision, "recorded an escalation decision")
    if action in ACTIONS:
        return ACTIONS[action]
    step = TRANSITIONS.get(action)  # a status action added after these words were written
    return f"{step.done} the entry" if step else f"recorded “{plain(action).lower()}”"


def _value(key: str, value, ctx: Context) -> str:
    if key == "escalation_decision":
        return {"escalated": "Escalated to the nominated individual"}.get(
            value, plain(value or "none")
        )
    return conflict_words.value_text(key, value, ctx.names)


def _line(key: str, value, ctx: Context) -> str:
    label = plain(LABELS.get(key, key))
    if isinstance(value, list) and len(value) == 2:
        if _empty(value[0]):
            return f"{label}: {_value(key, value[1], ctx)}"
        return f"{label}: {_value(key, value[0], ctx)} → {_value(key, value[1], ctx)}"
    return f"{label}: {_value(key, value, ctx)}"


def _lines(changes: dict, ctx: Context) -> list[str]:
    shown = [(k, v) for k, v in changes.items() if k not in HIDDEN and not _empty(v)]
    return [_line(k, v, ctx) for k, v in shown]


def _empty(value) -> bool:
    if isinstance(value, list) and len(value) == 2:
        return all(_empty(v) for v in value)
    return value is None or value == ""


def _create_lines(changes: dict, ctx: Context) -> list[str]:
    return [_line(k, changes[k], ctx) for k in CREATE_SHOWN if changes.get(k) not in (None, "")]


def _conflict(event, changes: dict, ctx: Context) -> dict:
    row = ctx.conflicts.get(str(changes.get("conflict_id")))
    said = ctx.said.get(str(changes.get("conflict_id")))
    if row is None or said is None:
        return {
            "who": "Careloop",
            "where": say.place(event.channel, event.device_id, ctx.devices),
            "when": say.moment(event.at),
            "summary": "Two changes clashed; a manager decides which stands",
            "lines": [],
        }
    return {
        "who": said["other"]["who"],
        "where": said["other"]["where"],
        "when": say.moment(event.at),
        "summary": f"{said['title']}: {said['summary']}",
        "lines": [
            f"Kept for now: {said['kept']['value']} ({said['kept']['line']})",
            f"Waiting for a manager: {said['other']['value']} ({said['other']['line']})",
        ],
    }


def _resolution(changes: dict, ctx: Context) -> str:
    """What a manager chose, said as it was then: the first value kept, the other side
    taken, or a new value written."""
    said = ctx.said.get(str(changes.get("conflict_id")))
    choice = changes.get("choice")
    if choice == "new":
        return "settled a conflict by writing a new value"
    if said is None:
        return "settled a conflict"
    if choice == "kept":
        return f"settled a conflict: “{said['choices'][0]['label']}”"
    return f"settled a conflict by taking the change {said['other']['where']}: {said['other']['value']}"
