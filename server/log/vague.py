"""The vague-action check (DESIGN.md rule 1): does a decision say what will actually be done?

A decision passes when it names at least one concrete act ("audit", "observe", "book",
"replace"...) that is not itself the object of vague wording: in "remind staff to complete
the charts" the completing is what staff are reminded of, not what the manager will do.
Vague wording next to a real act is tolerated ("Deputy manager audits 10 MAR charts every
Friday to ensure they are signed"), except open-ended qualifiers such as "as needed" or
"ongoing", which leave the timescale open however concrete the act is.

A concrete act must also be tied down (server/log/vague_anchors.py): "Maintenance to check
the pump" names an act, but no owner role, no date or frequency and no measure. The
entry's evidence-needed field counts as the measure.
"""

import re
from dataclasses import dataclass

from server.log import vague_anchors

MIN_WORDS = 4
EXAMPLE = '"Deputy manager audits 10 MAR charts every Friday and records the result in the log"'


@dataclass(frozen=True)
class Flag:
    """One problem with a decision's wording: the words at fault and what to do instead."""

    phrase: str
    explanation: str


@dataclass(frozen=True)
class _Vague:
    pattern: re.Pattern
    explanation: str
    # "clause": the vague words govern up to the next comma or "and"; "sentence": up to
    # the end of the sentence ("remind staff to check and record" is all reminding);
    # "always": an open-ended qualifier, flagged even beside a concrete act.
    scope: str


def _v(pattern: str, scope: str, explanation: str) -> _Vague:
    return _Vague(re.compile(pattern, re.IGNORECASE), explanation, scope)


_VAGUE = (
    _v(
        r"\bmonitor(?:s|ed|ing)?\b",
        "clause",
        '"{p}" does not say what will be done. Say what will be checked, by whom and how '
        'often — for example "Deputy manager audits 10 MAR charts every Friday".',
    ),
    _v(
        r"\bremind(?:s|ed|ing|er|ers)?\b(?:\s+(?:all|the|every|each|night|day|care|"
        r"senior))*(?:\s+(?:staff|team|carers|workers|colleagues|everyone|managers))?",
        "sentence",
        '"{p}" is a conversation, not an action that can be checked. Say what will change '
        'and how you will know it has — for example "Senior carer observes two medication '
        'rounds this week and records any missed signatures".',
    ),
    _v(
        r"\bcontinu(?:e|es|ed|ing)\s+(?:to|with)\b",
        "sentence",
        '"{p}" describes carrying on as before, which is what led to the concern. Say what '
        "will be done differently, by whom and by when.",
    ),
    _v(
        r"\b(?:be|are|is|being|been|made|make|makes|making|kept|keep)\s+aware\b",
        "sentence",
        '"{p}" cannot be checked: nobody can show that someone was aware. Say what people '
        'will do differently and how it will be checked — for example "Duty manager checks '
        'at each handover that the falls plan for room 4 has been read and signed".',
    ),
    _v(
        r"\bkeep(?:s|ing)?\s+an\s+eye\s+on\b|\bkept\s+an\s+eye\s+on\b",
        "clause",
        '"{p}" does not say what will be looked at, by whom or how often. Name the check — '
        'for example "Night senior checks the pressure-area chart for room 12 at 2am and '
        '5am".',
    ),
    _v(
        r"\bensur(?:e|es|ed|ing)\b",
        "sentence",
        '"{p}" names a hoped-for result, not an action. Say what will be done to make it '
        'happen and how it will be checked — for example "Deputy manager audits the fluid '
        'charts of all six residents on Wednesday and Friday".',
    ),
    _v(
        r"\bdiscuss(?:es|ed|ing|ion|ions)?\b",
        "clause",
        '"{p}" is a talk, not an outcome. Say what will be decided or done after the '
        "discussion, by whom and by when.",
    ),
    _v(
        r"\bconsider(?:s|ed|ing|ation)?\b",
        "clause",
        '"{p}" leaves open whether anything will happen. Decide now, and write down what '
        "will be done, by whom and by when.",
    ),
    _v(
        r"\blook(?:s|ed|ing)?\s+into\b",
        "clause",
        '"{p}" does not say what will be examined or what happens next. Name the records to '
        'check and the person doing it — for example "Registered manager reviews the last '
        'four weeks of call-bell logs by 14 June".',
    ),
    _v(
        r"\b(?:try|tries|tried|trying|attempt|attempts|attempting)\s+to\b",
        "sentence",
        '"{p}" allows for not doing it. Say what will be done, by whom and by when.',
    ),
    _v(
        r"\b(?:encourag(?:e|es|ed|ing)|reiterat(?:e|es|ed|ing)|reinforc(?:e|es|ed|ing)|"
        r"emphasi[sz](?:e|es|ed|ing)|rais(?:e|es|ed|ing)\s+awareness)\b",
        "sentence",
        '"{p}" is a message to staff, not an action that can be checked. Say what will '
        "change and how you will check that it has.",
    ),
    _v(
        r"\bkeep(?:s|ing)?\s+(?:this\s+|it\s+)?under\s+review\b",
        "clause",
        '"{p}" sets no date and no check. Say what will be reviewed, by whom and on which date.',
    ),
    _v(
        r"\bas\s+(?:needed|required|necessary|appropriate)\b|\b(?:when|where|if)\s+"
        r"(?:possible|required|needed|necessary)\b",
        "always",
        '"{p}" leaves it open when, or whether, it will happen. Give a frequency or a date '
        '— for example "every Friday" or "by 30 June".',
    ),
    _v(
        r"\bongoing\b",
        "always",
        '"{p}" has no end and nothing to check. Give a date by which it will be done and '
        "what will show that it has worked.",
    ),
)

_CONCRETE = (
    "audit",
    "check",
    "spot-check",
    "recheck",
    "observe",
    "train",
    "retrain",
    "book",
    "call",
    "phone",
    "ring",
    "email",
    "write",
    "rewrite",
    "send",
    "replace",
    "repair",
    "fix",
    "install",
    "fit",
    "order",
    "buy",
    "record",
    "document",
    "assign",
    "allocate",
    "supervise",
    "complete",
    "update",
    "introduce",
    "arrange",
    "schedule",
    "meet",
    "hold",
    "inspect",
    "test",
    "count",
    "reconcile",
    "measure",
    "weigh",
    "assess",
    "reassess",
    "visit",
    "refer",
    "contact",
    "change",
    "move",
    "add",
    "remove",
    "run",
    "deliver",
    "sign",
    "read",
    "shadow",
    "deploy",
    "label",
    "clean",
    "print",
    "display",
    "re-audit",
    "amend",
    "revise",
    "draft",
    "create",
    "report",
    "escalate",
    "agree",
    "chase",
    "obtain",
    "request",
    "compare",
    "sample",
    "interview",
    "investigate",
    "recruit",
    "provide",
    "carry",
    "walk",
    "attend",
    "teach",
    "photograph",
    "review",
)
_IRREGULAR = {
    "meet": ("met",),
    "write": ("wrote", "written"),
    "rewrite": ("rewrote", "rewritten"),
    "hold": ("held",),
    "run": ("ran",),
    "buy": ("bought",),
    "teach": ("taught",),
    "send": ("sent",),
    "read": (),
    "fit": ("fitted", "fitting"),
    "refer": ("referred", "referring"),
}
# Nouns that share a verb's spelling and usually are the noun in care writing.
_NOT_VERBS = {"meeting", "meetings", "reading", "readings"}
_COMPOUND_NOUNS = re.compile(r"\bcall[\s-]+bells?\b|\bsign[\s-]*in\b", re.IGNORECASE)
# Words after "review" that show nothing specific will be reviewed.
_VAGUE_REVIEW_OBJECTS = {
    "",
    "it",
    "this",
    "that",
    "these",
    "those",
    "things",
    "progress",
    "situation",
    "issue",
    "issues",
    "matter",
    "matters",
    "concern",
    "concerns",
    "practice",
    "everything",
    "again",
    "later",
    "regularly",
    "periodically",
    "as",
    "in",
    "at",
    "on",
    "when",
    "if",
    "with",
    "next",
    "after",
    "soon",
    "weekly",
    "monthly",
    "daily",
    "going",
    "outcome",
    "outcomes",
}
_SKIPPED_BEFORE_OBJECT = {"the", "all", "each", "every", "any"}
_WORD = re.compile(r"[a-z][a-z'-]*", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.;!?\n]")
_CLAUSE_END = re.compile(r"[.;!?\n,:]|\b(?:and|then|but|also)\b", re.IGNORECASE)


def _forms(verb: str) -> set[str]:
    """Return the usual inflections of a regular English verb, plus known irregular ones."""
    stem = verb[:-1] if verb.endswith("e") else verb
    forms = {verb, verb + "s", verb + "es", stem + "ed", stem + "ing", verb + "d"}
    if verb.endswith("y") and verb[-2] not in "aeiou":
        forms |= {verb[:-1] + "ies", verb[:-1] + "ied"}
    if re.fullmatch(r".*[^aeiou][aeiou][bdgmnprt]", verb) and len(verb) <= 4:
        forms |= {verb + verb[-1] + "ed", verb + verb[-1] + "ing"}
    forms |= set(_IRREGULAR.get(verb, ()))
    return forms - _NOT_VERBS


_VERB_FORMS: dict[str, str] = {form: verb for verb in _CONCRETE for form in _forms(verb)}


def _scope_end(text: str, start: int, scope: str) -> int:
    ender = _SENTENCE_END if scope == "sentence" else _CLAUSE_END
    match = ender.search(text, start)
    return match.start() if match else len(text)


def _specific_review(text: str, end: int) -> bool:
    """Tell whether "review" at ``text[:end]`` is followed by something specific."""
    for word in _WORD.findall(text[end:]):
        word = word.lower()
        if word in _SKIPPED_BEFORE_OBJECT:
            continue
        return word not in _VAGUE_REVIEW_OBJECTS
    return False


def _concrete_acts(text: str, vague_spans: list[tuple[int, int]]) -> list[str]:
    """Return the concrete verbs of ``text`` that lie outside every vague span."""
    masked = _COMPOUND_NOUNS.sub(lambda m: " " * len(m.group()), text)
    acts = []
    for match in _WORD.finditer(masked):
        verb = _VERB_FORMS.get(match.group().lower())
        if verb is None or any(a <= match.start() < b for a, b in vague_spans):
            continue
        if verb == "review" and not _specific_review(masked, match.end()):
            continue
        acts.append(verb)
    return acts


def _quote(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


LOOSE = (
    "This decision names an act but not who will do it, when or how often, or how anyone "
    "will know it is done. Add at least one: the role that will do it (for example "
    '"Maintenance lead"), a date or how often ("by Friday", "every Monday"), or what will '
    "show it is done (a count, a target, a written record; the evidence needed counts). For "
    'example "Maintenance lead checks the pump pressure every Monday and records it in the '
    'maintenance log".'
)


def check(decision: str, evidence_needed: str | None = None) -> list[Flag]:
    """Flag the wording of a decision that would not let anyone check it was carried out;
    ``evidence_needed`` (the entry's field) can be what shows it was done."""
    text = " ".join((decision or "").split())
    found: list[tuple[re.Match, _Vague]] = []
    for vague in _VAGUE:
        found += [(m, vague) for m in vague.pattern.finditer(text)]
    found.sort(key=lambda pair: pair[0].start())
    spans = [(m.start(), _scope_end(text, m.end(), v.scope)) for m, v in found]
    has_act = bool(_concrete_acts(text, spans))
    flags = [
        Flag(m.group(), v.explanation.format(p=_quote(m.group())))
        for m, v in found
        if v.scope == "always" or not has_act
    ]
    if len(_WORD.findall(text)) < MIN_WORDS:
        flags.append(
            Flag(
                text,
                (
                    "This decision is too short to show what will be done. Say what will be done, "
                    f"by whom and how often — for example {EXAMPLE}."
                ),
            )
        )
    elif not has_act and not flags:
        flags.append(
            Flag(
                text,
                (
                    "This decision does not name a concrete act that someone will carry out, so "
                    "nobody can check that it happened. Start with what will be done — audit, "
                    "observe, check, train, book, replace, record — and say by whom and how often: "
                    f"for example {EXAMPLE}."
                ),
            )
        )
    elif not flags and not vague_anchors.tied_down(text, evidence_needed):
        flags.append(Flag(text, LOOSE))
    return flags
