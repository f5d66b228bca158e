"""A shared tablet in the browser tests: setting a PIN after a full sign-in, "Who is
recording?", unlocking with a PIN, and what the tablet keeps about each person."""

from playwright.sync_api import expect

WHO = "Who is recording?"

PEOPLE = """async () => {
  const { getDB } = await import('/js/db.js');
  const users = await (await getDB()).getAll('users');
  return Object.fromEntries(users.map((u) => [u.id, {
    name: u.me ? u.me.display_name : null,
    pin: u.pin ? { algorithm: u.pin.algorithm, iterations: u.pin.iterations, salt: u.pin.salt,
      hash: u.pin.hash, failures: u.pin.failures, disabled: u.pin.disabled } : null,
  }]));
}"""


def set_pin(page, digits: str):
    """Take the offer made right after a full sign-in, and set ``digits`` as the PIN."""
    offer = page.get_by_role("region", name="Set a PIN for this tablet")
    offer.get_by_role("button", name="Set a PIN").click()
    dialog = page.get_by_role("dialog", name="Choose your PIN")
    dialog.get_by_label("New PIN").fill(digits)
    dialog.get_by_label("The same PIN again").fill(digits)
    dialog.get_by_role("button", name="Save my PIN").click()
    page.get_by_role("status").filter(has_text="Your PIN is set.").wait_for()
    expect(offer).to_have_count(0)


def switch_user(page):
    page.get_by_role("button", name="Switch user").click()
    page.get_by_role("heading", name=WHO).wait_for()


def enter_pin(page, name: str, digits: str):
    """On "Who is recording?", tap ``name`` and enter ``digits`` as their PIN."""
    page.get_by_role("button", name=name, exact=True).click()
    page.get_by_role("heading", name=f"Hello, {name}").wait_for()
    page.get_by_label("Your PIN").fill(digits)
    page.get_by_role("button", name="Unlock").click()


def unlock(page, name: str, digits: str):
    """Unlock as ``name``: the header then names them."""
    enter_pin(page, name, digits)
    expect(page.locator("#who")).to_have_text(f"Recording: {name}")


def people(page) -> dict:
    """What the tablet keeps about each person: their name (while they may unlock) and PIN."""
    return page.evaluate(PEOPLE)
