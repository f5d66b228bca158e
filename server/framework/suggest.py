"""Quality statements suggested for a finding or an entry, from its area and its words.

A plain table (data/suggestions.json, for the 2023 statements) says which words and which
areas point to which statement; each suggestion says why, and the manager confirms it. For
another framework version, a 2023 statement's suggestion goes to the statements the
mapping connects it to. Nothing is learnt or guessed beyond the table.
"""

import json
import re
from functools import cache

from server.framework.services import DATA, get_framework, mapping_into, statements

MAX_SUGGESTIONS = 5


@cache
def _table() -> tuple[str, dict]:
    doc = json.loads((DATA / "suggestions.json").read_text(encoding="utf-8"))
    prefix = doc["framework"]
    rules = {}
    for code, rule in doc["statements"].items():
        words = [(w, re.compile(rf"\b{re.escape(w)}\b", re.I)) for w in rule.get("words", [])]
        rules[f"{prefix}:{code}"] = (words, [a.lower() for a in rule.get("areas", [])])
    return prefix, rules


def _reasons(rule, areas: list[str], text: str) -> tuple[list[str], int]:
    """Why the rule points to its statement, and how strongly (an area counts two words)."""
    words, area_words = rule
    reasons, score = [], 0
    for area in dict.fromkeys(a.strip() for a in areas if a and a.strip()):
        if any(word in area.lower() for word in area_words):
            reasons.append(f"the area is “{area}”")
            score += 2
    found: dict[str, str] = {}  # table word: the words as written
    for word, pattern in words:
        match = pattern.search(text)
        # A phrase that a longer matching phrase already covers adds nothing.
        if match and not any(word in longer for longer in found):
            found = {f: w for f, w in found.items() if f not in word}
            found[word] = match.group(0)
    if found:
        quoted = ", ".join(f"“{w}”" for w in list(found.values())[:4])
        reasons.append(f"the words mention {quoted}")
    return reasons, score + len(found)


def _why(reasons: list[str]) -> str:
    return "Suggested because " + " and ".join(reasons) + "."


def suggestions(framework_id: str, areas: list[str], text: str) -> dict:
    """The statements of ``framework_id`` suggested by ``areas`` and ``text``, the best
    first (most reasons, then the framework's order), at most MAX_SUGGESTIONS."""
    get_framework(framework_id)
    prefix, rules = _table()
    into = {} if framework_id == prefix else mapping_into(framework_id)
    found: dict[str, list[str]] = {}
    scores: dict[str, int] = {}
    for statement_id, rule in rules.items():
        reasons, score = _reasons(rule, areas, text or "")
        if not reasons:
            continue
        targets = [statement_id] if framework_id == prefix else into.get(statement_id, [])
        for target in targets:
            found.setdefault(target, [])
            found[target] += [r for r in reasons if r not in found[target]]
            scores[target] = scores.get(target, 0) + score
    ordered = [s for s in statements(framework_id) if found.get(s.id)]
    ordered.sort(key=lambda s: -scores[s.id])
    return {
        "framework": framework_id,
        "items": [
            {
                "statement_id": s.id,
                "code": s.code,
                "title": s.title,
                "key_question": s.key_question,
                "reasons": found[s.id],
                "why": _why(found[s.id]),
            }
            for s in ordered[:MAX_SUGGESTIONS]
        ],
    }
