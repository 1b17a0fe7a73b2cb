"""A REAL Skyvern server on 127.0.0.1 for integration tests, seeded with a downloaded run.

Stdlib only (importable by any test, no pytest needed):

* ``ensure_skyvern_venv()`` makes (once, cached outside the repository) a virtual
  environment with ``skyvern[server]==1.0.56`` and returns its folder;
* ``SkyvernServer(venv)`` is a context manager that starts
  ``uvicorn skyvern.forge.api_app:create_api_app`` on a free loopback port with
  SQLite and local artifact storage in a temporary folder, and a fixed HS256 JWT
  API key for organization ``o_777``;
* ``seed_run(server, run_dir)`` inserts a run in the layout of ``assets/demo``
  (``run.json``, ``artifacts.json``, ``steps.json``, ``files/``) as real rows of
  the server's SQLite tables and writes its files in Skyvern's storage layout, so
  that the server's own endpoints serve it.

See ``../shared/skyvern-reference.md`` ("Running a real Skyvern server on loopback").
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import hmac
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

SKYVERN_VERSION = "1.0.56"
# Without the litellm pin pip backtracks through dozens of litellm releases and never finishes.
SKYVERN_REQUIREMENTS = (f"skyvern[server]=={SKYVERN_VERSION}", "litellm==1.97.0")
VENV_ENV_VAR = "SKYVERN_TUI_SERVER_VENV"
DEFAULT_VENV = Path("~/.cache/skyvern-tui").expanduser() / f"skyvern-{SKYVERN_VERSION}-venv"
_MARKER = ".skyvern-tui-venv"  # written into venvs this module creates (so it may remove a broken one)

ORG_ID = "o_777"
JWT_EXP = 4102444800  # 2100-01-01
START_TIMEOUT = 120.0


def log(msg: str) -> None:
    print(f"[skyvern-server {datetime.now().strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# The virtual environment
# --------------------------------------------------------------------------------------------


def venv_path() -> Path:
    env = os.environ.get(VENV_ENV_VAR)
    return Path(env).expanduser().resolve() if env else DEFAULT_VENV


def _venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def installed_version(venv: Path) -> str | None:
    """The skyvern version importable in VENV, or None when it is not usable."""
    py = _venv_python(venv)
    if not py.exists():
        return None
    code = (
        "import importlib.metadata as m, skyvern, sys; "
        "sys.stdout.write(m.version('skyvern'))"
    )
    try:
        out = subprocess.run(
            [str(py), "-c", code],
            capture_output=True, text=True, timeout=180,
            env=_base_env(Path(tempfile.gettempdir())), cwd=tempfile.gettempdir(),
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else None


def _install(venv: Path) -> None:
    t0 = time.monotonic()
    venv.parent.mkdir(parents=True, exist_ok=True)
    log(f"creating {venv} (skyvern {SKYVERN_VERSION}: about 1.6 GB, takes minutes)")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    (venv / _MARKER).write_text(f"{' '.join(SKYVERN_REQUIREMENTS)}\n")
    install_log = venv / "pip-install.log"
    cmd = [str(_venv_python(venv)), "-m", "pip", "install", "--disable-pip-version-check", *SKYVERN_REQUIREMENTS]
    log("running " + " ".join(cmd[2:]) + f" (full output: {install_log})")
    last_note = time.monotonic()
    with open(install_log, "w") as logf:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        assert proc.stdout is not None
        collected = 0
        tail: list[str] = []
        for line in proc.stdout:
            logf.write(line)
            tail = (tail + [line.rstrip()])[-40:]
            if line.startswith("Collecting"):
                collected += 1
            now = time.monotonic()
            if line.startswith(("Installing collected", "Successfully installed", "ERROR")) or now - last_note > 15:
                last_note = now
                note = line.strip()
                if note.startswith("Successfully installed"):
                    note = "Successfully installed " + str(len(note.split()) - 2) + " packages"
                log(f"pip ({now - t0:.0f} s, {collected} collected): {note[:160]}")
        rc = proc.wait()
    if rc != 0:
        raise RuntimeError(
            f"pip install {' '.join(SKYVERN_REQUIREMENTS)} into {venv} failed ({rc}):\n" + "\n".join(tail)
        )
    log(f"venv ready in {time.monotonic() - t0:.0f} s")


def ensure_skyvern_venv() -> Path:
    """A venv with skyvern[server]==1.0.56, made on first use (in $SKYVERN_TUI_SERVER_VENV or
    ~/.cache/skyvern-tui/skyvern-1.0.56-venv) and reused afterwards. Raises RuntimeError if it
    cannot be made."""
    venv = venv_path()
    if installed_version(venv) == SKYVERN_VERSION:
        return venv
    venv.parent.mkdir(parents=True, exist_ok=True)
    lock_path = venv.parent / (venv.name + ".lock")
    with open(lock_path, "w") as lock:
        log(f"waiting for the lock {lock_path}")
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            # Another process may have made it while we waited.
            version = installed_version(venv)
            if version == SKYVERN_VERSION:
                return venv
            if venv.exists():
                if (venv / _MARKER).exists() or not any(venv.iterdir()):
                    log(f"{venv} is unusable (skyvern {version or 'missing'}): recreating it")
                    shutil.rmtree(venv)
                else:
                    raise RuntimeError(
                        f"{venv} exists but has no usable skyvern {SKYVERN_VERSION} (found {version}); "
                        f"it was not made by tests/skyvern_server.py, so it is left alone: "
                        f"remove it or point {VENV_ENV_VAR} elsewhere"
                    )
            _install(venv)
            version = installed_version(venv)
            if version != SKYVERN_VERSION:
                raise RuntimeError(f"after installing, {venv} has skyvern {version!r}, not {SKYVERN_VERSION}")
            return venv
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(sub: str, secret: str, exp: int = JWT_EXP) -> str:
    """An HS256 JWT, as Skyvern's local API keys are."""
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64url(json.dumps({"sub": sub, "exp": exp}, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode()
    sig = hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64url(sig)}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _base_env(home: Path) -> dict[str, str]:
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "SKYVERN_TELEMETRY": "false",
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    }


class SkyvernServer:
    """A real Skyvern server on 127.0.0.1 (SQLite, local storage, all in a temporary folder).

    Attributes once started: ``base_url``, ``api_key``, ``org_id``, ``port``, ``tmp``,
    ``storage`` (ARTIFACT_STORAGE_PATH), ``db_path``, ``log_path``, ``env_name`` ("local").
    """

    def __init__(self, venv: Path, *, start_timeout: float = START_TIMEOUT, keep_tmp: bool = False) -> None:
        self.venv = Path(venv)
        self.start_timeout = start_timeout
        self.keep_tmp = keep_tmp
        self.org_id = ORG_ID
        self.env_name = "local"
        self.secret_key = _b64url(os.urandom(32)) + "-skyvern-tui-test"
        self.api_key = make_jwt(self.org_id, self.secret_key)
        self.proc: subprocess.Popen | None = None
        self.tmp: Path | None = None
        self.port = 0
        self.base_url = ""
        self.startup_seconds: float | None = None

    # paths ------------------------------------------------------------------------------
    @property
    def storage(self) -> Path:
        assert self.tmp is not None
        return self.tmp / "artifacts"

    @property
    def db_path(self) -> Path:
        assert self.tmp is not None
        return self.tmp / "data.db"

    @property
    def log_path(self) -> Path:
        assert self.tmp is not None
        return self.tmp / "server.log"

    def env(self) -> dict[str, str]:
        assert self.tmp is not None
        cwd = self.tmp / "cwd"
        env = _base_env(self.tmp / "home")
        env.update(
            {
                "PATH": f"{self.venv}/bin:/usr/local/bin:/usr/bin:/bin",
                "VIRTUAL_ENV": str(self.venv),
                "ENV": self.env_name,
                "PORT": str(self.port),
                "DATABASE_STRING": f"sqlite+aiosqlite:///{self.db_path}",
                "ARTIFACT_STORAGE_PATH": str(self.storage),
                "VIDEO_PATH": str(cwd / "video"),
                "HAR_PATH": str(cwd / "har"),
                "LOG_PATH": str(cwd / "log"),
                "ANALYTICS_ID": "anonymous",
                "SECRET_KEY": self.secret_key,
                "SKYVERN_API_KEY": self.api_key,
                "ENABLE_OPENAI": "false",
                "NO_PROXY": "127.0.0.1,localhost",
                "no_proxy": "127.0.0.1,localhost",
            }
        )
        return env

    # lifecycle --------------------------------------------------------------------------
    def start(self) -> "SkyvernServer":
        t0 = time.monotonic()
        self.tmp = Path(tempfile.mkdtemp(prefix="skyvern-tui-server-"))
        for d in ("home", "artifacts", "cwd"):
            (self.tmp / d).mkdir()
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        logf = open(self.log_path, "wb")
        try:
            self.proc = subprocess.Popen(
                [
                    str(_venv_python(self.venv)), "-m", "uvicorn", "skyvern.forge.api_app:create_api_app",
                    "--factory", "--host", "127.0.0.1", "--port", str(self.port),
                ],
                env=self.env(), cwd=self.tmp / "cwd", stdout=logf, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
        finally:
            logf.close()
        try:
            self._wait_ready(t0)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - t0
        return self

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def _wait_ready(self, t0: float) -> None:
        assert self.proc is not None
        end = t0 + self.start_timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"the Skyvern server exited with {self.proc.returncode} while starting; "
                    f"log {self.log_path}:\n{self.log_tail()}"
                )
            try:
                code, _ = self.request("GET", "/v1/runs?page=1&page_size=1", timeout=5)
                if code == 200:
                    return
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > end:
                raise RuntimeError(
                    f"the Skyvern server did not answer within {self.start_timeout:.0f} s; "
                    f"log {self.log_path}:\n{self.log_tail()}"
                )
            time.sleep(0.5)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
        if self.tmp is not None and not self.keep_tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> "SkyvernServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # HTTP (stdlib, for readiness and quick checks) ----------------------------------------
    def request(self, method: str, path: str, *, key: bool = True, timeout: float = 30) -> tuple[int, bytes]:
        req = urllib.request.Request(self.base_url + path, method=method)
        if key:
            req.add_header("x-api-key", self.api_key)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    @contextmanager
    def db(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.db_path, timeout=30)
        conn.row_factory = sqlite3.Row
        try:
            yield conn
        finally:
            conn.close()
