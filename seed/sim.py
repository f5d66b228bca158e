"""A small discrete-event clock for the demo history.

Every simulated act (a walkaround, a triage, a closure) is scheduled at a London wall-clock
moment and run, in time order, inside ``clock_at`` so that the server stamps created-at,
received-at and audit times with the simulated moment. Acts go through the real service
functions: the demo's history is exactly what those rules allow, with its audit trail.
"""

import heapq
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from faker import Faker

from server.audit.services import Actor
from server.common.dates import LONDON
from server.common.types import clock_at
from server.extensions import db


@dataclass
class Sim:
    """The simulated clock, the agenda of acts to come, and the demo's cast."""

    today: date
    end: datetime  # nothing is scheduled after this instant (the real now, normally)
    days: int
    rng: random.Random
    fake: Faker
    people: dict = field(default_factory=dict)  # key -> User
    services: dict = field(default_factory=dict)  # key -> Service
    marks: dict = field(default_factory=dict)  # story records other acts look up
    _agenda: list = field(default_factory=list)
    _order: int = 0

    @property
    def first_day(self) -> date:
        return self.today - timedelta(days=self.days - 1)

    def day(self, offset: int) -> date:
        """Return the day ``offset`` days from today (negative: in the past)."""
        return self.today + timedelta(days=offset)

    def moment(self, day: date, hhmm: str) -> datetime:
        hours, minutes = (int(part) for part in hhmm.split(":"))
        return datetime.combine(day, time(hours, minutes), LONDON).astimezone(UTC)

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def actor(self, key: str) -> Actor:
        return Actor(self.people[key], channel="seed")

    def user_id(self, key: str) -> uuid.UUID:
        return self.people[key].id

    def at(self, day: date, hhmm: str, act, *args, **kwargs) -> None:
        """Schedule ``act(*args, **kwargs)`` at a London time; later than ``end`` is dropped."""
        self.at_moment(self.moment(day, hhmm), act, *args, **kwargs)

    def at_moment(self, moment: datetime, act, *args, **kwargs) -> None:
        if moment > self.end:
            return
        self._order += 1
        heapq.heappush(self._agenda, (moment, self._order, act, args, kwargs))

    def run(self) -> int:
        """Run every scheduled act in time order (acts may schedule more); return how many."""
        done = 0
        while self._agenda:
            moment, _order, act, args, kwargs = heapq.heappop(self._agenda)
            with clock_at(moment):
                try:
                    act(self, *args, **kwargs)
                    db.session.flush()
                except Exception as exc:
                    exc.add_note(
                        f"seed: {act.__module__}.{act.__name__} at {moment:%Y-%m-%d %H:%M}Z"
                    )
                    raise
            done += 1
        return done
