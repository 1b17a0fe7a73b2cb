"""`y`: a small menu of what can be sent to the terminal's clipboard for the artifact on
screen (its text, id, uri, the run's app URL, the command line that opens it, and what its
viewer adds first: a request as curl, an element's CSS selector), each with its key.

The clipboard is written by OSC 52 (`App.copy_to_clipboard`): it works over SSH and in tmux
with `set -g set-clipboard on`; nothing answers, so the notification says it was sent."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from rich.text import Text
from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...core.copying import CopyChoice, decode_text, has_text, too_big
from ...core.errors import describe_error
from ...core.located import Located
from ...core.share import app_url, command_line
from ..clipboard import sent_to_clipboard
from ..text import safe_text
from .early_keys import TakesEarlyKeys
from .on_screen import OnScreen, on_screen


def send_text(app: App, what: str, text: str) -> bool:
    """Send `text` to the terminal's clipboard and say what and how many bytes; a text too
    big for OSC 52 is refused with a pointer to ctrl+s."""
    refused = too_big(text)
    if refused is not None:
        app.notify(f"{what} not sent to the clipboard: {refused}.", severity="warning", timeout=8, markup=False)
        return False
    app.copy_to_clipboard(text)
    size = len(text.encode("utf-8"))
    app.notify(sent_to_clipboard(f"{what} ({size:,} bytes)"), timeout=6, markup=False)
    return True


def _artifact_text(located: Located) -> str:
    return decode_text(located.source.read_bytes(located.artifact))


def copy_choices(on: OnScreen) -> list[CopyChoice]:
    """The viewer's own choices first, then the artifact's text (when it is text), id, uri,
    the app URL (when the API gave one) and the command line."""
    located, artifact = on.located, on.located.artifact
    choices = list(on.viewer.copy_choices()) if on.viewer is not None else []
    if has_text(artifact):
        choices.append(CopyChoice("t", "The artifact's text", load=partial(_artifact_text, located)))
    choices.append(CopyChoice("i", "The artifact's id", artifact.artifact_id))
    if artifact.uri:
        choices.append(CopyChoice("u", "The artifact's uri", artifact.uri))
    url = app_url(located.detail)
    if url:
        choices.append(CopyChoice("a", "The run's app URL", url))
    line = command_line(located.source, located.detail, artifact)
    if line:
        choices.append(CopyChoice("l", "The command line that opens it", line))
    return choices


def send_choice(app: App, choice: CopyChoice) -> None:
    """Send one choice; one that must be read (an artifact's bytes) is read in a worker."""
    if choice.text is not None:
        send_text(app, choice.what, choice.text)
        return
    load = choice.load
    if load is None:
        return

    def work() -> None:
        try:
            text = load()
        except (UnicodeDecodeError, ValueError):
            app.call_from_thread(app.notify, f"{choice.what} is binary: save it with ctrl+s instead.",
                                 severity="warning", timeout=6, markup=False)
            return
        except Exception as exc:  # noqa: BLE001 (a source's failure is said, as every worker's)
            app.call_from_thread(app.notify, f"{choice.what} could not be read: {describe_error(exc)}",
                                 severity="error", timeout=8, markup=False)
            return
        app.call_from_thread(send_text, app, choice.what, text)

    # The app's worker: the menu is gone by the time a big artifact is read.
    app.run_worker(work, thread=True, group="copy", name="Copy", exit_on_error=False)


def open_copy_menu(screen: Screen) -> None:
    """What `y` does on any screen that shows artifacts."""
    on = on_screen(screen)
    if on is None:
        screen.notify("Nothing to copy here: choose an artifact first.", severity="information", timeout=3)
        return
    screen.app.push_screen(CopyScreen(copy_choices(on)))


class CopyScreen(TakesEarlyKeys):
    DEFAULT_CSS = """
    CopyScreen { align: center middle; }
    CopyScreen Vertical { width: 64; height: auto; max-height: 80%; border: round $accent; padding: 0 1; background: $surface; }
    CopyScreen OptionList, CopyScreen OptionList:focus { height: auto; max-height: 16; border: none; padding: 0; }
    CopyScreen .hint { color: $text-muted; }
    """

    BINDINGS = [
        Binding("escape", "close", "Close", id="copy.back"),
        Binding("j", "cursor('down')", "Down", show=False, id="copy.down"),
        Binding("k", "cursor('up')", "Up", show=False, id="copy.up"),
    ]

    def __init__(self, choices: list[CopyChoice], send: Callable[[App, CopyChoice], None] = send_choice) -> None:
        super().__init__()
        self.choices = choices
        self._send = send

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = Text("Copy to the clipboard")
            yield OptionList(*(Option(self._prompt(c), id=c.key) for c in self.choices))
            yield Static(Text("a key or enter sends it · escape closes"), classes="hint")

    @staticmethod
    def _prompt(choice: CopyChoice) -> Text:
        text = Text.assemble((f" {choice.key} ", "bold reverse"), "  ")
        text.append_text(safe_text(choice.what))
        return text

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.ready()

    def action_cursor(self, direction: str) -> None:
        options = self.query_one(OptionList)
        options.action_cursor_down() if direction == "down" else options.action_cursor_up()

    def action_close(self) -> None:
        self.dismiss()

    def on_key(self, event: events.Key) -> None:
        if self.own_key(event):
            event.stop()
            event.prevent_default()

    def own_key(self, event: events.Key) -> bool:
        # Each choice's letter (not a Binding: the letters change with what is on screen).
        choice = next((c for c in self.choices if c.key == event.character), None)
        if choice is None or event.key in ("j", "k") or not self.is_active:
            return False
        self._choose(choice)
        return True

    def early_key(self, event: events.Key) -> None:
        if self.own_key(event):
            return
        options = self.query_one(OptionList)
        if event.key in ("j", "down", "k", "up"):
            self.action_cursor("down" if event.key in ("j", "down") else "up")
        elif event.key == "enter" and options.highlighted is not None:
            self._choose(self.choices[options.highlighted])
        elif event.key == "escape":
            self.action_close()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(next(c for c in self.choices if c.key == event.option.id))

    def _choose(self, choice: CopyChoice) -> None:
        app = self.app
        self.dismiss()
        self._send(app, choice)
