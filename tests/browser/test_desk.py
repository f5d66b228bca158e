"""The desk in Chromium: a registered manager triages a finding into a draft entry, is
refused opening it with a vague decision and closing it without evidence, and each time
reads why beside the button; the conflicts queue shows both values and settles one.
axe-core runs on every desk screen. Screenshots go to CARELOOP_SCREENSHOT_DIR if set."""

import datetime as dt
import os
import uuid
from pathlib import Path

import pytest

from tests.support.browser import Desk, check_a11y, db_query, log_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
VAGUE = "Monitor the situation"
CONCRETE = (
    "Sam Carer audits the lounge call bell log every lunchtime for two weeks "
    "and records the response times in the log"
)


def record_findings(app, floor):
    """Three findings from the floor, as if synced: a high-risk one received two days ago
    (past its escalation time), a medium-risk one and a low-risk one."""
    from server.accounts.models import User
    from server.audit.services import Actor
    from server.findings import services
    from server.providers.models import Service

    def make(db):
        carer = db.session.get(User, floor.carer["id"])
        home = db.session.get(Service, floor.service_id)

        def record(area, description, risk, **extra):
            return services.record_finding(
                Actor(carer, "sync"),
                home,
                {
                    "kind": "walkaround_issue",
                    "area": area,
                    "source": "walkaround",
                    "description": description,
                    "risk": risk,
                    "follow_up_needed": True,
                    **extra,
                },
            )

        late = record("Medication room", "Medication fridge above 8 degrees at 7am.", "high")
        late.received_at -= dt.timedelta(days=2)
        medium = record(
            "Lounge",
            "Call bell rang for six minutes before anyone answered.",
            "medium",
            action_taken="Answered it and checked on the resident.",
        )
        low = record("Dining room", "A menu board still showed yesterday's lunch.", "low")
        db.session.commit()
        return medium.id, low.id

    return db_query(app, make)


def shooter(page, tmp_path):
    out = Path(os.environ.get("CARELOOP_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)

    def shot(name):
        page.wait_for_timeout(250)
        page.screenshot(path=str(out / f"{name}.png"))

    return shot


@pytest.fixture
def desk_page(browser, server):
    ctx = browser.new_context(viewport=DESKTOP, base_url=server.url, service_workers="allow")
    ctx.set_default_timeout(10_000)
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    ctx.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def entry_row(app, entry_id):
    from server.log.models import EvidenceRef, LogEntry

    def read(db):
        entry = db.session.get(LogEntry, uuid.UUID(entry_id))
        evidence = db.session.scalars(
            db.select(EvidenceRef).where(EvidenceRef.entry_id == entry.id)
        ).all()
        return {
            "status": entry.status,
            "decision": entry.decision,
            "owner_id": entry.owner_id,
            "due_date": entry.due_date,
            "evidence_needed": entry.evidence_needed,
            "closed_by": entry.closed_by,
            "evidence": [(e.type, e.location) for e in evidence],
        }

    return db_query(app, read)


def finding_row(app, finding_id):
    from server.findings.models import Finding

    return db_query(
        app,
        lambda db: (lambda f: (f.triage_state, f.dismissed_reason, f.log_entry_id))(
            db.session.get(Finding, finding_id)
        ),
    )


def triage(page, app, floor, shot):
    """Dismiss the low-risk finding (a reason is required), turn the other into a draft."""
    high, low = record_findings(app, floor)
    page.get_by_role("link", name="Triage inbox", exact=True).click()
    page.get_by_role("heading", name="Triage inbox").wait_for()
    page.get_by_text("3 new findings to triage, 1 past the escalation time.").wait_for()
    # The high-risk finding waiting past its escalation time comes first, and says so.
    first = page.locator(".desk-finding").first
    assert "Medication fridge above 8 degrees" in first.inner_text()
    assert "Past escalation time" in first.inner_text()
    shot("21-desk-inbox")
    check_a11y(page, "the triage inbox")

    page.get_by_role("checkbox", name="A menu board still showed").check()
    page.get_by_role("button", name="Dismiss").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    summary.wait_for()
    assert "Reason for dismissing" in summary.inner_text()
    assert finding_row(app, low)[0] == "new"
    page.get_by_label("Reason for dismissing").fill("Menu board already changed by the cook.")
    page.get_by_role("button", name="Dismiss").click()
    page.get_by_role("checkbox", name="A menu board").wait_for(state="detached")
    assert finding_row(app, low)[:2] == ("dismissed", "Menu board already changed by the cook.")

    page.get_by_role("checkbox", name="Call bell rang for six minutes").check()
    concern = page.get_by_label("Concern for a new draft entry")
    assert concern.input_value() == "Call bell rang for six minutes before anyone answered."
    page.get_by_role("button", name="Create draft entry").click()
    page.get_by_role("heading", name="Draft entry").wait_for()
    entry_id = page.url.rsplit("/", 1)[1]
    state, _, linked = finding_row(app, high)
    assert (state, linked) == ("linked", uuid.UUID(entry_id))
    return entry_id


def save(page):
    """Press "Save changes" and wait until the page shows the saved version."""
    with page.expect_response(lambda r: r.request.method == "PATCH") as answer:
        page.get_by_role("button", name="Save changes").click()
    version = answer.value.json()["version"]
    page.locator(f'.desk-entry[data-version="{version}"]').wait_for()


def open_with_vague_then_reworded(page, app, floor, shot, entry_id):
    page.get_by_label("Decision", exact=True).fill(VAGUE)
    vague = page.locator("#vague-result")
    vague.get_by_text('"Monitor" does not say what will be done').wait_for()
    page.get_by_label("Owner").select_option(label="Sam Carer")
    page.get_by_label("Due date").fill((dt.date.today() + dt.timedelta(days=14)).isoformat())
    page.get_by_label("Evidence needed").fill(
        "Call bell log for two weeks, checked against the rota."
    )
    save(page)
    page.locator("main .meta").first.get_by_text("Owner: Sam Carer").wait_for()
    shot("22-desk-entry-vague")
    check_a11y(page, "a draft entry with a vague decision")

    page.get_by_role("button", name="Open entry").click()
    refusal = page.locator(".desk-actions [role=alert]")
    refusal.get_by_text("The decision is too vague to check.").wait_for()
    assert '"Monitor" does not say what will be done' in refusal.inner_text()
    assert entry_row(app, entry_id)["status"] == "draft"
    shot("23-desk-entry-refused-open")

    page.get_by_label("Decision", exact=True).fill(CONCRETE)
    vague.get_by_text("passes the vague-action check").wait_for()
    save(page)
    page.get_by_role("button", name="Open entry").click()
    page.get_by_role("heading", name="Status: Open").wait_for()
    row = entry_row(app, entry_id)
    assert row["status"] == "open" and row["decision"] == CONCRETE
    assert row["owner_id"] == floor.carer["id"]
    assert row["due_date"] == dt.date.today() + dt.timedelta(days=14)
    assert row["evidence_needed"] == "Call bell log for two weeks, checked against the rota."


def close_on_evidence(page, app, floor, shot, entry_id):
    # Later the owner marks it done from their tablet (here through the same API).
    owner = Desk(app, floor.carer)
    version = owner.get(f"/entries/{entry_id}")["version"]
    owner.post(f"/entries/{entry_id}/transitions", {"action": "mark_done", "version": version})
    page.reload()
    page.get_by_role("heading", name="Status: Done – waiting for check").wait_for()
    page.get_by_role("button", name="Close", exact=True).click()
    refusal = page.locator(".desk-actions [role=alert]")
    refusal.get_by_text(
        "Closure needs evidence from records, audits, feedback or practice checks"
    ).wait_for()
    assert entry_row(app, entry_id)["status"] == "awaiting_check"
    shot("24-desk-entry-refused-close")

    page.get_by_label("Type of evidence").select_option(label="Audit")
    page.get_by_label("Where it is kept").fill("Call bell audit, office file, week 2")
    page.get_by_role("button", name="Add evidence").click()
    page.get_by_role("region", name="Evidence", exact=True).get_by_text(
        "Call bell audit, office file, week 2"
    ).wait_for()
    page.get_by_role("button", name="Close", exact=True).click()
    page.get_by_role("heading", name="Status: Closed").wait_for()
    row = entry_row(app, entry_id)
    assert row["status"] == "closed" and row["closed_by"] == floor.manager["id"]
    assert row["evidence"] == [("audit", "Call bell audit, office file, week 2")]
    # The history tells the whole story.
    history = page.locator(".desk-timeline").inner_text()
    for words in (
        "created the entry",
        "opened it",
        "marked it done",
        "added evidence",
        "closed it",
    ):
        assert words in history
    shot("25-desk-entry-closed")
    check_a11y(page, "a closed entry")


def test_manager_triages_opens_and_closes_on_evidence(desk_page, server, floor, tmp_path):
    page, app, shot = desk_page, server.app, shooter(desk_page, tmp_path)
    log_in(page, floor.manager)
    entry_id = triage(page, app, floor, shot)
    open_with_vague_then_reworded(page, app, floor, shot, entry_id)
    close_on_evidence(page, app, floor, shot, entry_id)

    page.get_by_role("link", name="Log", exact=True).click()
    page.get_by_role("heading", name="The leadership log").wait_for()
    page.get_by_role("link", name=CONCRETE).wait_for()
    page.get_by_label("Status").select_option(label="Closed")
    page.get_by_role("button", name="Show entries").click()
    page.get_by_text("1 entry matches.").wait_for()
    assert page.locator(".desk-row").count() == 1
    page.get_by_label("Status").select_option(label="Open")
    page.get_by_role("button", name="Show entries").click()
    page.get_by_role("link", name="check call bell response times", exact=False).wait_for()
    assert page.get_by_role("link", name=CONCRETE).count() == 0
    page.get_by_role("button", name="Clear filters").click()
    page.get_by_text("Ashdown House: 2 entries.").wait_for()
    shot("26-desk-log")
    check_a11y(page, "the log")


def make_conflict(app, floor):
    """Two edits of one finding's description from a tablet, the second on a stale base."""
    carer = Desk(app, floor.carer)
    device = carer.post(
        "/sync/devices",
        {"installation_id": "desk-test-tablet", "label": "Lounge tablet", "protocol_version": 1},
    )
    device_id = device["device_id"]
    entity_id = str(uuid.uuid4())
    create = {
        "mutation_id": f"c-{entity_id[:8]}",
        "device_id": device_id,
        "seq": 1,
        "entity_type": "finding",
        "entity_id": entity_id,
        "op": "create",
        "author_id": str(floor.carer["id"]),
        "base_version": None,
        "changes": {
            "service_id": str(floor.service_id),
            "kind": "walkaround_issue",
            "area": "Lounge",
            "source": "walkaround",
            "description": "Call bell out of reach in the lounge",
            "risk": "medium",
            "follow_up_needed": True,
            "recorded_at": "2026-01-05T09:00:00+00:00",
        },
        "base_values": {},
        "device_time": "2026-01-05T09:00:00+00:00",
        "transition": None,
    }

    def edit(seq, text):
        return {
            **create,
            "mutation_id": f"e-{seq}-{entity_id[:8]}",
            "seq": seq,
            "op": "update",
            "base_version": 1,
            "changes": {"description": text},
            "base_values": {"description": "Call bell out of reach in the lounge"},
        }

    for mutation in (
        create,
        edit(2, "Call bell moved back within reach"),
        edit(3, "Call bell missing"),
    ):
        carer.post(
            "/sync/push", {"protocol_version": 1, "device_id": device_id, "mutations": [mutation]}
        )
    return uuid.UUID(entity_id)


def test_conflicts_queue_shows_both_values_and_settles_one(desk_page, server, floor):
    from server.findings.models import Finding
    from server.syncing.models import SyncConflict

    page, app = desk_page, server.app
    finding_id = make_conflict(app, floor)
    log_in(page, floor.manager)
    page.get_by_role("link", name="Conflicts").click()
    page.get_by_role("heading", name="Conflicts to resolve").wait_for()
    card = page.locator(".desk-conflict")
    kept, other = card.locator(".desk-side-kept"), card.locator(".desk-side-other")
    assert "Call bell moved back within reach" in kept.inner_text()
    assert "Call bell missing" in other.inner_text()
    assert "Sam Carer" in other.inner_text() and "Lounge tablet" in other.inner_text()
    check_a11y(page, "the conflicts queue")

    page.get_by_label("Or write a new value").fill("Call bell replaced and within reach")
    page.get_by_role("button", name="Use this new value").click()
    page.get_by_text("There are no conflicts waiting.").wait_for()
    row = db_query(
        app,
        lambda db: (
            db.session.get(Finding, finding_id).description,
            db.session.scalars(db.select(SyncConflict.status)).one(),
        ),
    )
    assert row == ("Call bell replaced and within reach", "resolved")


def test_a_stale_edit_shows_the_current_copy(desk_page, server, floor):
    from server.log.models import LogEntry

    page, app = desk_page, server.app
    log_in(page, floor.manager)
    page.goto(f"/#/desk/log/{floor.entry_id}")
    page.get_by_role("heading", name="Status: Open").wait_for()
    # Meanwhile someone else changes the entry at another desk.
    other = Desk(app, floor.manager)
    version = other.get(f"/entries/{floor.entry_id}")["version"]
    r = other.client.patch(
        f"/api/v1/entries/{floor.entry_id}",
        headers={"X-CSRF-Token": other.token},
        json={"version": version, "interim_controls": "Seniors answer bells first."},
    )
    assert r.status_code == 200, r.get_json()

    page.get_by_label("Evidence needed").fill("Call bell log, checked against the rota weekly.")
    page.get_by_role("button", name="Save changes").click()
    notice = page.get_by_role("alert").filter(has_text="Someone changed this entry")
    notice.wait_for()
    assert "Someone changed this entry; here is the current copy." in notice.inner_text()
    assert "Call bell log, checked against the rota weekly." in notice.inner_text()
    assert page.get_by_label("Interim controls").input_value() == "Seniors answer bells first."
    evidence = db_query(app, lambda db: db.session.get(LogEntry, floor.entry_id).evidence_needed)
    assert evidence == "Call bell log for the week, checked against the rota."
    check_a11y(page, "an entry after a stale edit")
