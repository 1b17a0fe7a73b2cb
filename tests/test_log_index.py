"""The skyvern_log line index: a big file stays on disk and its lines are read (and made safe)
when asked for; its end shows before its middle is indexed; filters, problems and the run
model's scan read it through the index."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.formats import logs
from tui.core.formats.logs import PENDING, matching_lines, skyvern_log, skyvern_log_file
from tui.core.formats.text import split_lines
from tui.core.run_model.logscan import scan
from tui.core.search import next_match

LEVELS = (b"debug", b"info", b"warning", b"error", b"critical", b"INFO", b"fatal", b"odd")


def log_bytes(count: int, salt: str = "") -> bytes:
    lines = []
    for n in range(count):
        level = LEVELS[n * 7 % len(LEVELS)].decode()
        if n % 11 == 5:
            lines.append(f"a line with no level {n} {salt}")
        else:
            lines.append(f'2026-11-28T16:00:{n % 60:02d}.000000Z [{level:<9}] Event {n} {salt} step_id="stp_{n % 3}" n={n}')
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def small_steps(monkeypatch):
    """Steps of a few hundred bytes, so a small file is read as a big one is."""
    monkeypatch.setattr(logs, "HEAD", 300)
    monkeypatch.setattr(logs, "STEP", 700)
    monkeypatch.setattr(logs, "TAIL", 500)
    monkeypatch.setattr(logs, "CHUNK", 900)
    monkeypatch.setattr(logs, "BLOCK", 8)
    monkeypatch.setattr(logs, "CACHED_BLOCKS", 4)


def test_lines_from_bytes_are_those_split_lines_makes():
    data = b"\xef\xbb\xbf" + log_bytes(50) + b"\x1b]0;title\x07 \r\nlast \xff\xfe no newline"
    log = skyvern_log(data)
    assert list(log.lines) == split_lines(data)
    assert log.line_count == len(split_lines(data)) and log.lines[-1] == "last \ufffd\ufffd no newline"
    assert log.lines[-2] == "␛]0;title␇ " and log.lines[10:13] == split_lines(data)[10:13]


def test_a_file_indexed_in_steps_reads_lines_on_demand_from_disk(tmp_path: Path, small_steps):
    data = log_bytes(400)
    path = tmp_path / "x.log"
    path.write_bytes(data)
    log = skyvern_log_file(path)
    whole = skyvern_log(data)
    assert log.complete and log.line_count == whole.line_count == 400
    assert log.severities == whole.severities and log.counts == whole.counts
    assert log.counts["info"] == sum(1 for n in range(400) if n % 11 != 5 and LEVELS[n * 7 % 8].lower() == b"info")
    # Every line read one by one, out of order: the same lines, and only a few blocks kept.
    for n in [399, 0, 200, 7, 8, 398]:
        assert log.line(n) == whole.lines[n]
    assert [log.line(n) for n in range(400)] == list(whole.lines)
    assert len(log._cache) <= logs.CACHED_BLOCKS
    with pytest.raises(IndexError):
        log.line(400)


def test_a_line_read_on_demand_from_the_file_is_made_safe(tmp_path: Path, small_steps):
    hostile = b'2026-11-28T16:00:00.000000Z [error    ] \x1b[2J\x1b]52;c;aGk=\x07 cleared \xc2\x9b31m\r\n'
    data = log_bytes(100) + hostile + log_bytes(100)
    path = tmp_path / "x.log"
    path.write_bytes(data)
    log = skyvern_log_file(path)
    line = log.line(100)
    assert "\x1b" not in line and "\x07" not in line and "\x9b" not in line and "\r" not in line
    assert line.endswith("␛[2J␛]52;c;aGk=␇ cleared <9B>31m") and log.severity(100) == 4


def test_a_big_files_end_shows_before_its_middle_is_indexed(tmp_path: Path, small_steps):
    data = log_bytes(300, "x") + b"2026-11-28T16:09:00.000000Z [error    ] The very last line"
    path = tmp_path / "x.log"
    path.write_bytes(data)
    log = logs.skyvern_log_head(path, len(data))
    assert 0 < log.line_count < 10 and not log.complete and log.shown_count == log.line_count
    log.count_ahead()
    assert log.total == log.shown_count == 301 and not log.complete
    whole = skyvern_log(data)
    assert log.line(300) == "2026-11-28T16:09:00.000000Z [error    ] The very last line" and log.severity(300) == 4
    assert log.line(298) == whole.lines[298]
    assert log.line(150) == PENDING and log.severity(150) == 0  # counted, not indexed yet
    seen: list[tuple[int, int]] = []
    logs.index_rest(log, path, lambda done, total: seen.append((done, total)))
    assert log.complete and list(log.lines) == list(whole.lines) and log.severities == whole.severities
    assert seen[-1] == (len(data), len(data)) and len(seen) > 5


def test_a_cancelled_index_stops_between_two_steps(tmp_path: Path, small_steps):
    data = log_bytes(300)
    path = tmp_path / "x.log"
    path.write_bytes(data)
    log = logs.skyvern_log_head(path, len(data))
    steps: list[int] = []
    logs.index_rest(log, path, lambda done, total: steps.append(done), cancelled=lambda: len(steps) >= 3)
    assert not log.complete and 0 < log.read < len(data) and len(steps) == 3
    assert log.line_count < 300 and log.lines[log.line_count - 1] == skyvern_log(data).lines[log.line_count - 1]


def test_filters_read_the_index_as_a_pass_over_every_line_would(small_steps):
    log = skyvern_log(log_bytes(500, "Needle"))
    lines, severities = list(log.lines), log.severities
    for lowest in (0, 2, 3):
        for needle in ("", "event 1", "needle", "nothing like this"):
            expected = [i for i, line in enumerate(lines)
                        if (not severities[i] or severities[i] - 1 >= lowest) and needle in line.lower()]
            assert list(matching_lines(log, lowest, needle) or ()) == expected
    assert isinstance(matching_lines(log, 0, ""), range)
    assert matching_lines(log, 0, "event", cancelled=lambda: True) is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([0, 1, 2, 3, 4, 5]), min_size=1, max_size=40), st.integers(0, 45), st.booleans())
def test_the_next_problem_is_the_one_a_walk_over_the_lines_finds(severities: list[int], start: int, forward: bool):
    log = skyvern_log(b"")
    log.severities = bytearray(severities)
    start = min(start, len(severities) - 1)
    expected = next_match(len(severities), start, forward, lambda i: severities[i] - 1 >= 2)
    assert log.next_problem(start, forward) == expected


def test_the_run_models_scan_of_a_file_is_its_scan_of_the_bytes_and_keeps_each_line_once(tmp_path: Path, small_steps):
    from conftest import DEMO

    for source in (DEMO / "files").glob("*_skyvern_log.log"):
        data = source.read_bytes().rstrip(b"\n") + b"\n"
        path = tmp_path / source.name
        path.write_bytes(data * 3)  # a log repeats its lines: each is kept once, at its first place
        once, thrice = scan(skyvern_log(data)), scan(skyvern_log_file(path))
        assert (thrice.metrics, thrice.entries, thrice.blocks) == (once.metrics, once.entries, once.blocks)
        assert (thrice.first, thrice.last, thrice.step_ends, thrice.action_results) == (
            once.first, once.last, once.step_ends, once.action_results)
        assert thrice.lines == 3 * once.lines


async def test_G_in_a_big_log_shows_its_last_line_while_the_middle_is_indexed(tmp_path: Path, monkeypatch):
    import threading

    from apptools import SIZE, local_app, make_run, settle, until
    from tui.core.opening import openers
    from tui.ui.viewers import logs as log_viewers
    from tui.ui.widgets.log_view import LogView

    monkeypatch.setattr(openers, "BIG_LOG", 1000)
    monkeypatch.setattr(logs, "HEAD", 2000)
    release, counted = threading.Event(), threading.Event()

    def held_index(artifact, log, progress=None, cancelled=lambda: False):
        log.count_ahead()
        if progress is not None:
            progress(log.read, log.size)
        counted.set()
        release.wait(10)  # the middle is indexed only once the test has looked
        logs.index_rest(log, artifact.path, progress, cancelled)

    monkeypatch.setattr(log_viewers, "read_rest_of_log", held_index)
    content = log_bytes(5000) + b"2026-11-28T16:09:00.000000Z [error    ] The very last line\n"
    app = local_app(make_run(tmp_path / "r", [("skyvern_log", "x.log", content)], run_id="tsk_log", status="failed"),
                    "tsk_log")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")  # the logs; not settle from here: it would wait for the held worker
        await until(pilot, counted.is_set)
        await pilot.press("enter")
        await pilot.pause(0.1)
        viewer = app.screen.viewer_pane.viewer
        view = viewer.query_one(LogView)
        assert not viewer.model.complete and len(view.rows) == 5001
        await pilot.press("G")
        await pilot.pause(0.1)
        assert view.current_line == 5000 and not viewer.model.complete
        shown = [view.render_line(y).text for y in range(view.size.height)]
        assert any(row.startswith("5001 2026-11-28T16:09:00.000000Z [error    ] The very") for row in shown)
        release.set()
        await settle(pilot)
        assert viewer.model.complete and view.current_line == 5000
        assert view.styled_line(2500).plain == skyvern_log(content).lines[2500]  # read now, not the placeholder


def test_a_view_reads_a_very_long_lines_start_and_a_reader_of_the_log_all_of_it(tmp_path: Path, small_steps,
                                                                               monkeypatch):
    monkeypatch.setattr(logs, "LONG", 1000)
    long = b"2026-11-28T16:00:00.000000Z [error    ] Huge " + b"\xc3\xa9" * 5000 + b" end"
    data = log_bytes(20) + long + b"\n" + log_bytes(20)
    path = tmp_path / "x.log"
    path.write_bytes(data)
    log = skyvern_log_file(path)
    shown = log.line(20, whole=False)
    assert shown.startswith("2026-11-28T16:00:00.000000Z [error    ] Huge é") and len(shown.encode()) <= 1000 + 3
    assert log.line(20) == long.decode() and log.lines[20] == long.decode()  # every reader but a view: all of it
    assert log.parsed(20).level == "error" and log.line(21) == skyvern_log(data).lines[21]
