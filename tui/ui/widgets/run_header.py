"""The run screen's header: what run this is and how it ended."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from ...core.model import RunDetail
from ..text import human_clock, human_duration, human_time, safe_text, status_text


def header_renderable(detail: RunDetail) -> Table:
    run = detail.run
    steps = run.step_count if run.step_count is not None else len({a.step_id for a in detail.artifacts if a.step_id})
    line1 = Text.assemble(safe_text(run.run_id, "bold"), "  ")
    line1.append_text(status_text(run.status))
    if run.run_type:
        line1.append(f"  {run.run_type}", style="dim")
    line1.append(f"  {run.source}", style="dim italic")
    title = safe_text(" ".join((run.title or "(no title)").split()), "" if run.title else "dim")
    title.no_wrap, title.overflow = True, "ellipsis"
    times = Text.assemble(
        ("created ", "dim"), human_time(run.created_at),
        ("  started ", "dim"), human_clock(run.started_at),
        ("  finished ", "dim"), human_clock(run.finished_at),
        ("  took ", "dim"), human_duration(run.duration_seconds),
        ("  ", "dim"), f"{steps} steps",
        ("  ", "dim"), f"{len(detail.artifacts)} artifacts",
    )
    grid = Table.grid()
    grid.add_column()
    grid.add_row(line1)
    grid.add_row(title)
    grid.add_row(times)
    if run.failure_reason:
        failure = Text.assemble(("failure: ", "bold red"), safe_text(" ".join(run.failure_reason.split()), "red"))
        failure.no_wrap, failure.overflow = True, "ellipsis"
        grid.add_row(failure)
    return grid


class RunHeader(Static):
    DEFAULT_CSS = "RunHeader { height: auto; max-height: 7; padding: 0 1; background: $boost; }"

    def __init__(self, detail: RunDetail, **kwargs) -> None:
        super().__init__(header_renderable(detail), **kwargs)
