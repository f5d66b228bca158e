"""Which of CQC's six evidence categories a record of the log counts towards.

The tables are the documented rule (docs/evidence-pack.md); change them there and here.
"""

PEOPLE = "people_experience"
STAFF = "staff_feedback"
PARTNERS = "partner_feedback"
OBSERVATION = "observation"
PROCESSES = "processes"
OUTCOMES = "outcomes"

# CQC's six evidence categories, in CQC's order, with the words the pack prints.
CATEGORIES = {
    PEOPLE: "People's experience",
    STAFF: "Feedback from staff and leaders",
    PARTNERS: "Feedback from partners",
    OBSERVATION: "Observation",
    PROCESSES: "Processes",
    OUTCOMES: "Outcomes",
}

# An evidence reference counts by its type. Verbal reassurance counts for nothing: it is
# not evidence (DESIGN.md rule 2).
EVIDENCE_TYPE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "care_record": (PROCESSES,),
    "audit": (PROCESSES,),
    "feedback": (PEOPLE,),
    "observation": (OBSERVATION,),
    "handover_record": (PROCESSES,),
    "incident_trend": (OUTCOMES,),
    "governance_minutes": (PROCESSES,),
    "staff_practice_check": (OBSERVATION,),
    "training_record": (PROCESSES,),
    "verbal_reassurance": (),
}

# Where a concern or a finding came from.
SOURCE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "walkaround": (OBSERVATION,),
    "visibility_check": (OBSERVATION,),
    "audit": (PROCESSES,),
    "incident": (OUTCOMES,),
    "handover": (PROCESSES,),
    "appointment": (PARTNERS,),
    "family_communication": (PEOPLE,),
    "feedback": (PEOPLE,),
    "complaint": (PEOPLE,),
    "staffing": (STAFF,),
    "daily_management_check": (PROCESSES,),
    "provider_oversight": (PROCESSES,),
    "other": (),
}

# Who answered, for feedback and visibility checks: it decides whose voice the finding is.
RESPONDENT_CATEGORIES: dict[str, tuple[str, ...]] = {
    "person_supported": (PEOPLE,),
    "relative": (PEOPLE,),
    "staff": (STAFF,),
    "professional": (PARTNERS,),
}

# A finding with no respondent counts by what kind of record it is.
FINDING_KIND_CATEGORIES: dict[str, tuple[str, ...]] = {
    "walkaround_issue": (OBSERVATION,),
    "positive_practice": (OBSERVATION,),
    "visibility_check": (OBSERVATION,),
    "feedback": (PEOPLE,),
}

PROCESSES_ONLY = "Only processes: no evidence of people's experience"
NOTHING_BACKS = "No evidence yet: entries recorded, but nothing that backs them"


def of_evidence(evidence_type: str) -> set[str]:
    return set(EVIDENCE_TYPE_CATEGORIES.get(evidence_type, ()))


def of_source(source: str) -> set[str]:
    return set(SOURCE_CATEGORIES.get(source, ()))


def of_finding(kind: str, source: str, respondent_type: str | None) -> set[str]:
    """A finding counts by its respondent (else its kind), and by its source; a feedback
    source says nothing more than the respondent already does."""
    if respondent_type:
        found = set(RESPONDENT_CATEGORIES.get(respondent_type, ()))
        return found if source == "feedback" else found | of_source(source)
    return set(FINDING_KIND_CATEGORIES.get(kind, ())) | of_source(source)


def flags_for(categories: set[str], has_entries: bool) -> list[str]:
    """The warnings the pack prints under a statement."""
    if not has_entries:
        return []
    if not categories:
        return [NOTHING_BACKS]
    if categories == {PROCESSES}:
        return [PROCESSES_ONLY]
    return []


def ordered(categories: set[str]) -> list[str]:
    return [key for key in CATEGORIES if key in categories]
