"""``python -m tests.testbed up|down|status|env`` (see the package docstring)."""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from .chromium import CHROMIUM_PATH, chromium_ok, chromium_path
from .common import ENV_FILE, ENV_VARS, TestbedError, log, testbed_dir
from .elasticsearch import Elasticsearch
from .lighthouse import install_lighthouse, lighthouse_cli
from .suite import get_servers


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
    if not only or "lighthouse" in only:
        try:
            with _lock(base):
                env[ENV_VARS["lighthouse"]] = str(install_lighthouse(base))
        except (TestbedError, OSError, subprocess.SubprocessError) as exc:
            missing["lighthouse"] = str(exc) or type(exc).__name__
            log(f"lighthouse: NOT AVAILABLE: {exc}")
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


def cmd_restart(base: Path, names: list[str]) -> int:
    """Stop and start the named servers (only those the test bed started)."""
    if not names:
        log("restart: name the servers to restart (they may be shared: nobody may be using them)")
        return 2
    with _lock(base):
        for name, server in get_servers(base).items():
            if name in names and server.stop():
                server.start()
    return cmd_up(base, names)


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
    cli = lighthouse_cli(base)
    print(f"{'lighthouse':14} {cli if cli.exists() else 'not installed'}")
    return 0 if healthy else 1


def cmd_env(base: Path) -> int:
    env = _common_env(base)
    for server in get_servers(base).values():
        if server.is_running():
            env.update(server.env())
    path = chromium_path()
    if path:
        env[ENV_VARS["chromium"]] = path
    if lighthouse_cli(base).exists():
        env[ENV_VARS["lighthouse"]] = str(lighthouse_cli(base))
    sys.stdout.write(_export_lines(env))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.testbed", description=sys.modules[__package__].__doc__.split("\n")[0]
    )
    parser.add_argument("command", choices=["up", "down", "status", "env", "restart"])
    parser.add_argument(
        "servers",
        nargs="*",
        help="with up or restart: only these (postgres redis elasticsearch stripe-mock chromium"
        " lighthouse)",
    )
    args = parser.parse_args(argv)
    base = testbed_dir()
    if args.command == "up":
        return cmd_up(base, args.servers or None)
    if args.command == "down":
        return cmd_down(base)
    if args.command == "status":
        return cmd_status(base)
    if args.command == "restart":
        return cmd_restart(base, args.servers)
    return cmd_env(base)
