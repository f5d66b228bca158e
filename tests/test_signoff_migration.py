"""Migration 0012_sign_off: who marked each entry done, who checked it and when it was signed
off are filled in from the audit trail, exactly as the log records them today; undone, the
columns go and the entries stay."""

from datetime import datetime, timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from server.common import dates
from server.extensions import db
from server.log import services
from server.log.models import LogEntry
from tests.support import log_rules as shared
from tests.support.early_warnings import make_entry
from tests.support.log_rules import move

actor, draft, evidence, rm = shared.actor, shared.draft, shared.evidence, shared.rm

pytestmark = pytest.mark.db

STEPS = ("done_by", "done_at", "checked_by", "checked_at", "signed_off_by", "signed_off_at")


def same(a: tuple, b: tuple) -> bool:
    """The same people, at the same moments to the second: the audit event of a step is
    written a few microseconds after the step itself."""
    return all(
        x == y if not isinstance(x, datetime) else abs(x - y) < timedelta(seconds=1)
        for x, y in zip(a, b, strict=True)
    )


def steps_of(ids) -> dict:
    rows = db.session.execute(
        db.select(LogEntry.id, *(getattr(LogEntry, name) for name in STEPS)).where(
            LogEntry.id.in_(ids)
        )
    ).all()
    return {row[0]: tuple(row[1:]) for row in rows}


def test_the_steps_are_filled_from_the_audit_trail_and_undone(world, draft, actor, rm, evidence):
    carer, ni = actor("senior_carer"), actor("nominated_individual")
    routine = move(draft(), rm, "open")
    move(routine, carer, "mark_done")
    evidence(routine)
    move(routine, rm, "close")
    high = move(draft(risk="high", interim_controls="Sensor mat"), rm, "open")
    move(high, carer, "mark_done")
    evidence(high)
    move(high, rm, "close")
    services.record_escalation(
        rm, high, "not_escalated", "Handled at home level", referral_not_needed="No harm"
    )
    move(high, ni, "sign_off")
    waiting = move(draft(risk="high", interim_controls="Sensor mat"), rm, "open")
    move(waiting, carer, "mark_done")
    evidence(waiting)
    move(waiting, rm, "close")
    reopened = move(draft(), rm, "open", "mark_done")
    evidence(reopened)
    move(reopened, rm, "close")
    move(reopened, rm, "reopen", reason="The audit was of the wrong week")
    imported = make_entry(
        world,
        status="closed",
        closed_by=world.users["deputy_manager"].id,
        due_date=dates.london_today() - timedelta(days=3),
    )
    db.session.commit()
    ids = [routine.id, high.id, waiting.id, reopened.id, imported.id]
    deputy = world.users["deputy_manager"].id
    before = steps_of(ids)
    assert before[high.id][0::2] == (carer.user_id, rm.user_id, ni.user_id)
    assert before[waiting.id][4:] == (None, None)
    assert all(before[routine.id][:4]) and before[routine.id][4:] == (None, None)
    db.session.close()

    downgrade(revision="0011_device_credentials")
    try:
        columns = {c["name"] for c in inspect(db.engine).get_columns("log_entry")}
        assert not columns & {*STEPS[:-2], "signed_off_at", "referral_made_on", "cqc_not_needed"}
        assert "signed_off_by" in columns
    finally:
        upgrade()
    after = steps_of(ids)
    assert all(same(after[i], before[i]) for i in ids[:-1]), (before, after)
    imported_row = db.session.get(LogEntry, imported.id)
    assert (imported_row.checked_by, imported_row.checked_at) == (
        deputy,
        imported_row.closed_at,
    )
    assert db.session.get(LogEntry, high.id).referral_not_needed is None  # not in the trail
