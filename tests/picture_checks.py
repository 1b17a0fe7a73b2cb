"""What the graphics tests compare with: where the screenshot's pane is (the same app laid out
headless at the same size) and what its pixels must be (Pillow's own scaling of the picture)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageChops, ImageStat

from apptools import demo_app, settle, until
from tui.ui.widgets.image_view import ImageView

ASSETS = Path(__file__).resolve().parents[1] / "assets" / "demo" / "files"


async def screenshot_pane(columns: int, lines: int, maximize: bool = False) -> tuple[tuple[int, int, int, int], Path]:
    """The demo's first screenshot pane at this size, (x, y, width, height) in cells, and its file."""
    app = demo_app()
    async with app.run_test(size=(columns, lines)) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        if maximize:
            await pilot.press("z")
            await settle(pilot)
        view = app.screen.query_one(ImageView)
        await until(pilot, lambda: view.drawing is not None, tries=3000)
        artifact = app.screen.viewer_pane.viewer.artifact
        region = view.region
        files = sorted(ASSETS.glob(f"{artifact.artifact_id}_*"))
        assert files, artifact.artifact_id
        return (region.x, region.y, region.width, region.height), files[0]


def fitted(image: Image.Image, width: int, height: int) -> Image.Image:
    """The picture as Pillow scales it into width x height pixels (never enlarged), centred on
    transparency: what a drawing in real pixels must hold."""
    image = image.convert("RGB")
    scale = min(width / image.width, height / image.height, 1.0)
    small = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.LANCZOS)
    canvas = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    canvas.paste(small, ((width - small.width) // 2, (height - small.height) // 2))
    return canvas


def difference(drawn: Image.Image, wanted: Image.Image, rows: int | None = None) -> float:
    """Mean colour difference (0-255) where the wanted picture is opaque (down to `rows` pixels)."""
    assert drawn.size == wanted.size, (drawn.size, wanted.size)
    box = wanted.getchannel("A").getbbox()
    assert box is not None
    if rows is not None:
        box = (box[0], box[1], box[2], min(box[3], rows))
    a, b = drawn.convert("RGB").crop(box), wanted.convert("RGB").crop(box)
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3
