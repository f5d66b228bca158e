"""The provider's sign-in settings: idle timeout and lifetime of sessions, whether desk
and admin roles must sign in with a second factor, and how soon an idle tablet locks
(docs/thresholds.md, "Sign-in settings").

A change applies to sessions started after it: each session keeps the limits it was
given at sign-in (server/accounts/sessions.py).
"""

from marshmallow import Schema, fields

from server.audit import services as audit
from server.audit.services import Actor
from server.extensions import db
from server.providers.models import DEFAULT_SETTINGS, Provider
from server.providers.schemas import whole_in
from server.providers.services import locked_provider, require_provider_configure

RANGES = {
    "desk_idle_minutes": (5, 240),
    "desk_lifetime_hours": (1, 24),
    "device_sync_idle_minutes": (5, 720),
    "device_sync_lifetime_hours": (1, 24),
    "tablet_lock_minutes": (1, 60),
    "device_credential_idle_days": (1, 90),
}


def _whole(name: str) -> fields.Integer:
    return whole_in(RANGES, name)


class SignInSettingsPatchSchema(Schema):
    """Only the settings sent change; null puts a setting back to its default."""

    desk_idle_minutes = _whole("desk_idle_minutes")
    desk_lifetime_hours = _whole("desk_lifetime_hours")
    device_sync_idle_minutes = _whole("device_sync_idle_minutes")
    device_sync_lifetime_hours = _whole("device_sync_lifetime_hours")
    device_credential_idle_days = _whole("device_credential_idle_days")
    second_factor_required = fields.Boolean(allow_none=True)
    tablet_lock_minutes = _whole("tablet_lock_minutes")


class SignInSettingsSchema(Schema):
    settings = fields.Dict(metadata={"description": "Every setting, defaults filled in."})
    defaults = fields.Dict()


def table(provider: Provider) -> dict:
    return {"settings": provider.settings_table(), "defaults": dict(DEFAULT_SETTINGS)}


def change(actor: Actor, changes: dict) -> Provider:
    """Change some of the provider's sign-in settings; None puts one back to its default."""
    require_provider_configure(actor.user)
    provider = locked_provider(actor.user)
    old = dict(provider.settings or {})
    # None puts a setting back to its default: it is no longer stored.
    new = {n: v for n, v in {**old, **changes}.items() if v is not None}
    if new != old:
        provider.settings = new
        changed = {
            n: [old.get(n), new.get(n)] for n in DEFAULT_SETTINGS if old.get(n) != new.get(n)
        }
        audit.record(actor, "provider", provider.id, "configure_sign_in", changed)
        db.session.flush()
    return provider
