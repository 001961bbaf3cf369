"""Multi-turn rows and system instructions: their parsing and the role rules. Pure.

A row's `turns` is the whole conversation after the video: user and model texts, alternating,
the first the user's, the last the model's (what Google's dataset validator checked). The
video goes in the first user turn, before its text. An item is a string (its role follows
from its place) or `{"role": "user"|"model", "text": "..."}`.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

ROLES = ("user", "model")


class ConversationError(ValueError):
    """A `turns` or `system_instruction` value the tuning service would refuse; the message says how to fix it."""


def parse_turns(value: Any) -> tuple[tuple[str, str], ...]:
    """[(role, text), ...] of a row's `turns`; raises ConversationError."""
    if not isinstance(value, list) or not value:
        raise ConversationError("`turns` must be a non-empty list of user/model texts")
    turns = []
    for i, item in enumerate(value):
        expected = ROLES[i % 2]
        if isinstance(item, str):
            role, text = expected, item
        elif isinstance(item, dict) and set(item) <= {"role", "text"}:
            role, text = item.get("role", expected), item.get("text")
        else:
            raise ConversationError(f"turn {i} must be a text or an object with `role` and `text`")
        if not isinstance(text, str) or not text.strip():
            raise ConversationError(f"turn {i} has no text; every turn needs its text")
        turns.append((role, text))
    problem = role_problem([role for role, _ in turns])
    if problem:
        raise ConversationError(f"`turns`: {problem}")
    return tuple(turns)


def role_problem(roles: Sequence[Any]) -> str:
    """What breaks the service's rules for the roles of `contents`; empty when they are fine."""
    for i, role in enumerate(roles):
        if role not in ROLES:
            return f"turn {i} has role {role!r}; use 'user' or 'model'"
    if not roles or roles[0] != "user":
        return "the first turn must be the user's"
    for i, (a, b) in enumerate(zip(roles, roles[1:]), start=1):
        if a == b:
            return f"turns {i - 1} and {i} are both {a!r}; user and model must alternate"
    if roles[-1] != "model":
        return "the last turn must be the model's (the answer it is tuned to give)"
    return ""


def parse_system_instruction(value: Any) -> Optional[str]:
    """A row's `system_instruction` text; None when absent; raises ConversationError."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConversationError("`system_instruction` must be a text")
    return value


def system_instruction_part(text: str) -> dict[str, Any]:
    """The example's `systemInstruction`, as the tuning format writes it (its role is ignored)."""
    return {"parts": [{"text": text}]}


def extra_text(system_instruction: Optional[str], turns: Sequence[tuple[str, str]]) -> str:
    """The text an example carries besides the prompt and the first answer: for the token estimate."""
    return (system_instruction or "") + "".join(text for _, text in turns)
