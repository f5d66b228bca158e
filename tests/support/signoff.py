"""An entry waiting for sign-off, for the desk's sign-off panel (browser tests, screenshots)."""

import datetime as dt

from tests.support.browser import db_query


def waiting_for_sign_off(app, floor) -> str:
    """A high-risk entry from a safeguarding concern: the carer marked it done, the manager
    challenged it in her review and then checked it; no escalation decision yet."""
    from server.accounts.models import User
    from server.audit.services import Actor
    from server.findings import services as findings
    from server.log import services as log
    from server.providers.models import Service

    def make(db):
        manager = Actor(db.session.get(User, floor.manager["id"]), "desk")
        carer = Actor(db.session.get(User, floor.carer["id"]), "desk")
        home = db.session.get(Service, floor.service_id)
        entry = log.create_draft(
            manager,
            home,
            concern="Bruising on Mr B's forearm not explained in the care record",
            source="walkaround",
            risk="high",
            decision="Sam Carer to record a body map for Mr B at every personal care, daily",
            owner_id=carer.user_id,
            due_date=dt.date.today() + dt.timedelta(days=7),
            evidence_needed="Body maps for the week, checked by the registered manager",
            interim_controls="Two staff for personal care",
        )
        log.transition(manager, entry, "open")
        finding = findings.record_finding(
            Actor(carer.user, "sync"),
            home,
            {
                "kind": "walkaround_issue",
                "area": "Lounge",
                "source": "walkaround",
                "description": "Unexplained bruising on a forearm",
                "risk": "high",
                "follow_up_needed": True,
                "safeguarding_concern": True,
            },
        )
        finding.log_entry_id = entry.id
        log.transition(carer, entry, "mark_done")
        log.add_evidence(
            manager,
            entry,
            type="care_record",
            location="Body map folder, room 12",
            evidence_date=dt.date.today(),
            checked_by=manager.user_id,
        )
        log.challenge(manager, entry, "The body maps miss Sunday")
        log.transition(manager, entry, "close")
        db.session.commit()
        return str(entry.id)

    return db_query(app, make)
