"""Every kind of sync conflict, made the way it happens: tablets pushing through the sync API
while the manager works at the desk through the REST API (the browser tests' ``floor``).

- a field conflict: the manager rewords a finding, the tablet's stale rewording arrives;
- delete against edit: the manager raises a finding's risk, the tablet's stale delete arrives;
- edit against delete: one tablet deletes a finding, another's stale edit arrives;
- a transition conflict: the manager closes the action, the owner's offline "done" arrives.
"""

import datetime as dt
import re
import uuid

FIRST_WORDS = "Call bell out of reach in the lounge"
DESK_WORDS = "Call bell moved back within reach"
TABLET_WORDS = "Call bell missing from room 4"
DONE_REASON = "Checked the bell log every lunchtime."
# What a page for people must never show: a raw object, an id, a machine timestamp.
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
# How a moment is said: "Tuesday 8 December, 09:14" (with the year when not this year's).
SPOKEN_MOMENT = re.compile(r"[A-Z][a-z]+day \d{1,2} [A-Z][a-z]+( \d{4})?, \d{2}:\d{2}")
CODE_WORDS = re.compile(r"\b(mark_done|in_progress|awaiting_\w+|not_escalated|_record)\b")


def unreadable(text: str) -> list[str]:
    """What in ``text`` a person could not read: [object Object], ids, ISO moments, codes."""
    found = ["[object Object]"] if "[object Object]" in text else []
    for pattern in (UUID, ISO_MOMENT, CODE_WORDS):
        found += pattern.findall(text)
    return found


class Desk:
    """A signed-in person speaking the REST API; each call in an app context of its own (a
    fresh flask.g), so it works beside a test's pushed context and against a live server."""

    def __init__(self, app, who: dict):
        self.app, self.client = app, app.test_client()
        token = self._call("get", "/auth/csrf").get_json()["csrf_token"]
        login = {"email": who["email"], "password": who["password"]}
        r = self._call("post", "/auth/login", json=login, headers={"X-CSRF-Token": token})
        assert r.status_code == 200, r.get_json()
        self.token = r.get_json()["csrf_token"]

    def _call(self, method: str, path: str, **kwargs):
        with self.app.app_context():
            return getattr(self.client, method)("/api/v1" + path, **kwargs)

    def send(self, method: str, path: str, body: dict | None = None):
        if method == "get":
            return self._call("get", path)
        return self._call(method, path, json=body, headers={"X-CSRF-Token": self.token})

    def get(self, path: str) -> dict:
        return self._ok(self.send("get", path))

    def post(self, path: str, body: dict) -> dict:
        return self._ok(self.send("post", path, body))

    @staticmethod
    def _ok(r) -> dict:
        assert r.status_code in (200, 201), r.get_json()
        return r.get_json()


class Tablet:
    """One tablet of a signed-in person, pushing one mutation at a time."""

    def __init__(self, app, who: dict, installation: str, label: str):
        self.desk, self.author = Desk(app, who), str(who["id"])
        body = {"installation_id": installation, "label": label, "protocol_version": 1}
        self.device_id, self.seq = self.desk.post("/sync/devices", body)["device_id"], 0

    def push(self, entity_type, op, entity_id, changes=None, **extra) -> dict:
        self.seq += 1
        mutation = {
            "mutation_id": f"m-{self.seq}-{str(entity_id)[:8]}-{self.device_id[:4]}",
            "device_id": self.device_id,
            "seq": self.seq,
            "entity_type": entity_type,
            "entity_id": str(entity_id),
            "op": op,
            "author_id": self.author,
            "base_version": None,
            "changes": changes or {},
            "base_values": {},
            "device_time": dt.datetime.now(dt.UTC).isoformat(),
            "transition": None,
            **extra,
        }
        body = {"protocol_version": 1, "device_id": self.device_id, "mutations": [mutation]}
        return self.desk.post("/sync/push", body)["results"][0]

    def finding(self, service_id, **changes) -> str:
        finding_id = str(uuid.uuid4())
        fields = {
            "service_id": str(service_id),
            "kind": "walkaround_issue",
            "area": "Lounge",
            "source": "walkaround",
            "description": FIRST_WORDS,
            "risk": "medium",
            "follow_up_needed": True,
            "recorded_at": dt.datetime.now(dt.UTC).isoformat(),
            **changes,
        }
        assert self.push("finding", "create", finding_id, fields)["status"] == "applied"
        return finding_id


def patch(desk: Desk, path: str, body: dict) -> dict:
    return desk._ok(desk.send("patch", path, body))


def make_every_kind(app, floor) -> dict:
    """Make one conflict of each kind in the floor's service; return the ids concerned."""
    manager = Desk(app, floor.manager)
    lounge = Tablet(app, floor.carer, "lounge-tablet", "Lounge tablet")
    garden = Tablet(app, floor.carer, "garden-tablet", "Garden tablet")
    worded = lounge.finding(floor.service_id, description=FIRST_WORDS)
    patch(manager, f"/findings/{worded}", {"base_version": 1, "description": DESK_WORDS})
    stale = {"base_version": 1, "base_values": {"description": FIRST_WORDS}}
    outcome = lounge.push("finding", "update", worded, {"description": TABLET_WORDS}, **stale)
    assert outcome["status"] == "conflict", outcome

    risky = lounge.finding(floor.service_id, area="Garden", description="Gate left unlatched")
    patch(manager, f"/findings/{risky}", {"base_version": 1, "risk": "high"})
    stale = {"base_version": 1, "base_values": {"risk": "medium"}}
    assert lounge.push("finding", "delete", risky, **stale)["status"] == "conflict"

    gone = lounge.finding(floor.service_id, area="Kitchen", description="Fridge door seal torn")
    assert lounge.push("finding", "delete", gone, base_version=1)["status"] == "applied"
    stale = {"base_version": 1, "base_values": {"risk": "medium"}}
    assert garden.push("finding", "update", gone, {"risk": "high"}, **stale)["status"] == "conflict"

    close_the_action(manager, floor)
    step = {"action": "mark_done", "reason": DONE_REASON}
    done = {"base_version": 1, "base_values": {"status": "open"}, "transition": step}
    outcome = lounge.push("log_entry", "transition", floor.entry_id, **done)
    assert outcome["status"] == "conflict", outcome
    return {"worded": worded, "risky": risky, "gone": gone, "entry": str(floor.entry_id)}


def close_the_action(manager: Desk, floor) -> None:
    """The manager adds evidence, marks the floor's action done and closes it."""
    entry = f"/entries/{floor.entry_id}"
    evidence = {
        "type": "audit",
        "location": "Call bell audit, week 12",
        "evidence_date": dt.date.today().isoformat(),
        "checked_by": str(floor.manager["id"]),
    }
    manager.post(entry + "/evidence", evidence)
    version = manager.get(entry)["version"]
    step = {"action": "mark_done", "version": version, "reason": "Audit shows times met."}
    version = manager.post(entry + "/transitions", step)["version"]
    assert manager.post(entry + "/transitions", {"action": "close", "version": version})[
        "status"
    ] == ("closed")


def make_floor(app):
    """The browser tests' floor for a server-side test: a care home, its senior carer Sam
    with one open action, and Robin its registered manager (committed)."""
    from seed import factories as f
    from server.extensions import db
    from tests.support.browser import open_entry
    from tests.support.people import PASSWORD

    provider = f.make_provider("Brightwater Care")
    home = f.make_service(provider, "Ashdown House")
    carer = f.make_user(provider, "senior_carer", home, name="Sam Carer", email="sam@example.test")
    other = f.make_user(
        provider, "care_worker", home, name="Alex Worker", email="alex@example.test"
    )
    manager = f.make_user(
        provider, "registered_manager", home, name="Robin Manager", email="robin@example.test"
    )
    entry = open_entry(
        manager,
        home,
        carer.id,
        concern="Call bells in the lounge were not answered within 5 minutes.",
        decision="Sam Carer to check call bell response times at lunchtime daily for a week.",
        evidence_needed="Call bell log for the week, checked against the rota.",
    )
    db.session.commit()

    class Floor:
        pass

    floor = Floor()
    floor.provider_id, floor.service_id, floor.entry_id = provider.id, home.id, entry.id
    floor.carer = {"id": carer.id, "email": carer.email, "password": PASSWORD}
    floor.other = {"id": other.id, "email": other.email, "password": PASSWORD}
    floor.manager = {"id": manager.id, "email": manager.email, "password": PASSWORD}
    return floor


SENT_BACK = "The bell log for Friday is missing."
CARRIED = "Waiting for the new call bell system to be fitted."
ESCALATED = "Residents were at risk: the nominated individual must know."
HANDED_OVER = "Sam moves to nights."
CHALLENGED = "The log does not show weekend lunchtimes."
NEW_DECISION = (
    "Sam Carer to check call bell response times at lunch and supper daily for two weeks."
)


def make_every_event(app, floor, ids: dict) -> None:
    """After ``make_every_kind``: the action's conflict settled "Reopen for checking", then
    sent back, reworded with its due date moved, escalated, noted, linked to a finding,
    handed over and challenged: an event of every type the log writes on an entry."""
    manager = Desk(app, floor.manager)
    entry = f"/entries/{ids['entry']}"
    conflicts = manager.get(entry + "/conflicts")["items"]
    manager.post(f"/conflicts/{conflicts[0]['id']}/resolve", {"choice": "other"})
    version = manager.get(entry)["version"]
    step = {"action": "send_back", "version": version, "reason": SENT_BACK}
    version = manager.post(entry + "/transitions", step)["version"]
    due = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    change = {"version": version, "decision": NEW_DECISION, "due_date": due}
    version = patch(manager, entry, {**change, "carry_forward_reason": CARRIED})["version"]
    escalation = {"decision": "escalated", "reason": ESCALATED, "version": version}
    manager.post(entry + "/escalation", escalation)
    manager.post(entry + "/notes", {"body": "Spoke to the night team about the bells."})
    link = {"finding_ids": [ids["risky"]], "action": "link", "entry_id": ids["entry"]}
    manager.post("/findings/triage", link)
    with app.app_context():
        _hand_over_and_challenge(floor, ids["entry"])


def _hand_over_and_challenge(floor, entry_id) -> None:
    from server.accounts.models import User
    from server.audit.services import Actor
    from server.extensions import db
    from server.log import services, transitions
    from server.log.models import LogEntry

    manager = Actor(db.session.get(User, floor.manager["id"]))
    entry = db.session.get(LogEntry, uuid.UUID(str(entry_id)))
    services.hand_over(manager, entry, floor.other["id"], HANDED_OVER)
    transitions.challenge(manager, entry, CHALLENGED)
    db.session.commit()
