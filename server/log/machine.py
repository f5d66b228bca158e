"""The entry's status machine as data: which action moves an entry from which statuses,
under which permission. server.log.transitions runs it; the schemas name its actions."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    sources: tuple[str, ...]
    permission: str
    done: str  # "cannot be <done>" in messages
    owner_may: bool = False


TRANSITIONS = {
    "open": Step(("draft",), "entry.open", "opened"),
    "start": Step(("open",), "entry.start", "started", owner_may=True),
    "mark_done": Step(("open", "in_progress"), "entry.mark_done", "marked done", owner_may=True),
    "send_back": Step(("awaiting_check",), "entry.send_back", "sent back"),
    "close": Step(("awaiting_check",), "entry.close", "closed"),
    "sign_off": Step(("awaiting_sign_off",), "entry.sign_off", "signed off"),
    "challenge": Step(("awaiting_sign_off",), "entry.sign_off", "challenged"),
    "reopen": Step(("closed",), "entry.reopen", "reopened"),
}
ACTIONS = tuple(TRANSITIONS)
