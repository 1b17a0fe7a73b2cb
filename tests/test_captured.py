"""Artifact.captured_at: when an artifact was captured (its Skyvern id's second, its file name's
stamp), not when its row was written; the lists show and sort by it."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from tui.core.model import Artifact, group_artifacts, id_time, name_stamp
from tui.core.sources.local import LocalSource
from tui.ui.widgets.artifact_list import artifact_prompt

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "assets" / "demo"
STEP_1 = "stp_602148150363861748"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def demo_detail():
    source = LocalSource(DEMO)
    return source.load_run(source.list_runs()[0].run_id)


def test_a_skyvern_id_holds_the_second_it_was_made() -> None:
    assert id_time("a_602148193313534758") == utc("2026-11-28T16:02:31")
    assert id_time("stp_602148150363861748") == utc("2026-11-28T16:02:21")  # its row: 16:02:21.103922
    for not_skyvern in ("a_1", "logs/step/stp_1/x.log", "a_602148193313534758/llm_prompt_0.txt", "", "a_99999999999999999999"):
        assert id_time(not_skyvern) is None


def test_the_demos_first_step_reads_when_each_artifact_was_captured() -> None:
    detail = demo_detail()
    step = next(g for g in detail.groups() if g.key == STEP_1)
    rows = [a for a in step.artifacts if a.artifact_type not in ("skyvern_log", "skyvern_log_raw")]
    # Every row of the step was written at its end, 16:02:41 (the bug this fixes) ...
    assert {a.created_at.replace(microsecond=0) for a in rows if a.created_at} == {utc("2026-11-28T16:02:41")}
    # ... but they were captured from 16:02:24 (the step's logs) through its actions to the goal
    # check's screenshot at 16:02:41.
    times = [a.captured_at for a in step.artifacts]
    assert times == sorted(times)  # the list is in capture order
    assert min(times) == utc("2026-11-28T16:02:24")  # its logs
    assert max(times) == utc("2026-11-28T16:02:41")
    actions = [a.captured_at for a in step.artifacts if a.artifact_type == "screenshot_action"]
    assert actions == [utc("2026-11-28T16:02:31"), utc("2026-11-28T16:02:34"), utc("2026-11-28T16:02:38")]
    first_prompt = next(a for a in step.artifacts if a.artifact_type == "llm_prompt")
    assert first_prompt.captured_at == utc("2026-11-28T16:02:25")


def test_the_list_shows_the_capture_time() -> None:
    detail = demo_detail()
    shot = next(a for a in detail.artifacts if a.artifact_id == "a_602148193313534758")
    shown = str(artifact_prompt(shot))
    assert shown.startswith(utc("2026-11-28T16:02:31").astimezone().strftime("%H:%M:%S"))
    assert utc("2026-11-28T16:02:41").astimezone().strftime("%H:%M:%S") not in shown


def test_bundled_member_rows_are_timed_by_their_ids_not_their_archive() -> None:
    rows = json.loads((ROOT / "tests" / "data" / "bundled" / "task_completed" / "artifacts.json").read_text())
    artifacts = [Artifact.from_api(r) for r in rows]
    archive = next(a for a in artifacts if a.artifact_type == "step_archive")
    members = [a for a in artifacts if a.uri == archive.uri and a.bundle_key]
    assert members and all(a.captured_at is not None and a.captured_at <= archive.captured_at for a in members)
    assert min(a.captured_at for a in members) < archive.created_at.replace(microsecond=0)  # type: ignore[operator]
    assert archive.captured_at == archive.created_at.replace(microsecond=0)  # type: ignore[union-attr]


def test_what_is_not_a_skyvern_id_falls_back_to_the_stamp_then_the_row() -> None:
    row = utc("2026-11-28T13:00:05")
    assert Artifact("a_1", "llm_prompt", created_at=row).captured_at == row
    stamped = Artifact("a_1", "llm_prompt", created_at=row, uri="file:///x/2026-11-28T13:00:01.5_a_1_llm_prompt.txt")
    assert stamped.captured_at == utc("2026-11-28T13:00:01.5")
    local_copy = Artifact("a_1", "llm_prompt", created_at=row, path=Path("/x/2026-11-28T13:00:02_a_1_llm_prompt.txt"))
    assert local_copy.captured_at == utc("2026-11-28T13:00:02")
    # An id made after its row, or days before it, is not Skyvern's clock: the row's time wins.
    assert Artifact("a_602148193313534758", "x", created_at=utc("2026-11-28T16:02:00")).captured_at == utc("2026-11-28T16:02:00")
    assert Artifact("a_602148193313534758", "x", created_at=utc("2026-12-28T16:02:00")).captured_at == utc("2026-12-28T16:02:00")
    # A bundled member's uri is its archive's: the archive's stamp is not the member's.
    member = Artifact("m", "llm_prompt", created_at=row, uri="file:///x/2026-11-28T13:00:01_a_2_step_archive.zip", bundle_key="llm_prompt_0.txt")
    assert member.captured_at == row
    assert Artifact("a_1", "x").captured_at is None


def test_groups_sort_by_capture_time() -> None:
    late_row = utc("2026-11-28T16:03:00")
    first = Artifact("a_602148223378305854", "screenshot_action", created_at=late_row, step_id="s")  # 16:02:38
    second = Artifact("a_602148236263207748", "screenshot_llm", created_at=utc("2026-11-28T16:02:50"), step_id="s")  # 16:02:41
    (group,) = group_artifacts([second, first])
    assert [a.artifact_id for a in group.artifacts] == [first.artifact_id, second.artifact_id]


def test_windows_stamps_read_as_times() -> None:
    found = name_stamp("2026-11-28T13-58-17.679855_a_1_llm_prompt")
    assert found == (utc("2026-11-28T13:58:17.679855"), "a_1_llm_prompt")
    assert name_stamp("llm_prompt") is None
