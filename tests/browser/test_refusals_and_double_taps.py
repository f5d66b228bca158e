"""Issue 15, points 3 and 4: a refusal is never lost, and one save is one record. The form is
checked against the server's JSON Schema before saving, also offline; a refusal that still
reaches the tablet reopens the form, prefilled, with the office's words beside the field, and
is sent again as the same record; discarding asks first; a double tap saves once.
Set CARELOOP_SCREENSHOT_DIR (``make screenshots``) to keep refusal-*.png in docs/screenshots."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.browser import (
    check_a11y,
    db_query,
    go_offline,
    log_in,
    sync_now,
    wait_for_service_worker,
)

pytestmark = pytest.mark.browser

OUTBOX = """async (userId) => {
  const outbox = await import('/js/outbox.js');
  return (await outbox.listOutbox(userId)).map((i) => ({ state: i.state, mutation: i.mutation }));
}"""

SCHEMA_KEPT = """async (serviceId) => {
  const db = await import('/js/db.js');
  return Boolean(await db.getMeta(`schema:finding:${serviceId}`));
}"""


def fill_finding(page, seen, people):
    page.get_by_label("Area or routine").select_option("Lounge")
    page.get_by_label("What did you see?").fill(seen)
    page.get_by_role("group", name="Risk").get_by_text("Medium", exact=True).click()
    page.get_by_role("group", name="Is follow-up needed?").get_by_text("No", exact=True).click()
    page.get_by_label("People supported involved").fill(people)


def findings(server, seen):
    from server.findings.models import Finding

    def rows(db):
        found = db.session.scalars(db.select(Finding).where(Finding.description == seen)).all()
        return [(str(f.id), f.people_involved) for f in found]

    return db_query(server.app, rows)


def test_a_double_tap_on_save_makes_one_finding(page, server, floor):
    seen = "Hoist sling left on the floor of the lounge."
    log_in(page, floor.carer)
    fill_finding(page, seen, "R-1042")
    page.get_by_role("button", name="Save finding").dblclick()
    expect(page.get_by_label("What did you see?")).to_have_value("")
    assert sync_now(page)["waiting"] == 0
    assert len(findings(server, seen)) == 1


def test_a_repeat_of_one_submission_is_queued_once(page, floor):
    """The outbox keeps a mutation once however often the same submission is saved."""
    log_in(page, floor.carer)
    queued = page.evaluate(
        """async ([user, serviceId]) => {
          const outbox = await import('/js/outbox.js');
          const mutation = { mutation_id: crypto.randomUUID(), entity_type: 'finding',
            entity_id: crypto.randomUUID(), op: 'create', changes: { service_id: serviceId } };
          const first = await outbox.queueChange(user, mutation);
          const again = await outbox.queueChange(user, { ...mutation });
          return [again.mutation.seq === first.mutation.seq, (await outbox.listOutbox(user.id)).length];
        }""",
        [{"id": str(floor.carer["id"])}, str(floor.service_id)],
    )
    assert queued == [True, 1]


def test_a_full_name_is_refused_beside_the_field_before_saving_even_offline(
    page, context, server, floor
):
    log_in(page, floor.carer)
    page.get_by_role("heading", name="Record a walkaround finding").wait_for()
    page.wait_for_function(SCHEMA_KEPT, arg=str(floor.service_id), polling=100)
    wait_for_service_worker(page)
    go_offline(context, server)
    page.reload()  # a fresh start with no signal: the kept schema and the cached worker
    page.get_by_role("heading", name="Record a walkaround finding").wait_for()
    fill_finding(page, "Found a resident on the floor by the bed.", "Mary Jones, room 4")
    page.get_by_role("button", name="Save finding").click()
    field = page.locator('[data-field="people_involved"]')
    expect(field.locator(".field-error")).to_have_text(
        "Error: Use record references or initials only (for example R-1042 or J.S.), "
        "never a full name."
    )
    expect(page.get_by_role("alert")).to_contain_text("never a full name")
    assert page.evaluate(OUTBOX, str(floor.carer["id"])) == []
    check_a11y(page, "a capture form refusing a full name")


def test_a_refused_finding_is_fixed_in_its_form_and_sent_again_as_the_same_record(
    page, server, floor, tmp_path
):
    out = Path(os.environ.get("CARELOOP_SCREENSHOT_DIR") or tmp_path)
    seen = "Zoë was left in the lounge without her frame."
    log_in(page, floor.carer)
    # A name the schema's pattern cannot see (accents), which the server's rule refuses.
    fill_finding(page, seen, "Zoë Ångström")
    page.get_by_role("button", name="Save finding").click()
    expect(page.get_by_label("What did you see?")).to_have_value("")
    [refused] = page.evaluate(OUTBOX, str(floor.carer["id"]))
    sync_now(page)
    strip = page.locator("#status-strip")
    strip.filter(has_text="1 needs attention").wait_for()
    assert findings(server, seen) == []

    strip.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text(
        "Reason: Use a record reference or initials (for example R-1042 or JS), not a full name."
    ).wait_for()
    dialog.get_by_text("To change: People supported involved").wait_for()
    assert "people_involved" not in dialog.inner_text()
    page.screenshot(path=str(out / "refusal-dialog.png"))
    dialog.get_by_role("link", name="Fix and send again").click()

    page.get_by_role("heading", name="Fix and send again: walkaround finding").wait_for()
    page.get_by_role("heading", name="The office did not accept this").wait_for()
    expect(page.get_by_label("What did you see?")).to_have_value(seen)
    people = page.get_by_label("People supported involved")
    expect(people).to_have_value("Zoë Ångström")
    expect(page.locator('[data-field="people_involved"] .field-error')).to_have_text(
        "Error: Use a record reference or initials (for example R-1042 or JS), not a full name."
    )
    check_a11y(page, "a refused finding reopened")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(out / "refusal-reopened.png"), full_page=True)
    # Discarding asks first; "No" keeps it.
    page.get_by_role("button", name="Discard…").click()
    page.get_by_text("Discard this for good?").wait_for()
    page.get_by_role("button", name="No, keep it").click()

    people.fill("Z.A.")
    page.get_by_role("button", name="Send again").click()
    page.get_by_role("heading", name="What I recorded").wait_for()
    assert sync_now(page)["rejected"] == 0
    assert findings(server, seen) == [(refused["mutation"]["entity_id"], "Z.A.")]
    assert "attention" not in strip.inner_text()


REFUSED_NOTE = """async ([userId, entryId]) => {
  const { getDB } = await import('/js/db.js');
  const outbox = await import('/js/outbox.js');
  const id = crypto.randomUUID();
  const mutation = { entity_type: 'note', entity_id: id, op: 'append',
    changes: { entry_id: entryId, body: 'Checked the call bell log at lunch and tea.' } };
  await outbox.queueChange({ id: userId }, mutation);
  // As an older release would hold it: refused, in the server's own words.
  const db = await getDB();
  const [item] = await db.getAllFromIndex('outbox', 'byUser', userId);
  await db.put('outbox', { ...item, state: outbox.REJECTED, result: {
    status: 'rejected', code: 'invalid', retry: false, mutation_id: item.mutation.mutation_id,
    reason: 'Please check these fields: changes.body.',
    fields: { 'changes.body': 'Longer than maximum length 40.' } } });
  return [item.key, id];
}"""


def test_a_refused_note_reopens_in_its_form_and_is_sent_again_as_the_same_note(page, server, floor):
    from server.log.models import Note

    log_in(page, floor.carer)
    key, note_id = page.evaluate(REFUSED_NOTE, [str(floor.carer["id"]), str(floor.entry_id)])
    page.goto(f"{server.url}/#/refused/{key}")
    body = page.get_by_label("Note", exact=True)
    expect(body).to_have_value("Checked the call bell log at lunch and tea.")
    expect(page.locator('[data-field="body"] .field-error')).to_have_text(
        "Error: Keep this to 40 characters or fewer."
    )
    assert "changes.body" not in page.locator("#main").inner_text()
    body.fill("Checked the call bell log.")
    page.get_by_role("button", name="Send again").click()
    page.get_by_text("Checked the call bell log.").wait_for()
    assert sync_now(page)["rejected"] == 0

    def notes(db):
        return [(str(n.id), n.body) for n in db.session.scalars(db.select(Note)).all()]

    assert (note_id, "Checked the call bell log.") in db_query(server.app, notes)


def test_a_kept_schema_never_blocks_an_area_added_since(page, context, server, floor):
    from server.providers.models import Service

    log_in(page, floor.carer)
    page.wait_for_function(SCHEMA_KEPT, arg=str(floor.service_id), polling=100)

    def add_area(db):
        service = db.session.get(Service, floor.service_id)
        service.areas = [*service.areas, "Sensory room"]
        db.session.commit()

    db_query(server.app, add_area)
    sync_now(page)  # the tablet's copy of the service now has it; its kept schema does not
    go_offline(context, server)
    page.get_by_role("link", name="Feedback").click()
    page.get_by_role("link", name="Finding", exact=True).click()
    page.get_by_label("Area or routine").select_option("Sensory room")
    page.get_by_label("What did you see?").fill("Lights in the sensory room left flashing.")
    page.get_by_role("group", name="Risk").get_by_text("Low", exact=True).click()
    page.get_by_role("group", name="Is follow-up needed?").get_by_text("No", exact=True).click()
    page.get_by_role("button", name="Save finding").click()
    expect(page.get_by_label("What did you see?")).to_have_value("")
    [queued] = page.evaluate(OUTBOX, str(floor.carer["id"]))
    assert queued["mutation"]["changes"]["area"] == "Sensory room"


WORDS = """async () => {
  const v = await import('/js/validation.js');
  return {
    explained: [
      v.explain({ keyword: 'required', instancePath: '', params: { missingProperty: 'area' } }),
      v.explain({ keyword: 'maxLength', instancePath: '/description', params: { limit: 4000 } }),
      v.explain({ keyword: 'enum', instancePath: '/area', params: {} }),
      v.explain({ keyword: 'not', instancePath: '/people_involved', params: {} }),
      v.explain({ keyword: 'format', instancePath: '/evidence_date', params: { format: 'date' } }),
    ],
    plain: v.plain({ 'changes.body': 'Longer than maximum length 4000.',
      'changes.statements.1': 'Missing data for required field.',
      'changes.area': "Garden is not one of this service's areas or routines." }),
    labels: [v.label('people_involved'), v.label('base_values.status')],
  };
}"""


def test_the_schemas_and_the_offices_words_become_plain_sentences(page, floor):
    log_in(page, floor.carer)
    words = page.evaluate(WORDS)
    assert words["explained"] == [
        ["area", "This is needed."],
        ["description", "Keep this to 4000 characters or fewer."],
        ["area", "Choose one of this service's areas or routines."],
        [
            "people_involved",
            "Use record references or initials only (for example R-1042 or J.S.), "
            "never a full name.",
        ],
        ["evidence_date", "Give a real date."],
    ]
    assert words["plain"] == {
        "body": "Keep this to 4000 characters or fewer.",
        "statements": "This is needed.",
        "area": "Garden is not one of this service's areas or routines.",
    }
    assert words["labels"] == ["People supported involved", "A detail of this record"]


def test_refused_feedback_reopens_in_the_feedback_form_and_is_sent_again(page, server, floor):
    said = "The tea came cold again and nobody asked what Zoë wanted."
    log_in(page, floor.carer)
    page.get_by_role("link", name="Feedback").click()
    page.get_by_role("group", name="Who gave the feedback?").get_by_text(
        "Relative or friend"
    ).click()
    page.get_by_label("What they said").fill(said)
    page.get_by_role("group", name="How did it sound overall?").get_by_text("Negative").click()
    page.get_by_label("Area or routine").select_option("Lounge")
    page.get_by_role("group", name="Is follow-up needed?").get_by_text("Yes", exact=True).click()
    # A name the schema's pattern cannot see (accents), which the server's rule refuses.
    page.get_by_role("textbox", name="Person supported").fill("Zoë Ångström")
    page.get_by_role("button", name="Save feedback").click()
    page.get_by_role("status").filter(has_text="Feedback saved.").wait_for()
    [refused] = page.evaluate(OUTBOX, str(floor.carer["id"]))
    sync_now(page)
    strip = page.locator("#status-strip")
    strip.filter(has_text="1 needs attention").wait_for()

    strip.click()
    page.get_by_role("dialog").get_by_role("link", name="Fix and send again").click()
    page.get_by_role("heading", name="Fix and send again: feedback").wait_for()
    expect(page.get_by_label("What they said")).to_have_value(said)
    people = page.get_by_role("textbox", name="Person supported")
    expect(people).to_have_value("Zoë Ångström")
    people.fill("Z.A.")
    page.get_by_role("button", name="Send again").click()
    page.get_by_role("heading", name="What I recorded").wait_for()
    assert sync_now(page)["rejected"] == 0

    from server.findings.models import Finding

    rows = db_query(
        server.app,
        lambda db: [
            (str(f.id), f.answer, f.people_involved) for f in db.session.scalars(db.select(Finding))
        ],
    )
    assert rows == [(refused["mutation"]["entity_id"], said, "Z.A.")]
