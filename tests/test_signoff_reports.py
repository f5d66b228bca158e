"""The governance report and the evidence pack name who marked a high-risk entry done, who
checked it and who signed it off, each separately (before, the pack said "Closed … by Kate
Williams, signed off by Kate Williams"), and a safeguarding concern's follow-through
(issue 16, points 3 and 9)."""

from datetime import timedelta

import pytest

from server.common import dates
from server.evidence.services import evidence_pack
from server.extensions import db
from tests.support import log_rules as shared
from tests.support.early_warnings import make_finding
from tests.support.log_rules import move

actor, draft, evidence, rm = shared.actor, shared.draft, shared.evidence, shared.rm

pytestmark = pytest.mark.db


@pytest.fixture
def signed(world, draft, rm, actor, evidence):
    entry = move(draft(risk="high", interim_controls="Two staff for personal care"), rm, "open")
    move(entry, actor("senior_carer"), "mark_done")
    evidence(entry)
    move(entry, rm, "close")
    make_finding(world, safeguarding_concern=True, risk="high", log_entry_id=entry.id)
    from server.log import services

    services.record_escalation(
        rm,
        entry,
        "escalated",
        "Unexplained bruising",
        referral_made_on=dates.london_today(),
        cqc_not_needed="No abuse found by the local authority",
    )
    move(entry, actor("nominated_individual"), "sign_off")
    db.session.commit()
    return entry


def said(world) -> str:
    today = dates.london_today()
    on = f"on {today.day} {today:%B %Y}"
    n = {role: world.users[role].display_name for role in world.users}
    return (
        f"Marked done by {n['senior_carer']} {on}, checked by {n['registered_manager']} {on}, "
        f"signed off by {n['nominated_individual']} {on}."
    )


def outcomes(node, entry_id) -> list[str]:
    """Every outcome the pack prints for the entry, wherever it places it."""
    if isinstance(node, dict):
        own = [node["outcome"]] if node.get("id") == entry_id and "outcome" in node else []
        return own + [o for v in node.values() for o in outcomes(v, entry_id)]
    if isinstance(node, list):
        return [o for v in node for o in outcomes(v, entry_id)]
    return []


def test_the_pack_names_the_three_people_and_the_follow_through(world, signed):
    today = dates.london_today()
    pack = evidence_pack(
        world.users["registered_manager"], world.home.id, today - timedelta(days=7), today
    )
    found = set(outcomes(pack, signed.id))
    assert found, "the entry is in the pack"
    for outcome in found:
        assert said(world) in outcome
        assert f"local-authority safeguarding referral made on {today.day} " in outcome
        assert "CQC notification not needed: No abuse found by the local authority." in outcome


def test_the_governance_minutes_name_them_too(world, signed, login):
    today = dates.london_today()
    client = login(world.users["nominated_individual"])
    r = client.get("/api/v1/reports/governance", query_string={"month": f"{today:%Y-%m}"})
    assert r.status_code == 200, r.get_json()
    items = r.get_json()["minutes"]["decisions"]["items"]
    texts = {x["kind"]: x["text"] for x in items if x["concern"] == signed.concern}
    assert texts["signed_off"] == said(world)
    assert texts["escalation"].startswith(
        "Escalated to provider level: Unexplained bruising. Safeguarding: "
    )
    assert "Safeguarding: local-authority safeguarding referral made on" in texts["escalation"]
