"""Helpers shared by the statement tests in Chromium and their screenshots: a finding from
the medication room, both bundled frameworks loaded, and a few tagged entries for a pack."""

import datetime as dt

from tests.support.browser import db_query

__all__ = ["load_both_frameworks", "medicines_entries", "record_medication_finding"]


def record_medication_finding(
    app, floor, description="MAR chart not signed after the lunchtime round."
):
    """A high-risk finding from the medication room, as if synced from a tablet."""
    from server.accounts.models import User
    from server.audit.services import Actor
    from server.findings import services
    from server.providers.models import Service

    def make(db):
        finding = services.record_finding(
            Actor(db.session.get(User, floor.carer["id"]), "sync"),
            db.session.get(Service, floor.service_id),
            {
                "kind": "walkaround_issue",
                "area": "Medication room",
                "source": "walkaround",
                "description": description,
                "risk": "high",
                "follow_up_needed": True,
            },
        )
        db.session.commit()
        return finding.id

    return db_query(app, make)


def load_both_frameworks(app):
    """The 2023 statements and the 2026 draft (whose id sorts first)."""
    from server.framework.services import ensure_bundled_frameworks

    def load(db):
        ensure_bundled_frameworks()
        db.session.commit()

    db_query(app, load)


MEDICINES = (
    (
        "Insulin given 90 minutes late twice in a week.",
        "high",
        "Senior on each shift checks the insulin times on the MAR chart at 9am and 5pm daily.",
    ),
    (
        "Controlled drugs register not countersigned on two nights.",
        "medium",
        "Night senior and nurse countersign each entry; the deputy checks the register every Monday.",
    ),
    (
        "Cream charts missing a signature for one person.",
        "low",
        "Carers sign the cream chart at each application; the senior checks it at handover.",
    ),
    (
        "Eye drops stored open past 28 days.",
        "low",
        "The medication room check on Sundays dates and replaces open eye drops.",
    ),
)


def medicines_entries(app, floor):
    """Open entries tagged S8 Medicines optimisation: two to print in full, two routine
    low-risk ones for the pack's table."""
    from server.accounts.models import User
    from server.audit.services import Actor
    from server.log import services as log
    from server.providers.models import Service

    def make(db):
        actor = Actor(db.session.get(User, floor.manager["id"]), "desk")
        home = db.session.get(Service, floor.service_id)
        for concern, risk, decision in MEDICINES:
            entry = log.create_draft(
                actor,
                home,
                concern=concern,
                decision=decision,
                source="audit",
                risk=risk,
                owner_id=floor.carer["id"],
                due_date=dt.date.today() + dt.timedelta(days=14),
                evidence_needed="The month's MAR chart audit.",
                statement_ids=["saf-2023:S8"],
            )
            log.transition(actor, entry, "open", base_version=entry.version)
        db.session.commit()

    db_query(app, make)
