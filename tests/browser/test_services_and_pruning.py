"""A user with roles in two services records in the one they pick (its areas, routines and
questions, and its service_id in the database); and the tablet prunes copies that age out of
the pull's time windows (docs/sync-protocol.md section 7), never touching unsent work."""

import datetime as dt
import json
import uuid

import pytest
from playwright.sync_api import expect

from tests.support.browser import check_a11y, db_query, log_in, open_entry, record_finding, sync_now

pytestmark = pytest.mark.browser

LODGE_QUESTIONS = [
    {
        "id": "lodge-privacy",
        "name": "Privacy and dignity",
        "questions": [{"id": "lodge-1", "text": "Do staff knock before they come into your room?"}],
    }
]


def add_second_service(floor):
    """Birch Lodge, with its own areas and questions; the carer also works there."""

    def make(db):
        from seed import factories as f
        from server.accounts.models import Membership, User
        from server.providers.models import Provider

        lodge = f.make_service(
            db.session.get(Provider, floor.provider_id),
            "Birch Lodge",
            areas=["Sensory room", "Conservatory"],
            routines=["Day centre trip"],
            question_sets=LODGE_QUESTIONS,
        )
        carer = db.session.get(User, floor.carer["id"])
        carer.memberships.append(Membership(service_id=lodge.id, role="senior_carer"))
        db.session.commit()
        return lodge.id

    return db_query(floor.app, make)


def options_of(page, label):
    return page.get_by_label(label).locator("option").all_inner_texts()


def test_the_form_follows_the_chosen_service(page, server, floor):
    from server.findings.models import Finding

    floor.app = server.app
    lodge_id = add_second_service(floor)
    log_in(page, floor.carer)
    service = page.get_by_label("Service", exact=True)
    expect(service.locator("option:checked")).to_have_text("Ashdown House")
    assert "Lounge" in options_of(page, "Area or routine")

    service.select_option(label="Birch Lodge")
    areas = options_of(page, "Area or routine")
    assert "Sensory room" in areas and "Day centre trip" in areas and "Lounge" not in areas
    check_a11y(page, "the finding form with two services")
    record_finding(page, "Sensory room", "Sensory lights left on all night.", "Low", "No")
    # The next finding starts in the same service, with its list.
    expect(service.locator("option:checked")).to_have_text("Birch Lodge")
    assert "Sensory room" in options_of(page, "Area or routine")

    # A half-typed form comes back on its own service after a reload.
    page.get_by_label("Area or routine").select_option("Conservatory")
    page.get_by_label("What did you see?").fill("Door to the garden propped open")
    page.wait_for_timeout(400)
    page.reload()
    page.get_by_role("heading", name="Record a walkaround finding").wait_for()
    expect(page.get_by_label("Service", exact=True).locator("option:checked")).to_have_text(
        "Birch Lodge"
    )
    expect(page.get_by_label("Area or routine")).to_have_value("Conservatory")
    page.get_by_role("button", name="Clear form").click()

    page.get_by_role("link", name="Feedback").click()
    page.get_by_role("heading", name="Record feedback").wait_for()
    assert "Did you see a senior member of staff during the busy times today?" in options_of(
        page, "Question asked"
    )
    page.get_by_label("Service", exact=True).select_option(label="Birch Lodge")
    questions = options_of(page, "Question asked")
    assert "Do staff knock before they come into your room?" in questions
    assert "Did you see a senior member of staff during the busy times today?" not in questions
    page.get_by_role("group", name="Who gave the feedback?").get_by_text("Relative").click()
    page.get_by_label("Question asked").select_option("lodge-1")
    page.get_by_label("What they said").fill("Always, and they wait for an answer.")
    page.get_by_role("group", name="How did it sound overall?").get_by_text("Positive").click()
    page.get_by_label("Area or routine").select_option("Day centre trip")
    page.get_by_role("group", name="Is follow-up needed?").get_by_text("No", exact=True).click()
    page.get_by_role("button", name="Save feedback").click()
    page.get_by_role("status").filter(has_text="Feedback saved.").wait_for()
    assert sync_now(page)["waiting"] == 0

    rows = db_query(
        server.app,
        lambda db: [
            (f.service_id, f.area, f.kind, f.question_id)
            for f in db.session.scalars(db.select(Finding).order_by(Finding.area))
        ],
    )
    assert rows == [
        (lodge_id, "Day centre trip", "feedback", "lodge-1"),
        (lodge_id, "Sensory room", "walkaround_issue", None),
    ]


def finding(db, floor, description, **fields):
    from server.common.types import utcnow
    from server.findings.models import Finding

    row = Finding(
        id=uuid.uuid4(),
        service_id=floor.service_id,
        kind="walkaround_issue",
        area="Lounge",
        source="walkaround",
        description=description,
        risk="low",
        recorded_by=floor.carer["id"],
        recorded_at=utcnow(),
        **fields,
    )
    db.session.add(row)
    return row


def make_records(floor):
    """Findings, a walkaround and entries for the carer's tablet; returns their ids by name."""

    def make(db):
        from server.accounts.models import User
        from server.audit.services import Actor
        from server.common.types import utcnow
        from server.findings.models import Walkaround
        from server.log import services as log
        from server.providers.models import Service

        home = db.session.get(Service, floor.service_id)
        manager = db.session.get(User, floor.manager["id"])
        entries = {}
        for name in ("other", "linked", "recent"):
            entries[name] = open_entry(
                manager,
                home,
                floor.other["id"],
                concern=f"The {name} concern about the lounge.",
                decision=f"Alex Worker to check the {name} lounge rota daily for a week.",
                evidence_needed="The lounge rota for the week.",
            )
        log.add_note(Actor(manager, "desk"), entries["other"], "Rota checked on Monday.")
        ids = {f"entry_{k}": v.id for k, v in entries.items()}
        ids["entry_mine"] = floor.entry_id
        ids["finding_new"] = finding(db, floor, "New finding in the lounge.").id
        ids["finding_old"] = finding(db, floor, "Old finding in the lounge.").id
        ids["finding_kept"] = finding(db, floor, "Old finding with an unsent change.").id
        ids["finding_linked"] = finding(
            db, floor, "Old finding that became an entry.", log_entry_id=entries["linked"].id
        ).id
        walk = Walkaround(
            id=uuid.uuid4(),
            service_id=floor.service_id,
            conducted_by=floor.carer["id"],
            started_at=utcnow(),
        )
        db.session.add(walk)
        ids["walkaround_old"] = walk.id
        db.session.commit()
        return {k: str(v) for k, v in ids.items()}

    return db_query(floor.app, make)


def age(floor, page, model, entity_type, field, ids, days):
    """Move ``field`` of records ``days`` into the past in the database and on the tablet, as
    if that much time had passed since the tablet pulled them."""
    when = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)

    def move(db):
        # A bulk UPDATE: no new change sequence, just as time passing sends nothing.
        db.session.execute(
            db.update(model)
            .where(model.id.in_([uuid.UUID(i) for i in ids]))
            .values(**{field: when})
        )
        db.session.commit()

    db_query(floor.app, move)
    page.evaluate(
        """async ([userId, type, field, ids, iso]) => {
      const { getDB } = await import('/js/db.js');
      const db = await getDB();
      for (const id of ids) {
        const r = await db.get('records', [userId, type, id]);
        await db.put('records', { ...r, [field]: iso });
      }
    }""",
        [floor.carer["id_str"], entity_type, field, ids, when.isoformat()],
    )


HELD = """async (userId) => {
  const db = await import('/js/db.js');
  const out = {};
  for (const type of ['finding', 'walkaround', 'log_entry', 'note']) {
    out[type] = (await db.listRecords(userId, type)).map((r) => r.id).sort();
  }
  return out;
}"""

QUEUE_EDIT = """async ([user, id]) => {
  const db = await import('/js/db.js');
  const outbox = await import('/js/outbox.js');
  const r = await db.getRecord(user.id, 'finding', id);
  await outbox.queueChange(user, {
    entity_type: 'finding', entity_id: id, op: 'update', base_version: r.version,
    changes: { action_taken: 'Spoke to the night staff.' },
    base_values: { action_taken: r.action_taken },
  }, { record: { ...r, action_taken: 'Spoke to the night staff.', _server: r } });
}"""


def test_the_tablet_prunes_copies_that_age_out_of_the_windows(page, server, floor):
    from server.findings.models import Finding, Walkaround
    from server.log.models import LogEntry

    floor.app = server.app
    floor.carer["id_str"] = str(floor.carer["id"])
    ids = make_records(floor)
    log_in(page, floor.carer)
    held = page.evaluate(HELD, floor.carer["id_str"])
    assert held["finding"] == sorted(ids[k] for k in ids if k.startswith("finding_"))
    assert held["walkaround"] == [ids["walkaround_old"]]
    assert held["log_entry"] == sorted(ids[k] for k in ids if k.startswith("entry_"))
    assert len(held["note"]) == 1

    old_findings = [ids["finding_old"], ids["finding_kept"], ids["finding_linked"]]
    age(floor, page, Finding, "finding", "received_at", old_findings, 29)
    age(floor, page, Walkaround, "walkaround", "received_at", [ids["walkaround_old"]], 29)
    old_entries = [ids["entry_other"], ids["entry_linked"], ids["entry_mine"]]
    age(floor, page, LogEntry, "log_entry", "updated_at", old_entries, 15)

    # An unsent change to an old finding: the server answers the push with nothing, so it
    # is still waiting when the pull (and the pruning after it) runs.
    user = page.evaluate("async () => (await import('/js/session.js')).current()")
    page.evaluate(QUEUE_EDIT, [user, ids["finding_kept"]])
    page.route(
        "**/api/v1/sync/push",
        lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps({"results": []})
        ),
    )
    state = sync_now(page)
    assert state["problem"] is None and state["waiting"] == 1

    held = page.evaluate(HELD, floor.carer["id_str"])
    assert held["finding"] == sorted([ids["finding_new"], ids["finding_kept"]])
    assert held["walkaround"] == []
    assert held["log_entry"] == sorted(
        [ids["entry_mine"], ids["entry_linked"], ids["entry_recent"]]
    )
    assert held["note"] == []
    page.get_by_role("link", name="Recorded").click()
    page.get_by_text("New finding in the lounge.").wait_for()
    expect(page.get_by_text("Old finding with an unsent change.")).to_be_visible()
    assert page.get_by_text("Old finding in the lounge.").count() == 0
    page.get_by_role("link", name="My actions").click()
    page.get_by_role("link", name="check call bell response times", exact=False).wait_for()

    # Once the change is sent, nothing holds the old finding on the tablet any more.
    page.unroute("**/api/v1/sync/push")
    assert sync_now(page)["waiting"] == 0
    held = page.evaluate(HELD, floor.carer["id_str"])
    assert held["finding"] == [ids["finding_new"]]
    # The entry made from the carer's old finding stays, though the finding has gone.
    assert held["log_entry"] == sorted(
        [ids["entry_mine"], ids["entry_linked"], ids["entry_recent"]]
    )
    taken = db_query(
        server.app,
        lambda db: db.session.get(Finding, uuid.UUID(ids["finding_kept"])).action_taken,
    )
    assert taken == "Spoke to the night staff."
