"""The daily digest: one email per opted-in person with something waiting in My day.

Only counts, links and the recipient's own name go into the email, never what an entry or
finding says (see server.notify: email is outside Careloop's protection). Run once a day by
cron: ``flask --app server send-digests`` (docs/deployment.md).
"""

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from flask import current_app

from server.accounts.models import User
from server.accounts.permissions import FLOOR
from server.common.dates import LONDON, london_date
from server.common.mail import mail_configured, message, smtp_connection
from server.common.types import utcnow
from server.extensions import db
from server.myday.services import my_day

log = logging.getLogger(__name__)

DIGEST_HOUR = 7  # a digest for another day is computed as at 07:00 London that day


@dataclass(frozen=True)
class Digest:
    """What one person's digest says: counts, and the entry ids to link to."""

    name: str
    desk: bool
    as_of: date
    overdue: list = field(default_factory=list)
    due_today: list = field(default_factory=list)
    challenges: list = field(default_factory=list)
    new_assignments: list = field(default_factory=list)
    waiting_check: list = field(default_factory=list)
    waiting_sign_off: list = field(default_factory=list)
    sign_off_pending: list = field(default_factory=list)
    services_overdue: list = field(default_factory=list)
    findings_waiting: int = 0
    reviews_due: int = 0

    def is_empty(self) -> bool:
        return not summary(self)  # no count to say


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def is_desk(user) -> bool:
    """Desk people act on the entry page; floor staff on their action in My actions."""
    return any(m.role not in FLOOR for m in user.memberships)


def _ids(items: list[dict]) -> list:
    # An entry challenged twice is one entry to look at.
    return list(dict.fromkeys(item["entry_id"] for item in items))


def digest_for(user, now: datetime) -> Digest:
    """Take from ``user``'s My day, section by section, only what the email may carry: ids
    and counts."""
    day = my_day(user, now)
    manager = day["manager"] or {}
    return Digest(
        name=user.display_name,
        desk=is_desk(user),
        as_of=day["as_of"],
        overdue=_ids(day["overdue"]),
        due_today=_ids(day["due_today"]),
        challenges=_ids(day["challenges"]),
        new_assignments=_ids(day["new_assignments"]),
        waiting_check=_ids(day["waiting_check"]),
        waiting_sign_off=_ids(day["waiting_sign_off"]),
        sign_off_pending=_ids(day["sign_off_pending"]),
        services_overdue=_ids(day["services_overdue"]),
        findings_waiting=len(manager.get("findings_waiting", [])),
        reviews_due=len(manager.get("reviews_due", [])),
    )


# The counts after the overdue and due today, in the order the summary says them.
_COUNTED = (
    ("challenges", "challenge on your entries", "challenges on your entries"),
    ("new_assignments", "entry newly given to you", "entries newly given to you"),
    ("findings_waiting", "finding to triage", "findings to triage"),
    ("waiting_check", "entry waiting for your check", "entries waiting for your check"),
    (
        "waiting_sign_off",
        "entry waiting for your sign-off",
        "entries waiting for your sign-off",
    ),
    (
        "sign_off_pending",
        "entry of yours waiting for sign-off",
        "entries of yours waiting for sign-off",
    ),
    ("services_overdue", "overdue entry in your services", "overdue entries in your services"),
    ("reviews_due", "review due", "reviews due"),
)


def summary(digest: Digest) -> str:
    """Say the counts in one line: "3 actions overdue, 1 due today, 1 challenge on your entries"."""
    parts = []
    if digest.overdue:
        parts.append(_n(len(digest.overdue), "action overdue", "actions overdue"))
    if digest.due_today:
        word = "" if digest.overdue else (" action" if len(digest.due_today) == 1 else " actions")
        parts.append(f"{len(digest.due_today)}{word} due today")
    for name, one, many in _COUNTED:
        value = getattr(digest, name)
        count = value if isinstance(value, int) else len(value)
        if count:
            parts.append(_n(count, one, many))
    return ", ".join(parts)


def _entry_link(base: str, digest: Digest, entry_id) -> str:
    path = f"#/desk/log/{entry_id}" if digest.desk else f"#/actions/{entry_id}"
    return f"{base}/{path}"


def body(digest: Digest, base: str) -> str:
    """Write the email: greeting, the counts, a link per entry, and why it says no more."""
    lines = [
        f"Hello {digest.name},",
        "",
        f"Your Careloop day, {digest.as_of:%A %-d %B %Y}: {summary(digest)}.",
        "",
    ]
    sections = (
        ("Overdue", digest.overdue),
        ("Due today", digest.due_today),
        ("Challenged", digest.challenges),
        ("Newly given to you", digest.new_assignments),
        ("Waiting for your check", digest.waiting_check),
        ("Waiting for your sign-off", digest.waiting_sign_off),
        ("Yours, waiting for sign-off", digest.sign_off_pending),
        ("Overdue in your services", digest.services_overdue),
    )
    for title, entry_ids in sections:
        if entry_ids:
            lines.append(f"{title}:")
            lines += [f"  Entry {str(i)[:8]}: {_entry_link(base, digest, i)}" for i in entry_ids]
            lines.append("")
    if digest.findings_waiting:
        lines += [f"Findings to triage: {base}/#/desk/inbox", ""]
    if digest.reviews_due:
        lines += [f"Reviews: {base}/#/desk/reviews", ""]
    lines += [
        f"Open Careloop: {base}/#/my-day",
        "",
        "This email gives counts and links only: what the entries say stays in Careloop, "
        "behind your login, because email is not a safe place for details of the people "
        "we support.",
        "You get this summary because you asked for it. To stop it, untick "
        '"Email me a daily summary" on My day.',
    ]
    return "\n".join(lines) + "\n"


def _moment(today: date | None) -> datetime:
    now = utcnow()
    if today is None or london_date(now) == today:
        return now
    return datetime.combine(today, time(DIGEST_HOUR), tzinfo=LONDON).astimezone(UTC)


def recipients() -> list[User]:
    """Active people who chose the daily digest, in a stable order."""
    return list(
        db.session.scalars(
            db.select(User)
            .where(User.active.is_(True), User.digest_opt_in.is_(True))
            .order_by(User.email)
        )
    )


def send_digests(today: date | None = None) -> int:
    """Email each opted-in person with something waiting; return how many were sent.

    Sends nothing (and returns 0) when SMTP is not configured. ``today`` defaults to the
    current Europe/London day.
    """
    if not mail_configured():
        return 0
    now = _moment(today)
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    outgoing = []
    for user in recipients():
        digest = digest_for(user, now)
        if not digest.is_empty():
            outgoing.append(message(user.email, f"Careloop: {summary(digest)}", body(digest, base)))
    if not outgoing:
        return 0
    sent = 0
    with smtp_connection() as smtp:
        for msg in outgoing:
            try:
                smtp.send_message(msg)
                sent += 1
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
                # One refused address must not stop everyone else's digest.
                log.warning("Digest to %s refused: %s", msg["To"], exc)
    return sent
