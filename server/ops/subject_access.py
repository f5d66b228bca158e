"""Everything Careloop holds about one staff member (UK GDPR subject access)."""

from sqlalchemy import or_, select

from server.accounts.models import User
from server.accounts.session_models import RecoveryCode, SecondFactor, UserSession
from server.audit.models import AuditEvent
from server.audit.services import plain
from server.common.types import utcnow
from server.extensions import db
from server.findings.models import Finding, Walkaround
from server.log.models import CarryForward, EvidenceRef, LogEntry, Note
from server.measures.models import ImprovementMeasure
from server.providers.models import Provider, Service
from server.reviews.models import Review, ReviewItem
from server.syncing.models import Device, SyncConflict

# Never exported: secrets, not information about the person.
HIDDEN = {"password_hash", "secret", "code_hash"}


class UnknownPerson(Exception):
    """No account has that email address (at that provider)."""


class AmbiguousPerson(Exception):
    """Accounts at more than one provider have that email address: name the provider."""


def row(record) -> dict:
    """Return a record's columns as JSON-safe values, secrets left out."""
    return {
        c.key: plain(getattr(record, c.key))
        for c in record.__table__.columns
        if c.key not in HIDDEN
    }


def _rows(model, *where, order=None) -> list[dict]:
    query = select(model).where(or_(*where)).order_by(order or model.id)
    return [row(r) for r in db.session.scalars(query)]


def export(email: str, provider_id=None) -> dict:
    """Collect every record about, by or assigned to the user with ``email``: an email is
    unique per provider, so ``provider_id`` says whose when several providers hold it."""
    email = email.strip().lower()
    query = select(User).where(User.email == email)
    if provider_id is not None:
        query = query.where(User.provider_id == provider_id)
    users = list(db.session.scalars(query))
    if not users:
        where = " at that provider" if provider_id is not None else ""
        raise UnknownPerson(f"No account has the email address {email}{where}.")
    if len(users) > 1:
        providers = sorted(
            (p.name, str(p.id)) for p in (db.session.get(Provider, u.provider_id) for u in users)
        )
        raise AmbiguousPerson(
            f"Accounts at {len(users)} providers have the email address {email}; choose one "
            "with --provider: " + "; ".join(f"{pid} ({name})" for name, pid in providers)
        )
    return export_user(users[0])


def export_user(user: User) -> dict:
    """Collect every record about, by or assigned to ``user``."""
    uid = user.id
    return {
        "exported_at": plain(utcnow()),
        "account": row(user),
        "provider": row(db.session.get(Provider, user.provider_id)),
        "roles": _roles(user),
        "devices": _rows(Device, Device.user_id == uid, Device.revoked_by == uid),
        "sessions": _rows(UserSession, UserSession.user_id == uid, order=UserSession.created_at),
        "second_factor": _rows(
            SecondFactor, SecondFactor.user_id == uid, order=SecondFactor.user_id
        ),
        "recovery_codes": _rows(RecoveryCode, RecoveryCode.user_id == uid),
        "walkarounds": _rows(Walkaround, Walkaround.conducted_by == uid),
        "findings": _rows(Finding, Finding.recorded_by == uid, Finding.triaged_by == uid),
        "log_entries": _rows(
            LogEntry,
            *(
                getattr(LogEntry, name) == uid
                for name in (
                    "owner_id",
                    "created_by",
                    "done_by",
                    "checked_by",
                    "closed_by",
                    "signed_off_by",
                    "escalation_by",
                    "vague_override_by",
                )
            ),
        ),
        "notes": _rows(Note, Note.author_id == uid),
        "evidence": _rows(EvidenceRef, EvidenceRef.added_by == uid, EvidenceRef.checked_by == uid),
        "carry_forwards": _rows(CarryForward, CarryForward.author_id == uid),
        "reviews": _reviews(uid),
        "improvement_measures": _rows(ImprovementMeasure, ImprovementMeasure.created_by == uid),
        "sync_conflicts": _rows(
            SyncConflict,
            SyncConflict.other_author == uid,
            SyncConflict.kept_author == uid,
            SyncConflict.resolved_by == uid,
        ),
        "audit_events": _rows(AuditEvent, AuditEvent.actor_id == uid),
    }


def _roles(user: User) -> list[dict]:
    out = []
    for membership in sorted(user.memberships, key=lambda m: m.id):
        service = db.session.get(Service, membership.service_id) if membership.service_id else None
        out.append(
            {
                "role": membership.role,
                "service_id": plain(membership.service_id),
                "service": service.name if service else "whole provider",
            }
        )
    return out


def _reviews(uid) -> list[dict]:
    reviews = db.session.scalars(
        select(Review).where(Review.reviewer_id == uid).order_by(Review.reviewed_at, Review.id)
    )
    return [
        {**row(review), "items": _rows(ReviewItem, ReviewItem.review_id == review.id)}
        for review in reviews
    ]
