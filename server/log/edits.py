"""What an edit to an entry may change: the editable fields, who may change them, and
the rules an opened entry keeps."""

from server.common import vocab
from server.errors import Invalid, RuleBroken
from server.log import guards
from server.log.models import ENTRY_FIELDS
from server.log.transitions import vague_override

EDITABLE = (*ENTRY_FIELDS, "vague_override_reason")


def require_edit(actor, entry, changes: dict) -> None:
    """Raise Forbidden unless the actor may make these changes to the entry."""
    # A duty manager may name the owner without being allowed to rewrite the entry.
    if set(changes) <= {"owner_id"} and guards.may(actor, "entry.assign", entry):
        return
    guards.require_on_entry(actor, "entry.edit", entry)


def clean_changes(entry, service, changes: dict) -> dict:
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise Invalid(
            f"These fields cannot be changed: {', '.join(unknown)}.",
            {name: "Unknown field." for name in unknown},
        )
    out = dict(changes)
    for name in ("decision", "evidence_needed", "interim_controls"):
        if name in out:
            out[name] = (out[name] or "").strip()
    if "concern" in out:
        out["concern"] = guards.not_blank(out["concern"], "concern", "concern")
    if "source" in out:
        guards.one_of(out["source"], vocab.SOURCES, "source", "source")
    if "risk" in out:
        guards.one_of(out["risk"], vocab.RISKS, "risk", "risk level")
    if "owner_id" in out:
        out["owner_id"] = guards.owner_for(service, out["owner_id"])
    return out


def check_open_entry_rules(actor, entry, changes: dict, override_reason) -> dict:
    """Once opened, an entry keeps a named owner, a due date, the evidence needed and a
    decision that passes the vague-action check (or an RM's recorded override); return
    the override fields to store with a reworded decision."""
    if entry.status == "closed":
        raise RuleBroken(
            "closed_entry_locked",
            "This entry is closed. Reopen it with a reason before changing it.",
        )
    required = {
        "owner_id": ("needs_owner", "a named owner"),
        "due_date": ("needs_due_date", "a due date"),
        "evidence_needed": ("needs_evidence_needed", "the evidence needed"),
    }
    for name, (rule, what) in required.items():
        if name in changes and not changes[name]:
            raise RuleBroken(rule, f"An open entry must keep {what}.", {name: "Required."})
    if entry.status == "awaiting_sign_off" and changes.get("risk", "high") != "high":
        raise RuleBroken(
            "high_risk_needs_sign_off",
            (
                "This high-risk entry is waiting for sign-off by the nominated individual or "
                "provider quality lead; its risk cannot be lowered now."
            ),
            {"risk": "Locked."},
        )
    if "decision" in changes and changes["decision"] != entry.decision:
        return vague_override(
            actor, entry, changes["decision"], override_reason, changes.get("evidence_needed")
        )
    return {}
