"""Which services a report covers and which calendar month: both checked before any query."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from server.common.access import service_scope
from server.common.dates import day_start, london_today
from server.errors import Invalid
from server.extensions import db
from server.providers.models import Provider, Service
from server.providers.services import services_of

ACTION = "report.read"


@dataclass(frozen=True)
class Month:
    """A calendar month (Europe/London) and the day its figures are counted at.

    ``as_of`` is the month's last day, or today while the month is still running;
    ``start`` and ``end`` are the UTC instants bounding the month up to the end of ``as_of``.
    """

    first: date
    last: date
    as_of: date

    @property
    def start(self) -> datetime:
        return day_start(self.first)

    @property
    def end(self) -> datetime:
        return day_start(self.as_of + timedelta(days=1))

    @property
    def label(self) -> str:
        return f"{self.first:%B %Y}"

    @property
    def code(self) -> str:
        return f"{self.first:%Y-%m}"


def month_of(first: date, today: date | None = None) -> Month:
    """Return the Month starting on ``first``; a month that has not begun is refused."""
    today = today or london_today()
    first = first.replace(day=1)
    if first > today:
        raise Invalid(
            "Choose a month that has begun: a report counts what has happened.",
            {"month": f"{first:%B %Y} has not begun yet."},
        )
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return Month(first, last, min(last, today))


def last_month(today: date | None = None) -> date:
    """Return the first day of the month before ``today``'s."""
    today = today or london_today()
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


@dataclass(frozen=True)
class ReportScope:
    """The provider and the services (by name) one report covers."""

    provider: Provider
    services: dict[uuid.UUID, Service]
    whole_provider: bool

    @property
    def ids(self) -> list[uuid.UUID]:
        return list(self.services)

    def name(self, service_id) -> str:
        return self.services[service_id].name

    @property
    def title(self) -> str:
        if not self.whole_provider:
            return ", ".join(s.name for s in self.services.values())
        return self.provider.name


def report_scope(user, service_id=None, action: str = ACTION) -> ReportScope:
    """Return the services ``user`` may report on: one (checked), or all they may read.

    Another provider's service answers 404; a service of the user's provider outside their
    role answers 403; "whole provider" for a registered manager means their own services.
    """
    provider = db.session.get(Provider, user.provider_id)
    ids = service_scope(user, service_id, action, "Your role does not allow printing reports")
    if service_id is not None:
        service = db.session.get(Service, ids[0])
        return ReportScope(provider, {service.id: service}, whole_provider=False)
    services = {s.id: s for s in services_of(provider.id, ids)}
    return ReportScope(provider, services, whole_provider=True)
