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

Day offsets count back from today (0). Example 2 is in seed.story_visibility, example 3 in
seed.escalation, the hearing aid carried forward in seed.story_hearing_aid; seed.signals adds
the other early warnings.
"""

from seed import acts
from seed.acts import finding_item as item
from seed.data.story import FOLLOW_UP_SOURCES
from seed.story_hearing_aid import schedule_hearing_aid
from seed.story_steps import (
    A,
    acts_measure,
    carry,
    evidence,
    keep,
    move,
    note,
    on_days,
    room,
)
from seed.story_visibility import schedule_example_2


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
    schedule_hearing_aid(sim, at)
    schedule_example_2(sim, at)
    _provider_reviews(at)


# ---- acts shared by the examples ------------------------------------------------------


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


# ---- example 2: inconsistent senior presence ---------------------------------------------


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
