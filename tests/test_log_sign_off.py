"""A high-risk closure is signed off by a second pair of eyes: neither the person who
recorded the closure nor one who checked its evidence (issue 13, point 4); and the
escalation endpoint, like every versioned write, needs the version it was based on."""

import pytest

from server.common import dates
from server.extensions import db
from server.log import services
from server.log.models import LogEntry
from tests.support import log_rules as shared
from tests.support.log_api import written
from tests.support.log_rules import escalate, move, refused

# pytest finds fixtures among a module's globals: these come from tests/support/log_rules.py.
actor, draft, evidence, rm = shared.actor, shared.draft, shared.evidence, shared.rm

pytestmark = pytest.mark.db


def awaiting_sign_off(draft, rm, closer, checked_by):
    entry = move(draft(risk="high", interim_controls="Two-person checks"), rm, "open", "mark_done")
    services.add_evidence(
        rm,
        entry,
        type="audit",
        location="Shared drive / audits / June",
        evidence_date=dates.london_today(),
        checked_by=checked_by,
    )
    db.session.expire(entry, ["evidence"])
    move(entry, closer, "close")
    escalate(entry, rm)
    assert entry.status == "awaiting_sign_off"
    return entry


def test_the_lead_who_closed_a_high_risk_entry_cannot_sign_it_off(world, draft, rm, actor):
    ni = actor("nominated_individual")
    entry = awaiting_sign_off(draft, rm, ni, world.users["deputy_manager"].id)
    error = refused("sign_off_not_independent", services.transition, ni, entry, "sign_off")
    assert error.message == (
        "You recorded this closure, so someone else must sign it off: "
        "another nominated individual or provider quality lead."
    )
    assert (entry.status, entry.signed_off_by) == ("awaiting_sign_off", None)
    pql = actor("provider_quality_lead")
    move(entry, pql, "sign_off")
    assert (entry.status, entry.signed_off_by) == ("closed", pql.user_id)


def test_the_lead_who_checked_the_evidence_cannot_sign_it_off(world, draft, rm, actor):
    pql = actor("provider_quality_lead")
    entry = awaiting_sign_off(draft, rm, rm, pql.user_id)
    error = refused("sign_off_not_independent", services.transition, pql, entry, "sign_off")
    assert error.message.startswith("You checked evidence for this closure")
    assert error.fields == {"action": "You checked this entry's evidence."}
    move(entry, actor("nominated_individual"), "sign_off")
    assert entry.status == "closed"


def test_a_self_sign_off_through_the_api_is_refused_and_writes_nothing(
    world, draft, rm, actor, login
):
    ni = world.users["nominated_individual"]
    entry = awaiting_sign_off(
        draft, rm, actor("nominated_individual"), world.users["deputy_manager"].id
    )
    db.session.commit()
    client = login(ni)
    before = written()
    r = client.post(
        f"/api/v1/entries/{entry.id}/transitions",
        json={"action": "sign_off", "version": entry.version},
    )
    assert r.status_code == 422
    assert (r.get_json()["error"]["code"], r.get_json()["error"]["rule"]) == (
        "rule",
        "sign_off_not_independent",
    )
    assert written() == before


def test_an_escalation_without_a_version_is_refused(world, draft, login):
    entry = draft(risk="high")
    db.session.commit()
    client = login(world.users["registered_manager"])
    before = written()
    r = client.post(
        f"/api/v1/entries/{entry.id}/escalation",
        json={"decision": "escalated", "reason": "Third fall this month"},
    )
    assert r.status_code == 422
    assert r.get_json()["error"]["fields"] == {"version": "Missing data for required field."}
    assert written() == before
    assert db.session.get(LogEntry, entry.id).escalation_decision is None
