"""Files: generated scripts (Python, with their place in the script), and pdf, downloads,
archives and unknown types (what is known about them, and their content when it is text)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from ...core.formats.files import FileContent
from ...core.formats.text import TextDocument
from ...core.model import Artifact, script_location
from ...core.opening import FileModel
from ...core.opening.openers import CONTENT_LIMIT
from ..text import human_size, safe_text
from ..widgets.line_view import LineView
from .base import Viewer
from .metadata import metadata_table
from .text import TextViewer


class ScriptViewer(TextViewer):
    """A generated script file: Python highlighted, under a line saying where it sits."""

    HELP_TITLE = "Generated script"

    def compose(self) -> ComposeResult:
        where = script_location(self.artifact.uri)
        if where is not None:
            yield Static(
                Text.assemble(("script ", "dim"), (where.script_id, "bold"), (f"  version {where.version}  ", "dim"))
                + safe_text(where.path, "bold cyan"),
                classes="note",
            )
        yield from super().compose()


class FileViewer(Viewer[FileContent | None], can_focus=True):
    """The details of any file, then what it holds: text, a zip's members, a PDF's pages."""

    DEFAULT_CSS = """
    FileViewer { layout: vertical; }
    FileViewer > VerticalScroll { height: auto; max-height: 50%; padding: 0 1; }
    FileViewer .note { color: $text-muted; padding: 0 1; }
    """
    HELP_TITLE = "File details"

    MODEL = FileModel  # its content becomes the model (None: too big to read, the details alone)
    model: FileContent | None

    def __init__(self, artifact: Artifact, model: FileModel, **kwargs) -> None:
        super().__init__(artifact, model.content, **kwargs)
        self.measured_size = model.size  # (Widget.size is the widget's own)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(metadata_table(self.artifact, self.measured_size))
        content = self.model
        if content is None:
            yield Static(Text(f"Larger than {human_size(CONTENT_LIMIT)}: only its details are shown.", style="dim"), classes="note")
        elif content.kind == "text":
            yield Static(Text(f"Text content, {len(content.lines):,} lines:", style="dim"), classes="note")
            document = TextDocument(content.lines, "text", width=max(map(len, content.lines), default=0))
            yield LineView(document.lines, document.lexer, document.width)
        elif content.kind == "zip":
            yield VerticalScroll(Static(self._members(content)))
        else:
            yield Static(safe_text(content.note, "dim"), classes="note")

    @staticmethod
    def _members(content: FileContent) -> Table:
        table = Table(title=Text(f"{len(content.members) + content.more_members} members", style="dim"), expand=True)
        table.add_column("Member", overflow="fold")
        table.add_column("Size", justify="right")
        table.add_column("Packed", justify="right")
        for name, size, packed in content.members:
            table.add_row(safe_text(name), human_size(size), human_size(packed))
        if content.more_members:
            table.add_row(Text(f"… and {content.more_members} more", style="dim"), "", "")
        return table
