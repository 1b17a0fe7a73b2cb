"""The AI reasoning viewers: prompt, request, response and the parsed actions.

All four resolve Skyvern's long-href placeholders through the step's hashed_href_map (read when
the artifact is opened, in core) and show the URLs underlined in cyan after a ↗; `p` shows the
placeholders as Skyvern wrote them instead.
"""

from __future__ import annotations

import re
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from ...core.errors import ParseError
from ...core.formats import llm
from ...core.formats.media import open_image
from ...core.model import Artifact
from ...core.opening import ActionsModel, PromptModel
from ..text import safe_text
from ..widgets.cursor_view import Column, ColumnRows, CursorView, StyleOf, TableHeader
from ..widgets.line_view import SPAN_STYLES, LineView
from .base import Viewer
from .find import FIND_CSS, FindBar, find_count, find_input
from .targets import numbered
from .text import TextViewer


# Skyvern's element ids: four characters (the first encodes the frame), as id="AAAG" in prompts.
ELEMENT_ID = re.compile(r'\bid="([A-Za-z0-9]{4})"')
ELEMENT_ID_ALONE = re.compile(r"[A-Z][A-Za-z0-9]{3}")


def href_text(value: str, hrefs: dict[str, str], resolved: bool,
              href_style: Style | None = None, placeholder_style: Style | None = None) -> Text:
    """Data text with known placeholders shown as their URL (or marked as placeholders); a line
    view's table passes the styles of its component classes."""
    href_style = href_style or SPAN_STYLES["href"]
    placeholder_style = placeholder_style or SPAN_STYLES["placeholder"]
    text = Text()
    last = 0
    for match in llm.HREF_PLACEHOLDER.finditer(value):
        url = hrefs.get(match.group(1))
        if url is None:
            continue
        text.append_text(safe_text(value[last : match.start()]))
        if resolved:
            text.append_text(safe_text(llm.HREF_MARK + url, href_style))
        else:
            text.append_text(safe_text(match.group(), placeholder_style))
        last = match.end()
    text.append_text(safe_text(value[last:]))
    return text


# --- prompt ---------------------------------------------------------------------------------------
class LlmPromptViewer(TextViewer):
    """A prompt: prose plain, JSON and HTML pieces highlighted, long hrefs resolved."""
    HELP_TITLE = "LLM prompt"

    BINDINGS = [
        Binding("p", "toggle_placeholders", "Href placeholders / URLs", id="prompt.placeholders"),
        Binding("e", "element", "Element in the tree", id="prompt.element"),
    ]

    MODEL = PromptModel  # shows model.doc; model.tree is where "show the element" goes
    model: llm.LlmDocument
    cursor = False  # a line cursor (the request's images are opened from it)

    def __init__(self, artifact: Artifact, model: PromptModel, **kwargs) -> None:
        super().__init__(artifact, model.doc, **kwargs)
        self.element_tree = model.tree  # the step's tree, for "show the element"
        self.placeholders = False  # showing {{_hash}} rather than the URLs

    def make_line_view(self) -> LineView:
        hrefs = self.model.hrefs
        return LineView(
            self.model.lines, self.model.lexer, self.model.width, segments=self.model.segments,
            spans=self.with_marks(hrefs.resolved_spans if hrefs else {}), cursor=self.cursor,
        )

    def with_marks(self, spans: dict[int, list]) -> dict[int, list]:
        """Href spans plus whatever else the viewer marks on its lines."""
        return spans

    def action_element(self) -> None:
        """Open the step's element tree at the element found last (`/AAAG` then `e`), or at the
        one id on the line of the match; otherwise ask for the id."""
        query = self.find_bar.value.strip()
        line = self.line_view.match_line
        ids = ELEMENT_ID.findall(self.line_view.lines[line]) if line is not None else []
        if ELEMENT_ID_ALONE.fullmatch(query):
            self.go_to_element(query)
        elif len(set(ids)) == 1:
            self.go_to_element(ids[0])
        else:
            self.notify("Find the element's id first (/ then its id, e.g. AAAG), then press e.", timeout=4)

    def go_to_element(self, element_id: str) -> None:
        tree = self.element_tree
        if tree is None:
            self.notify("This step has no visible_elements_tree.", severity="warning", timeout=3)
            return
        self.post_message(Viewer.Navigate(tree, target=element_id))

    def action_toggle_placeholders(self) -> None:
        hrefs = self.model.hrefs
        if hrefs is None:
            self.notify("No long-href placeholders here.", timeout=2)
            return
        self.placeholders = not self.placeholders
        if self.placeholders:
            self.line_view.set_lines(hrefs.original, self.with_marks(hrefs.placeholder_spans))
        else:
            self.line_view.set_lines(hrefs.resolved, self.with_marks(hrefs.resolved_spans))


# --- request ------------------------------------------------------------------------------------------
class LlmRequestViewer(LlmPromptViewer):
    """The request as JSON, its inline screenshots shrunk to a line each that opens them."""
    HELP_TITLE = "LLM request"

    BINDINGS = [
        # `enter` goes in (the image of the line, or the next one); `i` is kept for "info".
        Binding("enter", "show_image", "Image of the line", id="request.open"),
    ]
    cursor = True

    def with_marks(self, spans: dict[int, list]) -> dict[int, list]:
        # Image lines stand out: they are the ones enter opens.
        marked = dict(spans)
        for index, image in self.model.images.items():
            line = self.model.lines[index]
            start = line.find(image.label)
            if start >= 0:
                marked[index] = [*spans.get(index, []), (start, start + len(image.label), "image")]
        return marked

    def action_show_image(self) -> None:
        images = self.model.images
        if not images:
            self.notify("This request has no inline images.", severity="warning", timeout=3)
            return
        view = self.line_view
        line = view.cursor_line or 0
        if line not in images:
            # Not on an image line: the next one below (wrapping), so `i` alone finds them.
            after = [i for i in sorted(images) if i > line]
            line = after[0] if after else min(images)
            view.move_cursor(line)
        self._open_image(images[line], line)

    @work(thread=True, exclusive=True, group="llm-image", exit_on_error=False)
    def _open_image(self, image: llm.InlineImage, line: int) -> None:
        try:
            picture = open_image(image.data())
        except ParseError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        title = f"{self.artifact.artifact_type} line {line + 1}: {image.label}"
        self.post_message(self.ShowImage(picture, title))


# --- response ------------------------------------------------------------------------------------------
class LlmResponseViewer(LlmPromptViewer):
    """The message content (its JSON pretty-printed), tool calls, and usage in a header."""
    HELP_TITLE = "LLM response"

    DEFAULT_CSS = "LlmResponseViewer .header { padding: 0 1; color: $accent; text-style: bold; }"
    BINDINGS = [Binding("r", "toggle_raw", "Raw JSON on/off", id="response.raw")]

    def __init__(self, artifact: Artifact, model: PromptModel, **kwargs) -> None:
        super().__init__(artifact, model, **kwargs)
        self.raw = False

    def compose(self) -> ComposeResult:
        yield Static(safe_text(self.model.header), classes="header")
        yield from super().compose()

    def action_toggle_raw(self) -> None:
        self.raw = not self.raw
        self.placeholders = False
        view = self.line_view
        raw = self.model.raw
        if self.raw and raw is not None:
            view.set_lines(raw.lines, None, raw.width, lexer="json", segments=[])
        else:
            hrefs = self.model.hrefs
            view.set_lines(self.model.lines, hrefs.resolved_spans if hrefs else None, self.model.width,
                           lexer=self.model.lexer, segments=self.model.segments)
        self.query_one(".note", Static).update(Text(self.summary(view.wrap)))

    def summary(self, wrapped: bool = False) -> str:
        if self.raw and self.model.raw is not None:
            wrap = " · wrapped (w)" if wrapped else ""
            return f"{len(self.model.raw.lines):,} lines · the raw response JSON (r: the content){wrap}"
        return super().summary(wrapped) + " · r: raw JSON"

    def action_toggle_placeholders(self) -> None:
        if self.raw:
            self.notify("The raw JSON is shown as it came (r goes back to the content).", timeout=3)
            return
        super().action_toggle_placeholders()


# --- parsed / rendered actions -----------------------------------------------------------------------------
# What came of an action stands next to it: the table is cut on the right in a narrow pane.
ACTION_COLUMNS = (Column("#", 3, right=True), Column("action_type", 14), Column("id", 6), Column("outcome", 12),
                  Column("text / option", least=10), Column("reasoning", least=16), Column("confidence", 10))


class ActionTable(CursorView):
    """The parsed actions, one row each (the detail under it shows the selected one whole)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "action-table--type", "action-table--element", "action-table--href", "action-table--placeholder",
        "action-table--failed", "action-table--done",
    }
    DEFAULT_CSS = """
    ActionTable { height: auto; max-height: 40%; }
    ActionTable > .action-table--type { text-style: bold; }
    ActionTable > .action-table--element { color: $text-accent; }
    ActionTable > .action-table--href { color: $text-accent; text-style: underline; }
    ActionTable > .action-table--placeholder { color: $text-secondary; text-style: underline; }
    ActionTable > .action-table--failed { color: $text-error; text-style: bold; }
    ActionTable > .action-table--done { color: $text-success; }
    """
    EMPTY = "No actions."


class LlmActionsViewer(FindBar, Viewer[ActionsModel]):
    """Goal fields on top, the actions as a table, the selected action's fields below."""
    HELP_TITLE = "LLM actions (parsed, rendered)"
    HELP_WIDGETS = (ActionTable,)

    DEFAULT_CSS = """
    LlmActionsViewer { layout: vertical; }
    LlmActionsViewer .goal { padding: 0 1; max-height: 40%; }
    LlmActionsViewer .detail-box { height: 1fr; border-top: solid $panel-lighten-2; }
    LlmActionsViewer .detail { padding: 0 1; }
    LlmActionsViewer LineView { display: none; }
    LlmActionsViewer.-raw LineView { display: block; }
    LlmActionsViewer.-raw .goal, LlmActionsViewer.-raw TableHeader, LlmActionsViewer.-raw ActionTable,
    LlmActionsViewer.-raw .detail-box { display: none; }
    """ + FIND_CSS

    BINDINGS = [
        # `e` as in the prompt viewer (`g` is "go to the top" everywhere).
        Binding("e", "go_to_element", "Element in the tree", id="actions.element"),
        Binding("r", "toggle_raw", "Raw JSON on/off", id="actions.raw"),
        Binding("p", "toggle_placeholders", "Href placeholders / URLs", id="actions.placeholders"),
    ]

    MODEL = ActionsModel
    model: ActionsModel

    def __init__(self, artifact: Artifact, model: ActionsModel, **kwargs) -> None:
        super().__init__(artifact, model, **kwargs)
        self.placeholders = False

    def compose(self) -> ComposeResult:
        yield Static(self._goal_text(), classes="goal")
        rows = ColumnRows(ACTION_COLUMNS, list(enumerate(self.model.doc.actions)), self._cells)
        yield TableHeader(rows)
        yield ActionTable(rows, cursor=True)
        with VerticalScroll(classes="detail-box", can_focus=False):
            yield Static(self._detail_text(0), classes="detail")
        raw = self.model.doc.raw
        yield LineView(raw.lines, raw.lexer, raw.width)
        yield find_count()
        yield find_input("Find")

    def find_focus(self) -> CursorView:
        """The table, or the raw JSON while it is shown."""
        return self.query_one(LineView) if self.has_class("-raw") else self.table

    # --- contents ---
    def _text(self, value: str) -> Text:
        return href_text(value, self.model.hrefs, resolved=not self.placeholders)

    def _goal_text(self) -> Text:
        text = Text()
        for key, value in self.model.doc.goal.items():
            if text:
                text.append("\n")
            text.append(f"{key}: ", style="bold")
            shown = llm.value_text(value)
            value_text = self._text(shown)
            value_text.stylize({"true": "bold green", "false": "bold yellow"}.get(shown, ""))
            text.append_text(value_text)
        if not self.model.doc.actions:
            text.append("\n(no actions in this response)", style="dim")
        return text

    def _cells(self, row: tuple[int, llm.Action], style: StyleOf) -> tuple[Text, ...]:
        def shown(value: str) -> Text:
            return href_text(value, self.model.hrefs, not self.placeholders,
                             style("action-table--href"), style("action-table--placeholder"))

        number, action = row
        outcome = self.model.outcome(number)
        outcome_style = style("action-table--failed" if outcome and not outcome.startswith("completed")
                              else "action-table--done")
        return (
            Text(str(action.index)), safe_text(action.action_type, style("action-table--type")),
            safe_text(action.element_id or "—", style("action-table--element")),
            safe_text(outcome or "—", outcome_style if outcome else ""), shown(action.text),
            shown(action.reasoning.replace("\n", " ")), safe_text(action.confidence),
        )

    def _detail_text(self, row: int) -> Text:
        actions = self.model.doc.actions
        if not actions:
            return Text("")
        action = actions[min(max(row, 0), len(actions) - 1)]
        text = Text()
        text.append(f"action {action.index} of {len(actions)}", style="bold")
        outcome = self.model.outcome(min(max(row, 0), len(actions) - 1))
        if outcome:
            text.append(f"   {outcome}", style="bold green" if outcome.startswith("completed") else "bold red")
        if action.element_id:
            text.append(f"   e: go to {action.element_id} in the element tree", style="dim")
        for key, value in action.fields.items():
            text.append(f"\n{key}: ", style="bold")
            text.append_text(self._text(llm.value_text(value)))
        return text

    @property
    def table(self) -> ActionTable:
        return self.query_one(ActionTable)

    @property
    def selected(self) -> llm.Action | None:
        actions = self.model.doc.actions
        row = self.table.cursor_row or 0
        return actions[row] if actions and 0 <= row < len(actions) else None

    def on_cursor_view_highlighted(self, event: CursorView.Highlighted) -> None:
        if event.view is self.table:
            event.stop()
            self.query_one(".detail", Static).update(self._detail_text(self.table.cursor_row or 0))

    def go_to(self, target: str) -> bool:
        """`action:N` (from 0, in the answer's order): that action selected in the table."""
        number = numbered(target, "action")
        if number is None or number >= len(self.model.doc.actions):
            return False
        if self.has_class("-raw"):
            self.action_toggle_raw()  # back to the table, where actions are
        table = self.table
        table.move_cursor(number)
        self.query_one(".detail", Static).update(self._detail_text(number))
        table.focus()
        return True

    # --- keys ---

    def action_go_to_element(self) -> None:
        action = self.selected
        if action is None or not action.element_id:
            self.notify("This action names no element.", severity="warning", timeout=3)
            return
        if self.model.tree is None:
            self.notify("This step has no visible_elements_tree.", severity="warning", timeout=3)
            return
        self.post_message(Viewer.Navigate(self.model.tree, target=action.element_id))

    def action_toggle_raw(self) -> None:
        self.toggle_class("-raw")
        if self.has_class("-raw"):
            self.query_one(LineView).focus()
        else:
            self.table.focus()

    def action_toggle_placeholders(self) -> None:
        self.placeholders = not self.placeholders
        self.query_one(".goal", Static).update(self._goal_text())
        self.table.rows_changed()  # the cells are drawn again, with or without the URLs
        self.query_one(".detail", Static).update(self._detail_text(self.table.cursor_row or 0))
