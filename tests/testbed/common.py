"""What every server module shares: paths, ports, errors, logging, process handling and the
``Server`` base class with its start/stop/status life cycle."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
ENV_FILE = REPO_ROOT / ".testbed" / "env"
DEFAULT_BASE_DIR = "/var/tmp/yipin-testbed"
TESTBED_USER = "yipin-testbed"

# name used by require() -> environment variable holding its URL
ENV_VARS = {
    "postgres": "YIPIN_TEST_DATABASE_URL",
    "redis": "YIPIN_TEST_REDIS_URL",
    "elasticsearch": "YIPIN_TEST_ELASTICSEARCH_URL",
    "stripe": "YIPIN_TEST_STRIPE_API_BASE",
    "chromium": "YIPIN_TEST_CHROMIUM",
    "lighthouse": "YIPIN_TEST_LIGHTHOUSE",
}
ALIASES = {
    "postgresql": "postgres",
    "database": "postgres",
    "es": "elasticsearch",
    "stripe-mock": "stripe",
    "stripe_mock": "stripe",
    "browser": "chromium",
}


class TestbedError(RuntimeError):
    """A server could not be obtained, started or stopped; the message says why."""


def log(message: str) -> None:
    print(f"[testbed] {message}", file=sys.stderr, flush=True)


def testbed_dir(base_dir: str | os.PathLike[str] | None = None) -> Path:
    """The directory holding downloads, binaries and data dirs (not under /root)."""
    return Path(base_dir or os.environ.get("YIPIN_TESTBED_DIR") or DEFAULT_BASE_DIR).resolve()


def _port(name: str, default: int) -> int:
    value = os.environ.get(f"YIPIN_TESTBED_{name}_PORT")
    return int(value) if value else default


def _is_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


# --------------------------------------------------------------------------- processes


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:  # a zombie has exited; nobody reaped it yet
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _cmdline(pid: int) -> str:
    try:
        return (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:
        return ""


def _read_pid(pidfile: Path, needle: str) -> int | None:
    """The live pid recorded in pidfile whose command line contains needle, else None."""
    try:
        pid = int(pidfile.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    if pid > 0 and _pid_alive(pid) and needle in _cmdline(pid):
        return pid
    return None


def _terminate(pid: int, what: str, timeout: float, sig: int = signal.SIGTERM) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _pid_alive(pid):
            return
        time.sleep(0.1)
    log(f"{what}: pid {pid} still running after {timeout:.0f}s, killing it")
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _pid_alive(pid):
        time.sleep(0.1)


def _port_open(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return f"(no log at {path})"
    return "\n".join("    " + line for line in text[-lines:])


def _wait_until(
    ready: Callable[[], bool],
    what: str,
    timeout: float,
    *,
    proc: subprocess.Popen[bytes] | None = None,
    logfile: Path | None = None,
    every: float = 10.0,
) -> float:
    """Poll ready() until true; return seconds taken. Fails early when proc dies."""
    start = time.monotonic()
    next_note = start + every
    while True:
        if ready():
            return time.monotonic() - start
        now = time.monotonic()
        if proc is not None and proc.poll() not in (None, 0):
            detail = f"\n{_tail(logfile)}" if logfile else ""
            raise TestbedError(f"{what} exited with status {proc.returncode}{detail}")
        if now - start > timeout:
            detail = f"\n{_tail(logfile)}" if logfile else ""
            raise TestbedError(f"{what} not ready after {timeout:.0f}s{detail}")
        if now >= next_note:
            log(f"{what}: still waiting ({now - start:.0f}s)")
            next_note = now + every
        time.sleep(0.25)


def _service_user() -> pwd.struct_passwd | None:
    """The user PostgreSQL and Elasticsearch run as: None means 'the current user'."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(TESTBED_USER)
    except KeyError:
        pass
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    home = testbed_dir() / "home"
    result = subprocess.run(
        [
            useradd,
            "--system",
            "--user-group",
            "--no-create-home",
            "--home-dir",
            str(home),
            "--shell",
            "/usr/sbin/nologin",
            TESTBED_USER,
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode not in (0, 9):  # 9: the name exists (a concurrent run made it)
        raise TestbedError(f"useradd {TESTBED_USER} failed: {result.stderr.strip()}")
    log(f"created system user {TESTBED_USER}")
    return pwd.getpwnam(TESTBED_USER)


def _owned_dir(path: Path, user: pwd.struct_passwd | None) -> Path:
    """mkdir -p path; when running as root, hand it (not its contents) to the service user."""
    path.mkdir(parents=True, exist_ok=True)
    if user is not None:
        st = path.stat()
        if (st.st_uid, st.st_gid) != (user.pw_uid, user.pw_gid):
            os.chown(path, user.pw_uid, user.pw_gid)
    return path


def _chown_tree(path: Path, user: pwd.struct_passwd | None) -> None:
    if user is None:
        return
    for root, dirs, files in os.walk(path):
        for name in [*dirs, *files]:
            os.lchown(os.path.join(root, name), user.pw_uid, user.pw_gid)
    os.chown(path, user.pw_uid, user.pw_gid)


def _user_kwargs(user: pwd.struct_passwd | None) -> dict[str, Any]:
    if user is None:
        return {}
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def _base_env(user: pwd.struct_passwd | None, home: Path | None = None) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
    }
    if user is not None:
        env["HOME"] = str(home or user.pw_dir)
        env["USER"] = env["LOGNAME"] = user.pw_name
    else:
        env["HOME"] = os.environ.get("HOME", str(home or tempfile.gettempdir()))
    return env


# --------------------------------------------------------------------------- servers


class Server:
    """One server the test bed provisions. Subclasses fill in the hooks."""

    name: ClassVar[str]
    env_var: ClassVar[str]
    ready_timeout: ClassVar[float] = 60.0

    def __init__(self, base: Path) -> None:
        self.base = base
        self.dir = base / self.name

    # -- public API
    @property
    def url(self) -> str:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        """Environment variables pointing the suite at this server."""
        return {self.env_var: self.url}

    def is_running(self) -> bool:
        """True when the server answers on its port (whoever started it)."""
        raise NotImplementedError

    def pid(self) -> int | None:
        """Pid of the process the test bed started, if it is alive."""
        return None

    def install(self) -> None:
        """Obtain binaries and initialise data (cached; a no-op when done before)."""

    def start(self, timeout: float | None = None) -> None:
        """Start the server unless it already answers; wait until it is ready."""
        if self.is_running():
            pid = self.pid()
            owner = f"pid {pid}" if pid else "not started by the test bed"
            log(f"{self.name}: already running on {self._where()} ({owner})")
            self._after_start()
            return
        self.install()
        self._clear_stale()
        log(f"{self.name}: starting on {self._where()}")
        started = time.monotonic()
        proc = self._spawn()
        try:
            _wait_until(
                self.is_running,
                self.name,
                timeout or self.ready_timeout,
                proc=proc,
                logfile=self._logfile(),
            )
        except TestbedError:
            if proc is not None and proc.poll() is None:  # a launcher still starting up
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            with contextlib.suppress(Exception):
                self.stop()
            raise
        self._after_start()
        log(f"{self.name}: ready in {time.monotonic() - started:.1f}s")

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop the process the test bed started; True if one was stopped."""
        pid = self.pid()
        if pid is None:
            if self.is_running():
                log(f"{self.name}: running on {self._where()} but not started by the test bed")
            return False
        log(f"{self.name}: stopping pid {pid}")
        self._stop(pid, timeout)
        return True

    def status(self) -> str:
        if not self.is_running():
            return "not running"
        pid = self.pid()
        return f"running at {self.url} " + (f"(pid {pid})" if pid else "(not ours)")

    # -- hooks
    def _where(self) -> str:
        return self.url

    def _logfile(self) -> Path | None:
        return None

    def _clear_stale(self) -> None:
        pass

    def _spawn(self) -> subprocess.Popen[bytes] | None:
        raise NotImplementedError

    def _after_start(self) -> None:
        pass

    def _stop(self, pid: int, timeout: float) -> None:
        _terminate(pid, self.name, timeout)
