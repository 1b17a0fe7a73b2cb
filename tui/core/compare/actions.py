"""Two parsed LLM responses (`llm_response_parsed`, the actions table) compared action by action.

Actions are aligned by what they do (type and element), so an action inserted early does not
make every later one "changed"; each aligned pair then compares field by field: type, element,
text, reasoning, confidence, and any other field the answer gave. The answer's other fields
(goal achieved, page info...) come first, compared the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from difflib import SequenceMatcher

from ..formats.llm import Action, ActionsDocument, value_text
from ..textsafe import visible_controls
from .lines import Cancelled, add_lines
from .result import Builder, Comparison, Side, plural

_SHOWN = {"action_type", "id", "element_id", "text", "reasoning", "confidence_float"}


def action_fields(action: Action) -> list[str]:
    """An action as lines of `name: value`, in a fixed order."""
    lines = [f"type: {action.action_type}", f"element: {action.element_id or '-'}"]
    if action.text:
        lines.append(f"text: {action.text}")
    if action.reasoning:
        lines.append(f"reasoning: {action.reasoning}")
    if action.confidence:
        lines.append(f"confidence: {action.confidence}")
    lines.extend(f"{name}: {_one_line(value_text(value))}" for name, value in sorted(action.fields.items())
                 if name not in _SHOWN)
    return [_one_line(line) for line in lines]


def _one_line(text: str) -> str:
    return visible_controls(text).replace("\n", " ⏎ ")


def action_title(action: Action) -> str:
    element = f" {action.element_id}" if action.element_id else ""
    text = f' "{action.text[:40]}"' if action.text else ""
    return f"{action.action_type}{element}{_one_line(text)}"


def goal_fields(doc: ActionsDocument) -> list[str]:
    return [f"{name}: {_one_line(value_text(value))}" for name, value in sorted(doc.goal.items())]


def _key(action: Action) -> tuple[str, str]:
    return (action.action_type.lower(), action.element_id or "")


def compare_actions(left: ActionsDocument, right: ActionsDocument,
                    cancelled: Callable[[], bool] = lambda: False) -> Comparison:
    builder = Builder("actions")
    changed = added = removed = 0
    before, after = goal_fields(left), goal_fields(right)
    if before or after:
        builder.header("the answer", change=before != after)
        add_lines(builder, before, after, numbered=False)
        changed += before != after
    matcher = SequenceMatcher(None, [_key(a) for a in left.actions], [_key(a) for a in right.actions], autojunk=False)
    for tag, i0, i1, j0, j1 in matcher.get_opcodes():
        if cancelled():
            raise Cancelled
        pairs = list(zip(left.actions[i0:i1], right.actions[j0:j1], strict=False)) if tag in ("equal", "replace") else []
        for old, new in pairs:
            fields_before, fields_after = action_fields(old), action_fields(new)
            differ = fields_before != fields_after
            changed += differ
            where = f"action {old.index}" if old.index == new.index else f"action {old.index} → {new.index}"
            builder.header(f"{where} · {action_title(new)}" + (" · changed" if differ else ""), change=differ)
            add_lines(builder, fields_before, fields_after, numbered=False)
        for old in left.actions[i0 + len(pairs):i1]:
            removed += 1
            builder.header(f"action {old.index} removed · {action_title(old)}", change=True)
            builder.change([Side(line) for line in action_fields(old)], [])
        for new in right.actions[j0 + len(pairs):j1]:
            added += 1
            builder.header(f"action {new.index} added · {action_title(new)}", change=True)
            builder.change([], [Side(line) for line in action_fields(new)])
    counted = f"{plural(len(left.actions), 'action')} against {len(right.actions):,}"
    if not changed and not added and not removed:
        return builder.finish(f"No differences ({counted})")
    return builder.finish(f"{counted}: {added:,} added, {removed:,} removed, {changed:,} changed")
