"""What managers and provider leaders oversee: early warnings and review cadence.

The two helpers below turn Europe/London calendar days into the UTC instants that the
database compares server-clock columns with (they belong in server.common.dates).
"""

from datetime import UTC, date, datetime, time, timedelta

from server.common.dates import LONDON, london_date
from server.common.types import utcnow


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
