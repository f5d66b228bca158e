"""The log's filters and the entry page in Chromium: a registered manager filters by CQC
statement and by early-warning signal, the filters land in the address, and a link with
filters in the address opens the same list; the entry page shows the entry's reviews and
open conflicts, records an escalation decision, and a refused closure says why in plain
words. axe-core runs on each screen.

Screenshots go to CARELOOP_SCREENSHOT_DIR (docs/screenshots) if set."""

import datetime as dt
import os
import uuid
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.support.browser import check_a11y_from_top as check_a11y
from tests.support.browser import db_query, log_in, open_entry

pytestmark = pytest.mark.browser


def shot(page, name, tmp_path):
    out = Path(os.environ.get("CARELOOP_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(250)
    page.screenshot(path=str(out / f"{name}.png"))


def make_log(app, floor):
    """Beside the fixture's open entry: a high-risk one two days old with no escalation
    decision (tagged S1, reviewed once, with an open conflict), one tagged S2, and an old
    draft with no owner."""
    from server.accounts.models import User
    from server.audit.services import Actor
    from server.log import services as log
    from server.providers.models import Service
    from server.reviews.services import record_review
    from server.syncing.models import SyncConflict

    def make(db):
        manager = db.session.get(User, floor.manager["id"])
        home = db.session.get(Service, floor.service_id)
        urgent = log.create_draft(
            Actor(manager, "desk"),
            home,
            source="audit",
            risk="high",
            owner_id=floor.carer["id"],
            due_date=dt.date.today() + dt.timedelta(days=3),
            concern="Bed rails fitted without a risk assessment in room 12.",
            decision="Robin Manager audits the bed rail assessment of every room by Friday.",
            evidence_needed="Bed rail assessments on file.",
            statement_ids=["saf-2023:S1"],
        )
        log.transition(Actor(manager, "desk"), urgent, "open")
        urgent.created_at -= dt.timedelta(days=2)
        open_entry(
            manager,
            home,
            floor.other["id"],
            statement_ids=["saf-2023:S2"],
            concern="Agency staff not shown the fire exits.",
            decision="Alex Worker walks every agency worker to the fire exits "
            "on their first shift and records it on the induction "
            "sheet.",
            evidence_needed="Signed induction sheets.",
        )
        orphan = log.create_draft(
            Actor(manager, "desk"),
            home,
            source="walkaround",
            concern="Garden gate left unlocked at night.",
        )
        orphan.created_at -= dt.timedelta(days=3)
        record_review(
            Actor(manager, "desk"),
            home,
            kind="rm_weekly",
            outcome="assurance",
            items=[
                {
                    "entry_id": urgent.id,
                    "outcome": "further_action",
                    "comment": "Add the night staff to the assessment.",
                }
            ],
        )
        db.session.add(
            SyncConflict(
                service_id=home.id,
                mutation_id="m-bed-rails",
                entity_type="log_entry",
                entity_id=str(urgent.id),
                field="due_date",
                kept_value=str(urgent.due_date),
                other_value=str(urgent.due_date + dt.timedelta(days=7)),
                other_author=floor.carer["id"],
                other_device=str(uuid.uuid4()),
            )
        )
        db.session.commit()
        return urgent.id, orphan.id

    return db_query(app, make)


def listed(page) -> list[str]:
    page.wait_for_timeout(100)
    return page.locator(".desk-row h2").all_inner_texts()


def test_filter_by_statement_and_signal_kept_in_the_address(desk, live_app, floor, tmp_path):  # noqa: F811
    make_log(live_app, floor)
    page = desk()
    log_in(page, floor.manager)
    page.get_by_role("link", name="Log", exact=True).click()
    page.get_by_role("heading", name="The leadership log").wait_for()
    page.get_by_text("Ashdown House: 4 entries.").wait_for()
    # At 1024x768 the filters start folded away behind one button.
    page.get_by_role("button", name="Filters").click()

    page.get_by_label("CQC quality statement").select_option(label="S1 Learning culture")
    page.get_by_role("button", name="Show entries").click()
    page.get_by_text("Ashdown House: 1 entry matches.").wait_for()
    assert listed(page) == ["Robin Manager audits the bed rail assessment of every room by Friday."]
    assert "statement_id=saf-2023:S1" in unquote(page.evaluate("location.hash"))

    page.get_by_label("CQC quality statement").select_option("")
    page.get_by_label("Early-warning signal").select_option(label="No named owner")
    page.get_by_role("button", name="Show entries").click()
    page.get_by_text("Ashdown House: 1 entry matches.").wait_for()
    assert listed(page) == ["Garden gate left unlocked at night."]
    assert "signal=no_owner" in page.evaluate("location.hash")
    check_a11y(page, "the log filtered by a signal")

    page.get_by_label("Early-warning signal").select_option(
        label="High risk with no escalation decision"
    )
    page.get_by_label("Risk").select_option(label="High")
    page.get_by_role("button", name="Show entries").click()
    page.get_by_text("Ashdown House: 1 entry matches.").wait_for()
    assert listed(page) == ["Robin Manager audits the bed rail assessment of every room by Friday."]
    page.evaluate("document.querySelector('[data-field=q]').scrollIntoView(); scrollBy(0, -64)")
    shot(page, "desk-log-filters", tmp_path)

    page.get_by_role("button", name="Clear filters").click()
    page.get_by_text("Ashdown House: 4 entries.").wait_for()
    assert "signal" not in page.evaluate("location.hash")


def test_a_link_with_filters_opens_the_filtered_log(desk, live_app, floor):  # noqa: F811
    make_log(live_app, floor)
    page = desk()
    log_in(page, floor.manager)
    page.goto("/#/desk/log?signal=no_owner")
    page.get_by_role("heading", name="The leadership log").wait_for()
    page.get_by_text("Ashdown House: 1 entry matches.").wait_for()
    assert listed(page) == ["Garden gate left unlocked at night."]
    assert page.get_by_label("Early-warning signal").input_value() == "no_owner"
    page.goto("/#/desk/log?status=open&risk=medium&sort=due_date")
    page.get_by_text("Ashdown House: 2 entries match.").wait_for()
    assert page.get_by_label("Status").input_value() == "open"
    assert page.get_by_label("Order").input_value() == "due_date"


def test_entry_page_shows_reviews_conflicts_and_records_escalation(
    desk,
    live_app,
    floor,  # noqa: F811
    tmp_path,
):
    from server.log.models import LogEntry

    urgent_id, _ = make_log(live_app, floor)
    page = desk()
    log_in(page, floor.manager)
    page.goto(f"/#/desk/log/{urgent_id}")
    page.get_by_role("heading", name="Log entry").wait_for()
    reviews = page.locator("section").filter(
        has=page.get_by_role("heading", name="Reviews of this entry")
    )
    reviews.get_by_text("Add the night staff to the assessment.").wait_for()
    assert "Further action in the weekly review" in reviews.inner_text()
    conflicts = page.locator("section").filter(
        has=page.get_by_role("heading", name="Open conflicts")
    )
    conflicts.get_by_text("Due date", exact=False).wait_for()
    said = conflicts.inner_text()  # in words: who else wrote, and the value that waits
    assert "Sam Carer both changed the due date" in said and "· waiting: " in said
    assert conflicts.get_by_role("link", name="Decide it in the conflicts queue").count() == 1

    card = page.locator(".desk-escalation")
    assert (
        "No escalation decision is recorded yet. A high-risk entry needs one" in card.inner_text()
    )
    card.get_by_role("button", name="Record the decision").click()
    card.get_by_text("Escalate or not: choose one.").first.wait_for()
    card.get_by_role("radio", name="Escalate to provider level").check()
    card.get_by_label("Why").fill("Bed rails are an entrapment risk: the provider must know today.")
    card.get_by_role("button", name="Record the decision").click()
    card.get_by_text("Escalated to provider level", exact=True).wait_for()
    assert "recorded by Robin Manager (you)" in card.inner_text()
    assert "Why: Bed rails are an entrapment risk" in card.inner_text()
    check_a11y(page, "the entry page")
    page.evaluate(
        "document.getElementById('toast').classList.remove('show');"
        "document.querySelector('.desk-escalation').scrollIntoView(); scrollBy(0, -64)"
    )
    shot(page, "desk-entry", tmp_path)

    # Closing is refused in plain words until there is evidence.
    page.get_by_role("button", name="Mark done").click()
    page.get_by_role("button", name="Close").wait_for()
    page.get_by_role("button", name="Close").click()
    page.locator(".desk-refusal").get_by_text(
        "Closure needs evidence from records, audits, feedback or practice checks.", exact=False
    ).wait_for()

    def stored(db):
        entry = db.session.get(LogEntry, urgent_id)
        return entry.escalation_decision, entry.escalated, entry.escalation_by, entry.status

    assert db_query(live_app, stored) == ("escalated", True, floor.manager["id"], "awaiting_check")
