"""Elasticsearch 8 from Maven Central's integ-test zip, on the machine's JDK (see the package
docstring for what that distribution lacks); its analysis plugins are built by
``elasticsearch_plugins``."""

from __future__ import annotations

import contextlib
import hashlib
import os
import pwd
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import requests

from .common import (
    ENV_VARS,
    Server,
    TestbedError,
    _base_env,
    _chown_tree,
    _owned_dir,
    _port,
    _port_open,
    _read_pid,
    _service_user,
    _terminate,
    _user_kwargs,
    log,
)
from .elasticsearch_modules import ES_MODULES
from .elasticsearch_plugins import ES_PLUGINS, MAVEN_CENTRAL

ES_VERSION = "8.19.4"
ES_ZIP_URL = (
    f"{MAVEN_CENTRAL}/org/elasticsearch/distribution/integ-test-zip/elasticsearch/"
    f"{ES_VERSION}/elasticsearch-{ES_VERSION}.zip"
)


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
        self.java_opts = os.environ.get("YIPIN_TESTBED_ES_JAVA_OPTS", "-Xms512m -Xmx512m")

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
        self.install_modules()

    def install_modules(self) -> None:
        """Install the analysis-common stand-in (see ES_MODULES); failures are logged."""
        for module in ES_MODULES:
            try:
                module.install(self)
            except (TestbedError, OSError, subprocess.SubprocessError) as exc:
                log(f"elasticsearch: module {module.name} NOT installed: {exc}")

    def expected_components(self) -> list[str]:
        """Modules and plugins the test bed installs (the server must have loaded them)."""
        return sorted({m.name for m in ES_MODULES} | {p.name for p in ES_PLUGINS})

    def missing_components(self) -> list[str]:
        """Expected modules or plugins the running server has not loaded (it was started
        before they were installed): it needs a restart."""
        try:
            nodes = requests.get(f"{self.url}/_nodes/_local/plugins", timeout=5).json()["nodes"]
            node = next(iter(nodes.values()))
        except (requests.RequestException, ValueError, KeyError, StopIteration):
            return []
        loaded = {m["name"] for m in node.get("modules", [])}
        loaded |= {p["name"] for p in node.get("plugins", [])}
        return [name for name in self.expected_components() if name not in loaded]

    def _after_start(self) -> None:
        if self.pid() is None and not (self.home / ".yipin-extracted").exists():
            return  # not ours
        with contextlib.suppress(TestbedError, OSError, subprocess.SubprocessError):
            self.install_plugins()  # on disk only: a running server is not touched
            self.install_modules()
        missing = self.missing_components()
        if missing:
            log(
                f"elasticsearch: the running server has not loaded {', '.join(missing)} "
                "(installed after it started); search tests need them: restart it when no "
                "one is using it (`python -m tests.testbed restart elasticsearch`)"
            )

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
            "ES_JAVA_OPTS": self.java_opts,
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
            "# written by tests/testbed/elasticsearch.py on every start\n"
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
