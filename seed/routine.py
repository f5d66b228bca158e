"""Everyday life in the demo's three services over twelve weeks.

Floor staff walk the floor daily (most walkarounds find nothing or good practice; some
find something to follow up), seniors do visibility rounds at peak routines, key workers
ask people, relatives and staff the service's questions weekly. The deputy triages the
same afternoon, the duty manager names an owner and opens the entry before shift end,
owners finish on time or late (late ones carried forward or given interim controls), the
care coordinator checks the next working day, the registered manager closes on evidence,
and high-risk closures wait for the nominated individual or provider quality lead.
"""

from datetime import timedelta

from seed import acts, plans, texts
from seed.data.routine import LEADS, ROLE_OF, SKIP_RM_REVIEWS_AFTER, STAFF, VISIBILITY_QUESTIONS
from seed.routine_reviews import monthly_review, weekly_review
from server.common import dates
from server.common.types import utcnow
from server.findings.services import dismiss, link
from server.log import guards
from server.log.models import LogEntry


def schedule(sim) -> None:
    """Put twelve weeks of routine acts on the agenda."""
    rng = sim.rng
    for offset in range(-(sim.days - 1), 1):
        day = sim.day(offset)
        weekday = day.weekday()
        working = dates.is_working_day(day)
        for key in STAFF:
            care_home = sim.services[key].kind == "care_home"
            # Care homes walk the floor daily; the branch spot-checks client homes thrice weekly.
            if care_home or weekday in (0, 2, 4):
                sim.at(
                    day, f"{rng.randint(9, 11)}:{rng.choice(('05', '20', '40'))}", walkaround, key
                )
            if weekday in ((0, 2, 4) if key == "ash" else (1, 4)):
                sim.at(day, rng.choice(("08:15", "12:50", "17:40")), visibility_round, key)
            if weekday == 3:
                sim.at(day, "14:10", feedback_round, key, offset)
            if key == "ash" and working:
                sim.at(day, "08:10", handover_follow_ups, key)
            if working or (care_home and weekday >= 5):
                sim.at(day, "15:30", triage, key)
            monday = (weekday == 0 and working) or (
                weekday == 1 and not dates.is_working_day(day - timedelta(days=1))
            )
            if monday and offset < SKIP_RM_REVIEWS_AFTER.get(key, 1):
                sim.at(day, "09:30", weekly_review, key)
            if key != "ash" and weekday == 1 and (offset + sim.days) % 28 in range(7, 14):
                sim.at(day, "14:00", monthly_review, key)


def _room(sim, key: str) -> str:
    rng = sim.rng
    initials = f"{sim.fake.first_name()[0]}{sim.fake.last_name()[0]}"
    if sim.services[key].kind == "care_home":
        return f"Room {rng.randint(1, 40)}, {initials}"
    return f"Client C-{rng.randint(1000, 2999)}, {initials}"


def walkaround(sim, key: str) -> None:
    """A floor walk: nothing (often), good practice, or an issue, maybe to follow up."""
    rng, service = sim.rng, sim.services[key]
    areas = rng.sample(service.areas, min(3, len(service.areas)))
    items, roll = [], rng.random()
    if 0.45 <= roll < 0.7:
        description, action = rng.choice(texts.POSITIVE)
        items.append(
            acts.finding_item(sim, "positive_practice", areas[0], description, action=action)
        )
    elif roll >= 0.7:
        description, action, risk = rng.choice(texts.ISSUES)
        follow = risk == "high" or rng.random() < (0.75 if risk == "medium" else 0.25)
        items.append(
            acts.finding_item(
                sim,
                "walkaround_issue",
                rng.choice(areas),
                description,
                action=action,
                risk=risk,
                follow_up=follow,
                people=_room(sim, key) if rng.random() < 0.7 else "",
            )
        )
    acts.walk(sim, key, rng.choice(STAFF[key]["walkers"]), items, areas=areas)


def handover_follow_ups(sim, key: str) -> None:
    """The duty manager lists the follow-ups from the morning handover (article, ex. 1)."""
    rng = sim.rng
    for n in range(rng.choice((0, 1, 1, 1, 2, 2))):
        text, source = rng.choice(texts.FOLLOW_UPS)
        room = _room(sim, key)
        acts.record(
            sim,
            key,
            "ash.duty",
            acts.finding_item(
                sim,
                "walkaround_issue",
                "Handover",
                text.format(room=room),
                action="Listed on the handover sheet",
                risk="medium" if n else "low",
                follow_up=True,
                people=room,
                source=source,
                minutes_ago=20 - 5 * n,
            ),
        )


def visibility_round(sim, key: str) -> None:
    """A senior's round at a peak routine, recording what their presence found."""
    rng, service = sim.rng, sim.services[key]
    routine = rng.choice(service.routines[:4])
    description, action = rng.choice(texts.VISIBILITY)
    follow = action != "None needed" and rng.random() < 0.5
    item = acts.finding_item(
        sim,
        "visibility_check",
        routine,
        description,
        action=action,
        risk="medium" if follow else "low",
        follow_up=follow,
    )
    acts.walk(
        sim,
        key,
        rng.choice(STAFF[key]["rounds"]),
        [item],
        kind="visibility_round",
        areas=[routine],
        minutes=30,
    )


def positive_share(key: str, question: str, offset: int) -> float:
    """How often answers are positive: Ashdown House improves once its actions start."""
    if key != "ash":
        return 0.72
    if question in VISIBILITY_QUESTIONS:
        return 0.45 if offset < -49 else min(0.9, 0.5 + (offset + 49) / 42 * 0.42)
    return 0.55 if offset < -56 else min(0.88, 0.6 + (offset + 56) / 42 * 0.3)


def feedback_round(sim, key: str, offset: int) -> None:
    """The key worker asks four or five people the service's questions."""
    rng, service = sim.rng, sim.services[key]
    for n in range(rng.randint(4, 5)):
        respondent = rng.choice(("person_supported", "person_supported", "relative", "staff"))
        qid = rng.choice(list(texts.ANSWERS))
        positive = rng.random() < positive_share(key, qid, offset)
        answers = [a for a in texts.ANSWERS[qid] if (a[1] == "positive") == positive]
        answer, sentiment = rng.choice(answers)
        chase = sentiment == "negative" and qid.startswith("fu")
        room = _room(sim, key)
        people = {"person_supported": room, "relative": f"Relative of {room}"}.get(respondent, "")
        acts.record(
            sim,
            key,
            STAFF[key]["key"],
            acts.finding_item(
                sim,
                "feedback",
                rng.choice(service.routines),
                f"Feedback: {answer}",
                risk="medium" if chase else "low",
                follow_up=chase,
                people=people,
                minutes_ago=60 - 10 * n,
                respondent_type=respondent,
                question_id=qid,
                answer=answer,
                sentiment=sentiment,
            ),
        )


def triage(sim, key: str) -> None:
    """The afternoon triage: follow-ups become entries (or join an open one on the same
    concern); findings needing nothing are dismissed with a reason."""
    if not sim.marks.pop(("recorded", key), False):
        return  # nothing recorded since the last triage
    staff, service = STAFF[key], sim.services[key]
    reserved = sim.marks.setdefault("reserved", set())
    themes = sim.marks.setdefault(("themes", key), {})
    for finding in acts.new_findings(service, exclude=reserved, follow_up=True):
        entry = themes.get(finding.description)
        if entry is not None and entry.status not in ("closed", "awaiting_sign_off"):
            link(sim.actor(staff["triager"]), [finding], entry)
            continue
        themes[finding.description] = _new_entry(sim, key, finding)
    quiet = [
        f
        for f in acts.new_findings(service, exclude=reserved, follow_up=False)
        if not _kept_for_theme(sim, key, f)
    ]
    for reason, group in _by_reason(quiet).items():
        dismiss(sim.actor(staff["triager"]), group, reason)


def _kept_for_theme(sim, key: str, finding) -> bool:
    """Ashdown's negative visibility feedback waits for the deputy to group it by theme."""
    if key != "ash" or finding.sentiment != "negative":
        return False
    if finding.question_id not in VISIBILITY_QUESTIONS:
        return False
    entry = sim.marks.get("visibility_entry")
    if entry is not None and entry.status != "closed":
        link(sim.actor(STAFF[key]["triager"]), [finding], entry)
    return True


def _by_reason(found) -> dict:
    groups: dict = {}
    for finding in found:
        if finding.kind == "positive_practice":
            reason = "Good practice shared at the daily huddle; nothing to follow up."
        elif finding.kind == "feedback":
            reason = "Feedback noted for the monthly feedback summary; nothing to follow up."
        else:
            reason = "Resolved on the spot; no pattern in the last four weeks."
        groups.setdefault(reason, []).append(finding)
    return groups


def _new_entry(sim, key: str, finding) -> LogEntry:
    """A draft on the finding's concern, with the plan for its topic: the decision, the
    evidence needed and the statements fit the concern, and the owner holds the role the
    decision names."""
    rng, staff = sim.rng, STAFF[key]
    risk = finding.risk
    days = rng.choice((1, 2) if risk == "high" else (2, 3, 5, 7, 10))
    plan = plans.plan_for(finding.description)
    plans.redraw(rng, 8, 6)
    interim = rng.choice(texts.INTERIM_CONTROLS) if risk == "high" else ""
    plans.redraw(rng, 5, 4)  # and the two statements, drawn from five
    entry = acts.draft(
        sim,
        key,
        staff["triager"],
        [finding],
        source=finding.source,
        risk=risk,
        concern=f"{finding.description} ({finding.area})",
        decision=plan.decision,
        evidence_needed=plan.evidence,
        due_date=dates.add_working_days(dates.london_today(), days),
        interim_controls=interim,
        statement_ids=list(plan.statements),
    )
    owner = _owner(key, plan.role, rng.choice(staff["owners"]))
    sim.at_moment(utcnow() + timedelta(minutes=45), _assign, key, entry, owner)
    if risk == "high":
        sim.at_moment(utcnow() + timedelta(hours=rng.choice((1, 2, 18))), _escalation, key, entry)
    return entry


def _owner(key: str, role: str, drawn: str) -> str:
    """The owner drawn if they hold ``role``, else the service's first owner who does."""
    if ROLE_OF[drawn] == role:
        return drawn
    return next(k for k in STAFF[key]["owners"] if ROLE_OF[k] == role)


def _assign(sim, key: str, entry: LogEntry, owner: str) -> None:
    acts.assign_and_open(sim, entry, STAFF[key]["assigner"], owner)
    plan(sim, key, entry, owner)


def _escalation(sim, key: str, entry: LogEntry) -> None:
    if entry.escalation_decision is None:
        escalated = sim.rng.random() < 0.25
        acts.escalate(
            sim,
            entry,
            STAFF[key]["editor"] if key != "ash" else "ash.deputy",
            "escalated" if escalated else "not_escalated",
            "Meets the escalation criteria: provider quality lead informed."
            if escalated
            else "Contained in the service: controls in place and owner named today.",
        )


def on_time_share(key: str, offset: int) -> float:
    """Ashdown's follow-ups improve once next-day completion checks start (story, week 5)."""
    if key != "ash":
        return 0.8
    return 0.6 if offset < -56 else min(0.96, 0.66 + (offset + 56) / 28 * 0.3)


def plan(sim, key: str, entry: LogEntry, owner: str) -> None:
    """Schedule the entry's life: start, finish on time or late, check, close."""
    rng, today = sim.rng, dates.london_today()
    offset = (today - sim.today).days
    sim.at(today + timedelta(days=1), "10:15", _act, entry, owner, "start", "open")
    due = entry.due_date
    if rng.random() < on_time_share(key, offset):
        done = max(today + timedelta(days=1), due - timedelta(days=rng.randint(0, 2)))
    else:
        done = due + timedelta(days=rng.randint(2, 6))
        if rng.random() < 0.5:
            sim.at(due, "16:10", _carry_forward, key, entry, done + timedelta(days=1))
        elif rng.random() < 0.6:
            sim.at(due + timedelta(days=1), "09:10", _interim, key, entry)
    sim.at(done, "14:30", _done, key, entry, owner)


def _act(sim, entry, by: str, action: str, status: str) -> None:
    if entry.status == status:
        acts.move(sim, entry, by, action)


def _carry_forward(sim, key: str, entry, new_due) -> None:
    if entry.status in ("open", "in_progress"):
        acts.change(
            sim,
            entry,
            STAFF[key]["editor"],
            sim.rng.choice(texts.CARRY_FORWARD_REASONS),
            due_date=new_due,
        )


def _interim(sim, key: str, entry) -> None:
    if entry.status in ("open", "in_progress") and not entry.interim_controls:
        acts.change(
            sim,
            entry,
            STAFF[key]["editor"],
            interim_controls=sim.rng.choice(texts.INTERIM_CONTROLS),
        )


def _done(sim, key: str, entry, owner: str) -> None:
    """The owner marks the action done and says where the evidence is."""
    if entry.status not in ("open", "in_progress"):
        return
    kind = sim.rng.choice(
        ("care_record", "audit", "handover_record", "staff_practice_check", "observation")
    )
    location = texts.EVIDENCE_LOCATIONS[kind].format(
        room=sim.rng.randint(1, 40),
        month=f"{dates.london_today():%B %Y}",
        day=dates.london_today().isoformat(),
    )
    acts.evidence(sim, entry, owner, kind, location, checked_by=STAFF[key]["checker"])
    acts.move(sim, entry, owner, "mark_done")
    check_day = dates.next_working_day(dates.london_today())
    sim.at(check_day, "10:20", _check, key, entry, owner)


def _check(sim, key: str, entry, owner: str) -> None:
    """Next working day: the care coordinator confirms the records were updated."""
    if entry.status != "awaiting_check":
        return
    checker = STAFF[key]["checker"]
    if sim.rng.random() < 0.08:
        acts.move(
            sim,
            entry,
            checker,
            "send_back",
            "The care record has not been updated yet; update it and mark done again.",
        )
        sim.at(dates.london_today() + timedelta(days=1), "13:00", _done, key, entry, owner)
        return
    acts.note(sim, entry, checker, "Next-day check: records updated; ready for closure.")
    sim.at(dates.next_working_day(dates.london_today()), "11:40", _close, key, entry)


def _close(sim, key: str, entry) -> None:
    if entry.status != "awaiting_check":
        return
    acts.move(sim, entry, STAFF[key]["rm"], "close")
    if entry.status == "awaiting_sign_off":
        lead = LEADS[sim.rng.randint(0, 1)]
        sim.at(
            dates.london_today() + timedelta(days=sim.rng.randint(1, 3)),
            "15:00",
            _sign_off,
            key,
            entry,
            lead,
        )


def _sign_off(sim, key: str, entry, lead: str) -> None:
    """The lead signs off; a provider review's challenge on the entry is answered first (the
    registered manager notes the owner's explanation), since sign-off waits for it."""
    if entry.status != "awaiting_sign_off":
        return
    if guards.open_challenges(entry):
        acts.note(sim, entry, STAFF[key]["rm"], texts.CHALLENGE_ANSWER)
    acts.move(sim, entry, lead, "sign_off")
