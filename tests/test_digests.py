"""Daily email digests, sent to a real SMTP server that the test starts on 127.0.0.1, and
the reminder preferences behind them (GET/PATCH /api/v1/me/preferences)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from server.audit.models import AuditEvent
from server.common.types import clock_at
from server.extensions import db
from server.log.models import LogEntry
from server.notify import MailError, send_digests, send_mail
from server.reviews.models import Review, ReviewItem
from tests.support import mail
from tests.support.mail import SITE, free_port, text

pytestmark = pytest.mark.db

# pytest finds fixtures among a module's globals: a real local SMTP server (aiosmtpd).
smtp = mail.smtp

NOW = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)  # Monday 16 March 2026, GMT
TODAY = date(2026, 3, 16)
# What a careless digest would leak: a resident's name inside the entries' own words.
RESIDENT = "Edith Blackwood"
CONCERN = f"{RESIDENT} in room 12 was found on the floor at 3am; her sensor mat was unplugged"
COMMENT = f"Ask {RESIDENT}'s daughter what she saw before closing this"


def make_entry(world, owner, due, concern=CONCERN, status="open") -> LogEntry:
    entry = LogEntry(
        service_id=world.home.id,
        concern=concern,
        source="walkaround",
        decision="Night senior checks every sensor mat at 11pm and 3am",
        owner_id=owner.id,
        due_date=due,
        original_due_date=due,
        evidence_needed="Night check sheet",
        risk="high",
        status=status,
        created_by=world.users["registered_manager"].id,
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def challenge(world, entry, comment=COMMENT):
    review = Review(
        service_id=world.home.id,
        kind="rm_weekly",
        outcome="challenge",
        reviewer_id=world.users["registered_manager"].id,
        comment=f"{RESIDENT}'s falls need a closer look",
        reviewed_at=NOW - timedelta(days=1),
    )
    review.items = [ReviewItem(entry_id=entry.id, outcome="challenge", comment=comment)]
    db.session.add(review)
    db.session.commit()


def opt_in(*users):
    for user in users:
        user.digest_opt_in = True
    db.session.commit()


@pytest.fixture
def carer_day(world):
    """A senior carer, opted in, with 2 overdue actions, 1 due today and 1 challenged."""
    me = world.users["senior_carer"]
    late = [
        make_entry(world, me, TODAY - timedelta(days=3)),
        make_entry(world, me, TODAY - timedelta(days=1)),
    ]
    today = make_entry(world, me, TODAY)
    challenged = make_entry(world, me, TODAY + timedelta(days=5))
    challenge(world, challenged)
    opt_in(me)
    return me, late, today, challenged


def send(today=TODAY) -> int:
    with clock_at(NOW):
        return send_digests(today)


# ---- the digest --------------------------------------------------------------------------


def test_an_opted_in_carer_gets_counts_and_links_and_nothing_about_residents(
    world, smtp, carer_day
):
    me, late, today, challenged = carer_day

    assert send() == 1

    [(rcpt, msg)] = smtp.parsed()
    assert rcpt == [me.email]
    assert msg["To"] == me.email
    assert msg["From"] == "careloop@brightwater.example"
    assert msg["Subject"] == (
        "Careloop: 2 actions overdue, 1 due today, 1 challenge on your entries"
    )
    assert msg.get_content_type() == "text/plain"
    assert text(msg) == "\n".join(
        [
            f"Hello {me.display_name},",
            "",
            "Your Careloop day, Monday 16 March 2026: 2 actions overdue, 1 due today, "
            "1 challenge on your entries.",
            "",
            "Overdue:",
            f"  Entry {str(late[0].id)[:8]}: {SITE}/#/actions/{late[0].id}",
            f"  Entry {str(late[1].id)[:8]}: {SITE}/#/actions/{late[1].id}",
            "",
            "Due today:",
            f"  Entry {str(today.id)[:8]}: {SITE}/#/actions/{today.id}",
            "",
            "Challenged:",
            f"  Entry {str(challenged.id)[:8]}: {SITE}/#/actions/{challenged.id}",
            "",
            f"Open Careloop: {SITE}/#/my-day",
            "",
            "This email gives counts and links only: what the entries say stays in Careloop, "
            "behind your login, because email is not a safe place for details of the people "
            "we support.",
            "You get this summary because you asked for it. To stop it, untick "
            '"Email me a daily summary" on My day.',
            "",
        ]
    )
    raw = smtp.messages[0][2].decode()
    for secret in (
        RESIDENT,
        "Blackwood",
        "room 12",
        "sensor mat",
        "daughter",
        "Night senior checks",
        "Ashdown House",
    ):
        assert secret not in raw, secret


def test_a_manager_gets_entry_page_links_and_the_manager_counts(world, smtp):
    rm = world.users["registered_manager"]
    late = make_entry(world, rm, TODAY - timedelta(days=2))
    world.home.created_at = datetime(2026, 1, 5, 9, tzinfo=UTC)  # never reviewed since
    db.session.commit()
    opt_in(rm)

    assert send() == 1

    [(_rcpt, msg)] = smtp.parsed()
    assert msg["Subject"] == "Careloop: 1 action overdue, 1 review due"
    body = text(msg)
    assert f"  Entry {str(late.id)[:8]}: {SITE}/#/desk/log/{late.id}\n" in body
    assert f"Reviews: {SITE}/#/desk/reviews\n" in body
    assert RESIDENT not in body


def test_opted_out_inactive_and_idle_people_get_nothing(world, smtp, carer_day):
    # A care coordinator oversees no one's overdue work and checks nothing: idle. (A deputy
    # manager would have the carer's overdue actions in "overdue in your services".)
    worker, idle = world.users["care_worker"], world.users["care_coordinator"]
    make_entry(world, worker, TODAY - timedelta(days=1))  # has news but never opted in
    opt_in(idle)  # opted in, nothing waiting
    gone = world.users["key_worker"]
    make_entry(world, gone, TODAY - timedelta(days=1))
    opt_in(gone)
    gone.active = False
    db.session.commit()

    assert send() == 1
    assert [rcpt for _sender, rcpt, _raw in smtp.messages] == [[carer_day[0].email]]


def test_nothing_is_sent_when_mail_server_is_unset(app, world, smtp, carer_day):
    app.config["MAIL_SERVER"] = None
    assert send() == 0
    assert send_mail("someone@example.test", "Hello", "Body") is False
    assert smtp.messages == []


def test_another_day_is_reported_as_that_day(world, smtp, carer_day):
    # On 20 March the carer's "due today" action of the 16th is 4 days overdue as well.
    assert send(date(2026, 3, 20)) == 1
    [(_rcpt, msg)] = smtp.parsed()
    assert msg["Subject"].startswith("Careloop: 3 actions overdue")
    assert "Your Careloop day, Friday 20 March 2026:" in text(msg)


def test_the_cli_sends_and_says_how_many(app, world, smtp, carer_day):
    with clock_at(NOW):
        result = app.test_cli_runner().invoke(args=["send-digests", "--today", "2026-03-16"])
    assert result.exit_code == 0, result.output
    assert result.output == "Sent 1 digest.\n"
    assert len(smtp.messages) == 1


def test_the_cli_says_when_email_is_not_configured(app, world, carer_day):
    result = app.test_cli_runner().invoke(args=["send-digests"])
    assert result.exit_code == 0, result.output
    assert result.output == ("Email is not configured (MAIL_SERVER is not set): no digest sent.\n")


def test_an_unreachable_mail_server_is_a_clear_error(app, world, carer_day):
    port = free_port()  # nothing listens there
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    with pytest.raises(MailError, match=f"The mail server 127.0.0.1:{port} cannot be reached"):
        send()
    result = app.test_cli_runner().invoke(args=["send-digests"])
    assert result.exit_code == 1
    assert f"Error: The mail server 127.0.0.1:{port} cannot be reached" in result.output


def test_send_mail_delivers_one_plain_message(smtp):
    assert send_mail("jo@example.test", "Your Careloop reset code", "Code: 123456\n") is True
    [(rcpt, msg)] = smtp.parsed()
    assert rcpt == ["jo@example.test"]
    assert (msg["Subject"], text(msg)) == ("Your Careloop reset code", "Code: 123456\n")
    assert msg["Message-ID"].endswith("@brightwater.example>")


# ---- preferences -------------------------------------------------------------------------


def test_preferences_start_off_and_a_person_opts_in_and_out(world, login, client, smtp):
    me = world.users["care_worker"]
    login(me)
    assert client.get("/api/v1/me/preferences").get_json() == {
        "digest_opt_in": False,
        "email_configured": True,
    }

    r = client.patch("/api/v1/me/preferences", json={"digest_opt_in": True})

    assert r.status_code == 200
    assert r.get_json() == {"digest_opt_in": True, "email_configured": True}
    db.session.expire_all()
    assert db.session.get(type(me), me.id).digest_opt_in is True
    others = [u for u in world.users.values() if u.id != me.id]
    assert not any(u.digest_opt_in for u in others)
    event = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.entity_type == "user", AuditEvent.action == "preferences"
        )
    ).one()
    assert (event.entity_id, event.actor_id, event.changes) == (
        str(me.id),
        me.id,
        {"digest_opt_in": [False, True]},
    )

    r = client.patch("/api/v1/me/preferences", json={"digest_opt_in": False})
    assert r.get_json()["digest_opt_in"] is False


def test_preferences_say_when_the_server_cannot_email(world, login, client):
    login(world.users["registered_manager"])
    assert client.get("/api/v1/me/preferences").get_json() == {
        "digest_opt_in": False,
        "email_configured": False,
    }


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "digest_opt_in", "Missing data for required field."),
        ({"digest_opt_in": "yes"}, "digest_opt_in", "Not a valid boolean."),
        ({"digest_opt_in": True, "user_id": "someone-else"}, "user_id", "Unknown field."),
    ],
)
def test_bad_preferences_are_refused_naming_the_field(world, login, client, body, field, message):
    login(world.users["care_worker"])
    r = client.patch("/api/v1/me/preferences", json=body)
    assert r.status_code == 422
    assert r.get_json()["error"]["fields"] == {field: message}
    db.session.expire_all()
    assert not any(
        u.digest_opt_in for u in db.session.scalars(db.select(type(world.users["care_worker"])))
    )


def test_preferences_need_a_login_and_the_csrf_token(world, login, client):
    assert client.get("/api/v1/me/preferences").status_code == 401
    login(world.users["care_worker"])
    r = client.patch("/api/v1/me/preferences", json={"digest_opt_in": True}, csrf=False)
    assert r.status_code == 403
    assert r.get_json()["error"]["code"] == "csrf"
    db.session.expire_all()
    assert (
        db.session.get(
            type(world.users["care_worker"]), world.users["care_worker"].id
        ).digest_opt_in
        is False
    )
