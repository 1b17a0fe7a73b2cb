"""`ctrl+s`: save the artifact on screen to a path the person confirms. The default is a safe
name from the artifact in the current folder; an existing file is overwritten only after a
yes; the bytes are read and written in a worker, exactly as the source gives them."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Static

from ...core.errors import describe_error
from ...core.located import Located
from ...core.saving import SaveRefused, check_target, default_name, save_bytes
from ..failures import ReportsWorkerFailures
from ..text import safe_text
from .early_keys import TakesEarlyKeys
from .on_screen import on_screen


def open_save(screen: Screen) -> None:
    """What `ctrl+s` does on any screen that shows artifacts."""
    on = on_screen(screen)
    if on is None:
        screen.notify("Nothing to save here: choose an artifact first.", severity="information", timeout=3)
        return
    screen.app.push_screen(SaveScreen(on.located))


class SaveScreen(ReportsWorkerFailures, TakesEarlyKeys):
    DEFAULT_CSS = """
    SaveScreen { align: center middle; }
    SaveScreen Vertical { width: 90; max-width: 95%; height: auto; border: round $accent; padding: 1 2; background: $surface; }
    SaveScreen .hint { color: $text-muted; margin: 1 0 0 0; }
    SaveScreen .hint.error { color: $error; }
    SaveScreen .hint.ask { color: $warning; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="save.back")]

    def __init__(self, located: Located, folder: Path | None = None) -> None:
        super().__init__()
        self.located = located
        self.folder = folder or Path.cwd()
        self.asking: Path | None = None  # the existing file a y/n answer is awaited for
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = safe_text(f"Save {self.located.artifact.artifact_type} · {self.located.artifact.artifact_id}")
            yield Static(Text("Save to (enter saves, escape cancels):"))
            # The cursor at the end, nothing selected: a key typed edits the name, not replaces it.
            yield Input(value=str(self.folder / default_name(self.located.artifact)), id="path", select_on_focus=False)
            yield Static(Text(""), classes="hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.ready()

    def own_key(self, event: events.Key) -> bool:
        # A character typed right after ctrl+s that came up from the screen below: the path's.
        if self.asking is None and event.is_printable and event.character:
            self.query_one(Input).insert_text_at_cursor(event.character)
            return True
        return False

    def early_key(self, event: events.Key) -> None:
        field = self.query_one(Input)
        if event.key == "enter":
            self._submit(field.value)
        elif event.key == "escape":
            self.action_cancel()
        elif event.key == "backspace":
            field.action_delete_left()
        else:
            self.own_key(event)

    def say(self, message: str, kind: str = "") -> None:
        hint = self.query_one(".hint", Static)
        hint.set_classes(f"hint {kind}".strip())
        hint.update(safe_text(message))

    @on(Input.Changed, "#path")
    def _changed(self) -> None:
        if self.asking is not None:
            self.asking = None
            self.say("")

    @on(Input.Submitted, "#path")
    def _submitted(self, event: Input.Submitted) -> None:
        self._submit(event.value)

    def _submit(self, value: str) -> None:
        if self.saving or not value.strip():
            return
        path = Path(value.strip()).expanduser()
        self._save(path if path.is_absolute() else self.folder / path, False)

    def on_key(self, event: events.Key) -> None:
        # The answer to "overwrite?" (a question's letters, not bindings: y means copy elsewhere).
        if self.asking is None or event.key not in ("y", "n"):
            return
        event.stop()
        event.prevent_default()
        path, self.asking = self.asking, None
        if event.key == "y":
            self._save(path, True)
        else:
            self.say("Not overwritten: change the name, or escape.")
            self.query_one(Input).focus()

    def _save(self, path: Path, overwrite: bool) -> None:
        self.saving = True
        self.say("Saving…")
        self._write(path, overwrite)

    @work(thread=True, exclusive=True, group="save", exit_on_error=False, name="Save")
    def _write(self, path: Path, overwrite: bool) -> None:
        try:
            if not overwrite and check_target(path):
                self.app.call_from_thread(self._ask, path)
                return
            data = self.located.source.read_bytes(self.located.artifact)
            save_bytes(path, data, overwrite)
        except FileExistsError:
            self.app.call_from_thread(self._ask, path)
        except SaveRefused as exc:
            self.app.call_from_thread(self._failed, str(exc))
        except PermissionError:
            self.app.call_from_thread(self._failed, f"no permission to write {path}")
        except Exception as exc:  # noqa: BLE001 (a source's or the disk's failure, said in the dialog)
            self.app.call_from_thread(self._failed, describe_error(exc))
        else:
            self.app.call_from_thread(self._saved, path, len(data))

    def _ask(self, path: Path) -> None:
        self.saving = False
        self.asking = path
        self.query_one(Input).blur()  # the answer's y/n go to the question, not the path
        self.say(f"{path} exists: overwrite it? y/n", "ask")

    def _failed(self, message: str) -> None:
        self.saving = False
        self.say(f"Not saved: {message}", "error")
        self.query_one(Input).focus()

    def _saved(self, path: Path, size: int) -> None:
        self.notify(f"Saved {size:,} bytes to {path}", timeout=6, markup=False)
        self.dismiss()

    def action_cancel(self) -> None:
        self.workers.cancel_group(self, "save")
        self.dismiss()
