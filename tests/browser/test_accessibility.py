"""axe-core on the screens no other test checks (the desk screens), and every floor screen
at 200 % zoom: a tablet in portrait (820 x 1180) zoomed to 200 % lays out in 410 x 590 CSS
pixels at two device pixels each. Nothing essential may be cut off: no sideways scrolling,
and each screen's main button can be reached and pressed."""

import pytest

from tests.support.browser import check_a11y, log_in, record_finding
from tests.support.tablet import enter_pin, set_pin, switch_user

pytestmark = pytest.mark.browser

ZOOMED = {"width": 410, "height": 590}

OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter((el) => el.getClientRects().length && el.getBoundingClientRect().right > width + 1)
    .filter((el) => !el.closest('dialog:not([open])'))
    .map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
         (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : ''));
  return { scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5) };
}"""


def assert_fits(page, where: str):
    box = page.evaluate(OVERFLOW)
    assert box["scroll"] <= box["width"] and not box["wide"], (
        f"{where} is wider than the screen at 200 %: {box}"
    )


def assert_reachable(page, button, where: str):
    """The button can be scrolled to, sits fully inside the screen, and is big enough."""
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box is not None, f"{where}: the button is not shown"
    assert box["x"] >= 0 and box["x"] + box["width"] <= ZOOMED["width"], (where, box)
    assert box["y"] >= 0 and box["y"] + box["height"] <= ZOOMED["height"], (where, box)
    assert box["height"] >= 44 and box["width"] >= 44, (where, box)
    on_top = button.evaluate("""(el) => {
      const r = el.getBoundingClientRect();
      return el.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2));
    }""")
    assert on_top, f"{where}: something covers the button"


@pytest.fixture
def zoomed(browser, server):
    ctx = browser.new_context(
        viewport=ZOOMED, device_scale_factor=2, base_url=server.url, service_workers="allow"
    )
    ctx.set_default_timeout(10_000)
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    ctx.close()
    assert not errors, errors


def test_floor_screens_at_200_percent_zoom(zoomed, floor):
    page = zoomed
    page.goto("/")
    page.get_by_role("heading", name="Log in to Careloop").wait_for()
    assert_fits(page, "the login screen")
    assert_reachable(page, page.get_by_role("button", name="Log in", exact=True), "login")
    log_in(page, floor.carer)

    save = page.get_by_role("button", name="Save finding")
    assert_fits(page, "the finding form")
    assert_reachable(page, save, "the finding form")
    save.click()  # operable at this zoom: the form answers with its errors
    page.get_by_role("alert").filter(has_text="There is a problem").wait_for()
    assert_fits(page, "the finding form with errors")
    assert page.locator("#status-strip").is_visible()
    check_a11y(page, "the finding form at 200 %")

    for link, heading, button in (
        ("Feedback", "Record feedback", "Save feedback"),
        ("Visibility check", "Record a visibility check", "Save visibility check"),
    ):
        page.get_by_role("link", name=link, exact=True).click()
        page.get_by_role("heading", name=heading).wait_for()
        assert_fits(page, heading)
        assert_reachable(page, page.get_by_role("button", name=button), heading)

    page.get_by_role("link", name="My actions").click()
    action = page.get_by_role("link", name="check call bell response times", exact=False)
    action.wait_for()
    assert_fits(page, "my actions")
    action.click()
    page.get_by_role("heading", name="Notes").wait_for()
    assert_fits(page, "an action")
    for name in ("Add note", "Add evidence", "Mark done for checking"):
        assert_reachable(page, page.get_by_role("button", name=name), f"an action: {name}")

    page.get_by_role("link", name="Recorded").click()
    page.get_by_role("heading", name="What I recorded").wait_for()
    assert_fits(page, "what I recorded")

    page.locator("#status-strip").click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    assert_fits(page, "the status dialog")
    assert_reachable(page, dialog.get_by_role("button", name="Close", exact=True), "status")
    check_a11y(page, "the status dialog at 200 %")


def test_desk_screens_pass_axe(page, floor):
    log_in(page, floor.manager)
    for link, heading in (("Triage inbox", "Triage inbox"), ("Log", "The leadership log")):
        page.get_by_role("link", name=link, exact=True).click()
        page.get_by_role("heading", name=heading).wait_for()
        check_a11y(page, heading)


def test_shared_tablet_screens_pass_axe(page, context, server, floor):
    log_in(page, floor.carer)
    page.get_by_role("region", name="Set a PIN for this tablet").wait_for()
    check_a11y(page, "the offer to set a PIN")
    page.get_by_role("button", name="Set a PIN").click()
    dialog = page.get_by_role("dialog", name="Choose your PIN")
    dialog.get_by_label("New PIN").fill("1234")
    dialog.get_by_label("The same PIN again").fill("1234")
    dialog.get_by_role("button", name="Save my PIN").click()
    dialog.get_by_text("harder to guess than 1111 or 1234").wait_for()
    check_a11y(page, "choosing a PIN, refused")
    dialog.get_by_role("button", name="Cancel").click()
    set_pin(page, "2580")

    context.route(f"{server.url}/api/v1/sync/**", lambda route: route.abort())
    record_finding(page, "Lounge", "Waiting while Sam signs out.", "Low", "No")
    page.get_by_role("button", name="Sign out of this tablet").click()
    page.get_by_role("dialog", name="Your work is still on this tablet").wait_for()
    check_a11y(page, "the warning before signing out of the tablet")
    page.get_by_role("button", name="Stay signed in").click()

    switch_user(page)
    check_a11y(page, "Who is recording?")
    enter_pin(page, "Sam Carer", "1397")
    page.get_by_role("alert").filter(has_text="That PIN is not right.").wait_for()
    check_a11y(page, "a wrong PIN")


def test_who_is_recording_and_the_pin_at_200_percent_zoom(zoomed, floor):
    page = zoomed
    log_in(page, floor.carer)
    page.get_by_role("region", name="Set a PIN for this tablet").wait_for()
    assert_fits(page, "the finding form with the offer to set a PIN")
    set_pin(page, "2580")
    switch_user(page)
    assert_fits(page, "Who is recording?")
    assert_reachable(page, page.get_by_role("button", name="Sam Carer", exact=True), "who")
    page.get_by_role("button", name="Sam Carer", exact=True).click()
    page.get_by_label("Your PIN").wait_for()
    assert_fits(page, "the PIN")
    assert_reachable(page, page.get_by_role("button", name="Unlock"), "the PIN")
