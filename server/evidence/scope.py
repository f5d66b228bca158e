"""What one evidence pack covers: a service of the provider, a period, a framework version
(by default the one in force) and, if chosen, some of its quality statements.

The pack is built from ``(provider, params)`` alone (services.build_pack), so that a job
can build it later without a request: ``params`` is plain JSON-able data,
``{"service_id": "<uuid>", "from": "YYYY-MM-DD", "to": "YYYY-MM-DD", "framework": "<id>" or
null, "statement_ids": ["<statement id>", ...]}``. Who may ask is checked before
(services.pack_request).
"""

from dataclasses import dataclass, field
from datetime import date

from server.common.access import as_uuid
from server.errors import Invalid, NotFound
from server.extensions import db
from server.framework.in_force import framework_in_force
from server.framework.models import Framework, QualityStatement
from server.framework.services import get_framework
from server.providers.models import Provider, Service

MAX_DAYS = 732


@dataclass
class PackScope:
    service: Service
    start: date
    end: date
    framework: Framework
    statements: list[QualityStatement] = field(default_factory=list)

    @property
    def filtered(self) -> bool:
        return bool(self.statements)

    @property
    def chosen_ids(self) -> set[str]:
        return {s.id for s in self.statements}

    def describe(self) -> dict:
        """What the pack covers, as its cover and its JSON say it."""
        chosen = [f"{s.code} {s.title}" for s in self.statements]
        return {
            "statement_ids": [s.id for s in self.statements],
            "statements": chosen,
            "label": (
                "Quality statements chosen: " + "; ".join(chosen)
                if chosen
                else "Every quality statement of the framework"
            ),
            "routine": (
                "Routine low-risk actions are listed in a short table under their statement."
                if chosen
                else "Routine low-risk actions, once closed, are listed in a short table under "
                "their statement; everything else is printed in full."
            ),
        }


def check_period(start: date, end: date) -> None:
    """Refuse a period that ends before it starts, or is longer than two years."""
    if end < start:
        raise Invalid(
            "The period ends before it starts.", {"to": "Choose a date on or after the start date."}
        )
    if (end - start).days > MAX_DAYS:
        raise Invalid(
            "An evidence pack covers at most two years.",
            {"to": f"Choose a date at most {MAX_DAYS} days after the start date."},
        )


def _day(value, name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise Invalid(f"{name} is not a date.", {name: "Give a date as YYYY-MM-DD."}) from exc


def _statements(framework: Framework, ids) -> list[QualityStatement]:
    """The chosen statements, in the framework's order; Invalid naming one not of it."""
    ids = list(dict.fromkeys(ids or []))
    found = {
        s.id: s
        for s in db.session.scalars(
            db.select(QualityStatement).where(
                QualityStatement.id.in_(ids), QualityStatement.framework_id == framework.id
            )
        )
    }
    unknown = [i for i in ids if i not in found]
    if unknown:
        raise Invalid(
            f"Not a quality statement of {framework.name}: {', '.join(unknown)}.",
            {"statement_ids": f"Choose statements of the framework {framework.id}."},
        )
    return sorted(found.values(), key=lambda s: s.position)


def scope_of(provider: Provider, params: dict) -> PackScope:
    """Check ``params`` against ``provider`` and return what the pack covers."""
    service = db.session.get(Service, as_uuid(params.get("service_id"), "service"))
    if service is None or service.provider_id != provider.id:
        raise NotFound("There is no such service.", {"service_id": "No such service."})
    start, end = _day(params.get("from"), "from"), _day(params.get("to"), "to")
    check_period(start, end)
    framework = get_framework(params.get("framework") or framework_in_force(provider))
    return PackScope(
        service, start, end, framework, _statements(framework, params.get("statement_ids"))
    )
