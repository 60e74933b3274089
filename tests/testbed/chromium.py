"""Debian's Chromium for the browser tests, and the check that it renders Chinese text."""

from __future__ import annotations

import os
from urllib.parse import quote

from .common import TestbedError, log

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
