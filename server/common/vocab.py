"""The fixed vocabularies of the log: one place, used by models, schemas and docs."""

RISKS = ("low", "medium", "high")

FINDING_KINDS = ("walkaround_issue", "feedback", "positive_practice", "visibility_check")

# Where a concern came from (the article: appointments, incidents, handovers, family
# communication, audits, walkarounds, feedback, staffing pressures, provider oversight).
SOURCES = (
    "walkaround",
    "visibility_check",
    "audit",
    "incident",
    "handover",
    "appointment",
    "family_communication",
    "feedback",
    "complaint",
    "staffing",
    "daily_management_check",
    "provider_oversight",
    "other",
)

RESPONDENT_TYPES = ("person_supported", "relative", "staff", "professional")
SENTIMENTS = ("positive", "neutral", "negative")
TRIAGE_STATES = ("new", "linked", "dismissed")
# A finding's states: triage's, and withdrawn by its recorder before triage.
FINDING_STATES = (*TRIAGE_STATES, "withdrawn")
WALKAROUND_KINDS = ("walkaround", "visibility_round")

ENTRY_STATUSES = ("draft", "open", "in_progress", "awaiting_check", "awaiting_sign_off", "closed")
OPEN_STATUSES = ("open", "in_progress", "awaiting_check", "awaiting_sign_off")

# Evidence types that can close an entry (DESIGN.md rule 2) and the one that cannot.
EVIDENCE_TYPES = (
    "care_record",
    "audit",
    "feedback",
    "observation",
    "handover_record",
    "incident_trend",
    "governance_minutes",
    "staff_practice_check",
    "training_record",
)
WEAK_EVIDENCE_TYPES = ("verbal_reassurance",)
ALL_EVIDENCE_TYPES = EVIDENCE_TYPES + WEAK_EVIDENCE_TYPES

REVIEW_KINDS = ("rm_weekly", "provider_monthly", "ad_hoc")
REVIEW_OUTCOMES = ("assurance", "challenge", "further_action")
ESCALATION_DECISIONS = ("escalated", "not_escalated")

MEASURE_METRICS = (
    "follow_ups_within_timescale",
    "positive_visibility_feedback",
    "high_risk_audit_escalation",
)

# What kind of regulated service a provider runs: a care home, or care at home.
SERVICE_KINDS = ("care_home", "domiciliary", "supported_living")
