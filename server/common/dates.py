"""Dates as care staff mean them: Europe/London calendar days, English working days."""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from server.common.types import utcnow

LONDON = ZoneInfo("Europe/London")


def london_date(moment: datetime) -> date:
    """Return the Europe/London calendar date of an aware moment."""
    return moment.astimezone(LONDON).date()


def london_today(now: datetime | None = None) -> date:
    return london_date(now or utcnow())


def day_start(day: date) -> datetime:
    """Return the UTC instant at which a Europe/London calendar day begins."""
    return datetime.combine(day, time(), LONDON).astimezone(UTC)


def as_of(today: date | None = None, now: datetime | None = None) -> tuple[date, datetime]:
    """Return (today, now): now by default; a past ``today`` means the end of that day."""
    if now is None:
        now = utcnow()
        if today is not None:
            now = min(now, day_start(today + timedelta(days=1)) - timedelta(microseconds=1))
    return (today or london_date(now)), now


def is_overdue(due: date | None, today: date) -> bool:
    """An entry is overdue from the day after its due date (DESIGN.md rule 8)."""
    return due is not None and today > due


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def next_working_day(day: date) -> date:
    """Return the first working day after ``day``."""
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def previous_working_day(day: date) -> date:
    day -= timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def add_working_days(day: date, count: int) -> date:
    for _ in range(count):
        day = next_working_day(day)
    return day
