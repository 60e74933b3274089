"""Test bed: the real servers Yipin's test suite runs against.

PostgreSQL 15 and Redis from Debian's packages, Elasticsearch 8 from Maven Central's
integ-test distribution running on the machine's JDK, stripe-mock built with ``go install``,
and Debian's Chromium for browser tests. Everything downloaded or initialised lives under
``$YIPIN_TESTBED_DIR`` (default ``/var/tmp/yipin-testbed``) and is reused between runs.

Command line (``python -m tests.testbed CMD``):

``up``      provision and start every server (idempotent), write ``.testbed/env``
``down``    stop the servers the test bed started (downloads and data stay cached)
``status``  say what runs where, and check that Chromium renders Chinese text
``env``     print ``export`` lines for the servers that answer now

Python API (used by pytest fixtures)::

    from tests import testbed
    url = testbed.require("redis")          # skip, or fail under CI=true, when missing
    redis = testbed.get_servers()["redis"]
    redis.stop(); redis.start(); redis.is_running()

PostgreSQL and Elasticsearch refuse to run as root: when run as root the test bed runs
them as the system user ``yipin-testbed`` (created on first use). Only the standard
library and ``requests`` are used here; Playwright is imported lazily by the Chromium check.

Elasticsearch's integ-test zip is the bare server plus transport-netty4, x-pack-core/security
and apm: there is no ``GET /`` or ``HEAD /`` (no rest-root module: the Python client's
``info()`` fails and ``ping()`` is False; use ``cluster.health()``), no analysis-common (no
keyword/whitespace/ngram/edge_ngram tokenizers, no asciifolding/cjk_* filters, no cjk
analyzer), no reindex (no ``_delete_by_query``/``_update_by_query``/``_reindex``) and no
painless. ``standard``, ``simple``, ``whitespace``, ``keyword`` and ``stop`` analyzers, the
``lowercase``, ``stop`` and ``shingle`` filters work. The test bed adds stand-ins for the
analysis-smartcn and analysis-icu plugins (see ES_PLUGINS below).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
ENV_FILE = REPO_ROOT / ".testbed" / "env"
DEFAULT_BASE_DIR = "/var/tmp/yipin-testbed"
TESTBED_USER = "yipin-testbed"

ES_VERSION = "8.19.4"
MAVEN_CENTRAL = "https://repo1.maven.org/maven2"
ES_ZIP_URL = (
    f"{MAVEN_CENTRAL}/org/elasticsearch/distribution/integ-test-zip/elasticsearch/"
    f"{ES_VERSION}/elasticsearch-{ES_VERSION}.zip"
)
STRIPE_MOCK_MODULE = "github.com/stripe/stripe-mock"
STRIPE_MOCK_VERSION = "v0.203.0"
CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# name used by require() -> environment variable holding its URL
ENV_VARS = {
    "postgres": "YIPIN_TEST_DATABASE_URL",
    "redis": "YIPIN_TEST_REDIS_URL",
    "elasticsearch": "YIPIN_TEST_ELASTICSEARCH_URL",
    "stripe": "YIPIN_TEST_STRIPE_API_BASE",
    "chromium": "YIPIN_TEST_CHROMIUM",
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


class Postgres(Server):
    """PostgreSQL from Debian's binaries; one cluster, role ``yipin``, db ``yipin_test``."""

    name = "postgres"
    env_var = ENV_VARS["postgres"]
    ready_timeout = 60.0
    role = "yipin"
    password = "yipin"
    database = "yipin_test"
    major = "15"

    def __init__(self, base: Path) -> None:
        super().__init__(base)
        self.port = _port("PG", 55432)
        self.data = self.dir / "data"

    @property
    def url(self) -> str:
        return (
            f"postgresql+psycopg://{self.role}:{self.password}@127.0.0.1:{self.port}/"
            f"{self.database}"
        )

    def bindir(self) -> Path:
        override = os.environ.get("YIPIN_TESTBED_PG_BINDIR")
        if override:
            return Path(override)
        preferred = Path(f"/usr/lib/postgresql/{self.major}/bin")
        if (preferred / "pg_ctl").exists():
            return preferred
        found = sorted(
            Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
            key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
        )
        if not found:
            raise TestbedError(
                "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin "
                "(apt-get install postgresql)"
            )
        return found[-1].parent

    def _user(self) -> pwd.struct_passwd | None:
        return _service_user()

    def _run_as_user(
        self, args: list[str], timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        user = self._user()
        return subprocess.run(
            args,
            cwd=self.dir,
            env=_base_env(user, self.dir),
            capture_output=True,
            text=True,
            timeout=timeout,
            **_user_kwargs(user),
        )

    def is_running(self) -> bool:
        if not _port_open(self.port):
            return False
        try:
            isready = self.bindir() / "pg_isready"
        except TestbedError:
            return True
        result = subprocess.run(
            [
                str(isready),
                "-q",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-t",
                "2",
                "-U",
                "postgres",
            ],
            capture_output=True,
        )
        return result.returncode == 0

    def pid(self) -> int | None:
        return _read_pid(self.data / "postmaster.pid", "postgres")

    def _logfile(self) -> Path:
        return self.dir / "postgres.log"

    def install(self) -> None:
        bindir = self.bindir()
        user = self._user()
        _owned_dir(self.dir, user)
        version_file = self.data / "PG_VERSION"
        binary_major = bindir.parent.name
        if version_file.exists():
            data_major = version_file.read_text().strip()
            if data_major == binary_major:
                return
            old = self.dir / f"data-{data_major}-{int(time.time())}"
            log(f"postgres: data dir is for PostgreSQL {data_major}, moving it to {old}")
            self.data.rename(old)
        elif self.data.exists():
            log("postgres: removing a half-initialised data dir")
            shutil.rmtree(self.data)
        log(f"postgres: initdb ({bindir.parent.name}) in {self.data}")
        result = self._run_as_user(
            [
                str(bindir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-instructions",
            ]
        )
        if result.returncode != 0:
            raise TestbedError(f"initdb failed:\n{result.stdout}{result.stderr}")
        (self.data / "pg_hba.conf").write_text(
            "# yipin test bed: trust, reachable only from this machine\n"
            "local   all          all                 trust\n"
            "host    all          all  127.0.0.1/32   trust\n"
            "local   replication  all                 trust\n"
            "host    replication  all  127.0.0.1/32   trust\n"
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("\ninclude_if_exists = 'yipin-testbed.conf'\n")
        _chown_tree(self.data, user)

    def _clear_stale(self) -> None:
        pidfile = self.data / "postmaster.pid"
        if pidfile.exists() and self.pid() is None:
            log("postgres: removing stale postmaster.pid")
            pidfile.unlink()
        # a killed postmaster leaves its socket lock behind; PostgreSQL refuses to start
        # while the pid in it exists, and an unreaped zombie still "exists"
        for lock in self.data.glob(".s.PGSQL.*.lock"):
            if _read_pid(lock, "postgres") is None:
                lock.unlink(missing_ok=True)
                Path(str(lock)[: -len(".lock")]).unlink(missing_ok=True)

    def _spawn(self) -> subprocess.Popen[bytes] | None:
        user = self._user()
        conf = self.data / "yipin-testbed.conf"
        conf.write_text(
            "# written by tests/testbed.py on every start\n"
            f"port = {self.port}\n"
            "listen_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{self.data}'\n"
            "fsync = off\n"
            "synchronous_commit = off\n"
            "full_page_writes = off\n"
            "max_connections = 200\n"
            "shared_buffers = 128MB\n"
            "timezone = 'UTC'\n"
            "log_timezone = 'UTC'\n"
            "logging_collector = off\n"
        )
        if user is not None:
            os.chown(conf, user.pw_uid, user.pw_gid)
        logfile = self._logfile()
        if user is not None and logfile.exists():
            os.chown(logfile, user.pw_uid, user.pw_gid)
        result = self._run_as_user(
            [
                str(self.bindir() / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(logfile),
                "-w",
                "-t",
                str(int(self.ready_timeout)),
                "start",
            ],
            timeout=self.ready_timeout + 30,
        )
        if result.returncode != 0:
            raise TestbedError(
                f"pg_ctl start failed:\n{result.stdout}{result.stderr}\n{_tail(logfile)}"
            )
        return None

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL as the bootstrap superuser over TCP; return psql's unaligned output."""
        result = subprocess.run(
            [
                str(self.bindir() / "psql"),
                "-X",
                "-q",
                "-At",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                database,
                "-c",
                sql,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "PGCONNECT_TIMEOUT": "5"},
        )
        if result.returncode != 0:
            raise TestbedError(f"psql failed: {result.stderr.strip()}")
        return result.stdout.strip()

    def _after_start(self) -> None:
        if self.psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{self.role}'") != "1":
            self.psql(f"CREATE ROLE {self.role} LOGIN SUPERUSER PASSWORD '{self.password}'")
            log(f"postgres: created role {self.role}")
        if self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{self.database}'") != "1":
            self.psql(
                f"CREATE DATABASE {self.database} OWNER {self.role} ENCODING 'UTF8' "
                "TEMPLATE template0"
            )
            log(f"postgres: created database {self.database}")

    def _stop(self, pid: int, timeout: float) -> None:
        result = self._run_as_user(
            [
                str(self.bindir() / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "fast",
                "-w",
                "-t",
                str(int(timeout)),
                "stop",
            ],
            timeout=timeout + 10,
        )
        if result.returncode != 0 and _pid_alive(pid):
            log(f"postgres: pg_ctl stop failed ({result.stderr.strip()}); signalling")
            _terminate(pid, self.name, timeout, signal.SIGINT)


class Redis(Server):
    """Debian's redis-server, daemonized, without persistence."""

    name = "redis"
    env_var = ENV_VARS["redis"]
    ready_timeout = 20.0

    def __init__(self, base: Path) -> None:
        super().__init__(base)
        self.port = _port("REDIS", 56379)
        self.pidfile = self.dir / "redis.pid"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def binary(self) -> str:
        found = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not os.access(found, os.X_OK):
            raise TestbedError("redis-server not found (apt-get install redis-server)")
        return found

    def is_running(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.settimeout(2)
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def pid(self) -> int | None:
        return _read_pid(self.pidfile, "redis-server")

    def _logfile(self) -> Path:
        return self.dir / "redis.log"

    def install(self) -> None:
        self.binary()
        self.dir.mkdir(parents=True, exist_ok=True)

    def _clear_stale(self) -> None:
        if self.pidfile.exists() and self.pid() is None:
            self.pidfile.unlink()

    def _spawn(self) -> subprocess.Popen[bytes] | None:
        args = [
            self.binary(),
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--save",
            "",
            "--databases",
            "64",  # one database per test namespace and xdist worker
            "--appendonly",
            "no",
            "--daemonize",
            "yes",
            "--pidfile",
            str(self.pidfile),
            "--logfile",
            str(self._logfile()),
            "--dir",
            str(self.dir),
        ]
        result = subprocess.run(args, cwd=self.dir, capture_output=True, text=True, timeout=30)
        if result.returncode != 0:
            raise TestbedError(f"redis-server failed: {result.stdout}{result.stderr}")
        return None

    def _stop(self, pid: int, timeout: float) -> None:
        _terminate(pid, self.name, timeout)
        with contextlib.suppress(FileNotFoundError):
            self.pidfile.unlink()


class Elasticsearch(Server):
    """Elasticsearch from Maven Central's integ-test zip, on the machine's JDK."""

    name = "elasticsearch"
    env_var = ENV_VARS["elasticsearch"]
    ready_timeout = 120.0
    version = ES_VERSION

    def __init__(self, base: Path) -> None:
        super().__init__(base)
        self.port = _port("ES", 59200)
        self.transport_port = _port("ES_TRANSPORT", 59300)
        self.home = base / f"elasticsearch-{self.version}"
        self.zip = base / "downloads" / f"elasticsearch-{self.version}.zip"
        self.pidfile = self.dir / "elasticsearch.pid"
        self.conf = self.dir / "config"
        self._launcher: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def java_home(self) -> Path:
        return self.java_home_static()

    @staticmethod
    def java_home_static() -> Path:
        override = os.environ.get("ES_JAVA_HOME")
        if override:
            return Path(override)
        java = shutil.which("java") or "/usr/bin/java"
        real = Path(os.path.realpath(java))
        if not real.exists():
            raise TestbedError("no JDK found (/usr/bin/java); the integ-test zip bundles none")
        return real.parent.parent

    def is_running(self) -> bool:
        if not _port_open(self.port):
            return False
        try:
            resp = requests.get(f"{self.url}/_cluster/health", params={"timeout": "1s"}, timeout=3)
            return resp.status_code == 200 and resp.json().get("status") in {"green", "yellow"}
        except (requests.RequestException, ValueError):
            return False

    def pid(self) -> int | None:
        return _read_pid(self.pidfile, "org.elasticsearch")

    def _logfile(self) -> Path:
        return self.dir / "console.log"

    def plugins(self) -> list[str]:
        """Plugins installed into the distribution (modules excluded)."""
        plugins = self.home / "plugins"
        if not plugins.is_dir():
            return []
        return sorted(p.name for p in plugins.iterdir() if not p.name.startswith("."))

    def has_security_module(self) -> bool:
        return (self.home / "modules" / "x-pack-security").is_dir()

    def _download(self) -> None:
        self.zip.parent.mkdir(parents=True, exist_ok=True)
        sha1_url = f"{ES_ZIP_URL}.sha1"
        try:
            expected = requests.get(sha1_url, timeout=30)
            expected.raise_for_status()
        except requests.RequestException as exc:
            raise TestbedError(f"cannot fetch {sha1_url}: {exc}") from exc
        want = expected.text.split()[0].strip().lower()
        part = self.zip.with_suffix(".zip.part")
        try:
            with requests.get(ES_ZIP_URL, stream=True, timeout=60) as resp:
                resp.raise_for_status()
                total = int(resp.headers.get("Content-Length") or 0)
                log(
                    f"elasticsearch: downloading {self.version} ({total / 1e6:.0f} MB) "
                    f"from Maven Central..."
                )
                digest = hashlib.sha1()
                done = 0
                next_note = time.monotonic() + 5
                with part.open("wb") as out:
                    for chunk in resp.iter_content(chunk_size=1 << 20):
                        out.write(chunk)
                        digest.update(chunk)
                        done += len(chunk)
                        if time.monotonic() >= next_note and total:
                            log(f"elasticsearch: {done / 1e6:.0f}/{total / 1e6:.0f} MB")
                            next_note = time.monotonic() + 5
        except requests.RequestException as exc:
            raise TestbedError(f"cannot download {ES_ZIP_URL}: {exc}") from exc
        if digest.hexdigest() != want:
            part.unlink(missing_ok=True)
            raise TestbedError(
                f"elasticsearch zip sha1 mismatch: got {digest.hexdigest()}, want {want}"
            )
        part.rename(self.zip)
        log(f"elasticsearch: sha1 verified ({want})")

    def _extract(self) -> None:
        tmp = self.base / f".extract-elasticsearch-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        log(f"elasticsearch: unpacking {self.zip.name}")
        try:
            with zipfile.ZipFile(self.zip) as zf:
                for info in zf.infolist():
                    target = Path(zf.extract(info, tmp))
                    mode = (info.external_attr >> 16) & 0o777
                    if mode and not info.is_dir():
                        target.chmod(mode)
        except zipfile.BadZipFile as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            self.zip.unlink(missing_ok=True)
            raise TestbedError(f"corrupt download {self.zip} (removed): {exc}") from exc
        inner = tmp / f"elasticsearch-{self.version}"
        for path in [inner, *inner.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
        shutil.rmtree(self.home, ignore_errors=True)
        inner.rename(self.home)
        shutil.rmtree(tmp, ignore_errors=True)
        (self.home / ".yipin-extracted").write_text(self.version + "\n")

    def install(self) -> None:
        self.java_home()
        self.base.mkdir(parents=True, exist_ok=True)
        if not (self.home / ".yipin-extracted").exists():
            if not self.zip.exists():
                self._download()
            self._extract()
        self.install_plugins()

    def install_plugins(self) -> None:
        """Install analysis-smartcn and analysis-icu (see ES_PLUGINS); failures are logged."""
        for plugin in ES_PLUGINS:
            var = "YIPIN_TESTBED_ES_PLUGIN_" + plugin.name.upper().replace("-", "_")
            official = os.environ.get(var)
            installed = plugin.name in self.plugins()
            current = plugin.installed_fingerprint(self)
            if installed and (official or current == plugin.fingerprint(self.version)):
                continue
            try:
                if official:
                    zip_path = Path(official).resolve()
                    if not zip_path.is_file():
                        raise TestbedError(f"{var}={official} is not a file")
                else:
                    zip_path = plugin.build(self)
                if installed:
                    self._plugin_cli("remove", plugin.name)
                log(f"elasticsearch: installing plugin {plugin.name} from {zip_path.name}")
                self._plugin_cli("install", "--batch", zip_path.as_uri())
            except (TestbedError, OSError, subprocess.SubprocessError) as exc:
                log(f"elasticsearch: plugin {plugin.name} NOT installed: {exc}")

    def _plugin_cli(self, *args: str) -> None:
        env = {
            **_base_env(None),
            **self._es_env(),
            "ES_PATH_CONF": str(self.home / "config"),
            "CLI_JAVA_OPTS": "-Xmx256m",
        }
        result = subprocess.run(
            [str(self.home / "bin" / "elasticsearch-plugin"), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0:
            raise TestbedError(
                f"elasticsearch-plugin {args[0]} failed:\n{result.stdout}{result.stderr}"
            )

    def _es_env(self) -> dict[str, str]:
        return {
            "ES_JAVA_HOME": str(self.java_home()),
            "ES_PATH_CONF": str(self.conf),
            "ES_JAVA_OPTS": os.environ.get("YIPIN_TESTBED_ES_JAVA_OPTS", "-Xms512m -Xmx512m"),
            "ES_TMPDIR": str(self.dir / "tmp"),
        }

    def _write_config(self, user: pwd.struct_passwd | None) -> None:
        for sub in ("config", "data", "logs", "tmp"):
            _owned_dir(self.dir / sub, user)
        for item in (self.home / "config").iterdir():
            dest = self.conf / item.name
            if item.is_dir():
                shutil.copytree(item, dest, dirs_exist_ok=True)
            elif item.name != "elasticsearch.yml":
                shutil.copy2(item, dest)
        settings = {
            "cluster.name": "yipin-testbed",
            "node.name": "yipin-testbed-1",
            "path.data": str(self.dir / "data"),
            "path.logs": str(self.dir / "logs"),
            "network.host": "127.0.0.1",
            "http.port": str(self.port),
            "transport.port": str(self.transport_port),
            "discovery.type": "single-node",
            "cluster.routing.allocation.disk.threshold_enabled": "false",
            "action.destructive_requires_name": "false",
        }
        if self.has_security_module():
            settings["xpack.security.enabled"] = "false"
        (self.conf / "elasticsearch.yml").write_text(
            "# written by tests/testbed.py on every start\n"
            + "".join(f"{key}: {value}\n" for key, value in settings.items())
        )
        _chown_tree(self.conf, user)

    def _clear_stale(self) -> None:
        if self.pidfile.exists() and self.pid() is None:
            self.pidfile.unlink()

    def _spawn(self) -> subprocess.Popen[bytes] | None:
        user = _service_user()
        _owned_dir(self.dir, user)
        self._write_config(user)
        env = {**_base_env(user, self.dir), **self._es_env()}
        logfile = self._logfile()
        with logfile.open("wb") as out:
            if user is not None:
                os.chown(logfile, user.pw_uid, user.pw_gid)
            self._launcher = subprocess.Popen(
                [str(self.home / "bin" / "elasticsearch"), "-d", "-p", str(self.pidfile)],
                cwd=self.dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **_user_kwargs(user),
            )
        return self._launcher

    def start(self, timeout: float | None = None) -> None:
        super().start(timeout)
        if self._launcher is not None:  # `elasticsearch -d` exits once the node started
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._launcher.wait(timeout=30)
            self._launcher = None
        try:
            nodes = requests.get(f"{self.url}/_nodes/_local", timeout=5).json()["nodes"]
            version = next(iter(nodes.values()))["version"]
            log(f"elasticsearch: version {version}, plugins: {', '.join(self.plugins()) or 'none'}")
        except (requests.RequestException, ValueError, KeyError, StopIteration):
            pass

    def _stop(self, pid: int, timeout: float) -> None:
        _terminate(pid, self.name, max(timeout, 60))
        with contextlib.suppress(FileNotFoundError):
            self.pidfile.unlink()


# --------------------------------------------------------------------------- ES plugins
#
# Elastic publishes the official analysis-smartcn / analysis-icu zips for 8.x only on
# artifacts.elastic.co, which this machine cannot reach (Maven Central's
# org.elasticsearch.plugin:analysis-smartcn has no version at all, analysis-icu stops at
# 5.0.0-alpha5). So the test bed builds stand-ins with the same component names from
# Lucene's own analysis jars on Maven Central, through Elasticsearch's stable plugin API
# (elasticsearch-plugin-analysis-api, shipped in the distribution's lib/), and installs them
# with ``elasticsearch-plugin install --batch file:///...zip``. Building needs ``javac``.
# An official zip wins when its path is given in YIPIN_TESTBED_ES_PLUGIN_<NAME>, e.g.
# YIPIN_TESTBED_ES_PLUGIN_ANALYSIS_SMARTCN=/path/to/analysis-smartcn-8.19.4.zip.

LUCENE_VERSION = "9.12.2"  # the Lucene inside Elasticsearch 8.19.4 (lib/lucene-core-*.jar)

SMARTCN_SOURCE = """\
package org.yipin.testbed.smartcn;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.cn.smart.HMMChineseTokenizer;
import org.apache.lucene.analysis.cn.smart.SmartChineseAnalyzer;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.AnalyzerFactory;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.analysis.TokenizerFactory;

public final class Smartcn {
    private Smartcn() {}

    @NamedComponent("smartcn")
    public static final class SmartcnAnalyzer implements AnalyzerFactory {
        @Override
        public Analyzer create() {
            return new SmartChineseAnalyzer();
        }
    }

    @NamedComponent("smartcn_tokenizer")
    public static final class SmartcnTokenizer implements TokenizerFactory {
        @Override
        public Tokenizer create() {
            return new HMMChineseTokenizer();
        }
    }

    @NamedComponent("smartcn_stop")
    public static final class SmartcnStop implements TokenFilterFactory {
        @Override
        public TokenStream create(TokenStream input) {
            return new StopFilter(input, SmartChineseAnalyzer.getDefaultStopSet());
        }
    }
}
"""

ICU_SOURCE = """\
package org.yipin.testbed.icu;

import com.ibm.icu.text.Normalizer2;
import com.ibm.icu.text.Transliterator;
import java.io.Reader;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.icu.ICUFoldingFilter;
import org.apache.lucene.analysis.icu.ICUNormalizer2CharFilter;
import org.apache.lucene.analysis.icu.ICUNormalizer2Filter;
import org.apache.lucene.analysis.icu.ICUTransformFilter;
import org.apache.lucene.analysis.icu.segmentation.ICUTokenizer;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.AnalyzerFactory;
import org.elasticsearch.plugin.analysis.CharFilterFactory;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.analysis.TokenizerFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.StringSetting;

public final class Icu {
    private Icu() {}

    static Normalizer2 normalizer(NormalizerSettings s) {
        Normalizer2.Mode mode =
            "decompose".equals(s.mode()) ? Normalizer2.Mode.DECOMPOSE : Normalizer2.Mode.COMPOSE;
        return Normalizer2.getInstance(null, s.name(), mode);
    }

    @AnalysisSettings
    public interface NormalizerSettings {
        @StringSetting(path = "name", defaultValue = "nfkc_cf")
        String name();

        @StringSetting(path = "mode", defaultValue = "compose")
        String mode();
    }

    @AnalysisSettings
    public interface TransformSettings {
        @StringSetting(path = "id", defaultValue = "Null")
        String id();

        @StringSetting(path = "dir", defaultValue = "forward")
        String dir();
    }

    @NamedComponent("icu_tokenizer")
    public static final class IcuTokenizer implements TokenizerFactory {
        @Override
        public Tokenizer create() {
            return new ICUTokenizer();
        }
    }

    @NamedComponent("icu_folding")
    public static final class IcuFolding implements TokenFilterFactory {
        @Override
        public TokenStream create(TokenStream input) {
            return new ICUFoldingFilter(input);
        }

        @Override
        public TokenStream normalize(TokenStream input) {
            return create(input);
        }
    }

    @NamedComponent("icu_normalizer")
    public static final class IcuNormalizerFilter implements TokenFilterFactory {
        private final Normalizer2 normalizer;

        @Inject
        public IcuNormalizerFilter(NormalizerSettings settings) {
            this.normalizer = normalizer(settings);
        }

        @Override
        public TokenStream create(TokenStream input) {
            return new ICUNormalizer2Filter(input, normalizer);
        }

        @Override
        public TokenStream normalize(TokenStream input) {
            return create(input);
        }
    }

    @NamedComponent("icu_normalizer")
    public static final class IcuNormalizerCharFilter implements CharFilterFactory {
        private final Normalizer2 normalizer;

        @Inject
        public IcuNormalizerCharFilter(NormalizerSettings settings) {
            this.normalizer = normalizer(settings);
        }

        @Override
        public Reader create(Reader reader) {
            return new ICUNormalizer2CharFilter(reader, normalizer);
        }

        @Override
        public Reader normalize(Reader reader) {
            return create(reader);
        }
    }

    @NamedComponent("icu_transform")
    public static final class IcuTransform implements TokenFilterFactory {
        private final Transliterator transliterator;

        @Inject
        public IcuTransform(TransformSettings settings) {
            int dir = "reverse".equals(settings.dir())
                ? Transliterator.REVERSE
                : Transliterator.FORWARD;
            this.transliterator = Transliterator.getInstance(settings.id(), dir);
        }

        @Override
        public TokenStream create(TokenStream input) {
            return new ICUTransformFilter(input, transliterator);
        }

        @Override
        public TokenStream normalize(TokenStream input) {
            return create(input);
        }
    }

    @NamedComponent("icu_analyzer")
    public static final class IcuAnalyzer implements AnalyzerFactory {
        @Override
        public Analyzer create() {
            Normalizer2 nfkcCf = Normalizer2.getNFKCCasefoldInstance();
            return new Analyzer() {
                @Override
                protected TokenStreamComponents createComponents(String field) {
                    Tokenizer source = new ICUTokenizer();
                    return new TokenStreamComponents(source, new ICUFoldingFilter(source));
                }

                @Override
                protected Reader initReader(String field, Reader reader) {
                    return new ICUNormalizer2CharFilter(reader, nfkcCf);
                }
            };
        }
    }
}
"""

_ANALYSIS = "org.elasticsearch.plugin.analysis."


class StablePlugin:
    """An analysis plugin built from Lucene jars on Maven Central via the stable plugin API."""

    def __init__(
        self,
        name: str,
        description: str,
        jars: list[str],
        source: str,
        components: dict[str, dict[str, str]],
    ) -> None:
        self.name = name
        self.description = description
        self.jars = jars  # Maven coordinates group:artifact:version
        self.source = source
        self.components = components

    def fingerprint(self, es_version: str) -> str:
        text = "\n".join([es_version, *self.jars, self.source, repr(self.components)])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def build(self, es: Elasticsearch) -> Path:
        """Return the plugin zip, building it (cached under <base>/es-plugins) if needed."""
        fingerprint = self.fingerprint(es.version)
        out = es.base / "es-plugins" / f"{self.name}-{es.version}-{fingerprint}.zip"
        if out.exists():
            return out
        javac = _javac()
        jars = [_maven_jar(es.base, coordinate) for coordinate in self.jars]
        lib = es.home / "lib"
        classpath = [
            *sorted(lib.glob("lucene-core-*.jar")),
            *sorted(lib.glob("lucene-analysis-common-*.jar")),
            *sorted(lib.glob("elasticsearch-plugin-api-*.jar")),
            *sorted(lib.glob("elasticsearch-plugin-analysis-api-*.jar")),
            *jars,
        ]
        package = self.source.split("package ", 1)[1].split(";", 1)[0].strip()
        cls = self.source.split("public final class ", 1)[1].split()[0]
        log(f"elasticsearch: building plugin {self.name} (stable plugin API, javac)")
        with tempfile.TemporaryDirectory(prefix="yipin-es-plugin-") as tmp:
            src = Path(tmp) / "src" / package.replace(".", "/") / f"{cls}.java"
            src.parent.mkdir(parents=True)
            src.write_text(self.source)
            classes = Path(tmp) / "classes"
            result = subprocess.run(
                [
                    javac,
                    "--release",
                    "17",
                    "-nowarn",
                    "-d",
                    str(classes),
                    "-cp",
                    os.pathsep.join(map(str, classpath)),
                    str(src),
                ],
                capture_output=True,
                text=True,
                timeout=300,
            )
            if result.returncode != 0:
                raise TestbedError(f"javac failed:\n{result.stdout}{result.stderr}")
            own_jar = Path(tmp) / f"yipin-testbed-{self.name}.jar"
            with zipfile.ZipFile(own_jar, "w", zipfile.ZIP_DEFLATED) as jar:
                jar.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n\r\n")
                for path in sorted(classes.rglob("*.class")):
                    jar.write(path, path.relative_to(classes).as_posix())
            descriptor = (
                f"description={self.description}\n"
                f"version={es.version}\n"
                f"name={self.name}\n"
                "java.version=17\n"
                f"elasticsearch.version={es.version}\n"
            )
            out.parent.mkdir(parents=True, exist_ok=True)
            part = out.with_suffix(".part")
            with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as plugin_zip:
                plugin_zip.writestr("stable-plugin-descriptor.properties", descriptor)
                plugin_zip.writestr(
                    "named_components.json", json.dumps(self.components, indent=2) + "\n"
                )
                plugin_zip.writestr("yipin-testbed-build.txt", fingerprint + "\n")
                plugin_zip.write(own_jar, own_jar.name)
                for jar_path in jars:
                    plugin_zip.write(jar_path, jar_path.name)
            part.rename(out)
        return out

    def installed_fingerprint(self, es: Elasticsearch) -> str | None:
        stamp = es.home / "plugins" / self.name / "yipin-testbed-build.txt"
        return stamp.read_text().strip() if stamp.exists() else None


def _javac() -> str:
    candidates = [shutil.which("javac")]
    with contextlib.suppress(TestbedError):
        candidates.append(str(Elasticsearch.java_home_static() / "bin" / "javac"))
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise TestbedError("javac not found (apt-get install openjdk-17-jdk-headless)")


def _maven_jar(base: Path, coordinate: str) -> Path:
    """Download group:artifact:version's jar from Maven Central once, checking its sha1."""
    group, artifact, version = coordinate.split(":")
    dest = base / "downloads" / "maven" / f"{artifact}-{version}.jar"
    if dest.exists():
        return dest
    url = f"{MAVEN_CENTRAL}/{group.replace('.', '/')}/{artifact}/{version}/{artifact}-{version}.jar"
    log(f"elasticsearch: downloading {coordinate}")
    try:
        want = requests.get(url + ".sha1", timeout=30)
        want.raise_for_status()
        resp = requests.get(url, timeout=300)
        resp.raise_for_status()
    except requests.RequestException as exc:
        raise TestbedError(f"cannot download {url}: {exc}") from exc
    got = hashlib.sha1(resp.content).hexdigest()
    if got != want.text.split()[0].strip().lower():
        raise TestbedError(f"sha1 mismatch for {url}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_suffix(".part")
    part.write_bytes(resp.content)
    part.rename(dest)
    return dest


ES_PLUGINS: tuple[StablePlugin, ...] = (
    StablePlugin(
        name="analysis-smartcn",
        description=(
            "Yipin test-bed build of Smart Chinese analysis (smartcn analyzer, "
            "smartcn_tokenizer, smartcn_stop) from Lucene analysis-smartcn"
        ),
        jars=[f"org.apache.lucene:lucene-analysis-smartcn:{LUCENE_VERSION}"],
        source=SMARTCN_SOURCE,
        components={
            _ANALYSIS + "AnalyzerFactory": {
                "smartcn": "org.yipin.testbed.smartcn.Smartcn$SmartcnAnalyzer"
            },
            _ANALYSIS + "TokenizerFactory": {
                "smartcn_tokenizer": "org.yipin.testbed.smartcn.Smartcn$SmartcnTokenizer"
            },
            _ANALYSIS + "TokenFilterFactory": {
                "smartcn_stop": "org.yipin.testbed.smartcn.Smartcn$SmartcnStop"
            },
        },
    ),
    StablePlugin(
        name="analysis-icu",
        description=(
            "Yipin test-bed build of ICU analysis (icu_analyzer, icu_tokenizer, icu_folding, "
            "icu_normalizer, icu_transform) from Lucene analysis-icu"
        ),
        jars=[
            f"org.apache.lucene:lucene-analysis-icu:{LUCENE_VERSION}",
            "com.ibm.icu:icu4j:74.2",
        ],
        source=ICU_SOURCE,
        components={
            _ANALYSIS + "AnalyzerFactory": {
                "icu_analyzer": "org.yipin.testbed.icu.Icu$IcuAnalyzer"
            },
            _ANALYSIS + "TokenizerFactory": {
                "icu_tokenizer": "org.yipin.testbed.icu.Icu$IcuTokenizer"
            },
            _ANALYSIS + "TokenFilterFactory": {
                "icu_folding": "org.yipin.testbed.icu.Icu$IcuFolding",
                "icu_normalizer": "org.yipin.testbed.icu.Icu$IcuNormalizerFilter",
                "icu_transform": "org.yipin.testbed.icu.Icu$IcuTransform",
            },
            _ANALYSIS + "CharFilterFactory": {
                "icu_normalizer": "org.yipin.testbed.icu.Icu$IcuNormalizerCharFilter"
            },
        },
    ),
)


class StripeMock(Server):
    """stripe-mock built from the Go module proxy with ``go install``."""

    name = "stripe-mock"
    env_var = ENV_VARS["stripe"]
    ready_timeout = 30.0
    version = STRIPE_MOCK_VERSION

    def __init__(self, base: Path) -> None:
        super().__init__(base)
        self.port = _port("STRIPE", 12111)
        self.https_port = _port("STRIPE_HTTPS", 12112)
        self.binary = base / "bin" / "stripe-mock"
        self.stamp = base / "bin" / "stripe-mock.version"
        self.pidfile = self.dir / "stripe-mock.pid"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def is_running(self) -> bool:
        if not _port_open(self.port):
            return False
        try:
            resp = requests.get(
                f"{self.url}/v1/customers",
                params={"limit": 1},
                headers={"Authorization": "Bearer sk_test_123"},
                timeout=3,
            )
            return resp.status_code == 200
        except requests.RequestException:
            return False

    def pid(self) -> int | None:
        return _read_pid(self.pidfile, "stripe-mock")

    def _logfile(self) -> Path:
        return self.dir / "stripe-mock.log"

    def install(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        if (
            self.binary.exists()
            and self.stamp.exists()
            and self.stamp.read_text().strip() == self.version
        ):
            return
        go = shutil.which("go") or "/usr/local/go/bin/go"
        if not os.access(go, os.X_OK):
            raise TestbedError("the go toolchain is not installed (looked for go in PATH)")
        self.binary.parent.mkdir(parents=True, exist_ok=True)
        log(f"stripe-mock: go install {STRIPE_MOCK_MODULE}@{self.version} (about 30 s)...")
        started = time.monotonic()
        env = {
            **os.environ,
            "GOBIN": str(self.binary.parent),
            "GOFLAGS": "-mod=mod",
            "HOME": os.environ.get("HOME") or str(self.base / "home"),
        }
        result = subprocess.run(
            [go, "install", f"{STRIPE_MOCK_MODULE}@{self.version}"],
            cwd=self.base,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if result.returncode != 0 or not self.binary.exists():
            raise TestbedError(f"go install stripe-mock failed:\n{result.stderr.strip()}")
        self.stamp.write_text(self.version + "\n")
        log(f"stripe-mock: built in {time.monotonic() - started:.1f}s")

    def _clear_stale(self) -> None:
        if self.pidfile.exists() and self.pid() is None:
            self.pidfile.unlink()

    def _spawn(self) -> subprocess.Popen[bytes] | None:
        logfile = self._logfile()
        with logfile.open("wb") as out:
            proc = subprocess.Popen(
                [
                    str(self.binary),
                    "-http-addr",
                    f"127.0.0.1:{self.port}",
                    "-https-addr",
                    f"127.0.0.1:{self.https_port}",
                ],
                cwd=self.dir,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pidfile.write_text(f"{proc.pid}\n")
        return proc

    def _stop(self, pid: int, timeout: float) -> None:
        _terminate(pid, self.name, timeout)
        with contextlib.suppress(FileNotFoundError):
            self.pidfile.unlink()


SERVER_CLASSES: tuple[type[Server], ...] = (Postgres, Redis, Elasticsearch, StripeMock)


def get_servers(base_dir: str | os.PathLike[str] | None = None) -> dict[str, Server]:
    """The servers keyed by name: postgres, redis, elasticsearch, stripe-mock."""
    root = testbed_dir(base_dir)
    return {cls.name: cls(root) for cls in SERVER_CLASSES}


# --------------------------------------------------------------------------- chromium


def chromium_path() -> str | None:
    path = os.environ.get("YIPIN_TEST_CHROMIUM") or CHROMIUM_PATH
    return path if os.access(path, os.X_OK) else None


CJK_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<style>body{font-family:sans-serif;margin:16px}span{font-size:48px}</style></head>
<body><h1>一品 · 赣南脐橙</h1><p>Yipin 测试 — 中文渲染</p>
<span id="a">赣</span> <span id="b">橙</span></body></html>"""


def chromium_check(screenshot: str | os.PathLike[str] | None = None) -> str:
    """Render Chinese text in headless Chromium via Playwright; raise TestbedError if not.

    Two different CJK glyphs must render differently (tofu boxes are all alike).
    Returns a one-line description. Never downloads a browser.
    """
    path = chromium_path()
    if path is None:
        raise TestbedError(f"{CHROMIUM_PATH} not found (apt-get install chromium)")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise TestbedError(f"playwright is not importable: {exc}") from exc
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 480, "height": 240})
                page.goto("data:text/html;charset=utf-8," + quote(CJK_PAGE))
                png = page.screenshot(path=str(screenshot) if screenshot else None)
                glyph_a = page.locator("#a").screenshot()
                glyph_b = page.locator("#b").screenshot()
                version = browser.version
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise TestbedError(f"chromium failed: {exc}") from exc
    if not png.startswith(b"\x89PNG"):
        raise TestbedError("chromium screenshot is not a PNG")
    if glyph_a == glyph_b:
        raise TestbedError("CJK glyphs render identically (tofu): install fonts-noto-cjk")
    return f"chromium {version} renders CJK text"


def chromium_ok() -> bool:
    try:
        log(chromium_check())
        return True
    except TestbedError as exc:
        log(f"chromium: {exc}")
        return False


# --------------------------------------------------------------------------- pytest helper


def namespace() -> str:
    """This run's private slice of the shared servers: ``YIPIN_TEST_NAMESPACE`` (a checkout
    running beside another) and the pytest-xdist worker, joined; empty for a plain run."""
    parts = [os.environ.get("YIPIN_TEST_NAMESPACE", ""), os.environ.get("PYTEST_XDIST_WORKER", "")]
    return "_".join(p for p in parts if p)


def _trailing_number(text: str) -> int:
    digits = ""
    for char in reversed(text):
        if not char.isdigit():
            break
        digits = char + digits
    return int(digits) if digits else 0


def redis_db_number() -> int:
    """This namespace's Redis database (of 64): ``slot * 8 + worker``, 0 for a plain run.

    The slot is the number that ends ``YIPIN_TEST_NAMESPACE`` (``h3`` → 3), the worker the
    number that ends the xdist worker id (``gw1`` → 1)."""
    slot = _trailing_number(os.environ.get("YIPIN_TEST_NAMESPACE", "")) % 8
    worker = _trailing_number(os.environ.get("PYTEST_XDIST_WORKER", "")) % 8
    return slot * 8 + worker


def database_url(base_url: str) -> str:
    """``base_url`` with this namespace's database name (``yipin_test_h3_gw1``)."""
    ns = namespace()
    if not ns:
        return base_url
    head, _, name = base_url.rpartition("/")
    return f"{head}/{name}_{ns}"


def redis_url(base_url: str) -> str:
    """``base_url`` pointing at this namespace's Redis database."""
    head, _, _db = base_url.rpartition("/")
    return f"{head}/{redis_db_number()}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def private_redis(base: Path) -> Redis:
    """A Redis of its own under ``base`` on a free port, for a test that stops and restarts it
    (the shared one serves other checkouts and xdist workers at the same time)."""
    server = Redis(base)
    server.port = free_port()
    return server


def require(name: str) -> str:
    """URL (or path) of a provisioned server, from its environment variable.

    name: postgres, redis, elasticsearch, stripe or chromium. When the variable is
    missing the calling test is skipped, or failed under CI=true.
    """
    import pytest

    key = ALIASES.get(name, name)
    var = ENV_VARS.get(key)
    if var is None:
        raise ValueError(f"unknown server {name!r}; known: {', '.join(ENV_VARS)}")
    value = os.environ.get(var)
    if value:
        return value
    message = f"{key} is not provisioned (${var} unset): run ./scripts/test"
    if _is_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


# --------------------------------------------------------------------------- CLI


@contextlib.contextmanager
def _lock(base: Path) -> Iterator[None]:
    base.mkdir(parents=True, exist_ok=True)
    with (base / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _prepare_base(base: Path) -> None:
    base.mkdir(parents=True, exist_ok=True)
    if str(base).startswith("/root"):
        log(f"warning: {base} is under /root; the service user may not reach it")
    if os.geteuid() == 0:
        base.chmod(base.stat().st_mode | 0o755)


def _export_lines(env: dict[str, str]) -> str:
    def q(value: str) -> str:
        return "'" + value.replace("'", "'\\''") + "'"

    return "".join(f"export {key}={q(value)}\n" for key, value in env.items())


def _write_env(env: dict[str, str], missing: dict[str, str], path: Path = ENV_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "# written by python -m tests.testbed up; source it\n"
    header += "".join(
        f"# not provisioned: {name}: {why.splitlines()[0]}\n" for name, why in missing.items()
    )
    tmp = path.with_suffix(".tmp")
    tmp.write_text(header + _export_lines(env))
    tmp.replace(path)


def _common_env(base: Path) -> dict[str, str]:
    return {"YIPIN_TESTBED_DIR": str(base), "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1"}


def cmd_up(base: Path, only: list[str] | None = None) -> int:
    _prepare_base(base)
    started = time.monotonic()
    env = _common_env(base)
    missing: dict[str, str] = {}
    with _lock(base):
        for name, server in get_servers(base).items():
            if only and name not in only:
                if server.is_running():
                    env.update(server.env())
                continue
            try:
                server.start()
            except (TestbedError, OSError, subprocess.SubprocessError) as exc:
                missing[name] = str(exc) or type(exc).__name__
                log(f"{name}: NOT AVAILABLE, {server.env_var} not exported: {exc}")
                continue
            env.update(server.env())
    if not only or "chromium" in only:
        path = chromium_path()
        if path:
            env[ENV_VARS["chromium"]] = path
        else:
            missing["chromium"] = f"{CHROMIUM_PATH} not found (apt-get install chromium)"
            log(f"chromium: NOT AVAILABLE: {missing['chromium']}")
    _write_env(env, missing)
    log(f"wrote {ENV_FILE} in {time.monotonic() - started:.1f}s")
    if missing:
        log(f"unavailable: {', '.join(missing)}")
    return 0


def cmd_down(base: Path) -> int:
    with _lock(base):
        for server in reversed(list(get_servers(base).values())):
            try:
                server.stop()
            except (TestbedError, OSError, subprocess.SubprocessError) as exc:
                log(f"{server.name}: stop failed: {exc}")
    return 0


def cmd_status(base: Path) -> int:
    healthy = True
    for name, server in get_servers(base).items():
        state = server.status()
        healthy = healthy and state.startswith("running")
        print(f"{name:14} {state}")
        if isinstance(server, Elasticsearch):
            print(f"{'':14} plugins: {', '.join(server.plugins()) or 'none'}")
    ok = chromium_ok()
    healthy = healthy and ok
    print(f"{'chromium':14} {'renders CJK' if ok else 'NOT OK'} ({chromium_path()})")
    return 0 if healthy else 1


def cmd_env(base: Path) -> int:
    env = _common_env(base)
    for server in get_servers(base).values():
        if server.is_running():
            env.update(server.env())
    path = chromium_path()
    if path:
        env[ENV_VARS["chromium"]] = path
    sys.stdout.write(_export_lines(env))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.testbed", description=__doc__.split("\n")[0]
    )
    parser.add_argument("command", choices=["up", "down", "status", "env"])
    parser.add_argument(
        "servers",
        nargs="*",
        help="with up: only these (postgres redis elasticsearch stripe-mock chromium)",
    )
    args = parser.parse_args(argv)
    base = testbed_dir()
    if args.command == "up":
        return cmd_up(base, args.servers or None)
    if args.command == "down":
        return cmd_down(base)
    if args.command == "status":
        return cmd_status(base)
    return cmd_env(base)


if __name__ == "__main__":
    sys.exit(main())
