"""Check a finding's fields against its service: vocabularies, areas, questions, no full names."""

import re

from server.common import vocab
from server.errors import Invalid
from server.extensions import db
from server.findings.models import Walkaround
from server.providers.models import Service

FEEDBACK_FIELDS = ("respondent_type", "question_id", "answer", "sentiment")
# What feedback must hold: who said it, what they said and how it sounded. The question is
# optional: an unprompted comment or complaint is feedback too.
FEEDBACK_NEEDS = ("respondent_type", "answer", "sentiment")
SAFEGUARDING_IS_HIGH = (
    "A possible safeguarding concern is high risk. Untick it to choose a lower risk."
)
_VOCAB = {
    "kind": vocab.FINDING_KINDS,
    "risk": vocab.RISKS,
    "source": vocab.SOURCES,
    "respondent_type": vocab.RESPONDENT_TYPES,
    "sentiment": vocab.SENTIMENTS,
}
NO_FULL_NAMES = "Use a record reference or initials (for example R-1042 or JS), not a full name."
_WORD = re.compile(r"[^\W_][\w'’-]*")
_STOP = r"[\s,.;:!?()/]"
NAME_PATTERN = rf"(?:^|{_STOP})[A-Z][a-z]{{2,}}{_STOP}+[A-Z][a-z]{{2,}}(?=$|{_STOP})"
"""The plainest full names ("Mary Jones", "room 4, Mary Jones") as a regular expression that
means the same in Python and in ECMA-262 (JSON Schema's dialect), published in the finding's
schema so a tablet refuses them before saving. Every match is refused by
``looks_like_full_name`` too; names it misses (accents, apostrophes) are left to the server."""


def looks_like_full_name(text: str) -> bool:
    """Two capitalised words of three or more letters in a row read as a person's name."""
    words = _WORD.findall(text or "")
    named = [
        len(w) >= 3
        and w[0].isupper()
        and any(c.islower() for c in w[1:])
        and not any(c.isdigit() for c in w)
        for w in words
    ]
    return any(a and b for a, b in zip(named, named[1:], strict=False))


def places(service: Service) -> list[str]:
    """Return the service's areas and routines: where a finding or walkaround may be."""
    return list(service.areas or []) + list(service.routines or [])


def raise_if(errors: dict) -> None:
    """Raise one Invalid naming every field in ``errors``; do nothing when there are none."""
    if errors:
        message = (
            next(iter(errors.values()))
            if len(errors) == 1
            else ("Please check these fields: " + ", ".join(sorted(errors)) + ".")
        )
        raise Invalid(message, errors)


def check_finding(service: Service, values: dict, changed: set) -> dict:
    """Check a finding's complete values (only ``changed`` ones against the service's
    current lists, so old findings stay editable); return derived values to store."""
    errors: dict = {}
    for name, choices in _VOCAB.items():
        if name in changed and values.get(name) is not None and values[name] not in choices:
            errors[name] = f"Must be one of: {', '.join(choices)}."
    if not values.get("kind"):
        errors["kind"] = "Choose the kind of finding."
    if not values.get("area"):
        errors["area"] = "Choose one of this service's areas or routines."
    elif "area" in changed and values["area"] not in places(service):
        errors["area"] = f"{values['area']} is not one of this service's areas or routines."
    if not (values.get("description") or "").strip():
        errors["description"] = "Describe what you saw."
    people = values.get("people_involved")  # no text, no name: skip the regex
    if people and "people_involved" in changed and looks_like_full_name(people):
        errors["people_involved"] = NO_FULL_NAMES
    derived = {}
    if values.get("safeguarding_concern") and values.get("risk") != "high":
        errors["risk"] = SAFEGUARDING_IS_HIGH
    if values.get("kind") == "feedback":
        for name in FEEDBACK_NEEDS:
            if values.get(name) in (None, ""):
                errors.setdefault(name, f"Feedback needs {name.replace('_', ' ')}.")
        question_id = values.get("question_id")
        if "question_id" in changed and question_id:
            question = service.questions().get(question_id)
            if question is None:
                errors["question_id"] = "Not a question of this service's question sets."
            derived["question"] = question
    else:
        for name in FEEDBACK_FIELDS:
            if values.get(name) not in (None, ""):
                errors[name] = "Only feedback findings have a respondent, question and answer."
    if "walkaround_id" in changed and values.get("walkaround_id") is not None:
        walk = db.session.get(Walkaround, values["walkaround_id"])
        if walk is None or walk.service_id != service.id or walk.deleted_at is not None:
            errors["walkaround_id"] = "No walkaround of this service has this id."
    raise_if(errors)
    return derived


def refuse_unknown(data: dict, allowed) -> None:
    """Refuse any field of ``data`` that is not in ``allowed``."""
    extra = sorted(set(data) - set(allowed))
    raise_if({name: "Unknown field." for name in extra})
