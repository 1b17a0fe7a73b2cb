"""A step's actions from what Skyvern recorded of them, with no artifact read.

Two records say what was done and how it went: the actions API (one item per action, its
status and errors) and the step's own output (`actions_and_results`: each action with its
results, `success` and the exception). Where both exist they are joined by action id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

from ..fields import mapping
from ..model import Artifact, Step, parse_time
from ..textsafe import visible_controls
from .model import Action

# A capture time from an id is to the second: a screenshot of that second may follow the action.
_ID_SECOND = timedelta(seconds=1)

# What an action typed or chose, by Skyvern's field names, first found wins.
_TEXT_FIELDS = ("text", "option", "key", "file_url", "download_url")


def _text(item: Mapping[str, Any]) -> str:
    for name in _TEXT_FIELDS:
        value = item.get(name)
        if isinstance(value, Mapping):  # a select option: {"label", "value", "index"}
            label, chosen = value.get("label"), value.get("value")
            value = f"{label} ({chosen})" if label and chosen and label != chosen else (label or chosen)
        if value:
            return str(value)
    return ""


def _confidence(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if value == value else None


def _errors(value: Any) -> list[str]:
    """The action's `errors`: a list of UserDefinedError objects ({error_code, reasoning}) or text."""
    out = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, Mapping):
            code, why = item.get("error_code"), item.get("reasoning") or item.get("message")
            out.append(": ".join(str(p) for p in (code, why) if p))
        elif item:
            out.append(str(item))
    return [e for e in out if e]


def result_error(result: Mapping[str, Any]) -> str | None:
    kind, message = result.get("exception_type"), result.get("exception_message")
    if kind or message:
        return ": ".join(str(p) for p in (kind, message) if p)
    return None


def _results(results: Any) -> tuple[bool | None, list[str]]:
    """An action's results: False if any failed, the failures' exceptions."""
    items = [r for r in results if isinstance(r, Mapping)] if isinstance(results, list) else []
    if not items:
        return None, []
    success = all(r.get("success") is not False for r in items)
    errors = [e for e in (result_error(r) for r in items if r.get("success") is False) if e]
    return success, errors


def action_type(value: Any) -> str:
    return str(value).lower() if value else "?"


def from_item(index: int, item: Mapping[str, Any], results: Any, origin: str) -> Action:
    success, failures = _results(results)
    element = item.get("element_id") or item.get("id") if origin == "llm" else item.get("element_id")
    return Action(
        index=index,
        action_type=action_type(item.get("action_type")),
        element_id=str(element) if element else None,
        text=_text(item),
        reasoning=str(item.get("reasoning") or ""),
        intention=str(item.get("intention") or ""),
        confidence=_confidence(item.get("confidence_float")),
        status=item.get("status") if isinstance(item.get("status"), str) else None,
        errors=tuple(_errors(item.get("errors")) + failures),
        success=success,
        started_at=parse_time(item.get("started_at")),
        finished_at=parse_time(item.get("finished_at")),
        action_id=item.get("action_id") if isinstance(item.get("action_id"), str) else None,
        origin=origin,
    )


def recorded_pairs(step: Step) -> list[tuple[Mapping[str, Any], Any]]:
    """The step output's [action, [result, ...]] pairs, as far as they are well formed."""
    pairs = mapping(step.raw.get("output")).get("actions_and_results")
    out = []
    for pair in pairs if isinstance(pairs, list) else []:
        if isinstance(pair, (list, tuple)) and pair and isinstance(pair[0], Mapping):
            out.append((pair[0], pair[1] if len(pair) > 1 else []))
    return out


def _order(item: Mapping[str, Any]) -> int:
    value = item.get("action_order")
    return value if isinstance(value, int) and not isinstance(value, bool) else 1 << 30


def _id(item: Mapping[str, Any]) -> str:
    value = item.get("action_id")
    return value if isinstance(value, str) else ""


def screenshot_id(item: Mapping[str, Any]) -> str | None:
    value = item.get("screenshot_artifact_id")
    return value if isinstance(value, str) and value else None


def recorded_actions(step: Step, api_items: Sequence[Mapping[str, Any]]) -> list[tuple[Action, str | None]]:
    """From the actions API where it has the step's actions, else from the step's output; each
    with the screenshot it names."""
    pairs = recorded_pairs(step)
    results_by_id = {a["action_id"]: r for a, r in pairs if isinstance(a.get("action_id"), str)}
    if api_items:
        items = sorted(api_items, key=_order)  # sorted() is stable: equal orders keep the API's order
        return [(from_item(i, item, results_by_id.get(_id(item), []), "actions"), screenshot_id(item))
                for i, item in enumerate(items)]
    return [(from_item(i, item, results, "steps"), screenshot_id(item)) for i, (item, results) in enumerate(pairs)]


def step_exception(step: Step) -> tuple[str | None, str | None]:
    """The first failed action result's exception, as the step's output records it."""
    output = mapping(step.raw.get("output"))
    results: list[Any] = [r for _, rs in recorded_pairs(step) for r in (rs if isinstance(rs, list) else [])]
    plain = output.get("action_results")
    results += plain if isinstance(plain, list) else []
    for result in results:
        if isinstance(result, Mapping) and result.get("success") is False:
            kind, message = result.get("exception_type"), result.get("exception_message")
            if kind or message:
                return (str(kind) if kind else None, str(message) if message else None)
    return None, None


def with_screenshots(actions: Sequence[tuple[Action, str | None]], screenshots: Sequence[Artifact],
                     by_id: Mapping[str, Artifact]) -> tuple[Action, ...]:
    """Each action's screenshot: the one it names, else the first action screenshot captured at
    or after its start that no other action took (Skyvern takes one after each action; a step
    uploaded at its end gives them all one time, and then their order decides)."""
    taken = {named for _, named in actions if named and named in by_id}
    out = []
    for action, named in actions:
        shot = by_id.get(named) if named else None
        if shot is None:
            shot = next((s for s in screenshots if s.artifact_id not in taken
                         and (action.started_at is None or s.captured_at is None
                              or s.captured_at + _ID_SECOND >= action.started_at)),
                        None)
            if shot is not None:
                taken.add(shot.artifact_id)
        out.append(replace(action, screenshot=shot))
    return tuple(out)


def step_url(step: Step) -> str | None:
    """The page the step ran on, as its recorded output says (None where nothing says), made
    safe to show (the raw output is kept as served)."""
    output = mapping(step.raw.get("output"))
    found = [mapping(output.get("browser_metadata")).get("website_url"),
             *(mapping(item.get("skyvern_element_data")).get("page_url") for item, _ in recorded_pairs(step))]
    url = next((u.strip() for u in found if isinstance(u, str) and u.strip()), None)
    return visible_controls(url) if url is not None else None
