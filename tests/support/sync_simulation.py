"""A model of tablets that edit offline, push through a lossy network and pull: the
scenarios of the property tests (Hypothesis strategies, the Device model, a seeded service)."""

import itertools
import uuid
from datetime import timedelta

from hypothesis import strategies as st

from sync.engine import apply, apply_batch
from sync.memory_rules import ENTRY_STEPS, RISKS
from sync.types import Duplicate, Rejected
from sync.validate import validate
from tests.support.sync_harness import START, Tablet, add_evidence, make_entry

TEXTS = ("alpha", "beta", "gamma")
# Decisions pass the log's vague-action check, so the server's rules let them stand.
DECISIONS = (
    "Night senior checks every pressure mat at 21:00",
    "Deputy manager audits the night log every Friday",
    "Registered manager observes two handovers each week",
)
EDITS = {
    "log_entry": (
        ("decision", DECISIONS),
        ("interim_controls", TEXTS),
        ("risk", RISKS),
        ("evidence_needed", TEXTS),
    ),
    "finding": (("description", TEXTS), ("area", ("Lounge", "Kitchen")), ("risk", RISKS)),
    "walkaround": (("notes", TEXTS),),
}
APPENDS = {
    "log_entry": ("statements", None),  # None: the harness's three quality statements
    "walkaround": ("areas", ("Lounge", "Kitchen", "Garden")),
}
KINDS = (
    "edit",
    "edit",
    "edit",
    "append_item",
    "note",
    "evidence",
    "transition",
    "transition",
    "delete",
    "create",
    "push",
    "push",
    "push",
    "push_lost",
    "dup",
    "pull",
)
NS = uuid.UUID("9a3e1c52-55f0-4b0e-9d1c-0c3a1f6b7d20")

step = st.tuples(st.sampled_from(KINDS), st.integers(0, 3), st.integers(0, 8), st.integers(0, 8))
scenario = st.fixed_dictionaries(
    {
        "devices": st.integers(2, 4),
        "steps": st.lists(step, min_size=15, max_size=50),
    }
)
skews = st.lists(st.integers(-24 * 60, 24 * 60), min_size=4, max_size=4)


class Device:
    """A tablet: a replica from pulls, optimistic local copies, and an outbox."""

    def __init__(self, harness, index: int, skew_minutes: int):
        self.harness = harness
        self.tablet = Tablet(harness, index + 1, f"tablet-{index + 1}")
        self.actor = self.tablet.actor
        self.skew = timedelta(minutes=skew_minutes)
        self.replica: dict = {}
        self.overlay: dict = {}  # key -> local copy, or None for deleted locally
        self.outbox: list = []
        self.sent: list = []
        self.acked: dict = {}
        self.cursor = 0
        self.made = itertools.count()

    # ---- local state ------------------------------------------------------------------

    def view(self, key):
        return self.overlay[key] if key in self.overlay else self.replica.get(key)

    def keys(self, *entity_types):
        keys = set(self.replica) | set(self.overlay)
        return sorted(k for k in keys if k[0] in entity_types and self.view(k) is not None)

    def version(self, key):
        return self.replica[key]["version"] if key in self.replica else 1

    def queue(self, clock: int, *args, **kwargs):
        raw = self.tablet.raw(*args, **kwargs)
        raw["device_time"] = (START + timedelta(minutes=clock) + self.skew).isoformat()
        mutation = validate(raw)
        assert not isinstance(mutation, Rejected), mutation
        self.outbox.append(mutation)
        self.sent.append(mutation)

    def new_id(self):
        return uuid.uuid5(NS, f"{self.tablet.device_id}/{next(self.made)}")

    # ---- what a user does offline -------------------------------------------------------

    def edit(self, clock, a, b):
        keys = self.keys(*EDITS)
        if not keys:
            return
        key = keys[a % len(keys)]
        record = dict(self.view(key))
        field, pool = EDITS[key[0]][b % len(EDITS[key[0]])]
        value = pool[(a // 3 + b) % len(pool)]
        self.queue(
            clock,
            "update",
            key[0],
            key[1],
            base_version=self.version(key),
            changes={field: value},
            base_values={field: record.get(field)},
        )
        self.overlay[key] = record | {field: value}

    def append_item(self, clock, a, b):
        keys = self.keys(*APPENDS)
        if not keys:
            return
        key = keys[a % len(keys)]
        record = dict(self.view(key))
        field, pool = APPENDS[key[0]]
        pool = pool or self.harness.statements
        items = list(record.get(field) or []) + [pool[b % len(pool)]]
        self.queue(
            clock, "update", key[0], key[1], base_version=self.version(key), changes={field: items}
        )
        self.overlay[key] = record | {field: list(dict.fromkeys(items))}

    def note(self, clock, a, b):
        keys = self.keys("log_entry")
        if keys:
            entry = keys[a % len(keys)][1]
            note_id = self.new_id()
            fields = {"entry_id": entry, "body": f"{self.tablet.device_id} note {b}"}
            self.queue(clock, "append", "note", note_id, changes=fields)
            self.overlay[("note", str(note_id))] = fields

    def evidence(self, clock, a, b):
        keys = self.keys("log_entry")
        if keys:
            entry = keys[a % len(keys)][1]
            kind = ("care_record", "verbal_reassurance")[b % 2]
            fields = {
                "entry_id": entry,
                "type": kind,
                "location": "Night log",
                "evidence_date": "2025-03-03",
                "checked_by": str(self.tablet.author_id),
            }
            evidence_id = self.new_id()
            self.queue(clock, "append", "evidence", evidence_id, changes=fields)
            self.overlay[("evidence", str(evidence_id))] = fields

    def transition(self, clock, a, b):
        keys = self.keys("log_entry")
        if not keys:
            return
        key = keys[a % len(keys)]
        record = dict(self.view(key))
        actions = [
            name for name, (sources, _) in ENTRY_STEPS.items() if record["status"] in sources
        ]
        if not actions:
            return
        action = actions[b % len(actions)]
        self.queue(
            clock,
            "transition",
            key[0],
            key[1],
            base_version=self.version(key),
            base_values={"status": record["status"]},
            transition={"action": action, "reason": "Seen on the floor"},
        )
        self.overlay[key] = record | {"status": ENTRY_STEPS[action][1]}

    def delete(self, clock, a, b):
        keys = self.keys(*EDITS)
        if keys:
            key = keys[a % len(keys)]
            record = self.view(key)
            seen = {field: record.get(field) for field, _ in EDITS[key[0]]}
            self.queue(
                clock, "delete", key[0], key[1], base_version=self.version(key), base_values=seen
            )
            self.overlay[key] = None

    def create(self, clock, a, b):
        finding_id = self.new_id()
        fields = {
            "service_id": str(self.harness.service_id),
            "kind": "walkaround_issue",
            "area": "Lounge",
            "source": "walkaround",
            "description": TEXTS[a % 3],
            "recorded_at": (START + timedelta(minutes=clock) + self.skew).isoformat(),
        }
        self.queue(clock, "create", "finding", finding_id, changes=fields)
        self.overlay[("finding", str(finding_id))] = fields | {"risk": "low"}

    # ---- the network ------------------------------------------------------------------

    def push(self, count: int, lost: bool, trace: list):
        batch = self.outbox[:count]
        if not batch:
            return
        outcomes = apply_batch(self.harness.store, batch, self.actor, self.harness.now())
        assert len(outcomes) == len(batch)
        trace.append([o.to_dict() for o in outcomes])
        if lost:
            return  # the server applied them; the tablet never heard
        for mutation, outcome in zip(batch, outcomes, strict=True):
            assert outcome.mutation_id == mutation.mutation_id
            if isinstance(outcome, Rejected) and outcome.retry:
                continue
            first = outcome.first if isinstance(outcome, Duplicate) else outcome
            self.acked.setdefault(mutation.mutation_id, first)
            assert self.acked[mutation.mutation_id] == first
            self.outbox.remove(mutation)

    def duplicate(self, a: int, trace: list):
        done = [m for m in self.sent if m.mutation_id in self.acked]
        if done:
            mutation = done[a % len(done)]
            outcome = apply(self.harness.store, mutation, self.actor, self.harness.now())
            trace.append([outcome.to_dict()])
            assert outcome == Duplicate(mutation.mutation_id, self.acked[mutation.mutation_id])

    def pull(self, limit: int):
        while True:
            page = self.harness.pull(self.actor, self.cursor, limit)
            for change in page.changes:
                key = (change["entity_type"], change["id"])
                if change["deleted"]:
                    self.replica.pop(key, None)
                else:
                    self.replica[key] = change["record"]
            self.cursor = page.next_cursor
            if not page.has_more:
                break
        self.overlay.clear()


def seed(harness) -> None:
    """Give the service two entries, a finding and a walkaround, as the desk would."""
    desk = Tablet(harness, 0, "desk")
    service = str(harness.service_id)
    first, second = (uuid.uuid5(NS, f"entry/{n}") for n in range(2))
    extra = {
        "decision": DECISIONS[0],
        "evidence_needed": "alpha",
        "statements": [harness.statements[0]],
    }
    make_entry(harness, desk, status="in_progress", entry_id=first, **extra)
    make_entry(harness, desk, status="open", risk="high", entry_id=second, **extra)
    add_evidence(harness, desk, first, kind="audit", evidence_id=uuid.uuid5(NS, "evidence"))
    finding = {
        "service_id": service,
        "kind": "walkaround_issue",
        "area": "Lounge",
        "source": "walkaround",
        "description": "alpha",
        "recorded_at": START.isoformat(),
    }
    walkaround = {
        "service_id": service,
        "started_at": START.isoformat(),
        "areas": ["Lounge"],
        "notes": "alpha",
    }
    others = [
        desk.make("create", "finding", uuid.uuid5(NS, "finding"), changes=finding),
        desk.make("create", "walkaround", uuid.uuid5(NS, "walkaround"), changes=walkaround),
    ]
    outcomes = apply_batch(harness.store, others, desk.actor, harness.now())
    assert not any(isinstance(o, Rejected) for o in outcomes), outcomes


def run(harness, plan, skew_minutes) -> tuple[list, list[Device]]:
    """Play a scenario to the end (everything pushed, everyone pulled); return its trace."""
    seed(harness)
    devices = [Device(harness, n, skew_minutes[n]) for n in range(plan["devices"])]
    for device in devices:
        device.pull(limit=50)
    trace: list = []
    for clock, (kind, who, a, b) in enumerate(plan["steps"]):
        device = devices[who % len(devices)]
        if kind == "push":
            device.push(1 + a % 5, lost=False, trace=trace)
        elif kind == "push_lost":
            device.push(1 + a % 5, lost=True, trace=trace)
        elif kind == "dup":
            device.duplicate(a, trace)
        elif kind == "pull":
            device.pull(limit=1 + b % 4)
        else:
            getattr(device, kind)(clock, a, b)
    for device in devices:
        for _round in range(100):  # bounded: a mutation refused "retry" forever must fail
            device.push(10, lost=False, trace=trace)
    for device in devices:
        device.pull(limit=7)
    return trace, devices
