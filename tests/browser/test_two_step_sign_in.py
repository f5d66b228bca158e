"""Two-step sign-in in Chromium: a registered manager whose provider requires it sets it up
at their first sign-in (the key typed into pyotp, standing in for a phone's app), keeps
the recovery codes, then signs in with a code, and once with a recovery code."""

import re
import time

import pyotp
import pytest

from tests.support.browser import check_a11y

pytestmark = pytest.mark.browser


def _require_second_factor(live_app, floor):
    from server.extensions import db
    from server.providers.models import Provider

    with live_app.app_context():
        db.session.get(Provider, floor.provider_id).settings = {"second_factor_required": True}
        db.session.commit()


def _password_step(page, who):
    page.goto("/")
    page.get_by_label("Email address").fill(who["email"])
    page.get_by_label("Password").fill(who["password"])
    page.get_by_role("button", name="Log in", exact=True).click()


def _switch_user(page):
    page.get_by_role("button", name="Switch user").click()
    page.get_by_role("heading", name="Log in to Careloop").wait_for()


def _code_after(secret: str, used_step: int) -> tuple[str, int]:
    """The app's code for a 30-second step after ``used_step`` (never the same one twice)."""
    step = max(int(time.time()) // 30, used_step + 1)
    return pyotp.TOTP(secret).at(step * 30), step


def test_a_manager_sets_up_two_step_sign_in_then_signs_in_with_a_code(live_app, floor, page):
    _require_second_factor(live_app, floor)
    _password_step(page, floor.manager)
    page.get_by_role("heading", name="Set up two-step sign-in").wait_for()
    assert page.get_by_text("Your provider requires two-step sign-in for your role").is_visible()
    page.get_by_role("button", name="Set up two-step sign-in").click()
    secret = page.locator(".two-step-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert page.get_by_role("img", name="QR code for your authenticator app").is_visible()
    check_a11y(page, "two-step set-up")

    code, used = _code_after(secret, 0)
    page.get_by_label("Code from the app").fill(code)
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    codes = page.locator(".recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    check_a11y(page, "recovery codes")
    page.get_by_role("button", name="I have saved them").click()
    page.get_by_role("heading", name="My day").wait_for()

    _switch_user(page)
    _password_step(page, floor.manager)
    page.get_by_role("heading", name="Two-step sign-in").wait_for()
    check_a11y(page, "the code step of logging in")
    page.get_by_label("Code from your authenticator app").fill(
        "000000" if code != "000000" else "111111"
    )
    page.get_by_role("button", name="Continue").click()
    page.get_by_text("Not the current code.").first.wait_for()
    code, used = _code_after(secret, used)
    page.get_by_label("Code from your authenticator app").fill(code)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="My day").wait_for()

    _switch_user(page)
    _password_step(page, floor.manager)
    page.get_by_role("button", name="Lost your phone? Use a recovery code").click()
    page.get_by_label("Recovery code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="My day").wait_for()
    page.goto("/#/account")
    page.get_by_text("Recovery codes left: 9.").wait_for()
