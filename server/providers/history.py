"""The history of a service's set-up and of the provider's thresholds, in plain words.

Read from the audit trail, newest first: who changed what, when, with the old and new
values and a sentence for each difference ("Added “Conservatory”.").
"""

from sqlalchemy import Text, cast

from server.accounts.permissions import can
from server.audit.models import AuditEvent
from server.common.paging import paged
from server.errors import Forbidden
from server.extensions import db
from server.measures.history import change_item, describe_measure_event, measure_names
from server.providers.models import DEFAULT_THRESHOLDS, Provider, Service
from server.providers.services import names_of, threshold_events

SETTINGS = ("areas", "routines", "question_sets", "escalation_criteria", "safeguarding_steps")
LABELS = {
    "areas": "Areas",
    "routines": "Routines",
    "question_sets": "Feedback questions",
    "escalation_criteria": "When to escalate",
    "safeguarding_steps": "Safeguarding steps",
}
# Each threshold's label and its unit, as a person would say them.
THRESHOLD_WORDS = {
    "escalation_hours": ("Escalation time", "hours"),
    "repeat_finding_count": ("Findings that make a repeat", ""),
    "repeat_finding_window_days": ("Repeat-finding window", "days"),
    "chasing_count": ("Negative feedback that counts as chasing", ""),
    "chasing_window_days": ("Chasing window", "days"),
    "rm_review_interval_days": ("Registered manager's review every", "days"),
    "provider_review_interval_days": ("Provider's review every", "days"),
    "carry_forward_limit": ("Carry-forwards before a warning", ""),
    "walkaround_follow_up_window_days": ("Walkarounds without follow-up: look back", "days"),
}


def service_history(
    user, service: Service, *, about: str | None = None, page: int = 1, per_page: int = 20
) -> dict:
    """Return a page of the service's set-up changes, newest first, in plain words.

    ``about`` keeps one setting (areas, routines, question_sets, escalation_criteria) or
    the measures. Measures are left out for a user who may not see them."""
    settings = (AuditEvent.entity_type == "service") & (AuditEvent.action == "configure")
    measures = AuditEvent.entity_type == "improvement_measure"
    may_see_measures = can(user, "measure.read", service)
    if about == "measures" and not may_see_measures:
        raise Forbidden(
            "Your role does not allow seeing improvement measures (measure.read).",
            action="measure.read",
        )
    query = db.select(AuditEvent).where(AuditEvent.service_id == service.id)
    if about == "measures":
        query = query.where(measures)
    elif about in SETTINGS:
        # The changes are JSON {"field": [old, new]}; a quoted key followed by a colon can
        # only be a top-level field name (quotes inside values are escaped).
        query = query.where(settings, cast(AuditEvent.changes, Text).like(f'%"{about}":%'))
    else:
        query = query.where(settings | measures if may_see_measures else settings)
    return _page(query, page, per_page)


def thresholds_history(provider: Provider, *, page: int = 1, per_page: int = 20) -> dict:
    """Return a page of the changes to the provider's thresholds, newest first."""
    return _page(threshold_events(provider), page, per_page)


def _page(query, page: int, per_page: int) -> dict:
    result = paged(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()), page, per_page)
    events = result["items"]
    names = names_of(e.actor_id for e in events)
    measures = measure_names(
        sorted({e.entity_id for e in events if e.entity_type == "improvement_measure"})
    )
    return {**result, "items": [describe(e, names, measures) for e in events]}


def describe(event: AuditEvent, names: dict, measures: dict) -> dict:
    """Turn one audit event into who, when, what, and each change in words."""
    if event.entity_type == "improvement_measure":
        about = "measures"
        summary, changes = describe_measure_event(
            event.action, event.changes or {}, measures.get(event.entity_id)
        )
    elif event.entity_type == "provider":
        about = "thresholds"
        changes = [_threshold_change(n, pair) for n, pair in (event.changes or {}).items()]
        summary = "Changed the thresholds"
    else:
        about = "settings"
        changes = [_setting_change(n, pair) for n, pair in (event.changes or {}).items()]
        summary = "Changed " + _and(
            [
                f"the {LABELS.get(c['field'], c['field']).lower()}"
                if c["field"] != "escalation_criteria"
                else "when to escalate"
                for c in changes
            ]
        )
    for change in changes:
        change["words"] = [tidy(words) for words in change["words"]]
    return {
        "id": event.id,
        "at": event.at,
        "actor_id": event.actor_id,
        "actor_name": names.get(event.actor_id)
        or ("the system" if not event.actor_id else "a former colleague"),
        "channel": event.channel,
        "about": about,
        "subject_id": event.entity_id,
        "action": event.action,
        "summary": summary,
        "changes": changes,
    }


def tidy(sentence: str) -> str:
    """Drop a full stop after a quotation that already ends one: “… the hour.”."""
    for mark in ".?!":
        sentence = sentence.replace(f"{mark}”.", f"{mark}”")
    return sentence


def _setting_change(field: str, pair) -> dict:
    item = change_item(field, LABELS.get(field, field), pair)
    before, after = item["before"], item["after"]
    if field in ("areas", "routines"):
        words = list_words(before or [], after or [])
    elif field == "question_sets":
        words = question_words(before or [], after or [])
    else:
        words = [text_words(before or "", after or "")]
    return {**item, "words": words or ["No visible difference."]}


def quoted(items: list[str]) -> str:
    return _and([f"“{item}”" for item in items])


def _and(parts: list[str]) -> str:
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def list_words(before: list, after: list) -> list[str]:
    """Say what changed between two lists of names."""
    added = [x for x in after if x not in before]
    removed = [x for x in before if x not in after]
    if len(added) == 1 and len(removed) == 1 and before.index(removed[0]) == after.index(added[0]):
        return [f"Renamed “{removed[0]}” to “{added[0]}”."]
    words = []
    if added:
        words.append(f"Added {quoted(added)}.")
    if removed:
        words.append(f"Removed {quoted(removed)}.")
    if not words and before != after:
        words.append("Changed the order.")
    return words


def question_words(before: list, after: list) -> list[str]:
    """Say what changed between two lists of question sets, question by question."""
    old = {s["id"]: s for s in before}
    new = {s["id"]: s for s in after}
    words = []
    for set_id, qs in new.items():
        if set_id not in old:
            count = len(qs.get("questions", []))
            words.append(
                f"Added the question set “{qs['name']}” with {count} "
                f"question{'s' if count != 1 else ''}."
            )
            continue
        words += _one_set_words(old[set_id], qs)
    words += [
        f"Removed the question set “{qs['name']}”."
        for set_id, qs in old.items()
        if set_id not in new
    ]
    if not words and [s["id"] for s in before] != [s["id"] for s in after]:
        words.append("Changed the order of the question sets.")
    return words


def _one_set_words(old: dict, new: dict) -> list[str]:
    words = []
    if old["name"] != new["name"]:
        words.append(f"Renamed the question set “{old['name']}” to “{new['name']}”.")
    before = {q["id"]: q["text"] for q in old.get("questions", [])}
    after = {q["id"]: q["text"] for q in new.get("questions", [])}
    where = new["name"]
    for qid, text in after.items():
        if qid not in before:
            words.append(f"Added to “{where}”: “{text}”.")
        elif before[qid] != text:
            words.append(f"Reworded in “{where}”: “{before[qid]}” became “{text}”.")
    words += [
        f"Removed from “{where}”: “{text}”." for qid, text in before.items() if qid not in after
    ]
    if not words and list(before) != list(after):
        words.append(f"Changed the order of the questions in “{where}”.")
    return words


def text_words(before: str, after: str) -> str:
    if not before:
        return f"Set to “{after}”."
    if not after:
        return f"Cleared (it was “{before}”)."
    return f"Changed from “{before}” to “{after}”."


def _threshold_change(name: str, pair) -> dict:
    label, unit = THRESHOLD_WORDS.get(name, (name, ""))
    item = change_item(name, label, pair)
    before, after = item["before"], item["after"]
    default = DEFAULT_THRESHOLDS.get(name)
    if name == "escalation_hours":
        old, new = before or default, after or default
        words = [
            f"{risk.title()} risk: from {_amount(old[risk], unit, before is None)} to "
            f"{_amount(new[risk], unit, after is None)}."
            for risk in ("high", "medium", "low")
            if old.get(risk) != new.get(risk)
        ]
    else:
        words = [
            f"From {_amount(default if before is None else before, unit, before is None)} "
            f"to {_amount(default if after is None else after, unit, after is None)}."
        ]
    return {**item, "words": words or ["Back to the default."]}


def _amount(value, unit: str, is_default: bool) -> str:
    text = f"{value} {unit}".strip()
    return f"{text} (the default)" if is_default else text
