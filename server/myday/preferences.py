"""A person's own reminder preferences: whether to get the daily email digest."""

from server.audit.services import Actor, apply_changes, record
from server.common.mail import mail_configured
from server.extensions import db


def preferences(user) -> dict:
    """Return ``user``'s preferences and whether this server can send email at all."""
    return {"digest_opt_in": user.digest_opt_in, "email_configured": mail_configured()}


def set_preferences(actor: Actor, changes: dict) -> dict:
    """Change the acting person's own preferences (nobody sets another's), with history."""
    user = actor.user
    changed = apply_changes(user, changes)
    if changed:
        record(actor, "user", user.id, "preferences", changed)
        db.session.flush()
    return preferences(user)
