"""The whole loop in Chromium, as the issue tells it: a senior carer records a finding with no Wi-Fi; back online it syncs; the registered manager triages it into an entry
with the carer as owner; the carer marks it done with no Wi-Fi again; the manager is refused
closure without evidence, adds evidence and closes it; the nominated individual's oversight
dashboard counts the action as open before and no longer after."""

import datetime as dt

import pytest

from tests.support.browser import (
    check_a11y,
    db_query,
    go_offline,
    go_online,
    log_in,
    make_provider_user,
    record_finding,
    sync_now,
    wait_for_service_worker,
)

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
SEEN = "Hoist sling in room 4 is frayed at the leg strap."
DECISION = (
    "Sam Carer takes the frayed sling out of use today, orders a replacement and "
    "records the hoist check on the equipment sheet"
)


def tile(page, label: str) -> int:
    """The number on the dashboard's provider-wide tile called ``label``."""
    box = page.locator(".ovs-totals .ovs-label", has_text=label).first
    box.wait_for()
    return int(box.locator("xpath=..").locator(".ovs-number").inner_text().replace(",", ""))


def dashboard(page) -> dict:
    if page.url.endswith("#/desk/oversight"):
        page.reload()  # the same address again would not draw the screen afresh
    else:
        page.goto("/#/desk/oversight")
    page.get_by_role("heading", name="Provider oversight").wait_for()
    page.locator(".ovs-totals").wait_for()
    return {"open": tile(page, "open")}


def desk_context(browser, server):
    ctx = browser.new_context(viewport=DESKTOP, base_url=server.url, service_workers="allow")
    ctx.set_default_timeout(10_000)
    return ctx


def entry_status(app, entry_id):
    import uuid

    from server.log.models import LogEntry

    return db_query(app, lambda db: db.session.get(LogEntry, uuid.UUID(entry_id)).status)


def triage_into_entry(page) -> str:
    """The manager turns the synced finding into an entry owned by Sam Carer, and opens it."""
    page.get_by_role("link", name="Triage inbox", exact=True).click()  # the menu's
    page.get_by_role("heading", name="Triage inbox").wait_for()
    page.get_by_role("checkbox", name=SEEN[:30]).check()
    assert page.get_by_label("Concern for a new draft entry").input_value() == SEEN
    page.get_by_role("button", name="Create draft entry").click()
    page.get_by_role("heading", name="Draft entry").wait_for()
    entry_id = page.url.rsplit("/", 1)[1]
    page.get_by_label("Decision", exact=True).fill(DECISION)
    page.locator("#vague-result").get_by_text("passes the vague-action check").wait_for()
    page.get_by_label("Owner").select_option(label="Sam Carer")
    page.get_by_label("Due date").fill((dt.date.today() + dt.timedelta(days=3)).isoformat())
    page.get_by_label("Evidence needed").fill("Equipment sheet with the new sling's check.")
    with page.expect_response(lambda r: r.request.method == "PATCH") as answer:
        page.get_by_role("button", name="Save changes").click()
    page.locator(f'.desk-entry[data-version="{answer.value.json()["version"]}"]').wait_for()
    page.get_by_role("button", name="Open entry").click()
    page.get_by_role("heading", name="Status: Open").wait_for()
    return entry_id


def test_offline_finding_to_closed_entry_moves_the_dashboard(browser, page, context, server, floor):
    app = server.app
    ni = make_provider_user(
        app, floor, "nominated_individual", "Nina Individual", "nina.ni@example.test"
    )
    leader_ctx = desk_context(browser, server)
    leader = leader_ctx.new_page()
    log_in(leader, ni)
    before = dashboard(leader)

    # 1. On the floor with no Wi-Fi: the finding waits on the tablet.
    log_in(page, floor.carer)
    wait_for_service_worker(page)
    go_offline(context, server)
    record_finding(page, "Bedrooms – first floor", SEEN, "Medium", "Yes")
    # 2. Back online, it syncs by itself.
    go_online(context, server)
    page.locator("#status-strip").filter(has_text="nothing waiting").wait_for(timeout=20_000)

    # 3. The manager triages it into an owned, dated, evidenced entry.
    manager_ctx = desk_context(browser, server)
    manager = manager_ctx.new_page()
    log_in(manager, floor.manager)
    entry_id = triage_into_entry(manager)
    check_a11y(manager, "the open entry")
    opened = dashboard(leader)
    assert opened["open"] == before["open"] + 1

    # 4. The owner marks it done on the floor, with no Wi-Fi again.
    sync_now(page)
    page.get_by_role("link", name="My actions").click()
    page.get_by_role("link", name="frayed", exact=False).click()
    go_offline(context, server)
    page.get_by_label("What was done").fill("Sling taken out of use; new one ordered.")
    page.get_by_role("button", name="Mark done for checking").click()
    page.get_by_text("Done – waiting for check").wait_for()
    assert entry_status(app, entry_id) == "open"  # still only on the tablet
    go_online(context, server)
    page.locator("#status-strip").filter(has_text="nothing waiting").wait_for(timeout=20_000)
    assert entry_status(app, entry_id) == "awaiting_check"

    # 5. Closure needs evidence; with it, the entry closes.
    manager.reload()
    manager.get_by_role("heading", name="Status: Done – waiting for check").wait_for()
    manager.get_by_role("button", name="Close", exact=True).click()
    manager.locator(".desk-actions [role=alert]").get_by_text(
        "Closure needs evidence from records, audits, feedback or practice checks"
    ).wait_for()
    assert entry_status(app, entry_id) == "awaiting_check"
    manager.get_by_label("Type of evidence").select_option(label="Audit")
    manager.get_by_label("Where it is kept").fill("Equipment sheet, hoist 2, 27 Nov")
    manager.get_by_role("button", name="Add evidence").click()
    manager.get_by_role("region", name="Evidence", exact=True).get_by_text(
        "Equipment sheet, hoist 2, 27 Nov"
    ).wait_for()
    manager.get_by_role("button", name="Close", exact=True).click()
    manager.get_by_role("heading", name="Status: Closed").wait_for()
    assert entry_status(app, entry_id) == "closed"

    # 6. The dashboard no longer counts it.
    closed = dashboard(leader)
    assert closed["open"] == before["open"]
    check_a11y(leader, "the oversight dashboard")
    manager_ctx.close()
    leader_ctx.close()
