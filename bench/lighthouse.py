"""Lighthouse (mobile defaults) on the storefront's six pages of a demo server: the four
scores and the kilobytes transferred, per page. Figures only, no assertions (the test
``tests/storefront/test_lighthouse.py`` asserts accessibility, best practices, SEO and the home
page's weight; performance is timing, so it is printed here).

    .venv/bin/python bench/lighthouse.py [--url http://127.0.0.1:5000] [--runs 3]
        [--instance DIR] [--fresh]

Without ``--url`` it serves the demo itself: ``flask setup``, ``flask seed demo`` and
``flask media renditions`` in ``--instance`` (default: a folder under the temporary directory,
kept between runs; ``--fresh`` starts it again), then gunicorn (2 workers × 4 threads, as
``./scripts/demo``) on a free port. Pages: home, the first category, the first product with a
batch on sale, that batch's traceability page, and the cart and checkout of the demo consumer
13900000011 (logged in through the form, one item in the cart). Lighthouse is the test bed's
(``tests/testbed/lighthouse.py``: installed with npm when missing) on Debian's Chromium.
With ``--runs N`` each page is audited N times and the median of each score is printed.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONSUMER = "13900000011"
PASSWORD = "Gannan2026"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


# ----------------------------------------------------------------------------- the server


def _flask(instance: Path, *args: str) -> None:
    env = {**os.environ, "FLASK_APP": "wsgi", "YIPIN_INSTANCE_PATH": str(instance)}
    for key in [k for k in env if k.startswith("YIPIN_") and k.endswith("_URL")]:
        env.pop(key)  # the embedded defaults, as the demo
    subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), *args], cwd=ROOT, env=env, check=True)


def prepare_demo(instance: Path, fresh: bool) -> None:
    """The demo's database and pictures in ``instance`` (seeded once, reused)."""
    if fresh and instance.exists():
        import shutil

        shutil.rmtree(instance)
    instance.mkdir(parents=True, exist_ok=True)
    if not (instance / "yipin.sqlite3").exists() or fresh:
        print(f"seeding the demo in {instance} (about two minutes)...", flush=True)
    _flask(instance, "setup")
    _flask(instance, "seed", "demo")  # says so and stops when the demo is there
    _flask(instance, "media", "renditions")  # pictures stored before a rendition existed


def serve(instance: Path) -> tuple[subprocess.Popen[bytes], str]:
    """gunicorn with the demo app on a free port; (process, base URL)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    env = {**os.environ, "YIPIN_INSTANCE_PATH": str(instance)}
    for key in [k for k in env if k.startswith("YIPIN_") and k.endswith("_URL")]:
        env.pop(key)
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    import requests

    for _ in range(150):
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code < 500:
                return proc, base
        except requests.RequestException:
            pass
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    raise SystemExit("gunicorn did not come up")


# ----------------------------------------------------------------------------- the pages


def _csrf(session: Any, base: str, html: str) -> str:
    """A CSRF token: the page's meta tag or form field, else the site's token endpoint."""
    for pattern in (
        r'<meta name="csrf-token" content="([^"]+)"',
        r'name="csrf_token"[^>]*value="([^"]+)"',
    ):
        match = re.search(pattern, html)
        if match:
            return match.group(1)
    response = session.get(f"{base}/csrf-token", headers={"Accept": "application/json"})
    response.raise_for_status()
    body = response.json()
    return str(body.get("csrf_token") or body.get("token") or next(iter(body.values())))


def find_pages(base: str) -> dict[str, tuple[str, dict[str, str] | None]]:
    """The six pages (path and extra headers) found by following the site's own links."""
    import requests

    anonymous = requests.Session()
    home = anonymous.get(base + "/").text
    category = re.search(r'href="(/c/[^"?#]+)"', home)
    products = list(dict.fromkeys(re.findall(r'href="(/p/\d+)"', home)))
    if category is None or not products:
        raise SystemExit("no category or product links on the home page: is the demo seeded?")
    product = trace = None
    variant = None
    for path in products:
        page = anonymous.get(base + path).text
        found = re.search(r'href="(?:https?://[^/"]+)?(/t/[A-Za-z0-9]+)"', page)
        if found:
            product, trace = path, found.group(1)
            chosen = re.search(r'name="variant_id" value="(\d+)"', page)
            variant = chosen.group(1) if chosen else None
            break
    if product is None or trace is None or variant is None:
        raise SystemExit("no product with a batch on sale (and a traceability link) found")

    consumer = requests.Session()
    login_page = consumer.get(base + "/login").text
    token = _csrf(consumer, base, login_page)
    response = consumer.post(
        base + "/login",
        data={"csrf_token": token, "login": CONSUMER, "password": PASSWORD},
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise SystemExit(f"the demo consumer {CONSUMER} could not log in ({response.status_code})")
    page = consumer.get(base + product).text
    token = _csrf(consumer, base, page)
    consumer.post(
        base + "/cart/add",
        data={"csrf_token": token, "variant_id": variant, "quantity": "1"},
        allow_redirects=False,
    )
    cookie = "; ".join(f"{c.name}={c.value}" for c in consumer.cookies)
    logged_in = {"Cookie": cookie}
    return {
        "home": ("/", None),
        "category": (category.group(1), None),
        "product": (product, None),
        "trace": (trace, None),
        "cart": ("/cart", logged_in),
        "checkout": ("/checkout", logged_in),
    }


# ----------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a running demo server (else one is started)")
    parser.add_argument("--runs", type=int, default=1, help="audits per page (median printed)")
    parser.add_argument(
        "--instance",
        type=Path,
        default=Path(tempfile.gettempdir()) / "yipin-lighthouse-demo",
        help="instance folder of the demo this script serves",
    )
    parser.add_argument("--fresh", action="store_true", help="seed the demo again")
    args = parser.parse_args()

    from tests import testbed

    chromium = testbed.chromium_path()
    if chromium is None:
        raise SystemExit("Debian's Chromium is missing: apt-get install chromium")
    cli = testbed.install_lighthouse(testbed.testbed_dir())

    server = None
    base = args.url
    if base is None:
        prepare_demo(args.instance, args.fresh)
        server, base = serve(args.instance)
    try:
        pages = find_pages(base.rstrip("/"))
        print(
            f"Lighthouse {testbed.LIGHTHOUSE_VERSION}, mobile defaults, {chromium}; "
            f"{args.runs} run(s) per page, median; {base}"
        )
        header = "  ".join(f"{c:>14}" for c in CATEGORIES)
        print(f"{'page':9}  {header}  {'KB':>7}  path")
        problems: list[str] = []
        for name, (path, headers) in pages.items():
            reports = [
                testbed.run_lighthouse(base + path, cli=cli, headers=headers)
                for _ in range(args.runs)
            ]
            scores = {c: statistics.median(r.scores.get(c, 0) for r in reports) for c in CATEGORIES}
            kb = statistics.median(r.transferred_kb for r in reports)
            cells = "  ".join(f"{scores[c]:>14g}" for c in CATEGORIES)
            print(f"{name:9}  {cells}  {kb:7.1f}  {path}", flush=True)
            last = reports[-1]
            if last.final_url != base + path:
                problems.append(f"{name}: ended on {last.final_url}")
            for category, lines in last.failures.items():
                problems.extend(f"{name} {category}: {line}" for line in lines)
        if problems:
            print("\nwhat cost points (last run of each page):")
            for line in problems:
                print(f"  {line[:300]}")
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
