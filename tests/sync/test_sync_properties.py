"""Property tests: two to four tablets edit shared records offline; their pushes arrive
interleaved, duplicated, with lost responses and retries. Afterwards every submitted value is
in the record, its history or an open conflict; every tablet that pulls holds exactly the
server's state; no mutation was applied twice; and skewed device clocks change nothing."""

from hypothesis import HealthCheck, given, settings

from sync.policies import APPEND_ONLY, POLICIES
from sync.types import RECORD, ConflictRecorded, Rejected, outcome_from_dict
from tests.support.sync_simulation import run, scenario, skews

PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def values_ever(timeline: list[dict], field: str) -> list:
    """Return every value a field was given in a record's history."""
    return [event["changes"][field][1] for event in timeline if field in event["changes"]]


def assert_accounted_for(harness, mutation) -> None:
    """Check that what a mutation submitted is in the record, its history or an open conflict."""
    current = harness.record(mutation.entity_type, mutation.entity_id)
    mine = [
        c
        for c in harness.conflicts(status="open", entity_id=mutation.entity_id)
        if (c.other_device, c.mutation_id) == (mutation.device_id, mutation.mutation_id)
    ]
    writes = [e["action"] for e in harness.events_of(mutation.device_id, mutation.mutation_id)]
    if mutation.op == "transition":
        assert mutation.transition.action in writes or mine, mutation
        return
    if mutation.op == "delete":
        assert current["deleted"] or mine, mutation
        return
    timeline = harness.timeline(mutation.entity_type, mutation.entity_id)
    for field, value in mutation.changes.items():
        history = values_ever(timeline, field)
        in_conflict = any(
            (c.field == field and c.other_value == value)
            or (c.field == RECORD and (c.other_value or {}).get(field) == value)
            for c in mine
        )
        if in_conflict:
            continue
        if POLICIES[mutation.entity_type][field].policy == APPEND_ONLY:
            for item in value:
                assert item in current[field] or any(item in (h or []) for h in history)
        else:
            assert value == current.get(field) or value in history, (mutation, field)


def assert_history_is_fair(harness, entity_type: str, entity_id: str, sent: dict) -> None:
    """Replay a record's history: no write lands on a tombstone, no write replaces a value
    its device had not seen, and no delete wipes a value its device had not seen."""
    state: dict = {}
    deleted = False
    for event in harness.timeline(entity_type, entity_id):
        mutation = sent.get((event["device_id"], event["mutation_id"]))
        if event["action"] == "restore":
            deleted = False
        else:
            assert not deleted, ("write on a tombstone", event)
        if (
            mutation is not None
            and (mutation.entity_type, str(mutation.entity_id)) == (entity_type, entity_id)
            and event["action"] != "create"
        ):
            for field, seen in mutation.base_values.items():
                if POLICIES[entity_type][field].policy != APPEND_ONLY:
                    assert state.get(field) == seen, ("overwrote unseen", field, event)
        deleted = deleted or event["action"] == "delete"
        state |= {field: new for field, (_, new) in event["changes"].items()}


def examples(store_factory, memory: int, share: float = 1.0) -> int:
    """Return how many scenarios to play: ``memory`` in memory; on the database, ``share``
    of the CI profile's count (each SQL example starts from an empty database)."""
    if store_factory.harness_name == "memory":
        return memory
    return max(1, int(min(memory, settings.get_profile("ci").max_examples) * share))


def test_offline_devices_converge_and_nothing_is_lost_or_doubled(store_factory):
    @settings(PROPERTY, max_examples=examples(store_factory, 60))
    @given(plan=scenario, skew=skews)
    def check(plan, skew):
        harness = store_factory()
        _, devices = run(harness, plan, skew)
        assert_converged(harness, devices)

    check()


def assert_converged(harness, devices) -> None:
    """Check (a) nothing lost, (b) every device holds the server's state, (c) nothing twice."""
    sent = {(m.device_id, m.mutation_id): m for d in devices for m in d.sent}
    for device in devices:
        assert device.outbox == [] and device.overlay == {}
        assert device.replica == harness.live_state(device.actor)  # (b) all hold the same
        for mutation in device.sent:
            events = harness.events_of(mutation.device_id, mutation.mutation_id)
            assert len(events) <= 1, (mutation, events)  # (c) never applied twice
            stored = harness.receipt(mutation.device_id, mutation.mutation_id)
            outcome = device.acked[mutation.mutation_id]
            assert outcome_from_dict(stored) == outcome
            if isinstance(outcome, ConflictRecorded):
                for conflict_id in outcome.conflict_ids:
                    assert harness.store.conflict(conflict_id).status == "open"
            if not isinstance(outcome, Rejected):
                assert_accounted_for(harness, mutation)  # (a) nothing lost
    for entity_type, entity_id in {(m.entity_type, str(m.entity_id)) for m in sent.values()}:
        assert_history_is_fair(harness, entity_type, entity_id, sent)
    recorded = {
        c
        for d in devices
        for o in d.acked.values()
        if isinstance(o, ConflictRecorded)
        for c in o.conflict_ids
    }
    assert {c.id for c in harness.conflicts()} == recorded  # no orphan conflicts


def test_device_clocks_skewed_by_a_day_change_no_outcome(store_factory):
    @settings(PROPERTY, max_examples=examples(store_factory, 25, share=0.5))
    @given(plan=scenario, skew=skews)
    def check(plan, skew):
        # Each run's results are read before the next starts: on the database, a new
        # harness empties the database.
        on_time = store_factory()
        trace, _ = run(on_time, plan, [0, 0, 0, 0])
        state, conflicts = on_time.live_state(None), conflict_dicts(on_time)
        skewed = store_factory()
        skewed_trace, _ = run(skewed, plan, skew)
        assert skewed_trace == trace
        skewed_state = skewed.live_state(None)
        assert skewed_state == _with_device_times(state, skewed_state)
        assert conflict_dicts(skewed) == conflicts

    check()


def conflict_dicts(harness) -> list[dict]:
    return [c.to_dict() for c in harness.conflicts()]


def _with_device_times(state: dict, other: dict) -> dict:
    """Replace the on-time run's recorded_at (a device clock, kept as told) by the skewed one."""
    return {
        key: record
        | ({"recorded_at": other[key]["recorded_at"]} if "recorded_at" in record else {})
        for key, record in state.items()
    }
