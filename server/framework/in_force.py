"""The framework in force: the CQC framework version a provider works to.

It is a provider setting (``provider.framework_id``; empty means DEFAULT_FRAMEWORK, the
2023 quality statements that are in force now). Everything that defaults a framework uses
it: the evidence pack, the statement pickers and the statement suggestions.
"""

from server.accounts.permissions import service_ids_for
from server.audit import services as audit
from server.audit.services import Actor
from server.errors import Forbidden
from server.extensions import db
from server.framework.models import Framework
from server.framework.services import DEFAULT_FRAMEWORK, get_framework
from server.providers.models import Provider
from server.providers.services import locked_provider


def framework_in_force(provider: Provider | None) -> str:
    """The id of the framework version ``provider`` has set as in force, or the default."""
    chosen = provider.framework_id if provider is not None else None
    if chosen and db.session.get(Framework, chosen) is not None:
        return chosen
    return DEFAULT_FRAMEWORK


def provider_of_user(user) -> Provider:
    return db.session.get(Provider, user.provider_id)


def framework_of_user(user) -> str:
    """The framework in force for ``user``'s provider."""
    return framework_in_force(provider_of_user(user))


def or_in_force(user, framework_id: str | None) -> str:
    """``framework_id`` when one was asked for, else the one in force for the user."""
    return framework_id or framework_of_user(user)


def setting(provider: Provider) -> dict:
    """The setting as the API answers it."""
    return {
        "framework": framework_in_force(provider),
        "default": DEFAULT_FRAMEWORK,
        "changed": framework_in_force(provider) != DEFAULT_FRAMEWORK,
    }


def set_in_force(actor: Actor, framework_id: str | None) -> Provider:
    """Set the provider's framework in force (None: back to the default); audited."""
    if service_ids_for(actor.user, "provider.configure") is not None:
        raise Forbidden(
            "Only the nominated individual, the provider quality lead or a provider admin "
            "may choose the framework in force.",
            action="provider.configure",
        )
    if framework_id:
        get_framework(framework_id)
    provider = locked_provider(actor.user)
    new = None if framework_id in (None, "", DEFAULT_FRAMEWORK) else framework_id
    old = provider.framework_id
    if new != old:
        provider.framework_id = new
        change = [old or DEFAULT_FRAMEWORK, new or DEFAULT_FRAMEWORK]
        audit.record(actor, "provider", provider.id, "configure_framework", {"framework": change})
        db.session.flush()
    return provider
