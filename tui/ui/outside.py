"""`o`: open the artifact on screen in another program (see core.outside for which). Its bytes
are read and written to a temporary file with the right extension in a worker; the app then
suspends while the program runs (a pager takes the terminal) and resumes after."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from textual.app import App, SuspendNotSupported
from textual.screen import Screen

from ..core.errors import describe_error
from ..core.located import Located
from ..core.outside import NoProgram, Program, choose_program, missing, temp_folder
from ..core.saving import default_name
from .screens.on_screen import on_screen


def open_outside(screen: Screen) -> None:
    """What `o` does on any screen that shows artifacts."""
    on = on_screen(screen)
    app = screen.app
    if on is None:
        app.notify("Nothing to open here: choose an artifact first.", severity="information", timeout=3)
        return
    try:
        program = choose_program(on.located.artifact.kind.format, os.environ)
    except NoProgram as exc:
        app.notify(f"Cannot open it outside: {exc}.", severity="warning", timeout=8, markup=False)
        return
    absent = missing(program, os.environ)
    if absent is not None:
        app.notify(f"Cannot open it outside: {absent}.", severity="warning", timeout=8, markup=False)
        return
    located = on.located

    def work() -> None:
        try:
            path = write_temp(located)
        except Exception as exc:  # noqa: BLE001 (the source's failure, said in one line)
            app.call_from_thread(app.notify, f"Cannot open it outside: {describe_error(exc)}",
                                 severity="error", timeout=8, markup=False)
            return
        app.call_from_thread(run_program, app, program, path)

    app.run_worker(work, thread=True, group="outside", name="Open outside", exit_on_error=False)


def write_temp(located: Located) -> Path:
    """The artifact's bytes in a private temporary folder, under its safe name (the extension
    tells the opener what it is)."""
    path = temp_folder() / default_name(located.artifact)
    path.write_bytes(located.source.read_bytes(located.artifact))
    return path


def run_program(app: App, program: Program, path: Path) -> None:
    """Run the program with the terminal handed over to it, then say how it went."""
    command = program.command(path)
    try:
        with app.suspend():
            code = subprocess.call(command)
    except SuspendNotSupported:
        app.notify("This terminal cannot hand itself to another program.", severity="warning", timeout=6)
        return
    except OSError as exc:
        app.notify(f"{program.name} could not start: {exc.strerror or exc}.", severity="error", timeout=8, markup=False)
        return
    if code != 0:
        app.notify(f"{program.name} ({program.why}) exited with status {code}.", severity="warning", timeout=8,
                   markup=False)
