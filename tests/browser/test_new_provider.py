"""A new provider from nothing, by hand: `flask create-provider` starts it; its admin sets a
password with the code, adds the first care home and its registered manager in the app;
the manager sets a password with their code, signs in and finds the home ready to set up."""

import pytest

from tests.support.browser import check_a11y, log_in

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "first day at willow"
RM_PASSWORD = "kettle on in the office"


def set_password_with(page, code: str, password: str):
    page.goto("/#/reset")
    page.get_by_role("heading", name="Set a new password with a code").wait_for()
    page.get_by_label("Reset code").fill(code)
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("New password again").fill(password)
    page.get_by_role("button", name="Set my new password").click()
    page.get_by_role("heading", name="Your password is set").wait_for()


def test_a_provider_is_set_up_from_nothing_in_the_app(page, live_app, server):
    result = live_app.test_cli_runner().invoke(
        args=[
            "create-provider",
            "Willow Care",
            "--admin-email",
            "owner@willow.example",
            "--admin-name",
            "Morgan Reed",
        ]
    )
    assert result.exit_code == 0, result.output
    code = result.output.strip().splitlines()[-1]

    page.set_viewport_size({"width": 1024, "height": 768})
    set_password_with(page, code, ADMIN_PASSWORD)
    log_in(page, {"email": "owner@willow.example", "password": ADMIN_PASSWORD})

    page.get_by_role("link", name="Service set-up").click()
    page.get_by_text("Your provider has no services yet. Add the first one to start.").wait_for()
    check_a11y(page, "service set-up of a provider with no services")
    form = page.locator("form.setup-add-service")
    form.get_by_role("button", name="Add the service").click()
    form.locator("[data-field=name] .field-error").wait_for()
    form.get_by_label("Name of the service").fill("Willow Lodge")
    form.get_by_role("button", name="Add the service").click()
    page.get_by_text("Willow Lodge", exact=True).first.wait_for()
    page.get_by_role("heading", name="Areas and routines").wait_for()

    page.get_by_role("link", name="People").click()
    people = page.locator("form.admin-create")
    people.get_by_label("Name").fill("Ash Patel")
    people.get_by_label("Email address").fill("ash.patel@willow.example")
    people.get_by_label("Role").select_option(label="Registered manager")
    people.get_by_label("Service").select_option(label="Willow Lodge")
    people.get_by_role("button", name="Add the person and show their set-up code").click()
    rm_code = page.locator(".admin-code .admin-code-value").inner_text().strip()

    page.get_by_role("button", name="Switch user").click()
    page.get_by_role("heading", name="Log in to Careloop").wait_for()
    set_password_with(page, rm_code, RM_PASSWORD)
    log_in(page, {"email": "ash.patel@willow.example", "password": RM_PASSWORD})
    page.get_by_role("link", name="Service set-up").click()
    page.get_by_role("heading", name="Areas and routines").wait_for()
    assert "Willow Lodge" in page.locator("main").inner_text()
    assert "Add a service" not in page.locator("main").inner_text()
