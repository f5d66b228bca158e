"""The source article's three operational examples, played out at Ashdown House.

1. Repeated missed follow-up actions: the registered manager records the baseline, the
   duty manager names owners before shift end, the care coordinator checks the next
   working day, the provider quality lead reviews the trend; measure: 90% of follow-up
   actions completed within timescale in six weeks.
2. Inconsistent senior presence at peak routines: the deputy gathers feedback, the
   registered manager allocates senior cover, the senior carer files visibility rounds, the
   key worker samples people, the nominated individual challenges; measure: 85% positive
   feedback on leadership visibility in eight weeks.
3. Weak audit escalation: the provider quality lead samples audits, the registered manager
   records escalation criteria, the deputy records a decision on every high-risk audit
   finding, the nominated individual signs off or challenges; measure: 100% of high-risk
   audit findings with a recorded escalation decision in six weeks.

Day offsets count back from today (0). Example 3 is in seed.escalation; seed.signals adds
the other early warnings.
"""

from datetime import timedelta

from seed import acts
from seed.acts import finding_item as item
from seed.routine import positive_share
from server.common import dates
from server.findings.services import link

A = "ash"
FOLLOW_UP_SOURCES = [
    (
        "appointment",
        "Office",
        "GP review for {room} requested on Monday was not booked; no owner on the handover sheet",
        "Booked the GP review and named the owner",
    ),
    (
        "incident",
        "Bedrooms – ground floor",
        "Post-fall observations for {room} not completed after Tuesday's fall",
        "Observations restarted and recorded",
    ),
    (
        "family_communication",
        "Office",
        "Daughter of {room} rang twice about the optician appointment; no call back logged",
        "Called back and logged the call",
    ),
    (
        "handover",
        "Handover",
        "Three follow-up actions from the weekend handover still not done on Wednesday",
        "Reassigned the three actions on the handover sheet",
    ),
]


def schedule(sim) -> None:
    """Put the three examples on the agenda."""
    at = on_days(sim)
    for n, (offset, hhmm) in enumerate(
        ((-66, "08:40"), (-64, "08:35"), (-62, "08:50"), (-60, "08:45"))
    ):
        at(offset, hhmm, baseline_follow_up_finding, n)
    at(-58, "10:00", example_1_baseline)
    at(-57, "09:10", acts_measure, "follow_up")
    at(
        -55,
        "14:00",
        note,
        "ex1",
        "ash.deputy",
        "Missed actions grouped by source for the quality assurance summary: appointments 5, "
        "incidents 3, family communication 4, handovers 6.",
    )
    at(-55, "14:05", move, "ex1", "ash.deputy", "start")
    for n, (offset, rate) in enumerate(
        ((-50, 68), (-43, 74), (-36, 81), (-29, 86), (-22, 91), (-15, 93))
    ):
        at(offset, "16:00", weekly_audit, n + 1, rate)
        at(
            offset + 1,
            "10:30",
            note,
            "ex1",
            "ash.coord",
            "Next-day completion check: "
            f"{rate // 10} of 10 follow-ups complete; the rest recorded as unresolved with owners.",
        )
    at(
        -40,
        "11:00",
        note,
        "ex1",
        "ash.rm",
        "Repeated missed actions by two night carers escalated through supervision.",
    )
    at(
        -38,
        "15:00",
        evidence,
        "ex1",
        "ash.rm",
        "staff_practice_check",
        "Supervision records, night staff (personnel files)",
    )
    at(
        -15,
        "16:30",
        carry,
        "ex1",
        "ash.rm",
        7,
        "Next-day checks only reached nights in week 5; one more weekly audit to show the "
        "90% is held.",
    )
    at(
        -8,
        "14:00",
        evidence,
        "ex1",
        "ash.deputy",
        "handover_record",
        "Handover book and daily management record, weeks 6 to 12",
    )
    at(-8, "14:10", move, "ex1", "ash.deputy", "mark_done")
    at(
        -7,
        "10:30",
        note,
        "ex1",
        "ash.coord",
        "Checked: owners named for every follow-up "
        "in the daily management record for the last three weeks.",
    )
    at(-6, "11:30", move, "ex1", "ash.rm", "close")
    _hearing_aid(sim, at)
    _example_2(sim, at)
    _provider_reviews(at)


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


# ---- acts shared by the examples ------------------------------------------------------


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


# ---- example 1: missed follow-up actions ------------------------------------------------


def baseline_follow_up_finding(sim, n: int) -> None:
    source, area, text, action = FOLLOW_UP_SOURCES[n]
    found = acts.record(
        sim,
        A,
        "ash.rm",
        item(
            sim,
            "walkaround_issue",
            area,
            text.format(room=room(sim)),
            action=action,
            risk="medium",
            follow_up=True,
            source=source,
            minutes_ago=30,
        ),
    )
    keep(sim, "ex1_findings", found)


def example_1_baseline(sim) -> None:
    entry = acts.draft(
        sim,
        A,
        "ash.rm",
        sim.marks["ex1_findings"],
        source="daily_management_check",
        concern="Follow-up actions from appointments, incidents and handovers are not "
        "completed on time: daily management checks found repeated missed follow-ups "
        "(62% completed within timescale over the last four weeks).",
        decision="Duty manager to assign every new follow-up action to a named staff member "
        "before shift end and record the owner in the daily management record; care "
        "coordinator to check completion the next working day and record unresolved "
        "items in this log.",
        owner_id=sim.user_id("ash.deputy"),
        due_date=sim.day(-14),
        evidence_needed="Weekly audit of daily logs, handover records and appointment "
        "follow-ups showing 90% completed within timescale; next-day "
        "completion check sheets.",
        statement_ids=["saf-2023:W5", "saf-2023:S2", "saf-2023:E3"],
    )
    sim.marks["ex1"] = entry
    acts.move(sim, entry, "ash.rm", "open")


def weekly_audit(sim, week: int, rate: int) -> None:
    evidence(
        sim,
        "ex1",
        "ash.deputy",
        "audit",
        f"Quality assurance folder: weekly follow-up audit, week {week}",
    )
    note(
        sim,
        "ex1",
        "ash.deputy",
        f"Weekly audit of daily logs, handovers, appointment "
        f"follow-ups and family communication: {rate}% completed within timescale.",
    )


def _hearing_aid(sim, at) -> None:
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


# ---- example 2: inconsistent senior presence ---------------------------------------------


def _example_2(sim, at) -> None:
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


# ---- provider reviews at Ashdown -----------------------------------------------------------


def _provider_reviews(at) -> None:
    at(
        -78,
        "14:00",
        provider_review,
        "ni",
        [],
        "assurance",
        "First monthly review of the log: entries owned and dated.",
    )
    at(
        -50,
        "14:00",
        provider_review,
        "pql",
        [
            (
                "ex1",
                "assurance",
                "Completion trend 62% to 68%: next-day checks are starting to work.",
            )
        ],
        "assurance",
        "Follow-up completion improving; keep the weekly audits.",
    )
    at(
        -21,
        "14:00",
        provider_review,
        "ni",
        [
            ("ex1", "assurance", "Completion at 91% this week: controls effective."),
            (
                "ex2",
                "challenge",
                "The visibility log shows presence at peak times but few issues "
                "found or resolved: record what the senior found and what changed.",
            ),
            (
                "ex3",
                "assurance",
                "Criteria in the governance file; every new high-risk audit "
                "finding has a decision.",
            ),
        ],
        "challenge",
        "Visibility is scheduled presence without action; evidence of issues "
        "resolved needed by the next review.",
    )


def provider_review(sim, lead, items, outcome, comment) -> None:
    acts.review(
        sim,
        A,
        lead,
        "provider_monthly",
        outcome,
        comment,
        [(sim.marks[name], o, c) for name, o, c in items],
    )
    if lead == "pql" and items:
        evidence(
            sim,
            "ex1",
            "pql",
            "governance_minutes",
            "Provider governance minutes: follow-up completion trend reviewed",
        )
