"""The hearing aid at Ashdown House: a follow-up carried forward twice while the family
chases (early warnings)."""

from seed import acts
from seed.acts import finding_item as item
from seed.story_steps import (
    A,
    carry,
    keep,
    move,
    reserve,
)
from server.findings.services import link


def schedule_hearing_aid(sim, at) -> None:
    """A follow-up carried forward twice while the family chases (early warnings)."""
    at(-34, "11:00", hearing_aid_finding)
    at(-33, "15:30", hearing_aid_entry)
    at(-32, "10:00", move, "hearing_aid", "ash.coord", "start")
    at(
        -26,
        "16:00",
        carry,
        "hearing_aid",
        "ash.deputy",
        14,
        "Audiology clinic has no appointment until the 12th; booked the first slot.",
    )
    at(-20, "14:20", chasing_feedback, "No, I had to ring twice to find out about the hearing aid.")
    at(
        -12,
        "16:00",
        carry,
        "hearing_aid",
        "ash.deputy",
        16,
        "The repair was sent away at the clinic; the hearing aid comes back next week.",
    )
    at(
        -12,
        "16:05",
        add_interim,
        "hearing_aid",
        "Key worker checks the spare hearing aid is fitted every morning and notes it in the "
        "daily record.",
    )
    at(-6, "14:30", chasing_feedback, "Still no news about the hearing aid repair.")


def hearing_aid_finding(sim) -> None:
    found = acts.record(
        sim,
        A,
        "ash.key",
        item(
            sim,
            "walkaround_issue",
            "Office",
            "Hearing aid repair for Room 7, MT not arranged after the audiology appointment",
            action="Rang audiology; no slot this week",
            risk="medium",
            follow_up=True,
            people="Room 7, MT",
            source="appointment",
        ),
    )
    keep(sim, "hearing_aid_findings", found)


def hearing_aid_entry(sim) -> None:
    entry = acts.draft(
        sim,
        A,
        "ash.deputy",
        sim.marks["hearing_aid_findings"],
        source="appointment",
        concern="Hearing aid repair for Room 7, MT not arranged after the audiology appointment.",
        decision="Care coordinator to book the audiology repair and record the date in the "
        "care record and the family contact log.",
        due_date=sim.day(-26),
        evidence_needed="Care record entry with the repair date; family contact log.",
        statement_ids=["saf-2023:R2", "saf-2023:E3"],
    )
    sim.marks["hearing_aid"] = entry
    acts.assign_and_open(sim, entry, "ash.duty", "ash.coord")


def chasing_feedback(sim, answer: str) -> None:
    found = acts.record(
        sim,
        A,
        "ash.key",
        item(
            sim,
            "feedback",
            "Handover",
            f"Relative of Room 7 chasing: {answer}",
            risk="medium",
            follow_up=True,
            people="Relative of Room 7, MT",
            respondent_type="relative",
            question_id="fu-1",
            answer=answer,
            sentiment="negative",
        ),
    )
    reserve(sim, found)
    link(sim.actor("ash.deputy"), [found], sim.marks["hearing_aid"])


def add_interim(sim, name: str, controls: str) -> None:
    acts.change(sim, sim.marks[name], "ash.deputy", interim_controls=controls)
