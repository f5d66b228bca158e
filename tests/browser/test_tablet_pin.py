"""A shared tablet (issue 15 point 2): "Who is recording?", a PIN per person checked on the
tablet, throttled wrong PINs, the idle lock, a restart that opens locked, and signing out
of the tablet."""

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import db_query, log_in, record_finding
from tests.support.tablet import WHO, enter_pin, people, set_pin, switch_user, unlock

pytestmark = pytest.mark.browser

SAM, ALEX = "Sam Carer", "Alex Worker"
ACTION = "check call bell response times"


def lock_after(app, floor, minutes: int):
    from server.providers.models import Provider

    def change(db):
        db.session.get(Provider, floor.provider_id).settings = {"tablet_lock_minutes": minutes}
        db.session.commit()

    db_query(app, change)


def test_two_people_switch_with_their_own_pins(page, floor):
    log_in(page, floor.carer)
    expect(page.locator("#who")).to_have_text(f"Recording: {SAM}")
    set_pin(page, "2580")
    switch_user(page)
    # Nobody is recording: no name, nothing to switch or sign out of.
    expect(page.locator("#who")).to_be_hidden()
    expect(page.get_by_role("button", name="Switch user")).to_be_hidden()
    expect(page.get_by_role("button", name="Sign out of this tablet")).to_be_hidden()

    log_in(page, floor.other)  # "Someone else": the full sign-in on the same screen
    expect(page.locator("#who")).to_have_text(f"Recording: {ALEX}")
    set_pin(page, "1397")
    switch_user(page)
    names = page.locator(".who-list button").all_inner_texts()
    assert names == [ALEX, SAM]

    unlock(page, SAM, "2580")
    page.get_by_role("link", name="My actions").click()
    page.get_by_role("link", name=ACTION, exact=False).wait_for()  # Sam's own copy, offline or not

    switch_user(page)
    unlock(page, ALEX, "1397")
    page.get_by_role("link", name="My actions").click()
    page.get_by_text("You have no open actions on this tablet.", exact=False).wait_for()
    assert page.get_by_text(ACTION, exact=False).count() == 0

    # What the tablet keeps: a slow, salted hash per person, never the PIN.
    kept = people(page)
    pins = {
        kept[str(floor.carer["id"])]["pin"]["hash"],
        kept[str(floor.other["id"])]["pin"]["hash"],
    }
    assert len(pins) == 2 and not pins & {"2580", "1397"}
    assert kept[str(floor.carer["id"])]["pin"]["iterations"] == 600_000
    assert kept[str(floor.carer["id"])]["pin"]["algorithm"] == "PBKDF2-SHA256"


def test_five_wrong_pins_need_the_password(context, page, floor):
    context.clock.install()
    log_in(page, floor.carer)
    set_pin(page, "2580")
    switch_user(page)
    alert = page.get_by_role("alert")
    pin = page.get_by_label("Your PIN")

    enter_pin(page, SAM, "1397")
    alert.filter(has_text="That PIN is not right. Try again. 4 more wrong PINs").wait_for()
    # Each wrong PIN after that makes the next wait longer: 2, 4, then 8 seconds.
    for wait, left in ((2, 3), (4, 2), (8, 1)):
        pin.fill("1397")
        page.get_by_role("button", name="Unlock").click()
        alert.filter(
            has_text=f"Wait {wait} seconds, then try again. {left} more wrong PIN"
        ).wait_for()
        expect(pin).to_be_disabled()
        if wait == 8:  # the wait is kept on the tablet, not by the screen: leaving keeps it
            page.get_by_role("button", name="Not me").click()
            page.get_by_role("button", name=SAM, exact=True).click()
            alert.filter(has_text="Too many wrong PINs. Try again in").wait_for()
            expect(pin).to_be_disabled()
        context.clock.run_for(wait * 1000)
        expect(pin).to_be_enabled()
    pin.fill("1397")
    page.get_by_role("button", name="Unlock").click()

    # The fifth wrong PIN switches it off: the password, with the email filled in.
    page.get_by_role("heading", name="Log in to Careloop").wait_for()
    page.get_by_text("your PIN is switched off", exact=False).wait_for()
    assert page.get_by_label("Email address").input_value() == floor.carer["email"]
    assert people(page)[str(floor.carer["id"])]["pin"]["disabled"] is True
    # Even the right PIN no longer opens it: tapping the name asks for the password.
    page.get_by_role("button", name='Back to "Who is recording?"').click()
    page.get_by_role("button", name=SAM, exact=True).click()
    page.get_by_role("heading", name="Log in to Careloop").wait_for()
    assert page.get_by_label("Your PIN").count() == 0

    page.get_by_label("Password").fill(floor.carer["password"])
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.locator("#who")).to_have_text(f"Recording: {SAM}")
    set_pin(page, "4826")  # offered again, and the new one works
    switch_user(page)
    unlock(page, SAM, "4826")


def test_an_idle_tablet_locks_and_the_same_person_comes_back_to_their_form(
    context, page, server, floor
):
    lock_after(server.app, floor, 1)
    context.clock.install()
    log_in(page, floor.carer)
    set_pin(page, "2580")
    page.get_by_label("What did you see?").fill("Half-typed when the tablet locked")
    context.clock.run_for(50_000)
    page.get_by_label("What did you see?").press("End")  # a touch: the minute starts again
    context.clock.run_for(50_000)
    expect(page.locator("#who")).to_have_text(f"Recording: {SAM}")

    context.clock.run_for(15_000)
    page.get_by_role("heading", name=WHO).wait_for()
    page.get_by_text("nobody used Careloop for 1 minute", exact=False).wait_for()
    expect(page.locator("#who")).to_be_hidden()
    unlock(page, SAM, "2580")
    expect(page.get_by_label("What did you see?")).to_have_value(
        "Half-typed when the tablet locked"
    )


def test_a_restart_opens_on_who_is_recording(context, page, floor):
    log_in(page, floor.carer)
    set_pin(page, "2580")
    page.close()
    restarted = context.new_page()  # the same profile: a browser closed and opened again
    restarted.goto("/#/actions")
    restarted.get_by_role("heading", name=WHO).wait_for()
    expect(restarted.locator("#who")).to_be_hidden()
    expect(restarted.locator("#nav")).to_be_hidden()
    assert restarted.get_by_text(ACTION, exact=False).count() == 0
    unlock(restarted, SAM, "2580")
    restarted.get_by_role("link", name="My actions").click()
    restarted.get_by_role("link", name=ACTION, exact=False).wait_for()


HELD = """async () => {
  const { getDB } = await import('/js/db.js');
  const db = await getDB();
  return {
    outbox: (await db.getAll('outbox')).map((i) => i.userId),
    records: (await db.getAll('records')).map((r) => [r.userId, r.entityType, Boolean(r.pending)]),
  };
}"""


def test_signing_out_of_the_tablet_warns_about_waiting_work_first(context, page, server, floor):
    sam = str(floor.carer["id"])
    log_in(page, floor.carer)
    set_pin(page, "2580")
    page.get_by_role("link", name="My actions").click()
    page.get_by_role("link", name=ACTION, exact=False).wait_for()
    context.route(f"{server.url}/api/v1/sync/**", lambda route: route.abort())
    page.get_by_role("link", name="Finding", exact=True).click()
    record_finding(page, "Lounge", "Waiting when Sam signed out.", "High", "Yes")

    page.get_by_role("button", name="Sign out of this tablet").click()
    dialog = page.get_by_role("dialog", name="Your work is still on this tablet")
    dialog.get_by_text("1 thing you recorded has not reached the office yet.").wait_for()
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_have_count(0)
    expect(page.locator("#who")).to_have_text(f"Recording: {SAM}")

    page.get_by_role("button", name="Sign out of this tablet").click()
    dialog.get_by_role("button", name="Sign out anyway").click()
    # Nobody else has used this tablet: the log-in screen.
    page.get_by_role("heading", name=re.compile("Log in to Careloop")).wait_for()
    page.get_by_text(f"{SAM} is signed out of this tablet.").wait_for()
    # Her copies and PIN are gone; her unsent finding stays, apart, until she signs in.
    assert page.evaluate(HELD) == {"outbox": [sam], "records": [[sam, "finding", True]]}
    assert people(page)[sam] == {"name": None, "pin": None}

    context.unroute(f"{server.url}/api/v1/sync/**")
    log_in(page, floor.carer)
    page.locator("#status-strip").filter(has_text="nothing waiting").wait_for()


DUMP = """async () => {
  const { getDB } = await import('/js/db.js');
  const db = await getDB();
  const out = {};
  for (const name of db.objectStoreNames) {
    const tx = db.transaction(name);
    out[name] = { keys: await tx.store.getAllKeys(), values: await tx.store.getAll() };
  }
  return out;
}"""

# The same data as release 1 kept it: database version 1, the person signed in as
# meta.currentUser, and no copy of /me, PIN or device credential on the users records.
AS_RELEASE_1 = """async (dump) => {
  sessionStorage.clear();
  await new Promise((ok, bad) => {
    const r = indexedDB.deleteDatabase('careloop'); r.onsuccess = ok; r.onerror = bad;
  });
  const db = await new Promise((ok, bad) => {
    const r = indexedDB.open('careloop', 1);
    r.onupgradeneeded = () => {
      const d = r.result;
      d.createObjectStore('meta');
      d.createObjectStore('users', { keyPath: 'id' });
      const outbox = d.createObjectStore('outbox', { keyPath: 'key', autoIncrement: true });
      outbox.createIndex('byUser', 'userId');
      const records = d.createObjectStore('records', { keyPath: ['userId', 'entityType', 'id'] });
      records.createIndex('byUserType', ['userId', 'entityType']);
      d.createObjectStore('drafts', { keyPath: ['userId', 'form'] });
      d.createObjectStore('services', { keyPath: ['userId', 'id'] });
      d.createObjectStore('attention', { keyPath: ['userId', 'mutationId'] }).createIndex('byUser', 'userId');
    };
    r.onsuccess = () => ok(r.result); r.onerror = bad;
  });
  const names = ['meta', 'users', 'outbox', 'records', 'drafts', 'services', 'attention'];
  const tx = db.transaction(names, 'readwrite');
  dump.meta.keys.forEach((k, i) => { if (k !== 'serverSessionOf') tx.objectStore('meta').put(dump.meta.values[i], k); });
  for (const u of dump.users.values) {
    if (u.me) tx.objectStore('meta').put(u.me, 'currentUser');
    delete u.me; delete u.pin; // nor any device credential: release 1 had none
    delete u.credential; delete u.credentialRefused; delete u.revokeLater;
    tx.objectStore('users').put(u);
  }
  for (const name of names.slice(2)) for (const v of dump[name].values) tx.objectStore(name).put(v);
  await new Promise((ok) => { tx.oncomplete = ok; });
  db.close();
}"""

AFTER_UPGRADE = """async () => {
  const { getDB } = await import('/js/db.js');
  const db = await getDB();
  return { version: db.version, currentUser: (await db.get('meta', 'currentUser')) ?? null,
    holder: await db.get('meta', 'serverSessionOf'),
    me: (await db.getAll('users')).map((u) => u.me?.email ?? null),
    waiting: (await db.getAll('outbox')).length };
}"""


def test_release_1_data_upgrades_to_who_is_recording_and_keeps_the_queue(
    context, page, server, floor
):
    from server.findings.models import Finding

    log_in(page, floor.carer)
    context.route(f"{server.url}/api/v1/sync/**", lambda route: route.abort())
    record_finding(page, "Lounge", "Queued before the upgrade.", "High", "Yes")
    dump = page.evaluate(DUMP)
    # Off the app (the service worker serves the app for any page but the API's), so
    # that nothing holds the database while it is put back as release 1 kept it.
    page.goto("/api/v1/auth/csrf")
    page.evaluate(AS_RELEASE_1, dump)
    context.unroute(f"{server.url}/api/v1/sync/**")

    page.goto("/")
    page.get_by_role("heading", name=WHO).wait_for()  # never straight in as Sam
    after = page.evaluate(AFTER_UPGRADE)
    assert after == {
        "version": 2,
        "currentUser": None,
        "holder": str(floor.carer["id"]),
        "me": [floor.carer["email"]],
        "waiting": 1,
    }
    # No PIN yet: Sam's name asks for her password, her email filled in.
    page.get_by_role("button", name=SAM, exact=True).click()
    assert page.get_by_label("Email address").input_value() == floor.carer["email"]
    page.get_by_label("Password").fill(floor.carer["password"])
    page.get_by_role("button", name="Log in", exact=True).click()
    page.locator("#status-strip").filter(has_text="nothing waiting").wait_for()

    def queued(db):
        return db.session.scalars(
            db.select(Finding.description).where(Finding.description.like("Queued before%"))
        ).all()

    assert db_query(server.app, queued) == ["Queued before the upgrade."]
