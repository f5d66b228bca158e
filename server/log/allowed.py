"""The status actions a person may take on each log entry, as the tablet is told them.

Worked out from the status machine (server/log/machine.py TRANSITIONS: each action's
source statuses, its permission, whether the owner may) and the person's permitted actions
(server/accounts/abilities.py), so the PWA holds no status machine and no role list of its
own. The server still checks every transition when it is made (rules such as "closure
needs evidence" or an independent sign-off are checked then, and refused in words).
"""

from flask import g, has_request_context
from flask_login import current_user

from server.accounts.abilities import permitted
from server.log.machine import TRANSITIONS


def allowed_transitions(user_id, actions, status: str, owner_id, service_id) -> list[str]:
    """Return the actions (in the machine's order) open to a person holding ``actions`` in
    the entry's service; an owner with any role there may also take the owner's steps."""
    owner = bool(actions) and owner_id is not None and str(owner_id) == str(user_id)
    return [
        name
        for name, step in TRANSITIONS.items()
        if status in step.sources and (step.permission in actions or (step.owner_may and owner))
    ]


def for_pull(user, body: dict) -> None:
    """Add to a pull page the person's permitted actions and, on each log entry it carries,
    the transitions open to them (docs/sync-protocol.md). Entries alike in service, status
    and whether the person owns them share one answer, worked out once."""
    perms = permitted(user)
    body["permissions"] = perms
    by_service = {sid: set(actions) for sid, actions in perms["services"].items()}
    me, memo = str(user.id), {}
    for change in body["changes"]:
        record = change["record"]
        if record is None or change["entity_type"] != "log_entry":
            continue
        key = (record["service_id"], record["status"], record["owner_id"] == me)
        answer = memo.get(key)
        if answer is None:
            actions = by_service.get(str(key[0]), set())
            owner = me if key[2] else None
            answer = memo[key] = allowed_transitions(me, actions, key[1], owner, key[0])
        record["transitions"] = list(answer)


def for_entry(entry) -> list[str]:
    """The transitions open to the signed-in person on ``entry`` (for the REST answer);
    none outside a request or for nobody signed in."""
    if not has_request_context() or not getattr(current_user, "is_authenticated", False):
        return []
    cache = g.setdefault("entry_actions", {})
    if current_user.id not in cache:
        perms = permitted(current_user)
        cache[current_user.id] = {s: set(a) for s, a in perms["services"].items()}
    actions = cache[current_user.id].get(str(entry.service_id), set())
    return allowed_transitions(
        current_user.id, actions, entry.status, entry.owner_id, entry.service_id
    )
