"""Lighthouse (the npm package, pinned) on Debian's Chromium: installed with ``npm install``
into the test bed's cache, and run on one page at a time.

Lighthouse 12 is the last line that runs on Node 18/20 (13 needs Node 22), which is what
Debian and the machine's nodejs give. ``npm`` only talks to the npm registry; Lighthouse itself
needs no network besides the page it audits (``chrome-launcher`` finds Chromium through
``CHROME_PATH``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .chromium import CHROMIUM_ARGS, chromium_path
from .common import TestbedError, log

LIGHTHOUSE_VERSION = "12.8.2"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def lighthouse_cli(base: Path) -> Path:
    """Where the pinned Lighthouse's command-line script lives under the test bed's base."""
    return (
        base
        / "lighthouse"
        / LIGHTHOUSE_VERSION
        / "node_modules"
        / "lighthouse"
        / "cli"
        / "index.js"
    )


def install_lighthouse(base: Path) -> Path:
    """``npm install lighthouse@LIGHTHOUSE_VERSION`` into the cache (a no-op when there)."""
    prefix = base / "lighthouse" / LIGHTHOUSE_VERSION
    cli = lighthouse_cli(base)
    stamp = prefix / ".installed"
    if cli.exists() and stamp.exists():
        return cli
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        raise TestbedError("node and npm are not installed (apt-get install nodejs npm)")
    prefix.mkdir(parents=True, exist_ok=True)
    log(f"lighthouse: npm install lighthouse@{LIGHTHOUSE_VERSION} (about 30 s)...")
    started = time.monotonic()
    env = {**os.environ, "npm_config_update_notifier": "false", "npm_config_fund": "false"}
    env.setdefault("HOME", str(base / "home"))
    result = subprocess.run(
        [
            npm,
            "install",
            "--no-audit",
            "--no-fund",
            "--no-save",
            "--prefix",
            str(prefix),
            f"lighthouse@{LIGHTHOUSE_VERSION}",
        ],
        cwd=prefix,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if result.returncode != 0 or not cli.exists():
        raise TestbedError(f"npm install lighthouse failed:\n{result.stderr.strip()[-2000:]}")
    stamp.write_text(LIGHTHOUSE_VERSION + "\n")
    log(f"lighthouse: installed in {time.monotonic() - started:.1f}s")
    return cli


@dataclass
class Report:
    """What one Lighthouse run found: scores (0–100 per category), bytes and failed audits."""

    url: str
    final_url: str
    scores: dict[str, int]
    transferred_bytes: int
    failures: dict[str, list[str]] = field(default_factory=dict)  # category -> audit lines
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def transferred_kb(self) -> float:
        return self.transferred_bytes / 1024


def _failures(raw: dict[str, Any]) -> dict[str, list[str]]:
    """Per category, the audits that cost points, with what they point at."""
    out: dict[str, list[str]] = {}
    audits = raw["audits"]
    for category in raw["categories"].values():
        for ref in category["auditRefs"]:
            audit = audits[ref["id"]]
            if ref.get("weight", 0) <= 0 or audit.get("score") is None or audit["score"] >= 1:
                continue
            items = (audit.get("details") or {}).get("items") or []
            where = []
            for item in items[:5]:
                node = item.get("node") or {}
                where.append(
                    node.get("snippet") or item.get("url") or item.get("description") or str(item)
                )
            line = f"{ref['id']} ({audit['score']}): {audit.get('title', '')}"
            if where:
                line += " — " + " | ".join(str(w)[:160] for w in where)
            out.setdefault(category["id"], []).append(line)
    return out


def run_lighthouse(
    url: str,
    *,
    cli: str | os.PathLike[str],
    headers: dict[str, str] | None = None,
    categories: tuple[str, ...] = CATEGORIES,
    timeout: float = 180,
) -> Report:
    """Audit ``url`` with Lighthouse's default (mobile) settings on Debian's Chromium.

    ``headers`` go with every request (a ``Cookie`` for pages behind a login). One Chromium per
    call, with its own temporary profile."""
    chrome = chromium_path()
    if chrome is None:
        raise TestbedError("chromium is not installed")
    node = shutil.which("node")
    if node is None:
        raise TestbedError("node is not installed")
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        out = Path(tmp) / "report.json"
        flags = " ".join(["--headless=new", *CHROMIUM_ARGS, f"--user-data-dir={tmp}/profile"])
        command = [
            node,
            str(cli),
            url,
            f"--only-categories={','.join(categories)}",
            "--output=json",
            f"--output-path={out}",
            f"--chrome-flags={flags}",
            "--quiet",
        ]
        if headers:
            command.append("--extra-headers=" + json.dumps(headers))
        env = {**os.environ, "CHROME_PATH": chrome, "TMPDIR": tmp}
        result = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=timeout, cwd=tmp
        )
        if result.returncode != 0 or not out.exists():
            raise TestbedError(f"lighthouse failed on {url}:\n{result.stderr.strip()[-2000:]}")
        raw = json.loads(out.read_text())
    if raw.get("runtimeError"):
        raise TestbedError(f"lighthouse on {url}: {raw['runtimeError']}")
    scores = {
        key: round((value.get("score") or 0) * 100) for key, value in raw["categories"].items()
    }
    return Report(
        url=url,
        final_url=raw.get("finalDisplayedUrl") or raw.get("finalUrl") or url,
        scores=scores,
        transferred_bytes=int(raw["audits"]["total-byte-weight"]["numericValue"]),
        failures=_failures(raw),
        raw=raw,
    )
