"""Pilot tests of the Visual category: screenshots (zoom, pan, flip) and recordings."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from apptools import SIZE, demo_app, local_app, settle
from tui.core.catalog import Category
from tui.core.formats.media import MAX_SCALE
from tui.core.sources.local import LocalSource
from tui.ui.viewers.image import ImageViewer
from tui.ui.viewers.video import VideoViewer
from tui.ui.widgets.error_panel import ErrorPanel
from tui.ui.widgets.image_view import ImageView

ROOT = Path(__file__).resolve().parent.parent


async def open_visual(pilot, artifact_type: str, nth: int = 0):
    """Open the nth artifact of a type in the Visual list; returns its viewer."""
    screen = pilot.app.screen
    await pilot.press("1")
    await settle(pilot)
    seen = -1
    for _ in range(len(screen.artifact_list.artifacts)):
        if screen.artifact_list.artifact.artifact_type == artifact_type:
            seen += 1
            if seen == nth:
                break
        await pilot.press("j")
    await pilot.press("enter")
    await settle(pilot)
    return screen.viewer_pane.viewer


def caption(viewer) -> str:
    return viewer.query(".note").first().content.plain


# --- screenshots ------------------------------------------------------------------------------
async def test_screenshot_caption_names_type_step_time_and_place():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await open_visual(pilot, "screenshot_llm")
        assert isinstance(viewer, ImageViewer)
        shots = viewer.model.shots
        images = [a for a in app.screen.detail.artifacts if a.category is Category.VISUAL and a.artifact_type != "recording"]
        assert len(shots) == len(images) == 17
        text = caption(viewer)
        assert text.startswith("screenshot_llm · Step 1 · ")
        # The first of the list; one screenshot taken before step 1 (no step, in the list's
        # "Run" group) comes first in time.
        assert " · 2/17 · 800x600 · fit " in text


async def test_zoom_in_pan_and_fit_again():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await open_visual(pilot, "screenshot_llm")
        view = viewer.query_one(ImageView)
        fit = view.scale
        assert fit < 0.2  # 800 px in a pane of about 56 columns
        await pilot.press("plus")
        await settle(pilot)
        assert view.scale == pytest.approx(fit * 1.5)
        assert "zoom 1" in caption(viewer)  # 10.5%
        cx = view.port.cx
        await pilot.press("plus", "plus", "plus", "l", "l")
        await settle(pilot)
        assert view.port.cx > cx
        assert view._key() in view._rendered  # the zoomed crop was drawn
        await pilot.press("j")
        await settle(pilot)
        assert view.port.cy > 300
        # Up to one image pixel over two screen pixels, and no further.
        for _ in range(20):
            await pilot.press("plus")
        await settle(pilot)
        assert view.scale == MAX_SCALE
        assert "zoom 200%" in caption(viewer)
        box, size = view.port.crop(view.size.width, view.size.height * 2)
        assert size == (view.size.width, view.size.height * 2)  # the pane is filled
        assert box[2] - box[0] == pytest.approx(view.size.width / 2)
        await pilot.press("minus")
        await settle(pilot)
        assert view.scale == pytest.approx(MAX_SCALE / 1.5, rel=0.35)
        await pilot.press("equals_sign")
        await settle(pilot)
        assert view.scale == fit and not view.port.zoomed
        assert " fit " in caption(viewer)
        cx = view.port.cx
        await pilot.press("l", "right")  # nothing to pan at fit
        assert view.port.cx == cx


async def test_zoomed_drawing_shows_the_crop_not_the_whole_image():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await open_visual(pilot, "screenshot_llm")
        view = viewer.query_one(ImageView)
        width, height = view.size.width, view.size.height
        fitted = view._rendered[(width, height)]
        for _ in range(20):
            await pilot.press("plus")
        await settle(pilot)
        zoomed = view._rendered[view._key()]
        # The fitted drawing keeps the 4:3 aspect (shorter than the pane); the zoomed one fills it.
        assert drawn_size(fitted) == (width, round(width * 3 / 4 / 2))
        assert drawn_size(zoomed) == (width, height)


def drawn_size(lines) -> tuple[int, int]:
    """(columns, rows) of a drawing: its lines of half blocks (Strips)."""
    return max(line.cell_length for line in lines.strips()), lines.height


async def test_flip_walks_every_screenshot_in_time_order_and_the_list_follows():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        viewer = await open_visual(pilot, "screenshot_llm")
        shots = viewer.model.shots
        times = [s.artifact.captured_at for s in shots]
        assert times == sorted(times)
        groups = {a.artifact_id: g.label for g in screen.detail.groups(Category.VISUAL) for a in g.artifacts}
        await pilot.press("left_square_bracket")
        await settle(pilot)
        first = screen.viewer_pane.viewer
        assert first.artifact is shots[0].artifact and shots[0].artifact.step_id is None
        assert screen.artifact_list.artifact is shots[0].artifact
        assert caption(first).startswith("screenshot_llm · Run · ")
        await pilot.press("left_square_bracket")  # before the first: stays
        await settle(pilot)
        assert screen.viewer_pane.viewer.artifact is shots[0].artifact
        for index in range(1, len(shots)):
            await pilot.press("right_square_bracket")
            await settle(pilot)
            viewer = screen.viewer_pane.viewer
            shown = viewer.artifact
            assert shown is shots[index].artifact
            assert screen.artifact_list.artifact is shown  # the list selection followed
            assert screen.viewer_pane.has_focus_within  # keys keep flipping
            text = caption(viewer)
            assert text.startswith(f"{shown.artifact_type} · {groups[shown.artifact_id]} · ")
            assert f" · {index + 1}/17 · " in text
        assert shots[-1].artifact.artifact_type == "screenshot_final"
        await pilot.press("right_square_bracket")  # past the last: stays
        await settle(pilot)
        assert screen.viewer_pane.viewer.artifact is shots[-1].artifact
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert screen.artifact_list.artifact is shots[-2].artifact
        assert "16/17" in caption(screen.viewer_pane.viewer)


async def test_flipping_keeps_the_zoom_to_compare_the_same_place():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await open_visual(pilot, "screenshot_llm")
        await pilot.press("plus", "plus", "plus", "h", "k")
        await settle(pilot)
        port = viewer.query_one(ImageView).port
        where = (port.level, port.cx, port.cy)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        flipped = app.screen.viewer_pane.viewer
        assert flipped is not viewer
        view = flipped.query_one(ImageView)
        assert (view.port.level, view.port.cx, view.port.cy) == where
        assert view._key() in view._rendered and "zoom" in caption(flipped)
        await pilot.press("equals_sign", "right_square_bracket")  # at fit, the next one opens fitted
        await settle(pilot)
        assert not app.screen.viewer_pane.viewer.query_one(ImageView).port.zoomed


async def test_flip_caption_uses_the_lists_step_labels_retries_included():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await open_visual(pilot, "screenshot_llm")
        labels = {s.artifact.artifact_id: s.step for s in viewer.model.shots}
        expected = {a.artifact_id: g.label for g in app.screen.detail.groups(Category.VISUAL) for a in g.artifacts
                    if a.artifact_type != "recording"}
        assert labels == expected
        assert "Step 2 (retry 1)" in labels.values()
        retry = next(i for i, s in enumerate(viewer.model.shots) if s.step == "Step 2 (retry 1)")
        for _ in range(retry - 1):  # from 2/17
            await pilot.press("right_square_bracket")
            await settle(pilot)
        assert " · Step 2 (retry 1) · " in caption(app.screen.viewer_pane.viewer)


# --- recordings ---------------------------------------------------------------------------------
async def test_recording_shows_facts_and_steps_through_frames():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await open_visual(pilot, "recording")
        assert isinstance(viewer, VideoViewer)
        assert app.screen.viewer_pane.has_focus_within
        info = caption(viewer)
        assert info == "mp4 · 47.04 s · 800x600 · 25 fps · h264 · 1176 frames"
        view = viewer.query_one(ImageView)
        assert view.image.size == (800, 600)

        def where() -> str:
            return viewer.query_one(".time").content.plain

        assert where().startswith("00:00.00 / 00:47.04 · frame 1/1176")
        expectations = [
            (["right_square_bracket"], 0.04, "frame 2/"),
            (["right_square_bracket", "right_square_bracket"], 0.12, "frame 4/"),
            (["left_square_bracket"], 0.08, "frame 3/"),
            (["left_square_bracket"], 0.04, "frame 2/"),
            (["full_stop"], 1.04, "00:01.04"),
            (["greater_than_sign"], 11.04, "00:11.04"),
            (["comma"], 10.04, "frame 252/"),
            (["less_than_sign"], 0.04, "00:00.04"),
            (["G"], 47.0, "frame 1176/1176"),
            (["greater_than_sign"], 47.0, "00:47.00"),
            (["home"], 0.0, "00:00.00"),
            (["less_than_sign"], 0.0, "frame 1/"),
        ]
        for keys, seconds, shown in expectations:
            before = view.image
            await pilot.press(*keys)
            await settle(pilot)
            assert viewer.position == pytest.approx(seconds), keys
            assert shown in where(), (keys, where())
            if keys[0] not in ("less_than_sign", "greater_than_sign") or seconds not in (0.0, 47.0):
                assert view.image is not before  # a new frame was decoded and drawn
        await pilot.press("plus")
        await settle(pilot)
        assert view.port.zoomed and "zoom" in where()


async def test_recording_without_pyav_shows_facts_and_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "av", None)  # `import av` now raises ImportError
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await open_visual(pilot, "recording")
        assert isinstance(viewer, VideoViewer)
        assert app.screen.viewer_pane.has_focus_within
        assert caption(viewer).startswith("mp4 · 47.04 s · 800x600 · 25 fps · h264")
        assert not viewer.query(ImageView)
        hint = viewer.query_one(".hint").content.plain
        assert "pip install 'skyvern-tui[video]'" in hint
        # The frame and zoom keys are off (and out of the footer); pressing them does nothing.
        assert viewer.check_action("step", (1,)) is False and viewer.check_action("zoom_in", ()) is False
        await pilot.press("right_square_bracket", "right", "plus")
        await settle(pilot)
        assert not app.screen.viewer_pane.query(ErrorPanel)


async def test_broken_recording_shows_an_error_panel(tmp_path: Path, demo_dir: Path):
    copy = tmp_path / "run"
    shutil.copytree(demo_dir, copy)
    source = LocalSource(copy)
    detail = source.load_run(json.loads((copy / "run.json").read_text())["run_id"])
    recording = next(a for a in detail.artifacts if a.artifact_type == "recording")
    data = recording.path.read_bytes()
    recording.path.write_bytes(data[: data.index(b"moov") - 4])  # cut before its index
    app = local_app(source, detail.run.run_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_visual(pilot, "recording")
        panel = app.screen.viewer_pane.query_one(ErrorPanel)
        assert "moov" in panel.reason


# --- --truecolor --------------------------------------------------------------------------------
def test_truecolor_flag_reaches_textual_before_it_is_imported(tmp_path: Path):
    # A stand-in app module records the colour system Textual read when it was first imported.
    code = """
import sys, types
import tui.cli as cli
assert "textual" not in sys.modules
fake = types.ModuleType("tui.ui.app")
class SkyvernTUI:
    return_code = 0
    def __init__(self, *a, **k): pass
    def run(self):
        import textual.constants
        print("COLOR", textual.constants.COLOR_SYSTEM)
fake.SkyvernTUI = SkyvernTUI
sys.modules["tui.ui.app"] = fake
sys.exit(cli.main(sys.argv[1:]))
"""
    env = {k: v for k, v in os.environ.items() if k not in ("TEXTUAL_COLOR_SYSTEM", "SKYVERN_API_KEY")}
    env["HOME"] = str(tmp_path)
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    for flags, expected in ((["--demo", "--truecolor"], "truecolor"), (["--demo"], "auto")):
        result = subprocess.run([sys.executable, "-c", code, *flags], capture_output=True, text=True,
                                cwd=tmp_path, env={**env, "PYTHONPATH": str(ROOT)})
        assert result.returncode == 0, result.stderr
        assert f"COLOR {expected}" in result.stdout


async def test_help_lists_the_visual_keys():
    from tui.ui.screens.help import HelpScreen

    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=200, record=True, color_system=None, file=io.StringIO())
        console.print(app.screen.query_one("Static").content)
        text = console.export_text()
        for expected in ("Screenshot", "Previous screenshot", "Next screenshot", "Zoom in", "Zoom out",
                         "Fit to the pane", "Pan left (zoomed)", "Recording (frames need PyAV)",
                         "Previous frame", "Next frame", "Back 1 s", "Forward 10 s"):
            assert expected in text, expected


def test_recording_pyav_cannot_decode_keeps_the_facts():
    # Boxes that say "video" but hold no samples: the container is read, PyAV finds no frame.
    from test_video_format import tiny_mp4
    from tui.core.model import Artifact
    from tui.core.opening import Recording, open_data

    model = open_data(Artifact("a_1", "recording"), tiny_mp4()).model
    assert isinstance(model, Recording)
    assert model.decoder is None and model.first is None
    assert model.info.duration == 3.0
    assert "PyAV" in model.why_no_frames
