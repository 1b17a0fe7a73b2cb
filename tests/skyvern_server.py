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
  that the server's own endpoints serve it. A run recorded with its storage tree
  (``tests/data/bundled/<name>``: ``storage/`` and uris relative to it) is seeded
  from that tree as it is, archives and ``bundle_key`` rows included; start the
  server with ``SkyvernServer(venv, keyring=BUNDLED_KEYRING)`` to serve it as a
  bundling server does.

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
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from collections.abc import Iterator

SKYVERN_VERSION = "1.0.56"
# Without the litellm pin pip backtracks through dozens of litellm releases and never finishes.
SKYVERN_REQUIREMENTS = (f"skyvern[server]=={SKYVERN_VERSION}", "litellm==1.97.0")
VENV_ENV_VAR = "SKYVERN_TUI_SERVER_VENV"
DEFAULT_VENV = Path("~/.cache/skyvern-tui").expanduser() / f"skyvern-{SKYVERN_VERSION}-venv"
_MARKER = ".skyvern-tui-venv"  # written into venvs this module creates (so it may remove a broken one)

ORG_ID = "o_777"
JWT_EXP = 4102444800  # 2100-01-01
START_TIMEOUT = 120.0
# ARTIFACT_CONTENT_HMAC_KEYRING for a server that bundles and signs like tests/data/bundled's recorder
# (Skyvern's format: {"current_kid": KID, "keys": {KID: {"secret": ...}}}); a test-only secret.
BUNDLED_KEYRING = json.dumps({"current_kid": "k1", "keys": {"k1": {"secret": "skyvern-tui-bundled-test-hmac-secret-0001"}}})


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
    state = {"collected": 0, "last": "", "tail": []}

    def pump(stream, logf) -> None:  # pip's output: into the log file, and the state for the heartbeat
        for line in stream:
            logf.write(line)
            logf.flush()
            state["tail"] = (state["tail"] + [line.rstrip()])[-40:]
            if line.startswith("Collecting"):
                state["collected"] += 1
            if line.strip():
                state["last"] = line.strip()
            if line.startswith(("Installing collected", "Successfully installed", "ERROR")):
                note = line.strip()
                if note.startswith("Successfully installed"):
                    note = f"Successfully installed {len(note.split()) - 2} packages"
                elif note.startswith("Installing collected"):
                    note = f"installing {len(note.split(','))} packages"
                log(f"pip ({time.monotonic() - t0:.0f} s): {note[:160]}")

    with open(install_log, "w") as logf:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        reader = threading.Thread(target=pump, args=(proc.stdout, logf), daemon=True)
        reader.start()
        while True:
            try:
                rc = proc.wait(timeout=20)
                break
            except subprocess.TimeoutExpired:
                log(f"pip still running ({time.monotonic() - t0:.0f} s, {state['collected']} collected): "
                    f"{str(state['last'])[:120]}")
        reader.join(timeout=10)
    tail = state["tail"]
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
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"another process is making {venv}: waiting for the lock {lock_path}")
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

    def __init__(
        self, venv: Path, *, start_timeout: float = START_TIMEOUT, keep_tmp: bool = False, keyring: str | None = None,
        storage_name: str = "artifacts",
    ) -> None:
        self.venv = Path(venv)
        self.storage_name = storage_name  # the folder of ARTIFACT_STORAGE_PATH under tmp (may hold a space)
        self.keyring = keyring  # ARTIFACT_CONTENT_HMAC_KEYRING: signed content URLs, bundling
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
        return self.tmp / self.storage_name

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
        if self.keyring is not None:
            # The signed URLs name the server's own origin, so SKYVERN_BASE_URL must be this server.
            env["ARTIFACT_CONTENT_HMAC_KEYRING"] = self.keyring
            env["SKYVERN_BASE_URL"] = self.base_url
        return env

    # lifecycle --------------------------------------------------------------------------
    def start(self) -> SkyvernServer:
        t0 = time.monotonic()
        self.tmp = Path(tempfile.mkdtemp(prefix="skyvern-tui-server-"))
        for d in ("home", self.storage_name, "cwd"):
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

    def __enter__(self) -> SkyvernServer:
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


# --------------------------------------------------------------------------------------------
# Seeding a downloaded run (the layout of assets/demo) as real rows and files
# --------------------------------------------------------------------------------------------

_JSON_TYPES = {"JSON"}
_BOOL_TYPES = {"BOOLEAN"}
_DATETIME_TYPES = {"DATETIME"}


def _db_datetime(value: object) -> str | None:
    """An ISO time of the API as SQLAlchemy stores a naive DateTime in SQLite."""
    if value is None:
        return None
    dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    return dt.strftime("%Y-%m-%d %H:%M:%S.%f")


def _columns(conn: sqlite3.Connection, table: str) -> dict[str, tuple[str, bool, bool]]:
    """name -> (declared type, not null, has default)."""
    cols = {}
    for _cid, name, ctype, notnull, default, _pk in conn.execute(f"PRAGMA table_info({table})"):
        cols[name] = ((ctype or "").upper(), bool(notnull), default is not None)
    if not cols:
        raise RuntimeError(f"the server's database has no table {table!r}: is it skyvern {SKYVERN_VERSION}?")
    return cols


def _insert(conn: sqlite3.Connection, table: str, values: dict[str, object]) -> None:
    """Insert VALUES (API field names that are columns of TABLE are taken; the rest are ignored),
    converting datetimes, booleans and JSON to what SQLAlchemy stores in SQLite."""
    cols = _columns(conn, table)
    names: list[str] = []
    params: list[object] = []
    for name, value in values.items():
        if name not in cols:
            continue
        ctype = cols[name][0]
        if value is not None:
            if ctype in _JSON_TYPES:
                value = json.dumps(value)
            elif ctype in _DATETIME_TYPES:
                value = _db_datetime(value)
            elif ctype in _BOOL_TYPES:
                value = 1 if value else 0
            elif isinstance(value, (dict, list)):
                value = json.dumps(value)
        names.append(name)
        params.append(value)
    missing = [
        n for n, (_t, notnull, has_default) in cols.items()
        if notnull and not has_default and (n not in names or params[names.index(n)] is None)
    ]
    if missing:
        raise RuntimeError(f"seed_run: no value for the NOT NULL column(s) {missing} of {table}")
    quoted = ", ".join(f'"{n}"' for n in names)
    conn.execute(f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' for _ in names)})", params)


def _new_id(prefix: str, taken: set[str]) -> str:
    """An id in Skyvern's form (prefix + a large integer)."""
    while True:
        candidate = f"{prefix}_{int.from_bytes(os.urandom(7), 'big') + 600000000000000000}"
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def _uri_path(uri: str) -> str:
    return uri.removeprefix("file://")


def _old_storage_root(artifacts: list[dict], org_id: str) -> str:
    """The ARTIFACT_STORAGE_PATH of the server the run was downloaded from, read off the uris:
    every layout starts with {org}/, logs/ or {ENV}/{org}/ under it."""
    candidates = []
    for a in artifacts:
        path = _uri_path(a.get("uri") or "")
        for marker in (f"/{org_id}/", "/logs/"):
            i = path.find(marker)
            if i > 0:
                candidates.append(path[:i])
    if not candidates:
        raise RuntimeError("seed_run: cannot tell the storage root from the artifacts' uris")
    root = min(candidates, key=len)
    bad = [a["artifact_id"] for a in artifacts if not _uri_path(a.get("uri") or "").startswith(root + "/")]
    if bad:
        raise RuntimeError(f"seed_run: artifacts outside the storage root {root}: {bad[:5]}")
    return root


def _file_ext(uri: str) -> str:
    name = uri.rstrip("/").rsplit("/", 1)[-1]
    if "." in name:
        suffix = name.rsplit(".", 1)[-1]
        if suffix:
            return suffix
    return "bin"


def _replace_strings(value: object, old: str, new: str) -> object:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [_replace_strings(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _replace_strings(v, old, new) for k, v in value.items()}
    return value


def _first_url(value: object) -> str | None:
    """The first page URL the agent recorded (depth first, in order) in a step's output."""
    if isinstance(value, dict):
        for key in ("website_url", "page_url", "url"):
            if isinstance(value.get(key), str) and value[key].startswith(("http://", "https://")):
                return value[key]
        value = list(value.values())
    if isinstance(value, list):
        for v in value:
            found = _first_url(v)
            if found:
                return found
    return None


def seed_run(server: SkyvernServer, run_dir: Path) -> dict:
    """Insert the run of RUN_DIR (run.json, artifacts.json, steps.json, actions.json if any, files/) into the running
    SERVER as real rows, and its files into the server's storage in Skyvern's own layout.

    Handles a workflow run (``wr_``) or a task v1 run (``tsk_``). Returns what was seeded:
    run_id, run_type, task_run_id, workflow_id, workflow_permanent_id, task_ids, step_ids,
    workflow_run_block_ids, artifact_ids (in the order of artifacts.json), files
    ({artifact_id: Path in the server's storage}).
    """
    run_dir = Path(run_dir)
    run = json.loads((run_dir / "run.json").read_text())
    artifacts: list[dict] = json.loads((run_dir / "artifacts.json").read_text())
    steps: list[dict] = json.loads((run_dir / "steps.json").read_text())
    actions: list[dict] = json.loads((run_dir / "actions.json").read_text()) if (run_dir / "actions.json").is_file() else []
    run_id: str = run["run_id"]
    run_type: str = run.get("run_type") or ("workflow_run" if run_id.startswith("wr_") else "task_v1")
    if run_type not in ("workflow_run", "task_v1"):
        raise RuntimeError(f"seed_run: run type {run_type!r} is not supported (workflow_run, task_v1)")
    org = server.org_id
    old_orgs = {a.get("organization_id") for a in artifacts if a.get("organization_id")}
    old_org = old_orgs.pop() if len(old_orgs) == 1 else org
    tree = run_dir / "storage"  # a recorded storage tree: uris are relative to it
    old_root = None if tree.is_dir() else _old_storage_root(artifacts, old_org)
    new_root = str(server.storage)
    req = run.get("run_request") or {}
    title = req.get("title")
    taken: set[str] = set()

    # The tasks of the run, in the order they ran (steps.json is concatenated task by task).
    task_ids: list[str] = []
    for s in steps:
        if s["task_id"] not in task_ids:
            task_ids.append(s["task_id"])
    for a in artifacts:
        if a.get("task_id") and a["task_id"] not in task_ids:
            task_ids.append(a["task_id"])
    if run_type == "task_v1" and run_id not in task_ids:
        task_ids.insert(0, run_id)
    wrb_ids: list[str] = []
    for a in artifacts:
        if a.get("workflow_run_block_id") and a["workflow_run_block_id"] not in wrb_ids:
            wrb_ids.append(a["workflow_run_block_id"])

    # What the run's output tells about each task (workflow runs: one "<label>_output" per block).
    block_outputs: dict[str, tuple[str, dict]] = {}  # task_id -> (label, output)
    output = run.get("output")
    if run_type == "workflow_run" and isinstance(output, dict):
        for key, value in output.items():
            if isinstance(value, dict) and value.get("task_id"):
                block_outputs[value["task_id"]] = (key.removesuffix("_output"), value)

    # 1. the files, in Skyvern's layout under the new storage root
    files: dict[str, Path] = {}
    new_uris: dict[str, str] = {}
    if old_root is None:
        if old_org != org:
            raise RuntimeError(f"seed_run: {tree} belongs to {old_org}, the server to {org}")
        # The tree as the server wrote it: archives, flat files and unlisted ones alike.
        shutil.copytree(tree, server.storage, dirs_exist_ok=True)
    for a in artifacts:
        if old_root is None:
            dest = server.storage / urllib.parse.unquote(a["uri"])
            if not dest.is_file():
                raise RuntimeError(f"seed_run: {a['artifact_id']} has no file {tree / a['uri']}")
            files[a["artifact_id"]] = dest
            new_uris[a["artifact_id"]] = f"file://{dest}"
            continue
        rel = _uri_path(a["uri"])[len(old_root) + 1:]
        if old_org != org:
            rel = "/".join(org if part == old_org else part for part in rel.split("/"))
        src = run_dir / "files" / f"{a['artifact_id']}_{a['artifact_type']}.{_file_ext(a['uri'])}"
        if not src.is_file():
            raise RuntimeError(f"seed_run: {src} is missing")
        dest = server.storage / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        files[a["artifact_id"]] = dest
        new_uris[a["artifact_id"]] = f"file://{dest}"

    def rewrite(value: object) -> object:
        if old_root is not None:
            value = _replace_strings(value, f"file://{old_root}/", f"file://{new_root}/")
        return value

    first = min((s["created_at"] for s in steps), default=run.get("created_at"))
    last = max((s["modified_at"] for s in steps), default=run.get("modified_at"))
    seeded: dict = {
        "run_id": run_id,
        "run_type": run_type,
        "organization_id": org,
        "task_ids": task_ids,
        "step_ids": [s["step_id"] for s in steps],
        "workflow_run_block_ids": wrb_ids,
        "artifact_ids": [a["artifact_id"] for a in artifacts],
        "files": files,
    }

    with server.db() as conn:
        if conn.execute("SELECT 1 FROM organizations WHERE organization_id=?", (org,)).fetchone() is None:
            raise RuntimeError(f"seed_run: the server has no organization {org} (it makes it on start from the key)")
        conn.execute("BEGIN")
        try:
            proxy = req.get("proxy_location")
            if run_type == "workflow_run":
                wpid = req.get("workflow_id") or _new_id("wpid", taken)
                workflow_id = _new_id("w", taken)
                _insert(conn, "workflows", {
                    "workflow_id": workflow_id,
                    "organization_id": org,
                    "title": title or run_id,
                    "description": None,
                    "workflow_definition": {"version": 1, "parameters": [], "blocks": []},
                    "proxy_location": proxy,
                    "persist_browser_session": False,
                    "status": "published",
                    "generate_script": False,
                    "run_with": run.get("run_with"),
                    "workflow_permanent_id": wpid,
                    "version": 1,
                    "is_saved_task": False,
                    "created_at": run["created_at"],
                    "modified_at": run["created_at"],
                })
                _insert(conn, "workflow_runs", {
                    "workflow_run_id": run_id,
                    "workflow_id": workflow_id,
                    "workflow_permanent_id": wpid,
                    "organization_id": org,
                    "status": run["status"],
                    "failure_reason": run.get("failure_reason"),
                    "proxy_location": proxy,
                    "browser_seed_source": run.get("browser_seed_source"),
                    "start_fresh_browser": req.get("start_fresh_browser"),
                    "run_with": run.get("run_with"),
                    "ai_fallback": run.get("ai_fallback"),
                    "max_screenshot_scrolling_times": run.get("max_screenshot_scrolls"),
                    "trigger_type": "manual",
                    "queued_at": run.get("queued_at"),
                    "started_at": run.get("started_at"),
                    "finished_at": run.get("finished_at"),
                    "created_at": run["created_at"],
                    "modified_at": run["modified_at"],
                })
                seeded["workflow_id"] = workflow_id
                seeded["workflow_permanent_id"] = wpid
                # The block outputs (what GET /v1/runs/{id} shows as `output`).
                for key, value in (output or {}).items():
                    if key == "extracted_information":
                        continue
                    op_id = _new_id("op", taken)
                    _insert(conn, "output_parameters", {
                        "output_parameter_id": op_id, "key": key, "description": None,
                        "workflow_id": workflow_id,
                        "created_at": run["created_at"], "modified_at": run["created_at"],
                    })
                    _insert(conn, "workflow_run_output_parameters", {
                        "workflow_run_id": run_id, "output_parameter_id": op_id,
                        "value": rewrite(value), "created_at": run.get("finished_at") or run["modified_at"],
                    })
            else:
                wpid = None
                seeded["workflow_id"] = seeded["workflow_permanent_id"] = None

            task_run_id = _new_id("tr", taken)
            _insert(conn, "task_runs", {
                "task_run_id": task_run_id,
                "organization_id": org,
                "task_run_type": run_type,
                "run_id": run_id,
                "title": title,
                "url": req.get("url"),
                "cached": False,
                "status": run["status"],
                "started_at": run.get("started_at"),
                "finished_at": run.get("finished_at"),
                "workflow_permanent_id": wpid,
                "searchable_text": " ".join(x for x in (title, req.get("url")) if x) or None,
                "created_at": run["created_at"],
                "modified_at": run["modified_at"],
            })
            seeded["task_run_id"] = task_run_id

            for order, task_id in enumerate(task_ids):
                tsteps = [s for s in steps if s["task_id"] == task_id]
                label, bout = block_outputs.get(task_id, (None, {}))
                if run_type == "task_v1":
                    status, failure, extracted = run["status"], run.get("failure_reason"), run.get("output")
                    t_created, t_modified = run["created_at"], run["modified_at"]
                    t_started, t_finished, t_queued = run.get("started_at"), run.get("finished_at"), run.get("queued_at")
                    goal, url, errors = req.get("prompt"), req.get("url"), run.get("errors") or []
                else:
                    status = bout.get("status") or run["status"]
                    failure = bout.get("failure_reason")
                    extracted = bout.get("extracted_information")
                    t_created = min((s["created_at"] for s in tsteps), default=first)
                    t_modified = max((s["modified_at"] for s in tsteps), default=last)
                    t_started, t_finished, t_queued = t_created, t_modified, t_created
                    # A block's task has no URL in the run; the first page its steps saw is its URL.
                    url = next((u for u in (_first_url(s.get("output")) for s in tsteps) if u), None)
                    goal, errors = None, bout.get("errors") or []
                url = url or "about:blank"  # tasks.url must be a string for the API
                _insert(conn, "tasks", {
                    "task_id": task_id,
                    "organization_id": org,
                    "status": status,
                    "title": label or title,
                    "task_type": "general",
                    "url": url,
                    "navigation_goal": goal,
                    "extracted_information": extracted,
                    "failure_reason": failure,
                    "proxy_location": proxy,
                    "workflow_run_id": run_id if run_type == "workflow_run" else None,
                    "order": order if run_type == "workflow_run" else None,
                    "retry": 0 if run_type == "workflow_run" else None,
                    "errors": errors,
                    "max_steps_per_run": req.get("max_steps"),
                    "queued_at": t_queued,
                    "started_at": t_started,
                    "finished_at": t_finished,
                    "created_at": t_created,
                    "modified_at": t_modified,
                    "failure_category": bout.get("failure_category"),
                })
                for s in tsteps:
                    _insert(conn, "steps", {**s, "organization_id": org})

            for i, wrb_id in enumerate(wrb_ids):
                # With one block per task (the demo: one navigation block), block i ran task i.
                task_id = task_ids[i] if len(wrb_ids) == len(task_ids) else None
                label, bout = block_outputs.get(task_id or "", (None, {}))
                _insert(conn, "workflow_run_blocks", {
                    "workflow_run_block_id": wrb_id,
                    "workflow_run_id": run_id,
                    "organization_id": org,
                    "task_id": task_id,
                    "label": label,
                    "block_type": "navigation" if task_id else "task",
                    "status": bout.get("status") or run["status"],
                    "output": rewrite(bout) if bout else None,
                    "continue_on_failure": False,
                    "failure_reason": bout.get("failure_reason"),
                    "engine": "skyvern-1.0" if task_id else None,
                    "llm_cost": 0,
                    "created_at": min(a["created_at"] for a in artifacts if a.get("workflow_run_block_id") == wrb_id),
                    "modified_at": run["modified_at"],
                })

            for a in artifacts:
                _insert(conn, "artifacts", {**a, "organization_id": org, "uri": new_uris[a["artifact_id"]]})
            # The actions API's rows (a recording's actions.json): the served item is the row with
            # its action_json, as Skyvern stores an action (model_dump) and hydrates it back.
            for item in actions:
                _insert(conn, "actions", {**item, "organization_id": org, "action_json": item,
                                          "created_at": item.get("created_at") or item.get("started_at") or first,
                                          "modified_at": item.get("modified_at") or item.get("finished_at") or last})
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
    return seeded


# --------------------------------------------------------------------------------------------
# One object for the tests: a started, seeded server
# --------------------------------------------------------------------------------------------

REPO = Path(__file__).resolve().parent.parent
DEMO_DIR = REPO / "assets" / "demo"


class RealServer:
    """A running real Skyvern server seeded with one downloaded run (the demo by default).

    base_url, api_key, headers ({"x-api-key": ...}), org_id, run_id, run_type, task_ids,
    step_ids, artifact_ids, workflow_run_block_ids, workflow_permanent_id, task_run_id,
    files ({artifact_id: Path in storage}), storage, db_path, log_path, run_dir (the seeded
    folder), seeded (the dict of seed_run), server (the SkyvernServer), startup_seconds,
    seed_seconds, venv_seconds.
    """

    def __init__(self, server: SkyvernServer, run_dir: Path, seeded: dict) -> None:
        self.server = server
        self.run_dir = run_dir
        self.seeded = seeded
        self.base_url = server.base_url
        self.api_key = server.api_key
        self.headers = {"x-api-key": server.api_key}
        self.org_id = server.org_id
        self.storage = server.storage
        self.db_path = server.db_path
        self.log_path = server.log_path
        self.startup_seconds = server.startup_seconds
        self.run_id: str = seeded["run_id"]
        self.run_type: str = seeded["run_type"]
        self.task_ids: list[str] = seeded["task_ids"]
        self.step_ids: list[str] = seeded["step_ids"]
        self.artifact_ids: list[str] = seeded["artifact_ids"]
        self.workflow_run_block_ids: list[str] = seeded["workflow_run_block_ids"]
        self.workflow_permanent_id: str | None = seeded.get("workflow_permanent_id")
        self.task_run_id: str = seeded["task_run_id"]
        self.files: dict[str, Path] = seeded["files"]
        self.seed_seconds: float | None = None
        self.venv_seconds: float | None = None

    def __repr__(self) -> str:
        return f"RealServer({self.base_url}, run {self.run_id})"


@contextmanager
def real_server(
    run_dir: Path = DEMO_DIR, venv: Path | None = None, *, keep_tmp: bool = False, keyring: str | None = None
) -> Iterator[RealServer]:
    """Ensure the venv, start the server (with KEYRING as its ARTIFACT_CONTENT_HMAC_KEYRING, if
    given), seed RUN_DIR; yield a RealServer; stop it at the end."""
    t0 = time.monotonic()
    venv = venv or ensure_skyvern_venv()
    venv_seconds = time.monotonic() - t0
    with SkyvernServer(venv, keep_tmp=keep_tmp, keyring=keyring) as server:
        t1 = time.monotonic()
        try:
            seeded = seed_run(server, Path(run_dir))
        except BaseException as e:
            raise RuntimeError(f"seeding {run_dir} failed: {e}\nserver log tail:\n{server.log_tail(2000)}") from e
        rs = RealServer(server, Path(run_dir), seeded)
        rs.seed_seconds = time.monotonic() - t1
        rs.venv_seconds = venv_seconds
        log(
            f"Skyvern {SKYVERN_VERSION} on {server.base_url}: venv {venv_seconds:.1f} s, "
            f"start {server.startup_seconds:.1f} s, seed {rs.seed_seconds:.1f} s ({len(rs.artifact_ids)} artifacts)"
        )
        yield rs
