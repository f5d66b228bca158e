"""What the large provider's row makers share (seed.large_entries, seed.large_findings): the
tables written, the wording pools, a new set of rows, an audit row."""

from seed.factories import DEFAULT_QUESTION_SETS

STATEMENTS = [
    "saf-2023:W5",
    "saf-2023:W2",
    "saf-2023:S1",
    "saf-2023:S2",
    "saf-2023:S8",
    "saf-2023:C4",
    "saf-2023:R4",
    "saf-2023:E3",
    "saf-2023:W7",
]
TABLES = (
    "walkaround",
    "log_entry",
    "entry_statement",
    "finding",
    "carry_forward",
    "evidence_ref",
    "note",
    "audit_event",
)
RESPONDENTS = ("person_supported", "relative", "staff", "professional")
QUESTIONS = {q["id"]: q["text"] for qs in DEFAULT_QUESTION_SETS for q in qs["questions"]}
ROOMS = [f"Room {n}, {a}{b}" for n in range(1, 41) for a, b in ("JB", "MT", "AK", "RP")]


def new_rows() -> dict:
    return {name: [] for name in TABLES}


def audit(rows, at, actor, entity_type, entity_id, action, service_id, changes) -> None:
    rows["audit_event"].append(
        {
            "at": at,
            "actor_id": actor,
            "channel": "seed",
            "device_id": None,
            "entity_type": entity_type,
            "entity_id": str(entity_id),
            "action": action,
            "service_id": service_id,
            "changes": changes,
        }
    )
