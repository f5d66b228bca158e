"""Concurrent writers against the real database: pull cursors never skip a change committed
out of order, and two workers editing one field at once lose no update.

Workers are threads, each request with its own app context (so its own session and
database connection). They meet at the exact moments that matter through the test-only
fault points of tests.support.faults, events and a barrier, never through sleeps.
"""

import threading

import pytest

from server.accounts.models import User
from server.audit.models import AuditEvent
from server.audit.services import Actor
from server.extensions import db
from server.findings.models import Finding
from server.findings.services import record_finding
from server.log import services as log
from server.log.models import LogEntry
from server.providers.models import Service
from server.syncing import pull as pulling
from server.syncing.models import Receipt, SyncConflict
from tests.support import faults
from tests.support.concurrency import (
    WAIT,
    Worker,
    _until,
    change_seqs,
    holding,
    new_finding,
    pulled,
    push,
    risk_edit,
    signed_in,
    until_committed_or_blocked,
    waiting_for_a_lock,
)

pytestmark = pytest.mark.db


def test_a_reader_never_skips_a_change_that_commits_after_a_later_one_began(app, client, world):
    writer_a = signed_in(app, world.users["senior_carer"])
    writer_b = signed_in(app, world.users["care_worker"])
    reader = world.users["registered_manager"]
    a_mutation = new_finding(writer_a, world.home, "Call bell out of reach in room 4")
    b_mutation = new_finding(writer_b, world.home, "Wet floor by the kitchen door")
    hook, a_has_seq, release_a = holding("writer-a")
    a = Worker("writer-a", lambda: push(writer_a, [a_mutation]))
    b = Worker("writer-b", lambda: push(writer_b, [b_mutation]))
    with faults.hooked("seq_allocated", hook):
        a.start()
        assert a_has_seq.wait(WAIT)  # A has its number and holds its transaction open
        b.start()
        until_committed_or_blocked(b)
        between, cursor = pulled(reader, 0)  # while A is open and B waits (or committed)
        release_a.set()
        results = a.finish() + b.finish()
    after, _ = pulled(reader, cursor)

    assert [r["status"] for r in results] == ["applied", "applied"]
    assert sorted(between + after) == sorted([a_mutation["entity_id"], b_mutation["entity_id"]])
    assert between == []  # B could not commit before A, which holds the lower number
    by_id = {str(f.id): f.change_seq for f in db.session.scalars(db.select(Finding))}
    assert by_id[a_mutation["entity_id"]] < by_id[b_mutation["entity_id"]]


def test_a_pull_while_a_writer_holds_its_number_stops_below_it(app, client, world):
    writer = signed_in(app, world.users["senior_carer"])
    reader = world.users["registered_manager"]
    first = new_finding(writer, world.home, "Call bell out of reach in room 4")
    assert push(writer, [first])[0]["status"] == "applied"
    _, cursor = pulled(reader, 0)
    second = new_finding(writer, world.home, "Wet floor by the kitchen door", seq=2)
    hook, held, release = holding("writer")
    worker = Worker("writer", lambda: push(writer, [second]))
    with faults.hooked("seq_allocated", hook):
        worker.start()
        assert held.wait(WAIT)
        between, between_cursor = pulled(reader, cursor)
        release.set()
        assert worker.finish()[0]["status"] == "applied"
    after, _ = pulled(reader, between_cursor)
    assert (between, between_cursor) == ([], cursor)
    assert after == [second["entity_id"]]


def test_numbers_stay_unique_and_locked_after_a_savepoint_rolls_back(app, client, world):
    """A rejected mutation's savepoint is rolled back (releasing, on PostgreSQL, a lock it
    took); the numbers taken after it in the same transaction must still be new ones,
    taken under the lock, so another writer waits and a reader skips nothing."""
    carer, reader = world.users["senior_carer"], world.users["registered_manager"]
    service_id = world.home.id
    writer_b = signed_in(app, world.users["care_worker"])
    b_mutations = [new_finding(writer_b, world.home, f"Wet floor {n}", seq=n) for n in (1, 2)]
    kept = []

    def writer_a():
        with app.app_context():
            actor = Actor(db.session.get(User, carer.id), "sync")
            service = db.session.get(Service, service_id)
            for n in (1, 2):
                kept.append(record_finding(actor, service, _finding_data(f"Kept {n}")).id)
            savepoint = db.session.begin_nested()
            record_finding(actor, service, _finding_data("Refused later"))
            savepoint.rollback()  # as the engine does for a rejected mutation
            kept.append(record_finding(actor, service, _finding_data("Kept 3")).id)
            db.session.commit()

    hook, held, release = holding("writer-a", at=4)  # the number after the rollback
    a = Worker("writer-a", writer_a)
    b = Worker("writer-b", lambda: push(writer_b, b_mutations))
    with faults.hooked("seq_allocated", hook):
        a.start()
        assert held.wait(WAIT)
        b.start()
        until_committed_or_blocked(b)
        between, cursor = pulled(reader, 0)
        release.set()
        a.finish()
        assert [r["status"] for r in b.finish()] == ["applied", "applied"]
    after, _ = pulled(reader, cursor)
    expected = [str(i) for i in kept] + [m["entity_id"] for m in b_mutations]
    assert sorted(between + after) == sorted(expected)
    seqs = change_seqs()
    assert len(seqs) == len(set(seqs)) == 5  # no number handed out twice


def _finding_data(description):
    return {
        "kind": "walkaround_issue",
        "area": "Lounge",
        "source": "walkaround",
        "description": description,
    }


def test_two_workers_editing_one_field_at_once_lose_no_update(app, client, world):
    manager = world.users["registered_manager"]
    entry = log.create_draft(
        Actor(manager),
        world.home,
        concern="Pressure mats unplugged",
        source="walkaround",
        risk="medium",
    )
    db.session.commit()
    one = signed_in(app, manager)
    two = signed_in(app, world.users["deputy_manager"])
    meet = threading.Barrier(2, timeout=WAIT)
    postgres = db.engine.dialect.name == "postgresql"
    reads = []

    def first_read(entity_type, entity_id):
        # Whoever reads the entry first finds the other worker already waiting for it: on
        # SQLite for the write lock taken at BEGIN IMMEDIATE; on PostgreSQL for the change
        # counter's lock, taken at BEGIN too (server.common.transaction.begin_write), so the two never
        # hold the entry's row and the counter the other way round.
        if threading.current_thread().name.startswith("worker") and not reads:
            reads.append(not postgres or _until(waiting_for_a_lock))

    def worker(risk, client):
        edit = risk_edit(client, entry, risk)
        return Worker(f"worker-{risk}", lambda: push(client, [edit]), before=meet.wait)

    workers = [worker("high", one), worker("low", two)]
    with faults.hooked("sync_read", first_read):
        for worker in workers:
            worker.start()
        results = {risk: w.finish()[0] for risk, w in zip(("high", "low"), workers, strict=True)}

    assert reads == [True]
    assert sorted(r["status"] for r in results.values()) == ["applied", "conflict"]
    winner = next(risk for risk, r in results.items() if r["status"] == "applied")
    loser = "low" if winner == "high" else "high"
    db.session.rollback()  # end the test's read snapshot: see what the workers committed
    assert db.session.get(LogEntry, entry.id).risk == winner
    conflict = db.session.scalars(db.select(SyncConflict)).one()
    assert (conflict.field, conflict.base_value, conflict.kept_value, conflict.other_value) == (
        "risk",
        "medium",
        winner,
        loser,
    )
    assert str(conflict.id) == results[loser]["conflict_id"]
    updates = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.entity_id == str(entry.id), AuditEvent.action == "update"
        )
    ).all()
    assert [e.changes["risk"] for e in updates] == [["medium", winner]]
    assert db.session.scalar(db.select(db.func.count()).select_from(Receipt)) == 2


def test_a_push_holding_its_reserved_block_keeps_a_later_writer_behind_it(app, client, world):
    """A push that edits (one mutation at a time) reserves its change numbers up front; a
    reader pulling meanwhile sees neither that push nor a create committed after it."""
    manager, reader = world.users["registered_manager"], world.users["registered_manager"]
    entry = log.create_draft(
        Actor(manager),
        world.home,
        concern="Pressure mats unplugged",
        source="walkaround",
        risk="medium",
    )
    db.session.commit()
    _, cursor = everything(reader, 0)
    editor = signed_in(app, manager)
    writer = signed_in(app, world.users["senior_carer"])
    edit, create = risk_edit(editor, entry, "high"), new_finding(writer, world.home, "Wet floor")
    hook, reserved, release = holding("editor")
    a = Worker("editor", lambda: push(editor, [edit]))
    b = Worker("writer", lambda: push(writer, [create]))
    with faults.hooked("seq_allocated", hook):
        a.start()
        assert reserved.wait(WAIT)  # the editor holds its block, its transaction open
        b.start()
        until_committed_or_blocked(b)
        between, between_cursor = everything(reader, cursor)
        release.set()
        results = a.finish() + b.finish()
    after, _ = everything(reader, between_cursor)

    assert [r["status"] for r in results] == ["applied", "applied"]
    assert (between, between_cursor) == ([], cursor)
    assert after == [("log_entry", str(entry.id)), ("finding", create["entity_id"])]


def test_a_reserved_block_outlives_a_rolled_back_savepoint_and_ends_with_its_transaction(
    app, world
):
    from server.common import changes

    actor, service = Actor(world.users["senior_carer"], "sync"), world.home
    start = changes.committed_high_water(db.session)
    changes.reserve(db.session(), 3)
    first = record_finding(actor, service, _finding_data("First"))
    savepoint = db.session.begin_nested()
    record_finding(actor, service, _finding_data("Refused later"))
    savepoint.rollback()
    second = record_finding(actor, service, _finding_data("Second"))
    third = record_finding(actor, service, _finding_data("Third, past the block"))
    db.session.commit()
    fourth = record_finding(actor, service, _finding_data("Fourth, next transaction"))
    db.session.commit()
    assert [f.change_seq - start for f in (first, second, third, fourth)] == [1, 3, 4, 5]
    assert changes.committed_high_water(db.session) == start + 5


def everything(user, cursor):
    """Pull as ``user`` from ``cursor`` to the end; return ([(type, id)], cursor)."""
    seen = []
    while True:
        db.session.rollback()
        body = pulling.pull(user, cursor, 2)
        seen += [(c["entity_type"], c["id"]) for c in body["changes"]]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            db.session.rollback()
            return seen, cursor
