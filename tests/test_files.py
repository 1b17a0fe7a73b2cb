"""The Files category: generated scripts, and files of any other type."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from apptools import SIZE, demo_app, first_category, local_app, make_run, settle
from tui.core.formats.files import sniff
from tui.core.opening import openers
from tui.ui.viewers import files as files_viewer
from tui.ui.viewers.files import FileViewer, ScriptViewer
from tui.ui.widgets.line_view import LineView


def zip_bytes(names: list[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "x" * 100)
    return out.getvalue()


def test_sniff_tells_text_zip_pdf_binary_and_empty():
    assert sniff(b"hello\nworld\n").lines == ["hello", "world"]
    assert sniff("caf\u00e9".encode()[:-1]).kind == "text"  # a character cut at the end
    archive = sniff(zip_bytes(["a.txt", "dir/b.json"]))
    assert archive.kind == "zip" and [m[0] for m in archive.members] == ["a.txt", "dir/b.json"]
    assert sniff(b"PK\x03\x04 broken").kind == "binary"
    pdf = sniff(b"%PDF-1.7\n1 0 obj << /Type /Pages >> 2 0 obj << /Type /Page >> 3 0 obj << /Type /Page >>")
    assert pdf.kind == "pdf" and "about 2 pages" in pdf.note
    assert sniff(b"\x00\x01\x02\xff").kind == "binary"
    assert sniff(b"").kind == "empty"


async def test_files_show_their_details_and_their_content(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(files_viewer, "CONTENT_LIMIT", 1000)  # what the viewer says
    monkeypatch.setattr(openers, "CONTENT_LIMIT", 1000)  # what the opener reads
    source = make_run(tmp_path / "r", run_id="wr_files", step_id=None, artifacts=[
        ("download", "report.csv", b"name,qty\nspur gear,1\n"),
        ("step_archive", "step.zip", zip_bytes(["screenshot.png", "prompt.txt"])),
        ("download", "huge.bin", b"\x00" * 5000),
        ("hologram", "mystery.bin", b"\x00\x01binary"),
    ])
    app = local_app(source, "wr_files")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await first_category(pilot)  # Files: the run opens on its overview
        screen = app.screen
        checks = [
            lambda v: v.query_one(LineView).lines == ["name,qty", "spur gear,1"],
            lambda v: [m[0] for m in v.model.members] == ["screenshot.png", "prompt.txt"],
            lambda v: v.model is None,  # over the limit: not even read
            lambda v: v.model.kind == "binary" and v.artifact.category.value == "files",
        ]
        for index, check in enumerate(checks):
            if index:
                await pilot.press("escape", "j")
            await pilot.press("enter")
            await settle(pilot)
            viewer = screen.viewer_pane.viewer
            assert isinstance(viewer, FileViewer) and check(viewer), viewer.artifact.uri


async def test_a_generated_script_says_where_it_sits():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("6", "enter")
        await settle(pilot)
        viewer = screen.viewer_pane.viewer
        assert isinstance(viewer, ScriptViewer)
        header = str(viewer.query(".note").first().content)
        assert header.startswith("script s_") and "version 1" in header and header.endswith(".skyvern")
        assert viewer.model.lexer == "python"
