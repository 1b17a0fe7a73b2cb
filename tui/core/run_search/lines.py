"""The lines a person sees of each text artifact, each with the place its viewer goes to.

Built from the model the artifact's own opener makes (tui.core.opening), so a line's number is
the one its viewer counts (`line:N` of a text is its line as shown: JSON pretty-printed; of a
prompt, a request (images shrunk to a label), a response, as their viewers show them). Where a
kind's lines are not its viewer's rows, the function says so and why. Every line is safe text
(control characters made visible) before it is matched, so the spans of a match are positions in
what is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..formats.elements import ElementTree
from ..formats.har import Entry, Har, read_rest
from ..formats.llm import ActionsDocument, value_text
from ..formats.logs import ConsoleMessage, RawEvent, SkyvernLog, event_json
from ..formats.text import TextDocument, split_lines
from ..formats.trace import Trace
from ..model import Artifact
from ..opening import ActionsModel, ElementsModel, HtmlModel, IdMapModel, Opened, PromptModel, read_rest_of_log
from ..textsafe import visible_controls

# Viewer kinds whose artifacts are searched (images, recordings and binary files are not text).
SEARCHED = frozenset({
    "text", "json", "python", "html", "element_tree", "id_map", "llm_prompt", "llm_request", "llm_response",
    "llm_actions", "skyvern_log", "skyvern_log_raw", "console_log", "har", "trace",
})
BODY_LIMIT = 8 << 20  # bytes of one HAR body searched (the viewer shows its start too)
NOT_TEXT = ("image/", "font/", "audio/", "video/", "application/octet-stream", "application/zip",
            "application/pdf", "application/wasm")

Cancelled = Callable[[], bool]


@dataclass(frozen=True)
class SearchLine:
    target: str | None  # what Viewer.go_to understands (`line:4`, `entry:2`, `AAAB`); None: the start
    where: str  # how the result list names the place: "line 5", "entry 3 · response body"
    text: str  # safe to show


def lines_of(opened: Opened, artifact: Artifact, cancelled: Cancelled = lambda: False) -> Iterator[SearchLine]:
    """The searchable lines of an opened artifact (none for a kind that is not searched)."""
    kind, model = opened.kind, opened.model
    if kind in ("text", "json", "python") and isinstance(model, TextDocument):
        return numbered_lines(model.lines)
    if kind == "html" and isinstance(model, HtmlModel):
        return html_lines(model)
    if kind in ("llm_prompt", "llm_request", "llm_response") and isinstance(model, PromptModel):
        return numbered_lines(model.doc.lines)
    if kind == "llm_actions" and isinstance(model, ActionsModel):
        return action_lines(model.doc)
    if kind == "element_tree" and isinstance(model, ElementsModel):
        return tree_lines(model, cancelled)
    if kind == "id_map" and isinstance(model, IdMapModel):
        return id_map_lines(model)
    if kind == "skyvern_log" and isinstance(model, SkyvernLog):
        return log_lines(artifact, model, cancelled)
    if kind == "skyvern_log_raw" and isinstance(model, list):
        return raw_log_lines(model)
    if kind == "console_log" and isinstance(model, list):
        return console_lines(model)
    if kind == "har" and isinstance(model, Har):
        return har_lines(model, cancelled)
    if kind == "trace" and isinstance(model, Trace):
        return trace_lines(model)
    return iter(())


def numbered_lines(lines: list[str]) -> Iterator[SearchLine]:
    for number, line in enumerate(lines):
        yield SearchLine(f"line:{number}", f"line {number + 1}", line)


def html_lines(model: HtmlModel) -> Iterator[SearchLine]:
    """The file's lines as it came: `line:N` of the HTML viewer counts those (it opens indented,
    and go_to shows the original), so a match is where the viewer goes."""
    return numbered_lines(model.original.lines)


def action_lines(doc: ActionsDocument) -> Iterator[SearchLine]:
    """The answer's goal fields (at the start), then each action's every field, `key: value`.
    The viewer's table draws a row per action cut to the pane and shows the fields below it:
    these lines are those fields, whole."""
    for key, value in doc.goal.items():
        yield SearchLine(None, str(key), visible_controls(f"{key}: {value_text(value)}"))
    for number, action in enumerate(doc.actions):
        for key, value in action.fields.items():
            yield SearchLine(f"action:{number}", f"action {number + 1} · {key}",
                             visible_controls(f"{key}: {value_text(value)}"))


def tree_lines(model: ElementsModel, cancelled: Cancelled) -> Iterator[SearchLine]:
    """One line per element: what the tree's find looks in (id, tag, attributes, texts). Its
    place is its id; an element without one (a trimmed tree's text node) is gone to by the
    nearest ancestor that has one, as the tree can only select an element by id."""
    if model.reader is not None:  # a big tree opened with its first nodes: the rest is read here
        model.reader.read(cancelled=cancelled)
    tree: ElementTree = model.tree
    for index in range(len(tree)):
        if index % 512 == 0 and cancelled():
            return
        element = tree.element(index)
        owner = element
        while not owner.element_id and owner.parent >= 0:
            owner = tree.element(owner.parent)
        target = owner.element_id or None
        if element.element_id:
            where = f"#{element.element_id} <{element.tag}>"
        else:
            where = f"<{element.tag}> under #{target}" if target else f"<{element.tag}> (no id)"
        yield SearchLine(target, visible_controls(where), visible_controls(element.haystack()).replace("\n", " "))


def id_map_lines(model: IdMapModel) -> Iterator[SearchLine]:
    for number, (key, value) in enumerate(model.rows):
        yield SearchLine(f"line:{number}", f"row {number + 1}", visible_controls(f"{key}  {value}"))


def log_lines(artifact: Artifact, log: SkyvernLog, cancelled: Cancelled) -> Iterator[SearchLine]:
    """A skyvern_log's lines; a big local log opened with its head is indexed here first."""
    read_rest_of_log(artifact, log, cancelled=cancelled)
    for first, chunk in log.chunks():
        if cancelled():
            return
        for offset, line in enumerate(chunk):
            number = first + offset
            yield SearchLine(f"line:{number}", f"line {number + 1}", line)


def raw_log_lines(events: list[RawEvent]) -> Iterator[SearchLine]:
    """Each event's fields as its detail pane shows them (indented JSON, a line each); the place is
    the event (`line:N`, one event a line, as the viewer counts)."""
    for number, event in enumerate(events):
        for line in event_json(event).split("\n"):
            yield SearchLine(f"line:{number}", f"event {number + 1}", line)


def console_lines(messages: list[ConsoleMessage]) -> Iterator[SearchLine]:
    """Each message's lines and its location (the table shows its first line, the detail all)."""
    for number, message in enumerate(messages):
        yield from _message_lines(f"message:{number}", f"message {number + 1}", message.type, message.text,
                                  message.location)


def _message_lines(target: str, where: str, level: str, text: str, location: str) -> Iterator[SearchLine]:
    pieces = text.split("\n") or [""]
    yield SearchLine(target, where, f"[{level}] {pieces[0]}")
    for piece in pieces[1:]:
        yield SearchLine(target, where, piece)
    if location:
        yield SearchLine(target, where, f"at {location}")


def har_lines(har: Har, cancelled: Cancelled) -> Iterator[SearchLine]:
    """Every request: URL, headers, bodies. The HAR viewer's table shows a row per request (its
    find looks in what the row draws); its detail shows headers and bodies: these lines. The
    place is the request (`entry:N`, its position in the file)."""
    read_rest(har, cancelled=cancelled)
    for entry in har.entries:
        if cancelled():
            return
        yield from entry_lines(entry, f"entry:{entry.index}", f"entry {entry.index + 1}")


def entry_lines(entry: Entry, target: str, where: str) -> Iterator[SearchLine]:
    status = f"{entry.status} {entry.status_text}".strip() if entry.status else (entry.failure or "no response")
    yield SearchLine(target, f"{where} · request", f"{entry.method} {entry.url} → {status}")
    for name, value in entry.request_headers:
        yield SearchLine(target, f"{where} · request header", f"{name}: {value}")
    for name, value in entry.response_headers:
        yield SearchLine(target, f"{where} · response header", f"{name}: {value}")
    if entry.request_body:
        for line in split_lines(entry.request_body[:BODY_LIMIT]):
            yield SearchLine(target, f"{where} · request body", line)
    if entry.body_text is not None and not entry.mime.lower().startswith(NOT_TEXT):
        # As stored (a JSON body is one long line, not pretty-printed: the place is the request).
        body = (entry.body() or b"")[:BODY_LIMIT]
        for line in split_lines(body):
            yield SearchLine(target, f"{where} · response body", line)


def trace_lines(trace: Trace) -> Iterator[SearchLine]:
    """A trace's actions (title, selector, error, parameters, logs), console and requests; the
    places are their positions in the trace viewer's three lists."""
    for number, action in enumerate(trace.actions):
        target, where = f"action:{number}", f"action {number + 1}"
        yield SearchLine(target, where, f"{action.title} {action.selector}".strip())
        if action.error:
            yield SearchLine(target, f"{where} · error", action.error)
        for key, value in action.params.items():
            yield SearchLine(target, f"{where} · {key}", visible_controls(f"{key}: {value_text(value)}"))
        for log in action.logs:
            yield SearchLine(target, f"{where} · log", log)
    for number, message in enumerate(trace.console):
        yield from _message_lines(f"message:{number}", f"console {number + 1}", message.level, message.text,
                                  message.location)
    for number, entry in enumerate(trace.network):
        trace.load_body(entry)
        yield from entry_lines(entry, f"entry:{number}", f"request {number + 1}")
