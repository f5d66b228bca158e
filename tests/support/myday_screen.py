"""My day's screen tests share one busy day at the floor fixture's care home."""

import datetime as dt


def london_today() -> dt.date:
    from server.common.dates import london_today as today

    return today()


def a_busy_day(live_app, floor) -> dict:
    """Overdue, due-today, done and challenged actions for the carer and the manager, a
    high-risk finding waiting 30 hours and one just synced, and a home set up ten days ago
    and never reviewed."""
    from server.common.types import utcnow
    from server.extensions import db
    from server.findings.models import Finding
    from server.log.models import LogEntry
    from server.providers.models import Service
    from server.reviews.models import Review, ReviewItem

    today, now = london_today(), utcnow()

    def entry(owner, due, concern, risk="medium", status="open"):
        row = LogEntry(
            service_id=floor.service_id,
            concern=concern,
            source="walkaround",
            decision=f"Named owner acts on: {concern}",
            owner_id=owner["id"],
            due_date=due,
            original_due_date=due,
            evidence_needed="Audit sheet",
            risk=risk,
            status=status,
            created_by=floor.manager["id"],
            created_at=now - dt.timedelta(days=10),
        )
        db.session.add(row)
        return row

    with live_app.app_context():
        ids = {
            "carer_late": entry(
                floor.carer,
                today - dt.timedelta(days=2),
                "Fluid charts are not completed after lunch",
                "high",
            ),
            "carer_today": entry(floor.carer, today, "Laundry labels missing on floor 2"),
            "manager_late": entry(
                floor.manager,
                today - dt.timedelta(days=1),
                "Agency staff induction not recorded",
                "high",
            ),
        }
        ids["done"] = entry(
            floor.carer,
            today + dt.timedelta(days=3),
            "Hoist slings not labelled with names",
            status="awaiting_check",
        )
        challenged = entry(
            floor.carer, today + dt.timedelta(days=4), "Menu choices not offered at tea"
        )
        db.session.flush()
        review = Review(
            service_id=floor.service_id,
            kind="ad_hoc",
            outcome="challenge",
            reviewer_id=floor.manager["id"],
            comment="See the items",
            reviewed_at=now - dt.timedelta(days=1),
        )
        review.items = [
            ReviewItem(
                entry_id=challenged.id, outcome="challenge", comment="Ask people at tea, not staff"
            )
        ]
        db.session.add(review)
        db.session.add(
            Finding(
                service_id=floor.service_id,
                kind="walkaround_issue",
                area="Garden",
                source="walkaround",
                risk="high",
                description="Garden gate left unlocked overnight",
                recorded_by=floor.carer["id"],
                recorded_at=now - dt.timedelta(hours=30),
                received_at=now - dt.timedelta(hours=30),
            )
        )
        db.session.add(
            Finding(
                service_id=floor.service_id,
                kind="walkaround_issue",
                area="Dining room",
                source="walkaround",
                risk="high",
                description="Thickened fluids served at the wrong consistency",
                recorded_by=floor.carer["id"],
                recorded_at=now - dt.timedelta(minutes=3),
                received_at=now - dt.timedelta(minutes=2),
            )
        )
        db.session.get(Service, floor.service_id).created_at = now - dt.timedelta(days=10)
        db.session.commit()
        ids = {name: str(row.id) for name, row in ids.items()}
        ids["challenged"] = str(challenged.id)
        return ids
