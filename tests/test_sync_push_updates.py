"""The push's bulk path for plain finding updates: the same outcomes, rows and audit events as
one update_finding per mutation, the version checked on every row, and a whole run that
cannot be written together falls back to one by one."""

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from server.audit.models import AuditEvent
from server.audit.services import Actor
from server.extensions import db
from server.findings.checks import NO_FULL_NAMES
from server.findings.models import Finding
from server.findings.services import record_finding
from server.findings.writes import update_findings
from server.syncing.store import SqlStore
from sync import store as port
from sync.store import Change, WriteContext
from tests.support.sync_api import COMPARED_EVENT, push, register

pytestmark = pytest.mark.db

BASE = {
    "kind": "walkaround_issue",
    "area": "Lounge",
    "source": "walkaround",
    "description": "Call bell out of reach",
    "risk": "medium",
}
# name: (who recorded it, triaged?, changes, base values, how many times edited before)
CASES = {
    "plain edit": ("carer", False, {"description": "Call bell moved"}, None, 0),
    "two fields": ("carer", False, {"risk": "high", "follow_up_needed": True}, None, 0),
    "merged on a newer copy": ("carer", False, {"description": "Bell fixed"}, None, 1),
    "not an area": ("carer", False, {"area": "Attic"}, None, 0),
    "a full name": ("carer", False, {"people_involved": "Margaret Thompson"}, None, 0),
    "someone else's": ("manager", False, {"description": "Not mine"}, None, 0),
    "already triaged": ("carer", True, {"description": "Too late"}, None, 0),
    "unchanged value": ("carer", False, {"description": BASE["description"]}, None, 0),
    "feedback question": ("carer", False, {"question_id": "Q2"}, None, 0),
}


def _findings(world, who: dict) -> dict[str, Finding]:
    made = {}
    questions = list(world.home.questions())
    for name, (author, triaged, _, _, edits) in CASES.items():
        data = dict(BASE)
        if name == "feedback question":
            data = {
                **BASE,
                "kind": "feedback",
                "source": "feedback",
                "respondent_type": "relative",
                "question_id": questions[0],
                "answer": "Yes",
                "sentiment": "positive",
            }
        finding = record_finding(Actor(who[author], "desk"), world.home, data)
        for _ in range(edits):
            finding.action_taken += "Checked. "
            db.session.flush()
        if triaged:
            finding.triage_state = "triaged"
        made[name] = finding
    db.session.commit()
    return made


def _updates(device: str, carer, findings: dict, questions: list) -> list[dict]:
    out = []
    for seq, (name, (_, _, changes, _, _)) in enumerate(CASES.items(), start=1):
        finding = findings[name]
        if name == "feedback question":
            changes = {"question_id": questions[1]}
        out.append(
            {
                "mutation_id": f"u-{seq}-{finding.id}",
                "device_id": device,
                "seq": seq,
                "entity_type": "finding",
                "entity_id": str(finding.id),
                "op": "update",
                "author_id": str(carer.id),
                "base_version": 1,
                "changes": changes,
                "base_values": {
                    k: getattr(finding, k) if k != "question_id" else questions[0] for k in changes
                },
                "device_time": None,
                "transition": None,
            }
        )
    return out


def _state(findings: dict, results: list, device: str) -> tuple:
    db.session.expire_all()
    rows, events = {}, {}
    skip = ("id", "change_seq", "recorded_at", "received_at")
    for name, finding in findings.items():
        row = db.session.get(Finding, finding.id)
        rows[name] = {
            c.key: getattr(row, c.key) for c in Finding.__table__.columns if c.key not in skip
        }
        events[name] = [
            {k: getattr(e, k) for k in COMPARED_EVENT if k != "mutation_id"}
            | {"device_id": e.device_id == device, "mutation": e.mutation_id.startswith("u-")}
            for e in db.session.scalars(
                db.select(AuditEvent).where(
                    AuditEvent.entity_id == str(finding.id), AuditEvent.action == "update"
                )
            )
        ]
    outcomes = [
        {k: v for k, v in r.items() if k not in ("mutation_id", "entity_id")} for r in results
    ]
    return outcomes, rows, events


def _push_all(client, world, login, monkeypatch, together: bool):
    carer, manager = world.users["senior_carer"], world.users["registered_manager"]
    findings = _findings(world, {"carer": carer, "manager": manager})
    login(carer)
    device = register(client, f"tablet-{together}")
    seen = []
    if together:
        update_findings = SqlStore._update_findings

        def spy(store, changes):  # counts what really went the bulk way
            written = update_findings(store, changes)
            seen.extend(written)
            return written

        monkeypatch.setattr(SqlStore, "_update_findings", spy)
    else:

        def refuse(store, changes):  # a run is never written together: one by one, then
            raise port.StaleWrite("one by one")

        monkeypatch.setattr(SqlStore, "_update_findings", refuse)
    questions = list(world.home.questions())
    results = push(client, device, _updates(device, carer, findings, questions))
    monkeypatch.undo()
    # The first five are written together. Those the pushing user may not change (someone
    # else's, already triaged) are refused before any run, and "unchanged value" has
    # nothing to write: each goes alone, and so does "feedback question", a run of one.
    assert len(seen) == (5 if together else 0)
    return _state(findings, results.get_json()["results"], device)


def test_bulk_updates_give_the_outcomes_rows_and_events_of_one_by_one(
    client, world, login, monkeypatch
):
    one_by_one = _push_all(client, world, login, monkeypatch, together=False)
    together = _push_all(client, world, login, monkeypatch, together=True)

    assert together == one_by_one
    statuses = [o["status"] for o in together[0]]
    assert statuses == [
        "applied",
        "applied",
        "merged",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "applied",
        "applied",
    ]
    assert together[0][3]["fields"] == {
        "changes.area": "Attic is not one of this service's areas or routines."
    }
    assert together[0][4]["fields"] == {"changes.people_involved": NO_FULL_NAMES}
    assert together[0][0]["version"] == 2 and together[0][7]["version"] == 1
    rows, events = together[1], together[2]
    assert rows["plain edit"]["description"] == "Call bell moved"
    assert (
        rows["feedback question"]["question"]
        == world.home.questions()[rows["feedback question"]["question_id"]]
    )
    assert events["unchanged value"] == [] and events["not an area"] == []
    assert set(events["feedback question"][0]["changes"]) == {"question_id", "question"}


def _one(world) -> tuple:
    carer = world.users["senior_carer"]
    finding = record_finding(Actor(carer, "sync"), world.home, dict(BASE))
    db.session.commit()
    device = str(uuid.uuid4())
    return carer, finding, device


def test_a_row_whose_version_moved_is_not_written_and_the_run_rolls_back(world):
    carer, finding, device = _one(world)
    other = record_finding(Actor(carer, "sync"), world.home, dict(BASE))
    db.session.commit()
    store = SqlStore(carer)
    read = store.read("finding", [finding.id, other.id])
    assert {i: r["version"] for i, r in read.items()} == {finding.id: 1, other.id: 1}
    # Another writer's change, behind the loaded copy's back (the ORM still holds version 1).
    db.session.execute(
        text("UPDATE finding SET version = 2, description = 'Moved on' WHERE change_seq = :seq"),
        {"seq": finding.change_seq},
    )
    ctx = WriteContext(actor=Actor(carer, "sync", device), now=finding.received_at)
    with pytest.raises(port.StaleWrite), store.unit():
        store.write(
            [
                Change("update", "finding", other.id, ctx, {"description": "Mine too"}, 1),
                Change("update", "finding", finding.id, ctx, {"description": "Mine"}, 1),
            ]
        )

    assert (finding.version, finding.description) == (2, "Moved on")  # read again
    assert (other.version, other.description) == (1, BASE["description"])  # nor the other
    assert db.session.scalars(
        db.select(AuditEvent.action).where(
            AuditEvent.entity_id.in_([str(finding.id), str(other.id)])
        )
    ).all() == ["create", "create"]


def test_update_findings_checks_each_rows_version(world):
    carer, finding, _ = _one(world)
    set_committed_value(finding, "version", 5)  # not the row's: nothing may be written
    change = {"description": "Mine", "risk": "medium"}
    with pytest.raises(StaleDataError), db.session.begin_nested():
        update_findings([(Actor(carer, "sync"), finding, 5, change)])
    db.session.rollback()
    row = db.session.get(Finding, finding.id)
    assert (row.version, row.description) == (1, BASE["description"])
