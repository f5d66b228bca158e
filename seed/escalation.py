"""The article's example 3 at Ashdown House: weak audit escalation.

The provider quality lead samples audits and records the baseline, the registered manager
records escalation criteria, the deputy records a decision on every high-risk audit
finding (late ones after the baseline, the rest within a day), owners add source evidence,
and the nominated individual signs off or challenges; measure: 100% of high-risk audit
findings with a recorded escalation decision in six weeks.
"""

from seed import acts
from seed.acts import finding_item as item
from seed.story_steps import A, acts_measure, evidence, keep, move, note, on_days, room
from server.common import dates


def schedule(sim) -> None:
    """Put example 3 on the agenda."""
    _example_3(sim, on_days(sim))


AUDITS = [
    (
        -75,
        "Medicines audit: time-critical Parkinson's medicine given 90 minutes late twice "
        "for {room}",
        "Medication room",
    ),
    (
        -68,
        "Care plan audit: choking risk plan for {room} not updated after the speech and "
        "language review",
        "Office",
    ),
    (
        -61,
        "Falls audit: sensor mats not in place for two people at high risk of falls",
        "Bedrooms – first floor",
    ),
    (-33, "Medicines audit: two missed signatures for warfarin for {room}", "Medication room"),
    (
        -26,
        "Pressure care audit: repositioning gaps of five hours overnight for {room}",
        "Bedrooms – ground floor",
    ),
    (
        -19,
        "Infection control audit: sharps bin overfilled in the treatment room",
        "Medication room",
    ),
    (
        -12,
        "Falls audit: post-fall neurological observations incomplete for {room}",
        "Bedrooms – first floor",
    ),
    (-5, "Medicines audit: PRN protocol missing for {room}'s pain relief", "Medication room"),
]


def _example_3(sim, at) -> None:
    for n, (offset, _text, _area) in enumerate(AUDITS):
        at(offset, "13:30", audit_finding, n)
    at(-40, "10:00", example_3_baseline)
    at(-40, "14:00", move, "ex3", "ash.rm", "open")
    at(-39, "10:00", escalation_criteria)
    at(-39, "10:30", retro_decisions)
    at(-35, "09:00", acts_measure, "escalation")
    at(-34, "09:00", move, "ex3", "ash.rm", "start")
    at(
        -30,
        "15:00",
        evidence,
        "ex3",
        "ash.rm",
        "governance_minutes",
        "Quality governance file, section 4: escalation criteria for audit findings",
    )
    at(
        -8,
        "15:00",
        evidence,
        "ex3",
        "ash.deputy",
        "audit",
        "Audit sample: every high-risk audit finding since week 7 has a recorded decision",
        0,
        "ash.rm",
    )
    at(-4, "11:00", move, "ex3", "ash.rm", "mark_done")
    at(-3, "11:30", move, "ex3", "ash.rm", "close")


def audit_finding(sim, n: int) -> None:
    """The deputy's audit finds a high-risk concern; after the baseline it is triaged the
    same day with a recorded escalation decision."""
    offset, text, area = AUDITS[n]
    found = acts.record(
        sim,
        A,
        "ash.deputy",
        item(
            sim,
            "walkaround_issue",
            area,
            text.format(room=room(sim)),
            action="Corrected on the day by the nurse in charge",
            risk="high",
            follow_up=True,
            source="audit",
        ),
    )
    keep(sim, "audit_findings", found)
    name = f"audit_{n}"
    entry = acts.draft(
        sim,
        A,
        "ash.deputy",
        [found],
        source="audit",
        risk="high",
        concern=found.description,
        decision="Deputy manager to re-audit the same records in seven days and "
        "observe practice on two shifts, recording the results.",
        owner_id=sim.user_id("ash.deputy"),
        due_date=dates.add_working_days(dates.london_today(), 7),
        evidence_needed="Repeat audit and practice observation records.",
        interim_controls="Nurse in charge checks the records at every handover.",
        statement_ids=["saf-2023:W5", "saf-2023:S8"],
    )
    sim.marks[name] = entry
    acts.move(sim, entry, "ash.deputy", "open")
    if offset > -40:
        acts.escalate(
            sim,
            entry,
            "ash.deputy",
            "escalated" if n % 2 else "not_escalated",
            "Checked against the escalation criteria in the quality governance file.",
        )
        _audit_follow_through(sim, name, offset)


def _audit_follow_through(sim, name: str, offset: int) -> None:
    """Owner's evidence, closure, and the nominated individual's sign-off (one challenged)."""
    at = on_days(sim)
    at(
        offset + 6,
        "14:00",
        evidence,
        name,
        "ash.deputy",
        "audit",
        "Quality assurance folder: repeat audit",
        0,
        "ash.rm",
    )
    at(offset + 6, "14:10", move, name, "ash.deputy", "mark_done")
    at(offset + 7, "11:00", move, name, "ash.rm", "close")
    if name == "audit_3":
        at(
            offset + 9,
            "15:00",
            move,
            name,
            "ni",
            "challenge",
            "The repeat audit shows the local fix only; add an observation of practice on "
            "nights before sign-off.",
        )
        at(
            offset + 11,
            "14:00",
            evidence,
            name,
            "ash.deputy",
            "observation",
            "Night medication round observation record",
            0,
            "ash.rm",
        )
        at(offset + 11, "14:10", move, name, "ash.deputy", "mark_done")
        at(offset + 12, "11:00", move, name, "ash.rm", "close")
        at(offset + 14, "15:00", move, name, "ni", "sign_off")
    else:
        at(offset + 9, "15:00", move, name, "ni" if offset % 2 else "pql", "sign_off")


def example_3_baseline(sim) -> None:
    entry = acts.draft(
        sim,
        A,
        "pql",
        [],
        source="provider_oversight",
        risk="high",
        concern="Audits identify high-risk concerns but escalation decisions and management "
        "follow-up are not consistently recorded: a sample of recent audits found "
        "2 of 5 high-risk findings with a recorded escalation decision (40%).",
        decision="Registered manager to agree and record the escalation criteria for audit "
        "findings in the quality governance file this week; deputy manager to "
        "record a management decision on every high-risk audit finding within 24 "
        "hours and add the action to this log.",
        owner_id=sim.user_id("ash.rm"),
        due_date=sim.day(-5),
        evidence_needed="Quality governance file with the escalation criteria; a sample of "
        "audits with recorded escalation decisions; governance minutes.",
        interim_controls="Provider quality lead reads every high-risk audit finding weekly "
        "until the criteria are in use.",
        statement_ids=["saf-2023:W5", "saf-2023:W7", "saf-2023:S1"],
    )
    sim.marks["ex3"] = entry
    acts.escalate(
        sim,
        entry,
        "pql",
        "escalated",
        "A governance gap across the home: reviewed at provider level monthly.",
    )


def escalation_criteria(sim) -> None:
    from server.providers.services import configure_service

    service = sim.services[A]
    configure_service(
        sim.actor("ash.rm"),
        service,
        service.version,
        {
            "escalation_criteria": "High-risk audit findings (medicines, choking, falls with "
            "injury, pressure damage, safeguarding) go to the registered manager the same day "
            "and to the provider quality lead within 24 hours; the deputy manager records the "
            "escalation decision in the log within 24 hours."
        },
    )
    note(
        sim,
        "ex3",
        "ash.rm",
        "Escalation criteria agreed and recorded in the quality "
        "governance file and in the service settings.",
    )


def retro_decisions(sim) -> None:
    """The deputy records the missing decisions on the earlier high-risk audit findings."""
    for n, (offset, _text, _area) in enumerate(AUDITS):
        entry = sim.marks.get(f"audit_{n}")
        if offset < -40 and entry is not None and entry.escalation_decision is None:
            acts.escalate(
                sim,
                entry,
                "ash.deputy",
                "not_escalated",
                "Recorded late after the provider's audit sample: contained in the "
                "home, repeat audit booked.",
            )
            _audit_follow_through(sim, f"audit_{n}", -38 + n)
