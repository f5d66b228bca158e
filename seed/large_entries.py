"""The large provider's entries (seed.large): each with its history (notes, evidence,
carry-forwards, audit events) as plain dicts for bulk inserts."""

import random
from collections import defaultdict
from datetime import timedelta

from seed import plans, texts
from seed.large_rows import STATEMENTS, audit, new_rows
from server.common.dates import london_date


class EntryMaker:
    """Make log entries with owners, due dates, carry-forwards, evidence, notes and audit."""

    def __init__(self, rng: random.Random, new_id, next_seq, world, today, end):
        self.rng, self.new_id, self.next_seq = rng, new_id, next_seq
        self.world, self.today, self.end = world, today, end
        self.count = 0
        self._weeks = defaultdict(list)

    def make(self, service_id, at, source, risk, concern, rows, linked=()) -> object:
        """Add one entry made at ``at`` (with its history) to ``rows``; return its id."""
        rng, plan = self.rng, plans.plan_for(concern)
        staff = self.world["staff"][service_id]
        managers = staff["managers"]
        deputy, rm = managers["deputy_manager"], managers["registered_manager"]
        created = min(at + timedelta(hours=rng.randint(1, 20)), self.end)
        eid = self.new_id(created)
        age = (self.end - created).days
        status = _status(rng, age)
        due = london_date(created) + timedelta(days=rng.choice((3, 5, 7, 10, 14, 21, 28)))
        entry = {
            "id": eid,
            "service_id": service_id,
            "concern": concern,
            "source": source,
            "decision": "",
            "owner_id": None,
            "due_date": None,
            "original_due_date": None,
            "evidence_needed": "",
            "risk": risk,
            "status": status,
            "interim_controls": "",
            "vague_override_reason": None,
            "vague_override_by": None,
            "escalated": False,
            "escalation_decision": None,
            "escalation_reason": None,
            "escalation_by": None,
            "escalation_at": None,
            "created_by": deputy,
            "created_at": created,
            "updated_at": created,
            "opened_at": None,
            "completed_on": None,
            "closed_at": None,
            "closed_by": None,
            "signed_off_by": None,
            "version": 1,
            "deleted_at": None,
        }
        audit(
            rows,
            created,
            deputy,
            "log_entry",
            eid,
            "create",
            service_id,
            {"concern": concern, "source": source, "risk": risk},
        )
        for fid in linked:
            audit(
                rows,
                created,
                deputy,
                "finding",
                fid,
                "link",
                service_id,
                {"log_entry_id": [None, str(eid)]},
            )
        owners = staff["floor"] + [managers["duty_manager"], managers["care_coordinator"]]
        if status != "draft" or rng.random() < 0.5:
            entry["owner_id"] = rng.choice(owners)
            plans.redraw(rng, 8, 6)  # the draws of the decision and evidence once random
            entry["decision"], entry["evidence_needed"] = plan.decision, plan.evidence
            entry["due_date"] = entry["original_due_date"] = due
        if risk == "high" and rng.random() < 0.9:
            self._escalate(entry, rows, created, rm)
        if status != "draft":
            self._progress(entry, rows, created, owners)
        entry["change_seq"] = self.next_seq()
        rows["log_entry"].append(entry)
        rng.sample(STATEMENTS, rng.randint(1, 2))  # the draw of the statements once random
        for statement in plan.statements:
            rows["entry_statement"].append({"entry_id": eid, "statement_id": statement})
        self.count += 1
        bucket = self._weeks[(service_id, age // 7)]
        if len(bucket) < 5:
            bucket.append(eid)
        return eid

    def _escalate(self, entry, rows, created, rm) -> None:
        at = min(created + timedelta(hours=self.rng.randint(1, 20)), self.end)
        decision = "escalated" if self.rng.random() < 0.3 else "not_escalated"
        entry.update(
            escalated=decision == "escalated",
            escalation_decision=decision,
            escalation_reason="Agreed against the escalation criteria",
            escalation_by=rm,
            escalation_at=at,
            version=entry["version"] + 1,
            updated_at=at,
        )
        audit(
            rows,
            at,
            rm,
            "log_entry",
            entry["id"],
            "escalation",
            entry["service_id"],
            {"escalation_decision": [None, decision]},
        )

    def _progress(self, entry, rows, created, owners) -> None:
        """Open, start, carry forward, complete and close the entry as its status says."""
        rng, end, sid = self.rng, self.end, entry["service_id"]
        managers = self.world["staff"][sid]["managers"]
        t = min(created + timedelta(hours=rng.randint(2, 30)), end)
        self._step(entry, rows, t, managers["duty_manager"], "open", opened_at=t)
        if entry["risk"] == "high" or rng.random() < 0.3:
            entry["interim_controls"] = rng.choice(texts.INTERIM_CONTROLS)
        if entry["status"] == "open":
            return
        t = min(t + timedelta(hours=rng.randint(4, 72)), end)
        self._step(entry, rows, t, entry["owner_id"], "start")
        for _ in range(rng.choices((0, 1, 2, 3), (75, 17, 6, 2))[0]):
            t = min(t + timedelta(days=rng.randint(1, 6)), end)
            self._carry_forward(entry, rows, t, managers["deputy_manager"])
        if rng.random() < 0.5:
            self._note(entry, rows, min(t + timedelta(hours=3), end), entry["owner_id"])
        if entry["status"] == "in_progress":
            return
        late = rng.random() < 0.25
        done_day = entry["due_date"] + timedelta(
            days=rng.randint(1, 4) if late else -rng.randint(0, 2)
        )
        t = max(t, min(end, t + (done_day - london_date(t))))
        self._step(entry, rows, t, entry["owner_id"], "mark_done", completed_on=london_date(t))
        for _ in range(rng.choice((1, 1, 2))):
            self._evidence(entry, rows, t, managers["care_coordinator"])
        if entry["status"] == "awaiting_check":
            return
        t = min(t + timedelta(hours=rng.randint(2, 72)), end)
        self._step(
            entry,
            rows,
            t,
            managers["registered_manager"],
            "close",
            closed_by=managers["registered_manager"],
            closed_at=t if entry["status"] == "closed" else None,
        )
        if entry["risk"] == "high" and entry["status"] == "closed":
            t = min(t + timedelta(hours=rng.randint(4, 96)), end)
            lead = self.world["leads"][rng.randint(0, 1)]
            self._step(entry, rows, t, lead, "sign_off", signed_off_by=lead, closed_at=t)

    def _step(self, entry, rows, at, actor, action, **fields) -> None:
        entry.update(fields, version=entry["version"] + 1, updated_at=at)
        audit(
            rows,
            at,
            actor,
            "log_entry",
            entry["id"],
            action,
            entry["service_id"],
            {k: [None, str(v)] for k, v in fields.items()},
        )

    def _carry_forward(self, entry, rows, at, author) -> None:
        old = entry["due_date"]
        new = max(old, london_date(at)) + timedelta(days=self.rng.randint(5, 14))
        reason = self.rng.choice(texts.CARRY_FORWARD_REASONS)
        rows["carry_forward"].append(
            {
                "entry_id": entry["id"],
                "from_date": old,
                "to_date": new,
                "reason": reason,
                "author_id": author,
                "created_at": at,
            }
        )
        entry.update(due_date=new, version=entry["version"] + 1, updated_at=at)
        audit(
            rows,
            at,
            author,
            "log_entry",
            entry["id"],
            "carry_forward",
            entry["service_id"],
            {"from": old.isoformat(), "to": new.isoformat(), "reason": reason},
        )

    def _evidence(self, entry, rows, at, checker) -> None:
        kind = self.rng.choice(
            (
                "care_record",
                "audit",
                "feedback",
                "observation",
                "handover_record",
                "staff_practice_check",
            )
        )
        day = london_date(at)
        location = texts.EVIDENCE_LOCATIONS[kind].format(
            room=self.rng.randint(1, 40), month=day.strftime("%B %Y"), day=day.isoformat()
        )
        ref = {
            "id": self.new_id(at),
            "entry_id": entry["id"],
            "type": kind,
            "location": location,
            "evidence_date": day,
            "description": "",
            "checked_by": checker,
            "added_by": checker,
            "created_at": at,
            "version": 1,
            "change_seq": self.next_seq(),
            "deleted_at": None,
        }
        rows["evidence_ref"].append(ref)
        audit(
            rows,
            at,
            checker,
            "log_entry",
            entry["id"],
            "evidence",
            entry["service_id"],
            {"evidence_id": str(ref["id"]), "type": kind, "location": location},
        )

    def _note(self, entry, rows, at, author) -> None:
        note = {
            "id": self.new_id(at),
            "entry_id": entry["id"],
            "body": self.rng.choice(texts.NOTES),
            "author_id": author,
            "created_at": at,
            "version": 1,
            "change_seq": self.next_seq(),
            "deleted_at": None,
        }
        rows["note"].append(note)
        audit(
            rows,
            at,
            author,
            "log_entry",
            entry["id"],
            "note",
            entry["service_id"],
            {"note_id": str(note["id"]), "body": note["body"]},
        )

    def fill(self, entries: int, start, size: int):
        """Yield chunks of entries raised without findings (audits, oversight) up to the count."""
        services = self.world["services"]
        missing = entries - self.count
        rows = new_rows()
        for n in range(missing):
            service = services[n % len(services)]
            at = start + (self.end - start) * (n / max(missing, 1))
            source = self.rng.choice(("audit", "incident", "handover", "provider_oversight"))
            risk = self.rng.choices(("low", "medium", "high"), (30, 50, 20))[0]
            self.make(service["id"], at, source, risk, self.rng.choice(texts.CONCERNS), rows)
            if len(rows["log_entry"]) >= size:
                yield rows
                rows = new_rows()
        if rows["log_entry"]:
            yield rows

    def sample(self, service_id, at, k: int) -> list:
        """Return up to ``k`` entries of the service made in the week before ``at``."""
        return self._weeks.get((service_id, (self.end - at).days // 7 + 1), [])[:k]


def _status(rng: random.Random, age_days: int) -> str:
    if age_days > 35:
        weights = (0, 2, 3, 0, 1, 94)
    elif age_days > 14:
        weights = (0, 8, 20, 10, 2, 60)
    else:
        weights = (25, 30, 30, 10, 0, 5)
    return rng.choices(
        ("draft", "open", "in_progress", "awaiting_check", "awaiting_sign_off", "closed"), weights
    )[0]
