"""The article's example 2 at Ashdown House: inconsistent senior presence at peak routines,
visibility rounds and feedback samples, measured against 85% positive feedback."""

from seed import acts
from seed.acts import finding_item as item
from seed.routine import positive_share
from seed.story_hearing_aid import add_interim
from seed.story_steps import (
    A,
    acts_measure,
    carry,
    evidence,
    move,
    note,
    room,
)


def schedule_example_2(sim, at) -> None:
    at(-52, "11:00", example_2_baseline)
    at(-51, "09:00", move, "ex2", "ash.rm", "open")
    at(-50, "09:05", move, "ex2", "ash.rm", "start")
    at(
        -50,
        "09:15",
        note,
        "ex2",
        "ash.rm",
        "Priority times agreed: 07:30-09:30, 12:00-13:30 "
        "and 16:30-18:00. Senior cover allocated in the weekly management diary.",
    )
    at(-49, "09:30", acts_measure, "visibility")
    for offset in range(-48, 0):
        if sim.day(offset).weekday() in (0, 2, 3):
            at(offset, sim.rng.choice(("08:20", "12:40", "17:10")), senior_round, offset)
    for offset in range(-48, 0):
        if sim.day(offset).weekday() in (1, 4):
            at(offset, "11:30", visibility_sample, offset)
    for offset in (-30, -16, -2):
        at(
            offset,
            "15:10",
            evidence,
            "ex2",
            "ash.deputy",
            "feedback",
            "Care review notes: sampled people asked whether support feels more responsive "
            "at busy times",
            0,
            "ash.key",
        )
    at(
        -24,
        "16:00",
        carry,
        "ex2",
        "ash.rm",
        31,
        "The eight-week feedback measure runs to its deadline; sustained change needs the "
        "full period of feedback.",
    )
    at(
        -19,
        "10:00",
        note,
        "ex2",
        "ash.rm",
        "After the provider's challenge: the senior on "
        "the floor now carries the bleep and records each issue found and how it was "
        "resolved in the visibility log.",
    )
    at(
        -19,
        "10:05",
        add_interim,
        "ex2",
        "Duty manager covers the lounge at teatime until the new rota starts.",
    )
    at(
        -9,
        "15:00",
        evidence,
        "ex2",
        "ash.rm",
        "observation",
        "Management visibility log, weeks 1 to 6",
        0,
        "ash.senior",
    )


def example_2_baseline(sim) -> None:
    service = sim.services[A]
    found = [
        f
        for f in acts.new_findings(service, kind="feedback")
        if f.sentiment == "negative" and (f.question_id or "").startswith("vis")
    ]
    found += acts.new_findings(service, kind="visibility_check", follow_up=True)[:2]
    entry = acts.draft(
        sim,
        A,
        "ash.deputy",
        found,
        source="feedback",
        concern="Staff and people we support say senior staff are not visible at peak "
        "routines (morning routine, lunchtime, teatime), which affects confidence "
        "and response times: 48% positive feedback on leadership visibility over "
        "four weeks.",
        decision="Registered manager to allocate a named senior to the floor at 07:30-09:30, "
        "12:00-13:30 and 16:30-18:00 every day and record it in the weekly "
        "management diary; senior carer to record each floor session in the "
        "management visibility log.",
        owner_id=sim.user_id("ash.rm"),
        due_date=sim.day(-24),
        evidence_needed="Management visibility log, key worker feedback samples and "
        "call-bell response times at peak routines.",
        statement_ids=["saf-2023:W2", "saf-2023:C4", "saf-2023:R4"],
    )
    sim.marks["ex2"] = sim.marks["visibility_entry"] = entry


def visibility_sample(sim, offset: int) -> None:
    """The key worker asks sampled people whether help comes quickly at busy times."""
    rng = sim.rng
    for n in range(3):
        positive = rng.random() < positive_share(A, "vis-2", offset)
        answer = (
            rng.choice(
                (
                    "Yes, someone came straight away",
                    "Much better at breakfast now",
                    "Yes, the senior was on the floor",
                )
            )
            if positive
            else rng.choice(
                ("I waited a long time at teatime", "Not at lunchtime, they were all busy")
            )
        )
        who = room(sim)
        acts.record(
            sim,
            A,
            "ash.key",
            item(
                sim,
                "feedback",
                rng.choice(("Morning routine", "Lunchtime", "Teatime")),
                f"Sampled at a peak routine: {answer}",
                people=who,
                minutes_ago=30 - 10 * n,
                respondent_type="person_supported",
                question_id="vis-2",
                answer=answer,
                sentiment="positive" if positive else "negative",
            ),
        )


def senior_round(sim, offset: int) -> None:
    """Floor-based leadership time at a peak routine, filed in the visibility log."""
    rng = sim.rng
    routine = rng.choice(("Morning routine", "Lunchtime", "Teatime"))
    issue = rng.random() < (0.5 if offset < -19 else 0.35)
    if issue:
        description, action = rng.choice(
            (
                (
                    "Two call bells over five minutes on the first floor",
                    "Answered one, redeployed a carer to the other",
                ),
                (
                    "Breakfast running late in the dining room",
                    "Served with the team and moved the tea round",
                ),
                (
                    "Agency carer unsure of the choking plan for {room}",
                    "Went through the plan at the bedside",
                ),
            )
        )
        found = item(
            sim,
            "visibility_check",
            routine,
            description.format(room=room(sim)),
            action=action,
            risk="low",
        )
    else:
        found = item(
            sim,
            "visibility_check",
            routine,
            "Senior on the floor through the "
            f"{routine.lower()}; no issues raised by staff or people",
            action="None needed",
        )
    acts.walk(
        sim,
        A,
        "ash.senior",
        [found],
        kind="visibility_round",
        areas=[routine],
        minutes=60,
        notes="Floor-based leadership time (management visibility log)",
    )
