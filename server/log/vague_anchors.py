"""What ties a decision down (the vague-action check's second half, server/log/vague.py).

A concrete act alone can still be loose: "Maintenance to check the pump" names an act, but
not who (a role, not a department), not when or how often, and not how anyone will know it
was done. A decision is tied down by at least one of:

- an owner role: "Maintenance lead", "Senior carer", "Deputy manager", "RM";
- a date or a frequency: "by Friday", "on 12 March", "today", "every shift", "weekly",
  "at 14:00", "within two working days";
- a measure: a count or a target ("10 MAR charts", "all six residents", "100%", "no
  gaps"), or a written result ("records the result", "in the maintenance log") — or the
  entry's evidence-needed field, which says what will show it was done.
"""

import re

_NUMBER = (
    r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
    r"twenty|thirty|both)"
)
_DAYS = r"(?:mon|tues|wednes|thurs|fri|satur|sun)days?"
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
# Lengths of time ("a week", "for two weeks", "within 24 hours").
_SPANS = (
    r"(?:days?|nights?|weeks?|fortnights?|months?|quarters?|years?|shifts?|hours?|minutes?|"
    r"working\s+days?)"
)
# Moments that come round ("every handover", "each meal", "the next visit").
_OCCASIONS = (
    rf"(?:{_SPANS}|mornings?|afternoons?|evenings?|weekends?|handovers?|rounds?|"
    r"medication\s+rounds?|meals?|mealtimes?|visits?|calls?|admissions?|team\s+meetings?)"
)

# A job someone holds: the decision names who will do it. A department or a group
# ("Maintenance", "Kitchen", "Staff", "the team") is not a role: nobody in particular acts.
_ROLE = re.compile(
    r"\b(?:(?:registered|deputy|duty|home|unit|clinical|care|kitchen|maintenance|"
    r"housekeeping|office|night|general|operations|area|service)\s+manager|"
    r"(?:senior|night\s+senior|key|team|shift|night|unit|clinical|maintenance|kitchen|"
    r"training|safeguarding|infection\s+control|falls|medication|dementia|"
    r"moving\s+and\s+handling|activities|activity|wellbeing|quality)\s+(?:lead|leader|"
    r"champion|coordinator|officer|worker|carer|nurse|person|operative|assistant)|"
    r"senior(?:\s+carer|\s+care\s+assistant|\s+on\s+shift)?|deputy|"
    r"nurse(?:\s+in\s+charge)?|care\s+coordinator|handyman|handyperson|caretaker|"
    r"(?:head\s+)?chef|cook|(?:head\s+)?housekeeper|administrator|receptionist|trainer|"
    r"nominated\s+individual|provider\s+quality\s+lead|rm|dm|ni|pql)\b",
    re.IGNORECASE,
)

_WHEN = re.compile(
    "|".join(
        (
            rf"\b{_DAYS}\b",
            rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\b",
            rf"\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?\b",
            r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b",
            r"\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s*(?:am|pm)\b|\bmidday\b|\bmidnight\b",
            r"\b(?:today|tonight|tomorrow|immediately|straight\s+away|same\s+day)\b",
            r"\b(?:daily|nightly|weekly|fortnightly|monthly|quarterly|annually|yearly|hourly)\b",
            rf"\b(?:this|next|each|every|the\s+same)\s+{_OCCASIONS}\b",
            rf"\b(?:a|an|per)\s+{_SPANS}\b",
            rf"\b(?:once|twice|{_NUMBER}\s+times)\s+(?:a|an|per|each|every)\s+{_OCCASIONS}\b",
            rf"\b(?:within|for|after|in)\s+(?:a|an|{_NUMBER})\s+{_SPANS}\b",
            r"\bby\s+(?:the\s+)?(?:end|close|start)\s+of\b|\bbefore\s+(?:shift\s+end|the\s+"
            r"end\s+of|the\s+weekend|the\s+next|handover|lunch|tea|breakfast)\b",
            r"\bon\s+(?:delivery|arrival|admission|discharge|return)\b",
            r"\bat\s+(?:each|every|the\s+next|the\s+start\s+of|the\s+end\s+of)\b",
        )
    ),
    re.IGNORECASE,
)

# "Record" and its kind count as a verb with an object ("records the result", "log each
# call"), not as a noun ("the care record", "the call log").
_OBJECT = (
    r"(?:the|each|every|any|all|what|who|when|it|them|their|his|her|results?|outcomes?|"
    r"gaps|findings|times|readings|checks)"
)
_MEASURE = re.compile(
    "|".join(
        (
            r"\d+\s*%|\bper\s*cent\b",
            rf"\b{_NUMBER}\s+(?:[a-z'-]+\s+){{0,2}}?[a-z'-]{{2,}}(?<!i)(?<!a)(?<!u)s\b",
            r"\bno\s+(?:gaps|missed|missing|blank|unsigned|late)\b|\bzero\b|\btarget\b",
            r"\b(?:records?|recorded|recording|logs?|logged|logging|documents?|documented|"
            r"files?|filed|signs?|signed|photographs?|photographed)\s+" + _OBJECT + r"\b",
        )
    ),
    re.IGNORECASE,
)

# Evidence that shows nothing: nobody can be shown a conversation or a feeling.
_NO_PROOF = re.compile(
    r"^\W*(?:n/?a|none|tbc|tbd|to be confirmed|verbal(?:\s+\w+)?|staff\s+(?:are\s+)?aware|"
    r"ongoing|see above|as above)\W*$",
    re.IGNORECASE,
)
_MIN_PROOF_WORDS = 2


def has_owner_role(text: str) -> bool:
    """Tell whether ``text`` names the role of whoever will act."""
    return bool(_ROLE.search(text))


def has_when(text: str) -> bool:
    """Tell whether ``text`` gives a date, a time or a frequency."""
    return bool(_WHEN.search(text))


def has_measure(text: str) -> bool:
    """Tell whether ``text`` says how anyone will know it is done (a count, a target, a
    written result)."""
    return bool(_MEASURE.search(text))


def is_proof(evidence_needed: str | None) -> bool:
    """Tell whether the evidence-needed field says what will show the act was done."""
    text = " ".join((evidence_needed or "").split())
    return len(text.split()) >= _MIN_PROOF_WORDS and not _NO_PROOF.match(text)


def tied_down(decision: str, evidence_needed: str | None = None) -> bool:
    """Tell whether a decision names an owner role, a date or frequency, or a measure (the
    evidence-needed field counts as one)."""
    return (
        has_owner_role(decision)
        or has_when(decision)
        or has_measure(decision)
        or is_proof(evidence_needed)
    )
