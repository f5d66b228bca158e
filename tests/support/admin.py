"""Helpers shared by the people-administration tests."""

from datetime import timedelta

import pytest

from server.audit.models import AuditEvent
from server.audit.services import Actor
from server.common import dates
from server.extensions import db
from server.log import services as log
from server.log.models import LogEntry

PASSWORD = "correct horse battery"  # the factories' default
NEW_PASSWORD = "a new long passphrase"
GOOD = "Deputy manager audits 10 MAR charts every Friday and records the result"


@pytest.fixture
def other_client(app, client):
    """A separate browser, logged in as ``user``.

    Each of its requests runs in its own app context, as on a real server: the test's
    app context is otherwise shared by requests, and flask-login and flask-wtf cache the
    user and the CSRF token in its ``g``, which would hide whether a session still works.
    """

    class Browser(type(client)):
        def open(self, *args, **kwargs):
            with self.application.app_context():
                return super().open(*args, **kwargs)

    def _login(user, password=PASSWORD):
        c = Browser(app, app.response_class, use_cookies=True)
        r = c.post("/api/v1/auth/login", json={"email": user.email, "password": password})
        assert r.status_code == 200, r.get_json()
        c.csrf_token = r.get_json()["csrf_token"]
        return c

    return _login


def count(model) -> int:
    db.session.commit()  # end the read: other browsers wrote meanwhile
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def audit_actions(entity_id) -> list[str]:
    return list(
        db.session.scalars(
            db.select(AuditEvent.action)
            .where(AuditEvent.entity_id == str(entity_id))
            .order_by(AuditEvent.id)
        )
    )


def new_staff(world, **fields) -> dict:
    data = {
        "email": "Jo.Bloggs@Example.test",
        "display_name": "Jo Bloggs",
        "roles": [{"role": "care_worker", "service_id": str(world.home.id)}],
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not ...}


def open_entry(world, owner, status="open") -> LogEntry:
    """Make an entry owned by ``owner`` in the home service, as its registered manager."""
    actor = Actor(world.users["registered_manager"])
    entry = log.create_draft(
        actor,
        world.home,
        concern="Fluid charts are not completed after lunch",
        source="audit",
        decision=GOOD,
        owner_id=owner.id,
        due_date=dates.london_today() + timedelta(days=7),
        evidence_needed="Weekly MAR audit results",
    )
    if status != "draft":
        log.transition(actor, entry, "open")
    if status == "closed":
        entry.status = "closed"  # set up directly: the closing rules are tested elsewhere
    db.session.commit()
    return entry


# -- creating people ---------------------------------------------------------------------
