"""Where to find Skyvern: flags > environment (as Skyvern's own SDK) > the config file.

The config file is TOML in the user config directory, with named profiles:

    default = "local"
    theme = "nord"            # any Textual theme (the command palette lists them)
    graphics = "auto"         # screenshots: auto, kitty, sixel or halfblock (--graphics and
                              # $SKYVERN_TUI_GRAPHICS come first)

    [keys]                    # remap a key by its binding id (README, "Keys")
    "app.help" = "f2"

    [profiles.local]
    base_url = "http://localhost:8000"
    api_key = "..."
    artifact_roots = ["/data/artifacts"]   # file:// artifacts are read only under these

A self-hosted server on this machine names its artifacts by file:// uris. They are read from
disk only from a server on loopback and only under an artifact root: the profile's
`artifact_roots`, $SKYVERN_TUI_ARTIFACT_ROOTS (paths joined by os.pathsep), or the server's own
$ARTIFACT_STORAGE_PATH; anything else comes through the API.

It holds API keys, so it is created readable by its owner only. The key never appears in a
repr, a log line or an error message.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from .core.errors import TuiError

APP_NAME = "skyvern-tui"
DEFAULT_BASE_URL = "https://api.skyvern.com"


class ConfigError(TuiError):
    pass


@dataclass(frozen=True)
class Connection:
    """A Skyvern server to talk to, and the key for it."""

    base_url: str
    api_key: str = field(repr=False)
    # Shown in the picker's source column: the profile name, or the server's host.
    label: str = ""
    # Where file:// artifacts may be read from (a loopback server's ARTIFACT_STORAGE_PATH).
    artifact_roots: tuple[Path, ...] = ()


def config_path() -> Path:
    override = os.environ.get("SKYVERN_TUI_CONFIG")
    return Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME))


def state_dir() -> Path:
    return Path(platformdirs.user_state_dir(APP_NAME))


@dataclass(frozen=True)
class UiSettings:
    """How the interface looks and which keys do what (the config file's theme and [keys])."""

    theme: str | None = None
    keys: dict[str, str] = field(default_factory=dict)  # binding id -> keys ("f2", "ctrl+h,f2")
    graphics: str | None = None  # the mode named in the file (checked by core.graphics.modes)


def _read(path: Path) -> dict:
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the config file {path}: {exc}") from exc


def load_ui_settings(path: Path | None = None) -> UiSettings:
    """The theme and key remapping of the config file (their names are checked by the app,
    which knows the themes and the bindings)."""
    path = path or config_path()
    data = _read(path)
    theme = data.get("theme")
    if theme is not None and not isinstance(theme, str):
        raise ConfigError(f"{path}: theme must be a string, the name of a theme")
    keys = data.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(k, str) and v and isinstance(v, str) for k, v in keys.items()):
        raise ConfigError(f'{path}: [keys] holds lines such as "app.help" = "f2" (binding id = keys)')
    graphics = data.get("graphics")
    if graphics is not None and not isinstance(graphics, str):
        raise ConfigError(f'{path}: graphics must be a string: "auto", "kitty", "sixel" or "halfblock"')
    return UiSettings(theme or None, dict(keys), graphics or None)


def load_profiles(path: Path) -> tuple[dict[str, dict], str | None]:
    """The profiles of the config file and the name of the default one."""
    data = _read(path)
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict) or not all(isinstance(p, dict) for p in profiles.values()):
        raise ConfigError(f"{path}: [profiles.NAME] tables expected")
    default = data.get("default")
    return profiles, default if isinstance(default, str) else None


def resolve_connection(
    api_key: str | None = None,
    base_url: str | None = None,
    profile: str | None = None,
    env: Mapping[str, str] | None = None,
    path: Path | None = None,
    artifact_roots: list[str] | None = None,
) -> Connection | None:
    """The server to use, or None when no key is given anywhere (local sources only)."""
    env = os.environ if env is None else env
    profiles, default = load_profiles(path or config_path())
    chosen: dict = {}
    name = profile or default
    if profile and profile not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise ConfigError(f"no profile {profile!r} in {path or config_path()} (profiles: {known})")
    if name:
        chosen = profiles.get(name, {})
    key = api_key or env.get("SKYVERN_API_KEY") or chosen.get("api_key")
    url = base_url or env.get("SKYVERN_BASE_URL") or chosen.get("base_url") or DEFAULT_BASE_URL
    if not key:
        return None
    url = str(url).rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"the base URL must start with http:// or https:// (got {url!r})")
    roots = chosen.get("artifact_roots")
    if roots is not None and not isinstance(roots, (str, list)):
        raise ConfigError(f"{path or config_path()}: artifact_roots must be a list of folders")
    roots = _roots(*(artifact_roots or ()), env.get("SKYVERN_TUI_ARTIFACT_ROOTS"), roots,
                   env.get("ARTIFACT_STORAGE_PATH"))
    return Connection(url, str(key), name or url.split("://", 1)[1], roots)


def _roots(*values: object) -> tuple[Path, ...]:
    """Artifact roots from settings: a list of paths, or one string of paths joined by os.pathsep."""
    found: list[Path] = []
    for value in values:
        items = value if isinstance(value, list) else str(value or "").split(os.pathsep)
        found += [Path(str(item)).expanduser() for item in items if str(item).strip()]
    return tuple(dict.fromkeys(found))


def _toml_string(value: str) -> str:
    # A JSON string is a valid TOML basic string for everything we write here.
    return json.dumps(value, ensure_ascii=False)


def save_profile(name: str, base_url: str, api_key: str, path: Path | None = None, make_default: bool = False) -> Path:
    """Add or replace a profile; the file is written readable by its owner only."""
    path = path or config_path()
    profiles, default = load_profiles(path)
    ui = load_ui_settings(path)  # kept as they are: the file is written anew
    profiles[name] = {**profiles.get(name, {}), "base_url": base_url.rstrip("/"), "api_key": api_key}
    if make_default or default is None:
        default = name
    lines = [f"default = {_toml_string(default)}"]
    if ui.theme:
        lines.append(f"theme = {_toml_string(ui.theme)}")
    if ui.graphics:
        lines.append(f"graphics = {_toml_string(ui.graphics)}")
    lines.append("")
    if ui.keys:
        lines.append("[keys]")
        lines += [f"{_toml_string(k)} = {_toml_string(v)}" for k, v in ui.keys.items()]
        lines.append("")
    for profile_name, values in sorted(profiles.items()):
        lines.append(f"[profiles.{_toml_string(profile_name)}]")
        for key, value in values.items():
            if isinstance(value, list):  # artifact_roots
                lines.append(f"{key} = [{', '.join(_toml_string(str(v)) for v in value)}]")
            else:
                lines.append(f"{key} = {_toml_string(str(value))}")
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
    return path
