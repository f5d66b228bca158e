"""A person with accounts at two providers, under one email address and one password, is
asked at log-in which organisation they mean, and signs in to the one they choose."""

import pytest

from tests.support.browser import PASSWORD, check_a11y, db_query

pytestmark = pytest.mark.browser


def _rival_account(live_app, email: str):
    from seed import factories as f

    def make(db):
        rival = f.make_provider("Elsewhere Care Ltd")
        lodge = f.make_service(rival, "Elsewhere Lodge")
        f.make_user(rival, "registered_manager", lodge, name="Sam at Elsewhere", email=email)
        db.session.commit()

    db_query(live_app, make)


def test_one_password_at_two_providers_asks_which_then_signs_in_there(live_app, floor, page):
    _rival_account(live_app, floor.carer["email"])
    page.goto("/")
    page.get_by_label("Email address").fill(floor.carer["email"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.get_by_text("You have accounts at more than one organisation. Which one?").wait_for()
    assert page.get_by_role("button", name="Brightwater Care").is_visible()
    check_a11y(page, "choose an organisation at log-in")

    page.get_by_role("button", name="Elsewhere Care Ltd").click()
    # The rival's registered manager lands on My day; Brightwater's senior carer would not.
    page.get_by_role("heading", name="My day").wait_for()
    me = page.evaluate("fetch('/api/v1/me').then((r) => r.json())")
    assert (me["display_name"], me["email"]) == ("Sam at Elsewhere", floor.carer["email"])
