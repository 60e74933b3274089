"""PostgreSQL from Debian's binaries: one cluster, role ``yipin``, database ``yipin_test``."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import time
from pathlib import Path

from .common import (
    ENV_VARS,
    Server,
    TestbedError,
    _base_env,
    _chown_tree,
    _owned_dir,
    _pid_alive,
    _port,
    _port_open,
    _read_pid,
    _service_user,
    _tail,
    _terminate,
    _user_kwargs,
    log,
)


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
            "# written by tests/testbed/postgres.py on every start\n"
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
