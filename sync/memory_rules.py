"""The rules of the in-memory test store (sync/memory.py): required fields, defaults, and the
entry and finding steps, a small stand-in for the server's services."""

from sync.policies import POLICIES

RISKS = ("low", "medium", "high")
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
WEAK_EVIDENCE = ("verbal_reassurance",)

REQUIRED = {
    "finding": ("service_id", "kind", "area", "source", "description"),
    "walkaround": ("service_id", "started_at"),
    "log_entry": ("service_id", "concern", "source"),
    "note": ("entry_id", "body"),
    "evidence": ("entry_id", "type", "location", "evidence_date", "checked_by"),
}
# Like a table row, a record holds every field of its type: None unless said here.
_SET_DEFAULTS = {
    "finding": {
        "triage_state": "new",
        "risk": "low",
        "follow_up_needed": False,
        "action_taken": "",
        "people_involved": "",
        "safeguarding_concern": False,
    },
    "walkaround": {"kind": "walkaround", "areas": [], "notes": ""},
    "log_entry": {
        "status": "draft",
        "risk": "medium",
        "decision": "",
        "statements": [],
        "evidence_needed": "",
        "interim_controls": "",
        "escalated": False,
    },
    "note": {},
    "evidence": {"description": ""},
}
DEFAULTS = {
    entity_type: dict.fromkeys(rules, None) | _SET_DEFAULTS[entity_type]
    for entity_type, rules in POLICIES.items()
}
# action -> (states it may start from, state it reaches)
ENTRY_STEPS = {
    "open": (("draft",), "open"),
    "start": (("open",), "in_progress"),
    "mark_done": (("open", "in_progress"), "awaiting_check"),
    "close": (("awaiting_check",), "closed"),
    "sign_off": (("awaiting_sign_off",), "closed"),
    "reopen": (("awaiting_check", "awaiting_sign_off", "closed"), "in_progress"),
}
FINDING_STEPS = {"dismiss": (("new",), "dismissed"), "withdraw": (("new",), "withdrawn")}

# action -> (the permission it needs, whether an entry's owner may do it without it):
# the server's server.log.transitions.TRANSITIONS, as the stand-in needs them.
ENTRY_STEP_PERMISSIONS = {
    "open": ("entry.open", False),
    "start": ("entry.start", True),
    "mark_done": ("entry.mark_done", True),
    "send_back": ("entry.send_back", False),
    "close": ("entry.close", False),
    "sign_off": ("entry.sign_off", False),
    "challenge": ("entry.sign_off", False),
    "reopen": ("entry.reopen", False),
}
