"""The large provider's findings (seed.large): walkarounds and feedback rounds, and the
entries triage made of them, as plain dicts for bulk inserts."""

from datetime import timedelta

from seed import texts
from seed.large_rows import QUESTIONS, RESPONDENTS, ROOMS, audit, new_rows


class FindingMaker:
    """Make walkarounds, visibility rounds and feedback rounds in time order, with findings."""

    def __init__(self, rng, new_id, next_seq, world, entry_maker, *, findings, entries, start, end):
        self.rng, self.new_id, self.next_seq = rng, new_id, next_seq
        self.world, self.entries, self.entry_maker = world, entries, entry_maker
        self.findings, self.start, self.end = findings, start, end
        # About half of all findings are issues or negative answers; about 1.4 follow-ups
        # make an entry, and the rest of the entries come from audits (EntryMaker.fill).
        self.p_follow = min(1.0, entries * 1.3 / max(findings * 0.5, 1))

    def chunks(self, size: int):
        """Yield dicts of rows (by table name) of about ``size`` findings each."""
        rows, made = new_rows(), 0
        while made < self.findings:
            at = self.start + (self.end - self.start) * (made / self.findings)
            at += timedelta(minutes=self.rng.randint(0, 90))
            service = self.rng.choice(self.world["services"])
            left = self.findings - made
            if self.rng.random() < 0.8:
                made += self._walkaround(service, min(at, self.end), rows, left)
            else:
                made += self._feedback(service, min(at, self.end), rows, left)
            if len(rows["finding"]) >= size:
                yield rows
                rows = new_rows()
        if any(rows.values()):
            yield rows

    def _walkaround(self, service, at, rows, left: int) -> int:
        rng, sid = self.rng, service["id"]
        staff = self.world["staff"][sid]
        visibility = rng.random() < 0.25
        by = (
            staff["managers"]["deputy_manager"]
            if visibility or not staff["floor"]
            else rng.choice(staff["floor"])
        )
        count = 0 if rng.random() < 0.12 else min(left, rng.randint(1, 14))
        wid = self.new_id(at)
        areas = rng.sample(service["areas"], min(3, len(service["areas"])))
        rows["walkaround"].append(
            {
                "id": wid,
                "service_id": sid,
                "kind": "visibility_round" if visibility else "walkaround",
                "conducted_by": by,
                "started_at": at,
                "ended_at": at + timedelta(minutes=30 + 3 * count),
                "areas": areas,
                "notes": "",
                "received_at": at + timedelta(minutes=35 + 3 * count),
                "version": 1,
                "change_seq": self.next_seq(),
                "deleted_at": None,
            }
        )
        audit(
            rows, at, by, "walkaround", wid, "create", sid, {"kind": rows["walkaround"][-1]["kind"]}
        )
        made = []
        for n in range(count):
            when = at + timedelta(minutes=3 * n)
            if visibility:
                description, action = rng.choice(texts.VISIBILITY)
                risk, kind = "medium", "visibility_check"
                eligible = action != "None needed"
            elif rng.random() < 0.65:
                description, action, risk = rng.choice(texts.ISSUES)
                kind, eligible = "walkaround_issue", True
            else:
                (description, action), risk = rng.choice(texts.POSITIVE), "low"
                kind, eligible = "positive_practice", False
            made.append(
                self._finding(
                    sid,
                    when,
                    by,
                    wid,
                    rng.choice(areas),
                    "visibility_check" if visibility else "walkaround",
                    kind,
                    description,
                    action,
                    risk,
                    eligible,
                )
            )
        self._triage(sid, at, made, "visibility_check" if visibility else "walkaround", rows)
        return count

    def _feedback(self, service, at, rows, left: int) -> int:
        rng, sid = self.rng, service["id"]
        staff = self.world["staff"][sid]
        by = rng.choice(staff["floor"]) if staff["floor"] else staff["managers"]["care_coordinator"]
        made = []
        for n in range(min(left, rng.randint(1, 4))):
            qid = rng.choice(list(texts.ANSWERS))
            answer, sentiment = rng.choice(texts.ANSWERS[qid])
            row = self._finding(
                sid,
                at + timedelta(minutes=5 * n),
                by,
                None,
                rng.choice(service["routines"]),
                "feedback",
                "feedback",
                QUESTIONS[qid],
                "",
                "medium" if sentiment == "negative" else "low",
                sentiment == "negative",
            )
            row.update(
                respondent_type=rng.choice(RESPONDENTS),
                question_id=qid,
                question=QUESTIONS[qid],
                answer=answer,
                sentiment=sentiment,
            )
            made.append(row)
        self._triage(sid, at, made, "feedback", rows)
        return len(made)

    def _finding(
        self, sid, when, by, wid, area, source, kind, description, action, risk, eligible
    ) -> dict:
        rng = self.rng
        return {
            "id": self.new_id(when),
            "service_id": sid,
            "walkaround_id": wid,
            "kind": kind,
            "area": area,
            "source": source,
            "description": description,
            "action_taken": action,
            "risk": risk,
            "follow_up_needed": eligible and rng.random() < self.p_follow,
            "people_involved": rng.choice(ROOMS) if rng.random() < 0.6 else "",
            "respondent_type": None,
            "question_id": None,
            "question": None,
            "answer": None,
            "sentiment": None,
            "recorded_by": by,
            "recorded_at": when,
            "received_at": min(when + timedelta(minutes=rng.randint(1, 120)), self.end),
            "triage_state": "new",
            "dismissed_reason": None,
            "log_entry_id": None,
            "triaged_by": None,
            "triaged_at": None,
            "version": 1,
            "deleted_at": None,
        }

    def _triage(self, sid, at, made: list, source: str, rows) -> None:
        """Group follow-ups into entries; dismiss the rest once they are a week old."""
        rng, deputy = self.rng, self.world["staff"][sid]["managers"]["deputy_manager"]
        follow = [f for f in made if f["follow_up_needed"]]
        while follow and self.entry_maker.count < self.entries:
            size = rng.choice((1, 1, 2))
            group, follow = follow[:size], follow[size:]
            risk = max((f["risk"] for f in group), key=("low", "medium", "high").index)
            eid = self.entry_maker.make(
                sid, at, source, risk, group[0]["description"], rows, [f["id"] for f in group]
            )
            for f in group:
                f.update(
                    triage_state="linked",
                    log_entry_id=eid,
                    triaged_by=deputy,
                    triaged_at=min(at + timedelta(hours=1), self.end),
                    version=2,
                )
        old = (self.end - at).days > 7
        for f in made:
            if f["triage_state"] == "new" and old:
                reason = texts.DISMISS_REASONS[2 if f["follow_up_needed"] else 0]
                f.update(
                    triage_state="dismissed",
                    dismissed_reason=reason,
                    triaged_by=deputy,
                    triaged_at=at + timedelta(days=1),
                    version=2,
                )
                audit(
                    rows,
                    f["triaged_at"],
                    deputy,
                    "finding",
                    f["id"],
                    "dismiss",
                    sid,
                    {"triage_state": ["new", "dismissed"], "dismissed_reason": reason},
                )
            f["change_seq"] = self.next_seq()
            rows["finding"].append(f)
            audit(
                rows,
                f["received_at"],
                f["recorded_by"],
                "finding",
                f["id"],
                "create",
                sid,
                {"kind": f["kind"], "risk": f["risk"]},
            )
