"""file:// uris as Skyvern 1.0.56 writes them: percent-encoded (a download's) or raw (a step
file's, where a `%` in a name is a `%`)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.content import local_path


def test_an_encoded_uri_is_decoded_once(tmp_path: Path):
    folder = tmp_path / "artifact store"
    folder.mkdir()
    (folder / "a%41.csv").write_text("x")
    assert local_path(f"file://{quote(str(folder))}/a%2541.csv") == folder / "a%41.csv"


def test_a_raw_uri_with_a_space_and_a_percent_is_the_file_it_names(tmp_path: Path):
    folder = tmp_path / "artifact store"
    folder.mkdir()
    (folder / "a%41.csv").write_text("x")  # no "aA.csv": the raw spelling is the file
    assert local_path(f"file://{folder}/a%41.csv") == folder / "a%41.csv"
    assert local_path(f"file://{folder}/b.csv") == folder / "b.csv"


def test_other_hosts_are_not_local():
    assert local_path("file://example.com/etc/passwd") is None
    assert local_path("https://example.com/x") is None
    assert local_path(None) is None


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"), min_size=1, max_size=30))
def test_any_name_encoded_is_found(name: str):
    path = Path("/nonexistent-skyvern-tui") / name
    assert local_path("file://" + quote(str(path))) == path
