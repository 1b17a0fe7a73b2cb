"""The artifacts of one category, under a heading per step."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...core.model import Artifact, ArtifactGroup, script_location
from ..text import safe_text


LIST_WIDTH = 38
PROMPT_WIDTH = LIST_WIDTH - 7  # less the border, the padding, the scrollbar and a spare cell


def artifact_prompt(artifact: Artifact, new: bool = False) -> Text:
    """'16:02:25 screenshot_llm', '16:02:26 2·llm_prompt' (the step's second LLM call): one
    line, cut with an ellipsis rather than wrapped. The time is when it was captured.

    Artifacts that arrived while the run was watched are marked with a dot.
    """
    captured = artifact.captured_at
    stamp = captured.astimezone().strftime("%H:%M:%S") if captured else "--:--:--"
    text = Text.assemble((stamp, "dim"), ("•" if new else " ", "bold green"), no_wrap=True, overflow="ellipsis")
    if artifact.call_index is not None:
        # The LLM call of its step a bundled member belongs to, counted from 1 as steps are.
        text.append(f"{artifact.call_index + 1}·", "dim cyan")
    # "visible_elements_" starts six type names and would push their differences out of view.
    text.append_text(safe_text(artifact.artifact_type.replace("visible_elements_", "elements_")))
    if artifact.artifact_type == "script_file":
        where = script_location(artifact.uri)
        text.append_text(safe_text(" " + (where.path if where else ""), "cyan"))
    text.truncate(PROMPT_WIDTH, overflow="ellipsis")
    return text


class ArtifactList(OptionList):
    """Step headings are disabled options, so the cursor moves over artifacts only."""

    # Its border and focus colours are in app.tcss, with the other panes'.
    DEFAULT_CSS = f"ArtifactList {{ width: {LIST_WIDTH}; }}"

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, id="list.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="list.up"),
        Binding("space,pagedown", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("b,pageup", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("g,home", "first", "First", show=False, id="list.top"),
        Binding("G,end", "last", "Last", show=False, id="list.bottom"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.border_title = "Artifacts"
        self._artifacts: dict[str, Artifact] = {}

    def show_groups(self, groups: list[ArtifactGroup], title: str, new_ids: frozenset[str] = frozenset(),
                    calls: Mapping[str, tuple[int, str]] | None = None) -> None:
        """`calls`: artifact id -> (the LLM call of its step, the call's name), so that the
        artifacts of one call sit under its name (the run model names them once it has read the logs)."""
        self.border_title = title
        keep = self.artifact.artifact_id if self.artifact is not None else None
        self.clear_options()
        self._artifacts = {}
        options: list[Option] = []
        calls = calls or {}
        for group in groups:
            heading = Text(group.label, style="bold")
            if group.step is not None and group.step.status:
                heading.append(f"  {group.step.status}", style="red" if group.step.status == "failed" else "dim")
            options.append(Option(heading, disabled=True))
            open_call: int | None = None
            for artifact in group.artifacts:
                call = calls.get(artifact.artifact_id)
                if call is not None and call[0] != open_call:
                    options.append(Option(Text.assemble(" ", (call[1], "cyan"), no_wrap=True, overflow="ellipsis"),
                                          disabled=True))
                open_call = call[0] if call is not None else open_call
                key = f"a{len(self._artifacts)}"
                self._artifacts[key] = artifact
                options.append(Option(artifact_prompt(artifact, artifact.artifact_id in new_ids), id=key))
        if not self._artifacts:
            options = [Option(Text("Nothing in this category for this run.", style="dim"), disabled=True)]
        self.add_options(options)
        # Keep the cursor on the same artifact when the list is redrawn (a live run grew).
        kept = next((k for k, a in self._artifacts.items() if a.artifact_id == keep), None)
        first = next((i for i, o in enumerate(self.options) if not o.disabled), None)
        self.highlighted = self.get_option_index(kept) if kept else first

    @property
    def artifact(self) -> Artifact | None:
        option = self.highlighted_option
        if option is None or option.id is None:
            return None
        return self._artifacts.get(option.id)

    @property
    def artifacts(self) -> list[Artifact]:
        return list(self._artifacts.values())

    def select_artifact(self, artifact: Artifact) -> bool:
        for key, candidate in self._artifacts.items():
            if candidate is artifact:
                self.highlighted = self.get_option_index(key)
                return True
        return False
