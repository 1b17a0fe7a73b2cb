from datetime import datetime, timezone

from tui.core.model import Artifact, Run, Step, group_artifacts, parse_time


def t(second: int) -> datetime:
    return datetime(2026, 11, 28, 13, 0, second, tzinfo=timezone.utc)


def art(aid: str, kind: str, second: int, step: str | None = None, task: str = "tsk_1") -> Artifact:
    return Artifact(aid, kind, created_at=t(second), step_id=step, task_id=task)


def test_parse_time_treats_naive_times_as_utc():
    assert parse_time("2026-11-28T13:58:17.679855") == datetime(2026, 11, 28, 13, 58, 17, 679855, tzinfo=timezone.utc)
    assert parse_time("2026-11-28T13:58:17Z") == datetime(2026, 11, 28, 13, 58, 17, tzinfo=timezone.utc)
    assert parse_time("not a time") is None and parse_time(None) is None


def test_groups_follow_steps_with_retries_and_put_run_level_artifacts_last():
    steps = [
        Step("stp_a", "tsk_1", order=0, retry_index=0, status="completed", created_at=t(0)),
        Step("stp_b", "tsk_1", order=1, retry_index=0, status="failed", created_at=t(10)),
        Step("stp_c", "tsk_1", order=1, retry_index=1, status="completed", created_at=t(20)),
    ]
    artifacts = [
        art("a_5", "llm_prompt", 21, "stp_c"),
        art("a_2", "llm_response", 2, "stp_a"),
        art("a_1", "llm_prompt", 1, "stp_a"),
        art("a_9", "recording", 30, "stp_c"),  # attached to the last step, but about the run
        art("a_3", "screenshot_llm", 11, "stp_b"),
        art("a_8", "skyvern_log", 31, None),
    ]
    groups = group_artifacts(artifacts, steps)
    assert [g.label for g in groups] == ["Step 1", "Step 2", "Step 2 (retry 1)", "Run"]
    assert [a.artifact_id for a in groups[3].artifacts] == ["a_9", "a_8"]
    assert [a.artifact_id for a in groups[0].artifacts] == ["a_1", "a_2"]
    assert groups[1].step.status == "failed"


def test_steps_without_a_step_list_are_ordered_by_time():
    artifacts = [art("a_3", "llm_prompt", 30, "stp_late"), art("a_1", "llm_prompt", 1, "stp_early")]
    groups = group_artifacts(artifacts)
    assert [(g.label, g.key) for g in groups] == [("Step 1", "stp_early"), ("Step 2", "stp_late")]


def test_steps_of_several_tasks_name_their_task():
    artifacts = [art("a_1", "llm_prompt", 1, "stp_1", "tsk_1"), art("a_2", "llm_prompt", 2, "stp_2", "tsk_2")]
    assert [g.label for g in group_artifacts(artifacts)] == ["Task 1 · Step 1", "Task 2 · Step 1"]


def test_run_from_api_tolerates_unknown_fields_and_takes_title_from_the_request():
    run = Run.from_api({
        "run_id": "tsk_1", "status": "failed", "new_field": 1, "created_at": "2026-11-28T13:00:00",
        "started_at": "2026-11-28T13:00:01", "finished_at": "2026-11-28T13:00:11",
        "run_request": {"prompt": "Log in and buy"}, "failure_reason": "boom",
    })
    assert run.title == "Log in and buy" and run.terminal and run.duration_seconds == 10.0


def test_artifact_from_api():
    a = Artifact.from_api({
        "artifact_id": "a_1", "artifact_type": "html_scrape", "uri": "file:///x/2026_a_1_html_scrape.html",
        "file_size": 12, "created_at": "2026-11-28T13:00:00", "something_new": True,
    })
    assert a.category.value == "structure" and a.ext == "html" and a.file_size == 12
    odd = Artifact.from_api({"artifact_id": "a_2", "artifact_type": "hologram", "uri": "s3://b/k.gif"})
    assert odd.category.value == "files" and odd.kind.format.value == "image"
