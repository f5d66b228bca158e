"""Scenes that make sure every early-warning signal (DESIGN.md rule 5) has something to show.

The routine and the article's examples already produce most of them; these scenes make
each one certain, whatever the random draw: repeat findings in one area, a visibility
round with no follow-up, an overdue entry without interim controls, a high-risk finding
with no escalation decision, a draft with no owner, a closure on weak evidence. The
carry-forwards and the family chasing are in seed.story_hearing_aid (the hearing aid at Ashdown).
"""

from datetime import timedelta

from seed import acts
from seed.acts import finding_item as item
from seed.story_steps import keep
from server.common import dates


def schedule(sim) -> None:
    for offset in (-20, -11, -4):
        sim.at(sim.day(offset), "10:50", call_bell_out_of_reach)
    sim.at(sim.day(-5), "17:45", quiet_visibility_round)
    sim.at(sim.day(-20), "11:20", mattress_finding)
    sim.at(sim.day(-20), "15:40", mattress_entry)
    sim.at(sim.day(-2), "10:20", bed_rails_finding)
    sim.at(sim.day(-2), "15:35", bed_rails_entry)
    sim.at(sim.day(-4), "13:10", missed_call_finding)
    sim.at(sim.day(-4), "15:30", missed_call_draft)
    sim.at(sim.day(-31), "10:00", medication_times_finding)
    sim.at(sim.day(-30), "11:00", medication_times_entry)
    sim.at(sim.day(-18), "12:00", medication_times_closure)


def call_bell_out_of_reach(sim) -> None:
    """Ashdown: the same concern in the same area from walkarounds, three times in a month."""
    acts.walk(
        sim,
        "ash",
        "ash.cw2",
        [
            item(
                sim,
                "walkaround_issue",
                "Bedrooms – first floor",
                "Call bell out of reach while resident sat in chair",
                action="Moved call bell within reach and checked it sounded",
                risk="medium",
                follow_up=True,
                people=f"Room {sim.rng.randint(20, 39)}, {sim.fake.first_name()[0]}K",
            )
        ],
        areas=["Bedrooms – first floor", "Lounge"],
    )


def quiet_visibility_round(sim) -> None:
    """Beech Court: a round that found a problem but recorded no follow-up."""
    acts.walk(
        sim,
        "beech",
        "beech.duty",
        [
            item(
                sim,
                "visibility_check",
                "Teatime",
                "Staff on the Willow unit did not know who the senior on shift was",
                action="Told them",
                risk="low",
            )
        ],
        kind="visibility_round",
        areas=["Teatime"],
    )


def mattress_finding(sim) -> None:
    keep(
        sim,
        "mattress_findings",
        acts.record(
            sim,
            "beech",
            "beech.senior",
            item(
                sim,
                "walkaround_issue",
                "Bedrooms – Willow unit",
                "Replacement pressure-relieving mattress for Room 14, GH not delivered",
                action="Phoned the equipment store",
                risk="medium",
                follow_up=True,
                people="Room 14, GH",
                source="walkaround",
            ),
        ),
    )


def mattress_entry(sim) -> None:
    """Beech Court: an entry left overdue with no interim controls."""
    entry = acts.draft(
        sim,
        "beech",
        "beech.deputy",
        sim.marks["mattress_findings"],
        source="walkaround",
        concern="Replacement pressure-relieving mattress for Room 14, GH not delivered.",
        decision="Duty manager to chase the equipment store daily and record each call in "
        "the care record until the mattress is fitted.",
        due_date=dates.london_today() + timedelta(days=14),
        evidence_needed="Delivery note and the care record entry for the fitting.",
        statement_ids=["saf-2023:S5"],
    )
    acts.assign_and_open(sim, entry, "beech.duty", "beech.duty")


def bed_rails_finding(sim) -> None:
    _walk, found = acts.walk(
        sim,
        "ash",
        "ash.cw",
        [
            item(
                sim,
                "walkaround_issue",
                "Bedrooms – ground floor",
                "Bed rails up for Room 18, RT without a current bed rails risk assessment",
                action="Lowered the rails with the person's agreement and told the nurse in charge",
                risk="high",
                follow_up=True,
                people="Room 18, RT",
            )
        ],
        areas=["Bedrooms – ground floor"],
    )
    keep(sim, "bed_rails_findings", *found)


def bed_rails_entry(sim) -> None:
    """Ashdown: a high-risk entry opened without an escalation decision (still none)."""
    entry = acts.draft(
        sim,
        "ash",
        "ash.deputy",
        sim.marks["bed_rails_findings"],
        source="walkaround",
        risk="high",
        concern="Bed rails in use for Room 18, RT without a current risk assessment.",
        decision="Deputy manager to complete the bed rails risk assessment with the person "
        "and family and record it in the care plan.",
        due_date=dates.add_working_days(dates.london_today(), 2),
        evidence_needed="Signed bed rails risk assessment in the care record.",
        interim_controls="Rails kept down; sensor mat and hourly checks recorded.",
        statement_ids=["saf-2023:S4"],
    )
    acts.assign_and_open(sim, entry, "ash.duty", "ash.deputy")


def missed_call_finding(sim) -> None:
    keep(
        sim,
        "missed_call_findings",
        acts.record(
            sim,
            "dom",
            "dom.coord",
            item(
                sim,
                "walkaround_issue",
                "Call monitoring",
                "Lunch call for client C-2291, BW missed: "
                "the carer was held up at the previous call and nobody was told",
                action="Sent the nearest carer; call made 70 minutes late",
                risk="medium",
                follow_up=True,
                people="Client C-2291, BW",
                source="staffing",
            ),
        ),
    )


def missed_call_draft(sim) -> None:
    """The home care branch: a draft with no named owner, days later."""
    acts.draft(
        sim,
        "dom",
        "dom.rm",
        sim.marks["missed_call_findings"],
        source="staffing",
        concern="Lunch call for client C-2291, BW missed; no alert from call monitoring.",
    )


def medication_times_finding(sim) -> None:
    keep(
        sim,
        "med_times_findings",
        acts.record(
            sim,
            "dom",
            "dom.senior",
            item(
                sim,
                "walkaround_issue",
                "Client homes – Seaford round",
                "Time-specific medication "
                "call times for client C-1740, RN not written in the care plan",
                action="Told the coordinator",
                risk="medium",
                follow_up=True,
                people="Client C-1740, RN",
                source="walkaround",
            ),
        ),
    )


def medication_times_entry(sim) -> None:
    entry = acts.draft(
        sim,
        "dom",
        "dom.rm",
        sim.marks["med_times_findings"],
        source="walkaround",
        concern="Medication call times for client C-1740, RN not in the care plan.",
        decision="Care coordinator to write the medication call times into the care plan "
        "and the rota, and brief the Seaford round carers.",
        owner_id=sim.user_id("dom.coord"),
        due_date=dates.london_today() + timedelta(days=10),
        evidence_needed="Updated care plan and rota.",
        statement_ids=["saf-2023:S8"],
    )
    sim.marks["med_times"] = entry
    acts.move(sim, entry, "dom.rm", "open")


def medication_times_closure(sim) -> None:
    """Closed on one training record dated before the entry opened: weak evidence."""
    entry = sim.marks["med_times"]
    acts.evidence(
        sim,
        entry,
        "dom.coord",
        "training_record",
        "Training matrix: medication competency refresher",
        days_ago=15,
    )
    acts.move(sim, entry, "dom.coord", "mark_done")
    acts.move(sim, entry, "dom.rm", "close")
