"""My day in Chromium: a registered manager lands on it after login and sees what is theirs
(with the manager sections), a senior carer finds it in the menu with links to their own
actions, the daily email choice is saved, and offline it shows the tablet's own copies.

docs/screenshots/my-day.png is taken in tests/browser/test_screenshots.py."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import check_a11y, db_query, go_offline, log_in, sync_now
from tests.support.myday_screen import a_busy_day

pytestmark = pytest.mark.browser


@pytest.fixture
def day(live_app, floor):
    """Overdue, due-today, done and challenged actions for the carer and the manager, a
    high-risk finding waiting 30 hours and one just synced, and a home set up ten days ago
    and never reviewed (tests/support/myday_screen.py)."""
    return a_busy_day(live_app, floor)


def dismiss_fresh_finding(app):
    from server.findings.models import Finding

    def dismiss(db):
        finding = db.session.scalars(db.select(Finding).where(Finding.area == "Dining room")).one()
        finding.triage_state = "dismissed"
        db.session.commit()

    db_query(app, dismiss)


def digest_choice(app, user_id):
    from server.accounts.models import User

    return db_query(app, lambda db: db.session.get(User, user_id).digest_opt_in)


def section(page, title):
    return page.locator("section.myday-section").filter(has=page.get_by_role("heading", name=title))


def test_manager_lands_on_my_day_sees_their_items_and_chooses_the_digest(
    browser, server, floor, day, tmp_path
):
    ctx = browser.new_context(viewport={"width": 1024, "height": 768}, base_url=server.url)
    ctx.set_default_timeout(10_000)
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        log_in(page, floor.manager)
        page.wait_for_url("**/#/my-day")
        counts = page.get_by_role("list", name="Today at a glance")
        counts.get_by_role("button", name="1 overdue", exact=True).wait_for()
        assert [" ".join(t.split()) for t in counts.get_by_role("button").all_inner_texts()] == [
            "2 new findings to triage",
            "1 waiting for your check",
            "0 of yours waiting for sign-off",
            "0 challenges to answer",
            "1 overdue",
            "0 due today",
            "1 overdue in your services",
            "0 new to you",
            "1 review due",
        ]
        assert page.get_by_text("Nothing is waiting for you today.").count() == 0
        # The menu's badge is part of the link's name: "My day, 6 waiting".
        badge = page.get_by_role("link", name="My day, 6 waiting")
        badge.wait_for()
        assert " ".join(badge.inner_text().split()) == "My day 6"

        # The RM's Oversight (her own services) is in the menu, in sight at 1024x768.
        nav = page.locator("#nav")
        expect(nav.get_by_role("link", name="Oversight", exact=True)).to_be_in_viewport()

        # A count opens exactly its records: the tile takes you to its section.
        counts.get_by_role("button", name="1 waiting for your check").click()
        check = section(page, "Waiting for your check")
        expect(check.get_by_role("heading", level=2)).to_be_focused()
        assert [a.get_attribute("href") for a in check.get_by_role("link").all()] == [
            f"#/desk/log/{day['done']}"
        ]
        assert "Marked done" in check.inner_text()

        overdue = section(page, "Your overdue actions")
        link = overdue.get_by_role("link", name="Agency staff induction not recorded")
        assert link.get_attribute("href") == f"#/desk/log/{day['manager_late']}"
        assert "overdue by 1 day" in overdue.inner_text()
        team = section(page, "Overdue in your services")
        assert [a.get_attribute("href") for a in team.get_by_role("link").all()] == [
            f"#/desk/log/{day['carer_late']}"
        ]
        section(page, "Due today").get_by_text("Nothing due today.").wait_for()
        section(page, "Challenges to answer").get_by_text(
            "No challenges on your entries in the last two weeks."
        ).wait_for()
        findings = section(page, "New findings waiting for triage")
        # The finding synced two minutes ago counts at once; high risk, the late one first.
        assert [h.inner_text() for h in findings.get_by_role("heading", level=3).all()] == [
            "Garden gate left unlocked overnight",
            "Thickened fluids served at the wrong consistency",
        ]
        assert (
            findings.get_by_role("link", name="Garden gate left unlocked overnight").get_attribute(
                "href"
            )
            == "#/desk/inbox"
        )
        assert "waiting 30 hours for triage" in findings.inner_text()
        assert "New high-risk finding in Ashdown House" in findings.inner_text()
        reviews = section(page, "Reviews due")
        assert (
            reviews.get_by_role("link", name="Weekly review: Ashdown House").get_attribute("href")
            == "#/desk/reviews"
        )
        page.get_by_text("This Careloop server does not send email yet.").wait_for()
        check_a11y(page, "My day for a registered manager")

        choice = page.get_by_label("Email me a daily summary")
        assert not choice.is_checked()
        choice.check()
        page.get_by_role("status").filter(
            has_text="Saved: you will get a daily summary."
        ).wait_for()
        assert digest_choice(server.app, floor.manager["id"]) is True
        page.reload()
        page.get_by_role("list", name="Today at a glance").wait_for()
        assert page.get_by_label("Email me a daily summary").is_checked()
        page.get_by_label("Email me a daily summary").uncheck()
        page.get_by_role("status").filter(has_text="Saved: no daily summary.").wait_for()
        assert digest_choice(server.app, floor.manager["id"]) is False

        link = section(page, "Your overdue actions").get_by_role(
            "link", name="Agency staff induction not recorded"
        )
        link.click()
        page.wait_for_url(f"**/#/desk/log/{day['manager_late']}")
        # Kept fresh on navigation: once the fresh finding is triaged elsewhere, the next
        # screen's menu says one fewer.
        dismiss_fresh_finding(server.app)
        page.get_by_role("link", name="Log", exact=True).click()
        page.get_by_role("link", name="My day, 5 waiting").wait_for()
        assert not errors, errors
    finally:
        ctx.close()


def test_senior_carer_lands_on_capture_and_finds_their_day_in_the_menu(page, server, floor, day):
    log_in(page, floor.carer)
    page.wait_for_url("**/#/finding")
    page.locator("#nav").get_by_role("link", name="My day").click()
    counts = page.get_by_role("list", name="Today at a glance")
    counts.get_by_text("1 overdue").wait_for()
    assert "1 due today" in " ".join(counts.inner_text().split())
    assert "1 challenge" in " ".join(counts.inner_text().split())

    overdue = section(page, "Overdue actions")
    assert (
        overdue.get_by_role(
            "link", name="Fluid charts are not completed after lunch"
        ).get_attribute("href")
        == f"#/actions/{day['carer_late']}"
    )
    today = section(page, "Due today")
    assert (
        today.get_by_role("link", name="Laundry labels missing on floor 2").get_attribute("href")
        == f"#/actions/{day['carer_today']}"
    )
    challenges = section(page, "Challenges to answer")
    assert "Ask people at tea, not staff" in challenges.inner_text()
    assert page.get_by_role("heading", name="Reviews due").count() == 0
    assert page.get_by_role("heading", name="New findings waiting for triage").count() == 0
    assert page.get_by_role("heading", name="Waiting for your check").count() == 0
    assert page.get_by_text("Nothing is waiting for you today.").count() == 0
    check_a11y(page, "My day for a senior carer")

    page.get_by_label("Email me a daily summary").check()
    page.get_by_role("status").filter(has_text="Saved: you will get a daily summary.").wait_for()
    assert digest_choice(server.app, floor.carer["id"]) is True

    overdue.get_by_role("link", name="Fluid charts are not completed after lunch").click()
    page.get_by_role("heading", name="Notes").wait_for()


def test_offline_my_day_shows_the_actions_this_tablet_holds(page, context, server, floor, day):
    log_in(page, floor.carer)
    sync_now(page)
    go_offline(context, server)
    page.locator("#nav").get_by_role("link", name="My day").click()
    page.get_by_text("You're offline: My day needs a connection; your actions are under").wait_for()
    overdue = section(page, "Overdue actions")
    link = overdue.get_by_role("link", name="Named owner acts on: Fluid charts", exact=False)
    assert link.get_attribute("href") == f"#/actions/{day['carer_late']}"
    assert section(page, "Due today").get_by_role("link").count() == 1
    check_a11y(page, "My day offline")


def test_nothing_is_waiting_only_when_every_section_is_empty(page, server, floor):
    log_in(page, floor.other)  # a care worker with no actions, challenges or news
    page.locator("#nav").get_by_role("link", name="My day").click()
    page.get_by_text("Nothing is waiting for you today.").wait_for()
    counts = page.get_by_role("list", name="Today at a glance")
    assert {" ".join(t.split()) for t in counts.get_by_role("button").all_inner_texts()} == {
        "0 overdue",
        "0 due today",
        "0 challenges to answer",
        "0 new to you",
    }
    assert page.locator("#nav").get_by_role("link", name="My day").inner_text().strip() == "My day"
