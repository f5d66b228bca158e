"""A reset code is emailed to its owner when email is set up, and only then."""

import pytest

from tests.support import mail
from tests.support.mail import text

pytestmark = pytest.mark.db

# pytest finds fixtures among a module's globals: a real local SMTP server (aiosmtpd).
smtp = mail.smtp


def test_the_code_is_emailed_to_the_person_and_the_admin_is_told(world, login, client, smtp):
    person = world.users["care_worker"]
    login(world.users["registered_manager"])
    r = client.post(f"/api/v1/admin/users/{person.id}/reset-code")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["emailed"] is True
    [(rcpt, msg)] = smtp.parsed()
    assert rcpt == [person.email]
    assert msg["Subject"] == "Your Careloop set-up code"
    content = text(msg)
    assert body["token"] in content
    assert f"Hello {person.display_name}," in content
    assert "/#/reset" in content


def test_without_email_set_up_nothing_is_sent_and_the_code_is_shown_only(world, login, client):
    login(world.users["registered_manager"])
    r = client.post(f"/api/v1/admin/users/{world.users['care_worker'].id}/reset-code")
    assert r.status_code == 200
    assert r.get_json()["emailed"] is False
