"""The one way data becomes Rich text: never parsed as markup.

Core has made every string of its models safe (control characters visible) when it built them;
here data only becomes `Text`, so a widget that parses markup (a border title, a Static, a
notification) shows `[/x]` or `[reverse]` as the letters they are.
"""

from __future__ import annotations

from datetime import datetime

from rich.style import Style
from rich.text import Span, Text


def safe_text(value: object, style: str | Style = "") -> Text:
    """Text for data (already made safe by core): markup is never parsed."""
    return Text(str(value), style=style, no_wrap=False)


SYNTAX_THEME = "monokai"


def _no_background(style: Style | str) -> Style | str:
    if isinstance(style, str) or style.bgcolor is None:
        return style
    return Style(color=style.color, bold=style.bold, italic=style.italic, underline=style.underline)


def highlight_code(code: str, lexer: str) -> Text:
    """Pygments colours for code that is already safe text, without the theme's background
    (it would paint boxes on the pane's own background)."""
    from rich.syntax import Syntax  # Pygments: imported on the first code shown, not at start-up

    text = Syntax(code, lexer, theme=SYNTAX_THEME).highlight(code)
    text.style = ""
    text.spans = [
        Span(span.start, span.end, _no_background(span.style)) for span in text.spans
    ]
    return text


def human_size(size: int | None) -> str:
    if size is None:
        return "?"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def human_time(moment: datetime | None) -> str:
    """Local time, to the second."""
    if moment is None:
        return "—"
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def human_clock(moment: datetime | None) -> str:
    """Local time of day only, for times next to a full date."""
    if moment is None:
        return "—"
    return moment.astimezone().strftime("%H:%M:%S")


def human_duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


STATUS_STYLES = {
    "completed": "bold green",
    "failed": "bold red",
    "terminated": "bold red",
    "timed_out": "bold red",
    "canceled": "bold yellow",
    "running": "bold cyan",
    "queued": "cyan",
    "created": "cyan",
    "paused": "yellow",
}


def status_text(status: str | None) -> Text:
    if not status:
        return Text("unknown", style="dim")
    return safe_text(status, STATUS_STYLES.get(status, ""))
