"""`i`: every field of the artifact on screen, the signed URL's expiry, the command line and the
app URL, a row each; enter or y sends a row to the clipboard (OSC 52, patched here: Pilot has no
terminal). On the demo and on a recorded run as the API served it (real signed URLs)."""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone

from rich.console import Console
from textual.widgets import OptionList

from apptools import SIZE, demo_app, first_category, settle
from bundled_runs import BUNDLED
from overview_runs import ServedRun, served_app
from tui.core.artifact_info import expiry_text, info_rows, signed_url_expiry
from tui.core.located import Located
from tui.core.run_model.model import Place
from tui.core.sources.demo import demo_source
from tui.ui.screens.info import InfoScreen
from tui.ui.screens.run import RunScreen


def _recorded_rows(run: str) -> list[dict]:
    return json.loads((BUNDLED / run / "artifacts.json").read_text())


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def test_skyverns_own_signed_urls_say_their_expiry():
    # The recorded server signs with expiry=<unix time>: 1 h for a recording, 12 h for the rest.
    rows = {r["artifact_type"]: r for r in _recorded_rows("task_completed")}
    for kind, hours in (("recording", 1), ("llm_prompt", 12)):
        row = rows[kind]
        expiry = signed_url_expiry(row["signed_url"])
        assert expiry is not None and expiry.scheme == "Skyvern"
        made = _utc(row["created_at"][:19])
        assert abs((expiry.at - made).total_seconds() - hours * 3600) < 120, (kind, expiry.at, made)


def test_s3_gcs_azure_and_unsigned_urls():
    s3 = ("https://b.s3.amazonaws.com/o_1/a.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2F20261201"
          "&X-Amz-Date=20261201T113558Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=ab12")
    assert signed_url_expiry(s3).at == _utc("2026-12-01T12:35:58") and signed_url_expiry(s3).scheme == "S3"
    gcs = "https://storage.googleapis.com/b/o?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Date=20261201T000000Z&X-Goog-Expires=900&X-Goog-Signature=ff"
    assert signed_url_expiry(gcs).at == _utc("2026-12-01T00:15:00")
    azure = "https://acct.blob.core.windows.net/c/b.png?sv=2022-11-02&se=2026-12-02T08%3A00%3A00Z&sr=b&sp=r&sig=abc%3D"
    assert signed_url_expiry(azure).at == _utc("2026-12-02T08:00:00") and signed_url_expiry(azure).scheme == "Azure"
    for unsigned in ("https://example.com/a.png", "not a url", "", None, "https://x/a?X-Amz-Date=garbage&X-Amz-Expires=1"):
        assert signed_url_expiry(unsigned) is None
    now = _utc("2026-12-01T12:00:00")
    assert expiry_text(s3, now) == "2026-12-01 12:35:58 UTC (in 35 min, S3)"
    assert expiry_text(s3, _utc("2026-12-01T14:35:58")) == "2026-12-01 12:35:58 UTC (expired 2.0 h ago, S3)"
    assert expiry_text("file:///data/a.png", now) == "never (a file on the server's disk)"
    assert expiry_text("https://example.com/a.png", now) == "no expiry known"
    assert expiry_text(None, now) == "— (no signed URL)"


def test_every_field_of_a_recorded_artifact():
    source = ServedRun("task_completed")
    detail = source.detail
    artifact = next(a for a in detail.artifacts if a.artifact_type == "llm_prompt")
    raw = artifact.raw
    rows = {r.label: r.value for r in info_rows(Located(source, detail, Place(artifact)), now=_utc("2026-12-01T12:00:00"))}
    assert rows["id"] == artifact.artifact_id and rows["type"] == "llm_prompt"
    assert rows["uri"] == raw["uri"] and rows["signed URL"] == raw["signed_url"]
    assert rows["expires"].startswith("2026-12-01 23:35:58 UTC (in 11.6 h, Skyvern)")
    assert rows["task"] == raw["task_id"] and rows["step"] == raw["step_id"] and rows["run"] == raw["run_id"]
    assert rows["workflow run"] == "—" and rows["block"] == "—"
    assert rows["organization"] == "o_777" and rows["archived"] == "no" and rows["checksum"] == "—"
    assert raw["file_size"] is None and rows["size"] == "—"  # a member of the step's bundle: no size of its own
    assert rows["created"].startswith(raw["created_at"].replace("T", " "))
    assert rows["modified"].startswith(raw["modified_at"].replace("T", " "))
    assert rows["browser_session_id"] == "—"  # the API's other fields, each a row
    assert rows["file"] == raw["uri"]  # under the folder the command line names
    storage = (BUNDLED / "task_completed" / "storage").resolve()
    assert rows["command line"] == f"skyvern-tui --local {storage} {detail.run.run_id} --open {artifact.artifact_id}"
    assert rows["app URL"].startswith("http") and detail.run.run_id in rows["app URL"]


def test_a_hostile_field_is_shown_with_its_controls_visible():
    source = demo_source()
    detail = source.load_run(source.list_runs()[0].run_id)
    from dataclasses import replace

    artifact = replace(detail.artifacts[0], raw={**detail.artifacts[0].raw, "checksum": "ab\x1b]52;c;eA==\x07", "x\x1bk": 1})
    rows = {r.label: r.value for r in info_rows(Located(source, detail, Place(artifact)))}
    assert rows["checksum"] == "ab␛]52;c;eA==␇" and rows["x␛k"] == "1"
    assert not any("\x1b" in r.label + r.value for r in info_rows(Located(source, detail, Place(artifact))))


def _notes(app) -> str:
    return " | ".join(str(n.message) for n in app._notifications)


def _options(app) -> list[str]:
    """Each row as shown, at a width where no value wraps."""
    options = app.screen.query_one(OptionList)
    console = Console(width=400, file=io.StringIO(), color_system=None)
    lines = []
    for i in range(options.option_count):
        with console.capture() as capture:
            console.print(options.get_option_at_index(i).prompt)
        lines.append(" ".join(capture.get().split()))
    return lines


async def test_i_shows_the_fields_and_enter_or_y_sends_a_row_on_the_demo():
    app = demo_app()
    sent: list[str] = []
    app.copy_to_clipboard = sent.append
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await first_category(pilot)
        screen = app.screen
        assert isinstance(screen, RunScreen)
        artifact = screen.artifact_list.artifact
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, InfoScreen)
        shown = _options(app)
        for label in ("id", "type", "uri", "signed URL", "expires", "task", "step", "run", "workflow run", "block",
                      "organization", "created", "modified", "size", "checksum", "archived", "command line", "app URL"):
            assert any(line.startswith(label + " ") for line in shown), label
        assert any(line.startswith("id") and artifact.artifact_id in line for line in shown)
        assert any(f"skyvern-tui --demo --open {artifact.artifact_id}" in line for line in shown)
        await pilot.press("enter")  # the first row: the id
        await pilot.press("j", "y")  # the type
        await settle(pilot)
        assert sent == [artifact.artifact_id, artifact.artifact_type]
        assert f"The id ({len(artifact.artifact_id)} bytes) sent to the terminal's clipboard" in _notes(app)
        await pilot.press("end", "k", "enter")  # the command line (the last row is the app URL)
        await settle(pilot)
        assert sent[-1] == f"skyvern-tui --demo --open {artifact.artifact_id}"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen


async def test_i_on_a_recorded_run_shows_its_signed_urls_expiry_and_a_dash_is_not_sent():
    app = served_app("task_completed")
    sent: list[str] = []
    app.copy_to_clipboard = sent.append
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")  # AI reasoning: the first is an LLM prompt
        await settle(pilot)
        artifact = app.screen.artifact_list.artifact
        await pilot.press("i")
        await settle(pilot)
        shown = _options(app)
        expiry = signed_url_expiry(artifact.signed_url)
        assert expiry is not None
        line = next(line for line in shown if line.startswith("expires"))
        assert expiry.at.strftime("%Y-%m-%d %H:%M:%S UTC") in line and "Skyvern" in line
        block = next(n for n, line in enumerate(shown) if line.startswith("block"))
        for _ in range(block):
            await pilot.press("j")
        await pilot.press("y")
        await settle(pilot)
        assert sent == [] and "Nothing to copy in block." in _notes(app)
