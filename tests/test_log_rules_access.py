"""The rules of a good log at the service layer that the desk API and the sync engine share:
the permission table role by action, other services, listing, nothing half-written."""

from datetime import date

import pytest

from server.accounts.models import User
from server.audit.models import AuditEvent
from server.audit.services import Actor
from server.errors import Forbidden
from server.extensions import db
from server.log import services
from server.log.models import LogEntry
from tests.support import log_rules as shared
from tests.support.log_rules import move, refused

# pytest finds fixtures among a module's globals: these come from tests/support/log_rules.py.
actor, draft, evidence, rm = shared.actor, shared.draft, shared.evidence, shared.rm

pytestmark = pytest.mark.db


# ---- the permission table, role by action -------------------------------------------------

MANAGERS = {"duty_manager", "deputy_manager", "registered_manager"}
LEADS = {"nominated_individual", "provider_quality_lead"}
ALLOWED = {
    "create": {"care_coordinator"} | MANAGERS | LEADS,
    "edit": {"deputy_manager", "registered_manager"} | LEADS,
    "open": MANAGERS,
    "start": MANAGERS | {"care_coordinator", "senior_carer"},  # senior carer owns it
    "mark_done": MANAGERS | {"care_coordinator", "senior_carer"},
    "send_back": {"care_coordinator", "deputy_manager", "registered_manager"},
    "close": {"registered_manager"} | LEADS,
    "sign_off": LEADS,
    "reopen": {"registered_manager"} | LEADS,
    "escalate": {"deputy_manager", "registered_manager"} | LEADS,
    "note": {"care_coordinator", "senior_carer"} | MANAGERS | LEADS,
}


def _attempt(name, who, world, draft, rm, evidence):
    if name == "create":
        return services.create_draft(who, world.home, concern="Call bells", source="audit")
    entry = draft()
    if name == "edit":
        return services.update_entry(who, entry, entry.version, {"concern": "Changed"})
    if name == "escalate":
        return services.record_escalation(who, entry, "not_escalated", "Local issue")
    if name == "note":
        return services.add_note(who, entry, "Seen")
    paths = {
        "open": (),
        "start": ("open",),
        "mark_done": ("open",),
        "send_back": ("open", "mark_done"),
        "close": ("open", "mark_done"),
        "reopen": ("open", "mark_done", "close"),
        "sign_off": ("open", "mark_done", "close"),
    }
    if name == "sign_off":
        services.update_entry(rm, entry, entry.version, {"risk": "high"})
    evidence(entry)
    move(entry, rm, *paths[name])
    if name == "sign_off":  # a whole record: a high-risk entry's escalation decision too
        services.record_escalation(rm, entry, "not_escalated", "Local issue")
    return services.transition(who, entry, name, reason="Checked")


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_permission_table_role_by_action(world, draft, rm, evidence, name):
    allowed = set()
    for role, user in world.users.items():
        try:
            _attempt(name, Actor(user), world, draft, rm, evidence)
            allowed.add(role)
        except Forbidden:
            pass
    assert allowed == ALLOWED[name]


def test_another_service_is_out_of_reach(world, draft, actor):
    from seed import factories

    other_rm = Actor(factories.make_user(world.provider, "registered_manager", world.other))
    entry = move(draft(), actor("registered_manager"), "open")
    for call in (
        lambda: services.transition(other_rm, entry, "start"),
        lambda: services.add_note(other_rm, entry, "Hello"),
        lambda: services.update_entry(other_rm, entry, entry.version, {"risk": "low"}),
    ):
        with pytest.raises(Forbidden):
            call()
    assert entry.status == "open" and entry.risk == "medium"


# ---- listing ------------------------------------------------------------------------------


def test_list_entries_filters_and_scopes(world, draft, rm):
    from seed import factories

    other_rm = Actor(factories.make_user(world.provider, "registered_manager", world.other))
    late = move(draft(concern="Medication round late", due_date=date(2020, 1, 6)), rm, "open")
    soon = draft(concern="Call bell in room 4", risk="high", statement_ids=["saf-2023:S1"])
    elsewhere = draft(
        service=world.other,
        by=other_rm,
        concern="Garden gate",
        owner_id=other_rm.user_id,
        due_date=date(2040, 1, 1),
    )

    def ids(user, **filters):
        return [e.id for e in db.session.scalars(services.list_entries(user, filters))]

    carer, ni = world.users["care_worker"], world.users["nominated_individual"]
    assert set(ids(carer)) == {late.id, soon.id}
    assert set(ids(ni)) == {late.id, soon.id, elsewhere.id}
    assert ids(ni, overdue=True) == [late.id]
    assert ids(ni, q="CALL BELL") == [soon.id]
    assert ids(ni, risk=["high"]) == [soon.id]
    assert ids(ni, status=["open"]) == [late.id]
    assert ids(ni, statement_id="saf-2023:S1") == [soon.id]
    assert ids(ni, service_id=world.other.id) == [elsewhere.id]
    assert ids(ni, sort="due_date") == [late.id, soon.id, elsewhere.id]
    assert ids(ni, q="100%_") == []
    with pytest.raises(Forbidden):
        ids(carer, service_id=world.other.id)
    rival = db.session.scalar(db.select(User).where(User.provider_id == world.rival.id))
    assert rival is None or ids(rival) == []


def test_nothing_is_written_when_a_rule_refuses(draft, rm):
    entry = draft(decision="Monitor")
    before = (db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)), entry.version)
    refused("vague_decision", services.transition, rm, entry, "open")
    db.session.flush()
    assert (
        db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)),
        entry.version,
    ) == before
    assert db.session.get(LogEntry, entry.id).status == "draft"
