"""The one permission table: which role may do what. docs/permissions.md is made from it.

A role is held in a service, or across the whole provider (nominated individual, provider
quality lead, provider admin). A user may act on a service's records only through a role
held in that service or across its provider, and never on another provider's records.
"""

import uuid

from server.errors import Forbidden

FLOOR = ("care_worker", "senior_carer", "key_worker")
ROLES = (
    "care_worker",
    "senior_carer",
    "key_worker",
    "care_coordinator",
    "duty_manager",
    "deputy_manager",
    "registered_manager",
    "nominated_individual",
    "provider_quality_lead",
    "provider_admin",
)
PROVIDER_ROLES = ("nominated_individual", "provider_quality_lead", "provider_admin")
ROLE_LABELS = {
    "care_worker": "Care worker",
    "senior_carer": "Senior carer",
    "key_worker": "Key worker",
    "care_coordinator": "Care coordinator",
    "duty_manager": "Duty manager",
    "deputy_manager": "Deputy manager",
    "registered_manager": "Registered manager",
    "nominated_individual": "Nominated individual",
    "provider_quality_lead": "Provider quality lead",
    "provider_admin": "Provider admin",
}

_MANAGERS = ("duty_manager", "deputy_manager", "registered_manager")
_PROVIDER_LEADS = ("nominated_individual", "provider_quality_lead")
_CARE = FLOOR + ("care_coordinator",) + _MANAGERS + _PROVIDER_LEADS

# action -> (roles allowed, what it lets them do). "own" rows are widened in services to the
# entry's owner or the finding's author, whatever their role.
PERMISSIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "service.read": (_CARE + ("provider_admin",), "See the service, its areas and question sets"),
    "service.configure": (
        ("registered_manager", "provider_admin"),
        "Change areas, routines, question sets and escalation criteria",
    ),
    "service.create": (
        ("provider_admin", "nominated_individual"),
        "Add a new service (a care home or branch) to the provider",
    ),
    "provider.configure": (
        PROVIDER_ROLES,
        "Change the provider's thresholds (escalation times, counts, windows, review "
        "intervals), sign-in settings (session timeouts, second factor required) and the "
        "CQC framework in force",
    ),
    "finding.create": (_CARE, "Record a walkaround finding, feedback or visibility check"),
    "finding.read_all": (
        ("care_coordinator",) + _MANAGERS + _PROVIDER_LEADS,
        "See every finding of the service (others see their own)",
    ),
    "finding.triage": (
        ("duty_manager", "deputy_manager", "registered_manager"),
        "Turn findings into entries, link them or dismiss them with a reason",
    ),
    "entry.read": (_CARE, "Read the service's log"),
    "entry.create": (
        ("care_coordinator",) + _MANAGERS + _PROVIDER_LEADS,
        "Create a draft entry",
    ),
    "entry.edit": (
        ("deputy_manager", "registered_manager") + _PROVIDER_LEADS,
        "Edit concern, decision, owner, due date, evidence needed, risk, tags, interim controls",
    ),
    "entry.assign": (_MANAGERS, "Give an entry a named owner"),
    "entry.open": (_MANAGERS, "Open a draft entry"),
    "entry.override_vague": (
        ("registered_manager",),
        "Open an entry whose decision was flagged as vague, with a recorded reason",
    ),
    "entry.start": (
        _MANAGERS + ("care_coordinator",),
        "Mark any entry in progress (owners may too)",
    ),
    "entry.mark_done": (
        _MANAGERS + ("care_coordinator",),
        "Mark any entry done for checking (owners may mark their own)",
    ),
    "entry.send_back": (
        ("care_coordinator", "deputy_manager", "registered_manager"),
        "Send a done entry back to in progress after a completion check",
    ),
    "entry.check_completion": (
        ("care_coordinator", "deputy_manager", "registered_manager"),
        "Record the daily completion checks: what fell due, done or not, a note on what is not",
    ),
    "entry.close": (
        ("registered_manager",) + _PROVIDER_LEADS,
        "Close an entry on evidence (high-risk entries go to awaiting sign-off)",
    ),
    "entry.sign_off": (_PROVIDER_LEADS, "Sign off or challenge a high-risk closure"),
    "entry.reopen": (("registered_manager",) + _PROVIDER_LEADS, "Reopen a closed entry"),
    "entry.escalate": (
        ("deputy_manager", "registered_manager") + _PROVIDER_LEADS,
        "Record an escalation decision (escalate to provider level, or not, with why)",
    ),
    "entry.annotate": (
        ("care_coordinator",) + _MANAGERS + _PROVIDER_LEADS,
        "Add notes and evidence to any entry (owners may on their own)",
    ),
    "review.rm": (("registered_manager", "deputy_manager"), "Record the weekly review"),
    "review.provider": (_PROVIDER_LEADS, "Record the provider's monthly review"),
    "review.read": (("care_coordinator",) + _MANAGERS + _PROVIDER_LEADS, "Read reviews"),
    "measure.read": (_CARE, "See improvement measures"),
    "measure.manage": (
        ("registered_manager",) + _PROVIDER_LEADS,
        "Set improvement measures: baseline, target, deadline",
    ),
    "conflict.resolve": (
        ("deputy_manager", "registered_manager") + _PROVIDER_LEADS,
        "See sync conflicts and decide them: keep one value, the other, or a new one",
    ),
    "device.manage": (
        ("registered_manager", "provider_admin"),
        "See the service's tablets and withdraw a lost one (anyone may withdraw their own)",
    ),
    "user.manage": (
        ("registered_manager", "provider_admin"),
        "Create staff accounts, give and change their roles, issue password reset codes, "
        "reset a lost second factor, "
        "deactivate leavers and hand their open entries to a colleague (provider-wide roles "
        "and every service: provider admin only)",
    ),
    "staff.export": (
        ("provider_admin",),
        "Download everything held about one member of staff (UK GDPR subject access)",
    ),
    "oversight.read": (
        ("deputy_manager", "registered_manager") + _PROVIDER_LEADS,
        "See early warnings and review cadence",
    ),
    "report.read": (
        ("registered_manager",) + _PROVIDER_LEADS,
        "Print the monthly governance report, its CSV of entries, and the inspection evidence pack",
    ),
}


def roles_in(user, service) -> set[str]:
    """Return the roles ``user`` holds for ``service`` (provider-wide roles included)."""
    if user is None or not getattr(user, "active", False):
        return set()
    if service is None or user.provider_id != service.provider_id:
        return set()
    return {m.role for m in user.memberships if m.service_id is None or m.service_id == service.id}


def can(user, action: str, service) -> bool:
    allowed = PERMISSIONS[action][0]
    return bool(roles_in(user, service) & set(allowed))


def require(user, action: str, service, message: str | None = None) -> None:
    """Raise Forbidden unless the user may do ``action`` in ``service``."""
    if not can(user, action, service):
        raise Forbidden(message or f"Your role does not allow this ({action}).", action=action)


def is_provider_wide(user) -> bool:
    return any(m.service_id is None for m in user.memberships)


def service_ids_for(user, action: str) -> list[uuid.UUID] | None:
    """Return the ids of services where the user may do ``action``; None means all services
    of the user's provider (a provider-wide role allows it)."""
    allowed = set(PERMISSIONS[action][0])
    if not user.active:
        return []
    if any(m.service_id is None and m.role in allowed for m in user.memberships):
        return None
    return sorted({m.service_id for m in user.memberships if m.role in allowed and m.service_id})


def markdown_table() -> str:
    """Render the table as Markdown for docs/permissions.md."""
    lines = ["| action | what it allows | " + " | ".join(ROLE_LABELS[r] for r in ROLES) + " |"]
    lines.append("|---|---|" + "---|" * len(ROLES))
    for action, (allowed, what) in PERMISSIONS.items():
        marks = " | ".join("yes" if r in allowed else "" for r in ROLES)
        lines.append(f"| `{action}` | {what} | {marks} |")
    return "\n".join(lines)
