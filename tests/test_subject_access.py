"""Subject access (UK GDPR): `flask --app server subject-access EMAIL OUTFILE` writes
everything Careloop holds about one staff member, and nothing about anyone else."""

import json
from datetime import timedelta

import pytest

from server.audit.services import Actor
from server.common import dates
from server.extensions import db
from server.findings import services as findings
from server.log import services as log
from server.reviews.services import record_review
from server.syncing.services import register_device

pytestmark = pytest.mark.db

GOOD = "Deputy manager audits 10 MAR charts every Friday and records the result"
KINDS = (
    "devices",
    "walkarounds",
    "findings",
    "log_entries",
    "notes",
    "evidence",
    "carry_forwards",
    "reviews",
    "audit_events",
)


def activity(world, user, tag: str) -> dict:
    """Give ``user`` one record of every kind, each marked with ``tag``; return their ids."""
    actor = Actor(user)
    device = register_device(user, f"install-{tag}", label=f"Tablet {tag}")
    walk = findings.record_walkaround(actor, world.home, {"areas": ["Lounge"], "notes": tag})
    finding = findings.record_finding(
        actor,
        world.home,
        {
            "kind": "walkaround_issue",
            "area": "Lounge",
            "description": f"Seen by {tag}",
            "risk": "low",
            "walkaround_id": walk.id,
        },
    )
    entry = log.create_draft(
        actor,
        world.home,
        concern=f"Concern of {tag}",
        source="audit",
        decision=GOOD,
        owner_id=user.id,
        due_date=dates.london_today() + timedelta(days=7),
        evidence_needed="MAR audits",
    )
    log.update_entry(
        actor,
        entry,
        entry.version,
        {"due_date": dates.london_today() + timedelta(days=14)},
        carry_forward_reason=f"Moved by {tag}",
    )
    note = log.add_note(actor, entry, f"Note by {tag}")
    evidence = log.add_evidence(
        actor,
        entry,
        type="audit",
        location=f"Audits / {tag}",
        evidence_date=dates.london_today(),
        checked_by=user.id,
    )
    review = record_review(
        actor,
        world.home,
        kind="rm_weekly",
        outcome="assurance",
        comment=f"Review by {tag}",
        items=[{"entry_id": entry.id, "outcome": "assurance"}],
    )
    db.session.commit()
    return {
        "devices": device.id,
        "walkarounds": walk.id,
        "findings": finding.id,
        "log_entries": entry.id,
        "notes": note.id,
        "evidence": evidence.id,
        "reviews": review.id,
    }


@pytest.fixture
def export(app, world, tmp_path):
    def _export(user):
        outfile = tmp_path / f"{user.id}.json"
        result = app.test_cli_runner().invoke(args=["subject-access", user.email, str(outfile)])
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"Wrote {outfile}: ")
        return json.loads(outfile.read_text(encoding="utf-8")), outfile.read_text()

    return _export


def test_export_holds_every_kind_of_record_of_the_person(world, export):
    rm, deputy = world.users["registered_manager"], world.users["deputy_manager"]
    mine = activity(world, rm, "alpha")
    activity(world, deputy, "bravo")

    data, _raw = export(rm)
    assert data["account"]["email"] == rm.email
    assert data["account"]["display_name"] == rm.display_name
    assert "password_hash" not in data["account"]
    assert data["roles"] == [
        {"role": "registered_manager", "service_id": str(world.home.id), "service": "Ashdown House"}
    ]
    for kind in KINDS:
        assert data[kind], kind
    for kind, record_id in mine.items():
        assert [row["id"] for row in data[kind]] == [str(record_id)], kind
    assert data["carry_forwards"][0]["reason"] == "Moved by alpha"
    assert data["reviews"][0]["items"][0]["entry_id"] == str(mine["log_entries"])
    assert {e["actor_id"] for e in data["audit_events"]} == {str(rm.id)}
    assert {"create", "note", "evidence", "register"} <= {e["action"] for e in data["audit_events"]}


def test_export_holds_nothing_of_another_person(world, export):
    rm, deputy = world.users["registered_manager"], world.users["deputy_manager"]
    activity(world, rm, "alpha")
    theirs = activity(world, deputy, "bravo")

    data, raw = export(rm)
    for secret in (
        deputy.email,
        deputy.display_name,
        str(deputy.id),
        "bravo",
        *(str(i) for i in theirs.values()),
    ):
        assert secret not in raw, secret
    assert rm.password_hash not in raw


def test_unknown_email_is_refused(app, world, tmp_path):
    outfile = tmp_path / "nobody.json"
    result = app.test_cli_runner().invoke(
        args=["subject-access", "nobody@example.test", str(outfile)]
    )
    assert result.exit_code == 1
    assert "Error: No account has the email address nobody@example.test." in result.output
    assert not outfile.exists()
