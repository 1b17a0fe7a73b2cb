"""The overview of a run as page items: goal, status and timings, why it failed, the workflow's
blocks, the steps table and the newest screenshot. Every string comes from the run model
(already made safe by core) and becomes Text here, never markup."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from ...core.model import Artifact
from ...core.outline import EntryKind
from ...core.run_model.report import failed_requests
from ...core.run_model.model import Action, Part, Place, Problem, RunModel, Severity, StepModel
from ..text import human_clock, human_duration, status_text
from ..widgets.cursor_view import Column, StyleOf, column_widths, fit_cell
from ..widgets.page_view import PageItem, join

LAST_ACTIONS = 3  # of the failed step, in the failure block
FAILED_REQUESTS = 3
# Rows of the outline and of the steps table on the page: the page is rebuilt on every redraw,
# so it stays the same size however long the run (a loop of thousands of iterations).
PAGE_ROWS = 300


def one_line(value: str) -> str:
    return " ".join(value.split())


def label_value(label: str, value: Text | str, style: StyleOf, width: int = 9) -> Text:
    text = Text(f"{label:<{width}} ", style=style("page--label"))
    text.append_text(value if isinstance(value, Text) else Text(value))
    return text


def loading_line(model: RunModel, style: StyleOf) -> Text | None:
    if not model.loading:
        return None
    parts = [part.label for part in Part if part in model.loading]
    return Text(f"reading {', '.join(parts)}…", style=style("page--muted"))


def problem_item(key: str, title: str, problem: Problem, style: StyleOf, indent: int = 2) -> PageItem:
    severity = "page--error" if problem.severity is Severity.ERROR else "page--warning"
    text = join(Text(title, style=style(severity)), human_clock(problem.time) if problem.time else "", Text(problem.text))
    return PageItem(text, key=key, link=problem.place, indent=indent)


def action_summary(action: Action) -> str:
    """`click AAAH`: what a steps table shows of an action."""
    return f"{action.action_type} {action.element_id}" if action.element_id else action.action_type


def action_items(prefix: str, action: Action, style: StyleOf, indent: int = 2, full: bool = True) -> list[PageItem]:
    """An action: type, element, outcome; then the text typed, the reasoning and its errors."""
    element = action.element.label if action.element is not None else (action.element_id or "")
    outcome = Text(action.status or "", style=style("page--error" if action.failed else "page--ok"))
    if action.failed and not action.status:
        outcome = Text("failed", style=style("page--error"))
    head = join(Text(f"#{action.index + 1}", style=style("page--label")), Text(action.action_type, style="bold"),
                element, outcome)
    link = action.place or (action.element.place if action.element is not None else None)
    items = [PageItem(head, key=f"{prefix}", link=link, indent=indent,
                      tint="page--failed-row" if action.failed else None)]
    more = indent + 3
    if full and action.text:
        items.append(PageItem(label_value("typed", action.text, style), indent=more))
    if action.reasoning:
        items.append(PageItem(label_value("reasoning", action.reasoning, style, 10), indent=more))
    if full and action.confidence is not None:
        items.append(PageItem(label_value("confidence", f"{action.confidence:g}", style, 10), indent=more))
    for number, error in enumerate(action.errors):
        items.append(PageItem(Text(error, style=style("page--error")), key=f"{prefix}.error{number}", indent=more))
    return items


def screenshot_item(key: str, title: str, artifact: Artifact, style: StyleOf, indent: int = 2) -> list[PageItem]:
    caption = join(Text(title, style=style("page--label")), artifact.artifact_type, human_clock(artifact.captured_at))
    return [PageItem(caption, key=key, link=Place(artifact), picture=artifact, indent=indent)]


def step_status(step: StepModel, style: StyleOf) -> Text:
    text = status_text(step.status)
    if step.failed and step.status != "failed":
        text.append(" (an action failed)", style=style("page--error"))
    return text


def failure_items(model: RunModel, style: StyleOf) -> list[PageItem]:
    items = [PageItem(Text("Why it failed", style=style("page--error")), key="why")]
    reason = model.failure_reason or "No failure reason was recorded."
    items.append(PageItem(Text(reason, style=style("page--error") if model.failure_reason else style("page--muted")),
                          key="why.reason", indent=2))
    block, title = model.failed_block, "Failed block"
    if block is None and model.unsuccessful:
        block, title = model.last_block, "Last block"
    if block is not None:
        within = " › ".join(e.title for e in model.path_of(block))
        first = next((s for s in model.steps if s.step.task_id in block.task_ids), None)
        head = join(Text(title, style=style("page--label")), Text(block.label, style="bold"),
                    Text(block.block_type, style=style("page--label")), status_text(block.status),
                    Text(f"in {within}", style=style("page--muted")) if within else "")
        items.append(PageItem(head, key="why.block", link=first, indent=2, tint="page--failed-row"))
        if block.failure_reason and block.failure_reason != model.failure_reason:
            items.append(PageItem(Text(block.failure_reason, style=style("page--error")), key="why.block.reason", indent=4))
    step = model.failed_step
    if step is not None:
        which = "First failed step" if step.failed else "Last step"
        head = join(Text(which, style=style("page--label")), Text(step.label, style="bold"), step_status(step, style),
                    human_duration(step.duration_seconds) if step.duration_seconds is not None else "")
        items.append(PageItem(head, key="why.step", link=step, indent=2,
                              tint="page--failed-row" if step.failed else None))
        if step.exception_type or step.exception_message:
            exception = ": ".join(p for p in (step.exception_type, step.exception_message) if p)
            items.append(PageItem(Text(exception, style=style("page--error")), key="why.exception", indent=4))
        if step.actions:
            items.append(PageItem(Text("Its last actions", style=style("page--label")), indent=2))
            for action in step.actions[-LAST_ACTIONS:]:
                items += action_items(f"why.action{action.index}", action, style, indent=4, full=False)
        elif Part.DECISIONS in model.loading:
            items.append(PageItem(Text("reading the LLM's answers…", style=style("page--muted")), indent=4))
    shot = model.last_screenshot
    if shot is not None:
        items += screenshot_item("why.screenshot", "Last screenshot", shot, style)
    for where, title in (("console", "First console error"), ("page", "First page error")):
        problem = model.first(where)
        if problem is not None:
            items.append(problem_item(f"why.{where}", title, problem, style))
    for number, (problem, count) in enumerate(failed_requests(model, FAILED_REQUESTS)):
        title = f"Failed request ×{count}" if count > 1 else "Failed request"
        items.append(problem_item(f"why.network{number}", title, problem, style))
    for severity, title in ((Severity.ERROR, "Last log error"), (Severity.WARNING, "Last log warning")):
        problem = model.last("log", severity)
        if problem is not None:
            items.append(problem_item(f"why.log.{severity.value}", title, problem, style))
    waiting = [part.label for part in (Part.CONSOLE, Part.NETWORK, Part.LOGS) if part in model.loading]
    if waiting:
        items.append(PageItem(Text(f"reading {', '.join(waiting)}…", style=style("page--muted")), indent=2))
    return items


STEP_COLUMNS = (
    Column("step", 16), Column("status", 10), Column("actions", least=8), Column("LLM calls", least=8),
    Column("took", 7, right=True), Column("tokens", 8, right=True), Column("err", 3, right=True),
    Column("warn", 4, right=True),
)


def step_cells(step: StepModel, style: StyleOf) -> list[Text]:
    tokens = [t for t in (step.step.input_tokens, step.step.output_tokens) if t is not None]
    errors, warnings = step.count(Severity.ERROR), step.count(Severity.WARNING)
    actions = Text(", ".join(action_summary(a) for a in step.actions) or "—")
    if any(a.failed for a in step.actions):
        actions.stylize(style("page--error"))
    return [
        Text(step.label), status_text(step.status), actions,
        Text(", ".join(call.title for call in step.calls) or "—"),
        Text(human_duration(step.duration_seconds)), Text(f"{sum(tokens):,}" if tokens else "—"),
        Text(str(errors), style=style("page--error")) if errors else Text("—", style=style("page--muted")),
        Text(str(warnings), style=style("page--warning")) if warnings else Text("—", style=style("page--muted")),
    ]


def step_columns(model: RunModel, width: int) -> tuple[Column, ...]:
    """The steps table's columns: the step's as wide as its longest label (`read_pages 2/3 ›
    read_page · Step 1`), up to a quarter of the pane."""
    longest = max((len(s.label) for s in model.steps), default=0)
    step = STEP_COLUMNS[0]
    wide = max(step.width, min(longest, width // 4))
    return (Column(step.title, wide), *STEP_COLUMNS[1:])


def table_line(cells: Sequence[Text], width: int, columns: Sequence[Column] = STEP_COLUMNS) -> Text:
    widths = column_widths(columns, width)
    line = Text(no_wrap=True, end="")
    for index, (column, cell_width, cell) in enumerate(zip(columns, widths, cells, strict=True)):
        if index:
            line.append(" ")
        line.append_text(fit_cell(cell, cell_width, column.right))
    line.truncate(width, overflow="ellipsis")
    return line


def steps_items(model: RunModel, style: StyleOf, width: int) -> list[PageItem]:
    items = [PageItem(Text(f"Steps ({len(model.steps)})", style=style("page--heading")), key="steps")]
    if not model.steps:
        items.append(PageItem(Text("No steps recorded.", style=style("page--muted")), indent=2))
        return items
    columns = step_columns(model, width - 2)
    header = table_line([Text(c.title) for c in columns], width - 2, columns)
    header.stylize(style("page--label"))
    items.append(PageItem(header, indent=2))
    for step in model.steps[:PAGE_ROWS]:
        items.append(PageItem(table_line(step_cells(step, style), width - 2, columns), key=f"step:{step.step.step_id}",
                              link=step, indent=2, tint="page--failed-row" if step.failed else None))
    if len(model.steps) > PAGE_ROWS:
        items.append(PageItem(more_line(len(model.steps) - PAGE_ROWS, "steps (`]` in a step's story goes on to the next)", style), indent=2))
    return items


def more_line(count: int, what: str, style: StyleOf) -> Text:
    """What the page leaves out: `… and 2,200 more steps (…)`; `what` is plural."""
    return Text(f"… and {count:,} more {what}: `skyvern-tui report` lists them all", style=style("page--muted"))


def outline_heading(model: RunModel) -> str:
    """`Blocks (3)`, `Blocks (3, 2 loop iterations)`, `Thoughts and blocks (4 thoughts, 2 blocks)`."""
    kinds = [e.kind for e in model.outline]
    blocks, thoughts = kinds.count(EntryKind.BLOCK), kinds.count(EntryKind.THOUGHT)
    iterations = kinds.count(EntryKind.ITERATION)
    loops = f", {iterations} loop iteration{'s' if iterations != 1 else ''}" if iterations else ""
    if thoughts:
        return (f"Thoughts and blocks ({thoughts} thought{'s' if thoughts != 1 else ''}, "
                f"{blocks} block{'s' if blocks != 1 else ''}{loops})")
    return f"Blocks ({blocks}{loops})"


def outline_items(model: RunModel, style: StyleOf) -> list[PageItem]:
    """The blocks, loop iterations and observer thoughts in the order they ran, nested; each
    links to the first step it ran (a thought: to the LLM's answer it was)."""
    heading = Text(outline_heading(model), style=style("page--heading"))
    if model.outline and all(e.from_log for e in model.outline):
        heading.append(" (from the log)", style=style("page--muted"))
    items = [PageItem(heading, key="blocks")]
    by_task: dict[str | None, list[StepModel]] = {}  # once: a loop can run thousands of tasks
    position: dict[str, int] = {}
    for number, step in enumerate(model.steps):
        by_task.setdefault(step.step.task_id, []).append(step)
        position[step.step.step_id] = number
    for entry in model.outline[:PAGE_ROWS]:
        indent = 2 + 2 * entry.depth
        key = f"entry:{entry.key}"
        if entry.kind is EntryKind.THOUGHT:
            calls = model.thought_calls.get(entry.key, ())
            answer = next((a for c in calls for a in (c.parsed, c.response, c.prompt) if a is not None), None)
            scenario = entry.scenario.replace("_", " ") if entry.scenario else ""
            head = join(Text(entry.title, style="bold"), human_clock(entry.started_at) if entry.started_at else "",
                        Text(scenario, style=style("page--label")) if scenario != entry.label else "",
                        one_line(entry.text or ""))
            items.append(PageItem(head, key=key, link=Place(answer) if answer is not None else None, indent=indent))
            continue
        first = min((by_task[t][0] for t in entry.task_ids if t in by_task), key=lambda s: position[s.step.step_id], default=None)
        # Read from a log, a status is never known (only the database has it): the heading says so once.
        status = status_text(entry.status) if entry.status or not entry.from_log else ""
        if entry.kind is EntryKind.ITERATION:
            head = join(Text(entry.title, style="bold"), status, one_line(entry.loop_value or ""))
            items.append(PageItem(head, key=key, link=first, indent=indent))
            continue
        own = () if entry.block_type == "for_loop" else entry.task_ids  # a loop's are under its iterations
        took = entry.duration_seconds
        head = join(Text(entry.label, style="bold"), Text(entry.block_type, style=style("page--label")),
                    status, human_duration(took) if took is not None else "",
                    f"{len(entry.task_ids)} task{'s' if len(entry.task_ids) != 1 else ''}")
        items.append(PageItem(head, key=key, link=first, indent=indent))
        if entry.failure_reason:
            items.append(PageItem(Text(entry.failure_reason, style=style("page--error")), indent=indent + 2))
        for task_id in own:
            steps = by_task.get(task_id, [])
            failed = sum(1 for s in steps if s.failed)
            line = join(Text("task", style=style("page--label")), task_id,
                        f"{len(steps)} step{'s' if len(steps) != 1 else ''}",
                        Text(f"{failed} failed", style=style("page--error")) if failed else "")
            items.append(PageItem(line, key=f"{key}.{task_id}", link=steps[0] if steps else None, indent=indent + 2))
    if len(model.outline) > PAGE_ROWS:
        items.append(PageItem(more_line(len(model.outline) - PAGE_ROWS, "blocks, iterations and thoughts", style), indent=2))
    return items


def overview_items(model: RunModel | None, style: StyleOf, width: int) -> list[PageItem]:
    """The whole overview, top to bottom (None: the model is not built yet)."""
    if model is None:
        return [PageItem(Text("Reading the run…", style=style("page--muted")))]
    run = model.run
    items: list[PageItem] = []
    if model.unsuccessful:
        items += failure_items(model, style)
        items.append(PageItem(Text("")))
    items.append(PageItem(Text("Run", style=style("page--heading")), key="run"))
    items.append(PageItem(label_value("goal", model.goal or "—", style), key="goal", indent=2))
    items.append(PageItem(label_value("url", model.url or "—", style), key="url", indent=2))
    status = status_text(model.status)
    if model.status_from == "log":
        status.append(" (from the log)", style=style("page--muted"))
    items.append(PageItem(label_value("status", status, style), key="status", indent=2))
    if run.browser_session_id:
        items.append(PageItem(label_value("session", f"browser session {run.browser_session_id}", style),
                              key="session", indent=2))
    if model.failure_reason and not model.unsuccessful:
        items.append(PageItem(label_value("reason", model.failure_reason, style), indent=2))
    times = join(Text("started", style=style("page--label")), human_clock(run.started_at),
                 Text("finished", style=style("page--label")), human_clock(run.finished_at),
                 Text("took", style=style("page--label")), human_duration(run.duration_seconds))
    items.append(PageItem(label_value("times", times, style), key="times", indent=2))
    if (loading := loading_line(model, style)) is not None:
        items.append(PageItem(loading, key="loading", indent=2))
    for number, note in enumerate(model.notes):
        items.append(PageItem(label_value("note", Text(note, style=style("page--warning")), style), key=f"note{number}",
                              indent=2))
    shot = model.last_screenshot
    newest: list[PageItem] = []
    if shot is not None and not model.unsuccessful:
        newest.append(PageItem(Text("")))
        newest.append(PageItem(Text("Newest screenshot", style=style("page--heading")), key="shot"))
        newest += screenshot_item("shot.caption", "", shot, style)
    live = not run.terminal
    if live:  # what the agent sees now, before what it did
        items += newest
    if model.outline:
        items.append(PageItem(Text("")))
        items += outline_items(model, style)
    items.append(PageItem(Text("")))
    items += steps_items(model, style, width)
    if not live:
        items += newest
    return items
