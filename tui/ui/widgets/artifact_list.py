"""The artifacts of one category, under a heading per step."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...core.model import Artifact, ArtifactGroup
from ..text import safe_text


def artifact_prompt(artifact: Artifact) -> Text:
    stamp = artifact.created_at.astimezone().strftime("%H:%M:%S") if artifact.created_at else "--:--:--"
    text = Text.assemble((stamp + " ", "dim"))
    text.append_text(safe_text(artifact.artifact_type))
    return text


class ArtifactList(OptionList):
    """Step headings are disabled options, so the cursor moves over artifacts only."""

    DEFAULT_CSS = """
    ArtifactList { width: 36; border: round $panel-lighten-2; height: 1fr; }
    ArtifactList:focus { border: round $accent; }
    """

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.border_title = "Artifacts"
        self._artifacts: dict[str, Artifact] = {}

    def show_groups(self, groups: list[ArtifactGroup], title: str) -> None:
        self.border_title = title
        self.clear_options()
        self._artifacts = {}
        options: list[Option] = []
        for group in groups:
            heading = Text(group.label, style="bold")
            if group.step is not None and group.step.status:
                heading.append(f"  {group.step.status}", style="red" if group.step.status == "failed" else "dim")
            options.append(Option(heading, disabled=True))
            for artifact in group.artifacts:
                key = f"a{len(self._artifacts)}"
                self._artifacts[key] = artifact
                options.append(Option(artifact_prompt(artifact), id=key))
        if not self._artifacts:
            options = [Option(Text("Nothing in this category for this run.", style="dim"), disabled=True)]
        self.add_options(options)
        first = next((i for i, o in enumerate(self.options) if not o.disabled), None)
        self.highlighted = first

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
