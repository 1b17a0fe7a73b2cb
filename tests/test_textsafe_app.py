"""No widget crashes on hostile data, and markup in data is shown as the letters it is: the run
whose every field is hostile, every category and every artifact opened (Pilot)."""

from __future__ import annotations

import asyncio
import json
import re

from apptools import SIZE, local_app, make_run, settle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textsafe_hostile import UNSAFE, hostile
from textsafe_runs import hostile_run

from tui.core.catalog import CATEGORIES
from tui.core.sources.local import LocalSource
from tui.ui.screens.run import RunScreen
from tui.ui.widgets.error_panel import ErrorPanel


def _shown_text(svg: str) -> str:
    """The characters of an exported screenshot, without the SVG around them."""
    text = re.sub(r"<[^>]+>", "", svg)
    return text.replace("&#160;", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")


async def test_every_artifact_of_a_hostile_run_opens_without_a_crash(tmp_path):
    source = hostile_run(tmp_path)
    app = local_app(source, "tsk_hostile")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RunScreen)
        # The header quotes the run's fields: markup in them is text, not style.
        header = _shown_text(app.export_screenshot())
        assert "[reverse]REVERSED" in header and "PWNED" in header
        for category in CATEGORIES:
            screen.action_category(category.value)
            await settle(pilot)
        opened = failed = 0
        for artifact in screen.detail.artifacts:
            screen.open_artifact(artifact, focus=True)
            await settle(pilot)
            pane = screen.viewer_pane
            assert pane.artifact is artifact
            shown = _shown_text(app.export_screenshot())  # draws every widget on screen
            assert not UNSAFE.search(shown), artifact.artifact_type
            if pane.failed:
                failed += 1
                reason = pane.query_one(ErrorPanel).reason
                # A viewer bug would show as "SomeError: ..."; only readable reasons are fine.
                assert not re.match(r"^[A-Z]\w*(Error|Exception): ", reason), reason
            else:
                opened += 1
        # The artifacts with a hostile id (no file) fail readably; the pane shows the id as text.
        assert failed >= 2 and opened >= 10, (opened, failed)
        screen.open_artifact(next(a for a in screen.detail.artifacts if a.artifact_id.startswith("a_1[/x]")), focus=False)
        await settle(pilot)
        assert "a_1[/x]" in _shown_text(app.export_screenshot())
        # The command palette lists every artifact by type and id: it parses markup.
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"open")
        await settle(pilot)
        await pilot.pause(0.3)
        palette = _shown_text(app.export_screenshot())
        assert "a_1[/x]" in palette and "Open" in palette
        assert app.is_running


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(hostile, min_size=6, max_size=6))
def test_hostile_run_fields_never_crash_the_run_screen(tmp_path_factory, values):
    """Random hostile ids, types, statuses and titles: the run opens, its list and the pane draw."""
    folder = tmp_path_factory.mktemp("run")
    make_run(folder, [("skyvern_log", "a.log", values[0].encode()), ("llm_prompt", "a.txt", values[1].encode())])
    (folder / "run.json").write_text(json.dumps({"run_id": "tsk_h", "status": values[2], "title": values[3],
                                                 "run_type": values[4], "failure_reason": values[5]}))
    listed = json.loads((folder / "artifacts.json").read_text())
    listed.append({"artifact_id": values[0], "artifact_type": values[1], "step_id": values[2], "uri": values[3]})
    (folder / "artifacts.json").write_text(json.dumps(listed))
    source = LocalSource(folder, label=values[5])

    async def scenario() -> None:
        app = local_app(source, "tsk_h")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, RunScreen)
            for artifact in screen.detail.artifacts:
                screen.open_artifact(artifact, focus=False)
                await settle(pilot)
                assert not UNSAFE.search(_shown_text(app.export_screenshot()))
            assert app.is_running

    asyncio.run(scenario())
