"""The engine over every store: batches carry on past failures; retries apply once."""

import pytest

from sync.engine import apply, apply_batch
from sync.store import StaleWrite, TransactionLost
from sync.types import (
    Applied,
    Duplicate,
    Merged,
    Rejected,
)
from sync.validate import validate
from tests.support.sync_harness import actions, edit, make_entry, push


def test_a_rejected_mutation_blocks_nothing_after_it(harness, desk, ann):
    entry_id = make_entry(harness, desk)
    version = harness.record("log_entry", entry_id)["version"]
    batch = [
        edit(ann, entry_id, version, "risk", "extreme", "medium"),
        validate(ann.raw("update", "log_entry", "nope", base_version=1)),
        ann.make(
            "update",
            "log_entry",
            entry_id,
            base_version=version,
            changes={"created_by": str(ann.author_id)},
        ),
        edit(ann, entry_id, version, "interim_controls", "Hourly checks", ""),
    ]
    outcomes = apply_batch(harness.store, batch, ann.actor, harness.now())
    assert [o.status for o in outcomes] == ["rejected", "rejected", "rejected", "applied"]
    assert [o.code for o in outcomes[:3]] == ["invalid", "invalid", "server_owned"]
    assert harness.record("log_entry", entry_id)["interim_controls"] == "Hourly checks"


def test_a_crash_inside_one_mutation_rolls_it_back_and_the_batch_carries_on(harness, desk):
    entry_id = make_entry(harness, desk)
    version = harness.record("log_entry", entry_id)["version"]
    doomed = edit(desk, entry_id, version, "risk", "high", "medium")
    after = edit(desk, entry_id, version, "interim_controls", "Hourly checks", "")
    # Twice: a run that fails goes again one mutation at a time, and fails again there.
    harness.store.inject("keep_receipts", RuntimeError("disk full"), times=2)
    outcomes = apply_batch(harness.store, [doomed, after], desk.actor, harness.now())
    assert outcomes[0] == Rejected(
        doomed.mutation_id,
        "server_error",
        "The server failed to apply this change. Send it again later.",
        retry=True,
    )
    record = harness.record("log_entry", entry_id)
    assert (record["risk"], record["interim_controls"]) == ("medium", "Hourly checks")
    assert actions(harness, desk.device_id, doomed.mutation_id) == []
    retried = push(harness, desk, doomed)
    assert isinstance(retried, Merged)
    assert actions(harness, desk.device_id, doomed.mutation_id) == ["update"]


def test_a_stale_write_is_applied_again_from_a_fresh_read(harness, desk):
    entry_id = make_entry(harness, desk)
    version = harness.record("log_entry", entry_id)["version"]
    harness.store.inject("update", StaleWrite("another worker committed"))
    mutation = edit(desk, entry_id, version, "risk", "high", "medium")
    assert isinstance(push(harness, desk, mutation), Applied)
    assert actions(harness, desk.device_id, mutation.mutation_id) == ["update"]


def test_a_record_that_keeps_changing_answers_busy_and_keeps_no_receipt(harness, desk):
    entry_id = make_entry(harness, desk)
    version = harness.record("log_entry", entry_id)["version"]
    harness.store.inject("update", StaleWrite("contended"), times=3)
    mutation = edit(desk, entry_id, version, "risk", "high", "medium")
    outcome = push(harness, desk, mutation)
    assert (outcome.code, outcome.retry) == ("busy", True)
    assert harness.receipt(desk.device_id, mutation.mutation_id) is None
    assert isinstance(push(harness, desk, mutation), Applied)


def test_a_receipt_written_by_a_concurrent_worker_turns_into_a_duplicate(harness, desk):
    entry_id = make_entry(harness, desk)
    version = harness.record("log_entry", entry_id)["version"]
    mutation = edit(desk, entry_id, version, "risk", "high", "medium")
    first = push(harness, desk, mutation)

    class RacingStore:
        """Hides the receipt on the first look, as a worker that has not yet seen it."""

        def __init__(self, inner):
            self.inner, self.looks = inner, 0

        def get_receipt(self, device_id, mutation_id):
            self.looks += 1
            return None if self.looks == 1 else self.inner.get_receipt(device_id, mutation_id)

        def __getattr__(self, name):
            return getattr(self.inner, name)

    outcome = apply(RacingStore(harness.store), mutation, desk.actor, harness.now())
    assert outcome == Duplicate(mutation.mutation_id, first)
    assert actions(harness, desk.device_id, mutation.mutation_id) == ["update"]


def test_a_lost_transaction_ends_the_whole_batch_instead_of_going_on_one_by_one(harness, desk):
    entry_id = make_entry(harness, desk)
    version = harness.record("log_entry", entry_id)["version"]
    lost = edit(desk, entry_id, version, "risk", "high", "medium")
    after = edit(desk, entry_id, version, "interim_controls", "Hourly checks", "")
    harness.store.inject("update", TransactionLost("deadlock detected"))
    with pytest.raises(TransactionLost):
        apply_batch(harness.store, [lost, after], desk.actor, harness.now())
    record = harness.record("log_entry", entry_id)
    assert (record["risk"], record["interim_controls"]) == ("medium", "")  # nothing after it
    assert harness.receipt(desk.device_id, lost.mutation_id) is None
