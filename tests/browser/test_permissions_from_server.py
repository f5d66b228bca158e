"""The PWA shows what the server says a person may do (issue 14, point 4): the menu and an
entry's status buttons follow /me and the entry's transitions, remembered offline after a
restart; and a tablet holding the previous release's data updates and syncs, losing nothing.
"""

import uuid

import pytest

from server.accounts.permissions import PERMISSIONS
from tests.support.browser import (
    Desk,
    db_query,
    go_offline,
    go_online,
    log_in,
    record_finding,
    sync_now,
    wait_for_service_worker,
)
from tests.support.tablet import set_pin, unlock

pytestmark = pytest.mark.browser

STATUS_BUTTONS = ".desk-actions .button-row button"


def _duty_manager(app, floor) -> dict:
    from seed import factories as f
    from server.providers.models import Provider, Service
    from tests.support.people import PASSWORD

    def make(db):
        provider = db.session.get(Provider, floor.provider_id)
        home = db.session.get(Service, floor.service_id)
        user = f.make_user(
            provider, "duty_manager", home, name="Dana Duty", email="dana.duty@example.test"
        )
        db.session.commit()
        return {"id": user.id, "email": user.email, "password": PASSWORD}

    return db_query(app, make)


def _awaiting_check(app, floor) -> str:
    """The floor's entry, marked done by its owner: it waits for a completion check."""
    owner = Desk(app, floor.carer)
    entry = owner.get(f"/entries/{floor.entry_id}")
    owner.post(
        f"/entries/{floor.entry_id}/transitions",
        {"action": "mark_done", "version": entry["version"], "reason": "Done all week."},
    )
    return str(floor.entry_id)


def _buttons(page, entry_id) -> list[str]:
    page.goto(f"/#/desk/log/{entry_id}")
    page.get_by_role("heading", name="Status: Done – waiting for check").wait_for()
    return page.locator(STATUS_BUTTONS).all_inner_texts()


def test_status_buttons_are_the_ones_the_server_allows(desk, server, floor, monkeypatch):
    entry_id = _awaiting_check(server.app, floor)
    manager = desk()
    log_in(manager, floor.manager)
    assert _buttons(manager, entry_id) == ["Close", "Send back"]

    # A duty manager may neither close nor send back (docs/permissions.md): no buttons,
    # where the old copy of the status machine offered both.
    duty = desk()
    log_in(duty, _duty_manager(server.app, floor))
    assert _buttons(duty, entry_id) == []

    # The buttons follow the server's table, whatever it says: take closing away from the
    # registered manager and the button goes; nothing in the PWA changes.
    allowed, what = PERMISSIONS["entry.close"]
    monkeypatch.setitem(
        PERMISSIONS,
        "entry.close",
        (tuple(r for r in allowed if r != "registered_manager"), what),
    )
    again = desk()
    log_in(again, floor.manager)
    assert _buttons(again, entry_id) == ["Send back"]


def test_the_menu_follows_the_servers_permissions(desk, server, floor, monkeypatch):
    page = desk()
    log_in(page, floor.other)  # a care worker: the floor's menu only
    nav = page.locator("#nav")
    assert nav.get_by_role("link", name="Reports").count() == 0
    allowed, what = PERMISSIONS["report.read"]
    monkeypatch.setitem(PERMISSIONS, "report.read", (allowed + ("care_worker",), what))
    fresh = desk()
    log_in(fresh, floor.other)
    fresh.locator("#nav").get_by_role("link", name="Reports").wait_for()


STORED = """async () => {
  const { getDB } = await import('/js/db.js');
  const db = await getDB();
  const user = (await db.getAll('users')).find((u) => u.me)?.me;
  const entries = (await db.getAll('records')).filter((r) => r.entityType === 'log_entry');
  const users = await db.getAll('users');
  const outbox = await db.getAll('outbox');
  return {
    permissions: user?.permissions ?? null,
    roles: (user?.roles || []).length,
    transitions: entries.map((e) => e.transitions ?? null),
    formats: users.map((u) => u.copiesFormat ?? null),
    waiting: outbox.filter((i) => i.state === 'waiting').length,
  };
}"""


def test_permissions_are_remembered_offline_after_a_restart(context, server, floor):
    page = context.new_page()
    log_in(page, floor.carer)
    set_pin(page, "2580")
    wait_for_service_worker(page)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    sync_now(page)
    held = page.evaluate(STORED)
    assert held["permissions"]["services"][str(floor.service_id)]
    assert held["transitions"] == [["start", "mark_done"]]
    go_offline(context, server)
    page.close()
    restarted = context.new_page()
    restarted.goto("/#/actions")
    unlock(restarted, "Sam Carer", "2580")  # a restart is locked; the PIN works offline
    nav = restarted.locator("#nav")
    nav.get_by_role("link", name="Finding").wait_for()
    assert nav.get_by_role("link", name="Log").count() == 0
    restarted.get_by_role("link", name="check call bell response times", exact=False).click()
    restarted.get_by_role("button", name="Mark done for checking").wait_for()
    go_online(context, server)


PREVIOUS_RELEASE = """async () => {
  // What the release before this one kept: /me and pulled entries without what the person
  // may do, and no copies format on the user's sync state.
  const { getDB } = await import('/js/db.js');
  const db = await getDB();
  const tx = db.transaction(['records', 'users'], 'readwrite');
  for (const r of await tx.objectStore('records').getAll()) {
    if (r.entityType === 'log_entry') { delete r.transitions; await tx.objectStore('records').put(r); }
  }
  for (const u of await tx.objectStore('users').getAll()) {
    delete u.copiesFormat;
    if (u.me) { delete u.me.permissions; delete u.me.roles; }
    await tx.objectStore('users').put(u);
  }
  await tx.done;
}"""


def _descriptions(app, user_id):
    from server.findings.models import Finding

    def read(db):
        mine = Finding.recorded_by == uuid.UUID(str(user_id))
        return db.session.scalars(db.select(Finding.description).where(mine)).all()

    return db_query(app, read)


def test_a_tablet_with_the_previous_releases_data_updates_and_syncs(
    page, context, server, floor, pwa_root
):
    log_in(page, floor.carer)
    wait_for_service_worker(page)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    sync_now(page)
    go_offline(context, server)
    record_finding(page, "Lounge", "Recorded offline before the update.", "High", "Yes")
    page.evaluate(PREVIOUS_RELEASE)
    before = page.evaluate(STORED)
    assert before["waiting"] == 1 and before["permissions"] is None
    assert before["transitions"] == [None] and before["formats"] == [None]

    go_online(context, server)
    ui = pwa_root / "js" / "ui.js"  # the next release: any changed shell file
    ui.write_text(ui.read_text() + "\n// the next release\n")
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    button = page.get_by_role("button", name="Update ready — reload")
    button.wait_for()
    with page.expect_event("load"):
        button.click()
    page.get_by_role("heading", name="Record a walkaround finding").wait_for()
    state = sync_now(page)

    assert state["waiting"] == 0 and state["problem"] is None
    assert "Recorded offline before the update." in _descriptions(server.app, floor.carer["id"])
    after = page.evaluate(STORED)
    assert after["waiting"] == 0
    assert after["permissions"]["services"][str(floor.service_id)]
    assert after["roles"] == 10
    # Entries pulled before the update are pulled again, with what the owner may do.
    assert after["transitions"] == [["start", "mark_done"]] and after["formats"] == [2]
    page.get_by_role("link", name="My actions").click()
    page.get_by_role("link", name="check call bell response times", exact=False).click()
    page.get_by_role("button", name="Mark done for checking").wait_for()
