"""stripe-mock built from the Go module proxy with ``go install``."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from pathlib import Path

import requests

from .common import ENV_VARS, Server, TestbedError, _port, _port_open, _read_pid, _terminate, log

STRIPE_MOCK_MODULE = "github.com/stripe/stripe-mock"
STRIPE_MOCK_VERSION = "v0.203.0"


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
