"""A step's LLM artifacts grouped into calls, and what names a call where no log does.

Bundled members say which call they belong to (`Artifact.call_index`, the `_N` of their
member name). Flat artifacts do not: Skyvern writes a call's prompt first and its request,
response, parsed and rendered answers after it, so in capture order a prompt opens a call and
the rest join the open one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timezone

from ..model import Artifact
from .model import LlmCall

CALL_TYPES = ("llm_prompt", "llm_request", "llm_response", "llm_response_parsed", "llm_response_rendered")
_SLOT = {"llm_prompt": "prompt", "llm_request": "request", "llm_response": "response",
         "llm_response_parsed": "parsed", "llm_response_rendered": "rendered"}
_NO_TIME = datetime.min.replace(tzinfo=timezone.utc)


def capture_key(artifact: Artifact) -> tuple[datetime, int, str]:
    """Capture order: the time, then the id (Skyvern's ids grow with time, and many rows of a
    step share one time: they were written together at its end)."""
    digits = artifact.artifact_id.rsplit("_", 1)[-1]
    number = int(digits) if digits.isdigit() and len(digits) < 30 else 0
    return (artifact.created_at or _NO_TIME, number, artifact.artifact_id)


def group_calls(artifacts: Iterable[Artifact]) -> tuple[LlmCall, ...]:
    """The step's calls in order, each holding the artifacts it left (no name yet)."""
    llm = sorted((a for a in artifacts if a.artifact_type in _SLOT), key=capture_key)
    slots: list[dict[str, Artifact]] = []
    numbered: dict[int, dict[str, Artifact]] = {}
    for artifact in llm:
        slot = _SLOT[artifact.artifact_type]
        index = artifact.call_index
        if index is not None:
            group = numbered.get(index)
            if group is None:
                group = numbered[index] = {}
                slots.append(group)
        elif slot == "prompt" or not slots or slot in slots[-1] or any(a.call_index is not None for a in slots[-1].values()):
            group = {}
            slots.append(group)
        else:
            group = slots[-1]
        if slot in group:  # the same member twice (a duplicate row): keep the first
            continue
        group[slot] = artifact
    if numbered and len(numbered) == len(slots):
        slots = [numbered[i] for i in sorted(numbered)]
    calls = []
    for index, group in enumerate(slots):
        first = min(group.values(), key=capture_key)
        calls.append(LlmCall(index, "", time=first.created_at, prompt=group.get("prompt"), request=group.get("request"),
                             response=group.get("response"), parsed=group.get("parsed"),
                             rendered=group.get("rendered")))
    return tuple(calls)


# Skyvern puts a security notice before some prompts; the prompt's own heading comes after it.
_BOILERPLATE = ("SECURITY BOUNDARY:",)
_HEADING_CHARS = 80
_SENTENCE_END = re.compile(r"(?<=[.:!?])\s")


def prompt_heading(text: str) -> str:
    """The prompt's first meaningful line, its first sentence, cut to a screen's width:
    "Identify actions to help user progress towards the user goal …"."""
    for raw in text.splitlines():
        line = raw.strip().lstrip("#").strip()
        if not line or line.startswith(_BOILERPLATE) or line.startswith(("```", "{", "[", "<")):
            continue
        sentence = _SENTENCE_END.split(line, 1)[0].rstrip(".:")
        if len(sentence) > _HEADING_CHARS:
            sentence = sentence[: _HEADING_CHARS - 1].rstrip() + "…"
        return sentence
    return ""


# Skyvern's prompts state the goal in a section of their own: "User goal:" (extract-actions)
# or "User Goal:" (check-user-goal), then the goal in a fence or on the next lines.
_GOAL = re.compile(r"^\s*user goal\s*:\s*$", re.IGNORECASE)


def user_goal(text: str) -> str | None:
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if not _GOAL.match(line):
            continue
        body: list[str] = []
        fenced = False
        for follow in lines[index + 1:]:
            stripped = follow.strip()
            if stripped.startswith("```"):
                if fenced:
                    break
                fenced = True
                continue
            if not fenced and not stripped:
                if body:
                    break
                continue
            body.append(follow.rstrip())
        goal = "\n".join(body).strip()
        if goal:
            return goal
    return None
