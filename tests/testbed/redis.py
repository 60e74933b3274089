"""Debian's redis-server, daemonized, without persistence."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
from pathlib import Path

from .common import ENV_VARS, Server, TestbedError, _port, _read_pid, _terminate


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
