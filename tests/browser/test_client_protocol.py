"""The app speaking the sync protocol to the real server: what a push carries, "My actions"
updates landing in the database, scenario (c) a rejected mutation told with its reason and
kept in view, and the pull (tombstones, the scope of services, a `resync` from 0)."""

import pytest

from tests.support.browser import (
    check_a11y,
    db_query,
    drop_area,
    go_offline,
    go_online,
    log_in,
    open_entry,
    record_finding,
    sync_now,
)

pytestmark = pytest.mark.browser

SET_CURSOR = """async (userId) => {
  const db = await import('/js/db.js');
  await db.updateUser(userId, { cursor: 1000000000 });
}"""


def pushes_of(page) -> list:
    bodies = []
    page.on(
        "request",
        lambda r: bodies.append(r.post_data_json) if r.url.endswith("/api/v1/sync/push") else None,
    )
    return bodies


def test_push_carries_the_protocol_and_my_action_updates_land(page, context, server, floor):
    from server.log.models import EvidenceRef, LogEntry, Note
    from server.syncing.models import Device

    pushes = pushes_of(page)
    log_in(page, floor.carer)
    record_finding(page, "Lounge", "Call bell rang for six minutes.", "High", "Yes")
    page.get_by_role("link", name="My actions").click()
    check_a11y(page, "my actions")
    page.get_by_role("link", name="check call bell response times", exact=False).click()
    page.get_by_label("Note", exact=True).fill("Checked the log at lunch on Monday.")
    page.get_by_role("button", name="Add note").click()
    page.get_by_text("Checked the log at lunch on Monday.").wait_for()
    page.get_by_label("Type of evidence").select_option("care_record")
    page.get_by_label("Where it is kept").fill("Call bell log, week 12")
    page.get_by_role("button", name="Add evidence").click()
    page.get_by_text("Care record: Call bell log, week 12").wait_for()
    page.get_by_label("What was done").fill("Daily checks done for a week.")
    page.get_by_role("button", name="Mark done for checking").click()
    page.get_by_text("Done – waiting for check").wait_for()
    assert sync_now(page)["waiting"] == 0

    entry_id = floor.entry_id

    def stored(db):
        entry = db.session.get(LogEntry, entry_id)
        notes = db.session.scalars(db.select(Note.body).where(Note.entry_id == entry_id)).all()
        evidence = db.session.scalars(
            db.select(EvidenceRef.location).where(EvidenceRef.entry_id == entry_id)
        ).all()
        devices = db.session.scalars(db.select(Device.id)).all()
        return entry.status, notes, evidence, [str(d) for d in devices]

    status, notes, evidence, devices = db_query(server.app, stored)
    assert (status, notes, evidence) == (
        "awaiting_check",
        ["Checked the log at lunch on Monday."],
        ["Call bell log, week 12"],
    )
    mutations = [m for body in pushes for m in body["mutations"]]
    assert [(m["entity_type"], m["op"]) for m in mutations] == [
        ("finding", "create"),
        ("note", "append"),
        ("evidence", "append"),
        ("log_entry", "transition"),
    ]
    assert [m["seq"] for m in mutations] == [1, 2, 3, 4]
    assert len({m["mutation_id"] for m in mutations}) == 4
    assert {body["protocol_version"] for body in pushes} == {1}
    assert (
        {body["device_id"] for body in pushes}
        == set(devices)
        == {m["device_id"] for m in mutations}
    )
    assert {m["author_id"] for m in mutations} == {str(floor.carer["id"])}
    done = mutations[-1]
    assert done["transition"] == {"action": "mark_done", "reason": "Daily checks done for a week."}
    assert done["base_values"] == {"status": "open"}


def test_rejected_mutation_shows_its_reason_and_stays_visible(page, context, server, floor):
    """Scenario (c): the garden was taken off the service's areas while the tablet was away."""
    from server.findings.models import Finding

    log_in(page, floor.carer)
    go_offline(context, server)
    record_finding(page, "Garden", "Gate latch broken; the gate swings open.", "Medium", "Yes")
    record_finding(page, "Lounge", "Call bell rang for six minutes.", "High", "Yes")

    drop_area(server, floor, "Garden")
    go_online(context, server)
    strip = page.locator("#status-strip")
    strip.filter(has_text="1 needs attention · nothing else waiting").wait_for(timeout=20_000)
    areas = db_query(server.app, lambda db: db.session.scalars(db.select(Finding.area)).all())
    assert areas == ["Lounge"]  # the refused one never half-landed; the next one was not blocked

    for when in ("before a reload", "after a reload", "after a fresh sync from 0"):
        if when == "after a reload":
            page.reload()
        if when == "after a fresh sync from 0":
            page.evaluate(SET_CURSOR, str(floor.carer["id"]))
            assert sync_now(page)["problem"] is None
        strip.filter(has_text="1 needs attention").wait_for()
        strip.click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_text("Not accepted by the office").wait_for()
        dialog.get_by_text(
            "Reason: Garden is not one of this service's areas or routines.", exact=False
        ).wait_for()
        dialog.get_by_text("Gate latch broken", exact=False).wait_for()
        if when == "before a reload":
            check_a11y(page, "the status dialog with a rejection")
        dialog.get_by_role("button", name="Close", exact=True).click()
        page.get_by_role("link", name="Recorded").click()
        card = page.locator("li.finding").filter(has_text="Gate latch broken")
        card.get_by_text("Not accepted", exact=False).wait_for()
        page.get_by_role("link", name="Finding", exact=True).click()

    # Read and discarded by the user (after a confirmation): gone from the strip and the list.
    strip.click()
    page.get_by_role("button", name="Discard…").click()
    page.get_by_role("button", name="Yes, discard it").click()
    page.get_by_text("Reason:", exact=False).wait_for(state="detached")
    discarded = page.get_by_role("dialog").get_by_role("listitem").filter(has_text="discarded")
    discarded.filter(has_text="Gate latch broken").wait_for()  # a note of it is kept here
    page.get_by_role("button", name="Close", exact=True).click()
    assert "attention" not in strip.inner_text()
    page.get_by_role("link", name="Recorded").click()
    page.get_by_text("Call bell rang for six minutes.").wait_for()
    assert page.locator("#main").get_by_text("Gate latch broken", exact=False).count() == 0
    # The service's new list is what the form offers now.
    page.get_by_role("link", name="Finding", exact=True).click()
    page.get_by_role("heading", name="Record a walkaround finding").wait_for()
    options = page.get_by_label("Area or routine").locator("option").all_inner_texts()
    assert "Lounge" in options and "Garden" not in options


def test_pull_applies_tombstones_drops_other_services_and_resyncs(page, context, server, floor):
    from seed import factories as f
    from server.accounts.models import Membership, User
    from server.common.types import utcnow
    from server.findings.models import Finding
    from server.providers.models import Provider

    def second_home(db):
        provider = db.session.get(Provider, floor.provider_id)
        lodge = f.make_service(provider, "Birch Lodge")
        carer = db.session.get(User, floor.carer["id"])
        carer.memberships.append(Membership(service_id=lodge.id, role="senior_carer"))
        manager = db.session.get(User, floor.manager["id"])
        manager.memberships.append(Membership(service_id=lodge.id, role="registered_manager"))
        db.session.flush()
        open_entry(
            manager,
            lodge,
            carer.id,
            concern="Night checks at Birch Lodge were late.",
            decision="Sam Carer to audit night check times at Birch Lodge every night "
            "for two weeks.",
            evidence_needed="Night check records for two weeks.",
        )
        db.session.commit()
        return lodge.id

    lodge_id = db_query(server.app, second_home)
    pulls = []
    page.on("request", lambda r: pulls.append(r.url) if "/sync/pull" in r.url else None)
    log_in(page, floor.carer)
    page.get_by_label("Service").select_option(label="Ashdown House")
    record_finding(page, "Lounge", "Call bell rang for six minutes.", "High", "Yes")
    assert sync_now(page)["waiting"] == 0
    page.get_by_role("link", name="My actions").click()
    page.get_by_role("link", name="Birch Lodge", exact=False).wait_for()
    page.get_by_role("link", name="check call bell response times", exact=False).wait_for()

    def office_changes(db):
        finding = db.session.scalars(db.select(Finding)).one()
        finding.deleted_at = utcnow()  # a tombstone
        db.session.execute(
            db.delete(Membership).where(
                Membership.user_id == floor.carer["id"], Membership.service_id == lodge_id
            )
        )
        db.session.commit()

    db_query(server.app, office_changes)
    assert sync_now(page)["problem"] is None
    page.get_by_role("link", name="Recorded").click()
    page.get_by_text("Nothing recorded on this tablet yet.").wait_for()
    page.get_by_role("link", name="My actions").click()
    page.get_by_role("link", name="check call bell response times", exact=False).wait_for()
    assert page.get_by_role("link", name="Birch Lodge", exact=False).count() == 0
    held = page.evaluate(
        """async (userId) => {
      const db = await import('/js/db.js');
      return [(await db.listServices(userId)).map((s) => s.name),
              (await db.listRecords(userId, 'log_entry')).map((e) => e.service_id)];
    }""",
        str(floor.carer["id"]),
    )
    assert held == [["Ashdown House"], [str(floor.service_id)]]

    # A cursor this server never handed out: 410 resync, then a pull from 0.
    page.evaluate(SET_CURSOR, str(floor.carer["id"]))
    pulls.clear()
    assert sync_now(page)["problem"] is None
    assert "cursor=1000000000" in pulls[0] and "cursor=0&" in pulls[1], pulls
    page.reload()
    page.get_by_role("link", name="My actions").click()
    page.get_by_role("link", name="check call bell response times", exact=False).wait_for()
