"""A worker that fails is seen (a notification or an error panel) and never ends the app."""

from __future__ import annotations

from textual import work
from textual.app import App, ComposeResult
from textual.widgets import Static
from textual.worker import Worker

from tui.core.errors import ParseError
from tui.ui.failures import ReportsWorkerFailures, describe_failure


class Failing(ReportsWorkerFailures, Static):
    @work(thread=True, exit_on_error=False, name="reading the tree")
    def explode(self) -> None:
        raise RuntimeError("children\x1b]2;owned\x07")


class Placed(ReportsWorkerFailures, Static):
    placed: str | None = None

    @work(thread=True, exit_on_error=False)
    def explode(self) -> None:
        raise ParseError("not valid JSON")

    def show_worker_failure(self, worker: Worker, reason: str) -> bool:
        self.placed = reason
        return True


async def finished(pilot, worker: Worker) -> None:
    for _ in range(200):
        if worker.is_finished:
            break
        await pilot.pause(0.01)
    assert worker.state.name == "ERROR"
    await pilot.pause()


class Host(ReportsWorkerFailures, App):
    def compose(self) -> ComposeResult:
        yield Failing()
        yield Placed()


async def test_a_failed_worker_is_notified_and_the_app_goes_on() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await finished(pilot, app.query_one(Failing).explode())
        notes = list(app._notifications)
        assert len(notes) == 1
        assert notes[0].title == "reading the tree failed"
        assert notes[0].severity == "error"
        # The exception's text is data: its escape is made visible, its markup is not parsed.
        assert "\x1b" not in notes[0].message and "␛]2;owned" in notes[0].message
        assert notes[0].markup is False
        assert app.is_running


async def test_a_node_with_a_place_for_it_shows_the_failure_there() -> None:
    app = Host()
    async with app.run_test() as pilot:
        placed = app.query_one(Placed)
        await finished(pilot, placed.explode())
        assert placed.placed == "not valid JSON"
        assert not list(app._notifications)


def test_describe_failure() -> None:
    assert describe_failure(ParseError("bad [/x]")) == "bad [/x]"
    assert describe_failure(ValueError("v")) == "ValueError: v"
    assert describe_failure(None) == "it stopped without saying why"


def test_every_node_that_starts_workers_reports_their_failures() -> None:
    """Walk tui.ui: a class with a @work method is a ReportsWorkerFailures, and no worker can end
    the app (exit_on_error=False everywhere)."""
    import ast
    import importlib
    from pathlib import Path

    import tui.ui

    root = Path(tui.ui.__file__).parent
    starters, ending = [], []
    for path in sorted(root.rglob("*.py")):
        module = "tui.ui." + ".".join(path.relative_to(root).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ClassDef):
                continue
            for item in node.body:
                if not isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                works = [d for d in item.decorator_list if "work" in ast.unparse(d)]
                if works or "run_worker(" in ast.unparse(item):
                    starters.append((module, node.name))
                ending += [f"{module}.{node.name}.{item.name}" for d in works
                           if "exit_on_error=False" not in ast.unparse(d)]
    assert len(starters) > 10  # the walk sees the app's workers
    missing = [f"{m}.{c}" for m, c in starters
               if not issubclass(getattr(importlib.import_module(m), c), ReportsWorkerFailures)]
    assert missing == []
    assert ending == []
