"""LLM artifacts: prompts, requests, responses and parsed actions, ready for reading.

Pure functions over bytes (no textual / rich): the openers (tui.core.opening) call them in a worker.

- Prompts mix prose, JSON and HTML-like element trees: `prompt_segments` says which lexer suits
  each run of lines, so each piece is highlighted as what it is and prose stays plain.
- Requests carry screenshots as base64 data URLs of megabytes: `elide_images` swaps each for a
  short placeholder naming its type, size in pixels and bytes, and keeps the data to open it.
- Skyvern replaces hrefs over 150 characters by `{{_<64 hex>}}` and stores the real URL in the
  step's `hashed_href_map`: `resolve_hrefs` puts the URLs back (and says where, for styling).
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import ParseError
from ..textsafe import safe_fields, visible_controls
from .jsonload import load_json, nesting_guard
from .text import TextDocument, split_lines
from ..fields import mapping

HREF_PLACEHOLDER = re.compile(r"\{\{\s*(_[0-9a-f]{64})\s*\}\}")
HREF_MARK = "↗"  # put before a resolved URL, so it reads as "this was a placeholder"

# (first line, end line exclusive, Pygments lexer); lines not covered are plain text.
Segment = tuple[int, int, str]
# (start, end, kind) character spans within one line; kind is "href" or "placeholder".
Span = tuple[int, int, str]


# --- JSON helpers ------------------------------------------------------------------------------
def pretty(value: Any) -> str:
    """Indented JSON. A value that parsed can still be nested too deeply for the encoder (it
    recurses in Python): ParseError then."""
    try:
        return json.dumps(value, indent=2, ensure_ascii=False)
    except RecursionError:
        raise ParseError("The JSON is nested too deeply to show (lists or objects hundreds of levels deep).") from None


def _inner_json(text: str) -> Any:
    """JSON inside a string (an answer's content, a tool call's arguments); ValueError when the
    text is not JSON or is nested too deeply to read."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def human_bytes(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{value:.0f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


# --- hashed hrefs --------------------------------------------------------------------------------
@nesting_guard("The hashed_href_map")
def parse_href_map(data: bytes) -> dict[str, str]:
    """A hashed_href_map artifact: {"_<64 hex>": "<url>"}."""
    value = load_json(data, "The hashed_href_map")
    if not isinstance(value, dict):
        raise ParseError(f"The hashed_href_map is a JSON {type(value).__name__}, not an object.")
    # URLs are data: made one visible line each, so a resolved line stays one line.
    return {visible_controls(str(k)): visible_controls(str(v)).replace("\n", "␊") for k, v in value.items()}


def resolve_line(line: str, hrefs: dict[str, str]) -> tuple[str, list[Span], list[Span]]:
    """The line with known placeholders replaced by their URLs, the URLs' spans in it, and the
    placeholders' spans in the original line. Unknown hashes stay as they are."""
    out: list[str] = []
    resolved: list[Span] = []
    placeholders: list[Span] = []
    last = 0
    length = 0
    for match in HREF_PLACEHOLDER.finditer(line):
        url = hrefs.get(match.group(1))
        if url is None:
            continue
        placeholders.append((match.start(), match.end(), "placeholder"))
        before = line[last : match.start()]
        out.append(before)
        length += len(before)
        shown = HREF_MARK + url
        out.append(shown)
        resolved.append((length, length + len(shown), "href"))
        length += len(shown)
        last = match.end()
    if not resolved:
        return line, [], []
    out.append(line[last:])
    return "".join(out), resolved, placeholders


def resolve_text(text: str, hrefs: dict[str, str]) -> str:
    """Placeholders in a string replaced by their URLs (for table cells and details)."""
    if not hrefs or "{{" not in text:
        return text
    return HREF_PLACEHOLDER.sub(lambda m: HREF_MARK + hrefs[m.group(1)] if m.group(1) in hrefs else m.group(), text)


@dataclass(frozen=True)
class HrefLines:
    """The same lines two ways: URLs put back, or the placeholders as Skyvern wrote them."""

    original: list[str]
    resolved: list[str]
    resolved_spans: dict[int, list[Span]]
    placeholder_spans: dict[int, list[Span]]

    def __post_init__(self) -> None:
        # Both line lists come from split_lines (and safe URLs): not scanned again.
        safe_fields(self, keep=("original", "resolved", "resolved_spans", "placeholder_spans"))

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.resolved_spans.values())


def resolve_hrefs(lines: list[str], hrefs: dict[str, str]) -> HrefLines | None:
    """None when no line holds a known placeholder (the common case costs one scan for "{{")."""
    if not hrefs:
        return None
    resolved = lines
    resolved_spans: dict[int, list[Span]] = {}
    placeholder_spans: dict[int, list[Span]] = {}
    for index, line in enumerate(lines):
        if "{{" not in line:
            continue
        new, spans, holes = resolve_line(line, hrefs)
        if spans:
            if resolved is lines:
                resolved = list(lines)  # copy only once something changes
            resolved[index] = new
            resolved_spans[index] = spans
            placeholder_spans[index] = holes
    if not resolved_spans:
        return None
    return HrefLines(lines, resolved, resolved_spans, placeholder_spans)


# --- prompt segments -------------------------------------------------------------------------------
FENCE_LEXERS = {"json": "json", "html": "html", "xml": "xml", "python": "python", "py": "python",
                "js": "javascript", "javascript": "javascript", "css": "css", "text": "text", "": ""}
MAX_JSON_BLOCK = 5000  # lines; an unbalanced "{" must not swallow the rest of a huge prompt


def _bracket_depth(line: str, depth: int) -> int:
    """Depth after the line, counting brackets outside JSON strings."""
    in_string = escaped = False
    for char in line:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
    return depth


def _starts_json(stripped: str) -> bool:
    # "{" alone, or an object/array that opens with a key or a nested value; not "[info ] ..."
    return (stripped in ("{", "[") or stripped.startswith(('{"', '[{', '["', "[[", "{ "))
            or (stripped.startswith("{") and stripped.endswith("}")))


def _json_lexer(lines: list[str]) -> str:
    """JSON if it parses; else JavaScript, which reads prompt schemas (`str`, `// comment`) kindly."""
    text = "\n".join(lines)
    if len(text) > 1 << 20:
        return "json"
    try:
        json.loads(text)
        return "json"
    except (ValueError, RecursionError):  # RecursionError: nested deeper than json recurses
        return "javascript"


def prompt_segments(lines: list[str]) -> list[Segment]:
    """Runs of lines that are fenced code, JSON-looking blocks or HTML; prose is left out."""
    segments: list[Segment] = []
    index, count = 0, len(lines)
    while index < count:
        stripped = lines[index].strip()
        if stripped.startswith("```"):
            info = stripped[3:].strip().lower()
            end = index + 1
            while end < count and not lines[end].strip().startswith("```"):
                end += 1
            body = lines[index + 1 : end]
            lexer = FENCE_LEXERS.get(info, "")
            if body and lexer and lexer != "text":
                segments.append((index + 1, end, lexer))
            elif body:
                # ```text (or no language) may still hold an element tree or JSON: look inside.
                segments.extend((index + 1 + a, index + 1 + b, lx) for a, b, lx in prompt_segments(body))
            index = end + 1
        elif _starts_json(stripped):
            depth, end = 0, index
            while end < count and end - index < MAX_JSON_BLOCK:
                depth = _bracket_depth(lines[end], depth)
                end += 1
                if depth <= 0:
                    break
            segments.append((index, end, _json_lexer(lines[index:end])))
            index = end
        elif stripped.startswith("<") and ">" in stripped:
            end = index + 1
            while end < count and lines[end].strip().startswith("<"):
                end += 1
            segments.append((index, end, "html"))
            index = end
        else:
            index += 1
    return segments


# --- documents ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InlineImage:
    """A data-URL image lifted out of a request: what it is, and its base64 to open it later."""

    mime: str
    width: int | None
    height: int | None
    size: int  # decoded bytes
    b64: str

    def __post_init__(self) -> None:
        safe_fields(self, keep=("b64",))  # the image's bytes as stored, never shown

    @property
    def label(self) -> str:
        dims = f" {self.width}x{self.height}" if self.width else ""
        return f"[{self.mime}{dims}, {human_bytes(self.size)}]"

    def data(self) -> bytes:
        try:
            return base64.b64decode(self.b64)
        except (binascii.Error, ValueError) as exc:
            raise ParseError(f"The image's base64 does not decode: {exc}") from exc


@dataclass(frozen=True)
class LlmDocument(TextDocument):
    """Lines for a line view, plus what the AI viewers add: segments, hrefs, images, a header."""

    segments: list[Segment] = field(default_factory=list)
    hrefs: HrefLines | None = None
    # Line index -> image shown on that line (requests).
    images: dict[int, InlineImage] = field(default_factory=dict)
    header: str = ""
    # The artifact as it came (pretty-printed), for the raw view; None when `lines` are raw.
    raw: TextDocument | None = None

    def __post_init__(self) -> None:
        safe_fields(self, keep=("lines", "segments", "images"))  # lines: from split_lines


def _doc(lines: list[str], hrefs: dict[str, str], **kwargs) -> LlmDocument:
    resolved = resolve_hrefs(lines, hrefs)
    shown = resolved.resolved if resolved else lines
    return LlmDocument(shown, kwargs.pop("lexer", "text"), width=max(map(len, shown), default=0),
                       hrefs=resolved, **kwargs)


def prompt_document(data: bytes, hrefs: dict[str, str]) -> LlmDocument:
    lines = split_lines(data)
    resolved = resolve_hrefs(lines, hrefs)
    shown = resolved.resolved if resolved else lines
    note = f"{resolved.count} long href{'s' if resolved.count > 1 else ''} resolved (p: placeholders)" if resolved else None
    return LlmDocument(shown, "text", note=note, width=max(map(len, shown), default=0),
                       segments=prompt_segments(lines), hrefs=resolved)


# --- requests ---------------------------------------------------------------------------------------
DATA_URL = re.compile(r"^data:([\w.+-]+/[\w.+-]+)?(?:;[\w=.+-]+)*;base64,", re.ASCII)
HEADER_B64 = 1 << 16  # base64 characters decoded to read an image's size from its header


def inline_image(url: str) -> InlineImage | None:
    match = DATA_URL.match(url)
    if match is None:
        return None
    b64 = url[match.end() :]
    padding = len(b64) - len(b64.rstrip("="))
    size = max(0, len(b64) * 3 // 4 - padding)
    width = height = None
    try:
        from PIL import Image  # only the header is read: Image.open is lazy

        from .media import FORMATS

        head = base64.b64decode(b64[: HEADER_B64 - HEADER_B64 % 4])
        with Image.open(io.BytesIO(head), formats=FORMATS) as image:
            width, height = image.size
    except Exception:  # noqa: BLE001, S110  (Pillow raises many types; the size stays unknown)
        pass
    return InlineImage(match.group(1) or "application/octet-stream", width, height, size, b64)


IMAGE_DEPTH = 64  # an image sits a few levels down a request; deeper values are left as they are


def elide_images(value: Any, found: list[InlineImage], depth: int = 0) -> Any:
    """A copy of the JSON value with every base64 data URL replaced by its placeholder label."""
    if depth >= IMAGE_DEPTH:
        return value  # the walk recurses: hostile nesting must not exhaust the stack here
    if isinstance(value, dict):
        return {k: elide_images(v, found, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [elide_images(v, found, depth + 1) for v in value]
    if isinstance(value, str) and value.startswith("data:"):
        image = inline_image(value)
        if image is not None:
            found.append(image)
            return image.label
    return value


@nesting_guard("The LLM request")
def request_document(data: bytes, hrefs: dict[str, str]) -> LlmDocument:
    found: list[InlineImage] = []
    lines = split_lines(pretty(elide_images(load_json(data, "The LLM request"), found)))
    # Images come out of json.dumps in the order elide_images met them: the n-th line holding
    # a label is the n-th image.
    images: dict[int, InlineImage] = {}
    pending = iter(found)
    image = next(pending, None)
    for index, line in enumerate(lines):
        if image is None:
            break
        if json.dumps(image.label, ensure_ascii=False) in line:
            images[index] = image
            image = next(pending, None)
    plural = "s" if len(found) > 1 else ""
    note = f"{len(found)} inline image{plural} elided (enter or i opens)" if found else None
    doc = _doc(lines, hrefs, lexer="json", images=images, note=note)
    return doc


# --- responses --------------------------------------------------------------------------------------
def _content_lines(content: Any) -> tuple[list[str], str]:
    """Message content: JSON inside it pretty-printed, else the text as it is."""
    if content is None:
        return [], "text"
    if isinstance(content, list):  # content parts: {"type": "text", "text": "..."}, or anything
        text = "\n".join(_part_text(p) for p in content)
    else:
        text = content if isinstance(content, str) else value_text(content)
    stripped = text.strip()
    if stripped.startswith("```"):  # a fenced answer: ```json ... ```
        stripped = stripped.strip("`")
        stripped = stripped[stripped.find("\n") + 1 :] if "\n" in stripped else stripped
    try:
        return split_lines(pretty(_inner_json(stripped))), "json"
    except (ValueError, ParseError):
        return split_lines(text), "text"


def _part_text(part: Any) -> str:
    """One content part as text: its "text" when that is a string, else the part as JSON."""
    if isinstance(part, dict) and isinstance(part.get("text"), str):
        return part["text"]
    return part if isinstance(part, str) else value_text(part)


def response_header(response: dict) -> str:
    choices = response.get("choices")
    choice = choices[0] if isinstance(choices, list) and choices and isinstance(choices[0], dict) else {}
    usage = mapping(response.get("usage"))
    parts = [f"model {response.get('model') or '?'}", f"finish {choice.get('finish_reason') or '?'}"]
    if usage:
        parts.append("tokens {} prompt / {} completion / {} total".format(
            usage.get("prompt_tokens", "?"), usage.get("completion_tokens", "?"), usage.get("total_tokens", "?")))
    return " · ".join(parts)


@nesting_guard("The LLM response")
def response_document(data: bytes, hrefs: dict[str, str]) -> LlmDocument:
    response = load_json(data, "The LLM response")
    if not isinstance(response, dict):
        raise ParseError(f"The LLM response is a JSON {type(response).__name__}, not an object.")
    choices = response.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise ParseError("The LLM response has no choices[0] (is it a litellm response?).")
    message = choices[0].get("message") or {}
    if not isinstance(message, dict):
        raise ParseError("choices[0].message of the LLM response is not an object.")
    lines, lexer = _content_lines(message.get("content"))
    segments: list[Segment] = [(0, len(lines), "json")] if lexer == "json" and lines else []
    calls = message.get("tool_calls")
    for call in calls if isinstance(calls, list) else []:
        call = mapping(call)
        function = mapping(call.get("function"))
        lines.append("")
        lines.append(f"tool call: {function.get('name', '?')} ({call.get('id', '')})")
        args = function.get("arguments", "")
        try:
            args_lines = split_lines(pretty(_inner_json(args) if isinstance(args, str) else args))
        except (ValueError, ParseError):
            args_lines = split_lines(str(args))
        segments.append((len(lines), len(lines) + len(args_lines), "json"))
        lines.extend(args_lines)
    if not lines:
        lines = ["(no content)"]
    raw_lines = split_lines(pretty(response))
    raw = TextDocument(raw_lines, "json", note="raw", width=max(map(len, raw_lines), default=0))
    return _doc(lines, hrefs, segments=segments, header=response_header(response), raw=raw)


# --- parsed actions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    index: int
    action_type: str
    element_id: str | None
    text: str  # the text typed, the option chosen, the key pressed...
    reasoning: str
    confidence: str
    fields: dict[str, Any]

    def __post_init__(self) -> None:
        safe_fields(self)  # fields too: the detail area shows every key and value


@dataclass(frozen=True)
class ActionsDocument:
    goal: dict[str, Any]  # every top-level field but the actions
    actions: list[Action]
    raw: TextDocument

    def __post_init__(self) -> None:
        safe_fields(self, keep=("actions",))


def _option_text(option: Any) -> str:
    if isinstance(option, dict):
        label, value = option.get("label"), option.get("value")
        if label and value and label != value:
            return f"{label} ({value})"
        return str(label or value or option.get("index", ""))
    return "" if option is None else str(option)


def _action(index: int, item: Any) -> Action:
    if not isinstance(item, dict):
        return Action(index, "?", None, "", str(item), "", {"value": item})
    text = item.get("text") or _option_text(item.get("option")) or item.get("key") or item.get("file_url") or ""
    element = item.get("id") or item.get("element_id")
    confidence = item.get("confidence_float")
    return Action(
        index,
        str(item.get("action_type") or "?"),
        None if element is None else str(element),
        str(text),
        str(item.get("reasoning") or ""),
        f"{confidence:.2f}" if isinstance(confidence, (int, float)) else str(confidence or ""),
        item,
    )


@nesting_guard("The parsed LLM response")
def actions_document(data: bytes) -> ActionsDocument:
    value = load_json(data, "The parsed LLM response")
    if isinstance(value, list):  # some prompts answer with a bare list of actions
        value = {"actions": value}
    if not isinstance(value, dict):
        raise ParseError(f"The parsed LLM response is a JSON {type(value).__name__}, not an object.")
    items = value.get("actions")
    actions = [_action(i, item) for i, item in enumerate(items, 1)] if isinstance(items, list) else []
    goal = {k: v for k, v in value.items() if k != "actions" or not isinstance(items, list)}
    raw_lines = split_lines(pretty(value))
    return ActionsDocument(goal, actions, TextDocument(raw_lines, "json", width=max(map(len, raw_lines), default=0)))


def value_text(value: Any) -> str:
    """A field's value for a detail area: strings as they are, the rest as compact JSON."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except RecursionError:
        return "… (nested too deeply to show)"
