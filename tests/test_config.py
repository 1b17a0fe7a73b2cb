import stat
from pathlib import Path

import pytest

from tui.config import ConfigError, resolve_connection, save_profile
from tui.core.ids import run_id_from
from tui.core.recent import RecentRuns


def test_flags_beat_environment_beat_config_file(tmp_path: Path):
    path = tmp_path / "config.toml"
    save_profile("local", "http://localhost:8000/", "file-key", path)
    save_profile("cloud", "https://api.skyvern.com", "cloud-key", path)
    # The first profile saved is the default.
    c = resolve_connection(env={}, path=path)
    assert (c.base_url, c.api_key, c.label) == ("http://localhost:8000", "file-key", "local")
    c = resolve_connection(profile="cloud", env={}, path=path)
    assert (c.base_url, c.api_key) == ("https://api.skyvern.com", "cloud-key")
    env = {"SKYVERN_API_KEY": "env-key", "SKYVERN_BASE_URL": "http://127.0.0.1:9"}
    c = resolve_connection(env=env, path=path)
    assert (c.base_url, c.api_key) == ("http://127.0.0.1:9", "env-key")
    c = resolve_connection(api_key="flag-key", base_url="http://h:1", env=env, path=path)
    assert (c.base_url, c.api_key) == ("http://h:1", "flag-key")


def test_no_key_anywhere_means_no_connection_and_the_cloud_is_the_default_url(tmp_path: Path):
    assert resolve_connection(env={}, path=tmp_path / "none.toml") is None
    c = resolve_connection(env={"SKYVERN_API_KEY": "k"}, path=tmp_path / "none.toml")
    assert c.base_url == "https://api.skyvern.com"


def test_the_key_is_never_in_a_repr_and_the_file_is_private(tmp_path: Path):
    path = save_profile("p", "http://x", "sekrit-key", tmp_path / "cfg" / "config.toml")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    c = resolve_connection(env={}, path=path)
    assert "sekrit-key" not in repr(c)


def test_unknown_profile_and_broken_file_are_clear_errors(tmp_path: Path):
    path = tmp_path / "config.toml"
    save_profile("a", "http://x", "k", path)
    with pytest.raises(ConfigError, match="no profile 'b'.*profiles: a"):
        resolve_connection(profile="b", env={}, path=path)
    path.write_text("this is = not [toml")
    with pytest.raises(ConfigError, match="cannot read the config file"):
        resolve_connection(env={}, path=path)
    with pytest.raises(ConfigError, match="http:// or https://"):
        resolve_connection(api_key="k", base_url="ftp://x", env={}, path=tmp_path / "none")


def test_run_ids_from_pasted_text():
    assert run_id_from("wr_123") == "wr_123"
    assert run_id_from(" tsk_v2_99 ") == "tsk_v2_99"
    assert run_id_from("https://app.skyvern.com/runs/wr_42/tsk_7/overview") == "wr_42"
    assert run_id_from("https://app.skyvern.com/tasks/tsk_7/actions") == "tsk_7"
    assert run_id_from("nothing here") is None


def test_recent_runs_newest_first_without_duplicates(tmp_path: Path):
    recent = RecentRuns(tmp_path / "state" / "recent.json")
    assert recent.load() == []
    recent.add("wr_1", "demo", "one")
    recent.add("wr_2", "demo")
    recent.add("wr_1", "demo", "one")
    assert [r.run_id for r in recent.load()] == ["wr_1", "wr_2"]
    (tmp_path / "state" / "recent.json").write_text("{broken")
    assert recent.load() == []
