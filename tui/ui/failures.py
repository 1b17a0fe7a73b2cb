"""Every worker's failure is seen: one handler for `Worker.StateChanged`.

Workers run with `exit_on_error=False` so a failure never ends the app; on its own that would
swallow the exception. `Worker.StateChanged` does not bubble, so every node that starts workers
mixes in `ReportsWorkerFailures`: a failed worker becomes an error panel where its result
belonged (a node that has such a place overrides `show_worker_failure`), else a notification.
"""

from __future__ import annotations

from typing import cast

from textual.app import App
from textual.dom import DOMNode
from textual.worker import Worker, WorkerState

from ..core.errors import describe_error


def describe_failure(error: BaseException | None) -> str:
    """One line for a person: our own errors say what to do, anything else names its type."""
    return "it stopped without saying why" if error is None else describe_error(error)


class ReportsWorkerFailures:
    """Mix into a Widget, Screen or App whose workers may fail."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        worker = event.worker
        reason = describe_failure(worker.error)
        if self.show_worker_failure(worker, reason):
            return
        app = self if isinstance(self, App) else cast(DOMNode, self).app
        # The name is ours (the function's); a default description would quote its arguments.
        what = worker.name or "Background work"
        app.notify(reason, title=f"{what} failed", severity="error", timeout=10, markup=False)

    def show_worker_failure(self, worker: Worker, reason: str) -> bool:
        """Put the failure where the worker's result would have gone; False to notify instead."""
        return False
