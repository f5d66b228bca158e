"""The named merge policies and the table that gives every synced field exactly one.

docs/sync-protocol.md holds ``markdown_table()`` verbatim; a test keeps the two equal.

Policies:

- ``merge_if_untouched``: a scalar field. If the server still holds the value the device
  based its edit on, the device's value is taken; if the server already holds the device's
  value, nothing happens; otherwise the value committed first stays and the device's value
  goes into a conflict for a manager.
- ``append_only``: a list of tags or areas. Items the device sends that the server lacks are
  added; nothing is removed through sync and nothing ever conflicts.
- ``server_owned``: set by the server only (authors, server times, versions); a mutation that
  sets one is rejected naming the field.
- ``immutable_after_create``: set by the create; an update may repeat the same value but a
  different one is rejected naming the field.
- ``transition_only``: a state field changed only by a named transition, which passes
  through the log's rules; an update that sets it is rejected naming the field.

Note and evidence records are append-only as a whole: they are only ever appended (each
with its own client-generated id, so two devices' appends are a union) and never edited.
"""

from dataclasses import dataclass

MERGE_IF_UNTOUCHED = "merge_if_untouched"
APPEND_ONLY = "append_only"
SERVER_OWNED = "server_owned"
IMMUTABLE_AFTER_CREATE = "immutable_after_create"
TRANSITION_ONLY = "transition_only"
POLICY_NAMES = (
    MERGE_IF_UNTOUCHED,
    APPEND_ONLY,
    SERVER_OWNED,
    IMMUTABLE_AFTER_CREATE,
    TRANSITION_ONLY,
)

# Wire kinds: how a value travels in JSON. Validation checks and canonicalises by kind so
# that "ABC…" and "abc…" of one UUID can never make a false conflict.
KINDS = ("text", "uuid", "date", "datetime", "bool", "list", "int")

ENTITY_TYPES = ("finding", "walkaround", "log_entry", "note", "evidence")
OPS = ("create", "update", "append", "transition", "delete")

ALLOWED_OPS: dict[str, tuple[str, ...]] = {
    "finding": ("create", "update", "transition", "delete"),
    "walkaround": ("create", "update", "delete"),
    "log_entry": ("create", "update", "transition", "delete"),
    "note": ("append",),
    "evidence": ("append",),
}

# What a tablet may send under a device credential alone (no live desk sign-in): floor work.
# Captures, their corrections and withdrawal, notes and evidence, and starting or marking
# done one's own action. Triage, closing, sign-off, log edits and conflicts need the desk.
FLOOR_WORK: dict[str, tuple[str, ...]] = {
    "finding": ("create", "update", "delete", "transition"),
    "walkaround": ("create", "update", "delete"),
    "note": ("append",),
    "evidence": ("append",),
    "log_entry": ("transition",),
}
# The transitions that are floor work, each on a record of the actor's own: the field that
# names who that is.
FLOOR_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "log_entry": (("start", "mark_done"), "owner_id"),
    "finding": (("withdraw",), "recorded_by"),
}

# The field a transition moves; a transition must say which value of it the device saw.
STATE_FIELDS = {"log_entry": "status", "finding": "triage_state"}

# The field the server fills with the mutation's (checked) author on create.
AUTHOR_FIELDS = {
    "finding": "recorded_by",
    "walkaround": "conducted_by",
    "log_entry": "created_by",
    "note": "author_id",
    "evidence": "added_by",
}


@dataclass(frozen=True)
class FieldRule:
    """How one field merges and travels."""

    policy: str
    kind: str = "text"


def _rules(**fields: tuple[str, str] | str) -> dict[str, FieldRule]:
    out = {}
    for name, spec in fields.items():
        policy, kind = (spec, "text") if isinstance(spec, str) else spec
        assert policy in POLICY_NAMES and kind in KINDS, name
        out[name] = FieldRule(policy, kind)
    return out


M, A, S, IM, T = (
    MERGE_IF_UNTOUCHED,
    APPEND_ONLY,
    SERVER_OWNED,
    IMMUTABLE_AFTER_CREATE,
    TRANSITION_ONLY,
)

# Present on every synced record.
_COMMON = _rules(
    id=(S, "uuid"),
    version=(S, "int"),
    change_seq=(S, "int"),
    deleted_at=(S, "datetime"),
)

POLICIES: dict[str, dict[str, FieldRule]] = {
    "finding": _COMMON
    | _rules(
        service_id=(IM, "uuid"),
        walkaround_id=(IM, "uuid"),
        kind=IM,
        area=M,
        source=M,
        description=M,
        action_taken=M,
        risk=M,
        follow_up_needed=(M, "bool"),
        people_involved=M,
        respondent_type=M,
        question_id=M,
        question=M,
        answer=M,
        sentiment=M,
        safeguarding_concern=(M, "bool"),
        recorded_by=(S, "uuid"),
        recorded_at=(IM, "datetime"),
        received_at=(S, "datetime"),
        triage_state=T,
        dismissed_reason=T,
        log_entry_id=(T, "uuid"),
        triaged_by=(S, "uuid"),
        triaged_at=(S, "datetime"),
    ),
    "walkaround": _COMMON
    | _rules(
        service_id=(IM, "uuid"),
        kind=IM,
        conducted_by=(S, "uuid"),
        started_at=(IM, "datetime"),
        ended_at=(M, "datetime"),
        areas=(A, "list"),
        notes=M,
        received_at=(S, "datetime"),
    ),
    "log_entry": _COMMON
    | _rules(
        service_id=(IM, "uuid"),
        concern=M,
        source=M,
        decision=M,
        owner_id=(M, "uuid"),
        due_date=(M, "date"),
        original_due_date=(S, "date"),
        evidence_needed=M,
        risk=M,
        statements=(A, "list"),
        status=T,
        interim_controls=M,
        vague_override_reason=S,
        vague_override_by=(S, "uuid"),
        escalated=(T, "bool"),
        escalation_decision=T,
        escalation_reason=T,
        escalation_by=(S, "uuid"),
        escalation_at=(S, "datetime"),
        referral_made_on=(T, "date"),
        referral_not_needed=T,
        cqc_notified_on=(T, "date"),
        cqc_not_needed=T,
        created_by=(S, "uuid"),
        created_at=(S, "datetime"),
        updated_at=(S, "datetime"),
        opened_at=(S, "datetime"),
        completed_on=(S, "date"),
        done_by=(S, "uuid"),
        done_at=(S, "datetime"),
        checked_by=(S, "uuid"),
        checked_at=(S, "datetime"),
        closed_at=(S, "datetime"),
        closed_by=(S, "uuid"),
        signed_off_by=(S, "uuid"),
        signed_off_at=(S, "datetime"),
    ),
    "note": _COMMON
    | _rules(
        entry_id=(IM, "uuid"),
        body=IM,
        author_id=(S, "uuid"),
        created_at=(S, "datetime"),
    ),
    "evidence": _COMMON
    | _rules(
        entry_id=(IM, "uuid"),
        type=IM,
        location=IM,
        evidence_date=(IM, "date"),
        description=IM,
        checked_by=(IM, "uuid"),
        added_by=(S, "uuid"),
        created_at=(S, "datetime"),
    ),
}


def field_paths(entity_type: str, op: str, fields: dict[str, str]) -> dict[str, str]:
    """Return a refusal's ``fields`` named as paths in the mutation.

    A store or the server's rules name a record's own fields (``risk``); on the wire each
    is always ``changes.<field>``, whatever the op, so a client reads one form. The
    record's ``id`` is the mutation's ``entity_id``, a transition's reason is
    ``transition.reason``, and a name that is neither stays as it is (``evidence``).
    """
    record = POLICIES[entity_type]
    out = {}
    for name, why in fields.items():
        head = name.split(".", 1)[0]  # "areas.0": the first item of a list field
        if head in record and head != "id":
            path = f"changes.{name}"
        elif name == "id":
            path = "entity_id"
        elif op == "transition" and name == "reason":
            path = "transition.reason"
        else:
            path = name
        out[path] = why
    return out


def markdown_table() -> str:
    """Render the policy table for docs/sync-protocol.md."""
    lines = ["| entity type | field | policy | JSON kind |", "|---|---|---|---|"]
    for entity_type, rules in POLICIES.items():
        for field, rule in rules.items():
            if field in _COMMON:
                continue
            lines.append(f"| {entity_type} | {field} | {rule.policy} | {rule.kind} |")
    common = ", ".join(_COMMON)
    lines.append(f"| every type | {common} | {SERVER_OWNED} | |")
    return "\n".join(lines)
