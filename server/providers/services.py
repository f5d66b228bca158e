"""Service settings and the provider's thresholds: who may see them, who may change them."""

from sqlalchemy import func

from server.accounts.permissions import require, service_ids_for
from server.audit import services as audit
from server.audit.models import AuditEvent
from server.audit.services import Actor
from server.errors import Conflict, Forbidden, Invalid
from server.extensions import db
from server.providers.models import DEFAULT_THRESHOLDS, Provider, Service
from server.providers.schemas import THRESHOLD_RANGES, ServiceSettingsSchema

CONFIGURABLE = (
    "areas",
    "routines",
    "question_sets",
    "escalation_criteria",
    "safeguarding_steps",
)
RISK_ORDER = ("high", "medium", "low")


def visible_services(user, action: str = "service.read") -> list[Service]:
    """Return the services of the user's provider where they may do ``action``."""
    return services_of(user.provider_id, service_ids_for(user, action))


def services_of(provider_id, ids=None) -> list[Service]:
    """Return the provider's services by name: only those of ``ids`` unless it is None."""
    query = db.select(Service).where(Service.provider_id == provider_id)
    if ids is not None:
        query = query.where(Service.id.in_(list(ids)))
    return list(db.session.scalars(query.order_by(Service.name, Service.id)))


def people_of(service: Service) -> list[dict]:
    """Return the active staff who work in ``service`` (a role in it, or provider-wide),
    with their roles there: who an entry can be given to, or who checked evidence."""
    from server.accounts.models import Membership, User
    from server.accounts.permissions import roles_in

    users = db.session.scalars(
        db.select(User)
        .where(User.provider_id == service.provider_id, User.active.is_(True))
        .where(
            User.id.in_(
                db.select(Membership.user_id).where(
                    (Membership.service_id == service.id) | Membership.service_id.is_(None)
                )
            )
        )
        .order_by(User.display_name)
    )
    people = []
    for user in users:
        roles = sorted(roles_in(user, service))
        if roles and roles != ["provider_admin"]:
            people.append({"id": user.id, "display_name": user.display_name, "roles": roles})
    return people


def names_of(user_ids) -> dict:
    """Return {user id: display name} for the ids given (None among them is skipped)."""
    from server.accounts.models import User

    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return dict(
        db.session.execute(db.select(User.id, User.display_name).where(User.id.in_(ids))).all()
    )


def threshold_table(provider: Provider) -> dict:
    """Return every threshold (defaults filled in), the defaults, which were changed, and
    the table's version."""
    own = provider.thresholds or {}
    return {
        "thresholds": provider.threshold_table(),
        "defaults": DEFAULT_THRESHOLDS,
        "customised": sorted(name for name in DEFAULT_THRESHOLDS if own.get(name) is not None),
        "version": thresholds_version(provider),
    }


def threshold_events(provider: Provider):
    """Return a select of the audit events that changed the provider's threshold table."""
    return db.select(AuditEvent).where(
        AuditEvent.entity_type == "provider",
        AuditEvent.entity_id == str(provider.id),
        AuditEvent.action == "configure_thresholds",
    )


def thresholds_version(provider: Provider) -> int:
    """Return the table's version: 1, plus one for each recorded change of it.

    The provider row has no version column; its audit trail counts the changes instead."""
    events = threshold_events(provider).subquery()
    return 1 + db.session.scalar(db.select(func.count()).select_from(events))


def service_settings(service: Service) -> dict:
    """Return the service with its lists and its provider's threshold table."""
    return {
        **{key: getattr(service, key) for key in ("id", "provider_id", "name", "kind", "version")},
        "areas": service.areas or [],
        "routines": service.routines or [],
        "question_sets": service.question_sets or [],
        "escalation_criteria": service.escalation_criteria or "",
        "safeguarding_steps": service.safeguarding_steps or "",
        "thresholds": threshold_table(service.provider),
    }


def configure_service(actor: Actor, service: Service, base_version: int, changes: dict) -> Service:
    """Change a service's areas, routines, question sets, escalation criteria or
    safeguarding steps."""
    require(actor.user, "service.configure", service)
    if base_version != service.version:
        raise Conflict(
            "These settings were changed by someone else since you loaded them. "
            "Review the current settings and make your change again.",
            current=ServiceSettingsSchema().dump(service_settings(service)),
        )
    unknown = set(changes) - set(CONFIGURABLE)
    if unknown:
        raise Invalid(
            "These settings cannot be changed here.",
            {name: "Not a service setting." for name in sorted(unknown)},
        )
    _check_unique_names(changes)
    _check_question_sets(changes.get("question_sets"))
    changed = audit.apply_changes(service, changes)
    if changed:
        audit.record(actor, "service", service.id, "configure", changed, service_id=service.id)
        db.session.flush()
    return service


def _check_unique_names(changes: dict) -> None:
    for field in ("areas", "routines"):
        seen: set[str] = set()
        for index, name in enumerate(changes.get(field) or []):
            if name.casefold() in seen:
                raise Invalid(f"{name} is listed twice.", {f"{field}.{index}": "Listed twice."})
            seen.add(name.casefold())


def _check_question_sets(question_sets: list | None) -> None:
    """Set ids and question ids must be unique: a feedback finding names its question by id."""
    set_ids: set[str] = set()
    question_ids: set[str] = set()
    for s, qs in enumerate(question_sets or []):
        if qs["id"] in set_ids:
            raise Invalid(
                f"Question set id {qs['id']} is used twice.",
                {f"question_sets.{s}.id": "Used twice."},
            )
        set_ids.add(qs["id"])
        for q, question in enumerate(qs["questions"]):
            if question["id"] in question_ids:
                raise Invalid(
                    f"Question id {question['id']} is used twice; every question needs its own id.",
                    {f"question_sets.{s}.questions.{q}.id": "Used twice."},
                )
            question_ids.add(question["id"])


def provider_of(user) -> Provider:
    """Return the user's provider if they may see its settings (any role in it)."""
    ids = service_ids_for(user, "service.read")
    if ids is not None and not ids:
        raise Forbidden("Your role does not allow this (service.read).", action="service.read")
    return db.session.get(Provider, user.provider_id)


def own_provider(user) -> Provider:
    """The user's provider, with no check of what they may see of it."""
    return db.session.get(Provider, user.provider_id)


def require_provider_configure(user) -> None:
    """Raise Forbidden unless the user holds a provider-wide role that may change settings."""
    if service_ids_for(user, "provider.configure") is not None:
        raise Forbidden(
            "Only the nominated individual, the provider quality lead or a "
            "provider admin may change the thresholds.",
            action="provider.configure",
        )


def locked_provider(user) -> Provider:
    """The user's provider, its row locked (PostgreSQL; SQLite's write lock is taken at
    BEGIN) so that a change checked against it cannot interleave with another."""
    query = db.select(Provider).where(Provider.id == user.provider_id).with_for_update()
    return db.session.scalars(query).one()


def set_thresholds(actor: Actor, changes: dict, base_version: int | None = None) -> Provider:
    """Change some of the provider's thresholds; None puts one back to its default.

    With ``base_version``, a table changed by someone else since is refused (409)."""
    require_provider_configure(actor.user)
    provider = locked_provider(actor.user)
    if base_version is not None and base_version != thresholds_version(provider):
        raise Conflict(
            "Someone else changed the thresholds while you were editing them. Here is the "
            "current table: check it and make your change again.",
            current=threshold_table(provider),
        )
    old = dict(provider.thresholds or {})
    new = dict(old)
    for name, value in changes.items():
        _check_threshold(name, value)
        if name == "escalation_hours" and value is not None:
            value = _merge_hours(old.get(name) or {}, value)
        if value is None:
            new.pop(name, None)
        else:
            new[name] = value
    _check_escalation_order({**DEFAULT_THRESHOLDS, **new}["escalation_hours"])
    if new != old:
        provider.thresholds = new
        changed = {
            n: [old.get(n), new.get(n)] for n in DEFAULT_THRESHOLDS if old.get(n) != new.get(n)
        }
        audit.record(actor, "provider", provider.id, "configure_thresholds", changed)
        db.session.flush()
    return provider


def _merge_hours(current: dict, sent: dict) -> dict | None:
    merged = {**DEFAULT_THRESHOLDS["escalation_hours"], **current}
    for risk, hours in sent.items():
        merged[risk] = DEFAULT_THRESHOLDS["escalation_hours"][risk] if hours is None else hours
    return None if merged == DEFAULT_THRESHOLDS["escalation_hours"] else merged


def _check_threshold(name: str, value) -> None:
    """Check a setting's type and range (the schema does too; this guards other callers)."""
    if name not in THRESHOLD_RANGES:
        raise Invalid(f"{name} is not a threshold.", {name: "Unknown threshold."})
    if value is None:
        return
    low, high = THRESHOLD_RANGES[name]
    items = value.items() if name == "escalation_hours" else [(None, value)]
    if name == "escalation_hours" and (not isinstance(value, dict) or set(value) - set(RISK_ORDER)):
        raise Invalid(
            "Escalation hours are set per risk level: low, medium, high.",
            {name: "Give hours for low, medium and high."},
        )
    for risk, number in items:
        field = f"{name}.{risk}" if risk else name
        if number is None and risk:
            continue
        if isinstance(number, bool) or not isinstance(number, int) or not low <= number <= high:
            raise Invalid(
                f"{field} must be a whole number from {low} to {high}.",
                {field: f"A whole number from {low} to {high}."},
            )


def _check_escalation_order(hours: dict) -> None:
    for quicker, slower in zip(RISK_ORDER, RISK_ORDER[1:], strict=False):
        if hours[quicker] > hours[slower]:
            raise Invalid(
                f"{quicker.title()}-risk findings must be escalated no later than {slower}-risk "
                f"ones ({hours[slower]} hours).",
                {f"escalation_hours.{quicker}": f"At most {hours[slower]} hours."},
            )
