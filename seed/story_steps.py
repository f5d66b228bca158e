"""The shared steps of the demo's stories (seed.story, seed.story_hearing_aid,
seed.story_visibility, seed.escalation): scheduling by day offset, the marks that name what a
later act works on, and the acts on a marked entry."""

from datetime import timedelta

from seed import acts
from server.common import dates

A = "ash"


def on_days(sim):
    """Return at(offset, "HH:MM", act, *args): schedule an act so many days from today."""

    def at(offset: int, hhmm: str, act, *args):
        sim.at(sim.day(offset), hhmm, act, *args)

    return at


def room(sim) -> str:
    return f"Room {sim.rng.randint(1, 40)}, {sim.fake.first_name()[0]}{sim.fake.last_name()[0]}"


def reserve(sim, *found) -> None:
    sim.marks.setdefault("reserved", set()).update(f.id for f in found)


def keep(sim, name: str, *found) -> None:
    sim.marks.setdefault(name, []).extend(found)
    reserve(sim, *found)


def note(sim, name, by, body) -> None:
    acts.note(sim, sim.marks[name], by, body)


def move(sim, name, by, action, reason=None) -> None:
    acts.move(sim, sim.marks[name], by, action, reason)


def evidence(sim, name, by, kind, location, days_ago=0, checked_by=None) -> None:
    acts.evidence(
        sim, sim.marks[name], by, kind, location, days_ago=days_ago, checked_by=checked_by
    )


def carry(sim, name, by, days, reason) -> None:
    entry = sim.marks[name]
    acts.change(sim, entry, by, reason, due_date=dates.london_today() + timedelta(days=days))


def acts_measure(sim, which: str) -> None:
    spec = {
        "follow_up": (
            "ash.rm",
            "90% of follow-up actions completed within timescale",
            "follow_ups_within_timescale",
            62.0,
            90.0,
            -56,
            6,
        ),
        "visibility": (
            "ash.rm",
            "85% positive feedback on leadership visibility",
            "positive_visibility_feedback",
            48.0,
            85.0,
            -49,
            8,
        ),
        "escalation": (
            "pql",
            "100% of high-risk audit findings with a recorded escalation decision",
            "high_risk_audit_escalation",
            40.0,
            100.0,
            -35,
            6,
        ),
    }[which]
    sim.marks[f"measure_{which}"] = acts.measure(sim, A, *spec)
